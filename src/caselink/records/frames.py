"""Column contracts of the data frames the store hands to analysis modules.

Analysis modules (linkage, entities, geoprofile, assurance) never query the
store's tables directly: they take these frames (pandas) from
:class:`caselink.store.Store` or build them from records with the functions
below. One contract, so that the store and the analyses can change apart.

cases frame, one row per case, index 0..n-1, ordered by ``case_id``:
    case_id (str), case_type (str), occurred_from, occurred_to, reported_at
    (datetime64[us], naive UTC; ``occurred_to`` is filled with ``occurred_from``
    when not recorded), lat, lon (float64), victim_age (float64, NaN unknown),
    victim_sex, victim_group, status, offender_id, narrative (object: str or
    None), then one column per MO attribute, named as the attribute:
    categorical/text -> str or None, numeric -> float64 (NaN), multi -> tuple
    of sorted str (empty tuple when not recorded).

mentions frame, one row per person mention, ordered by import order:
    mention_id (int64, zero-based import order), case_id, role, name,
    dob (datetime64[us] or NaT), sex, address, postcode, phone, vehicle
    (object), address_lat, address_lon (float64, NaN unknown).

actions frame, one row per investigative action:
    action_id (int64), case_id, action, status, raised_at, completed_at
    (datetime64[us] or NaT), note, source ("import" or "prompt"), reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from caselink.records.csv_format import PEOPLE_NAME_PARTS, PEOPLE_OPTIONAL, PEOPLE_REQUIRED
from caselink.records.errors import MissingColumnsError
from caselink.records.model import Action, AttributeKind, AttributeSchema, Case, Mention
from caselink.records.names import STANDARD_CASE_FIELDS

CASE_COLUMNS: tuple[str, ...] = STANDARD_CASE_FIELDS
MENTION_COLUMNS: tuple[str, ...] = ("mention_id", *PEOPLE_REQUIRED, *PEOPLE_OPTIONAL)
ACTION_COLUMNS: tuple[str, ...] = (
    "action_id",
    "case_id",
    "action",
    "status",
    "raised_at",
    "completed_at",
    "note",
    "source",
    "reason",
)


def normalise_attribute(kind: AttributeKind, value: Any) -> Any:
    """The frame representation of one attribute value of a given kind."""
    if kind is AttributeKind.MULTI:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [v for v in value.split("|")]
        return tuple(sorted({str(v).strip() for v in value if str(v).strip()}))
    if kind is AttributeKind.NUMERIC:
        return float("nan") if value is None else float(value)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def cases_frame(
    rows: Iterable[dict[str, Any]] | Iterable[Case], schema: AttributeSchema
) -> pd.DataFrame:
    """Build a cases frame from ``Case`` records or plain dicts of the same fields."""
    records: list[dict[str, Any]] = []
    for row in rows:
        data = row.model_dump() if isinstance(row, Case) else dict(row)
        attrs = data.pop("attributes", None) or {}
        for spec in schema.attributes:
            data[spec.name] = normalise_attribute(
                spec.kind, attrs.get(spec.name, data.get(spec.name))
            )
        records.append(data)
    columns = [*CASE_COLUMNS, *schema.names()]
    frame = pd.DataFrame.from_records(records, columns=columns) if records else _empty(columns)
    for col in ("occurred_from", "occurred_to", "reported_at"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[us]")
    frame["occurred_to"] = frame["occurred_to"].fillna(frame["occurred_from"])
    for col in ("lat", "lon", "victim_age"):
        frame[col] = pd.to_numeric(frame[col], errors="raise").astype("float64")
    for col in (
        "case_id",
        "case_type",
        "victim_sex",
        "victim_group",
        "status",
        "offender_id",
        "narrative",
    ):
        frame[col] = _objects(frame[col])
    for spec in schema.attributes:
        if spec.kind is AttributeKind.NUMERIC:
            frame[spec.name] = frame[spec.name].astype("float64")
        elif spec.kind is not AttributeKind.MULTI:
            frame[spec.name] = _objects(frame[spec.name])
    return frame.sort_values("case_id", kind="stable").reset_index(drop=True)


def mentions_frame(rows: Sequence[Mention | dict[str, Any]]) -> pd.DataFrame:
    """Build a mentions frame; ``mention_id`` is the position in ``rows`` unless given."""
    records = []
    for i, row in enumerate(rows):
        data: dict[str, Any] = row.model_dump() if isinstance(row, Mention) else {**row}
        data.setdefault("mention_id", i)
        records.append(data)
    # given_name and surname columns only when some mention records its name in parts
    parts = [c for c in PEOPLE_NAME_PARTS if any(r.get(c) is not None for r in records)]
    columns = [*MENTION_COLUMNS, *parts]
    frame = pd.DataFrame.from_records(records, columns=columns) if records else _empty(columns)
    frame["mention_id"] = frame["mention_id"].astype("int64")
    frame["dob"] = pd.to_datetime(frame["dob"]).astype("datetime64[us]")
    for col in ("address_lat", "address_lon"):
        frame[col] = pd.to_numeric(frame[col]).astype("float64")
    for col in (
        "case_id",
        "role",
        "name",
        "sex",
        "address",
        "postcode",
        "phone",
        "vehicle",
        *parts,
    ):
        frame[col] = _objects(frame[col])
    return frame


def actions_frame(rows: Sequence[Action | dict[str, Any]]) -> pd.DataFrame:
    """Build an actions frame from ``Action`` records or dicts."""
    records = []
    for i, row in enumerate(rows):
        data: dict[str, Any] = row.model_dump() if isinstance(row, Action) else {**row}
        data.setdefault("action_id", i)
        data.setdefault("source", "import")
        data.setdefault("reason", None)
        records.append(data)
    frame = (
        pd.DataFrame.from_records(records, columns=list(ACTION_COLUMNS))
        if records
        else _empty(ACTION_COLUMNS)
    )
    frame["action_id"] = frame["action_id"].astype("int64")
    for col in ("raised_at", "completed_at"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[us]")
    for col in ("case_id", "action", "status", "note", "source", "reason"):
        frame[col] = _objects(frame[col])
    return frame


def _objects(column: pd.Series) -> pd.Series:
    """Strings as Python objects with None for missing (not pandas' str dtype with NaN)."""
    out = column.astype(object)
    return out.where(column.notna(), None)


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: np.array([], dtype=object) for c in columns})


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Refuse a frame (or a file read into one) that lacks any of ``columns``.

    The one check of a frame's contract: ``what`` names the frame or file in the
    message ("links frame lacks column(s) probability").

    Raises
    ------
    MissingColumnsError
        Naming every absent column (the first also as ``field``).
    """
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise MissingColumnsError(
            f"{what} lacks column(s) {', '.join(absent)}", file=what, field=absent[0]
        )
