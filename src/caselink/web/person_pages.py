"""The person page: a resolved person's mentions across the caller's cases and roles, with
the evidence of each merge (:mod:`caselink.service.persons`); reads audited."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from caselink.service import audit
from caselink.service.persons import person
from caselink.web.rendering import render
from caselink.web.routing import Routes
from caselink.web.security import caller, state


def register(routes: Routes) -> None:
    """Add the person page to ``routes``."""

    @routes.get("/persons/{person_id}", "case.read")
    def person_page(request: Request, person_id: str) -> Response:
        app, who = state(request), caller(request)
        detail = person(app.service, who.user.scope(), person_id)
        audit.record(app.service.store, who.user.name, "person.read", person_id)
        return render(request, "person.html", p=detail)
