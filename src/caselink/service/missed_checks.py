""" "This case has a missed check", as one SQL predicate over ``cases``.

The same rule as :func:`caselink.assurance.checks.check_states`, written in
SQL so that the cases list can filter (and count) on it at 100k cases without
loading them: a check the standard requires of the case (by case type, and by
the ``when`` conditions on its MO attributes) is missed when no action record
of it is ``done`` and either none is ``pending`` (state ``missing`` or
``not_done``) or the pending one is past its deadline (``overdue``: the
report time, else the occurrence time, plus ``within_days``, before
``as_of``). The predicate is a plain condition on the case row, so the
caller's scoping applies to it like to any other filter.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    and_,
    distinct,
    exists,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy import case as sql_case

from caselink.assurance.standard import ANY_VALUE, Requirement, Standard
from caselink.store.tables import ActionRow, CaseAttribute, CaseRow


def _attribute_matches(case: Any, name: str, allowed: tuple[str, ...]) -> ColumnElement[bool]:
    """The case has a value of attribute ``name`` among ``allowed`` (``*``: any recorded)."""
    text = func.lower(func.trim(CaseAttribute.value_text))
    if ANY_VALUE in allowed:
        value = or_(
            and_(CaseAttribute.value_text.is_not(None), func.trim(CaseAttribute.value_text) != ""),
            CaseAttribute.value_num.is_not(None),
        )
    else:
        value = text.in_(sorted({a.lower() for a in allowed}))
    return exists().where(CaseAttribute.case_pk == case.pk, CaseAttribute.name == name, value)


def _missed(case: Any, req: Requirement, as_of: datetime) -> ColumnElement[bool]:
    """Required and missed: no record ``done``, nor one ``pending`` still within its deadline."""
    started = func.coalesce(case.reported_at, case.occurred_from)
    within_deadline = started >= as_of - timedelta(days=req.within_days)
    meeting = exists().where(
        ActionRow.case_pk == case.pk,
        ActionRow.action == req.action,
        or_(ActionRow.status == "done", and_(ActionRow.status == "pending", within_deadline)),
    )
    conditions = [_attribute_matches(case, k, v) for k, v in req.when.items()]
    return and_(*conditions, ~meeting)


def _any_missed(case: Any, requirements: list[Requirement], as_of: datetime) -> ColumnElement[bool]:
    """Some requirement of one case type missed, with one look at the case's actions.

    The unconditional requirements (no ``when``, each action once) are
    judged together: the case meets them when as many distinct of their
    actions are ``done`` or ``pending`` within their own deadline (a CASE
    on the action) as there are requirements, so one index range scan of
    the case's actions replaces a probe per requirement. The conditional
    ones keep their own probe (:func:`_missed`).
    """
    unconditional = [r for r in requirements if not r.when]
    counts: dict[str, int] = {}
    for r in unconditional:
        counts[r.action] = counts.get(r.action, 0) + 1
    together = {r.action: r for r in unconditional if counts[r.action] == 1}
    terms = [_missed(case, r, as_of) for r in requirements if r.action not in together or r.when]
    if together:
        started = func.coalesce(case.reported_at, case.occurred_from)
        earliest_start = sql_case(
            {
                action: literal(as_of - timedelta(days=r.within_days), DateTime)
                for action, r in sorted(together.items())
            },
            value=ActionRow.action,
        )
        met = (
            select(func.count(distinct(ActionRow.action)))
            .where(
                ActionRow.case_pk == case.pk,
                earliest_start.is_not(None),  # one of these actions (not an IN: one range scan)
                or_(
                    ActionRow.status == "done",
                    and_(ActionRow.status == "pending", started >= earliest_start),
                ),
            )
            .scalar_subquery()
        )
        terms.insert(0, met < len(together))
    return or_(*terms)


def has_missed_check(
    standard: Standard, as_of: datetime, case: Any = CaseRow
) -> ColumnElement[bool]:
    """The SQL condition "some check ``standard`` requires of the case was missed by ``as_of``".

    ``as_of`` is naive UTC, as the store's times are; ``case`` is the cases
    entity of the statement (or an alias). A CASE on the case type keeps the
    database from probing other types' requirements; within a type, one
    range scan of the case's actions judges every unconditional requirement
    (:func:`_any_missed`).
    """
    branches = [
        (case.case_type == case_type, _any_missed(case, list(requirements), as_of))
        for case_type, requirements in sorted(standard.case_types.items())
        if requirements
    ]
    if not branches:
        return false()
    missed: ColumnElement[bool] = sql_case(*branches, else_=false())
    return missed
