"""Gradient-boosted linkage model (scikit-learn HistGradientBoostingClassifier).

Learns interactions the naive Bayes model cannot (distance matters more when
the time gap is short), from the raw comparison values (missing values handled
natively). Probabilities are Platt-scaled on out-of-fold scores. Explanations
use the factors of a naive Bayes model trained on the same pairs, stated as
such: trees have no exact additive per-factor decomposition without SHAP.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from caselink.linkage.comparisons import Comparison
from caselink.linkage.features import numeric_matrix
from caselink.linkage.models.base import LinkageModelBase
from caselink.linkage.models.naive_bayes import NaiveBayesLinkage
from caselink.linkage.models.splits import check_binary_labels, fit_platt, out_of_fold


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.asarray(np.log(p / (1 - p)))


class BoostedLinkage(LinkageModelBase):
    """Boosted-trees linkage model.

    Parameters
    ----------
    comparisons
        The declared comparisons (their raw columns are the features).
    max_iter, learning_rate, max_leaf_nodes, min_samples_leaf, l2_regularization
        Passed to :class:`sklearn.ensemble.HistGradientBoostingClassifier`.
    calibrate
        Platt-scale the trees' log-odds on out-of-fold scores.
    n_threads
        OpenMP threads of the tree builder.
    n_splits, random_state
        Calibration folds (offender-grouped when ``groups`` is given) and seed.

    Attributes
    ----------
    estimator_
        The fitted trees.
    explainer_
        A :class:`NaiveBayesLinkage` fitted on the same pairs, for explanations.
    """

    def __init__(
        self,
        comparisons: Sequence[Comparison] | None = None,
        max_iter: int = 200,
        learning_rate: float = 0.05,
        max_leaf_nodes: int = 15,
        min_samples_leaf: int = 20,
        l2_regularization: float = 1.0,
        calibrate: bool = True,
        n_splits: int = 3,
        random_state: int = 0,
        n_threads: int = 1,
    ) -> None:
        self.comparisons = comparisons
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.calibrate = calibrate
        self.n_splits = n_splits
        self.random_state = random_state
        self.n_threads = n_threads

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

    def _trees(self) -> HistGradientBoostingClassifier:
        return HistGradientBoostingClassifier(
            max_iter=self.max_iter,
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
        self.estimator_ = self._trees().fit(features, labels, sample_weight=w)
        self.classes_ = np.array([0, 1])
        self.calibration_ = (1.0, 0.0)
        if self.calibrate:

            def fit_score(train: np.ndarray, test: np.ndarray) -> np.ndarray:
                trees = self._trees().fit(
                    features[train], labels[train], sample_weight=None if w is None else w[train]
                )
                return _logit(trees.predict_proba(features[test])[:, 1])

            idx, scores = out_of_fold(
                fit_score, len(labels), groups, labels, self.n_splits, self.random_state
            )
            self.calibration_ = fit_platt(scores, labels[idx])
        self.explainer_ = NaiveBayesLinkage(comps, calibrate=False).fit(X, labels, sample_weight=w)
        return self

    def raw_score(self, X: pd.DataFrame) -> np.ndarray:
        """The trees' log-odds."""
        features = numeric_matrix(X, self._comparisons())[:, self.used_columns_]
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            return _logit(self.estimator_.predict_proba(features)[:, 1])

    def factors(self, X: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        """The naive Bayes factors of the same pairs, rescaled so that base plus
        factors equals this model's calibrated log-odds (an approximation, stated)."""
        base, contrib = self.explainer_.factors(X)
        total = contrib.sum(axis=1).to_numpy()
        target = self.decision_function(X) - base
        scale = np.where(np.abs(total) > 1e-9, target / np.where(total == 0, 1, total), 1.0)
        scale = np.clip(scale, 0.0, 3.0)
        return base, contrib.mul(scale, axis=0)
