"""Saved models carry their schema and refuse data they cannot score."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from caselink.linkage import LinkageEngine, ModelSchemaError, load_model, save_model
from caselink.linkage.persistence import ModelFileError
from caselink.records.errors import CaselinkError
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


class _WritesAFile:
    """A pickle payload that would create a file when unpickled."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        import pathlib

        return (pathlib.Path.write_text, (pathlib.Path(self.target), "pwned"))  # type: ignore[return-value]


@pytest.mark.parametrize("compress", [0, 3])
def test_a_pickle_model_file_is_refused_without_running_it(tmp_path: Path, compress: int) -> None:
    import joblib  # type: ignore[import-untyped]

    target = tmp_path / "ran.txt"
    path = tmp_path / "old.model"
    joblib.dump({"format_version": 1, "saved": _WritesAFile(target)}, path, compress=compress)
    with pytest.raises(CaselinkError, match=r"pickle.*retrain it with `caselink train"):
        load_model(path, SCHEMA)
    assert not target.exists()


def test_a_plain_pickle_is_refused_and_the_cli_says_how_to_retrain(tmp_path: Path) -> None:
    import pickle

    target = tmp_path / "ran.txt"
    path = tmp_path / "old.model"
    path.write_bytes(pickle.dumps(_WritesAFile(target), protocol=4))
    with pytest.raises(ModelFileError, match="no longer loads them"):
        load_model(path)
    assert not target.exists()


def test_model_files_are_json_data_and_trained_models_round_trip(
    tmp_path: Path, city: LinkageEngine
) -> None:
    probs = {}
    for name in ("naive_bayes", "logistic", "boosted", "ensemble"):
        # the ensemble is chosen among all three unless one beats it clearly
        models = ("naive_bayes", "logistic", "boosted") if name == "ensemble" else (name,)
        saved = city.train(models=models, n_splits=3)
        assert saved.name == name  # the average is chosen here, within a standard error
        path = tmp_path / f"{name}.model"
        save_model(saved, path)
        data = json.loads(path.read_text())  # the whole model is JSON
        assert (
            data["format_version"] == 2
            and data["estimator"]["class"] == type(saved.estimator).__name__
        )
        loaded = load_model(path, city.schema)
        X = city.compare(city.candidates().head(3000))
        assert loaded.estimator.predict_proba(X)[:, 1] == pytest.approx(
            saved.estimator.predict_proba(X)[:, 1], abs=1e-12
        )
        base, contrib = loaded.estimator.factors(X)
        base0, contrib0 = saved.estimator.factors(X)
        assert np.allclose(base + contrib.sum(axis=1), base0 + contrib0.sum(axis=1))
        assert [r.describe() for r in loaded.rules] == [r.describe() for r in saved.rules]
        probs[name] = loaded.estimator.predict_proba(X)[:, 1]
    assert len({tuple(np.round(p, 6)) for p in probs.values()}) == 4


def test_exported_trees_score_exactly_as_scikit_learn() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    from caselink.linkage.models.boosted import export_trees, tree_log_odds

    rng = np.random.default_rng(3)
    X = rng.normal(size=(600, 3))
    X[rng.random(600) < 0.2, 1] = np.nan
    y = (X[:, 0] + np.nan_to_num(X[:, 1]) > 0.3).astype(int)
    hgb = HistGradientBoostingClassifier(max_iter=20, max_leaf_nodes=7, early_stopping=False)
    hgb.fit(X, y)
    test = rng.normal(size=(300, 3))
    test[rng.random(300) < 0.3, 1] = np.nan
    expected = hgb._raw_predict(test)[:, 0]
    assert tree_log_odds(export_trees(hgb), test) == pytest.approx(expected, abs=1e-9)


def _tampered(tmp_path: Path, four_cases: pd.DataFrame, edit: Any) -> Path:
    saved = LinkageEngine(four_cases, SCHEMA).default_model()
    path = tmp_path / "model.file"
    save_model(saved, path)
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["blocking_rules"][0].update(km="1) OR (1=1"), "must be a finite number"),
        (
            lambda d: d["blocking_rules"][1].update(same=["family; DROP TABLE cases"]),
            "unknown columns",
        ),
        (lambda d: d["estimator"].update({"class": "os.system"}), "unknown estimator class"),
        (
            lambda d: d["estimator"]["fitted"].update(evil={"array": [1], "dtype": "object"}),
            "no fitted attributes",
        ),
        (
            lambda d: d["estimator"]["fitted"].update(m_={"array": ["x"], "dtype": "O"}),
            "array of unknown type",
        ),
        (lambda d: d.update(format_version=1), "format_version 1"),
        (lambda d: d["config"].update(days_edges=["1) OR (1=1"]), "config.days_edges"),
        (lambda d: d["config"].update(near_km="1"), "config.near_km"),
        (lambda d: d["comparisons"].pop(), "the file has"),
    ],
)
def test_a_tampered_model_file_is_refused_naming_the_field(
    tmp_path: Path, four_cases: pd.DataFrame, edit: Any, message: str
) -> None:
    with pytest.raises(ModelFileError, match=message):
        load_model(_tampered(tmp_path, four_cases, edit), SCHEMA)
