"""Alerts in the store: written once per pair, listed, reviewed; cases' linkage state.

The ``alerts`` table (:class:`caselink.store.tables.AlertRow`) holds one row per
unordered pair of cases: a pair already alerted, in either order, is never
written again. Alerts are written in the same transaction that marks their
case scored, so after a crash there is never an alert without its case, and a
case whose alerts were not written is still ``pending`` (see
:func:`pending_case_ids`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

import pandas as pd
from sqlalchemy import Connection, insert, or_, select, update
from sqlalchemy.orm import aliased

from caselink.store import Store
from caselink.store.tables import AlertRow, CaseRow

if TYPE_CHECKING:
    from caselink.alerts.alerting import Alert

ALERT_STATUSES = ("new", "reviewed", "dismissed")
REVIEW_STATUSES = ("reviewed", "dismissed")
LinkageState = Literal["pending", "scored", "not_scored"]
ALERT_COLUMNS = [
    "alert_id",
    "raised_at",
    "case_id",
    "linked_case_id",
    "probability",
    "series_id",
    "status",
    "reviewed_by",
    "review_note",
    "reviewed_at",
    "explanation",
]


def now() -> datetime:
    """Current time, naive UTC (as the store keeps times)."""
    return datetime.now(UTC).replace(tzinfo=None)


def case_pks(conn: Connection, case_ids: Sequence[str]) -> dict[str, int]:
    """Store keys of cases by case_id (KeyError naming the first unknown one)."""
    ids = sorted(set(case_ids))
    found: dict[str, int] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        rows = conn.execute(select(CaseRow.case_id, CaseRow.pk).where(CaseRow.case_id.in_(chunk)))
        found.update({str(c): int(p) for c, p in rows})
    missing = [c for c in ids if c not in found]
    if missing:
        raise KeyError(f"no case with case_id {missing[0]!r} in the store")
    return found


def write_alerts(conn: Connection, alerts: Sequence[Alert]) -> list[Alert]:
    """Insert the alerts whose pair (either order) is not stored yet; returns those written.

    Runs on ``conn`` inside the caller's transaction.
    """
    if not alerts:
        return []
    pk = case_pks(conn, [c for a in alerts for c in (a.case_id, a.linked_case_id)])
    involved = sorted({pk[a.case_id] for a in alerts})
    existing: set[frozenset[int]] = set()
    for start in range(0, len(involved), 2000):
        chunk = involved[start : start + 2000]
        rows = conn.execute(
            select(AlertRow.case_pk, AlertRow.linked_case_pk).where(
                or_(AlertRow.case_pk.in_(chunk), AlertRow.linked_case_pk.in_(chunk))
            )
        )
        existing.update(frozenset((int(a), int(b))) for a, b in rows)
    written: list[Alert] = []
    for alert in alerts:
        key = frozenset((pk[alert.case_id], pk[alert.linked_case_id]))
        if key in existing or len(key) < 2:
            continue
        existing.add(key)
        result = conn.execute(
            insert(AlertRow).values(
                raised_at=alert.raised_at,
                case_pk=pk[alert.case_id],
                linked_case_pk=pk[alert.linked_case_id],
                probability=float(alert.probability),
                explanation=alert.explanation,
                series_id=alert.series_id,
                status="new",
            )
        )
        key_row = result.inserted_primary_key
        written.append(alert.stored_as(int(key_row[0]) if key_row else 0))
    return written


def mark_cases(
    conn: Connection, case_ids: Sequence[str], state: LinkageState, note: str | None = None
) -> None:
    """Set ``linkage_state`` (and ``linkage_note``) of cases, on ``conn``."""
    ids = list(case_ids)
    for start in range(0, len(ids), 5000):
        conn.execute(
            update(CaseRow)
            .where(CaseRow.case_id.in_(ids[start : start + 5000]))
            .values(linkage_state=state, linkage_note=note)
        )


def pending_case_ids(store: Store) -> list[str]:
    """Cases stored but not yet compared (e.g. after a crash), in storing order."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(CaseRow.case_id)
            .where(CaseRow.linkage_state == "pending")
            .order_by(CaseRow.import_seq)
        )
        return [str(r) for (r,) in rows]


def linkage_states(store: Store) -> pd.DataFrame:
    """``case_id, linkage_state, linkage_note`` of every case, in storing order."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(CaseRow.case_id, CaseRow.linkage_state, CaseRow.linkage_note).order_by(
                CaseRow.import_seq
            )
        ).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["case_id", "linkage_state", "linkage_note"]
    )


def list_alerts(store: Store, status: str | None = None) -> pd.DataFrame:
    """Stored alerts, newest first: see :data:`ALERT_COLUMNS`.

    Raises
    ------
    ValueError
        ``status`` is not one of new, reviewed, dismissed.
    """
    if status is not None and status not in ALERT_STATUSES:
        raise ValueError(f"status must be one of {', '.join(ALERT_STATUSES)}, got {status!r}")
    new_case, old_case = aliased(CaseRow), aliased(CaseRow)
    query = (
        select(
            AlertRow.pk,
            AlertRow.raised_at,
            new_case.case_id,
            old_case.case_id,
            AlertRow.probability,
            AlertRow.series_id,
            AlertRow.status,
            AlertRow.reviewed_by,
            AlertRow.review_note,
            AlertRow.reviewed_at,
            AlertRow.explanation,
        )
        .join(new_case, new_case.pk == AlertRow.case_pk)
        .join(old_case, old_case.pk == AlertRow.linked_case_pk)
        .order_by(AlertRow.raised_at.desc(), AlertRow.pk.desc())
    )
    if status is not None:
        query = query.where(AlertRow.status == status)
    with store.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(query)]
    frame = pd.DataFrame(rows, columns=ALERT_COLUMNS)
    frame["probability"] = frame["probability"].astype("float64")
    return frame


def review_alert(store: Store, alert_id: int, status: str, reviewed_by: str, note: str) -> None:
    """Record an analyst's review of an alert: who, when, and why.

    Raises
    ------
    ValueError
        ``status`` is not reviewed/dismissed, or ``reviewed_by``/``note`` is empty.
    KeyError
        No alert ``alert_id``.
    """
    problems = []
    if status not in REVIEW_STATUSES:
        problems.append(f"status must be one of {', '.join(REVIEW_STATUSES)}, got {status!r}")
    if not reviewed_by.strip():
        problems.append("reviewed_by must name who reviewed the alert, got an empty string")
    if not note.strip():
        problems.append("note must say why, got an empty string")
    if problems:
        raise ValueError("; ".join(problems))
    with store.transaction() as conn:
        result = conn.execute(
            update(AlertRow)
            .where(AlertRow.pk == int(alert_id))
            .values(
                status=status,
                reviewed_by=reviewed_by.strip(),
                review_note=note.strip(),
                reviewed_at=now(),
            )
        )
        if result.rowcount == 0:
            raise KeyError(f"no alert with alert_id {alert_id!r}")


def stored_links(store: Store) -> pd.DataFrame:
    """``case_id, linked_case_id, probability, status`` of every stored alert."""
    frame = list_alerts(store)
    return frame[["case_id", "linked_case_id", "probability", "status", "series_id"]]
