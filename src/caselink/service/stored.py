"""Paged, scoped queries over the stored results: link runs, a case's links, a series.

What a page needs without loading the store into pandas: the links of one case
in a stored run (the newest unless named), and the members of a stored series.
Every case shown passes :func:`~caselink.service.scope.visible`; links to cases
the caller may not see are counted, never shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from caselink.service.caselink import MAX_LIMIT, Caselink
from caselink.service.errors import NotFoundError
from caselink.service.results import Factor, Page
from caselink.service.scope import Scope, scoped, visible
from caselink.store.results import (
    LinkRow,
    LinkRun,
    Results,
    SeriesMemberRow,
    SeriesRunRow,
    StoredSeriesRow,
)
from caselink.store.tables import CaseRow


@dataclass(frozen=True)
class StoredLinkView:
    """A link of a stored run from one case to another it is linked to."""

    other_case_id: str
    probability: float
    explanation: str | None
    factors: list[Factor] = field(default_factory=list)


@dataclass(frozen=True)
class StoredSeriesView:
    """A stored series: its members in time order (those the caller sees) and its run."""

    series_id: str
    series_run_id: int
    link_run_id: int
    threshold: float
    created_at: datetime
    case_ids: list[str]
    size: int
    span_days: float | None
    shared_mo: str | None
    hidden_members: int = 0


class StoredResults:
    """The stored results of a :class:`~caselink.service.caselink.Caselink`'s store."""

    def __init__(self, service: Caselink) -> None:
        self.service = service
        self.results = Results(service.store.engine)

    def link_runs(self, limit: int = 50) -> list[LinkRun]:
        """The finished link runs, newest first."""
        return self.results.link_runs(limit)

    def _run(self, run_id: int | None) -> LinkRun | None:
        if run_id is not None:
            try:
                return self.results.link_run(run_id)
            except LookupError:
                raise NotFoundError(f"no link run {run_id}") from None
        runs = self.results.link_runs(1)
        return runs[0] if runs else None

    def links_of(
        self,
        scope: Scope,
        case_id: str,
        run_id: int | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[StoredLinkView]:
        """One page of a visible case's links in a stored run (the newest by default),
        most probable first; an empty page when nothing is stored."""
        if not 1 <= limit <= MAX_LIMIT or offset < 0:
            raise ValueError(f"limit must be 1..{MAX_LIMIT} and offset >= 0")
        self.service._case_row(scope, case_id)  # NotFoundError when out of scope
        run = self._run(run_id)
        if run is None:
            return Page(items=[], total=0, limit=limit, offset=offset)
        other = aliased(CaseRow)
        other_id = case((LinkRow.case_a == case_id, LinkRow.case_b), else_=LinkRow.case_a)
        base = (
            select(LinkRow, other.case_id)
            .join(other, other.case_id == other_id)
            .where(
                LinkRow.run_pk == run.run_id,
                or_(LinkRow.case_a == case_id, LinkRow.case_b == case_id),
                visible(scope, other),
            )
        )
        with Session(self.service.store.engine) as conn:
            total = int(
                conn.execute(select(func.count()).select_from(base.subquery())).scalar() or 0
            )
            rows = conn.execute(
                base.order_by(LinkRow.probability.desc(), other.case_id).limit(limit).offset(offset)
            ).all()
        items = [
            StoredLinkView(
                other_case_id=str(other_case),
                probability=link.probability,
                explanation=link.explanation,
                factors=[
                    Factor(str(f["phrase"]), float(f["multiplier"])) for f in link.factors or []
                ],
            )
            for link, other_case in rows
        ]
        return Page(items=items, total=total, limit=limit, offset=offset)

    def series(self, scope: Scope, series_id: str, run_id: int | None = None) -> StoredSeriesView:
        """A stored series of the newest series run (of the link run ``run_id`` when given)
        that holds it; NotFoundError when none does or the caller sees none of its cases."""
        query = (
            select(StoredSeriesRow, SeriesRunRow)
            .join(SeriesRunRow, SeriesRunRow.pk == StoredSeriesRow.run_pk)
            .where(StoredSeriesRow.series_id == series_id)
            .order_by(SeriesRunRow.pk.desc())
            .limit(1)
        )
        if run_id is not None:
            query = query.where(SeriesRunRow.link_run_pk == run_id)
        with Session(self.service.store.engine) as conn:
            found = conn.execute(query).first()
            if found is None:
                raise NotFoundError(f"no stored series {series_id!r}")
            series, run = found
            members = conn.execute(
                scoped(
                    scope,
                    select(CaseRow.case_id)
                    .join(
                        SeriesMemberRow,
                        and_(
                            SeriesMemberRow.case_id == CaseRow.case_id,
                            SeriesMemberRow.series_pk == series.pk,
                        ),
                    )
                    .order_by(SeriesMemberRow.position),
                )
            ).scalars()
            case_ids = [str(c) for c in members]
        if not case_ids:
            raise NotFoundError(f"no stored series {series_id!r}")
        return StoredSeriesView(
            series_id=series.series_id,
            series_run_id=run.pk,
            link_run_id=run.link_run_pk,
            threshold=run.threshold,
            created_at=run.created_at,
            case_ids=case_ids,
            size=series.size,
            span_days=series.span_days,
            shared_mo=series.shared_mo,
            hidden_members=series.size - len(case_ids),
        )
