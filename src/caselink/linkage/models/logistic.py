"""Regularised logistic linkage model with monotone evidence.

Each comparison becomes a few features whose coefficients are sign-bounded,
so the fitted evidence has the shape criminology says it must have:

* closeness (distance, days apart, time-of-day gap, age gap, numeric MO):
  step features ``level >= k`` and ``log(1 + value)``, all with coefficients
  <= 0, so the factor is non-increasing in the distance (a monotone step
  function plus a smooth decay that keeps ranking beyond the last step);
* similarity (narrative): steps and the similarity itself, coefficients >= 0
  (non-decreasing);
* agreement (an MO attribute, victim group): "shares a value", "shares an
  uncommon or rare value", "shares a rare value" and the rarity
  ``-ln(share)`` of the shared value, all >= 0, so sharing is never evidence
  against and rarer is never weaker; a disagreement is the reference level,
  so it can never raise the odds;
* pooled MO evidence (over the MO attributes): values shared, rarity of the
  shared values, share of the recorded values shared (>= 0) and values
  differing (<= 0); the per-attribute features are penalised
  :data:`ATTRIBUTE_PENALTY` times more, so an attribute's own weight departs
  from the pooled one only where its pairs support it;
* binary (victim sex): "same" >= 0; case type: same family, same type and
  rarer type, all >= 0;
* "not recorded" indicators are free (what is recorded says what kind of case it is).

The coefficients minimise the log-loss plus an L2 penalty ``||β||²/(2C)``
(intercept free) under those bounds (L-BFGS-B); ``C`` is chosen by
offender-grouped cross-validation on average precision. Probabilities are
Platt-scaled on the out-of-fold scores. The model is additive per
comparison, so its explanations are exact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.optimize import minimize
from sklearn.metrics import average_precision_score
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from caselink.linkage.comparisons import Comparison
from caselink.linkage.models.base import LinkageModelBase
from caselink.linkage.models.splits import check_binary_labels, fit_platt, out_of_fold, sigmoid

CS = (0.03, 0.3, 3.0)
"""Inverse penalty strengths tried by cross-validation (``C="cv"``), per 1,000 pairs."""

ATTRIBUTE_PENALTY = 4.0
"""Penalty multiplier of the per-attribute MO features against the pooled ones:
each attribute's own evidence is a deviation from the pooled MO evidence,
learnt only where its pairs support it (partial pooling)."""

INF = np.inf


@dataclass
class Design:
    """The feature matrix of some pairs and what each column is.

    ``owner[f]`` is the comparison feature ``f`` belongs to, or -1 for a
    pooled MO feature, whose per-comparison parts (summing to the column)
    are ``parts[f]``; ``penalty[f]`` multiplies the L2 penalty of its
    coefficient.
    """

    matrix: np.ndarray
    names: list[str]
    owner: list[int]
    bounds: list[tuple[float, float]]
    penalty: list[float]
    parts: dict[int, dict[int, np.ndarray]]


Parts = dict[int, np.ndarray] | None
"""A pooled MO feature's per-comparison parts (summing to the feature), or None."""


def design(X: pd.DataFrame, comparisons: Sequence[Comparison]) -> Design:
    """Features of each pair (see the module docstring)."""
    cols: list[np.ndarray] = []
    names: list[str] = []
    owner: list[int] = []
    bounds: list[tuple[float, float]] = []
    penalty: list[float] = []
    parts: dict[int, dict[int, np.ndarray]] = {}

    def add(
        values: np.ndarray, name: str, j: int, bound: tuple[float, float], pen: float, by: Parts
    ) -> None:
        if by is not None:
            parts[len(cols)] = by
        cols.append(np.asarray(values, dtype=float))
        names.append(name)
        owner.append(j)
        bounds.append(bound)
        penalty.append(pen)

    _features(X, comparisons, add)
    # filled column by column (Fortran order): numpy's column_stack writes
    # each column across the rows of a C-ordered matrix, 2-3x slower
    matrix = np.empty((len(X), len(cols)), dtype=float, order="F")
    for k, col in enumerate(cols):
        matrix[:, k] = col
    return Design(matrix, names, owner, bounds, penalty, parts)


def weighted_sum(
    X: pd.DataFrame, comparisons: Sequence[Comparison], coef: np.ndarray
) -> np.ndarray:
    """``design(X).matrix @ coef`` without building the matrix: each feature
    is added to the sum as it is made (scoring millions of pairs holds one
    feature column at a time, not the whole design)."""
    total = np.zeros(len(X))
    k = 0

    def add(
        values: np.ndarray, name: str, j: int, bound: tuple[float, float], pen: float, by: Parts
    ) -> None:
        nonlocal k
        if k >= len(coef):
            raise ValueError(f"the model has {len(coef)} coefficients; the comparisons make more")
        if coef[k] != 0.0:
            total[:] += coef[k] * np.asarray(values, dtype=float)
        k += 1

    _features(X, comparisons, add)
    if k != len(coef):
        raise ValueError(f"the model has {len(coef)} coefficients; the comparisons make {k}")
    return total


def _features(
    X: pd.DataFrame,
    comparisons: Sequence[Comparison],
    sink: Callable[[np.ndarray, str, int, tuple[float, float], float, Parts], None],
) -> None:
    """Each feature of :func:`design` in column order, given to ``sink`` as
    (values, name, owner, bound, penalty, parts)."""

    def add(
        values: np.ndarray,
        name: str,
        j: int,
        bound: tuple[float, float],
        pen: float = 1.0,
        by: Parts = None,
    ) -> None:
        sink(values, name, j, bound, pen, by)

    shared: dict[int, np.ndarray] = {}
    rarities: dict[int, np.ndarray] = {}
    differ: dict[int, np.ndarray] = {}
    for j, comp in enumerate(comparisons):
        level = comp.levels(X)
        if comp.kind in ("closeness", "similarity"):
            add(level == 0, f"{comp.name}:missing", j, (-INF, INF))
            sign = (-INF, 0.0) if comp.kind == "closeness" else (0.0, INF)
            for k in range(2, comp.n_levels):
                add(level >= k, f"{comp.name}:level>={k}", j, sign)
            # a smooth term of the same sign ranks pairs within a level too
            # (beyond the last edge, steps alone cannot tell 25 km from 60 km)
            raw = np.nan_to_num(X[comp.columns[0][0]].to_numpy(dtype=float), nan=0.0)
            smooth = np.log1p(np.maximum(raw, 0.0)) if comp.kind == "closeness" else raw
            add(smooth, f"{comp.name}:log1p" if comp.kind == "closeness" else comp.name, j, sign)
        elif comp.kind == "binary":
            add(level == 0, f"{comp.name}:missing", j, (-INF, INF))
            add(level == 2, f"{comp.name}:same", j, (0.0, INF))
        elif comp.kind == "case_type":
            rarity = np.nan_to_num(X[comp.columns[1][0]].to_numpy(dtype=float), nan=0.0)
            add(level >= 1, f"{comp.name}:same family", j, (0.0, INF))
            add(level >= 2, f"{comp.name}:same type", j, (0.0, INF))
            add(level >= 3, f"{comp.name}:uncommon type", j, (0.0, INF))
            add(np.where(level >= 2, rarity, 0.0), f"{comp.name}:rarity", j, (0.0, INF))
        else:  # agreement: per attribute, penalised more than the pooled MO features
            rarity = np.nan_to_num(X[comp.columns[1][0]].to_numpy(dtype=float), nan=0.0)
            overlap = np.nan_to_num(X[comp.columns[0][0]].to_numpy(dtype=float), nan=0.0)
            pen = ATTRIBUTE_PENALTY
            add(level == 0, f"{comp.name}:missing", j, (-INF, INF), pen)
            add(level >= 2, f"{comp.name}:shared", j, (0.0, INF), pen)
            add(level >= 3, f"{comp.name}:shared uncommon", j, (0.0, INF), pen)
            add(level >= 4, f"{comp.name}:shared rare", j, (0.0, INF), pen)
            add(np.where(level >= 2, rarity, 0.0), f"{comp.name}:rarity", j, (0.0, INF), pen)
            add(np.where(level >= 2, overlap, 0.0), f"{comp.name}:overlap", j, (0.0, INF), pen)
            if comp.name != "victim_group":
                shared[j] = (level >= 2).astype(float)
                rarities[j] = np.where(level >= 2, rarity, 0.0)
                differ[j] = (level == 1).astype(float)
    if shared:
        recorded = sum(shared[j] + differ[j] for j in shared)
        n_rec = np.maximum(np.asarray(recorded, dtype=float), 1.0)
        pooled = {
            "MO:values shared": (shared, (0.0, INF)),
            "MO:rarity of shared values": (rarities, (0.0, INF)),
            "MO:values differing": (differ, (-INF, 0.0)),
            "MO:share of recorded values shared": (
                {j: v / n_rec for j, v in shared.items()},
                (0.0, INF),
            ),
        }
        for name, (by_comp, bound) in pooled.items():
            add(sum(by_comp.values()), name, -1, bound, by=by_comp)


def fit_bounded_logistic(
    Z: np.ndarray,
    y: np.ndarray,
    bounds: Sequence[tuple[float, float]],
    C: float,
    weight: np.ndarray | None = None,
    penalty: Sequence[float] | None = None,
) -> tuple[float, np.ndarray]:
    """(intercept, coefficients) minimising Σ w·logloss + Σ penalty·β²/(2C) within ``bounds``."""
    n, p = Z.shape
    pen = np.ones(p) if penalty is None else np.asarray(penalty, dtype=float)
    w = np.ones(n) if weight is None else np.asarray(weight, dtype=float)
    yf = y.astype(float)
    base = float(np.log((w * yf).sum() / (w * (1 - yf)).sum()))

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        b0, beta = theta[0], theta[1:]
        z = b0 + Z @ beta
        # log(1 + e^z) - y z, stably
        ll = np.logaddexp(0.0, z) - yf * z
        r = w * (sigmoid(z) - yf)
        value = float((w * ll).sum() + (pen * beta) @ beta / (2 * C))
        grad = np.concatenate([[r.sum()], Z.T @ r + pen * beta / C])
        return value, grad

    theta0 = np.zeros(p + 1)
    theta0[0] = base
    res = minimize(
        loss,
        theta0,
        jac=True,
        method="L-BFGS-B",
        bounds=[
            (None, None),
            *[(None if lo == -INF else lo, None if hi == INF else hi) for lo, hi in bounds],
        ],
        options={"maxiter": 500},
    )
    return float(res.x[0]), np.asarray(res.x[1:], dtype=float)


class LogisticLinkage(LinkageModelBase):
    """Regularised, sign-bounded logistic regression over comparison features.

    Parameters
    ----------
    comparisons
        The declared comparisons.
    C
        Inverse L2 penalty per 1,000 pairs (> 0), or ``"cv"``: the value of
        :data:`CS` with the best offender-grouped out-of-fold average precision.
    calibrate
        Platt-scale on out-of-fold scores.
    n_splits, random_state
        Folds (offender-grouped when ``groups`` is given) and their seed.

    Attributes
    ----------
    intercept_, coef_
        The fitted log-odds intercept and coefficients (features of :func:`design`).
    C_
        The penalty used.
    """

    FITTED = (*LinkageModelBase.FITTED, "intercept_", "coef_", "C_")

    def __init__(
        self,
        comparisons: Sequence[Comparison] | None = None,
        C: float | str = "cv",
        calibrate: bool = True,
        n_splits: int = 3,
        random_state: int = 0,
    ) -> None:
        self.comparisons = comparisons
        self.C = C
        self.calibrate = calibrate
        self.n_splits = n_splits
        self.random_state = random_state

    def fit(
        self,
        X: pd.DataFrame,
        y: ArrayLike,
        groups: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
    ) -> LogisticLinkage:
        """Fit the bounded, penalised coefficients (C by CV), then the calibration."""
        # Multithreaded BLAS on these thin matrices is 10-40x slower on a
        # shared two-core machine (measured); one thread is fast and predictable.
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(X, y, groups, sample_weight)

    def _fit(
        self,
        X: pd.DataFrame,
        y: ArrayLike,
        groups: ArrayLike | None,
        sample_weight: ArrayLike | None,
    ) -> LogisticLinkage:
        if self.C != "cv" and not (isinstance(self.C, int | float) and self.C > 0):
            raise ValueError(f"C must be > 0 or 'cv', got {self.C!r}")
        comps = self._comparisons()
        labels = check_binary_labels(y)
        d = design(X, comps)
        Z, bounds = d.matrix, d.bounds
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        scale = len(labels) / 1000.0

        def oof(c: float) -> tuple[np.ndarray, np.ndarray]:
            def fit_score(train: np.ndarray, test: np.ndarray) -> np.ndarray:
                b0, beta = fit_bounded_logistic(
                    Z[train],
                    labels[train],
                    bounds,
                    c * len(train) / 1000.0,
                    None if w is None else w[train],
                    d.penalty,
                )
                return np.asarray(b0 + Z[test] @ beta)

            return out_of_fold(
                fit_score, len(labels), groups, labels, self.n_splits, self.random_state
            )

        cached: dict[float, tuple[np.ndarray, np.ndarray]] = {}
        if self.C == "cv":
            best, best_ap = CS[0], -1.0
            for c in CS:  # ties go to the stronger penalty, tried first
                idx, scores = cached[c] = oof(c)
                ap = float(average_precision_score(labels[idx], scores))
                if ap > best_ap + 1e-4:
                    best, best_ap = c, ap
            self.C_ = float(best)
        else:
            self.C_ = float(self.C)
        self.intercept_, self.coef_ = fit_bounded_logistic(
            Z, labels, bounds, self.C_ * scale, w, d.penalty
        )
        self.classes_ = np.array([0, 1])
        self.calibration_ = (1.0, 0.0)
        if self.calibrate:
            idx, scores = cached.get(self.C_) or oof(self.C_)
            self.calibration_ = fit_platt(scores, labels[idx])
        return self

    def raw_score(self, X: pd.DataFrame) -> np.ndarray:
        """Intercept plus the features' weighted sum."""
        return np.asarray(self.intercept_ + weighted_sum(X, self._comparisons(), self.coef_))

    def factors(self, X: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        """Calibrated log multiplier of each comparison (they sum to the log-odds);
        a pooled MO feature is shared out by its per-attribute parts."""
        comps = self._comparisons()
        d = design(X, comps)
        a, b = self.calibration_
        contrib = {c.name: np.zeros(len(X)) for c in comps}
        for f, j in enumerate(d.owner):
            if j >= 0:
                contrib[comps[j].name] += a * self.coef_[f] * d.matrix[:, f]
            else:
                for jj, part in d.parts[f].items():
                    contrib[comps[jj].name] += a * self.coef_[f] * part
        base = np.full(len(X), a * self.intercept_ + b)
        return base, pd.DataFrame(contrib, index=X.index)

    def coefficients(self) -> pd.DataFrame:
        """One row per feature: name and coefficient (log multiplier)."""
        comps = self._comparisons()
        empty = pd.DataFrame({c: [np.nan] for comp in comps for c in comp.column_names})
        return pd.DataFrame({"feature": design(empty, comps).names, "coefficient": self.coef_})
