"""The boosted model's bound never drops a pair the model would link.

A tree ensemble's bound (:func:`caselink.linkage.bounds.tree_bound`) follows
the splits on the columns known without a join and takes the larger side of
the others: on random trees and random data it is never below the trees'
log-odds, equals it when every column is known, and its SQL and compiled
forms agree. On a trained model, linking with the bound gives exactly the
links of scoring every candidate. The compiled tree evaluation gives the same
sums as the numpy walk.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caselink.linkage import bounds
from caselink.linkage.engine import LinkageEngine
from caselink.linkage.models.boosted import TreeArrays, tree_log_odds, tree_log_odds_numpy
from caselink.synth import generate

N_FEATURES = 4
THRESHOLDS = (-np.inf, 0.0, 0.5, 1.0, 2.5, np.inf)


@st.composite
def nested_tree(draw: st.DrawFn, depth: int) -> bounds.Node:
    if depth == 0 or (draw(st.booleans()) and depth < 3):
        return float(draw(st.integers(-8, 8))) / 4
    return (
        draw(st.integers(0, N_FEATURES - 1)),
        float(draw(st.sampled_from(THRESHOLDS))),
        draw(st.booleans()),
        draw(nested_tree(depth - 1)),
        draw(nested_tree(depth - 1)),
    )


@st.composite
def ensembles(draw: st.DrawFn) -> TreeArrays:
    trees = draw(st.lists(nested_tree(4), min_size=1, max_size=6))
    return bounds._flatten(trees, float(draw(st.integers(-4, 4))))


def _values(draw: st.DrawFn, n: int) -> np.ndarray:
    cells = st.sampled_from([np.nan, -1.0, 0.0, 0.25, 0.5, 1.0, 2.0, 2.5, 3.0])
    return np.array(draw(st.lists(cells, min_size=n, max_size=n)), dtype=float)


@given(trees=ensembles(), data=st.data())
@settings(max_examples=150, deadline=None)
def test_the_tree_bound_is_never_below_the_trees_and_exact_when_all_is_known(
    trees: TreeArrays, data: st.DataObject
) -> None:
    n = 12
    x = np.column_stack([_values(data.draw, n) for _ in range(N_FEATURES)])
    kinds = data.draw(
        st.lists(st.sampled_from(["known", "free", "flagged"]), min_size=N_FEATURES,
                 max_size=N_FEATURES)
    )  # fmt: skip
    flags = np.zeros_like(x)
    for j, kind in enumerate(kinds):
        if kind == "flagged":  # a flag set only where the value is indeed missing
            flags[:, j] = np.isnan(x[:, j]) & data.draw(
                st.lists(st.booleans(), min_size=n, max_size=n)
            )
    features = [
        bounds.TreeFeature(f"t.x{j}")
        if kind == "known"
        else bounds.TreeFeature(None, f"t.m{j} = 1" if kind == "flagged" else None)
        for j, kind in enumerate(kinds)
    ]
    table = pd.DataFrame({f"x{j}": x[:, j] for j in range(N_FEATURES)})
    for j in range(N_FEATURES):
        table[f"m{j}"] = flags[:, j]
    bound = bounds.tree_bound(trees, features)
    con = duckdb.connect()
    con.register("t", table)
    cols = ", ".join([f"{s} AS i{k}" for k, s in enumerate(bound.inputs)] or ["0 AS i0"])
    inputs = con.execute(f"SELECT {cols} FROM t").df().to_numpy(dtype=float, na_value=np.nan)
    by_trees = tree_log_odds(bound.trees, inputs)
    sql = bounds.trees_sql(bound.trees, bound.inputs)
    by_sql = con.execute(f"SELECT {sql} AS b FROM t").df()["b"]
    score = tree_log_odds(trees, x)
    assert (by_trees >= score - 1e-9).all()
    np.testing.assert_allclose(by_sql.to_numpy(dtype=float), by_trees, rtol=0, atol=1e-9)
    if set(kinds) == {"known"}:
        np.testing.assert_allclose(by_trees, score, rtol=0, atol=1e-9)


@given(trees=ensembles(), data=st.data())
@settings(max_examples=100, deadline=None)
def test_compiled_tree_evaluation_gives_the_sums_of_the_numpy_walk(
    trees: TreeArrays, data: st.DataObject
) -> None:
    x = np.column_stack([_values(data.draw, 9) for _ in range(N_FEATURES)])
    np.testing.assert_array_equal(tree_log_odds(trees, x), tree_log_odds_numpy(trees, x))


def test_the_boosted_bound_is_never_below_a_pairs_score(boosted_city: LinkageEngine) -> None:
    est = boosted_city.model.estimator
    condition = bounds.reach_parts(boosted_city.comparisons, est, 0.5)
    assert condition is not None
    every = (
        "SELECT a.case_id AS case_a, b.case_id AS case_b FROM cases a JOIN cases b "
        "ON a.case_id < b.case_id USING SAMPLE 60000 ROWS (reservoir, 7)"
    )
    frame = boosted_city._con.execute(
        f"SELECT p.case_a, p.case_b, {condition[0]} AS bound FROM ({every}) p "
        "JOIN cases a ON a.case_id = p.case_a JOIN cases b ON b.case_id = p.case_b"
    ).df()
    compared = boosted_city.compare(frame[["case_a", "case_b"]])
    raw = est.raw_score(compared)
    assert (frame["bound"].to_numpy() >= raw - 1e-9).all()
    needed = bounds.needed_raw_score(est, 0.5)
    assert needed is not None
    assert (frame["bound"] >= needed).mean() < 0.5  # and it rules pairs out


@pytest.mark.parametrize("city_name", ["boosted_city", "logistic_city", "ensemble_city"])
@pytest.mark.parametrize("threshold", [0.05, 0.5])
def test_pruned_linking_gives_exactly_the_links_of_scoring_every_candidate(
    threshold: float, city_name: str, request: pytest.FixtureRequest
) -> None:
    """The boosted model's bound, the logistic model's, and the ensemble's
    (its members' summed)."""
    city: LinkageEngine = request.getfixturevalue(city_name)
    pruned = city.link(threshold)
    full = city.link(threshold, prune=False)
    pd.testing.assert_frame_equal(pruned, full)
    assert len(full) > 0
    assert city.count_linkable(threshold) < city.count_candidates()


def test_a_tree_model_is_bounded_by_default_and_scored_whole_when_asked() -> None:
    data = generate(600, seed=5)
    engine = LinkageEngine(data.cases, data.schema)
    engine.train(models=("boosted",))
    assert engine.reach_condition(0.5) is not None
    bounded = engine.count_linkable(0.5)
    assert bounded < engine.count_candidates()
    whole = LinkageEngine(data.cases, data.schema, model=engine.model)
    whole.prune_trees = False
    assert whole.reach_condition(0.5) is None
    assert whole.count_linkable(0.5) == whole.count_candidates()
