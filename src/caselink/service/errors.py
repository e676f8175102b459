"""Errors the service raises on purpose, one shape for every front door."""

from __future__ import annotations

from caselink.records.errors import CaselinkError


class NotFoundError(CaselinkError):
    """No such object, or one the caller may not see (the two are not told apart)."""


class ConflictError(CaselinkError):
    """The request contradicts what is stored (a name taken, a decision already made)."""


class AuthenticationError(CaselinkError):
    """Wrong name, password or code; a locked or disabled account (one message for all)."""


class PolicyError(CaselinkError):
    """The caller's role may not do this at all (no object is involved)."""


class WeakPasswordError(CaselinkError):
    """A password too short, or on the shipped list of common and breached passwords."""
