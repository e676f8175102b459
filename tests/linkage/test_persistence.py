"""Saved models carry their schema and refuse data they cannot score."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from caselink.linkage import LinkageEngine, ModelSchemaError, load_model, save_model
from caselink.records.model import AttributeKind, AttributeSchema, AttributeSpec
from tests.linkage.conftest import SCHEMA


def test_save_load_round_trip_and_refusals(four_cases: pd.DataFrame, tmp_path: Path) -> None:
    engine = LinkageEngine(four_cases, SCHEMA)
    saved = engine.default_model()
    path = tmp_path / "model.file"
    meta_path = save_model(saved, path)
    meta = json.loads(meta_path.read_text())
    assert meta["model"] == "default"
    assert [a["name"] for a in meta["schema"]["attributes"]] == SCHEMA.names()

    loaded = load_model(path, SCHEMA)
    again = LinkageEngine(four_cases, SCHEMA, model=loaded)
    assert again.link()["probability"].tolist() == pytest.approx(
        LinkageEngine(four_cases, SCHEMA, model=saved).link()["probability"].tolist()
    )

    missing = AttributeSchema(attributes=SCHEMA.attributes[:1])
    with pytest.raises(ModelSchemaError, match="attribute 'drugs' \\(multi\\) is missing"):
        load_model(path, missing)
    changed = AttributeSchema(
        attributes=(
            SCHEMA.attributes[0],
            AttributeSpec(name="drugs", kind=AttributeKind.CATEGORICAL),
            SCHEMA.attributes[2],
        )
    )
    with pytest.raises(ModelSchemaError, match="'drugs' was multi when trained, is categorical"):
        load_model(path, changed)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_model(tmp_path / "nope.file")
