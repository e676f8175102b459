"""The case model and the open CSV interchange format."""

from caselink.records.model import (
    ACTION_STATUSES,
    ROLES,
    Action,
    AttributeKind,
    AttributeSchema,
    AttributeSpec,
    Case,
    Mention,
)

__all__ = [
    "ACTION_STATUSES",
    "ROLES",
    "Action",
    "AttributeKind",
    "AttributeSchema",
    "AttributeSpec",
    "Case",
    "Mention",
]
