"""A case as an analyst reads it, and the filtered list of cases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from caselink.records.csv_format import parse_time
from caselink.store import Store


def list_cases(
    store: Store,
    case_type: str | None = None,
    since: str | None = None,
    until: str | None = None,
    group: str | None = None,
) -> pd.DataFrame:
    """Cases filtered by type, victim group and occurrence dates, in time order.

    Raises
    ------
    ValueError
        If ``since`` or ``until`` is not an ISO 8601 date.
    """
    frame = store.cases_frame()
    if case_type is not None:
        frame = frame[frame["case_type"] == case_type]
    if group is not None:
        frame = frame[frame["victim_group"] == group]
    for bound, keep in ((since, "ge"), (until, "lt")):
        if bound is None:
            continue
        try:
            when = parse_time(bound)
        except ValueError as exc:
            raise ValueError(f"--{'since' if keep == 'ge' else 'until'} {bound!r}: {exc}") from exc
        col = frame["occurred_from"]
        frame = frame[col >= when] if keep == "ge" else frame[col < when]
    return frame.sort_values(["occurred_from", "case_id"]).reset_index(drop=True)


def case_detail(store: Store, case_id: str) -> dict[str, Any] | None:
    """Everything stored about one case (None if there is no such case)."""
    records = store.case_records([case_id])
    if not records:
        return None
    case = records[0]
    mentions = store.mentions_frame()
    actions = store.actions_frame()
    people = mentions[mentions["case_id"] == case_id].drop(columns=["case_id"])
    acts = actions[actions["case_id"] == case_id].drop(columns=["case_id", "action_id"])
    return {
        "case": case.model_dump(),
        "people": [json_ready(r) for r in people.to_dict("records")],
        "actions": [json_ready(r) for r in acts.to_dict("records")],
    }


def json_ready(value: Any) -> Any:
    """A value with NaN/NaT as None, times as ISO 8601 and tuples as lists (JSON-safe)."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return None if pd.isna(value) else value.isoformat()
    if value is None or (isinstance(value, float) and value != value):
        return None
    if value is pd.NaT:
        return None
    if hasattr(value, "item"):  # numpy scalar
        return json_ready(value.item())
    return value
