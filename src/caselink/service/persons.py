"""A resolved person as the web app shows it: their mentions across the caller's cases, in
each role, with the evidence of each mention's merge into the person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from caselink.service.caselink import VICTIM_ROLES, Caselink
from caselink.service.errors import NotFoundError
from caselink.service.scope import Scope, scoped
from caselink.store.tables import CaseRow, MentionRow, ResolvedEntity


@dataclass(frozen=True)
class PersonMention:
    """One mention of the person, in one case and role."""

    case_id: str
    case_type: str
    occurred_from: datetime
    role: str
    name: str | None
    dob: date | None
    address: str | None
    match_weight: float | None
    evidence: str | None
    hidden: bool
    """The victim's identifying fields are withheld from this caller."""
    mention_pk: int = 0
    """The mention's store key (a reviewer's split names mentions)."""

    @property
    def weight_in_words(self) -> str:
        """The match weight said plainly: how much likelier the agreements are for one person."""
        if self.match_weight is None:
            return "no link scored (first mention of the person)"
        times = 2.0**self.match_weight
        if times >= 1:
            return (
                f"these details are about {times:,.0f} times likelier for one person than for two"
            )
        return f"these details are about {1 / times:,.0f} times likelier for two people than one"


@dataclass(frozen=True)
class PersonDetail:
    """A resolved person: their visible mentions, and their roles across cases."""

    person_id: str
    mentions: list[PersonMention]

    @property
    def roles(self) -> dict[str, int]:
        """How many visible cases mention the person in each role."""
        out: dict[str, int] = {}
        for m in self.mentions:
            out[m.role] = out.get(m.role, 0) + 1
        return out

    @property
    def recurs(self) -> bool:
        """Mentioned in more than one case (a recurrence worth a look)."""
        return len({m.case_id for m in self.mentions}) > 1


def person(service: Caselink, scope: Scope, person_id: str) -> PersonDetail:
    """The person's mentions in the caller's cases (NotFoundError when there are none)."""
    stmt = (
        select(
            CaseRow.case_id,
            CaseRow.case_type,
            CaseRow.occurred_from,
            MentionRow.role,
            MentionRow.name,
            MentionRow.dob,
            MentionRow.address,
            ResolvedEntity.match_weight,
            ResolvedEntity.evidence,
            MentionRow.pk,
        )
        .join(MentionRow, MentionRow.pk == ResolvedEntity.mention_pk)
        .join(CaseRow, CaseRow.pk == MentionRow.case_pk)
        .where(ResolvedEntity.kind == "person", ResolvedEntity.entity_id == person_id)
        .order_by(CaseRow.occurred_from, CaseRow.case_id, MentionRow.seq)
    )
    with service.store.engine.connect() as conn:
        rows = conn.execute(scoped(scope, stmt)).all()
    if not rows:
        raise NotFoundError(f"no person {person_id!r}")
    mentions = []
    for case_id, case_type, when, role, name, dob, address, weight, evidence, pk in rows:
        hidden = scope.hide_victims and role in VICTIM_ROLES
        mentions.append(
            PersonMention(
                str(case_id),
                str(case_type),
                when,
                str(role),
                None if hidden else name,
                None if hidden else dob,
                None if hidden else address,
                None if weight is None else float(weight),
                None if hidden else evidence,
                hidden,
                int(pk),
            )
        )
    return PersonDetail(person_id, mentions)
