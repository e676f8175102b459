"""Fellegi–Sunter / naive Bayes linkage model over comparison levels.

Each comparison level *l* has an m-probability P(l | same offender) and a
u-probability P(l | different offenders), counted from labelled pairs with
Laplace smoothing. A pair's log-odds is the prior log-odds plus the sum of
ln(m/u) over its levels: explainable by construction ("both ghb (x30)").
Sharing a rare value is its own level (term-frequency adjustment), so sharing
GHB weighs more than sharing alcohol. A "missing" level carries no evidence,
and the other levels are weighed conditional on the attribute being recorded
for both cases (that a body position is recorded says both are deaths, which
the case-type comparison already counts).
The summed log-odds are then Platt-scaled on out-of-fold scores, because the
independence assumption double-counts correlated evidence (scaling keeps the
explanation exact: every factor is multiplied by the same slope).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from caselink.linkage.comparisons import Comparison
from caselink.linkage.features import level_matrix
from caselink.linkage.models.base import LinkageModelBase
from caselink.linkage.models.splits import check_binary_labels, fit_platt, out_of_fold


def level_log_ratios(
    levels: np.ndarray,
    y: np.ndarray,
    comparisons: Sequence[Comparison],
    alpha: float,
    weight: np.ndarray | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Smoothed m, u and ln(m/u) per comparison level (missing level -> 0)."""
    w = np.ones(len(y)) if weight is None else np.asarray(weight, dtype=float)
    ms, us, ws = [], [], []
    for j, comp in enumerate(comparisons):
        k = comp.n_levels
        c1 = np.bincount(levels[y == 1, j], weights=w[y == 1], minlength=k)[:k]
        c0 = np.bincount(levels[y == 0, j], weights=w[y == 0], minlength=k)[:k]
        m = (c1 + alpha) / (c1.sum() + alpha * k)
        u = (c0 + alpha) / (c0.sum() + alpha * k)
        lr = np.log(m / u)
        if comp.kind != "case_type":
            # Evidence of a comparison is conditional on it being recorded for
            # both cases: whether it is recorded says what kind of case it is,
            # which the case-type comparison already weighs.
            lr = lr - np.log(m[1:].sum() / u[1:].sum())
            lr[0] = 0.0
        ms.append(m)
        us.append(u)
        ws.append(lr)
    return ms, us, ws


class NaiveBayesLinkage(LinkageModelBase):
    """Naive Bayes (Fellegi–Sunter) linkage model trained on labelled pairs.

    Parameters
    ----------
    comparisons
        The declared comparisons whose levels are weighed.
    alpha
        Laplace smoothing count added to every level (> 0).
    calibrate
        Platt-scale the summed log-odds on out-of-fold scores.
    n_splits
        Folds for calibration (offender-grouped when ``groups`` is given to fit).
    random_state
        Seed of the folds.

    Attributes
    ----------
    m_, u_, log_ratio_
        Per comparison, arrays over its levels.
    prior_log_odds_
        ln(linked / unlinked) of the training pairs.
    calibration_
        (slope, intercept) of the Platt scaling.
    """

    def __init__(
        self,
        comparisons: Sequence[Comparison] | None = None,
        alpha: float = 1.0,
        calibrate: bool = True,
        n_splits: int = 5,
        random_state: int = 0,
    ) -> None:
        self.comparisons = comparisons
        self.alpha = alpha
        self.calibrate = calibrate
        self.n_splits = n_splits
        self.random_state = random_state

    def fit(
        self,
        X: pd.DataFrame,
        y: ArrayLike,
        groups: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
    ) -> NaiveBayesLinkage:
        """Count level frequencies among linked and unlinked pairs."""
        if not self.alpha > 0:
            raise ValueError(f"alpha must be > 0, got {self.alpha!r}")
        comps = self._comparisons()
        labels = check_binary_labels(y)
        levels = level_matrix(X, comps)
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.m_, self.u_, self.log_ratio_ = level_log_ratios(levels, labels, comps, self.alpha, w)
        n1 = float(labels.sum()) if w is None else float(w[labels == 1].sum())
        n0 = float((1 - labels).sum()) if w is None else float(w[labels == 0].sum())
        self.prior_log_odds_ = float(np.log(n1 / n0))
        self.classes_ = np.array([0, 1])
        self.calibration_ = (1.0, 0.0)
        if self.calibrate:

            def fit_score(train: np.ndarray, test: np.ndarray) -> np.ndarray:
                _, _, lr = level_log_ratios(
                    levels[train], labels[train], comps, self.alpha, None if w is None else w[train]
                )
                prior = np.log(labels[train].mean() / (1 - labels[train].mean()))
                return np.asarray(prior + _sum_levels(levels[test], lr))

            idx, scores = out_of_fold(
                fit_score, len(labels), groups, labels, self.n_splits, self.random_state
            )
            self.calibration_ = fit_platt(scores, labels[idx])
        return self

    def raw_score(self, X: pd.DataFrame) -> np.ndarray:
        """Prior log-odds plus the sum of level log ratios."""
        levels = level_matrix(X, self._comparisons())
        return self.prior_log_odds_ + _sum_levels(levels, self.log_ratio_)

    def factors(self, X: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        """Calibrated per-comparison log multipliers (they sum to the log-odds)."""
        comps = self._comparisons()
        levels = level_matrix(X, comps)
        a, b = self.calibration_
        contrib = {c.name: a * self.log_ratio_[j][levels[:, j]] for j, c in enumerate(comps)}
        base = np.full(len(X), a * self.prior_log_odds_ + b)
        return base, pd.DataFrame(contrib, index=X.index)

    def weights_table(self) -> pd.DataFrame:
        """One row per comparison level: m, u and the multiplier m/u."""
        rows = []
        for j, comp in enumerate(self._comparisons()):
            for lvl, name in enumerate(comp.level_names()):
                rows.append(
                    {
                        "comparison": comp.name,
                        "level": name,
                        "m": float(self.m_[j][lvl]),
                        "u": float(self.u_[j][lvl]),
                        "multiplier": float(np.exp(self.log_ratio_[j][lvl])),
                    }
                )
        return pd.DataFrame(rows)


def _sum_levels(levels: np.ndarray, log_ratios: Sequence[np.ndarray]) -> np.ndarray:
    total = np.zeros(levels.shape[0])
    for j, lr in enumerate(log_ratios):
        total += lr[levels[:, j]]
    return total
