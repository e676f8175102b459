"""Reading the cases that ``caselink add`` records: one JSON case, or a cases.csv.

JSON: one case object with the cases.csv fields (MO attributes as top-level
keys, or under ``"attributes"``; multi-valued ones as a list or ``a|b``) and
optional ``"people"`` and ``"actions"`` lists of people.csv/actions.csv rows
(``case_id`` may be left out there). CSV: a file in the cases.csv format of
one or more cases. Both go through the open CSV format's validation, so every
error is named with its field and value.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from caselink.records.csv_format import (
    CASE_OPTIONAL,
    CASE_REQUIRED,
    read_actions,
    read_cases,
    read_people,
)
from caselink.records.errors import InvalidInputError, RowError
from caselink.records.model import Action, AttributeSchema, Case, Mention

Records = tuple[list[Case], list[Mention], list[Action]]


def read_case_file(
    path: Path,
    schema: AttributeSchema,
    people: Path | None = None,
    actions: Path | None = None,
) -> Records:
    """Validated records of a ``.json`` case or a ``.csv`` file of cases.

    Raises
    ------
    InvalidInputError
        Every invalid field of every row (nothing is stored then).
    ValueError
        The file is neither ``.json`` nor ``.csv``.
    """
    path = Path(path)
    if path.suffix.lower() == ".json":
        return _read_json(path, schema)
    if path.suffix.lower() == ".csv":
        return _read_csvs(path, schema, people, actions)
    raise ValueError(f"case file must end in .json or .csv, got {path.name!r}")


def _read_csvs(
    cases: Path, schema: AttributeSchema, people: Path | None, actions: Path | None
) -> Records:
    parsed, _, _ = read_cases(cases, schema)
    errors = list(parsed.errors)
    mentions: list[Mention] = []
    acts: list[Action] = []
    if people is not None:
        p = read_people(people)
        errors += p.errors
        mentions = list(p.records)
    if actions is not None:
        a = read_actions(actions)
        errors += a.errors
        acts = list(a.records)
    if errors:
        raise InvalidInputError(errors)
    return list(parsed.records), mentions, acts


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "|".join(str(v) for v in value)
    return str(value)


def _write(path: Path, rows: Sequence[Mapping[str, Any]], header: Sequence[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(row.get(h)) for h in header])


def _read_json(path: Path, schema: AttributeSchema) -> Records:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InvalidInputError([RowError(path.name, exc.lineno, "", "", exc.msg)]) from exc
    if not isinstance(data, dict):
        raise InvalidInputError(
            [RowError(path.name, 0, "", type(data).__name__, "must be one JSON case object")]
        )
    case = dict(data)
    people = case.pop("people", []) or []
    actions = case.pop("actions", []) or []
    attrs = case.pop("attributes", {}) or {}
    case.update(attrs)
    known = {*CASE_REQUIRED, *CASE_OPTIONAL, *schema.names()}
    unknown = sorted(set(case) - known)
    if unknown:
        raise InvalidInputError(
            [
                RowError(path.name, 0, k, _cell(case[k]), "not a case field or MO attribute")
                for k in unknown
            ]
        )
    cid = case.get("case_id")
    for item in [*people, *actions]:
        if isinstance(item, dict):
            item.setdefault("case_id", cid)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        header = [*CASE_REQUIRED, *CASE_OPTIONAL, *schema.names()]
        _write(folder / "cases.csv", [case], header)
        people_path = actions_path = None
        if people:
            people_path = folder / "people.csv"
            _write(people_path, people, sorted({k for p in people for k in p}))
        if actions:
            actions_path = folder / "actions.csv"
            _write(actions_path, actions, sorted({k for a in actions for k in a}))
        return _read_csvs(folder / "cases.csv", schema, people_path, actions_path)
