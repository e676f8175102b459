"""The MO attribute schema file (YAML) and type inference when there is none."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError

from caselink.records.errors import InvalidInputError, ResourceLimitError, RowError
from caselink.records.model import AttributeKind, AttributeSchema, AttributeSpec
from caselink.records.names import MAX_ATTRIBUTES, check_attribute_names
from caselink.records.yaml_file import read_yaml

TEXT_MIN_MEAN_WORDS = 4.0
"""Mean words per value above which an unschema'd attribute is treated as free text."""


def load_schema(path: Path) -> AttributeSchema:
    """Read a schema file: ``attributes: [{name, kind, description}, ...]``.

    Raises
    ------
    InvalidInputError
        If the file is not YAML of that shape; the error names the entry and value.
    """
    name = path.name
    doc = read_yaml(path)
    entries = doc.get("attributes") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise InvalidInputError(
            [RowError(name, 0, "attributes", "", "expected a top-level 'attributes' list")]
        )
    specs: list[AttributeSpec] = []
    errors: list[RowError] = []
    for i, entry in enumerate(entries, start=1):
        try:
            specs.append(AttributeSpec.model_validate(entry))
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"])
                errors.append(RowError(name, i, field, str(err.get("input", "")), err["msg"]))
    seen: set[str] = set()
    for i, spec in enumerate(specs, start=1):
        if spec.name in seen:
            errors.append(RowError(name, i, "name", spec.name, "attribute declared twice"))
            continue
        seen.add(spec.name)
        for problem in check_attribute_names([spec.name], name):
            errors.append(RowError(name, i, "name", spec.name, problem.message))
    case_twins = check_attribute_names(sorted(seen), name)
    errors += [e for e in case_twins if "only in case" in e.message]
    if len(specs) > MAX_ATTRIBUTES:
        raise ResourceLimitError(
            [
                RowError(
                    name, 0, "attributes", str(len(specs)), f"more than {MAX_ATTRIBUTES} attributes"
                )
            ]
        )
    if errors:
        raise InvalidInputError(errors)
    return AttributeSchema(attributes=tuple(specs))


def dump_schema(schema: AttributeSchema) -> str:
    """The YAML text of a schema (the inverse of :func:`load_schema`)."""
    entries = [
        {"name": a.name, "kind": a.kind.value, "description": a.description}
        for a in schema.attributes
    ]
    return yaml.safe_dump({"attributes": entries}, sort_keys=False, allow_unicode=True)


def infer_kind(values: Sequence[str]) -> AttributeKind:
    """Guess an attribute's kind from its non-empty raw CSV values.

    Numeric if every value parses as a number; multi-valued if any value holds
    a ``|``; free text if values average more than a few words; else categorical.
    """
    present = [v for v in values if v.strip()]
    if not present:
        return AttributeKind.CATEGORICAL
    if all(_is_number(v) for v in present):
        return AttributeKind.NUMERIC
    if any("|" in v for v in present):
        return AttributeKind.MULTI
    mean_words = sum(len(v.split()) for v in present) / len(present)
    if mean_words > TEXT_MIN_MEAN_WORDS:
        return AttributeKind.TEXT
    return AttributeKind.CATEGORICAL


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
