"""The person page: a resolved person's mentions across the caller's cases and roles, with
the evidence of each merge (:mod:`caselink.service.persons`), and a reviewer's merge or
split (:mod:`caselink.service.person_review`); reads and decisions audited."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from caselink.service import audit
from caselink.service.person_review import PersonReview
from caselink.service.persons import person
from caselink.web.rendering import render
from caselink.web.routing import Routes
from caselink.web.security import caller, state


def _page(request: Request, person_id: str, message: str | None = None) -> Response:
    app, who = state(request), caller(request)
    detail = person(app.service, who.user.scope(), person_id)
    history = PersonReview(app.service).history(who.user.scope(), person_id)
    audit.record(app.service.store, who.user.name, "person.read", person_id)
    return render(request, "person.html", p=detail, history=history, message=message)


def _go(request: Request, person_id: str) -> Response:
    """To the person's page after a decision: htmx follows ``HX-Redirect``, a form a 303."""
    url = f"/persons/{quote(person_id, safe='')}"
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def register(routes: Routes) -> None:
    """Add the person page and the reviewer's merge and split to ``routes``."""

    @routes.get("/persons/{person_id}", "case.read")
    def person_page(request: Request, person_id: str) -> Response:
        return _page(request, person_id)

    @routes.post("/persons/{person_id}/merge", "person.decide")
    async def merge(request: Request, person_id: str) -> Response:
        app, who = state(request), caller(request)
        person(app.service, who.user.scope(), person_id)  # out of scope: 404 before anything
        form = await request.form()
        other, note = str(form.get("other") or ""), str(form.get("note") or "")
        pk = PersonReview(app.service).merge(
            who.user.scope(), person_id, other, who.user.name, note
        )
        audit.record(
            app.service.store,
            who.user.name,
            "person.merge",
            person_id,
            other=other.strip(),
            note=note,
            decision=pk,
        )
        return _go(request, person_id)

    @routes.post("/persons/{person_id}/split", "person.decide")
    async def split(request: Request, person_id: str) -> Response:
        app, who = state(request), caller(request)
        person(app.service, who.user.scope(), person_id)
        form = await request.form()
        note = str(form.get("note") or "")
        try:
            chosen = [int(str(v)) for v in form.getlist("mention")]
        except ValueError as exc:
            raise ValueError("mentions are named by their number") from exc
        pk = PersonReview(app.service).split(
            who.user.scope(), person_id, chosen, who.user.name, note
        )
        audit.record(
            app.service.store,
            who.user.name,
            "person.split",
            person_id,
            mentions=chosen,
            note=note,
            decision=pk,
        )
        return _go(request, f"{person_id}-split{pk}")
