"""The oversight pages: the disparity dashboard (:mod:`caselink.service.disparity_view`) and
the model's calibration (:mod:`caselink.service.calibration_view`); reads audited."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from caselink.service import audit
from caselink.service.calibration_view import calibration
from caselink.service.disparity_view import SUPPRESS_BELOW, DisparityService
from caselink.service.replay_store import computing, ensure_current
from caselink.web.rendering import render
from caselink.web.routing import Routes
from caselink.web.security import caller, state


def register(routes: Routes) -> None:
    """Add the disparity dashboard and the calibration page to ``routes``."""

    @routes.get("/disparity", "disparity.read")
    def disparity(request: Request) -> Response:
        app, who = state(request), caller(request)
        board = DisparityService(app.service).dashboard(who.user.scope())
        audit.record(app.service.store, who.user.name, "disparity.read", None, cases=board.cases)
        return render(
            request, "disparity.html", d=board, charts=board.charts(), suppress=SUPPRESS_BELOW
        )

    @routes.get("/calibration", "calibration.read")
    def calibration_page(request: Request) -> Response:
        app, who = state(request), caller(request)
        ensure_current(app.service.store)
        shown = calibration(app.service.store)
        audit.record(app.service.store, who.user.name, "calibration.read", None)
        return render(
            request,
            "calibration.html",
            c=shown,
            charts=shown.charts() if shown else {},
            computing=computing(app.service.store),
        )
