"""The add-case form's inputs, derived from the one declaration of a case's fields.

``records.model.CaseFields`` declares the fields, their types and their limits;
this module turns each into an HTML input (type, required, min/max, maxlength,
choices), so a new field appears in the form, the service's case view and the
API's case without being written out again.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import datetime
from typing import Union, get_args, get_origin

from annotated_types import Ge, Le, MaxLen
from pydantic.fields import FieldInfo

from caselink.records.model import CaseFields

SET_BY_THE_APP: frozenset[str] = frozenset({"force"})
"""Fields the form does not ask for: a case added in the web app is in the user's force."""


@dataclass(frozen=True)
class FormField:
    """One input of the add-case form."""

    name: str
    label: str
    kind: str
    """``text``, ``number``, ``datetime-local``, ``select`` or ``textarea``."""
    required: bool
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    decimal: bool = False
    """A number with decimals (``step="any"``)."""


def _base_type(annotation: object) -> object:
    """``float`` of ``float | None`` (the one non-None member of an optional type)."""
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return members[0] if len(members) == 1 else str
    return annotation


def _field(name: str, info: FieldInfo) -> FormField:
    base = _base_type(info.annotation)
    limits: dict[str, float] = {}
    max_length = None
    for meta in info.metadata:
        if isinstance(meta, Ge):
            limits["minimum"] = float(meta.ge)  # type: ignore[arg-type]
        elif isinstance(meta, Le):
            limits["maximum"] = float(meta.le)  # type: ignore[arg-type]
        elif isinstance(meta, MaxLen):
            max_length = meta.max_length
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    raw_choices = extra.get("choices")
    choices = tuple(str(c) for c in raw_choices) if isinstance(raw_choices, list) else ()
    if choices:
        kind = "select"
    elif base is datetime:
        kind = "datetime-local"
    elif base in (int, float):
        kind = "number"
    elif max_length is None:
        kind = "textarea"  # free text without a limit: the narrative
    else:
        kind = "text"
    return FormField(
        name=name,
        label=info.title or name.replace("_", " ").capitalize(),
        kind=kind,
        required=info.is_required(),
        minimum=limits.get("minimum"),
        maximum=limits.get("maximum"),
        max_length=max_length,
        choices=choices,
        decimal=base is float,
    )


def case_form_fields() -> list[FormField]:
    """The form's inputs for the standard fields, in their declared order."""
    return [
        _field(name, info)
        for name, info in CaseFields.model_fields.items()
        if name not in SET_BY_THE_APP
    ]
