"""The missed-checks board (:mod:`caselink.service.checks_board`): required checks by state
over the caller's cases, filtered in the URL like the cases list; prompts with reasons."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from caselink.service import audit
from caselink.service.checks_board import STATES, ChecksBoard
from caselink.web.rendering import render
from caselink.web.routing import Routes, filter_from, query_of
from caselink.web.security import caller, state


def register(routes: Routes) -> None:
    """Add the missed-checks board to ``routes``."""

    @routes.get("/checks", "case.list")
    def checks(
        request: Request,
        check_state: str | None = None,
        age_min: int | None = None,
        age_max: int | None = None,
    ) -> Response:
        app, who = state(request), caller(request)
        filt = filter_from(request.query_params)
        if check_state and check_state not in STATES:
            raise ValueError(f"check_state must be one of {', '.join(STATES)}")
        board = ChecksBoard(app.service).board(
            who.user.scope(), filt, check_state or None, age_min, age_max
        )
        audit.record(app.service.store, who.user.name, "checks.read", None, filter=query_of(filt))
        return render(
            request,
            "checks.html",
            board=board,
            filt=filt,
            states=STATES,
            check_state=check_state or "",
            age_min=age_min,
            age_max=age_max,
        )
