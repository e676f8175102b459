"""End to end on synthetic data with known series: trained links beat a floor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from caselink.linkage import LinkageEngine
from caselink.linkage.case_index import CaseIndex
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
    # one case scored alone (the case index: alerts' and replay's path) gets
    # the same candidates and probabilities as in the batch, with the trained model
    cid = unsolved["case_a"].iloc[0]
    alone = _score_one(engine, engine.cases, cid)
    batch = links[(links["case_a"] == cid) | (links["case_b"] == cid)]
    batch_pairs = {(b if a == cid else a): p for a, b, p in batch.itertuples(index=False)}
    assert set(alone) == set(batch_pairs)
    assert np.allclose([alone[c] for c in batch_pairs], list(batch_pairs.values()))


def _score_one(engine: LinkageEngine, cases: pd.DataFrame, case_id: str) -> dict[str, float]:
    """Probability of every candidate of one case, scored by the case index."""
    model = engine.model
    index = CaseIndex.from_frame(cases, engine.schema, model.config, model.rules, model.comparisons)
    pos = index.position[case_id]
    compared = index.compare(pos, index.candidates(pos))
    probs = model.estimator.predict_proba(compared)[:, 1]
    return dict(zip(compared["case_b"], probs, strict=True))


def test_new_case_is_scored_against_the_store(city: tuple[LinkageEngine, pd.DataFrame]) -> None:
    engine, _ = city
    twin = engine.cases.iloc[[0]].assign(case_id="NEW-1")
    scored = _score_one(engine, pd.concat([engine.cases, twin], ignore_index=True), "NEW-1")
    original = str(engine.cases.iloc[0]["case_id"])
    assert original in scored
    assert scored[original] == max(scored.values())


def test_evaluation_reports_out_of_fold_measures(
    city: tuple[LinkageEngine, pd.DataFrame], tmp_path: object
) -> None:
    engine, _ = city
    report = evaluate(engine, models=("naive_bayes",), n_splits=3, out_dir=str(tmp_path))
    assert set(report.measures.index) == {"naive_bayes", "distance_time_baseline"}
    assert report.measures.loc["naive_bayes", "roc_auc"] > 0.85
    assert 0 <= report.series["adjusted_rand"] <= 1
    assert all(p.exists() for p in report.figures)
