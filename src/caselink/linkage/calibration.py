"""Are the link probabilities what they say? Reliability, ECE, isotonic recalibration.

A probability of 0.8 must mean about 8 in 10. Measured on out-of-fold
(offender-grouped) predictions: the reliability table (mean predicted against
observed share per bin) and the expected calibration error (ECE: the
pair-weighted mean absolute gap over equal-width bins). Recalibration is
isotonic regression of the outcome on the out-of-fold probability, kept only
where it lowers the ECE measured by cross-fitting (fitted on some folds,
measured on the others), so it is never chosen on the pairs it was fitted to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression

N_BINS = 10
IMPROVEMENT = 0.001
"""ECE reduction (absolute) isotonic recalibration must bring to be used."""


def reliability(y: np.ndarray, p: np.ndarray, n_bins: int = N_BINS) -> pd.DataFrame:
    """Per equal-width probability bin: pairs, mean predicted, observed share."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    bins = np.minimum((p * n_bins).astype(np.int64), n_bins - 1)
    rows = []
    for b in range(n_bins):
        sel = bins == b
        if sel.any():
            rows.append(
                {
                    "bin": f"[{b / n_bins:.1f}, {(b + 1) / n_bins:.1f})",
                    "pairs": int(sel.sum()),
                    "mean_predicted": float(p[sel].mean()),
                    "observed_share": float(y[sel].mean()),
                }
            )
    return pd.DataFrame(rows, columns=["bin", "pairs", "mean_predicted", "observed_share"])


def expected_calibration_error(y: np.ndarray, p: np.ndarray, n_bins: int = N_BINS) -> float:
    """Pair-weighted mean |mean predicted − observed share| over equal-width bins."""
    table = reliability(y, p, n_bins)
    if table.empty:
        return float("nan")
    gap = (table["mean_predicted"] - table["observed_share"]).abs()
    return float((gap * table["pairs"]).sum() / table["pairs"].sum())


def fit_isotonic(p: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knots (x, y) of the isotonic map from probability to observed share."""
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(p, y)
    return np.asarray(iso.X_thresholds_, dtype=float), np.asarray(iso.y_thresholds_, dtype=float)


def apply_isotonic(knots: tuple[np.ndarray, np.ndarray], p: np.ndarray) -> np.ndarray:
    """The recalibrated probability (linear between knots, clipped at the ends)."""
    return np.asarray(np.interp(p, knots[0], knots[1]), dtype=float)


@dataclass
class CalibrationChoice:
    """ECE of the model's out-of-fold probabilities, with and without isotonic
    recalibration (cross-fitted), and the map to use (None: keep Platt)."""

    ece: float
    ece_isotonic: float
    isotonic: tuple[np.ndarray, np.ndarray] | None

    @property
    def method(self) -> str:
        """ "platt" or "platt+isotonic"."""
        return "platt" if self.isotonic is None else "platt+isotonic"

    @property
    def ece_final(self) -> float:
        """The ECE of the method chosen."""
        return self.ece if self.isotonic is None else self.ece_isotonic


def choose_calibration(
    y: np.ndarray, p: np.ndarray, fold: np.ndarray, improvement: float = IMPROVEMENT
) -> CalibrationChoice:
    """Isotonic recalibration if, fitted on the other folds and applied to each
    fold in turn, it lowers the ECE by at least ``improvement``."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    ece = expected_calibration_error(y, p)
    crossed = np.empty_like(p)
    for f in np.unique(fold):
        test = fold == f
        train = ~test
        if len(np.unique(y[train])) < 2:
            crossed[test] = p[test]
            continue
        crossed[test] = apply_isotonic(fit_isotonic(p[train], y[train]), p[test])
    ece_iso = expected_calibration_error(y, crossed)
    use = ece_iso < ece - improvement
    return CalibrationChoice(ece, ece_iso, fit_isotonic(p, y) if use else None)
