"""End to end on synthetic data with known series: trained links beat a floor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from caselink.linkage import LinkageEngine
from caselink.linkage.evaluation import evaluate
from caselink.synth import generate


@pytest.fixture(scope="module")
def city() -> tuple[LinkageEngine, pd.DataFrame]:
    data = generate(1200, seed=11)
    return LinkageEngine(data.cases, data.schema), data.truth_cases


def _truth(links: pd.DataFrame, truth: pd.DataFrame) -> np.ndarray:
    off = truth.set_index("case_id")["offender_id"]
    return (links["case_a"].map(off) == links["case_b"].map(off)).to_numpy().astype(int)


def test_default_model_without_labels_ranks_true_links_high(
    city: tuple[LinkageEngine, pd.DataFrame],
) -> None:
    engine, truth = city
    links = engine.link()
    assert roc_auc_score(_truth(links, truth), links["probability"]) > 0.85


def test_trained_model_on_unsolved_pairs(city: tuple[LinkageEngine, pd.DataFrame]) -> None:
    engine, truth = city
    saved = engine.train(models=("naive_bayes",), n_splits=3)
    assert saved.name == "naive_bayes"
    links = engine.link()
    solved = set(engine.cases.loc[engine.cases["offender_id"].notna(), "case_id"])
    unsolved = links[~links["case_a"].isin(solved) & ~links["case_b"].isin(solved)]
    assert roc_auc_score(_truth(unsolved, truth), unsolved["probability"]) > 0.9
    # one case scored alone gets the same probabilities as in the batch
    cid = unsolved["case_a"].iloc[0]
    alone = engine.score_case(engine.cases.set_index("case_id", drop=False).loc[cid].to_dict())
    batch = links[(links["case_a"] == cid) | (links["case_b"] == cid)]
    merged = alone.merge(batch, on=["case_a", "case_b"], suffixes=("_alone", "_batch"))
    assert len(merged) == len(batch) == len(alone)
    assert np.allclose(merged["probability_alone"], merged["probability_batch"])


def test_new_case_is_scored_against_the_store(city: tuple[LinkageEngine, pd.DataFrame]) -> None:
    engine, _ = city
    row = engine.cases.iloc[0].to_dict()
    row["case_id"] = "NEW-1"
    scored = engine.score_case(row, explain=True)
    assert (scored["case_a"].eq("NEW-1") | scored["case_b"].eq("NEW-1")).all()
    twin = scored[
        (scored["case_a"] == engine.cases.iloc[0]["case_id"])
        | (scored["case_b"] == engine.cases.iloc[0]["case_id"])
    ]
    assert len(twin) == 1 and twin["probability"].iloc[0] == scored["probability"].max()
    assert "NEW-1" not in set(engine.candidates()["case_a"])  # the store is unchanged


def test_evaluation_reports_out_of_fold_measures(
    city: tuple[LinkageEngine, pd.DataFrame], tmp_path: object
) -> None:
    engine, _ = city
    report = evaluate(engine, models=("naive_bayes",), n_splits=3, out_dir=str(tmp_path))
    assert set(report.measures.index) == {"naive_bayes", "distance_time_baseline"}
    assert report.measures.loc["naive_bayes", "roc_auc"] > 0.85
    assert 0 <= report.series["adjusted_rand"] <= 1
    assert all(p.exists() for p in report.figures)
