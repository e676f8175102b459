"""The replay as the web app shows it: for a chosen day, the alerts raised by then and the
series as they stood, read from the stored replay (:mod:`caselink.service.replay_store`).

The walk (:func:`caselink.replay.replay`, no information from the future) is
computed once per store state and model and stored with the day each alert
would have been raised; a day is then read with SQL: the alerts raised by its
end between two cases the caller may see, the cases recorded by then, and
the series those alerts make. Nothing here walks the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import networkx as nx
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import aliased

from caselink.service.caselink import Caselink
from caselink.service.replay_store import (
    ReplayModel,
    ReplayRun,
    computing,
    ensure_current,
    failure,
    latest_run,
    store_state,
)
from caselink.service.scope import Scope, scoped
from caselink.store.reviewed import ReplayAlertRow
from caselink.store.tables import AlertRow, CaseRow


@dataclass(frozen=True)
class ReplayAlert:
    """An alert the replay raised: when, which pair, how probable."""

    alerted_at: datetime
    case_id: str
    linked_case_id: str
    probability: float


@dataclass(frozen=True)
class ReplaySeries:
    """A series as it stood on the chosen day."""

    members: list[str]
    first_alert: datetime
    linked_at: datetime | None
    """When the store first recorded an alert between two of its members (None: never)."""


@dataclass(frozen=True)
class ReplayDay:
    """The replay on one day."""

    day: date
    first_day: date
    last_day: date
    alerts: list[ReplayAlert]
    series: list[ReplaySeries]
    model: str
    """The model used, and what it knew (the replay's provenance)."""
    cases_known: int
    run: ReplayRun | None = None
    """The stored walk read (None: not computed yet)."""
    current: bool = True
    """The stored walk covers every case now stored."""
    computing: bool = False
    """A walk of the current store is being computed."""
    failure: str | None = None

    @property
    def span_days(self) -> int:
        """Days from the first to the last recording (the slider's range)."""
        return (self.last_day - self.first_day).days

    @property
    def offset(self) -> int:
        """The chosen day's position on the slider."""
        return (self.day - self.first_day).days


def recorded_at(case: Any = CaseRow) -> ColumnElement[datetime]:
    """When a case was recorded, as the replay orders cases: reported, else the end of its
    window, else its start (:func:`caselink.replay.recording_order`)."""
    return func.coalesce(case.reported_at, case.occurred_to, case.occurred_from)


class ReplayService:
    """Scoped replay days for the web app, read from the stored walk."""

    def __init__(self, service: Caselink, model: ReplayModel | None = None) -> None:
        self.service = service
        self.store = service.store
        self.model = model or ReplayModel()

    def day(self, scope: Scope, day: date | None = None, offset: int | None = None) -> ReplayDay:
        """Alerts and series as they stood at the end of ``day``, or of the day ``offset``
        days after the first recording (the slider); default: the last day. Starts the walk
        of the current store in the background when it is not stored yet."""
        with self.store.engine.connect() as conn:
            first_at, last_at = conn.execute(
                scoped(scope, select(func.min(recorded_at()), func.max(recorded_at())))
            ).one()
        if first_at is None:
            raise ValueError("no case you may see: nothing to replay")
        first, last = first_at.date(), last_at.date()
        if offset is not None:
            day = day_at(first, offset)
        chosen = min(max(day or last, first), last)
        cut = datetime.combine(chosen, time.max)
        with self.store.engine.connect() as conn:
            known = conn.execute(
                scoped(scope, select(func.count()).where(recorded_at() <= cut))
            ).scalar_one()
        current = ensure_current(self.store, self.model)
        run = latest_run(self.store, self.model)
        alerts = self._alerts(scope, run, cut) if run is not None else []
        return ReplayDay(
            chosen,
            first,
            last,
            alerts,
            self._series(scope, alerts),
            run.provenance if run is not None else "not computed yet",
            int(known),
            run,
            current and run is not None and run.store_state == store_state(self.store),
            computing(self.store, self.model),
            failure(self.store, self.model),
        )

    def _alerts(self, scope: Scope, run: ReplayRun, cut: datetime) -> list[ReplayAlert]:
        a, b = aliased(CaseRow), aliased(CaseRow)
        stmt = (
            select(ReplayAlertRow.alerted_at, a.case_id, b.case_id, ReplayAlertRow.probability)
            .join(a, a.pk == ReplayAlertRow.case_pk)
            .join(b, b.pk == ReplayAlertRow.linked_case_pk)
            .where(ReplayAlertRow.run_pk == run.pk, ReplayAlertRow.alerted_at <= cut)
            .order_by(ReplayAlertRow.alerted_at, a.case_id, ReplayAlertRow.probability.desc())
        )
        with self.store.engine.connect() as conn:
            rows = conn.execute(scoped(scope, scoped(scope, stmt, a), b)).all()
        return [ReplayAlert(when, str(x), str(y), float(p)) for when, x, y, p in rows]

    def _series(self, scope: Scope, alerts: list[ReplayAlert]) -> list[ReplaySeries]:
        graph: nx.Graph = nx.Graph()
        first: dict[frozenset[str], datetime] = {}
        for a in alerts:
            graph.add_edge(a.case_id, a.linked_case_id)
            first.setdefault(frozenset((a.case_id, a.linked_case_id)), a.alerted_at)
        linked = self._stored_links(scope, sorted(graph.nodes))
        out = []
        for part in nx.connected_components(graph):
            members = sorted(part)
            dates = [d for pair, d in first.items() if pair <= part]
            stored = [d for pair, d in linked.items() if pair <= part]
            out.append(ReplaySeries(members, min(dates), min(stored) if stored else None))
        return sorted(out, key=lambda s: (s.first_alert, s.members))

    def _stored_links(self, scope: Scope, ids: list[str]) -> dict[frozenset[str], datetime]:
        """When the store raised an alert between two of ``ids`` (both visible), per pair."""
        if not ids:
            return {}
        a, b = aliased(CaseRow), aliased(CaseRow)
        out: dict[frozenset[str], datetime] = {}
        with self.store.engine.connect() as conn:
            for start in range(0, len(ids), 2000):
                chunk = ids[start : start + 2000]
                stmt = (
                    select(a.case_id, b.case_id, AlertRow.raised_at)
                    .join(a, a.pk == AlertRow.case_pk)
                    .join(b, b.pk == AlertRow.linked_case_pk)
                    .where(a.case_id.in_(chunk), b.case_id.in_(ids))
                )
                for x, y, when in conn.execute(scoped(scope, scoped(scope, stmt, a), b)):
                    out[frozenset((str(x), str(y)))] = when
        return out


def day_at(first: date, offset: int) -> date:
    """The slider's day ``offset`` days after ``first``."""
    return first + timedelta(days=max(0, offset))


def replayed_between(
    service: Caselink, scope: Scope, case_ids: list[str], model: ReplayModel | None = None
) -> list[ReplayAlert]:
    """The stored replay's alerts between two of ``case_ids`` (both visible): the day each
    link would have been raised had caselink been running (empty before a walk is stored)."""
    run = latest_run(service.store, model or ReplayModel())
    if run is None or not case_ids:
        return []
    a, b = aliased(CaseRow), aliased(CaseRow)
    stmt = (
        select(ReplayAlertRow.alerted_at, a.case_id, b.case_id, ReplayAlertRow.probability)
        .join(a, a.pk == ReplayAlertRow.case_pk)
        .join(b, b.pk == ReplayAlertRow.linked_case_pk)
        .where(ReplayAlertRow.run_pk == run.pk, a.case_id.in_(case_ids), b.case_id.in_(case_ids))
        .order_by(ReplayAlertRow.alerted_at, a.case_id)
    )
    with service.store.engine.connect() as conn:
        rows = conn.execute(scoped(scope, scoped(scope, stmt, a), b)).all()
    return [ReplayAlert(when, str(x), str(y), float(p)) for when, x, y, p in rows]
