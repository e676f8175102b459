"""Prompts: the checks that a link, a series or a recurring entity makes necessary.

When a case is linked to another (a link probability at or above a threshold),
joins a series, or shares a person, address, phone or vehicle with another
case, some checks become necessary that the case alone did not call for:
compare the handwriting of two notes, check the background of a reporter who
lives near another death. :func:`raise_prompts` turns those facts into new
*pending* actions, each with a reason an officer can act on, and never repeats
a check that the case already has done or open (pending), nor one that
another prompt already raised; a check recorded as not done is raised again
with the new reason.

Inputs are plain frames:

links
    ``case_a, case_b, probability`` (from linkage).
series
    ``case_id, series_id``.
recurrences
    ``case_a, case_b, kind`` with ``kind`` one of person, address, phone,
    vehicle; optional ``role_a, role_b`` (the roles in each case),
    ``distance_m`` (for a person: how far the person of ``case_a`` lives from
    the place of ``case_b``), ``sex`` (M/F, for the wording) and ``evidence``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from caselink.records.frames import require_columns
from caselink.records.model import Action
from caselink.settings import LINK_THRESHOLD

DEATHS: frozenset[str] = frozenset({"unexplained_death", "drug_related_death"})
_SERIOUS: frozenset[str] = DEATHS | {"sexual_offence", "drugging"}
_CCTV_TYPES: frozenset[str] = _SERIOUS | {"violence", "robbery"}
_BACKGROUND_ROLES: frozenset[str] = frozenset({"reporter", "finder"})
_SUSPECT_ROLES: frozenset[str] = frozenset({"suspect", "offender"})
# which reason leads when several raise one check: a person who is a suspect
# elsewhere, then a person recurring, then a reporter living near (nearest first)
_RANK_SUSPECT, _RANK_PERSON, _RANK_NEAR = 0.0, 0.1, 0.2
RECURRENCE_KINDS: tuple[str, ...] = ("person", "address", "phone", "vehicle")
PROMPT_COLUMNS: tuple[str, ...] = ("case_id", "action", "reason", "rule", "related")


@dataclass(frozen=True)
class Prompt:
    """A check raised for a case, why, and which other case(s) prompted it."""

    case_id: str
    action: str
    reason: str
    rule: str
    related: tuple[str, ...]

    def as_action(self, raised_at: datetime | None = None) -> Action:
        """The pending :class:`~caselink.records.model.Action` to store."""
        return Action(
            case_id=self.case_id,
            action=self.action,
            status="pending",
            raised_at=raised_at,
            note=self.reason,
        )


@dataclass(frozen=True)
class _Raw:
    case_id: str
    action: str
    rule: str
    template: str  # with {others} for the related case ids
    related: str
    rank: float = 1.0  # lower first: which reason leads when several raise one check


def _distance_text(metres: float) -> str:
    if metres < 1000:
        return f"{round(metres / 10) * 10:.0f} m"
    return f"{metres / 1000:.1f} km"


def _pronoun(sex: Any) -> str:
    text = str(sex).strip().upper() if isinstance(sex, str) else ""
    return {"M": "his", "F": "her"}.get(text, "their")


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _values(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(sorted(str(v) for v in value))
    text = _text(value)
    return (text,) if text else ()


def _pairs_from_links(links: pd.DataFrame | None, threshold: float) -> list[tuple[str, str, str]]:
    if links is None or links.empty:
        return []
    require_columns(links, ("case_a", "case_b", "probability"), "links frame")
    strong = links[links["probability"] >= threshold]
    out = []
    for a, b, p in zip(strong["case_a"], strong["case_b"], strong["probability"], strict=True):
        label = f"linked to {{others}} (p={float(p):.2f})"
        out.append((str(a), str(b), label))
        out.append((str(b), str(a), label))
    return out


def _pairs_from_series(series: pd.DataFrame | None) -> list[tuple[str, str, str]]:
    if series is None or series.empty:
        return []
    require_columns(series, ("case_id", "series_id"), "series frame")
    out = []
    members = series.dropna(subset=["series_id"])
    for sid, group in members.groupby("series_id", sort=True):
        ids = sorted({str(c) for c in group["case_id"]})
        for a in ids:
            for b in ids:
                if a != b:
                    out.append((a, b, f"in series {sid} with {{others}}"))
    return out


def _link_rules(
    case: dict[str, Any], other: dict[str, Any], partner: str, label: str
) -> Iterable[_Raw]:
    cid = str(case["case_id"])
    ctype = str(case["case_type"])
    if _text(case.get("note_found")) == "yes":
        if _text(other.get("note_found")) == "yes":
            what = "compare the handwriting of the notes"
        else:
            what = "have the handwriting of the note examined"
        yield _Raw(cid, "note_handwriting", "link_note", f"{label}: {what}", partner)
    if ctype in _SERIOUS:
        yield _Raw(
            cid,
            "forensic_submission",
            "link_forensic",
            f"{label}: submit items for forensic comparison between the cases",
            partner,
        )
        drugs = _values(other.get("drugs"))
        if drugs and ctype in _SERIOUS:
            found = ", ".join(drugs)
            yield _Raw(
                cid,
                "toxicology",
                "link_toxicology",
                f"{label}, where {found} was found: test for the same drugs",
                partner,
            )
    if ctype in _CCTV_TYPES:
        yield _Raw(
            cid, "cctv", "link_cctv", f"{label}: review CCTV for anyone seen near both", partner
        )
    yield _Raw(
        cid,
        "previous_incidents",
        "link_previous",
        f"{label}: check previous incidents at and near both places",
        partner,
    )


def _recurrence_rules(row: dict[str, Any], cases: dict[str, dict[str, Any]]) -> Iterable[_Raw]:
    kind = _text(row.get("kind"))
    a, b = str(row["case_a"]), str(row["case_b"])
    role_a, role_b = _text(row.get("role_a")), _text(row.get("role_b"))
    dist = row.get("distance_m")
    has_dist = dist is not None and not pd.isna(dist)
    his = _pronoun(row.get("sex"))
    if kind == "person":
        if has_dist and role_a in _BACKGROUND_ROLES:
            d = _distance_text(float(dist))  # type: ignore[arg-type]
            btype = str(cases[b]["case_type"]).replace("_", " ")
            yield _Raw(
                b,
                "reporter_background",
                "near_reporter",
                f"the {role_a} of {a} lives {d} from here: check {his} background",
                a,
                _RANK_NEAR + float(dist) / 1e6,  # type: ignore[arg-type]
            )
            yield _Raw(
                a,
                "reporter_background",
                "near_reporter",
                f"the {role_a} of this case lives {d} from {{others}} ({btype}): "
                f"check {his} background",
                b,
                _RANK_NEAR + float(dist) / 1e6,  # type: ignore[arg-type]
            )
        if not has_dist or role_b is not None:
            for here, there, role_here, role_there in (
                (a, b, role_a, role_b),
                (b, a, role_b, role_a),
            ):
                if role_here in _BACKGROUND_ROLES:
                    as_what = f"the {role_there}" if role_there else "recorded"
                    yield _Raw(
                        here,
                        "reporter_background",
                        "recurring_person",
                        f"the {role_here} of this case is also {as_what} in {{others}}: "
                        f"check {his} background",
                        there,
                        _RANK_SUSPECT if role_there in _SUSPECT_ROLES else _RANK_PERSON,
                    )
                elif role_here is not None:
                    as_what = f"the {role_there}" if role_there else "recorded"
                    yield _Raw(
                        here,
                        "previous_incidents",
                        "recurring_person",
                        f"the {role_here} of this case is also {as_what} in {{others}}: "
                        "check previous incidents involving this person",
                        there,
                        _RANK_SUSPECT if role_there in _SUSPECT_ROLES else _RANK_PERSON,
                    )
    elif kind in ("address", "phone", "vehicle"):
        action, what = {
            "address": ("previous_incidents", "check previous incidents there"),
            "phone": ("phone_download", "download the phone and compare contacts"),
            "vehicle": ("cctv", "check CCTV and ANPR for the vehicle"),
        }[kind]
        for here, there, role_here in ((a, b, role_a), (b, a, role_b)):
            whose = f" (of the {role_here})" if role_here else ""
            yield _Raw(
                here,
                action,
                f"recurring_{kind}",
                f"a{'n' if kind == 'address' else ''} {kind}{whose} in this case recurs in "
                f"{{others}}: {what}",
                there,
            )
    else:
        raise ValueError(
            f"recurrences frame: kind {kind!r} (cases {a}, {b}) is not one of "
            f"{', '.join(RECURRENCE_KINDS)}"
        )


def _others(ids: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(ids[:limit])
    return shown if len(ids) <= limit else f"{shown} and {len(ids) - limit} more"


def raise_prompts(
    cases: pd.DataFrame,
    actions: pd.DataFrame,
    links: pd.DataFrame | None = None,
    series: pd.DataFrame | None = None,
    recurrences: pd.DataFrame | None = None,
    threshold: float = LINK_THRESHOLD,
    all_recurrences: bool = False,
) -> list[Prompt]:
    """The new pending checks that links, series and recurring entities call for.

    Parameters
    ----------
    cases : DataFrame
        A cases frame; ``case_type`` and the MO attributes ``note_found``
        and ``drugs`` (when present) shape the prompts.
    actions : DataFrame
        The existing actions (``case_id, action, status``). A prompt is never
        raised for a (case, action) that is already ``done`` or ``pending``
        (open). A check recorded only as ``not_done`` *is* raised again, as a
        new pending action with the new reason: the link is new information,
        and in Barking the checks that mattered (the note's handwriting, the
        reporter's background) were the ones recorded as not done.
    links : DataFrame, optional
        ``case_a, case_b, probability``; pairs at or above ``threshold`` count.
    series : DataFrame, optional
        ``case_id, series_id``; all members of a series are linked pairwise.
    recurrences : DataFrame, optional
        Entity recurrence flags (see the module docstring for the columns).
    threshold : float
        The link probability from which a link prompts checks, in (0, 1].
    all_recurrences : bool
        By default a recurrence prompts checks only when one of its two cases
        is a death, a sexual offence or a drugging (the cases a missed check
        cost most in); True prompts for every recurrence.

    Returns
    -------
    list of Prompt
        At most one prompt per (case, action), ordered by case and action. The
        reason names the related cases (the first three, then a count).

    Raises
    ------
    ValueError
        When a frame lacks a column, a case id is not in ``cases``, a
        recurrence kind is unknown, or ``threshold`` is out of range.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    records: list[dict[str, Any]] = cases.to_dict("records")  # type: ignore[assignment]
    by_id = {str(r["case_id"]): r for r in records}
    raw: list[_Raw] = []
    pairs = _pairs_from_links(links, threshold) + _pairs_from_series(series)
    unknown = sorted({c for a, b, _ in pairs for c in (a, b) if c not in by_id})
    if recurrences is not None and not recurrences.empty:
        require_columns(recurrences, ("case_a", "case_b", "kind"), "recurrences frame")
        unknown += sorted(
            {str(c) for c in (*recurrences["case_a"], *recurrences["case_b"])} - by_id.keys()
        )
    if unknown:
        raise ValueError(f"case id(s) not in the cases frame: {', '.join(unknown[:10])}")
    for a, b, label in pairs:
        raw.extend(_link_rules(by_id[a], by_id[b], b, label))
    if recurrences is not None and not recurrences.empty:
        serious = {c for c, r in by_id.items() if str(r["case_type"]) in _SERIOUS}
        rec_rows: list[dict[str, Any]] = recurrences.to_dict("records")  # type: ignore[assignment]
        for row in rec_rows:
            if str(row["case_a"]) == str(row["case_b"]):
                continue
            if all_recurrences is False and not {str(row["case_a"]), str(row["case_b"])} & serious:
                continue
            raw.extend(_recurrence_rules(row, by_id))

    is_open = actions["status"].isin(["done", "pending"])
    existing = {
        (str(c), str(a))
        for c, a in zip(actions["case_id"][is_open], actions["action"][is_open], strict=True)
    }
    # one prompt per (case, action); its reasons (up to three, nearest/strongest
    # first), each naming its related cases
    grouped: dict[tuple[str, str], dict[str, tuple[_Raw, list[str]]]] = {}
    for r in sorted(raw, key=lambda r: r.rank):
        key = (r.case_id, r.action)
        if key in existing or r.related == r.case_id:
            continue
        reasons = grouped.setdefault(key, {})
        if r.template not in reasons:
            reasons[r.template] = (r, [r.related])
        elif r.related not in reasons[r.template][1]:
            reasons[r.template][1].append(r.related)
    prompts = []
    for (cid, action), reasons in sorted(grouped.items()):
        parts = list(reasons.values())
        texts = [first.template.replace("{others}", _others(rel)) for first, rel in parts[:3]]
        if len(parts) > 3:
            texts.append(f"and {len(parts) - 3} other reason(s)")
        related = list(dict.fromkeys(c for _, rel in parts for c in rel))
        prompts.append(
            Prompt(
                case_id=cid,
                action=action,
                reason="; ".join(texts),
                rule=parts[0][0].rule,
                related=tuple(related),
            )
        )
    return prompts


def prompts_frame(prompts: Sequence[Prompt]) -> pd.DataFrame:
    """Prompts as a frame: ``case_id, action, reason, rule, related`` (related joined by |)."""
    return pd.DataFrame.from_records(
        [
            {
                "case_id": p.case_id,
                "action": p.action,
                "reason": p.reason,
                "rule": p.rule,
                "related": "|".join(p.related),
            }
            for p in prompts
        ],
        columns=list(PROMPT_COLUMNS),
    )


RECURRENCE_COLUMNS: tuple[str, ...] = (
    "case_a",
    "case_b",
    "kind",
    "role_a",
    "role_b",
    "distance_m",
    "evidence",
)
_NEAR = re.compile(r"(?P<case>[^\s,;()]+) \((?:death|linked case), (?P<km>[0-9.]+) km\)")


def _roles_by_case(text: Any) -> dict[str, str]:
    """Parse entity flags' ``roles`` ("C1:reporter; C2:finder/witness") to {case: role}."""
    out: dict[str, str] = {}
    for part in str(text or "").split(";"):
        case, sep, roles = part.strip().rpartition(":")
        if not sep or not case:
            continue
        names = [r for r in roles.split("/") if r]
        # a reporting role matters most for the prompts
        pick = next((r for r in names if r in _BACKGROUND_ROLES), names[0] if names else None)
        if pick:
            out[case] = pick
    return out


def recurrences_from_flags(flags: pd.DataFrame, max_cases: int = 10) -> pd.DataFrame:
    """Pairwise recurrences from the entity flags frame (:mod:`caselink.entities.flags`).

    ``*_in_cases`` and ``person_in_series`` flags become one row per pair of
    the cases they name, with each case's role; ``reporter_near_death``
    flags become one row per (case the person reported or found, death or
    linked case near the person's home), with the distance in metres, parsed
    from the flag's evidence ("C7 (death, 0.30 km)").

    An entity in more than ``max_cases`` cases (a hostel's address, a
    police station's phone, a placeholder) says little about any pair of
    them and would flood the prompts; such flags are left out.

    Returns
    -------
    DataFrame
        Columns :data:`RECURRENCE_COLUMNS`, ready for :func:`raise_prompts`.
    """
    require_columns(flags, ("flag", "entity_kind", "cases", "roles"), "flags frame")
    rows: list[dict[str, Any]] = []
    for flag in flags.to_dict("records"):
        roles = _roles_by_case(flag["roles"])
        evidence = _text(flag.get("evidence"))
        if flag["flag"] == "reporter_near_death":
            reported = [c for c, r in roles.items() if r in _BACKGROUND_ROLES]
            for match in _NEAR.finditer(evidence or ""):
                for a in reported:
                    rows.append(
                        {
                            "case_a": a,
                            "case_b": match["case"],
                            "kind": "person",
                            "role_a": roles[a],
                            "role_b": roles.get(match["case"]),
                            "distance_m": float(match["km"]) * 1000.0,
                            "evidence": evidence,
                        }
                    )
            continue
        kind = str(flag["entity_kind"])
        cases = [c.strip() for c in str(flag["cases"]).split(";") if c.strip()]
        if len(cases) > max_cases:
            continue
        for i, a in enumerate(cases):
            for b in cases[i + 1 :]:
                rows.append(
                    {
                        "case_a": a,
                        "case_b": b,
                        "kind": kind,
                        "role_a": roles.get(a),
                        "role_b": roles.get(b),
                        "distance_m": float("nan"),
                        "evidence": evidence,
                    }
                )
    frame = pd.DataFrame.from_records(rows, columns=list(RECURRENCE_COLUMNS))
    return frame.drop_duplicates(subset=["case_a", "case_b", "kind", "role_a", "role_b"])
