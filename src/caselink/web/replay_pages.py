"""The replay page: a date slider over the store's history; for the chosen day, the alerts
raised by then and the series as they stood (:mod:`caselink.service.replay_view`)."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from fastapi.responses import Response

from caselink.service import audit
from caselink.service.replay_view import ReplayService
from caselink.web.rendering import render
from caselink.web.routing import Routes
from caselink.web.security import caller, state


def register(routes: Routes) -> None:
    """Add the replay page to ``routes``."""

    @routes.get("/replay", "replay.read")
    def replay_page(request: Request, day: str | None = None, i: int | None = None) -> Response:
        app, who = state(request), caller(request)
        chosen = date.fromisoformat(day) if day else None
        result = ReplayService(app.service).day(who.user.scope(), chosen, i)
        audit.record(app.service.store, who.user.name, "replay.read", result.day.isoformat())
        return render(request, "replay.html", r=result)
