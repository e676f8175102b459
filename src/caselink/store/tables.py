"""SQLAlchemy 2 table models of the case store.

The schema is created and evolved only by Alembic migrations
(``store/migrations``); ``metadata.create_all`` is never used.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every caselink table."""


class AttributeDef(Base):
    """A modus-operandi attribute of this data set (name, kind, column position)."""

    __tablename__ = "attribute_defs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)


class CaseRow(Base):
    """One case: a crime or a death, with an uncertain time window and a place."""

    __tablename__ = "cases"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(64), unique=True)
    case_type: Mapped[str] = mapped_column(String(64), index=True)
    occurred_from: Mapped[datetime] = mapped_column(DateTime, index=True)
    occurred_to: Mapped[datetime | None] = mapped_column(DateTime)
    reported_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    victim_age: Mapped[int | None] = mapped_column(Integer)
    victim_sex: Mapped[str | None] = mapped_column(String(1))
    victim_group: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str | None] = mapped_column(String(64))
    offender_id: Mapped[str | None] = mapped_column(String(64), index=True)
    narrative: Mapped[str | None] = mapped_column(Text)
    linkage_state: Mapped[str] = mapped_column(String(16), default="pending")
    """pending (stored, not yet compared), scored, or not_scored (see linkage_note)."""
    linkage_note: Mapped[str | None] = mapped_column(Text)
    import_seq: Mapped[int] = mapped_column(BigInteger, index=True)
    """Order in which cases were first stored (for stable export order)."""
    force: Mapped[str | None] = mapped_column(String(64), index=True)
    """The police force the case belongs to (the web app's tenant); None in a one-force store."""


class CaseAttribute(Base):
    """One value of one MO attribute of a case (multi-valued attributes have several)."""

    __tablename__ = "case_attributes"

    case_pk: Mapped[int] = mapped_column(
        ForeignKey("cases.pk", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(ForeignKey("attribute_defs.name"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, default=0)
    value_text: Mapped[str | None] = mapped_column(Text)
    value_num: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (Index("ix_case_attributes_value", "name", "value_text"),)


class MentionRow(Base):
    """A person as recorded in one case, in one role."""

    __tablename__ = "person_mentions"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    """Import order; ``mention_id`` is this row's zero-based rank by ``seq``."""
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.pk", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(256))
    given_name: Mapped[str | None] = mapped_column(String(128))
    """Given name(s) when the source records them apart from the surname."""
    surname: Mapped[str | None] = mapped_column(String(128))
    """Family name when the source records it apart from the given name(s)."""
    dob: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    address: Mapped[str | None] = mapped_column(String(512))
    postcode: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(64))
    vehicle: Mapped[str | None] = mapped_column(String(32))
    address_lat: Mapped[float | None] = mapped_column(Float)
    address_lon: Mapped[float | None] = mapped_column(Float)


class ActionRow(Base):
    """An investigative action on a case: imported, or raised by caselink as a prompt."""

    __tablename__ = "actions"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.pk", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    raised_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), default="import")
    reason: Mapped[str | None] = mapped_column(Text)


class ResolvedEntity(Base):
    """Which resolved entity (person, address, phone, vehicle) a mention belongs to."""

    __tablename__ = "resolved_entities"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    mention_pk: Mapped[int] = mapped_column(
        ForeignKey("person_mentions.pk", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[str] = mapped_column(String(128), index=True)
    match_weight: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[str | None] = mapped_column(Text)


class AlertRow(Base):
    """A link raised when a case was stored: never twice for the same pair."""

    __tablename__ = "alerts"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    raised_at: Mapped[datetime] = mapped_column(DateTime)
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.pk", ondelete="CASCADE"), index=True)
    linked_case_pk: Mapped[int] = mapped_column(ForeignKey("cases.pk", ondelete="CASCADE"))
    probability: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str | None] = mapped_column(Text)
    series_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="new")
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("case_pk", "linked_case_pk", name="uq_alerts_pair"),)
