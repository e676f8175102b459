"""Fellegi–Sunter / naive Bayes linkage model over comparison levels.

Each comparison level *l* has an m-probability P(l | same offender) and a
u-probability P(l | different offenders), counted from labelled pairs. A
pair's log-odds is the prior log-odds plus the sum of ln(m/u) over its
levels: explainable by construction ("both ghb (x30)"). Sharing a rare value
is its own level (term-frequency adjustment), so sharing GHB weighs more than
sharing alcohol. A "missing" level carries no evidence, and the other levels
are weighed conditional on the attribute being recorded for both cases (that
a body position is recorded says both are deaths, which the case-type
comparison already counts).

Evidence that cannot be absurd (a few hundred linked pairs give every level a
free ratio otherwise):

* **Shrinkage toward the no-label model** (empirical Bayes): m is a
  Dirichlet posterior mean whose prior puts ``strength`` pseudo-pairs on the
  levels in the proportions the default model's factors imply
  (``target_log_ratio``: m ∝ u · its factor). A level few linked pairs
  support keeps the default model's factor; one many support, its own. The
  strength is chosen by offender-grouped cross-validation.
* **Monotone closeness**: distance, days apart, time-of-day gap, age gap and
  numeric MO differences are non-increasing over their levels, text
  similarity non-decreasing (weighted isotonic regression of the level log
  ratios, weights = inverse variance).
* **Disagreement is never evidence for a link unless strongly supported**:
  the level "no shared value" / "different" (for case type: "different
  family") gets a factor of at most 1 unless at least
  :data:`DISAGREEMENT_MIN_LINKED` linked pairs hold it and the lower 95%
  bound of its log ratio (normal approximation) is above 0.

The summed log-odds are then Platt-scaled on out-of-fold scores, because the
independence assumption double-counts correlated evidence (scaling keeps the
explanation exact: every factor is multiplied by the same slope).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import average_precision_score

from caselink.linkage.comparisons import Comparison
from caselink.linkage.features import level_matrix
from caselink.linkage.models.base import LinkageModelBase
from caselink.linkage.models.splits import check_binary_labels, fit_platt, out_of_fold

DISAGREEMENT_MIN_LINKED = 30
"""Linked pairs a disagreement level needs before it may raise the odds."""
STRENGTHS = (2.0, 8.0, 32.0, 128.0, 512.0)
"""Pseudo-pairs of the shrinkage tried by cross-validation (``strength="cv"``)."""


def disagreement_level(comp: Comparison) -> int | None:
    """The level that means the two cases differ (None for closeness/similarity)."""
    if comp.kind in ("agreement", "binary"):
        return 1
    if comp.kind == "case_type":
        return 0
    return None


def monotone_direction(comp: Comparison) -> int:
    """-1: non-increasing over levels 1.. (closeness); +1: non-decreasing (similarity); 0: free."""
    return {"closeness": -1, "similarity": 1}.get(comp.kind, 0)


def _monotone(lr: np.ndarray, weight: np.ndarray, direction: int) -> np.ndarray:
    """Weighted isotonic regression of the recorded levels' log ratios (level 0 kept)."""
    if direction == 0 or len(lr) < 3:
        return lr
    out = lr.copy()
    iso = IsotonicRegression(increasing=direction > 0)
    x = np.arange(len(lr) - 1, dtype=float)
    out[1:] = iso.fit_transform(x, lr[1:], sample_weight=np.maximum(weight[1:], 1e-9))
    return out


def level_log_ratios(
    levels: np.ndarray,
    y: np.ndarray,
    comparisons: Sequence[Comparison],
    alpha: float,
    weight: np.ndarray | None = None,
    strength: float = 0.0,
    target: Sequence[np.ndarray] | None = None,
    constrained: bool = True,
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Shrunk m, u and ln(m/u) per comparison level (missing level -> 0).

    ``m = (c1 + alpha + strength·t) / (n1 + alpha·k + strength)`` where ``t``
    is the level distribution the target factors imply (``t ∝ u·exp(target)``;
    without ``target``, ``t = u``: shrink toward no evidence). With
    ``constrained``, closeness/similarity factors are made monotone and the
    disagreement rule applied (module docstring).
    """
    w = np.ones(len(y)) if weight is None else np.asarray(weight, dtype=float)
    ms, us, ws = [], [], []
    for j, comp in enumerate(comparisons):
        k = comp.n_levels
        c1 = np.bincount(levels[y == 1, j], weights=w[y == 1], minlength=k)[:k]
        c0 = np.bincount(levels[y == 0, j], weights=w[y == 0], minlength=k)[:k]
        u = (c0 + alpha) / (c0.sum() + alpha * k)
        if target is not None:
            t = u * np.exp(np.asarray(target[j], dtype=float))
            t = t / t.sum()
        else:
            t = u
        m = (c1 + alpha + strength * t) / (c1.sum() + alpha * k + strength)
        lr = np.log(m / u)
        if comp.kind != "case_type":
            # Evidence of a comparison is conditional on it being recorded for
            # both cases: whether it is recorded says what kind of case it is,
            # which the case-type comparison already weighs.
            lr = lr - np.log(m[1:].sum() / u[1:].sum())
            lr[0] = 0.0
        if constrained:
            support = 1.0 / (1.0 / (c1 + alpha + strength * t) + 1.0 / (c0 + alpha))
            lr = _monotone(lr, support, monotone_direction(comp))
            lvl = disagreement_level(comp)
            if lvl is not None and lr[lvl] > 0:
                se = np.sqrt(1.0 / (c1[lvl] + alpha) + 1.0 / (c0[lvl] + alpha))
                strong = c1[lvl] >= DISAGREEMENT_MIN_LINKED and lr[lvl] - 1.96 * se > 0
                if not strong:
                    lr[lvl] = 0.0
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
        Folds for calibration and the shrinkage strength (offender-grouped
        when ``groups`` is given to fit).
    random_state
        Seed of the folds.
    strength
        Pseudo-pairs of the shrinkage toward ``target_log_ratio`` (>= 0), or
        ``"cv"``: the value of :data:`STRENGTHS` with the best out-of-fold
        average precision.
    target_log_ratio
        Per comparison, the log factors to shrink toward: the default (no
        label) model's (``LinkageEngine.train`` passes them); without them,
        shrink toward no evidence (factor 1).
    constrained
        Monotone closeness/similarity factors and the disagreement rule.

    Attributes
    ----------
    m_, u_, log_ratio_
        Per comparison, arrays over its levels.
    prior_log_odds_
        ln(linked / unlinked) of the training pairs.
    calibration_
        (slope, intercept) of the Platt scaling.
    strength_
        The shrinkage strength used.
    """

    FITTED = (*LinkageModelBase.FITTED, "m_", "u_", "log_ratio_", "prior_log_odds_", "strength_")

    def __init__(
        self,
        comparisons: Sequence[Comparison] | None = None,
        alpha: float = 1.0,
        calibrate: bool = True,
        n_splits: int = 5,
        random_state: int = 0,
        strength: float | str = "cv",
        target_log_ratio: Sequence[np.ndarray] | None = None,
        constrained: bool = True,
    ) -> None:
        self.comparisons = comparisons
        self.alpha = alpha
        self.calibrate = calibrate
        self.n_splits = n_splits
        self.random_state = random_state
        self.strength = strength
        self.target_log_ratio = target_log_ratio
        self.constrained = constrained

    def _ratios(
        self, levels: np.ndarray, y: np.ndarray, w: np.ndarray | None, strength: float
    ) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
        return level_log_ratios(
            levels,
            y,
            self._comparisons(),
            self.alpha,
            w,
            strength,
            self.target_log_ratio,
            self.constrained,
        )

    def fit(
        self,
        X: pd.DataFrame,
        y: ArrayLike,
        groups: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
    ) -> NaiveBayesLinkage:
        """Count level frequencies among linked and unlinked pairs, shrink, constrain."""
        if not self.alpha > 0:
            raise ValueError(f"alpha must be > 0, got {self.alpha!r}")
        if self.strength != "cv" and not (
            isinstance(self.strength, int | float) and self.strength >= 0
        ):
            raise ValueError(f"strength must be >= 0 or 'cv', got {self.strength!r}")
        comps = self._comparisons()
        if self.target_log_ratio is not None and len(self.target_log_ratio) != len(comps):
            raise ValueError(
                f"target_log_ratio has {len(self.target_log_ratio)} comparisons, "
                f"the model {len(comps)}"
            )
        labels = check_binary_labels(y)
        levels = level_matrix(X, comps)
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=float)

        def oof(strength: float) -> tuple[np.ndarray, np.ndarray]:
            def fit_score(train: np.ndarray, test: np.ndarray) -> np.ndarray:
                _, _, lr = self._ratios(
                    levels[train], labels[train], None if w is None else w[train], strength
                )
                prior = np.log(labels[train].mean() / (1 - labels[train].mean()))
                return np.asarray(prior + _sum_levels(levels[test], lr))

            return out_of_fold(
                fit_score, len(labels), groups, labels, self.n_splits, self.random_state
            )

        cached: dict[float, tuple[np.ndarray, np.ndarray]] = {}
        if self.strength == "cv":
            best, best_ap = STRENGTHS[-1], -1.0
            for s in reversed(STRENGTHS):
                idx, scores = cached[s] = oof(s)
                ap = float(average_precision_score(labels[idx], scores))
                if ap > best_ap + 1e-4:  # ties go to the stronger shrinkage, tried first
                    best, best_ap = s, ap
            self.strength_ = float(best)
        else:
            self.strength_ = float(self.strength)
        self.m_, self.u_, self.log_ratio_ = self._ratios(levels, labels, w, self.strength_)
        n1 = float(labels.sum()) if w is None else float(w[labels == 1].sum())
        n0 = float((1 - labels).sum()) if w is None else float(w[labels == 0].sum())
        self.prior_log_odds_ = float(np.log(n1 / n0))
        self.classes_ = np.array([0, 1])
        self.calibration_ = (1.0, 0.0)
        if self.calibrate:
            idx, scores = cached.get(self.strength_) or oof(self.strength_)
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
