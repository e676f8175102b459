"""A linkage model for a store with no solved cases: prior knowledge, calibrated prior odds.

m-probabilities (how comparisons look for two crimes by the same offender)
come from the crime-linkage literature, encoded as stated distributions:

* Distance and time are the strongest cues; linked crimes are mostly close in
  space and time (Bennell & Canter 2002, Science & Justice 42:153–164,
  inter-crime distance AUC ~0.9 for burglary; Markson, Woodhams & Bond 2010,
  J. Investigative Psychology and Offender Profiling 7:91–107, temporal
  proximity; Porter 2016, The American Statistician 70:152–165). Encoded as
  linked inter-crime distance ~ 85% Exponential(mean 1.5 km) + 15% the
  background (the distances of unrelated pairs, u) and days apart ~ 85%
  Exponential(mean 60 days) + 15% background. The tail is the background,
  not a wider exponential: a linked pair far apart is as far apart as an
  unrelated one, so far levels get a factor near 0.15, never above the near
  ones (a wide exponential tail gave x12 at 10–20 km and x20 at 20+ km in
  small cities, where almost no random pairs are that far apart).
* MO and victim choice are moderately consistent (Woodhams & Toye 2007,
  Criminal Justice and Behavior 34:59–85; Bennell & Jones 2005): an
  offender repeats an MO value with probability ``mo_consistency`` (0.5) and
  a victim group / sex with probability ``victim_consistency`` (0.8); the
  repeated value is distributed as values are in the store, so sharing a rare
  value is strong evidence (the Fellegi–Sunter term-frequency adjustment).
* Time of day: 60% Exponential(mean 2 h) + 40% background; victim age
  difference: 70% Exponential(mean 4 y) + 30% background; text similarity:
  50% rising with similarity + 50% background.
* Closeness factors are non-increasing and similarity factors non-decreasing
  over their levels (weighted isotonic regression), and a disagreement is
  never evidence for a link (factor at most 1).

These numbers are our encoding of those qualitative findings, not values
published in the papers. u-probabilities (how comparisons look for unrelated
pairs) are counted on random pairs of stored cases, which are overwhelmingly
unrelated (as Splink's ``estimate_u_using_random_sampling``). The prior odds
of a link are those of two random cases: a share ``series_share`` of the N
cases belong to series of mean size ``mean_series_size``, so a random pair is
linked with probability series_share·(mean_series_size−1)/(N−1). (Estimating
that share freely by EM over the candidate pairs gave shares near 0.3 and
probabilities near 1 for a quarter of all pairs.) Each factor is bounded to
×``max_factor`` either way, since the naive-Bayes product over-counts
correlated cues. No calibration is possible without solved cases; the
probabilities are model-based.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from caselink.linkage.comparisons import Comparison
from caselink.linkage.features import level_matrix
from caselink.linkage.models.base import LinkageModelBase
from caselink.linkage.models.naive_bayes import _monotone, disagreement_level, monotone_direction

# (weight, mean) of the exponential part of "closeness" comparisons; the rest
# of the weight is the background (the unrelated pairs' distribution, u).
CLOSENESS_PRIORS: dict[str, tuple[float, float]] = {
    "distance": (0.85, 1.5),
    "days": (0.85, 60.0),
    "victim_age": (0.7, 4.0),
    "time_of_day": (0.6, 2.0),
}
NUMERIC_MO_PRIOR = (0.4, 0.3, 0.2, 0.1)  # by quartile bin of unrelated differences
SIMILARITY_PRIOR_SLOPE = 1.5  # m rises with similarity: m_l ∝ slope**l
SIMILARITY_PRIOR_WEIGHT = 0.5  # the rest is background: shared boilerplate is common


def _exp_cdf(x: float, mean: float) -> float:
    return 1.0 if np.isinf(x) else float(1 - np.exp(-x / mean))


def _bins(edges: Sequence[float], cdf: object) -> np.ndarray:
    bounds = [0.0, *edges, float("inf")]
    return np.array(
        [cdf(hi) - cdf(lo) for lo, hi in itertools.pairwise(bounds)]  # type: ignore[operator]
    )


class PriorLinkage(LinkageModelBase):
    """Default model: literature m, u from random pairs, prior odds from expected series pairs.

    Parameters
    ----------
    comparisons
        The declared comparisons.
    value_mass
        For each value attribute, the share of values that are (common,
        uncommon, rare), from the store's vocabulary
        (:meth:`caselink.linkage.tables.Vocabulary.class_mass`). Without it,
        (0.8, 0.15, 0.05).
    mo_consistency, victim_consistency
        Probability that an offender repeats an MO value / a victim group.
    alpha
        Laplace smoothing of the u counts.
    series_share, mean_series_size
        Assumed share of cases that belong to a series of two or more, and
        the mean size of a series: they set the prior odds of a link.
    max_factor
        Bound on each factor (likelihood ratio) and its inverse.
    """

    FITTED = (*LinkageModelBase.FITTED, "m_", "u_", "log_ratio_", "link_share_", "prior_log_odds_")

    def __init__(
        self,
        comparisons: Sequence[Comparison] | None = None,
        value_mass: Mapping[str, tuple[float, float, float]] | None = None,
        mo_consistency: float = 0.5,
        victim_consistency: float = 0.8,
        alpha: float = 1.0,
        series_share: float = 0.2,
        mean_series_size: float = 3.0,
        max_factor: float = 20.0,
    ) -> None:
        self.comparisons = comparisons
        self.value_mass = value_mass
        self.mo_consistency = mo_consistency
        self.victim_consistency = victim_consistency
        self.alpha = alpha
        self.series_share = series_share
        self.mean_series_size = mean_series_size
        self.max_factor = max_factor

    def prior_m(self, comp: Comparison, u: np.ndarray | None = None) -> np.ndarray:
        """The literature-based m-probabilities of each level of ``comp``.

        ``u`` (the unrelated pairs' level distribution) is the background part
        of closeness and similarity comparisons; without it, uniform over the
        recorded levels.
        """
        mass = (self.value_mass or {}).get(comp.name, (0.8, 0.15, 0.05))
        mass_arr = np.asarray(mass, dtype=float)
        mass_arr = mass_arr / mass_arr.sum() if mass_arr.sum() > 0 else np.full(3, 1 / 3)
        n_rec = comp.n_levels - 1
        if u is None:
            background = np.full(n_rec, 1.0 / n_rec)
        else:
            rec = np.asarray(u, dtype=float)[1:]
            background = rec / rec.sum()
        if comp.kind == "closeness":
            if comp.name in CLOSENESS_PRIORS:
                w, mean = CLOSENESS_PRIORS[comp.name]
                near = _bins(comp.edges, lambda x: _exp_cdf(x, mean))
                m = w * near + (1 - w) * background
            else:
                m = np.resize(np.asarray(NUMERIC_MO_PRIOR), n_rec)
            return np.concatenate([[1.0], m / m.sum()])
        if comp.kind == "similarity":
            shape = SIMILARITY_PRIOR_SLOPE ** np.arange(n_rec)
            w = SIMILARITY_PRIOR_WEIGHT
            m = w * shape / shape.sum() + (1 - w) * background
            return np.concatenate([[1.0], m / m.sum()])
        if comp.kind == "binary":
            c = self.victim_consistency
            return np.array([1.0, 1 - c, c])
        if comp.kind == "case_type":
            return np.array([0.1, 0.2, *(0.7 * mass_arr)])
        c = self.victim_consistency if comp.name.startswith("victim") else self.mo_consistency
        return np.array([1.0, 1 - c, *(c * mass_arr)])

    def fit(
        self,
        X: pd.DataFrame,
        y: ArrayLike | None = None,
        n_cases: int | None = None,
    ) -> PriorLinkage:
        """Count u on random pairs ``X``; set the prior odds from ``n_cases``.

        Parameters
        ----------
        X
            Comparison frame of random pairs of stored cases.
        y
            Ignored (accepted for the scikit-learn contract).
        n_cases
            Number of cases in the store (the prior probability that two
            random cases are linked falls as 1/N); ``len(X)`` when omitted.
        """
        for name in ("mo_consistency", "victim_consistency"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise ValueError(f"{name} must be in (0, 1), got {value!r}")
        if not self.alpha > 0:
            raise ValueError(f"alpha must be > 0, got {self.alpha!r}")
        if not 0 < self.series_share <= 1:
            raise ValueError(f"series_share must be in (0, 1], got {self.series_share!r}")
        if not self.mean_series_size >= 2:
            raise ValueError(f"mean_series_size must be >= 2, got {self.mean_series_size!r}")
        if not self.max_factor > 1:
            raise ValueError(f"max_factor must be > 1, got {self.max_factor!r}")
        comps = self._comparisons()
        levels = level_matrix(X, comps)
        if len(levels) == 0:
            raise ValueError("X must hold at least one candidate pair to estimate u")
        self.m_, self.u_, self.log_ratio_ = [], [], []
        for j, comp in enumerate(comps):
            k = comp.n_levels
            counts = np.bincount(levels[:, j], minlength=k)[:k].astype(float)
            u = (counts + self.alpha) / (counts.sum() + self.alpha * k)
            m = self.prior_m(comp, u)
            lr = np.log(np.clip(m, 1e-12, None) / u)
            if comp.kind != "case_type":
                # As in NaiveBayesLinkage: evidence conditional on being recorded
                # for both cases (the prior m already sums to 1 over those levels).
                lr = lr + np.log(u[1:].sum())
                lr[0] = 0.0
            lr = _monotone(lr, counts + self.alpha, monotone_direction(comp))
            lvl = disagreement_level(comp)
            if lvl is not None:
                # Under the prior, a disagreement is never evidence for a link.
                lr[lvl] = min(lr[lvl], 0.0)
            bound = float(np.log(self.max_factor))
            self.m_.append(m)
            self.u_.append(u)
            self.log_ratio_.append(np.clip(lr, -bound, bound))
        n = max(int(n_cases if n_cases is not None else len(X)), 2)
        lam = min(self.series_share * (self.mean_series_size - 1.0) / (n - 1), 0.5)
        self.link_share_ = lam
        self.prior_log_odds_ = float(np.log(lam / (1 - lam)))
        self.calibration_ = (1.0, 0.0)
        self.classes_ = np.array([0, 1])
        return self

    def raw_score(self, X: pd.DataFrame) -> np.ndarray:
        """Prior log-odds plus the level log ratios (summed in numpy: the batch hot path)."""
        levels = level_matrix(X, self._comparisons())
        total = np.full(len(X), self.prior_log_odds_)
        for j, lr in enumerate(self.log_ratio_):
            total += lr[levels[:, j]]
        return total

    def factors(self, X: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        """Per-comparison log multipliers ln(m/u)."""
        comps = self._comparisons()
        levels = level_matrix(X, comps)
        contrib = {c.name: self.log_ratio_[j][levels[:, j]] for j, c in enumerate(comps)}
        return np.full(len(X), self.prior_log_odds_), pd.DataFrame(contrib, index=X.index)
