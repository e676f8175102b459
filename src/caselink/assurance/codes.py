"""A force's own codes against the standard's: code maps, coverage, not-done records outside it.

Forces name case types and actions their own way (``sudden_death_drugs`` for
a drug-related death, ``hw_exam`` for the handwriting examination of a note).
A check the standard cannot recognise must not vanish from the report, so:

- :class:`CodeMap` (``caselink checks --map aliases.yaml``) renames a force's
  codes to the standard's before the checks are judged;
- :func:`coverage` counts the case types and action codes the standard does
  not know (the CLI warns with these counts);
- :func:`not_done_outside_standard` lists every action recorded ``not_done``
  that no requirement of the standard covers, so that every recorded not-done
  action is reported.

Map file (YAML; every target must be a code of the standard)::

    case_types:
      sudden_death_drugs: drug_related_death
    actions:
      hw_exam: note_handwriting
      vs_taken: victim_statement

A flat mapping (``sudden_death_drugs: drug_related_death``) is read as well:
each target is looked up among the standard's case types and action codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from caselink.assurance.standard import ACTION_CODES, CASE_TYPES, Standard
from caselink.records.errors import InvalidInputError, RowError
from caselink.records.yaml_file import read_yaml

NOT_DONE_COLUMNS: tuple[str, ...] = ("case_id", "action", "state", "in_standard")
"""Columns of :func:`not_done_outside_standard` (and of ``caselink checks --out``)."""


@dataclass(frozen=True)
class CodeMap:
    """Renames of a force's case types and action codes to the standard's."""

    case_types: Mapping[str, str] = field(default_factory=dict)
    actions: Mapping[str, str] = field(default_factory=dict)

    def apply(
        self, cases: pd.DataFrame, actions: pd.DataFrame
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Copies of a cases and an actions frame with the codes renamed."""
        cases = cases.copy()
        actions = actions.copy()
        if self.case_types and len(cases):
            cases["case_type"] = cases["case_type"].map(
                lambda t: self.case_types.get(str(t), t) if t is not None else t
            )
        if self.actions and len(actions):
            actions["action"] = actions["action"].map(
                lambda a: self.actions.get(str(a), a) if a is not None else a
            )
        return cases, actions


def load_code_map(path: Path) -> CodeMap:
    """Read a code map file (see the module docstring).

    Raises
    ------
    InvalidInputError
        Not a mapping of text to text, or a target that is not a code of the
        standard's vocabulary; every problem names the key and value.
    """
    name = path.name
    doc = read_yaml(path)
    if not isinstance(doc, Mapping):
        raise InvalidInputError([RowError(name, 0, "", "", "expected a mapping of codes")])
    sectioned = set(doc) <= {"case_types", "actions"}
    errors: list[RowError] = []
    case_types: dict[str, str] = {}
    actions: dict[str, str] = {}
    sections: list[tuple[str, Any]] = (
        [(k, doc[k]) for k in ("case_types", "actions") if k in doc] if sectioned else [("", doc)]
    )
    for section, body in sections:
        if not isinstance(body, Mapping):
            errors.append(RowError(name, 0, section, "", "expected a mapping of codes"))
            continue
        for key, target in body.items():
            where = f"{section}.{key}" if section else str(key)
            if not isinstance(key, str) or not isinstance(target, str):
                errors.append(RowError(name, 0, where, str(target), "codes must be text"))
                continue
            in_types, in_actions = target in CASE_TYPES, target in ACTION_CODES
            if section == "case_types" or (not section and in_types):
                if not in_types:
                    errors.append(
                        RowError(name, 0, where, target, "not a case type of the standard")
                    )
                    continue
                case_types[key] = target
            elif section == "actions" or (not section and in_actions):
                if not in_actions:
                    errors.append(
                        RowError(name, 0, where, target, "not an action code of the standard")
                    )
                    continue
                actions[key] = target
            else:
                errors.append(
                    RowError(
                        name, 0, where, target, "not a case type or action code of the standard"
                    )
                )
    if errors:
        raise InvalidInputError(errors)
    return CodeMap(case_types=case_types, actions=actions)


@dataclass(frozen=True)
class Coverage:
    """What the standard does not know: case types (cases each) and action codes (records each)."""

    unknown_case_types: dict[str, int]
    unknown_actions: dict[str, int]

    def warnings(self) -> list[str]:
        """One line per kind of unknown code, with counts (empty when all are known)."""
        out = []
        if self.unknown_case_types:
            n = sum(self.unknown_case_types.values())
            listed = ", ".join(f"{k} ({v:,})" for k, v in self.unknown_case_types.items())
            out.append(
                f"{n:,} case(s) of {len(self.unknown_case_types)} case type(s) the standard "
                f"does not know, so no check is required of them: {listed}; "
                "map them with --map if they are types of the standard"
            )
        if self.unknown_actions:
            n = sum(self.unknown_actions.values())
            listed = ", ".join(f"{k} ({v:,})" for k, v in self.unknown_actions.items())
            out.append(
                f"{n:,} action record(s) with {len(self.unknown_actions)} code(s) the standard "
                f"does not know: {listed}; map them with --map if they are checks of the standard"
            )
        return out


def coverage(cases: pd.DataFrame, actions: pd.DataFrame, standard: Standard) -> Coverage:
    """Counts of the case types and action codes outside the standard, most frequent first."""
    known_types = set(standard.case_types)
    known_actions = set(ACTION_CODES)
    types = cases["case_type"].astype(str).value_counts()
    acts = actions["action"].astype(str).value_counts() if len(actions) else pd.Series(dtype=int)
    return Coverage(
        unknown_case_types={str(k): int(v) for k, v in types.items() if k not in known_types},
        unknown_actions={str(k): int(v) for k, v in acts.items() if k not in known_actions},
    )


def not_done_outside_standard(
    cases: pd.DataFrame, actions: pd.DataFrame, standard: Standard
) -> pd.DataFrame:
    """Actions recorded ``not_done`` that no requirement of the standard covers.

    A (case, action) whose records resolve to ``not_done`` (no ``done`` and no
    ``pending`` record, as in :func:`caselink.assurance.checks.check_states`)
    and that the standard does not require of that case: its case type or
    action code is unknown to the standard, or the standard does not require
    that action of that case. Columns :data:`NOT_DONE_COLUMNS`
    (``state = "not_done"``, ``in_standard = False``), in record order.
    """
    if actions.empty:
        return pd.DataFrame(columns=list(NOT_DONE_COLUMNS))
    records: list[dict[str, Any]] = cases.to_dict("records")  # type: ignore[assignment]
    required: set[tuple[str, str]] = set()
    for case in records:
        for req in standard.requirements_for(str(case["case_type"])):
            if req.applies_to(case):
                required.add((str(case["case_id"]), req.action))
    statuses: dict[tuple[str, str], set[str]] = {}
    order: list[tuple[str, str]] = []
    for case_id, action, status in zip(
        actions["case_id"], actions["action"], actions["status"], strict=True
    ):
        key = (str(case_id), str(action))
        if key not in statuses:
            statuses[key] = set()
            order.append(key)
        statuses[key].add(str(status))
    rows = [
        {"case_id": c, "action": a, "state": "not_done", "in_standard": False}
        for c, a in order
        if statuses[(c, a)] == {"not_done"} and (c, a) not in required
    ]
    return pd.DataFrame(rows, columns=list(NOT_DONE_COLUMNS))
