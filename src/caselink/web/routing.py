"""Route registration with a declared action, and the cases filter as it appears in URLs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends

from caselink.service.results import CaseFilter
from caselink.web.policy import declare
from caselink.web.security import guard

F = TypeVar("F", bound=Callable[..., Any])


class Routes:
    """An APIRouter whose every route declares its action and is guarded by it."""

    def __init__(self, router: APIRouter, prefix: str = "", **defaults: Any) -> None:
        self.router = router
        self.prefix = prefix
        self.defaults = defaults

    def add(self, method: str, path: str, action: str, **kwargs: Any) -> Callable[[F], F]:
        """Register ``endpoint`` for ``method path`` performing ``action``."""

        def register(endpoint: F) -> F:
            declare(action)(endpoint)
            self.router.add_api_route(
                self.prefix + path,
                endpoint,
                methods=[method],
                dependencies=[Depends(guard(action))],
                **{**self.defaults, **kwargs},
            )
            return endpoint

        return register

    def get(self, path: str, action: str, **kw: Any) -> Callable[[F], F]:
        """A GET route."""
        return self.add("GET", path, action, **kw)

    def post(self, path: str, action: str, **kw: Any) -> Callable[[F], F]:
        """A POST route."""
        return self.add("POST", path, action, **kw)


def filter_from(params: Any) -> CaseFilter:
    """The cases filter from query parameters (bad dates are a ValueError)."""

    def text(name: str) -> str | None:
        value = str(params.get(name) or "").strip()
        return value or None

    def day(name: str) -> date | None:
        value = text(name)
        return date.fromisoformat(value) if value else None

    def flag_of(name: str) -> bool | None:
        value = text(name)
        return None if value is None else value.lower() in ("1", "yes", "true", "on")

    return CaseFilter(
        case_type=text("type"),
        status=text("status"),
        victim_group=text("victim_group"),
        force=text("force"),
        since=day("since"),
        until=day("until"),
        text=text("q"),
        has_open_alerts=flag_of("open_alerts"),
        has_missed_checks=flag_of("missed_checks"),
    )


def query_of(filt: CaseFilter, **extra: Any) -> str:
    """The URL query string of a filter (plus paging), so every view has its own URL."""
    values = {
        "type": filt.case_type,
        "status": filt.status,
        "victim_group": filt.victim_group,
        "force": filt.force,
        "since": filt.since.isoformat() if filt.since else None,
        "until": filt.until.isoformat() if filt.until else None,
        "q": filt.text,
        "open_alerts": None if filt.has_open_alerts is None else int(filt.has_open_alerts),
        "missed_checks": None if filt.has_missed_checks is None else int(filt.has_missed_checks),
        **extra,
    }
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})
