"""Which required checks were done, not done, pending, overdue or never recorded.

For every case, the standard names the checks its case type needs (subject to
conditions on its MO attributes) and a deadline from the report time. Each
required check gets one state at a given time ``as_of``:

``done``
    a record with status ``done`` exists;
``pending``
    the latest record is ``pending`` and the deadline is still ahead;
``overdue``
    the latest record is ``pending`` and the deadline has passed;
``not_done``
    a record says it was not done (and none says done);
``missing``
    no record of the check exists at all.

Several records of the same check resolve as: any ``done`` wins; otherwise
any ``pending`` (the check is still open); otherwise ``not_done``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from caselink.assurance.standard import Standard
from caselink.records.frames import require_columns

CHECK_STATES: tuple[str, ...] = ("done", "pending", "overdue", "not_done", "missing")
"""The states a required check can be in."""

UNMET_STATES: tuple[str, ...] = ("not_done", "overdue", "missing")
"""The states written to ``missing.csv``: required and not done when it should have been."""

CHECK_COLUMNS: tuple[str, ...] = (
    "case_id",
    "case_type",
    "victim_group",
    "action",
    "state",
    "reported_at",
    "due_at",
    "completed_at",
    "completed_late",
)

_CASE_REQUIRED = ("case_id", "case_type", "occurred_from")
_ACTION_REQUIRED = ("case_id", "action", "status")


def _require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    require_columns(frame, columns, f"{name} frame")


def _naive_utc(when: datetime | pd.Timestamp | str | None) -> pd.Timestamp:
    if when is None:
        return pd.Timestamp.now(tz="UTC").tz_localize(None)
    ts = pd.Timestamp(when)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts


def check_states(
    cases: pd.DataFrame,
    actions: pd.DataFrame,
    standard: Standard,
    as_of: datetime | pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """The state of every required check of every case.

    Parameters
    ----------
    cases : DataFrame
        A cases frame (:func:`caselink.records.frames.cases_frame`); MO
        attribute columns are used for the standard's conditions.
    actions : DataFrame
        An actions frame (:func:`caselink.records.frames.actions_frame`).
        Actions not required by the standard are ignored here.
    standard : Standard
        The checks each case type needs.
    as_of : datetime, optional
        The time at which pending checks are judged overdue (naive = UTC).
        Defaults to now.

    Returns
    -------
    DataFrame
        One row per required check, columns :data:`CHECK_COLUMNS`, ordered by
        case then by the order of the standard. ``due_at`` is the report time
        (or occurrence time when no report time is recorded) plus the
        deadline; ``completed_late`` is True for checks done after it.
    """
    _require(cases, _CASE_REQUIRED, "cases")
    _require(actions, _ACTION_REQUIRED, "actions")
    now = _naive_utc(as_of)
    by_check = _resolve_records(actions)
    rows: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = cases.to_dict("records")  # type: ignore[assignment]
    for case in records:
        reqs = standard.requirements_for(str(case["case_type"]))
        if not reqs:
            continue
        start = case.get("reported_at")
        if start is None or pd.isna(start):
            start = case["occurred_from"]
        start = pd.Timestamp(start)
        for req in reqs:
            if not req.applies_to(case):
                continue
            due = start + pd.Timedelta(days=req.within_days)
            status, completed = by_check.get((case["case_id"], req.action), (None, pd.NaT))
            if status is None:
                state = "missing"
            elif status == "done":
                state = "done"
            elif status == "pending":
                state = "overdue" if now > due else "pending"
            else:
                state = "not_done"
            rows.append(
                {
                    "case_id": case["case_id"],
                    "case_type": case["case_type"],
                    "victim_group": case.get("victim_group"),
                    "action": req.action,
                    "state": state,
                    "reported_at": start,
                    "due_at": due,
                    "completed_at": completed,
                    "completed_late": bool(
                        state == "done" and pd.notna(completed) and completed > due
                    ),
                }
            )
    frame = pd.DataFrame.from_records(rows, columns=list(CHECK_COLUMNS))
    for col in ("reported_at", "due_at", "completed_at"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[us]")
    for col in ("case_id", "case_type", "victim_group", "action", "state"):
        out = frame[col].astype(object)
        frame[col] = out.where(frame[col].notna(), None)
    frame["completed_late"] = frame["completed_late"].astype(bool)
    return frame


def _resolve_records(actions: pd.DataFrame) -> dict[tuple[str, str], tuple[str, Any]]:
    """One status per (case, action): done beats pending beats not_done."""
    rank = {"done": 0, "pending": 1, "not_done": 2}
    out: dict[tuple[str, str], tuple[str, Any]] = {}
    completed = (
        actions["completed_at"]
        if "completed_at" in actions.columns
        else pd.Series(pd.NaT, index=actions.index)
    )
    for case_id, action, status, done_at in zip(
        actions["case_id"], actions["action"], actions["status"], completed, strict=True
    ):
        key = (str(case_id), str(action))
        status = str(status)
        if status not in rank:
            raise ValueError(
                f"actions frame: case {case_id} action {action}: status {status!r} "
                "is not one of done, not_done, pending"
            )
        prev = out.get(key)
        if prev is None or rank[status] < rank[prev[0]]:
            out[key] = (status, done_at)
        elif (
            status == prev[0] == "done"
            and pd.notna(done_at)
            and (pd.isna(prev[1]) or done_at < prev[1])
        ):
            out[key] = (status, done_at)  # the earliest completion is when the check was met
    return out


def missing_checks(
    cases: pd.DataFrame,
    actions: pd.DataFrame,
    standard: Standard,
    as_of: datetime | pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Every required check that was not done: ``case_id, action, state``.

    ``state`` is ``not_done``, ``overdue`` or ``missing`` (see
    :func:`check_states`). This is the content of ``caselink checks --out``.
    """
    states = check_states(cases, actions, standard, as_of)
    unmet = states[states["state"].isin(UNMET_STATES)]
    return unmet[["case_id", "action", "state"]].reset_index(drop=True)


def summarise_states(states: pd.DataFrame) -> pd.DataFrame:
    """Counts of each state per action (rows: actions; columns: states; plus ``total``)."""
    if states.empty:
        return pd.DataFrame(columns=[*CHECK_STATES, "total"], dtype="int64")
    table = pd.crosstab(states["action"], states["state"])
    for s in CHECK_STATES:
        if s not in table.columns:
            table[s] = 0
    table = table[list(CHECK_STATES)].astype("int64")
    table["total"] = table.sum(axis=1).astype(np.int64)
    return table
