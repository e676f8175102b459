"""What every linkage model offers: calibrated probabilities and per-factor evidence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin

from caselink.linkage.comparisons import Comparison
from caselink.linkage.models.splits import sigmoid


class LinkageModelBase(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Base of the linkage models (scikit-learn estimators over comparison frames).

    ``X`` is a comparison frame (:func:`caselink.linkage.features.compare`);
    ``classes_`` is ``[0, 1]`` (1 = same offender). Subclasses implement
    :meth:`raw_score` (an uncalibrated log-odds) and :meth:`factors`.
    """

    comparisons: Sequence[Comparison] | None
    calibration_: tuple[float, float]

    def _comparisons(self) -> list[Comparison]:
        if not self.comparisons:
            raise ValueError(
                "comparisons must be the declared comparisons "
                "(caselink.linkage.comparisons.build_comparisons), got none"
            )
        return list(self.comparisons)

    def raw_score(self, X: pd.DataFrame) -> np.ndarray:
        """Uncalibrated log-odds of a link for each pair."""
        raise NotImplementedError

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated log-odds of a link for each pair."""
        a, b = self.calibration_
        return a * self.raw_score(X) + b

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities, columns in the order of ``classes_`` (unlinked, linked)."""
        p = sigmoid(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """1 where the link probability is at least 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)

    def factors(self, X: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        """Evidence of each comparison as a natural-log multiplier of the odds.

        Returns
        -------
        (base, contributions)
            ``base`` — log prior odds per pair; ``contributions`` — one column
            per comparison. For the naive Bayes models ``base`` plus the row
            sum is exactly the calibrated log-odds.
        """
        raise NotImplementedError

    def score(self, X: pd.DataFrame, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """Average precision of the link probabilities (the headline measure)."""
        from sklearn.metrics import average_precision_score

        return float(
            average_precision_score(y, self.predict_proba(X)[:, 1], sample_weight=sample_weight)
        )
