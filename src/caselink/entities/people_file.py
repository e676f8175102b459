"""A people file on its own: person mentions to resolve, with no cases behind them.

A register of people (a custody list, a file of witnesses, FEBRL) has names,
dates of birth and addresses but no crimes: making it into caselink's case
files would mean inventing case types, dates and coordinates, and the
invented coordinates would become evidence. Here the people.csv format is
read as it is, with ``case_id`` and ``role`` optional: a row without a
``case_id`` is a mention of its own (no place, no role evidence), and the
resolution is written as ``mention_id, person_id`` beside the rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from caselink.records.csv_format import (
    PEOPLE_NAME_PARTS,
    PEOPLE_OPTIONAL,
    PEOPLE_REQUIRED,
    read_table,
)
from caselink.records.errors import InvalidInputError, RowError
from caselink.records.frames import mentions_frame
from caselink.records.model import Mention

PEOPLE_FILE_COLUMNS: tuple[str, ...] = (
    "mention_id",
    *PEOPLE_REQUIRED,
    *PEOPLE_OPTIONAL,
    *PEOPLE_NAME_PARTS,
)
"""Columns a people-only file may have; every one optional.

``mention_id`` (a whole number, unique) names each row in the output; by
default it is the row's 0-based position. Without a ``case_id`` a row's
mention belongs to no case (nothing about place); without a ``role``, no
role evidence is used.
"""

_IDENTIFYING = ("name", "given_name", "surname")
_NO_CASE = "\x00row"
_PLACEHOLDER_ROLE = "witness"


def read_people_file(path: Path) -> pd.DataFrame:
    """Read and validate a people-only file into a mentions frame.

    Parameters
    ----------
    path : pathlib.Path
        A CSV with any of :data:`PEOPLE_FILE_COLUMNS`, at least one of
        ``name``, ``given_name``, ``surname``.

    Returns
    -------
    pandas.DataFrame
        A mentions frame (:func:`caselink.records.frames.mentions_frame`);
        ``case_id`` and ``role`` are None where the file gives none.

    Raises
    ------
    InvalidInputError
        Naming file, row, column and value of every problem (an unknown
        column, no name column, an invalid value, a repeated or non-whole
        ``mention_id``); nothing is returned.
    """
    name = path.name
    header, rows = read_table(path)
    errors: list[RowError] = [
        RowError(name, 0, col, col, f"unknown column (allowed: {', '.join(PEOPLE_FILE_COLUMNS)})")
        for col in header
        if col not in PEOPLE_FILE_COLUMNS
    ]
    if not any(col in header for col in _IDENTIFYING):
        errors.append(
            RowError(name, 0, "", "", f"needs a name column: one of {', '.join(_IDENTIFYING)}")
        )
    if errors:
        raise InvalidInputError(errors)
    records: list[dict[str, Any]] = []
    seen: dict[int, int] = {}
    has_role = "role" in header
    for number, raw in rows:
        if "__extra__" in raw:
            errors.append(
                RowError(name, number, "", raw["__extra__"], "more values than header columns")
            )
            continue
        cells = {k: v.strip() for k, v in raw.items() if v and v.strip()}
        mention_id = len(records)
        if "mention_id" in cells:
            text = cells.pop("mention_id")
            try:
                mention_id = int(text)
            except ValueError:
                errors.append(RowError(name, number, "mention_id", text, "not a whole number"))
                continue
            if mention_id in seen:
                errors.append(
                    RowError(
                        name,
                        number,
                        "mention_id",
                        text,
                        f"repeats the id of row {seen[mention_id]}",
                    )
                )
                continue
        seen[mention_id] = number
        cells.setdefault("case_id", _NO_CASE)
        cells.setdefault("role", _PLACEHOLDER_ROLE)
        try:
            record = Mention.model_validate(cells)
        except ValidationError as exc:
            for problem in exc.errors():
                column = str(problem["loc"][0]) if problem["loc"] else ""
                errors.append(RowError(name, number, column, cells.get(column, ""), problem["msg"]))
            continue
        data = record.model_dump()
        data["mention_id"] = mention_id
        if data["case_id"] == _NO_CASE:
            data["case_id"] = None
        if not has_role:
            data["role"] = None
        records.append(data)
    if errors:
        raise InvalidInputError(errors)
    return mentions_frame(records)
