"""Who may do what: the policy table (role -> actions) and every route's declared action.

A route is registered with :func:`declare`, which records its action on the
endpoint; the app refuses to build if a route has none (and the access-matrix
test walks the same table). Object-level checks (which cases) are not here:
they are the SQL scoping of :mod:`caselink.service.scope`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

PUBLIC = "public"
"""The action of routes anyone may call (login page, static files, health)."""

ACTIONS: dict[str, frozenset[str]] = {
    PUBLIC: frozenset({"viewer", "analyst", "reviewer", "oversight", "admin"}),
    "account.self": frozenset({"viewer", "analyst", "reviewer", "oversight", "admin"}),
    "case.list": frozenset({"viewer", "analyst", "reviewer", "oversight"}),
    "case.read": frozenset({"viewer", "analyst", "reviewer", "oversight"}),
    "case.export": frozenset({"analyst", "reviewer", "oversight"}),
    "case.add": frozenset({"analyst", "reviewer"}),
    "case.import": frozenset({"analyst", "reviewer"}),
    "action.raise": frozenset({"analyst", "reviewer"}),
    "alert.read": frozenset({"viewer", "analyst", "reviewer", "oversight"}),
    "link.decide": frozenset({"reviewer"}),
    "grant.give": frozenset({"reviewer"}),
    "viewers.read": frozenset({"reviewer", "oversight"}),
    "audit.read": frozenset({"oversight", "admin"}),
    "series.read": frozenset({"viewer", "analyst", "reviewer", "oversight"}),
    "replay.read": frozenset({"viewer", "analyst", "reviewer", "oversight"}),
    "person.decide": frozenset({"reviewer"}),
    "disparity.read": frozenset({"reviewer", "oversight"}),
    "calibration.read": frozenset({"reviewer", "oversight"}),
}
"""Each action and the roles allowed it (ASVS 8.2.1: checked on the server for every route)."""

F = TypeVar("F", bound=Callable[..., Any])


def allowed(role: str, action: str) -> bool:
    """Whether ``role`` may perform ``action`` (an unknown action is allowed to nobody)."""
    return role in ACTIONS.get(action, frozenset())


def declare(action: str) -> Callable[[F], F]:
    """Mark an endpoint with the action it performs (must be in :data:`ACTIONS`)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}: add it to the policy table first")

    def mark(endpoint: F) -> F:
        endpoint.caselink_action = action  # type: ignore[attr-defined]
        return endpoint

    return mark


def action_of(endpoint: Callable[..., Any]) -> str | None:
    """The action an endpoint declared (None if it declared none)."""
    return getattr(endpoint, "caselink_action", None)
