"""The replay as the web app shows it: for a chosen day, the alerts raised by then and the
series as they stood, using :func:`caselink.replay.replay` (no information from the future).

The replay walks only the cases the caller may see (their ids come from the
scoped SQL query), so neither the alerts nor the model's value shares draw on
another force's cases. One walk over the visible store answers every day: an
alert of day *d* is computed from cases recorded before it and a model fitted
on cases recorded before its month, so cutting the walk's alerts at *d* gives
exactly the alerts a walk ending on *d* raises. Walks are kept per visible set
and store state, since a slider moves day by day.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import networkx as nx
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from caselink.replay import ReplayResult, replay
from caselink.replay.walk import recording_order
from caselink.service.caselink import Caselink
from caselink.service.scope import Scope, scoped
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

    @property
    def span_days(self) -> int:
        """Days from the first to the last recording (the slider's range)."""
        return (self.last_day - self.first_day).days

    @property
    def offset(self) -> int:
        """The chosen day's position on the slider."""
        return (self.day - self.first_day).days


_CACHE: dict[tuple[str, int, int, int], ReplayResult] = {}
_LOCK = threading.Lock()


class ReplayService:
    """Scoped replay for the web app."""

    def __init__(self, service: Caselink) -> None:
        self.service = service
        self.store = service.store

    def _visible_ids(self, scope: Scope) -> list[str]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(scoped(scope, select(CaseRow.case_id)).order_by(CaseRow.case_id))
            return [str(c) for (c,) in rows]

    def _walk(self, scope: Scope, ids: list[str]) -> ReplayResult:
        with self.store.engine.connect() as conn:
            seq = conn.execute(select(func.max(CaseRow.import_seq))).scalar() or 0
        key = (str(self.store.engine.url), hash(tuple(ids)), len(ids), int(seq))
        with _LOCK:  # one walk at a time: it is CPU-bound and the machine is shared
            if key not in _CACHE:
                frame = self.store.cases_frame()
                frame = frame[frame["case_id"].isin(ids)].reset_index(drop=True)
                _CACHE[key] = replay(frame, self.store.attribute_schema())
            return _CACHE[key]

    def day(self, scope: Scope, day: date | None = None, offset: int | None = None) -> ReplayDay:
        """Alerts and series as they stood at the end of ``day``, or of the day ``offset``
        days after the first recording (the slider); default: the last day."""
        ids = self._visible_ids(scope)
        frame = self.store.cases_frame()
        frame = frame[frame["case_id"].isin(ids)]
        if frame.empty:
            raise ValueError("no case you may see: nothing to replay")
        recorded = recording_order(frame)["recorded_at"]
        first, last = recorded.min().date(), recorded.max().date()
        if offset is not None:
            day = day_at(first, offset)
        chosen = min(max(day or last, first), last)
        result = self._walk(scope, ids)
        cut = pd.Timestamp(datetime.combine(chosen, time.max))
        raised = result.alerts[result.alerts["alerted_at"] <= cut]
        alerts = [
            ReplayAlert(pd.Timestamp(when).to_pydatetime(), str(a), str(b), float(p))
            for when, a, b, p in zip(
                raised["alerted_at"].tolist(),
                raised["case_id"],
                raised["linked_case_id"],
                raised["probability"].tolist(),
                strict=True,
            )
        ]
        known = int((recorded <= cut).sum())
        return ReplayDay(
            chosen,
            first,
            last,
            alerts,
            self._series(scope, alerts),
            result.provenance,
            known,
        )

    def _series(self, scope: Scope, alerts: list[ReplayAlert]) -> list[ReplaySeries]:
        graph: nx.Graph = nx.Graph()
        first: dict[frozenset[str], datetime] = {}
        for a in alerts:
            graph.add_edge(a.case_id, a.linked_case_id)
            pair = frozenset((a.case_id, a.linked_case_id))
            first.setdefault(pair, a.alerted_at)
        out = []
        for part in nx.connected_components(graph):
            members = sorted(part)
            dates = [d for pair, d in first.items() if pair <= part]
            out.append(ReplaySeries(members, min(dates), self._linked_at(scope, members)))
        return sorted(out, key=lambda s: (s.first_alert, s.members))

    def _linked_at(self, scope: Scope, members: list[str]) -> datetime | None:
        a, b = aliased(CaseRow), aliased(CaseRow)
        stmt = (
            select(func.min(AlertRow.raised_at))
            .join(a, a.pk == AlertRow.case_pk)
            .join(b, b.pk == AlertRow.linked_case_pk)
            .where(a.case_id.in_(members), b.case_id.in_(members))
        )
        with self.store.engine.connect() as conn:
            value = conn.execute(scoped(scope, scoped(scope, stmt, a), b)).scalar()
        return value if isinstance(value, datetime) else None


def day_at(first: date, offset: int) -> date:
    """The slider's day ``offset`` days after ``first``."""
    return first + timedelta(days=max(0, offset))
