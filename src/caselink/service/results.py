"""Typed results of the service: what a page, an API response or a command renders."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import ConfigDict

from caselink.records.model import CaseFields

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer list: the items, where it starts and how many there are."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @property
    def has_next(self) -> bool:
        """Whether a page follows this one."""
        return self.offset + len(self.items) < self.total


@dataclass(frozen=True)
class CaseFilter:
    """The filters of the cases list (each ``None`` = no filter)."""

    case_type: str | None = None
    status: str | None = None
    victim_group: str | None = None
    force: str | None = None
    since: date | None = None
    until: date | None = None
    text: str | None = None
    """A web-search query over the narrative (words, "phrases", or, -word; see store.search)."""
    has_open_alerts: bool | None = None
    has_missed_checks: bool | None = None
    """A check the investigative standard requires was missed (missing, not done or overdue)."""


@dataclass(frozen=True)
class CaseSummary:
    """A row of the cases list."""

    case_id: str
    case_type: str
    occurred_from: datetime
    reported_at: datetime | None
    status: str | None
    victim_group: str | None
    force: str | None
    open_alerts: int


@dataclass(frozen=True)
class Facet:
    """Counts of one field's values within the current filter."""

    field: str
    counts: list[tuple[str, int]]


@dataclass(frozen=True)
class PersonView:
    """A person mentioned in a case, with the resolved person they were matched to."""

    role: str
    name: str | None
    dob: date | None
    sex: str | None
    address: str | None
    phone: str | None
    vehicle: str | None
    person_id: str | None
    hidden: bool = False
    """Identifying fields withheld (a victim, shown to oversight)."""


@dataclass(frozen=True)
class ActionView:
    """An investigative action on a case."""

    action: str
    status: str
    raised_at: datetime | None
    completed_at: datetime | None
    source: str
    note: str | None


@dataclass(frozen=True)
class CheckView:
    """A check the investigative standard requires of the case, and its state."""

    action: str
    state: str
    due_at: datetime | None


@dataclass(frozen=True)
class Factor:
    """One factor of a link's explanation: words and its multiplier of the odds."""

    phrase: str
    multiplier: float

    @property
    def direction(self) -> str:
        """``for`` (raises the odds) or ``against``."""
        return "for" if self.multiplier >= 1 else "against"


_FACTOR = re.compile(r"^(?P<phrase>.*) \(x(?P<mult>[0-9][0-9,]*(?:\.[0-9]+)?(?:e[+-]?\d+)?)\)$")


def factors_of(explanation: str | None) -> list[Factor]:
    """The factors of a stored explanation ("0.4 km apart (x12); both drugs ghb (x30)")."""
    out: list[Factor] = []
    for part in (explanation or "").split("; "):
        match = _FACTOR.match(part.strip())
        if match:
            out.append(Factor(match["phrase"], float(match["mult"].replace(",", ""))))
    return out


@dataclass(frozen=True)
class LinkView:
    """A link between the case and another, with its evidence as a waterfall."""

    alert_id: int
    other_case_id: str
    probability: float
    series_id: str | None
    status: str
    raised_at: datetime
    reviewed_by: str | None
    review_note: str | None
    explanation: str | None
    factors: list[Factor] = field(default_factory=list)

    @property
    def waterfall(self) -> list[tuple[str, float, float]]:
        """(phrase, multiplier, running odds multiplier) from the strongest factor down."""
        running = 1.0
        steps = []
        for f in self.factors:
            running *= f.multiplier
            steps.append((f.phrase, f.multiplier, running))
        return steps


class CaseDetail(CaseFields):
    """Everything known of one case: its shown fields, then what the service adds."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    linkage_state: str
    linkage_note: str | None
    attributes: dict[str, Any]
    people: list[PersonView]
    actions: list[ActionView]
    checks: list[CheckView]
    links: list[LinkView]
    series: list[str]
    hidden_links: int = 0
    """Links to cases the caller may not see (counted, never shown)."""


@dataclass(frozen=True)
class AlertView:
    """An alert in the inbox."""

    alert_id: int
    raised_at: datetime
    case_id: str
    linked_case_id: str
    probability: float
    series_id: str | None
    status: str
    reviewed_by: str | None
    review_note: str | None
    reviewed_at: datetime | None
    explanation: str | None
    factors: list[Factor] = field(default_factory=list)
