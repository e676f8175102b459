"""The trees' bound table never rules out a pair the model would link.

The table (:mod:`caselink.linkage.models.tree_table`) bounds boosted trees'
log-odds from a few features: on trees fitted to random data with missing
values it is never below the trees' log-odds, and equals them when it knows
every feature the trees split on. Scoring with the bound
(``link_probability``) gives exactly ``predict_proba``'s probabilities for
every pair at or above the threshold, for the boosted model and the
ensemble, and rules pairs out.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import HistGradientBoostingClassifier

from caselink.linkage.engine import LinkageEngine
from caselink.linkage.models import boosted as boosted_module
from caselink.linkage.models.boosted import TreeArrays, export_trees, tree_log_odds
from caselink.linkage.models.tree_table import choose_features, tree_table
from caselink.synth import generate


def _fitted_trees(seed: int, n_features: int = 4) -> tuple[TreeArrays, np.ndarray]:
    """Small boosted trees fitted to random data (a fifth of it missing), and fresh rows."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(400, n_features))
    y = (x[:, 0] - 0.7 * x[:, 1] + rng.normal(size=400) > 0).astype(int)
    x[rng.random(x.shape) < 0.2] = np.nan
    model = HistGradientBoostingClassifier(max_iter=15, max_leaf_nodes=6, random_state=seed)
    trees = export_trees(model.fit(x, y))
    fresh = rng.normal(size=(500, n_features))
    fresh[rng.random(fresh.shape) < 0.2] = np.nan
    # values exactly on the thresholds (x <= threshold goes left) and beyond the last
    edges = trees.threshold[~trees.is_leaf]
    on = rng.choice(edges, size=(200, n_features)) if len(edges) else np.zeros((0, n_features))
    return trees, np.vstack([fresh, on, np.full((1, n_features), 1e9)])


@given(seed=st.integers(0, 10_000), known=st.sets(st.integers(0, 3)))
@settings(max_examples=40, deadline=None)
def test_the_table_is_never_below_the_trees_and_exact_when_it_knows_every_feature(
    seed: int, known: set[int]
) -> None:
    trees, x = _fitted_trees(seed)
    table = tree_table(trees, sorted(known))
    bound = table.lookup(x)
    score = tree_log_odds(trees, x)
    assert (bound >= score - 1e-9).all()
    split = set(trees.feature[~trees.is_leaf].tolist())
    if split <= known:
        np.testing.assert_allclose(bound, score, rtol=0, atol=1e-9)
    if not known:  # nothing known: each tree's largest leaf
        ends = [*trees.roots[1:].tolist(), len(trees.feature)]
        top = trees.baseline + sum(
            trees.value[s:e][trees.is_leaf[s:e]].max()
            for s, e in zip(trees.roots, ends, strict=True)
        )
        np.testing.assert_allclose(bound, top)


def test_the_features_chosen_are_the_most_split_that_fit_the_table() -> None:
    trees, _x = _fitted_trees(1)
    inner = ~trees.is_leaf
    splits = np.bincount(trees.feature[inner])
    chosen = choose_features(trees)
    assert chosen[0] == int(np.argmax(splits))
    assert set(chosen) == set(np.flatnonzero(splits).tolist())  # all fit the default budget
    budget = len(np.unique(trees.threshold[inner])) + 2
    one = choose_features(trees, max_cells=budget)
    bins = [len(np.unique(trees.threshold[inner & (trees.feature == f)])) + 2 for f in one]
    assert len(one) >= 1
    assert math.prod(bins) <= budget
    with pytest.raises(ValueError, match="cells"):
        tree_table(trees, list(range(4)) * 6)


@pytest.fixture(scope="module")
def trained_city() -> tuple[LinkageEngine, pd.DataFrame]:
    data = generate(900, seed=4)
    engine = LinkageEngine(data.cases, data.schema)
    engine.train()
    every = (
        "SELECT a.case_id AS case_a, b.case_id AS case_b FROM cases a JOIN cases b "
        "ON a.case_id < b.case_id USING SAMPLE 40000 ROWS (reservoir, 3)"
    )
    pairs = engine._con.execute(every).df()
    return engine, engine.compare(pairs)


@pytest.mark.parametrize("member", ["ensemble", "boosted"])
@pytest.mark.parametrize("threshold", [0.05, 0.5])
def test_scoring_with_the_bound_gives_predict_probas_links_and_rules_pairs_out(
    member: str,
    threshold: float,
    trained_city: tuple[LinkageEngine, pd.DataFrame],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine, compared = trained_city
    model = engine.model.estimator
    assert type(model).__name__ == "EnsembleLinkage"
    if member == "boosted":
        model = model.boosted_
    exact = model.predict_proba(compared)[:, 1]
    # below the table's break-even size, with no table built yet (the cached
    # one of an earlier test dropped), nothing is ruled out
    engine.model.estimator.boosted_.__dict__.pop("_bound_table", None)
    small = compared.iloc[:500]
    np.testing.assert_array_equal(model.link_probability(small, threshold), exact[:500])
    monkeypatch.setattr(boosted_module, "TABLE_MIN_PAIRS", 1_000)
    fast = model.link_probability(compared, threshold)
    linked = exact >= threshold
    assert linked.any()
    np.testing.assert_array_equal(fast >= threshold, linked)
    np.testing.assert_array_equal(fast[linked], exact[linked])
    assert np.isnan(fast).mean() > 0.2  # the trees were skipped for many pairs
    assert (exact[np.isnan(fast)] < threshold).all()


def test_linking_with_the_bound_gives_the_links_of_scoring_every_pair(
    trained_city: tuple[LinkageEngine, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _compared = trained_city
    monkeypatch.setattr(boosted_module, "TABLE_MIN_PAIRS", 1_000)
    links = engine.link(0.05)
    pairs = engine.candidates()
    compared = engine.compare(pairs)
    exact = engine.model.estimator.predict_proba(compared)[:, 1]
    assert len(links) == int((exact >= 0.05).sum()) > 0
    assert links["probability"].min() >= 0.05


def test_trees_scored_on_several_threads_give_the_same_sums(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trees, _x = _fitted_trees(5)
    rows = np.random.default_rng(0).normal(size=(3 * boosted_module.SCORING_BLOCK + 7, 4))
    monkeypatch.setenv("CASELINK_SCORING_THREADS", "1")
    one = tree_log_odds(trees, rows)
    monkeypatch.setenv("CASELINK_SCORING_THREADS", "3")
    assert boosted_module.scoring_threads() == 3
    np.testing.assert_array_equal(tree_log_odds(trees, rows), one)
    np.testing.assert_allclose(one, boosted_module.tree_log_odds_numpy(trees, rows), atol=1e-9)
