"""The field's libraries beside caselink's own code: nameparser, phonenumbers, nicknames.

Issue 19 item 6 asks whether ``nameparser`` (names), ``phonenumbers``
(Google's libphonenumber rules) and the ``nicknames`` package's database
should replace caselink's hand-written name parser, phone normaliser and
nickname table. Each is swapped in for caselink's own component alone
(a *variant*), and person resolution is run with it on every source:
FEBRL3, FEBRL4 (names recorded in parts, no phones) and both synthetic
designs (one ``name`` field, phones), printing each variant's P, R and F1
in one table beside caselink's own code (``caselink``) in the same run.

Variants:

* ``nameparser``: :func:`~caselink.entities.normalise.parse_name` and
  :func:`~caselink.entities.normalise.parse_name_parts` read through
  ``nameparser.HumanName`` (a name in parts as ``"surname, given"``), its
  first, middle and last folded to caselink's letters-only form;
* ``phonenumbers``: :func:`~caselink.entities.normalise.normalise_phone`
  as ``phonenumbers.parse(raw, "GB")`` in E.164 (``?digits`` when it cannot
  parse or the number is not possible, as caselink keeps a malformed one);
* ``nicknames``: the nickname table built from the ``nicknames`` package's
  ``names.csv`` (each canonical name and its nicknames one row, rows in the
  file's order, first row wins, as caselink reads its own table);
* ``nicknames+caselink``: caselink's rows, then the package's.

It also counts what each would *change* on the recorded values of both
synthetic designs (``--changes``): names read differently, phones
normalised differently, given-name pairs one table joins and the other not.

Usage::

    nice -n 10 .venv/bin/python benchmarks/entities_libraries.py [--mentions 50000] [--changes]

Writes ``benchmarks/results/entities_libraries.json`` (with the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pandas as pd

from caselink.entities import clustering as clustering_module
from caselink.entities import features as features_module
from caselink.entities import keys as keys_module
from caselink.entities import nicknames as nicknames_module
from caselink.entities import pairwise_scores
from caselink.entities.nicknames import (
    EXTRA_GROUPS,
    NICKNAME_GROUPS,
    canonical_given_name,
    given_name_groups,
)
from caselink.entities.normalise import PersonName, normalise_phone, parse_name
from caselink.synth import generate

sys.path.insert(0, str(Path(__file__).resolve().parent))
import entities_person_resolution
from entities_febrl import caselink_on_febrl, febrl
from machine import describe

RESULTS = Path(__file__).parent / "results" / "entities_libraries.json"

VARIANTS: tuple[str, ...] = (
    "caselink",
    "nameparser",
    "phonenumbers",
    "nicknames",
    "nicknames+caselink",
)


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _person_name(first: str, middle: str, last: str) -> PersonName:
    middles = " ".join(w for w in (_letters(x) for x in middle.split()) if w)
    return PersonName(_letters(first) or None, _letters(last) or None, middles or None)


def nameparser_name(raw: str | None) -> PersonName:
    """:func:`parse_name` by ``nameparser.HumanName`` (titles and suffixes dropped by it)."""
    from nameparser import HumanName

    if raw is None:
        return PersonName(None, None)
    name = HumanName(raw)
    return _person_name(name.first, name.middle, name.last)


def nameparser_parts(given: str | None, surname: str | None) -> PersonName:
    """:func:`parse_name_parts` by ``nameparser.HumanName`` on ``"surname, given"``."""
    from nameparser import HumanName

    if surname is None or not surname.strip():
        return nameparser_name(given) if given else PersonName(None, None)
    if given is None or not given.strip():
        # HumanName reads a lone "smith," as a given name: a surname column is a surname
        return PersonName(None, _letters(surname) or None)
    name = HumanName(f"{surname}, {given or ''}")
    return _person_name(name.first, name.middle, name.last)


def phonenumbers_phone(raw: str | None, region: str = "GB") -> str | None:
    """:func:`normalise_phone` by ``phonenumbers`` (E.164; ``?digits`` when not a possible number)."""
    import phonenumbers

    if raw is None:
        return None
    digits = re.sub(r"\D", "", raw)
    if not digits:
        return None
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return f"?{digits}"
    if not phonenumbers.is_possible_number(parsed):
        return f"?{digits}"
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def package_groups() -> tuple[tuple[str, ...], ...]:
    """The ``nicknames`` package's database as caselink's rows: ``(canonical, nicknames...)``.

    The package relates names many to many (``bill`` is a nickname of
    ``william`` and of ``willis``, and has ``william`` as a nickname); the
    model compares one canonical name per given name. Rows are read with the
    most nicknames first (file order among equals), first row wins, as
    caselink reads its own table: each name takes its best-attested
    canonical name (``bill``, ``will`` -> ``william``).
    """
    from nicknames import NickNamer

    lookup = NickNamer().nickname_lookup
    order = sorted(lookup, key=lambda c: -len(lookup[c]))  # stable: file order among equals
    return tuple((c, *sorted(lookup[c])) for c in order)


@contextmanager
def _nickname_table(groups: tuple[tuple[str, ...], ...]) -> Iterator[None]:
    """caselink's nickname mappings rebuilt from ``groups`` (and the caches cleared)."""
    from types import MappingProxyType

    table: dict[str, str] = {}
    members: dict[str, set[str]] = {}
    name_groups: dict[str, set[str]] = {}
    for group in groups:
        for name in group:
            table.setdefault(name, group[0])
            name_groups.setdefault(name, set()).add(group[0])
        members.setdefault(group[0], set()).update(group)
    patches = {
        "NICKNAMES": MappingProxyType(table),
        "NAME_GROUPS": MappingProxyType({k: frozenset(v) for k, v in name_groups.items()}),
        "GROUP_MEMBERS": MappingProxyType({k: frozenset(v) for k, v in members.items()}),
    }
    with ExitStack() as stack:
        for attr, value in patches.items():
            stack.enter_context(mock.patch.object(nicknames_module, attr, value))
        clustering_module._given_compatible.cache_clear()
        try:
            yield
        finally:
            clustering_module._given_compatible.cache_clear()


@contextmanager
def variant(name: str) -> Iterator[None]:
    """caselink with one component replaced by a library's (``caselink``: none)."""
    with ExitStack() as stack:
        if name == "nameparser":
            stack.enter_context(mock.patch.object(features_module, "parse_name", nameparser_name))
            stack.enter_context(
                mock.patch.object(features_module, "parse_name_parts", nameparser_parts)
            )
        elif name == "phonenumbers":
            for module in (features_module, keys_module):
                stack.enter_context(
                    mock.patch.object(module, "normalise_phone", phonenumbers_phone)
                )
        elif name == "nicknames":
            stack.enter_context(_nickname_table(package_groups()))
        elif name == "nicknames+caselink":
            stack.enter_context(
                _nickname_table((*NICKNAME_GROUPS, *EXTRA_GROUPS, *package_groups()))
            )
        elif name != "caselink":
            raise ValueError(f"unknown variant {name!r}")
        yield


def _scores(predicted: Any, truth: Any) -> dict[str, float]:
    s = pairwise_scores(predicted, truth)
    return {k: round(float(s[k]), 4) for k in ("precision", "recall", "f1")}


def run_febrl(name: str) -> dict[str, Any]:
    """caselink's P, R, F1 and seconds on one FEBRL set (people-only, names in parts)."""
    return caselink_on_febrl(febrl(name))[0]


def run_synth(design: str, mentions: int, seed: int) -> dict[str, Any]:
    """caselink's P, R, F1 and seconds on one synthetic design (and kin merges on B)."""
    args = entities_person_resolution.arguments().parse_args(
        ["--mentions", str(mentions), "--seed", str(seed), "--design", design]
    )
    row = entities_person_resolution.run(args)
    out = {k: row[k] for k in ("precision", "recall", "f1")} | {"seconds": row["total_s"]}
    out |= {k: v for k, v in row.items() if k.startswith("kin_") and k.endswith("_merged")}
    return out


def _fold(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def names(values: pd.Series) -> dict[str, Any]:
    """How often nameparser reads another given name or surname than parse_name."""
    from nameparser import HumanName

    distinct = values.dropna().unique().tolist()
    differ = []
    for raw in distinct:
        ours = parse_name(raw)
        theirs = HumanName(raw)
        pair_ours = (ours.first or "", ours.surname or "")
        pair_theirs = (_fold(theirs.first), _fold(theirs.last))
        if pair_ours != pair_theirs:
            differ.append({"name": raw, "caselink": pair_ours, "nameparser": pair_theirs})
    return {
        "distinct_names": len(distinct),
        "read_differently": len(differ),
        "examples": differ[:15],
    }


def phones(values: pd.Series) -> dict[str, Any]:
    """How often phonenumbers (GB, E.164) gives another number than normalise_phone."""
    import phonenumbers

    distinct = values.dropna().unique().tolist()
    differ, invalid = [], 0
    for raw in distinct:
        ours = normalise_phone(raw)
        try:
            parsed = phonenumbers.parse(raw, "GB")
            theirs = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            if not phonenumbers.is_valid_number(parsed):
                invalid += 1
        except phonenumbers.NumberParseException:
            theirs = None
            invalid += 1
        if ours != theirs:
            differ.append({"phone": raw, "caselink": ours, "phonenumbers": theirs})
    return {
        "distinct_phones": len(distinct),
        "normalised_differently": len(differ),
        "invalid_by_phonenumbers": invalid,
        "examples": differ[:10],
    }


def nicknames(values: pd.Series) -> dict[str, Any]:
    """Given-name pairs in the data that one table joins and the other does not."""
    from nicknames import NickNamer

    namer = NickNamer()
    firsts = sorted({n.first for n in map(parse_name, values.dropna().unique()) if n.first})
    only_package, only_caselink = [], []
    for i, a in enumerate(firsts):
        package_a = namer.nicknames_of(a) | namer.canonicals_of(a)
        for b in firsts[i + 1 :]:
            ours = bool(given_name_groups(a) & given_name_groups(b)) or (
                canonical_given_name(a) == canonical_given_name(b)
            )
            theirs = b in package_a
            if theirs and not ours:
                only_package.append((a, b))
            elif ours and not theirs:
                only_caselink.append((a, b))
    return {
        "distinct_given_names": len(firsts),
        "pairs_joined_only_by_nicknames_package": len(only_package),
        "pairs_joined_only_by_caselink_table": len(only_caselink),
        "examples_package_only": only_package[:15],
        "examples_caselink_only": only_caselink[:15],
    }


def changes(cases: int, seed: int) -> dict[str, Any]:
    """What each library would change on the recorded values of both synthetic designs."""
    out: dict[str, Any] = {}
    for design in ("A", "B"):
        people = generate(cases, seed=seed, design=design).people
        out[design] = {
            "mentions": len(people),
            "names": names(people["name"]),
            "phones": phones(people["phone"]),
            "nicknames": nicknames(people["name"]),
        }
    return out


def _table(rows: list[dict[str, Any]], sources: list[str]) -> str:
    """Each variant's F1 per source in one table, with its difference from caselink's."""
    base = {(r["source"]): r["f1"] for r in rows if r["variant"] == "caselink"}
    lines = ["| variant | " + " | ".join(sources) + " |", "|---" * (len(sources) + 1) + "|"]
    for v in dict.fromkeys(r["variant"] for r in rows):
        cells = []
        for s in sources:
            row = next((r for r in rows if r["variant"] == v and r["source"] == s), None)
            if row is None:
                cells.append("")
                continue
            delta = row["f1"] - base.get(s, row["f1"])
            cells.append(f"{row['f1']:.4f}" + (f" ({delta:+.4f})" if v != "caselink" else ""))
        lines.append(f"| {v} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mentions", type=int, default=50_000, help="synthetic mentions")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--sources", default="febrl3,febrl4,A,B")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument(
        "--changes", action="store_true", help="also count what each library changes"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    sources = args.sources.split(",")
    rows: list[dict[str, Any]] = []
    for source in sources:
        for name in args.variants.split(","):
            with variant(name):
                if source.startswith("febrl"):
                    row = run_febrl(source)
                else:
                    row = run_synth(source, args.mentions, args.seed)
            row = {"source": source, "variant": name, **row}
            row["load_average"] = [round(x, 1) for x in os.getloadavg()]
            rows.append(row)
            print(json.dumps(row), flush=True)
    result: dict[str, Any] = {
        "machine": describe(),
        "shared": "machine shared with other jobs",
        "mentions": args.mentions,
        "seed": args.seed,
        "runs": rows,
        "table": _table(rows, sources),
    }
    if args.changes:
        result["changes"] = changes(
            round(args.mentions / entities_person_resolution.MENTIONS_PER_CASE), args.seed
        )
    print(result["table"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=list) + "\n")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
