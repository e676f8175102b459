"""Tables of what reviewers decided about persons, and of the precomputed replay.

Created by migration 0004. A reviewer's merge or split of resolved persons is
kept with the mentions on each side, so a later re-resolution applies it again
(:mod:`caselink.entities.decisions`); the replay of the store day by day is
kept per store state and model (:mod:`caselink.service.replay_store`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from caselink.store.tables import Base


class PersonDecisionRow(Base):
    """A reviewer's merge of two persons or split of one (who, when, why)."""

    __tablename__ = "person_decisions"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision: Mapped[str] = mapped_column(String(8))
    """``merge`` or ``split``."""
    entity_id: Mapped[str] = mapped_column(String(128))
    """The person decided on (for a merge, the one kept)."""
    other_entity_id: Mapped[str | None] = mapped_column(String(128))
    """For a merge, the person merged into ``entity_id``."""
    decided_by: Mapped[str] = mapped_column(String(128))
    decided_at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text)


class PersonDecisionMention(Base):
    """A mention named by a decision, and its side (``a``/``b``: kept apart by a split)."""

    __tablename__ = "person_decision_mentions"

    decision_pk: Mapped[int] = mapped_column(
        ForeignKey("person_decisions.pk", ondelete="CASCADE"), primary_key=True
    )
    mention_pk: Mapped[int] = mapped_column(
        ForeignKey("person_mentions.pk", ondelete="CASCADE"), primary_key=True
    )
    side: Mapped[str] = mapped_column(String(1))


class ReplayRunRow(Base):
    """One day-by-day replay of the whole store, for one store state and model."""

    __tablename__ = "replay_runs"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    store_state: Mapped[str] = mapped_column(String(64))
    """``<cases>:<highest import_seq>``: the run is stale once cases are added."""
    model_key: Mapped[str] = mapped_column(String(128))
    provenance: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8))
    """``running``, ``done`` or ``failed``."""
    cases: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    """JSON: the model's reliability and the workload trade-off measured on this walk."""


class ReplayAlertRow(Base):
    """An alert the replay raised: the day it would have been raised, and its pair."""

    __tablename__ = "replay_alerts"

    run_pk: Mapped[int] = mapped_column(
        ForeignKey("replay_runs.pk", ondelete="CASCADE"), primary_key=True
    )
    case_pk: Mapped[int] = mapped_column(
        ForeignKey("cases.pk", ondelete="CASCADE"), primary_key=True
    )
    linked_case_pk: Mapped[int] = mapped_column(
        ForeignKey("cases.pk", ondelete="CASCADE"), primary_key=True
    )
    alerted_at: Mapped[datetime] = mapped_column(DateTime)
    probability: Mapped[float] = mapped_column(Float)
