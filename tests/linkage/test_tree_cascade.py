"""Reading trees in stages decides the same rows as summing every tree.

The cascade (:mod:`caselink.linkage.models.tree_cascade`) drops a row after a
stage only when the unread trees' bound cannot lift it to the threshold. On
trees fitted to random data with missing values, at thresholds across the
range of their log-odds, it keeps every row whose full sum reaches the
threshold and none short of it by more than the slack; the trees of a range
are those trees; and it rules rows out early (fewer rows reach the last stage).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import HistGradientBoostingClassifier

from caselink.linkage.models import boosted as boosted_module
from caselink.linkage.models.boosted import (
    TreeArrays,
    export_trees,
    tree_log_odds_numpy,
    tree_reaches,
)
from caselink.linkage.models.tree_cascade import SLACK, tree_cascade
from caselink.linkage.models.tree_lookup import TreeLookup, tree_lookup
from caselink.linkage.models.tree_table import tree_range


def _fitted(seed: int, trees: int = 40, n_features: int = 6) -> tuple[TreeArrays, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(800, n_features))
    y = (x[:, 0] - 0.8 * x[:, 1] + 0.5 * x[:, 2] * x[:, 3] + rng.normal(size=800) > 1).astype(int)
    x[rng.random(x.shape) < 0.15] = np.nan
    model = HistGradientBoostingClassifier(max_iter=trees, max_leaf_nodes=7, random_state=seed)
    fitted = export_trees(model.fit(x, y))
    fresh = rng.normal(scale=1.5, size=(3000, n_features))
    fresh[rng.random(fresh.shape) < 0.15] = np.nan
    on = rng.choice(fitted.threshold[~fitted.is_leaf], size=(200, n_features))
    return fitted, np.vstack([fresh, on])


def _lookup(trees: TreeArrays, x: np.ndarray) -> TreeLookup:
    lookup = tree_lookup(trees, x.shape[1])
    assert lookup is not None
    return lookup


@given(seed=st.integers(0, 10_000), quantile=st.floats(0.0, 1.0))
@settings(max_examples=30, deadline=None)
def test_the_cascade_keeps_exactly_the_rows_whose_trees_reach_the_threshold(
    seed: int, quantile: float
) -> None:
    trees, x = _fitted(seed)
    full = tree_log_odds_numpy(trees, x)
    needed = float(np.quantile(full, quantile))
    cascade = tree_cascade(trees, _lookup(trees, x))
    assert cascade is not None and cascade.cuts == (10, 20)
    kept = cascade.reaches(x, needed)
    assert kept[full >= needed].all()  # never drops a row that reaches it
    assert not kept[full < needed - 2 * SLACK].any()  # never keeps one short of it


def test_a_range_of_trees_is_those_trees() -> None:
    trees, x = _fitted(1)
    head = tree_range(trees, 0, 15, trees.baseline)
    tail = tree_range(trees, 15, 40, 0.0)
    np.testing.assert_allclose(
        tree_log_odds_numpy(head, x) + tree_log_odds_numpy(tail, x),
        tree_log_odds_numpy(trees, x),
    )
    assert len(tail.roots) == 25 and tail.roots[0] == 0
    with pytest.raises(ValueError, match="no trees"):
        tree_range(trees, 30, 41, 0.0)


def test_rows_far_below_the_threshold_stop_after_the_first_stage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trees, x = _fitted(2)
    full = tree_log_odds_numpy(trees, x)
    needed = float(np.quantile(full, 0.9))
    cascade = tree_cascade(trees, _lookup(trees, x))
    assert cascade is not None
    read: list[int] = []
    leaves = TreeLookup.leaves

    def counted(
        self: TreeLookup, bins: np.ndarray, start: int, end: int, first: float = 0.0
    ) -> np.ndarray:
        read.append(bins.shape[1])
        return leaves(self, bins, start, end, first)

    monkeypatch.setattr(TreeLookup, "leaves", counted)
    cascade.reaches(x, needed)
    assert read[0] == len(x) and read[-1] < len(x) / 2  # most rows decided early


def test_many_rows_are_decided_by_the_cascade_on_threads() -> None:
    trees, x = _fitted(3)
    many = np.tile(x, (8, 1))  # above LOOKUP_MIN_ROWS: the cascade, in blocks
    assert len(many) >= boosted_module.LOOKUP_MIN_ROWS
    needed = float(np.quantile(tree_log_odds_numpy(trees, x), 0.8))
    kept = tree_reaches(trees, many, needed)
    assert "_cascade_6" in trees.__dict__
    full = tree_log_odds_numpy(trees, many)
    assert kept[full >= needed].all() and not kept[full < needed - 2 * SLACK].any()
    few = tree_reaches(trees, x, needed)  # below it: the sums, compared
    np.testing.assert_array_equal(few, tree_log_odds_numpy(trees, x) >= needed)


@given(seed=st.integers(0, 10_000))
@settings(max_examples=15, deadline=None)
def test_each_row_can_have_its_own_threshold(seed: int) -> None:
    """What the other members of an ensemble leave a row to reach differs by row."""
    trees, x = _fitted(seed)
    many = np.tile(x, (8, 1))  # the threaded blocks too
    full = tree_log_odds_numpy(trees, many)
    needed = np.random.default_rng(seed).choice(full, size=len(many))
    kept = tree_reaches(trees, many, needed)
    assert kept[full >= needed].all() and not kept[full < needed - 2 * SLACK].any()
    assert 0 < kept.mean() < 1
