"""A reviewer's merge and split of resolved persons: stored, applied at once, kept on
re-resolution (:func:`caselink.entities.decisions.apply_decisions`).

A decision is stored with the mentions on each side (``person_decisions``,
``person_decision_mentions``), then applied to the stored resolution. Every
later resolution goes through :func:`store_resolution`, which applies every
stored decision, oldest first, after the clustering, so a split stays split
whatever the model now scores. Scoping: a reviewer decides only on persons
they may see (a person with no visible mention is a 404), but a decision moves
all the person's mentions, seen or not, since the person is one across forces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import insert, select

from caselink.alerts.ledger import now
from caselink.entities.decisions import PersonDecision, apply_decisions
from caselink.service.caselink import Caselink
from caselink.service.persons import PersonDetail, person
from caselink.service.scope import Scope
from caselink.store import Store
from caselink.store.reviewed import PersonDecisionMention, PersonDecisionRow
from caselink.store.tables import MentionRow, ResolvedEntity

_DECISIONS = select(
    PersonDecisionRow.pk,
    PersonDecisionRow.decision,
    PersonDecisionRow.entity_id,
    PersonDecisionRow.other_entity_id,
    PersonDecisionRow.decided_by,
    PersonDecisionRow.decided_at,
    PersonDecisionRow.note,
)


def _mention_ids(store: Store) -> dict[int, int]:
    """Mention store key -> mention id (its rank by import order, as resolution frames use)."""
    with store.engine.connect() as conn:
        return {
            int(pk): i
            for i, (pk,) in enumerate(conn.execute(select(MentionRow.pk).order_by(MentionRow.seq)))
        }


def stored_decisions(store: Store) -> list[PersonDecision]:
    """Every reviewer's decision, oldest first, over mention ids."""
    ids = _mention_ids(store)
    with store.engine.connect() as conn:
        decisions = conn.execute(_DECISIONS.order_by(PersonDecisionRow.pk)).all()
        sides: dict[int, dict[str, set[int]]] = {}
        for d_pk, m_pk, side in conn.execute(
            select(
                PersonDecisionMention.decision_pk,
                PersonDecisionMention.mention_pk,
                PersonDecisionMention.side,
            )
        ):
            if int(m_pk) in ids:
                sides.setdefault(int(d_pk), {"a": set(), "b": set()})[str(side)].add(ids[int(m_pk)])
    out = []
    for d in decisions:
        got = sides.get(d.pk, {"a": set(), "b": set()})
        out.append(
            PersonDecision(
                d.pk,
                "merge" if d.decision == "merge" else "split",
                frozenset(got["a"]),
                frozenset(got["b"]),
                d.decided_by,
                d.decided_at,
                d.note,
            )
        )
    return out


def store_resolution(store: Store, assignments: pd.DataFrame) -> pd.DataFrame:
    """Store a person resolution with every reviewer's decision applied; returns what was
    stored. Every (re-)resolution of persons stores through here."""
    applied = apply_decisions(assignments, stored_decisions(store))
    store.replace_resolution("person", applied)
    return applied


@dataclass(frozen=True)
class DecisionView:
    """A decision as the person page lists it."""

    decision: str
    entity_id: str
    other_entity_id: str | None
    decided_by: str
    decided_at: str
    note: str


class PersonReview:
    """Merges and splits of persons by a reviewer."""

    def __init__(self, service: Caselink) -> None:
        self.service = service
        self.store = service.store

    def _members(self, entity_id: str) -> list[int]:
        """Store keys of every mention of the person (seen by the caller or not)."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(ResolvedEntity.mention_pk).where(
                    ResolvedEntity.kind == "person", ResolvedEntity.entity_id == entity_id
                )
            )
            return sorted(int(pk) for (pk,) in rows)

    def _record(
        self,
        decision: str,
        entity_id: str,
        other: str | None,
        side_a: Sequence[int],
        side_b: Sequence[int],
        by: str,
        note: str,
    ) -> int:
        if not note.strip():
            raise ValueError("say why (a note is required): the decision is kept and audited")
        with self.store.transaction() as conn:
            pk = conn.execute(
                insert(PersonDecisionRow)
                .values(
                    decision=decision,
                    entity_id=entity_id,
                    other_entity_id=other,
                    decided_by=by,
                    decided_at=now(),
                    note=note.strip(),
                )
                .returning(PersonDecisionRow.pk)
            ).scalar_one()
            rows = [{"decision_pk": pk, "mention_pk": m, "side": "a"} for m in side_a]
            rows += [{"decision_pk": pk, "mention_pk": m, "side": "b"} for m in side_b]
            conn.execute(insert(PersonDecisionMention), rows)
        store_resolution(self.store, self.store.resolution_frame("person"))
        return int(pk)

    def merge(self, scope: Scope, person_id: str, other_id: str, by: str, note: str) -> int:
        """Merge person ``other_id`` into ``person_id`` (both must be visible); the decision's
        key. ValueError for a person merged with itself or without a note."""
        other_id = other_id.strip()
        if not other_id:
            raise ValueError("name the person to merge with")
        if other_id == person_id:
            raise ValueError("a person cannot be merged with itself")
        person(self.service, scope, person_id)
        person(self.service, scope, other_id)  # NotFoundError when not visible
        return self._record(
            "merge",
            person_id,
            other_id,
            self._members(person_id),
            self._members(other_id),
            by,
            note,
        )

    def split(
        self, scope: Scope, person_id: str, mention_pks: Sequence[int], by: str, note: str
    ) -> int:
        """Split the given visible mentions off ``person_id`` into a person of their own;
        the decision's key."""
        detail: PersonDetail = person(self.service, scope, person_id)
        visible = {m.mention_pk for m in detail.mentions}
        chosen = sorted(set(mention_pks))
        if not chosen:
            raise ValueError("choose the mentions to split off")
        strays = [m for m in chosen if m not in visible]
        if strays:
            raise ValueError(f"mention {strays[0]} is not one of this person's mentions")
        rest = [m for m in self._members(person_id) if m not in set(chosen)]
        if not rest:
            raise ValueError("a split must leave at least one mention with the person")
        return self._record("split", person_id, None, chosen, rest, by, note)

    def history(self, scope: Scope, person_id: str) -> list[DecisionView]:
        """Decisions naming this person (as it was called when decided), newest first."""
        person(self.service, scope, person_id)
        with self.store.engine.connect() as conn:
            rows = conn.execute(_DECISIONS.order_by(PersonDecisionRow.pk.desc())).all()
            named = [
                d
                for d in rows
                if person_id in (d.entity_id, d.other_entity_id)
                or person_id == f"{d.entity_id}-split{d.pk}"
            ]
            return [
                DecisionView(
                    d.decision,
                    d.entity_id,
                    d.other_entity_id,
                    d.decided_by,
                    f"{d.decided_at:%Y-%m-%d %H:%M}",
                    d.note,
                )
                for d in named
            ]
