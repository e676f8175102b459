"""Rendering pages: the templates, their filters, and the context every page gets."""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from caselink.service.caselink import ORDERS
from caselink.service.tiles import tiles_of
from caselink.web.policy import allowed
from caselink.web.security import content_security_policy, state

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _fmt_time(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}" if value.hour or value.minute else f"{value:%Y-%m-%d}"
    return value.isoformat()


def _log10(value: float) -> float:
    return math.log10(value) if value > 0 else 0.0


CHART_SCRIPTS = (
    "vendor/cytoscape/cytoscape.min.js",
    "vendor/layout-base/layout-base.js",
    "vendor/cose-base/cose-base.js",
    "vendor/cytoscape-fcose/cytoscape-fcose.js",
    "series.js",
)
"""The link chart's scripts under ``/static/``, in load order: the series page loads them
(``series.html``), and so do the chart's benchmark and browser test (one list)."""

templates.env.filters["t"] = _fmt_time
templates.env.filters["log10"] = _log10
templates.env.globals["ORDERS"] = list(ORDERS)
templates.env.globals["CHART_SCRIPTS"] = CHART_SCRIPTS


def render(request: Request, name: str, code: int = 200, **ctx: Any) -> Response:
    """The template ``name`` with the caller and ``can(action)`` for showing what they may do."""
    who = ctx.get("caller", getattr(request.state, "caller", None))
    ctx["caller"] = who
    ctx["can"] = lambda action: who is not None and allowed(who.user.role, action)
    tiles = tiles_of(state(request).service.store, who.user.force) if who else None
    ctx["tiles"] = tiles
    response: Response = templates.TemplateResponse(request, name, ctx, status_code=code)
    if tiles is not None:  # this force's users' pages only: its one tile origin
        response.headers["Content-Security-Policy"] = content_security_policy((tiles.origin,))
    return response
