"""Journey-to-crime: a distance-decay function fitted from solved series.

As CrimeStat's empirical calibration (Levine, *CrimeStat* manual, ch.
"Journey to Crime Estimation"): the offence-to-home distances of solved
series are smoothed by a kernel density estimate, and the score of a cell for
a new series is the sum, over its crimes, of that density at the
crime-to-cell distance::

    score(cell) = sum_n  f_hat(d(cell, crime_n))

``f_hat`` is a Gaussian kernel density of the distances, reflected at zero so
that no mass leaks below 0 km (Silverman 1986, §2.10), with Silverman's
rule-of-thumb bandwidth ``0.9 * min(sd, IQR / 1.34) * N**(-1/5)`` unless one
is given. Distances are Euclidean (CrimeStat also offers Manhattan).

The solved-series frame has one row per crime: ``series_id, lat, lon,
home_lat, home_lon`` (the home of that series' offender). Offence-to-home
distances are great-circle kilometres.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from caselink.geoprofile.grid import Grid
from caselink.geoprofile.profiler import Profiler, corner_distance_max, distances_to_cells
from caselink.geoprofile.projection import FloatArray, distance_km
from caselink.records.frames import require_columns

SOLVED_COLUMNS: tuple[str, ...] = ("series_id", "lat", "lon", "home_lat", "home_lon")
TABLE_SIZE = 1024
"""Points of the tabulated decay function (linear interpolation between them)."""
_CHUNK = 2048


class NotFittedError(RuntimeError):
    """A method that learns from solved series was used before ``fit``."""


def validate_solved(solved: pd.DataFrame) -> pd.DataFrame:
    """Check the solved-series frame; every problem is reported, not just the first.

    Raises
    ------
    ValueError
        Naming missing columns, or each row and field with a missing,
        non-numeric or out-of-range coordinate.
    """
    require_columns(solved, SOLVED_COLUMNS, "solved-series frame")
    problems: list[str] = []
    for col, limit in (("lat", 90.0), ("lon", 180.0), ("home_lat", 90.0), ("home_lon", 180.0)):
        values = pd.to_numeric(solved[col], errors="coerce")
        bad = ~np.isfinite(values.to_numpy(dtype=np.float64)) | (values.abs() > limit)
        for row in np.flatnonzero(bad.to_numpy()):
            value = solved[col].iloc[row]
            shown = value.item() if isinstance(value, np.generic) else value
            problems.append(f"row {row}: {col}={shown!r} is not a coordinate")
    if solved["series_id"].isna().any():
        rows = np.flatnonzero(solved["series_id"].isna().to_numpy())
        problems.extend(f"row {r}: series_id is missing" for r in rows)
    if problems:
        raise ValueError("invalid solved-series frame: " + "; ".join(problems))
    if len(solved) < 2:
        raise ValueError(
            f"need at least 2 solved crimes to fit a distance decay, got {len(solved)}"
        )
    return solved


def journey_distances(solved: pd.DataFrame) -> FloatArray:
    """Offence-to-home distances (km) of a validated solved-series frame."""
    return distance_km(
        solved["lat"].to_numpy(dtype=np.float64),
        solved["lon"].to_numpy(dtype=np.float64),
        solved["home_lat"].to_numpy(dtype=np.float64),
        solved["home_lon"].to_numpy(dtype=np.float64),
    )


def silverman_bandwidth(d: FloatArray) -> float:
    """Silverman's rule of thumb ``0.9 min(sd, IQR/1.34) N^(-1/5)`` for 1-D data (km)."""
    sd = float(np.std(d, ddof=1)) if d.size > 1 else 0.0
    q75, q25 = np.percentile(d, [75, 25])
    spread = min(sd, float(q75 - q25) / 1.34) or sd
    if not spread > 0:
        raise ValueError(
            "bandwidth_km cannot be derived: all offence-to-home distances are equal; give one"
        )
    return float(0.9 * spread * d.size ** (-0.2))


def reflected_kde(r: FloatArray, sample: FloatArray, bandwidth: float) -> FloatArray:
    """Gaussian kernel density of ``sample`` (>= 0) reflected at 0, evaluated at ``r`` >= 0.

    The sample is binned to a sixteenth of the bandwidth first (a binned
    kernel estimate; each kernel moves by at most h/32), so the cost grows with
    the occupied bins rather than the number of solved crimes.
    """
    width = bandwidth / 16.0
    bins, counts = np.unique(np.rint(sample / width).astype(np.int64), return_counts=True)
    centres = bins.astype(np.float64) * width
    weights = counts.astype(np.float64)
    out = np.zeros_like(r)
    norm = 1.0 / (sample.size * bandwidth * np.sqrt(2.0 * np.pi))
    for start in range(0, centres.size, _CHUNK):
        s = centres[start : start + _CHUNK][None, :]
        w = weights[start : start + _CHUNK][None, :]
        z1 = (r[:, None] - s) / bandwidth
        z2 = (r[:, None] + s) / bandwidth
        out += (w * (np.exp(-0.5 * z1**2) + np.exp(-0.5 * z2**2))).sum(axis=1)
    result: FloatArray = out * norm
    return result


class JourneyToCrime(Profiler):
    """CrimeStat-style journey-to-crime surface with an empirically fitted decay.

    Parameters
    ----------
    bandwidth_km : float, optional
        Kernel bandwidth for the distance density; default Silverman's rule.

    Attributes
    ----------
    distances_ : ndarray
        Offence-to-home distances (km) the decay was fitted on.
    bandwidth_ : float
        Bandwidth used, km.
    n_series_ : int
        Number of solved series fitted on.
    """

    name: ClassVar[str] = "jtc"

    def __init__(self, bandwidth_km: float | None = None) -> None:
        self.bandwidth_km = bandwidth_km

    def fit(self, solved: pd.DataFrame) -> JourneyToCrime:
        """Fit the distance decay on solved series (columns ``SOLVED_COLUMNS``)."""
        if self.bandwidth_km is not None and not self.bandwidth_km > 0:
            raise ValueError(f"bandwidth_km must be > 0, got {self.bandwidth_km}")
        validate_solved(solved)
        self.distances_ = journey_distances(solved)
        self.bandwidth_ = (
            float(self.bandwidth_km)
            if self.bandwidth_km is not None
            else silverman_bandwidth(self.distances_)
        )
        self.n_series_ = int(solved["series_id"].nunique())
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "distances_"):
            raise NotFittedError(
                f"{type(self).__name__} is not fitted: call fit(solved) with solved series first"
            )

    def decay(self, d: FloatArray) -> FloatArray:
        """The fitted distance-decay density f_hat at distances ``d`` (km, >= 0)."""
        self._check_fitted()
        return reflected_kde(np.asarray(d, dtype=np.float64), self.distances_, self.bandwidth_)

    def score_grid(self, x: FloatArray, y: FloatArray, grid: Grid) -> FloatArray:
        """Sum over crimes of the fitted decay at the crime-to-cell distance."""
        self._check_fitted()
        r_max = corner_distance_max(x, y, grid, "euclidean")
        table_r = np.linspace(0.0, r_max, TABLE_SIZE)
        table_f = self.decay(table_r)
        total = np.zeros(grid.shape, dtype=np.float64)
        for xn, yn in zip(x, y, strict=True):
            total += np.interp(distances_to_cells(xn, yn, grid, "euclidean"), table_r, table_f)
        return total
