"""Investigative standards: the checks each case type needs, and by when.

A standard is a versioned YAML file (see ``standards/default.yaml`` and
``docs/assurance.md``). It is validated with pydantic when loaded; every error
names the file, the key path and the offending value, and all errors are
reported together rather than the first only.

Example
-------
>>> from caselink.assurance.standard import default_standard
>>> std = default_standard()
>>> [r.action for r in std.requirements_for("drugging")][:2]
['medical_examination', 'toxicology']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from caselink.records.errors import InputError, InvalidInputError
from caselink.records.yaml_file import parse_yaml

CASE_TYPES: tuple[str, ...] = (
    "drug_related_death",
    "unexplained_death",
    "sexual_offence",
    "drugging",
    "violence",
    "robbery",
    "burglary",
    "theft",
    "criminal_damage",
)
"""The case types of the shared vocabulary."""

ACTION_CODES: tuple[str, ...] = (
    "scene_examination",
    "post_mortem",
    "toxicology",
    "forensic_submission",
    "cctv",
    "house_to_house",
    "phone_download",
    "next_of_kin",
    "reporter_background",
    "previous_incidents",
    "note_handwriting",
    "victim_statement",
    "medical_examination",
    "witness_statements",
    "suspect_interview",
)
"""The investigative action codes of the shared vocabulary."""

ANY_VALUE = "*"
"""In a condition, matches any recorded (non-empty) value."""


class StandardError(InputError):
    """A standard file that cannot be read or does not validate.

    ``errors`` holds one message per problem, each naming the file, the key
    path and the value.
    """

    def __init__(self, source: str, errors: Sequence[str]) -> None:
        self.source = source
        self.errors = list(errors)
        lines = "\n".join(f"  - {e}" for e in self.errors)
        super().__init__(
            f"invalid standard {source}: {len(self.errors)} error(s)\n{lines}", file=source
        )


class Source(BaseModel):
    """A public document a standard draws on, cited by title."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(min_length=1, pattern=r"^[a-z0-9_]+$")]
    title: Annotated[str, Field(min_length=1)]
    publisher: Annotated[str, Field(min_length=1)]
    year: str | None = None
    note: str | None = None


class Requirement(BaseModel):
    """One check a case type needs, with its deadline from the report time.

    ``when`` restricts the requirement to cases whose attribute values match:
    ``{note_found: [yes]}`` applies only where a note was found. For a
    multi-valued attribute any overlap matches; ``"*"`` matches any recorded
    value. Several keys must all match.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: str
    within_days: Annotated[float, Field(gt=0, le=3650)]
    when: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    sources: tuple[str, ...] = ()
    why: str = ""

    @field_validator("action")
    @classmethod
    def _known_action(cls, v: str) -> str:
        if v not in ACTION_CODES:
            raise ValueError(
                f"unknown action code {v!r}; expected one of {', '.join(ACTION_CODES)}"
            )
        return v

    @field_validator("when", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        if not isinstance(v, Mapping):
            return v
        out: dict[Any, Any] = {}
        for key, values in v.items():
            seq = values if isinstance(values, list | tuple) else [values]
            # YAML reads bare yes/no as booleans; the attribute values are strings.
            out[key] = tuple(
                ("yes" if x else "no") if isinstance(x, bool) else str(x).strip() for x in seq
            )
        return out

    def applies_to(self, attributes: Mapping[str, Any]) -> bool:
        """Whether the condition holds for a case with these attribute values."""
        return all(_matches(attributes.get(key), allowed) for key, allowed in self.when.items())


class Standard(BaseModel):
    """A versioned set of requirements per case type, with its public sources."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(min_length=1)]
    version: Annotated[str, Field(min_length=1)]
    description: str = ""
    sources: tuple[Source, ...] = ()
    case_types: dict[str, tuple[Requirement, ...]]

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int | float) else v

    @field_validator("case_types")
    @classmethod
    def _known_case_types(
        cls, v: dict[str, tuple[Requirement, ...]]
    ) -> dict[str, tuple[Requirement, ...]]:
        for case_type, reqs in v.items():
            if case_type not in CASE_TYPES:
                raise ValueError(
                    f"unknown case type {case_type!r}; expected one of {', '.join(CASE_TYPES)}"
                )
            seen: set[str] = set()
            for r in reqs:
                if r.action in seen:
                    raise ValueError(f"{case_type}: action {r.action!r} is listed twice")
                seen.add(r.action)
        return v

    @model_validator(mode="after")
    def _sources_cited(self) -> Standard:
        known = {s.id for s in self.sources}
        for case_type, reqs in self.case_types.items():
            for i, r in enumerate(reqs):
                for sid in r.sources:
                    if sid not in known:
                        raise ValueError(
                            f"case_types.{case_type}.{i}.sources: {sid!r} is not an id in sources"
                        )
        return self

    def requirements_for(self, case_type: str) -> tuple[Requirement, ...]:
        """The requirements of one case type (empty for a type the standard omits)."""
        return self.case_types.get(case_type, ())

    def source(self, source_id: str) -> Source:
        """The source with this id; KeyError if absent."""
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)


def _matches(value: Any, allowed: tuple[str, ...]) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    if isinstance(value, list | tuple | set | frozenset):
        values = {str(v).strip().lower() for v in value}
    else:
        text = str(value).strip().lower()
        values = {text} if text else set()
    if not values:
        return False
    if ANY_VALUE in allowed:
        return True
    return bool(values & {a.lower() for a in allowed})


def parse_standard(data: Any, source: str = "<standard>") -> Standard:
    """Validate a parsed YAML document as a :class:`Standard`.

    Parameters
    ----------
    data : Any
        The document as loaded by ``yaml.safe_load``.
    source : str
        The name used in error messages (usually the file path).

    Raises
    ------
    StandardError
        With one message per problem: file, key path, rule and value.
    """
    if not isinstance(data, Mapping):
        raise StandardError(source, [f"{source}: the document must be a mapping, got {data!r}"])
    try:
        return Standard.model_validate(data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "<root>"
            value = _value_at(data, err["loc"])
            errors.append(f"{source}: {loc}: {err['msg']} (value: {value!r})")
        raise StandardError(source, errors) from None


def _value_at(data: Any, loc: Sequence[int | str]) -> Any:
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return node
    return node


def load_standard(path: str | Path) -> Standard:
    """Load and validate a standard from a YAML file.

    Parameters
    ----------
    path : str or Path
        The YAML file.

    Raises
    ------
    StandardError
        When the file is missing, is not YAML, or does not validate.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise StandardError(str(p), [f"{p}: cannot read: {exc.strerror}"]) from None
    try:
        data = parse_yaml(text, str(p))
    except InvalidInputError as exc:
        raise StandardError(str(p), [f"{p}: {e.message}" for e in exc.errors]) from None
    return parse_standard(data, str(p))


def default_standard() -> Standard:
    """The shipped default standard (``standards/default.yaml``).

    Drawn from public UK guidance cited in the file; the deadlines are
    caselink's defaults, set to be configurable, not quotations.
    """
    ref = resources.files("caselink.assurance").joinpath("standards/default.yaml")
    text = ref.read_text(encoding="utf-8")
    return parse_standard(yaml.safe_load(text), "caselink/assurance/standards/default.yaml")
