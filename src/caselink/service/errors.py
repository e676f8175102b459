"""Errors the service raises on purpose, one shape for every front door.

All derive from :class:`~caselink.records.errors.CaselinkError` and render with
its ``to_dict`` (``code, message, file, row, field, value, errors``). Not found
and conflict are the library's own classes (one tree, not two look-alikes), so a
front door maps each kind to one response wherever it was raised.
"""

from __future__ import annotations

from caselink.records.errors import CaselinkError, ConflictError, NotFoundError

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "NotFoundError",
    "PolicyError",
    "WeakPasswordError",
]


class AuthenticationError(CaselinkError):
    """Wrong name, password or code; a locked or disabled account (one message for all)."""

    code = "unauthenticated"


class PolicyError(CaselinkError):
    """The caller's role may not do this at all (no object is involved)."""

    code = "forbidden"


class WeakPasswordError(CaselinkError):
    """A password too short, or on the shipped list of common and breached passwords."""

    code = "weak_password"
