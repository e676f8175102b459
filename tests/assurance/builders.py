"""Builders of small hand-made frames: cases and actions whose expected results are worked out by hand."""

from __future__ import annotations

from typing import Any

from caselink.records.frames import actions_frame, cases_frame
from caselink.records.model import AttributeKind, AttributeSchema, AttributeSpec

SCHEMA = AttributeSchema(
    attributes=(
        AttributeSpec(name="note_found", kind=AttributeKind.CATEGORICAL),
        AttributeSpec(name="drugs", kind=AttributeKind.MULTI),
    )
)


def case(case_id: str, case_type: str, reported: str, **extra: Any) -> dict[str, Any]:
    """A case row at Barking's churchyard reported at ``reported``."""
    row: dict[str, Any] = {
        "case_id": case_id,
        "case_type": case_type,
        "occurred_from": reported,
        "reported_at": reported,
        "lat": 51.5357,
        "lon": 0.0757,
        "attributes": {
            "note_found": extra.pop("note_found", None),
            "drugs": extra.pop("drugs", ()),
        },
    }
    row.update(extra)
    return row


def make_cases(rows: list[dict[str, Any]]) -> Any:
    return cases_frame(rows, SCHEMA)


def make_actions(rows: list[dict[str, Any]]) -> Any:
    return actions_frame(rows)
