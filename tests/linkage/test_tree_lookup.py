"""Small trees read from lookup tables give exactly the leaves the trees reach.

Each tree of :mod:`caselink.linkage.models.tree_lookup` is a table over its
own thresholds: on trees fitted to random data with missing values, and on
rows exactly at the thresholds, beyond them and infinite, the tables give
the same log-odds as walking the trees; trees too large to tabulate, or laid
out otherwise than as exported, are walked instead.
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
    tree_log_odds,
    tree_log_odds_numpy,
)
from caselink.linkage.models.tree_lookup import MAX_TREE_CELLS, tree_lookup


def _fitted(seed: int, leaves: int, n_features: int = 5) -> tuple[TreeArrays, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(600, n_features))
    y = (x[:, 0] - 0.7 * x[:, 1] + 0.3 * x[:, 2] + rng.normal(size=600) > 0).astype(int)
    x[rng.random(x.shape) < 0.2] = np.nan
    model = HistGradientBoostingClassifier(max_iter=25, max_leaf_nodes=leaves, random_state=seed)
    trees = export_trees(model.fit(x, y))
    fresh = rng.normal(size=(800, n_features))
    fresh[rng.random(fresh.shape) < 0.2] = np.nan
    edges = trees.threshold[~trees.is_leaf]
    on = rng.choice(edges, size=(300, n_features)) if len(edges) else np.zeros((0, n_features))
    extremes = np.array([[np.inf] * n_features, [-np.inf] * n_features, [1e300] * n_features])
    return trees, np.vstack([fresh, on, extremes])


@given(seed=st.integers(0, 10_000), leaves=st.integers(2, 8))
@settings(max_examples=40, deadline=None)
def test_the_tables_give_the_leaves_the_trees_reach(seed: int, leaves: int) -> None:
    trees, x = _fitted(seed, leaves)
    lookup = tree_lookup(trees, x.shape[1])
    assert lookup is not None
    np.testing.assert_array_equal(lookup.log_odds(x), tree_log_odds_numpy(trees, x))


def test_large_trees_are_not_tabulated() -> None:
    trees, x = _fitted(1, leaves=63)
    assert tree_lookup(trees, x.shape[1]) is None  # some tree's table exceeds MAX_TREE_CELLS
    small, _ = _fitted(1, leaves=4)
    assert tree_lookup(small, x.shape[1]) is not None
    assert MAX_TREE_CELLS >= 3**6  # a 7-leaf tree on six features always fits


def test_trees_laid_out_otherwise_are_not_tabulated() -> None:
    trees, x = _fitted(2, leaves=5)
    # the second tree's nodes placed before the first's: children outside each run
    first = slice(int(trees.roots[0]), int(trees.roots[1]))
    moved = TreeArrays(
        **{k: v for k, v in trees.as_dict().items() if k not in {"roots"}},
        roots=np.array([trees.roots[1], trees.roots[0], *trees.roots[2:]]),
    )
    assert first.stop > first.start
    assert tree_lookup(moved, x.shape[1]) is None


def test_many_rows_are_scored_by_the_tables_with_the_same_sums(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trees, x = _fitted(3, leaves=7)
    many = np.tile(x, (30, 1))  # above LOOKUP_MIN_ROWS
    assert len(many) >= boosted_module.LOOKUP_MIN_ROWS
    looked_up = tree_log_odds(trees, many)
    assert "_lookup_5" in trees.__dict__  # the tables were built and kept
    monkeypatch.setattr(boosted_module, "LOOKUP_MIN_ROWS", 10**12)
    np.testing.assert_array_equal(looked_up, tree_log_odds(trees, many))
