"""Who sees which cases: one scoping function that every case query goes through.

A :class:`Scope` is what the service knows of a caller: the forces whose
cases it sees (``None`` = every force, for oversight and the command line),
and the user whose grants of other forces' cases and series also apply.
:func:`scoped` adds the matching SQL predicate to a statement over
``cases``, so lists are filtered by the database, never in Python, and an id
out of scope simply finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import aliased

from caselink.store.access import GrantRow
from caselink.store.tables import AlertRow, CaseRow

S = TypeVar("S", bound=Select)  # type: ignore[type-arg]


@dataclass(frozen=True)
class Scope:
    """The cases a caller may see.

    Attributes
    ----------
    forces
        Forces whose cases are visible; ``None`` means every force. A member
        ``None`` stands for cases with no force (a one-force store, where
        nobody set one, and its users have no force either).
    user_pk
        The user whose grants (cases and series of other forces) also apply.
    hide_victims
        Victims' identifying fields are withheld (oversight).
    """

    forces: frozenset[str | None] | None
    user_pk: int | None = None
    hide_victims: bool = False

    @classmethod
    def everything(cls) -> Scope:
        """Every case (the command line run by someone with the database's credentials)."""
        return cls(forces=None)

    @classmethod
    def nothing(cls) -> Scope:
        """No case at all (an administrator without a case role)."""
        return cls(forces=frozenset())


def visible(scope: Scope, case: Any = CaseRow) -> ColumnElement[bool]:
    """The SQL predicate "this case row is visible in ``scope``" over ``case`` (or an alias)."""
    if scope.forces is None:
        return true()
    parts: list[ColumnElement[bool]] = []
    named = sorted(f for f in scope.forces if f is not None)
    if named:
        parts.append(case.force.in_(named))
    if None in scope.forces:
        parts.append(case.force.is_(None))
    if scope.user_pk is not None:
        granted_cases = select(GrantRow.case_pk).where(
            GrantRow.user_pk == scope.user_pk, GrantRow.case_pk.is_not(None)
        )
        series = select(GrantRow.series_id).where(
            GrantRow.user_pk == scope.user_pk, GrantRow.series_id.is_not(None)
        )
        member = aliased(AlertRow)
        in_series = (
            select(member.case_pk)
            .where(member.series_id.in_(series))
            .union(select(member.linked_case_pk).where(member.series_id.in_(series)))
        )
        parts.append(case.pk.in_(granted_cases))
        parts.append(case.pk.in_(in_series))
    return or_(*parts) if parts else false()


def scoped(scope: Scope, stmt: S, case: Any = CaseRow) -> S:
    """``stmt`` restricted to the cases visible in ``scope`` (``case`` is the cases entity used)."""
    return stmt.where(visible(scope, case))
