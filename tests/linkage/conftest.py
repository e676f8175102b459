"""Small hand-built case sets with known answers, and small synthetic cities
(with the default, a trained boosted and a trained ensemble model)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from caselink.linkage.engine import LinkageEngine
from caselink.linkage.models.ensemble import EnsembleLinkage
from caselink.linkage.persistence import SavedModel
from caselink.records.frames import cases_frame
from caselink.records.model import AttributeKind, AttributeSchema, AttributeSpec
from caselink.synth import generate

SCHEMA = AttributeSchema(
    attributes=(
        AttributeSpec(name="location_type", kind=AttributeKind.CATEGORICAL),
        AttributeSpec(name="drugs", kind=AttributeKind.MULTI),
        AttributeSpec(name="time_of_day_hour", kind=AttributeKind.NUMERIC),
    )
)


def case(case_id: str, **fields: Any) -> dict[str, Any]:
    """A case dict with defaults (Barking churchyard, 1 Jan 2014, young man)."""
    row: dict[str, Any] = {
        "case_id": case_id,
        "case_type": "drug_related_death",
        "occurred_from": "2014-01-01 00:00",
        "occurred_to": None,
        "reported_at": None,
        "lat": 51.5357,
        "lon": 0.0757,
        "victim_age": 22,
        "victim_sex": "M",
        "victim_group": "general",
        "narrative": None,
        "attributes": {},
    }
    attrs = {k: fields.pop(k) for k in list(fields) if k in SCHEMA.names()}
    row.update(fields)
    row["attributes"] = attrs
    return row


@pytest.fixture
def four_cases() -> pd.DataFrame:
    """A: churchyard, GHB+alcohol; B: 1 degree north, GHB; C, D: street, alcohol."""
    return cases_frame(
        [
            case(
                "A",
                occurred_from="2014-01-01 00:00",
                occurred_to="2014-01-03 00:00",
                location_type="churchyard",
                drugs=["ghb", "alcohol"],
                time_of_day_hour=2,
                narrative="Young man found propped against the churchyard wall",
            ),
            case(
                "B",
                lat=52.5357,
                occurred_from="2014-01-10 12:00",
                occurred_to="2014-01-11 00:00",
                victim_age=25,
                location_type="churchyard",
                drugs=["ghb"],
                time_of_day_hour=5,
                narrative="Young man found propped against the churchyard wall",
            ),
            case(
                "C",
                occurred_from="2014-01-02 00:00",
                victim_sex="F",
                victim_age=None,
                case_type="theft",
                location_type="street",
                drugs=["alcohol"],
                narrative="Phone stolen outside a shop",
            ),
            case(
                "D",
                occurred_from="2014-01-02 06:00",
                case_type="theft",
                location_type="street",
                drugs=["alcohol"],
                victim_group="lgbt",
            ),
        ],
        SCHEMA,
    )


EVERY_PAIR = (
    "SELECT a.case_id AS case_a, b.case_id AS case_b FROM cases a "
    "JOIN cases b ON a.case_id < b.case_id"
)
"""Every pair of the ``cases`` table: what exhaustive comparison scores."""


@pytest.fixture(scope="module")
def city() -> LinkageEngine:
    """A 500-case synthetic city's engine (default model), one per test module."""
    data = generate(500, seed=7)
    return LinkageEngine(data.cases, data.schema)


def city_1500() -> LinkageEngine:
    """The engine of the 1,500-case city (seed 3) the trained-model tests share."""
    data = generate(1500, seed=3)
    return LinkageEngine(data.cases, data.schema)


def trained_city(*models: str) -> LinkageEngine:
    """:func:`city_1500`'s engine trained on ``models`` (CV chooses among them)."""
    engine = city_1500()
    engine.train(models=models)
    return engine


@pytest.fixture(scope="module")
def boosted_city() -> LinkageEngine:
    """A 1,500-case city's engine with a trained boosted model."""
    return trained_city("boosted")


@pytest.fixture(scope="module")
def logistic_city() -> LinkageEngine:
    """The same city's engine with a trained logistic model."""
    return trained_city("logistic")


@pytest.fixture(scope="module")
def ensemble_city() -> LinkageEngine:
    """The same city's engine with a trained ensemble (whatever CV would choose)."""
    trainer = city_1500()
    sample = trainer.training_sample()
    prior = trainer.default_model().estimator
    ensemble = EnsembleLinkage(
        trainer.comparisons, target_log_ratio=prior.log_ratio_, n_splits=3
    ).fit(trainer.compare(sample.pairs), sample.y, groups=sample.groups)
    model = SavedModel(
        ensemble, "ensemble", trainer.schema, trainer.config, trainer.comparisons, trainer.rules
    )
    return LinkageEngine(trainer.cases, trainer.schema, model=model)
