"""The average of the three trained linkage models: less variance than picking one.

Naive Bayes (shrunk toward the default model), the sign-bounded logistic
model and the monotone boosted trees each give a calibrated log-odds of a
link. This model averages them (equal weights) and Platt-scales the average
on out-of-fold scores. Why average rather than pick: with a hundred or two
linked training pairs, which single model wins offender-grouped CV changes
with the fold draw, and a wrong pick is costly (on one synthetic city CV
chose naive Bayes, test AP 0.33, where the average gives 0.46); averaging
models whose errors differ keeps most of the best one's accuracy wherever it
is (``benchmarks/linkage_generalisation.py``). Equal weights, because
weights fitted to the out-of-fold scores (non-negative stacking) did no
better and vary more.

The explanation is the average of the members' explanations, scaled by the
Platt slope: exact for naive Bayes and logistic, the boosted member's
approximation for its share.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from caselink.linkage.comparisons import Comparison
from caselink.linkage.models.base import LinkageModelBase
from caselink.linkage.models.boosted import BOUND_SLACK, BoostedLinkage, tree_log_odds
from caselink.linkage.models.logistic import LogisticLinkage
from caselink.linkage.models.naive_bayes import NaiveBayesLinkage
from caselink.linkage.models.splits import check_binary_labels, fit_platt, out_of_fold, sigmoid

MEMBERS = ("naive_bayes", "logistic", "boosted")
"""The members, in order (the names of :data:`caselink.linkage.selection.MODEL_FACTORIES`)."""


class EnsembleLinkage(LinkageModelBase):
    """Equal-weight average of the calibrated log-odds of naive Bayes, logistic
    and boosted models, Platt-scaled on out-of-fold scores.

    Parameters
    ----------
    comparisons
        The declared comparisons.
    target_log_ratio
        The default model's level log ratios, toward which the naive Bayes
        member shrinks (None: toward no evidence).
    calibrate
        Platt-scale the average on out-of-fold scores.
    n_splits, random_state
        Folds (offender-grouped when ``groups`` is given) and their seed.

    Attributes
    ----------
    naive_bayes_, logistic_, boosted_
        The fitted members.
    """

    FITTED = (*LinkageModelBase.FITTED, "naive_bayes_", "logistic_", "boosted_")

    def __init__(
        self,
        comparisons: Sequence[Comparison] | None = None,
        target_log_ratio: Sequence[np.ndarray] | None = None,
        calibrate: bool = True,
        n_splits: int = 3,
        random_state: int = 0,
    ) -> None:
        self.comparisons = comparisons
        self.target_log_ratio = target_log_ratio
        self.calibrate = calibrate
        self.n_splits = n_splits
        self.random_state = random_state

    def _members(self) -> dict[str, LinkageModelBase]:
        comps = self._comparisons()
        return {
            "naive_bayes": NaiveBayesLinkage(comps, target_log_ratio=self.target_log_ratio),
            "logistic": LogisticLinkage(comps),
            "boosted": BoostedLinkage(comps),
        }

    @classmethod
    def from_members(
        cls,
        members: dict[str, LinkageModelBase],
        calibration: tuple[float, float],
        target_log_ratio: Sequence[np.ndarray] | None = None,
    ) -> EnsembleLinkage:
        """The ensemble of already fitted members, with the Platt ``calibration``
        of their average fitted elsewhere (by model selection, on the members'
        out-of-fold scores)."""
        missing = [m for m in MEMBERS if m not in members]
        if missing:
            raise ValueError(f"an ensemble needs the members {list(MEMBERS)}, missing {missing}")
        model = cls(members["logistic"].comparisons, target_log_ratio)
        model.naive_bayes_ = members["naive_bayes"]
        model.logistic_ = members["logistic"]
        model.boosted_ = members["boosted"]
        model.classes_ = np.array([0, 1])
        model.calibration_ = calibration
        return model

    def fit(
        self, X: pd.DataFrame, y: ArrayLike, groups: ArrayLike | None = None
    ) -> EnsembleLinkage:
        """Fit the members, then Platt-scale their average on out-of-fold scores."""
        labels = check_binary_labels(y)
        g = None if groups is None else np.asarray(groups, dtype=object)

        def fit_members(idx: np.ndarray) -> list[LinkageModelBase]:
            out = []
            for member in self._members().values():
                if g is None:
                    out.append(member.fit(X.iloc[idx], labels[idx]))
                else:
                    out.append(member.fit(X.iloc[idx], labels[idx], groups=g[idx]))
            return out

        self.calibration_ = (1.0, 0.0)
        if self.calibrate:

            def fit_score(train: np.ndarray, test: np.ndarray) -> np.ndarray:
                fitted = fit_members(train)
                return average_log_odds(fitted, X.iloc[test])

            idx, scores = out_of_fold(
                fit_score, len(labels), g, labels, self.n_splits, self.random_state
            )
            self.calibration_ = fit_platt(scores, labels[idx])
        self.naive_bayes_, self.logistic_, self.boosted_ = fit_members(np.arange(len(labels)))
        self.classes_ = np.array([0, 1])
        return self

    def members(self) -> list[LinkageModelBase]:
        """The fitted members, in the order of :data:`MEMBERS`."""
        return [self.naive_bayes_, self.logistic_, self.boosted_]

    def raw_score(self, X: pd.DataFrame) -> np.ndarray:
        """The average of the members' calibrated log-odds."""
        return average_log_odds(self.members(), X)

    def members_sum_needed(self, p: float) -> float:
        """The sum of the members' calibrated log-odds a pair needs for its
        final probability to reach ``p`` (the average's Platt map undone;
        the Platt slope must be positive)."""
        a, b = self.calibration_
        return (self.decision_needed(p) - b) / a * len(MEMBERS)

    def link_probability(self, X: pd.DataFrame, at_least: float = 0.0) -> np.ndarray:
        """:meth:`predict_proba`'s probability, the boosted member's trees walked
        only for the pairs that can reach ``at_least`` with the other members'
        exact log-odds and the trees' bound (:meth:`BoostedLinkage.raw_bound`);
        NaN for the others."""
        a, b = self.calibration_
        boosted = self.boosted_
        ba, bb = boosted.calibration_
        if at_least <= 0 or a <= 0 or ba <= 0:
            return super().link_probability(X, at_least)
        features = boosted.features(X)
        bound = boosted.raw_bound(features)
        if bound is None:
            return super().link_probability(X, at_least)
        k = len(MEMBERS)
        needed = self.members_sum_needed(at_least)
        rest = self.naive_bayes_.decision_function(X) + self.logistic_.decision_function(X)
        maybe = rest + ba * bound + bb >= needed - BOUND_SLACK
        out = np.full(len(X), np.nan)
        if maybe.any():
            trees = ba * tree_log_odds(boosted.trees_, features[maybe]) + bb
            out[maybe] = self.recalibrate(sigmoid(a * ((rest[maybe] + trees) / k) + b))
        return out

    def factors(self, X: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        """The members' evidence averaged, times the Platt slope (sums to the log-odds
        where each member's does)."""
        a, b = self.calibration_
        parts = [m.factors(X) for m in self.members()]
        k = len(parts)
        base = a * sum(p[0] for p in parts) / k + b
        contrib = sum((p[1] for p in parts[1:]), parts[0][1]) * (a / k)
        return np.asarray(base, dtype=float), contrib


def average_log_odds(members: Sequence[LinkageModelBase], X: pd.DataFrame) -> np.ndarray:
    """Mean of the members' calibrated log-odds."""
    return np.asarray(sum(m.decision_function(X) for m in members) / len(members), dtype=float)
