"""Gradient-boosted linkage model (scikit-learn HistGradientBoostingClassifier).

Learns interactions the naive Bayes model cannot (distance matters more when
the time gap is short), from the raw comparison values (missing values handled
natively). Distance, days apart, time-of-day gap, age gap and numeric MO
differences are constrained non-increasing (``monotonic_cst``), text
similarity and agreement non-decreasing: the trees cannot learn that being
further apart is evidence for a link. Probabilities are Platt-scaled on
out-of-fold scores. Explanations use the factors of a naive Bayes model
trained on the same pairs, stated as such: trees have no exact additive
per-factor decomposition without SHAP.

The fitted trees are exported to plain arrays (:class:`TreeArrays`) and
evaluated by :func:`tree_log_odds`, so that a model file holds numbers only
(loading it never runs code) and a loaded model scores exactly as the fitted one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from caselink.linkage.comparisons import Comparison
from caselink.linkage.features import numeric_matrix
from caselink.linkage.models.base import LinkageModelBase
from caselink.linkage.models.naive_bayes import NaiveBayesLinkage
from caselink.linkage.models.splits import check_binary_labels, fit_platt, out_of_fold, sigmoid
from caselink.linkage.models.tree_cascade import TreeCascade, tree_cascade
from caselink.linkage.models.tree_lookup import TreeLookup, tree_lookup
from caselink.linkage.models.tree_table import TreeTable, tree_slices, tree_table

TABLE_MIN_PAIRS = 200_000
"""Pairs scored at once from which the trees' bound table is worth building
(about 0.8 s for 200 trees; it saves about 8 µs per pair ruled out)."""

BOUND_SLACK = 1e-6
"""Log-odds subtracted from a threshold before comparing a bound with it:
the table and the trees sum the same leaves in different orders."""


@dataclass(frozen=True)
class TreeArrays:
    """A fitted tree ensemble as arrays: node ``i`` of the concatenated trees
    tests ``x[feature[i]] <= threshold[i]`` (NaN goes left when
    ``missing_left[i]``); ``left``/``right`` are global node indices; a leaf
    holds ``value``. ``roots`` are the first node of each tree; the log-odds
    is ``baseline`` plus the sum of the leaves reached."""

    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    is_leaf: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    baseline: float

    def as_dict(self) -> dict[str, object]:
        """Field name -> value (the model file's form)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> TreeArrays:
        """Inverse of :meth:`as_dict`; checks shapes and node indices (a
        corrupt file raises ValueError instead of reading out of bounds)."""
        arrays = {
            "feature": np.asarray(data["feature"], dtype=np.int64),
            "threshold": np.asarray(data["threshold"], dtype=float),
            "missing_left": np.asarray(data["missing_left"], dtype=bool),
            "left": np.asarray(data["left"], dtype=np.int64),
            "right": np.asarray(data["right"], dtype=np.int64),
            "is_leaf": np.asarray(data["is_leaf"], dtype=bool),
            "value": np.asarray(data["value"], dtype=float),
            "roots": np.asarray(data["roots"], dtype=np.int64),
        }
        n = len(arrays["feature"])
        if any(a.ndim != 1 or len(a) != n for k, a in arrays.items() if k != "roots"):
            raise ValueError("tree arrays must be one-dimensional and of one length")
        inner = ~arrays["is_leaf"]
        for key in ("left", "right"):
            child = arrays[key][inner]
            if child.size and (child.min() < 0 or child.max() >= n):
                raise ValueError(f"tree {key} child index out of range")
            # children come after their parent: every path ends at a leaf
            if np.any(child <= np.flatnonzero(inner)):
                raise ValueError(f"tree {key} child index does not follow its parent")
        roots = arrays["roots"]
        if roots.size and (roots.min() < 0 or roots.max() >= n):
            raise ValueError("tree root index out of range")
        baseline = data["baseline"]
        if not isinstance(baseline, int | float):
            raise ValueError(f"tree baseline must be a number, got {baseline!r}")
        return cls(**arrays, baseline=float(baseline))


def export_trees(model: HistGradientBoostingClassifier) -> TreeArrays:
    """The fitted binary classifier's trees as :class:`TreeArrays` (numeric features only)."""
    parts = []
    roots = []
    offset = 0
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        if np.any(nodes["is_categorical"]):
            raise ValueError("categorical splits cannot be exported")
        roots.append(offset)
        parts.append((nodes, offset))
        offset += len(nodes)

    def cat(field: str, shift: bool = False) -> np.ndarray:
        return np.concatenate(
            [n[field].astype(np.int64) + o if shift else n[field] for n, o in parts]
        )

    return TreeArrays(
        feature=cat("feature_idx").astype(np.int64),
        threshold=cat("num_threshold").astype(float),
        missing_left=cat("missing_go_to_left").astype(bool),
        left=cat("left", shift=True),
        right=cat("right", shift=True),
        is_leaf=cat("is_leaf").astype(bool),
        value=cat("value").astype(float),
        roots=np.asarray(roots, dtype=np.int64),
        baseline=float(np.ravel(model._baseline_prediction)[0]),
    )


def _compiled_log_odds(trees: TreeArrays, features: np.ndarray) -> np.ndarray | None:
    """:func:`tree_log_odds` by scikit-learn's compiled tree predictor (the
    one its estimator predicts with), fed the exported arrays; ``None`` when
    it is unavailable or the trees are not laid out as exported."""
    try:
        from sklearn.ensemble._hist_gradient_boosting._predictor import (
            _predict_from_raw_data,
        )
        from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE
    except ImportError:  # pragma: no cover - a private module of scikit-learn
        return None
    # the predictor's node records, built once per set of trees (a new case
    # scores a few hundred pairs: rebuilding them would cost more than that)
    cached: list[np.ndarray] | None = trees.__dict__.get("_predictor_nodes")
    if cached is None:
        if "_predictor_nodes" in trees.__dict__:  # laid out otherwise: known already
            return None
        slices = tree_slices(trees)
        if slices is None:
            object.__setattr__(trees, "_predictor_nodes", None)
            return None
        cached = []
        for start, end in slices:
            nodes = np.zeros(end - start, dtype=PREDICTOR_RECORD_DTYPE)
            leaf = trees.is_leaf[start:end]
            nodes["value"] = trees.value[start:end]
            nodes["feature_idx"] = np.where(leaf, 0, trees.feature[start:end])
            nodes["num_threshold"] = trees.threshold[start:end]
            nodes["missing_go_to_left"] = trees.missing_left[start:end]
            nodes["left"] = np.where(leaf, 0, trees.left[start:end] - start)
            nodes["right"] = np.where(leaf, 0, trees.right[start:end] - start)
            nodes["is_leaf"] = leaf
            cached.append(nodes)
        object.__setattr__(trees, "_predictor_nodes", cached)  # frozen: a cache, not a field
    x = np.ascontiguousarray(features, dtype=np.float64)
    total = np.full(x.shape[0], trees.baseline)
    no_bitsets = np.zeros((0, 8), dtype=np.uint32)
    f_idx_map = np.zeros(max(x.shape[1], 1), dtype=np.uint32)
    nodes_of_trees = cached

    def block(rows: slice) -> None:
        part, out = x[rows], np.empty(rows.stop - rows.start, dtype=np.float64)
        for nodes in nodes_of_trees:
            _predict_from_raw_data(nodes, part, no_bitsets, no_bitsets, f_idx_map, 1, out)
            total[rows] += out

    _in_blocks(x.shape[0], block)
    return total


def _in_blocks(n: int, score: Callable[[slice], None]) -> None:
    """Run ``score`` over blocks of :data:`SCORING_BLOCK` rows on
    :func:`scoring_threads` threads: the tree predictor and numpy's lookups
    release the GIL, so blocks share the cores, each taken by whichever
    thread is free (a busy core just takes fewer)."""
    blocks = [slice(s, min(s + SCORING_BLOCK, n)) for s in range(0, n, SCORING_BLOCK)]
    workers = min(scoring_threads(), len(blocks))
    if workers <= 1:
        for rows in blocks:
            score(rows)
        return
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(score, blocks))


def _kept(trees: TreeArrays, key: str, build: Callable[[], Any]) -> Any:
    """What ``build`` makes of ``trees``, made once and kept on them (the
    arrays are frozen: a cache, not a field)."""
    if key not in trees.__dict__:
        object.__setattr__(trees, key, build())
    return trees.__dict__[key]


def _lookup(trees: TreeArrays, n_features: int) -> TreeLookup | None:
    """The trees' lookup tables (:func:`tree_lookup`), built once per set of trees."""
    lookup: TreeLookup | None = _kept(
        trees, f"_lookup_{n_features}", lambda: tree_lookup(trees, n_features)
    )
    return lookup


def _looked_up_log_odds(trees: TreeArrays, features: np.ndarray) -> np.ndarray | None:
    """:func:`tree_log_odds` by each tree's lookup table
    (:mod:`caselink.linkage.models.tree_lookup`), built once per set of trees;
    ``None`` when the trees are too large to tabulate."""
    lookup = _lookup(trees, features.shape[1])
    if lookup is None:
        return None
    x = np.ascontiguousarray(features, dtype=np.float64)
    total = np.empty(x.shape[0])

    def block(rows: slice) -> None:
        total[rows] = lookup.log_odds(x[rows])

    _in_blocks(x.shape[0], block)
    return total


def tree_reaches(trees: TreeArrays, features: np.ndarray, needed: float | np.ndarray) -> np.ndarray:
    """True for each row whose log-odds can reach ``needed`` (one number, or
    one per row): read by the
    trees' cascade (:mod:`caselink.linkage.models.tree_cascade`, most rows
    decided after a few trees; built once per set of trees) on
    :func:`scoring_threads` threads, else ``tree_log_odds(...) >= needed``.
    Never false for a row whose log-odds reach ``needed``; may be true for one
    short of it by at most :data:`~caselink.linkage.models.tree_cascade.SLACK`."""
    cascade: TreeCascade | None = None
    if features.ndim == 2 and features.shape[0] >= LOOKUP_MIN_ROWS:
        n = features.shape[1]
        lookup = _lookup(trees, n)
        if lookup is not None:  # the same tables the trees' sums read
            cascade = _kept(trees, f"_cascade_{n}", lambda: tree_cascade(trees, lookup))
    if cascade is None:
        return np.asarray(tree_log_odds(trees, features) >= needed)
    x = np.ascontiguousarray(features, dtype=np.float64)
    out = np.empty(x.shape[0], dtype=bool)
    need = np.broadcast_to(np.asarray(needed, dtype=float), (x.shape[0],))

    def block(rows: slice) -> None:
        out[rows] = cascade.reaches(x[rows], need[rows])

    _in_blocks(x.shape[0], block)
    return out


SCORING_BLOCK = 16_384
"""Rows per block of tree scoring (the unit the scoring threads share out)."""
LOOKUP_MIN_ROWS = 20_000
"""Rows from which small trees are scored by their lookup tables (building
them takes about 0.1 s for 200 trees; a new case's few hundred pairs are
walked)."""


def scoring_threads() -> int:
    """Threads that score trees: the cores this process may use, at most 4
    (``CASELINK_SCORING_THREADS`` overrides)."""
    given = os.environ.get("CASELINK_SCORING_THREADS")
    if given is not None and given.strip().isdigit() and int(given) >= 1:
        return int(given)
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return max(1, min(4, len(usable) if usable is not None else os.cpu_count() or 1))


def tree_log_odds(trees: TreeArrays, features: np.ndarray) -> np.ndarray:
    """Log-odds of each row: baseline plus the leaf values reached in every tree
    (the decision rule of scikit-learn's predictor: ``x <= threshold`` goes
    left, NaN goes the ``missing_left`` way), on :func:`scoring_threads`
    threads. From :data:`LOOKUP_MIN_ROWS` rows small trees are read from their
    lookup tables (:mod:`~caselink.linkage.models.tree_lookup`, about three
    times faster), otherwise walked by scikit-learn's compiled predictor
    (tens of times faster than walking them in numpy,
    :func:`tree_log_odds_numpy`); the same sums either way, tested."""
    if features.ndim == 2 and int(np.max(trees.feature, initial=0)) < max(features.shape[1], 1):
        if features.shape[0] >= LOOKUP_MIN_ROWS:
            looked_up = _looked_up_log_odds(trees, features)
            if looked_up is not None:
                return looked_up
        compiled = _compiled_log_odds(trees, features)
        if compiled is not None:
            return compiled
    return tree_log_odds_numpy(trees, features)


def tree_log_odds_numpy(trees: TreeArrays, features: np.ndarray) -> np.ndarray:
    """:func:`tree_log_odds` vectorised over rows in numpy."""
    n = features.shape[0]
    total = np.full(n, trees.baseline)
    rows_all = np.arange(n)
    for root in trees.roots:
        node = np.full(n, root, dtype=np.int64)
        active = rows_all[~trees.is_leaf[node]]
        while active.size:
            at = node[active]
            x = features[active, trees.feature[at]]
            go_left = np.where(np.isnan(x), trees.missing_left[at], x <= trees.threshold[at])
            nxt = np.where(go_left, trees.left[at], trees.right[at])
            node[active] = nxt
            active = active[~trees.is_leaf[nxt]]
        total += trees.value[node]
    return total


MAX_TREES = 300
"""The most trees :class:`BoostedLinkage` fits (its ``max_iter``)."""


def chosen_tree_count(
    staged: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
) -> int:
    """The number of trees whose held-out log-odds ``staged[:, k - 1]`` have the
    least (weighted) log-loss against ``y``: early stopping by cross-validation."""
    if staged.ndim != 2 or staged.shape[0] != len(y) or staged.shape[1] < 1:
        raise ValueError(f"staged scores must be (n_pairs, n_trees), got {staged.shape}")
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    loss = np.zeros(staged.shape[1])
    for start in range(0, len(y), 65_536):  # in row blocks: float64 losses stay small
        part = staged[start : start + 65_536].astype(float)
        target = y[start : start + 65_536, None]
        loss += w[start : start + 65_536] @ (np.logaddexp(0.0, part) - target * part)
    return int(np.argmin(loss)) + 1


def monotone_constraints(comparisons: Sequence[Comparison]) -> list[int]:
    """``monotonic_cst`` of each comparison column: -1 for closeness (further
    apart never raises the odds), +1 for similarity, value overlap, same sex
    and same family, 0 otherwise (the rarity of a shared value)."""
    out = []
    for comp in comparisons:
        for col in comp.column_names:
            if comp.kind == "closeness":
                out.append(-1)
            elif comp.kind == "similarity" or col.endswith(
                ("_overlap", "_same_sex", "same_family")
            ):
                out.append(1)
            else:
                out.append(0)
    return out


class BoostedLinkage(LinkageModelBase):
    """Boosted-trees linkage model.

    Parameters
    ----------
    comparisons
        The declared comparisons (their raw columns are the features).
    max_iter, learning_rate, max_leaf_nodes, min_samples_leaf, l2_regularization
        Passed to :class:`sklearn.ensemble.HistGradientBoostingClassifier`
        (``max_iter`` is the most trees; see ``choose_trees``).
    calibrate
        Platt-scale the trees' log-odds on out-of-fold scores.
    choose_trees
        Fit as many trees as minimise the out-of-fold log-loss (offender-grouped
        folds when ``groups`` is given; :func:`chosen_tree_count`), at most
        ``max_iter``: early stopping judged on held-out offenders, so the
        trees stop where they stop generalising (and score faster).
    n_threads
        OpenMP threads of the tree builder.
    n_splits, random_state
        Calibration folds (offender-grouped when ``groups`` is given) and seed.

    monotone
        Constrain closeness columns non-increasing and agreement/similarity
        columns non-decreasing (:func:`monotone_constraints`).
    explainer_strength
        Shrinkage strength of the explaining naive Bayes model.

    Attributes
    ----------
    trees_
        The fitted trees as arrays (:class:`TreeArrays`).
    explainer_
        A :class:`NaiveBayesLinkage` fitted on the same pairs, for explanations.
    """

    FITTED = (*LinkageModelBase.FITTED, "trees_", "used_columns_", "explainer_")

    def __init__(
        self,
        comparisons: Sequence[Comparison] | None = None,
        max_iter: int = MAX_TREES,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 7,
        min_samples_leaf: int = 20,
        l2_regularization: float = 1.0,
        calibrate: bool = True,
        choose_trees: bool = True,
        n_splits: int = 3,
        random_state: int = 0,
        n_threads: int = 1,
        monotone: bool = True,
        explainer_strength: float = 32.0,
    ) -> None:
        self.comparisons = comparisons
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.calibrate = calibrate
        self.choose_trees = choose_trees
        self.n_splits = n_splits
        self.random_state = random_state
        self.n_threads = n_threads
        self.monotone = monotone
        self.explainer_strength = explainer_strength

    def fit(
        self,
        X: pd.DataFrame,
        y: ArrayLike,
        groups: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
    ) -> BoostedLinkage:
        """Fit the trees, the calibration and the explaining naive Bayes model."""
        # OpenMP threads in the tree builder oversubscribe shared machines badly
        # (a 20x slow-down measured on 2 cores); one thread is fast and predictable.
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            return self._fit(X, y, groups, sample_weight)

    def _trees(self, n_trees: int | None = None) -> HistGradientBoostingClassifier:
        cst = None
        if self.monotone:
            cst = [monotone_constraints(self._comparisons())[i] for i in self.used_columns_]
        return HistGradientBoostingClassifier(
            monotonic_cst=cst,
            max_iter=self.max_iter if n_trees is None else n_trees,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            random_state=self.random_state,
        )

    def _fit(
        self,
        X: pd.DataFrame,
        y: ArrayLike,
        groups: ArrayLike | None,
        sample_weight: ArrayLike | None,
    ) -> BoostedLinkage:
        if not (isinstance(self.max_iter, int) and self.max_iter >= 1):
            raise ValueError(f"max_iter must be an integer >= 1, got {self.max_iter!r}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate!r}")
        comps = self._comparisons()
        labels = check_binary_labels(y)
        features = numeric_matrix(X, comps)
        # Columns never recorded (e.g. no victims in burglary data) carry nothing
        # and cannot be binned; the trees use the others.
        self.used_columns_ = np.flatnonzero(~np.isnan(features).all(axis=0))
        features = features[:, self.used_columns_]
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.classes_ = np.array([0, 1])
        self.calibration_ = (1.0, 0.0)
        n_trees = self.max_iter
        if self.calibrate or self.choose_trees:

            def fit_score(train: np.ndarray, test: np.ndarray) -> np.ndarray:
                trees = self._trees().fit(
                    features[train], labels[train], sample_weight=None if w is None else w[train]
                )
                # the held-out log-odds after each tree (float32: one column per tree)
                staged = trees.staged_decision_function(features[test])
                return np.column_stack([np.ravel(d) for d in staged]).astype(np.float32)

            idx, staged = out_of_fold(
                fit_score, len(labels), groups, labels, self.n_splits, self.random_state
            )
            if self.choose_trees:
                n_trees = chosen_tree_count(staged, labels[idx], None if w is None else w[idx])
            scores = staged[:, n_trees - 1].astype(float)
            if self.calibrate:
                self.calibration_ = fit_platt(scores, labels[idx])
        self.trees_ = export_trees(self._trees(n_trees).fit(features, labels, sample_weight=w))
        self.explainer_ = NaiveBayesLinkage(
            comps, calibrate=False, strength=self.explainer_strength
        ).fit(X, labels, sample_weight=w)
        return self

    def features(self, X: pd.DataFrame) -> np.ndarray:
        """The trees' feature matrix of the pairs ``X``."""
        return numeric_matrix(X, self._comparisons())[:, self.used_columns_]

    def raw_score(self, X: pd.DataFrame) -> np.ndarray:
        """The trees' log-odds."""
        return tree_log_odds(self.trees_, self.features(X))

    def raw_bound(self, features: np.ndarray) -> np.ndarray | None:
        """An upper bound of :meth:`raw_score` from a few features
        (:mod:`caselink.linkage.models.tree_table`), or ``None`` where the
        table would cost more than it saves: fewer than
        :data:`TABLE_MIN_PAIRS` pairs and no table built yet."""
        table: TreeTable | None = self.__dict__.get("_bound_table")
        if table is None:
            # the table reads each tree's nodes as one run (as exported);
            # trees laid out otherwise get no bound rather than a wrong one
            if len(features) < TABLE_MIN_PAIRS or tree_slices(self.trees_) is None:
                return None
            table = tree_table(self.trees_)
            self.__dict__["_bound_table"] = table  # a cache of the fitted trees, not a parameter
        return table.lookup(features)

    def link_probability(self, X: pd.DataFrame, at_least: float = 0.0) -> np.ndarray:
        """:meth:`predict_proba`'s probability, the trees walked only for the
        pairs whose bound (:meth:`raw_bound`) can reach ``at_least``; NaN for the others."""
        a, b = self.calibration_
        features = self.features(X)
        bound = self.raw_bound(features) if at_least > 0 and a > 0 else None
        if bound is None:
            return self.recalibrate(sigmoid(a * tree_log_odds(self.trees_, features) + b))
        maybe = a * bound + b >= self.decision_needed(at_least) - BOUND_SLACK
        out = np.full(len(X), np.nan)
        if maybe.any():
            raw = tree_log_odds(self.trees_, features[maybe])
            out[maybe] = self.recalibrate(sigmoid(a * raw + b))
        return out

    def factors(self, X: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        """The naive Bayes factors of the same pairs, rescaled so that base plus
        factors equals this model's calibrated log-odds (an approximation, stated)."""
        base, contrib = self.explainer_.factors(X)
        total = contrib.sum(axis=1).to_numpy()
        target = self.decision_function(X) - base
        scale = np.where(np.abs(total) > 1e-9, target / np.where(total == 0, 1, total), 1.0)
        scale = np.clip(scale, 0.0, 3.0)
        return base, contrib.mul(scale, axis=0)
