"""The JSON API under /api/: the same service, scoping, policy and audit as the pages.

Authenticate with the session cookie or ``Authorization: Bearer TOKEN``
(``caselink users token NAME``). Documented at ``/api/openapi.json``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from fastapi import Query, Request
from pydantic import BaseModel, Field

from caselink.records.model import CaseFields
from caselink.service import audit
from caselink.service.results import AlertView, CaseDetail, LinkView
from caselink.web.routing import Routes, filter_from
from caselink.web.security import caller, state


class CaseItem(BaseModel):
    """A case in a list."""

    case_id: str
    case_type: str
    occurred_from: datetime
    reported_at: datetime | None
    status: str | None
    victim_group: str | None
    force: str | None
    open_alerts: int


class CasePage(BaseModel):
    """One page of cases."""

    total: int
    limit: int
    offset: int
    items: list[CaseItem]


class FactorOut(BaseModel):
    """One factor of a link's explanation."""

    phrase: str
    multiplier: float


class LinkOut(BaseModel):
    """A link to another case."""

    alert_id: int
    other_case_id: str
    probability: float
    series_id: str | None
    status: str
    explanation: str | None
    factors: list[FactorOut]


class PersonOut(BaseModel):
    """A person mentioned in the case."""

    role: str
    name: str | None
    dob: date | None
    sex: str | None
    person_id: str | None
    hidden: bool


class CaseOut(CaseFields):
    """One case (the fields of :class:`~caselink.records.model.CaseFields`) with its
    MO attributes, people, links and series."""

    attributes: dict[str, Any]
    people: list[PersonOut]
    links: list[LinkOut]
    series: list[str]


class AlertOut(BaseModel):
    """An alert: a link raised when a case was recorded."""

    alert_id: int
    raised_at: datetime
    case_id: str
    linked_case_id: str
    probability: float
    series_id: str | None
    status: str
    reviewed_by: str | None
    review_note: str | None
    explanation: str | None


class AlertPage(BaseModel):
    """One page of alerts."""

    total: int
    limit: int
    offset: int
    items: list[AlertOut]


class Decision(BaseModel):
    """A reviewer's decision on an alert's link."""

    decision: Literal["confirm", "dismiss"]
    note: str = Field(min_length=1, max_length=2000)


def _link(link: LinkView) -> LinkOut:
    return LinkOut(
        alert_id=link.alert_id,
        other_case_id=link.other_case_id,
        probability=link.probability,
        series_id=link.series_id,
        status=link.status,
        explanation=link.explanation,
        factors=[FactorOut(phrase=f.phrase, multiplier=f.multiplier) for f in link.factors],
    )


def _case(case: CaseDetail) -> CaseOut:
    return CaseOut(
        **{k: getattr(case, k) for k in CaseOut.model_fields if k not in ("people", "links")},
        people=[
            PersonOut(
                role=p.role,
                name=p.name,
                dob=p.dob,
                sex=p.sex,
                person_id=p.person_id,
                hidden=p.hidden,
            )
            for p in case.people
        ],
        links=[_link(lk) for lk in case.links],
    )


def _alert(a: AlertView) -> AlertOut:
    return AlertOut(**{k: getattr(a, k) for k in AlertOut.model_fields})


def register(routes: Routes) -> None:
    """Add the API routes to ``routes`` (a :class:`caselink.web.app.Routes` under /api)."""

    @routes.get("/cases", "case.list", response_model=CasePage)
    def list_cases(
        request: Request,
        limit: int = Query(50, ge=1, le=500),
        offset: int = Query(0, ge=0, le=10_000_000),
        order: Literal["occurred", "occurred_asc", "case_id", "reported"] = "occurred",
        type: str | None = None,
        status: str | None = None,
        victim_group: str | None = None,
        since: date | None = None,
        until: date | None = None,
        q: str | None = Query(None, max_length=200),
        open_alerts: bool | None = None,
        missed_checks: bool | None = None,
    ) -> CasePage:
        """The cases the caller may see, paged (``case_id`` per case).

        ``q`` searches the narratives (words, "phrases", ``or``, ``-word``);
        ``open_alerts`` and ``missed_checks`` keep the cases with (true) or
        without (false) an open alert or a check the standard required and
        that was missed.
        """
        app, who = state(request), caller(request)
        page = app.service.cases(
            who.user.scope(), filter_from(request.query_params), limit, offset, order
        )
        return CasePage(
            total=page.total,
            limit=page.limit,
            offset=page.offset,
            items=[CaseItem(**c.__dict__) for c in page.items],
        )

    @routes.get("/cases/{case_id}", "case.read", response_model=CaseOut)
    def get_case(request: Request, case_id: str) -> CaseOut:
        """One case; 404 when it does not exist or the caller may not see it."""
        app, who = state(request), caller(request)
        detail = app.service.case(who.user.scope(), case_id)
        audit.record(app.service.store, who.user.name, "case.read", case_id, via="api")
        return _case(detail)

    @routes.get("/cases/{case_id}/links", "case.read", response_model=list[LinkOut])
    def get_links(request: Request, case_id: str) -> list[LinkOut]:
        """The case's links to cases the caller may see, most probable first."""
        app, who = state(request), caller(request)
        return [_link(lk) for lk in app.service.links_of(who.user.scope(), case_id)]

    @routes.get("/alerts", "alert.read", response_model=AlertPage)
    def list_alerts(
        request: Request,
        status: Literal["new", "reviewed", "dismissed", "all"] = "new",
        limit: int = Query(50, ge=1, le=500),
        offset: int = Query(0, ge=0, le=10_000_000),
    ) -> AlertPage:
        """Alerts between cases the caller may see, newest first."""
        app, who = state(request), caller(request)
        page = app.service.alerts(
            who.user.scope(), None if status == "all" else status, limit, offset
        )
        return AlertPage(
            total=page.total,
            limit=page.limit,
            offset=page.offset,
            items=[_alert(a) for a in page.items],
        )

    @routes.post("/alerts/{alert_id}/decision", "link.decide", response_model=AlertOut)
    def decide(request: Request, alert_id: int, body: Decision) -> AlertOut:
        """Confirm or dismiss an alert's link (reviewers); 409 if already decided."""
        app, who = state(request), caller(request)
        alert = app.service.decide_alert(
            who.user.scope(), alert_id, body.decision, who.user.name, body.note
        )
        audit.record(
            app.service.store, who.user.name, f"alert.{body.decision}", str(alert_id), via="api"
        )
        return _alert(alert)
