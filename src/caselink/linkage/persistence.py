"""Saving and loading linkage models with the data schema they were trained on.

A model file is a joblib pickle of a :class:`SavedModel`; next to it,
``<file>.json`` holds the same metadata in readable form (schema, settings,
training summary). Loading checks the data it is asked to score and refuses,
naming the attribute, data whose MO attributes it was not trained on.
Only load model files you trust (pickle runs code).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib  # type: ignore[import-untyped]

from caselink.linkage.blocking import BlockingRule
from caselink.linkage.comparisons import Comparison
from caselink.linkage.config import LinkageConfig
from caselink.linkage.models.base import LinkageModelBase
from caselink.records.model import AttributeSchema

FORMAT_VERSION = 1


class ModelSchemaError(ValueError):
    """The data does not have the attributes a model was trained on."""


@dataclass
class SavedModel:
    """A fitted model with everything needed to score new data the same way."""

    estimator: LinkageModelBase
    name: str
    schema: AttributeSchema
    config: LinkageConfig
    comparisons: list[Comparison]
    rules: list[BlockingRule]
    summary: dict[str, Any] = field(default_factory=dict)

    def metadata(self) -> dict[str, Any]:
        """JSON-ready description of the model and its training data schema."""
        return {
            "format_version": FORMAT_VERSION,
            "model": self.name,
            "estimator": type(self.estimator).__name__,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "schema": self.schema.model_dump(mode="json"),
            "config": self.config.to_dict(),
            "comparisons": [
                {"name": c.name, "kind": c.kind, "columns": c.column_names, "edges": list(c.edges)}
                for c in self.comparisons
            ],
            "blocking_rules": [r.describe() for r in self.rules],
            "summary": self.summary,
        }

    def check_schema(self, schema: AttributeSchema) -> None:
        """Raise :class:`ModelSchemaError` naming every attribute the model needs
        that ``schema`` lacks or holds with another kind. Extra attributes are
        ignored (the model does not use them)."""
        problems = []
        for spec in self.schema.attributes:
            try:
                kind = schema.kind_of(spec.name)
            except KeyError:
                problems.append(f"attribute {spec.name!r} ({spec.kind.value}) is missing")
                continue
            if kind != spec.kind:
                problems.append(
                    f"attribute {spec.name!r} was {spec.kind.value} when trained, "
                    f"is {kind.value} now"
                )
        if problems:
            raise ModelSchemaError(
                f"model {self.name!r} cannot score this data: " + "; ".join(problems)
            )


def save_model(saved: SavedModel, path: str | Path) -> Path:
    """Write ``path`` (joblib) and ``path.json`` (metadata); returns the JSON path."""
    path = Path(path)
    joblib.dump({"format_version": FORMAT_VERSION, "saved": saved}, path)
    meta_path = path.with_name(path.name + ".json")
    meta_path.write_text(json.dumps(saved.metadata(), indent=2, default=str))
    return meta_path


def load_model(path: str | Path, schema: AttributeSchema | None = None) -> SavedModel:
    """Load a model file; with ``schema``, refuse data the model cannot score.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ModelSchemaError
        ``schema`` lacks or changed an attribute the model was trained on.
    ValueError
        The file is not a caselink model file of a known version.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"model file {str(path)!r} does not exist")
    data = joblib.load(path)
    if not isinstance(data, dict) or "saved" not in data:
        raise ValueError(f"{str(path)!r} is not a caselink linkage model file")
    if data.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"model file {str(path)!r} has format_version {data.get('format_version')!r}, "
            f"this caselink reads {FORMAT_VERSION}"
        )
    saved = data["saved"]
    if not isinstance(saved, SavedModel):
        raise ValueError(f"{str(path)!r} is not a caselink linkage model file")
    if schema is not None:
        saved.check_schema(schema)
    return saved
