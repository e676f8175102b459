"""The field's libraries beside caselink's own code: nameparser, phonenumbers, nicknames.

Issue 19 item 6 asks whether ``nameparser`` (names), ``phonenumbers``
(Google's libphonenumber rules) and the ``nicknames`` package's database
should replace caselink's hand-written name parser, phone normaliser and
nickname table. This measures what each would *change* on the recorded
values of both synthetic designs (the only sources here with phones and
single-field names; FEBRL records names in parts and has no phones):

* names: how often ``nameparser.HumanName`` reads another given name or
  surname than :func:`caselink.entities.normalise.parse_name` (both folded
  to caselink's letters-only form), with examples;
* phones: how often ``phonenumbers`` (region GB, E.164) gives another
  number than :func:`caselink.entities.normalise.normalise_phone`, and how
  many it rejects as invalid;
* nicknames: how many given names of the data the two tables canonicalise
  together where caselink's does not (and the reverse), with examples.

It does not measure F1 with each swapped in (not done: see docs/entities.md).

Usage::

    .venv/bin/python benchmarks/entities_libraries.py [--cases 20000]

Writes ``benchmarks/results/entities_libraries.json`` (with the machine).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from caselink.entities.nicknames import canonical_given_name, given_name_groups
from caselink.entities.normalise import normalise_phone, parse_name
from caselink.synth import generate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe

RESULTS = Path(__file__).parent / "results" / "entities_libraries.json"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    out: dict[str, Any] = {"machine": describe(), "cases": args.cases, "seed": args.seed}
    for design in ("A", "B"):
        people = generate(args.cases, seed=args.seed, design=design).people
        out[design] = {
            "mentions": len(people),
            "names": names(people["name"]),
            "phones": phones(people["phone"]),
            "nicknames": nicknames(people["name"]),
        }
        summary = {
            k: {kk: vv for kk, vv in v.items() if not kk.startswith("examples")}
            for k, v in out[design].items()
            if isinstance(v, dict)
        }
        print(design, json.dumps(summary), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2, default=list) + "\n")
    print(f"-> {RESULTS}")


if __name__ == "__main__":
    main()
