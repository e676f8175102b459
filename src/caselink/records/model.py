"""Validated records: a case, a person mention, an investigative action, MO attributes.

These are the rows of the open CSV format (``docs/format.md``) after validation.
Everything downstream (store, linkage, entities, assurance) consumes these
records or the data frames built from the store (:mod:`caselink.records.frames`).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ROLES: tuple[str, ...] = (
    "victim",
    "reporter",
    "finder",
    "witness",
    "suspect",
    "associate",
    "offender",
)
"""The roles a person can have in a case."""

ACTION_STATUSES: tuple[str, ...] = ("done", "not_done", "pending")
"""The states an investigative action can be in."""


class AttributeKind(StrEnum):
    """How a modus-operandi attribute is compared."""

    CATEGORICAL = "categorical"
    MULTI = "multi"
    NUMERIC = "numeric"
    TEXT = "text"


class AttributeSpec(BaseModel):
    """One configurable modus-operandi attribute of a data set."""

    model_config = ConfigDict(frozen=True)

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
    kind: AttributeKind
    description: str = ""


class AttributeSchema(BaseModel):
    """The MO attributes of a data set, in column order."""

    model_config = ConfigDict(frozen=True)

    attributes: tuple[AttributeSpec, ...] = ()

    def names(self) -> list[str]:
        """Attribute names in order."""
        return [a.name for a in self.attributes]

    def kind_of(self, name: str) -> AttributeKind:
        """The kind of attribute ``name``; KeyError if unknown."""
        for a in self.attributes:
            if a.name == name:
                return a.kind
        raise KeyError(name)

    def of_kind(self, kind: AttributeKind) -> list[str]:
        """Names of the attributes of one kind."""
        return [a.name for a in self.attributes if a.kind == kind]


AttributeValue = str | float | tuple[str, ...] | None
"""A stored attribute value: categorical/text -> str, numeric -> float, multi -> sorted tuple."""


SEX_CODES: tuple[str, ...] = ("M", "F", "U")
"""Recorded sex of a victim: male, female, unknown."""


class CaseFields(BaseModel):
    """The fields of a case every door shows (the one declaration of them).

    :class:`Case` adds what is recorded but not shown (the offender of a solved
    case, the MO attributes); the service's case view, the API's case and the
    web's add-case form are all built from these fields.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: Annotated[str, Field(min_length=1, max_length=64)]
    case_type: Annotated[str, Field(min_length=1, max_length=64)]
    occurred_from: datetime
    occurred_to: datetime | None = None
    reported_at: datetime | None = None
    lat: Annotated[float, Field(ge=-90.0, le=90.0, title="Latitude")]
    lon: Annotated[float, Field(ge=-180.0, le=180.0, title="Longitude")]
    victim_age: Annotated[int | None, Field(ge=0, le=130)] = None
    victim_sex: Annotated[str | None, Field(json_schema_extra={"choices": list(SEX_CODES)})] = None
    victim_group: Annotated[str | None, Field(max_length=64)] = None
    status: Annotated[str | None, Field(max_length=64)] = None
    force: Annotated[str | None, Field(max_length=64)] = None
    """The police force the case belongs to (the web app's tenant); None in a one-force store."""
    narrative: str | None = None

    @field_validator("victim_sex")
    @classmethod
    def _sex(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = v.strip().upper()
        if v not in SEX_CODES:
            raise ValueError(f"must be {', '.join(SEX_CODES[:-1])} or {SEX_CODES[-1]}")
        return v


class Case(CaseFields):
    """One crime or death as recorded, with an uncertain time window."""

    offender_id: Annotated[str | None, Field(max_length=64)] = None
    attributes: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _window(self) -> Case:
        if self.occurred_to is not None and self.occurred_to < self.occurred_from:
            raise ValueError("occurred_to is before occurred_from")
        return self

    @property
    def window_end(self) -> datetime:
        """The end of the time window (``occurred_from`` when no end is recorded)."""
        return self.occurred_to or self.occurred_from


class Mention(BaseModel):
    """A person as recorded in one case, in one role."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: Annotated[str, Field(min_length=1, max_length=64)]
    role: str
    name: Annotated[str | None, Field(max_length=256)] = None
    dob: date | None = None
    sex: str | None = None
    address: Annotated[str | None, Field(max_length=512)] = None
    postcode: Annotated[str | None, Field(max_length=16)] = None
    phone: Annotated[str | None, Field(max_length=64)] = None
    vehicle: Annotated[str | None, Field(max_length=32)] = None
    address_lat: Annotated[float | None, Field(ge=-90.0, le=90.0)] = None
    address_lon: Annotated[float | None, Field(ge=-180.0, le=180.0)] = None
    given_name: str | None = None
    """Given name(s), when the source records them apart from the surname."""
    surname: str | None = None
    """Surname (family name), when the source records it apart from the given names."""

    @field_validator("role")
    @classmethod
    def _role(cls, v: str) -> str:
        v = v.strip().lower()
        if v not in ROLES:
            raise ValueError(f"must be one of {', '.join(ROLES)}")
        return v

    @field_validator("sex")
    @classmethod
    def _sex(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = v.strip().upper()
        if v not in {"M", "F", "U"}:
            raise ValueError("must be M, F or U")
        return v

    @model_validator(mode="after")
    def _both_coordinates(self) -> Mention:
        if (self.address_lat is None) != (self.address_lon is None):
            raise ValueError("address_lat and address_lon must be given together")
        return self


class Action(BaseModel):
    """An investigative action on a case (a check done, not done, or pending)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: Annotated[str, Field(min_length=1, max_length=64)]
    action: Annotated[str, Field(min_length=1, max_length=64)]
    status: str
    raised_at: datetime | None = None
    completed_at: datetime | None = None
    note: str | None = None

    @field_validator("status")
    @classmethod
    def _status(cls, v: str) -> str:
        v = v.strip().lower()
        if v not in ACTION_STATUSES:
            raise ValueError(f"must be one of {', '.join(ACTION_STATUSES)}")
        return v
