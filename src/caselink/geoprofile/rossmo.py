"""Rossmo's criminal geographic targeting (CGT).

For a cell centre (X_i, Y_j) and crime sites (x_n, y_n), n = 1..C, with the
Manhattan distance d_n = |X_i - x_n| + |Y_j - y_n| (Rossmo 1995; 2000, ch. 10)::

    p_ij = k * sum_n [ phi_n / d_n**f  +  (1 - phi_n) * B**(g - f) / (2B - d_n)**g ]

    phi_n = 1 if d_n > B else 0

Outside the buffer zone (d > B) the score decays with distance as ``d**-f``;
inside it the second term rises from ``B**(g-f) / (2B)**g`` at the crime site
to ``B**-f`` at its edge, where both terms meet, so the surface is continuous
and is highest at distance B from the crimes. ``k`` only scales the surface:
here it makes the scores sum to 1 over the grid.

Parameters and their sources:

- ``f``, ``g``: 1.2 each, the exponents usually quoted for Rossmo's (1995)
  calibration. (Spaulding & Morris's R package ``rgeoprofile`` defaults to
  1.9; the benchmark reports the sensitivity.)
- ``B``: half the mean nearest-neighbour Manhattan distance between the
  crimes of the series (the default of ``rgeoprofile``; Rossmo sets the
  buffer from the spacing of the crime sites), or a value in km.

References: Rossmo, D. K. (1995), *Geographic profiling: target patterns of
serial murderers*, PhD thesis, Simon Fraser University; Rossmo, D. K. (2000),
*Geographic Profiling*, CRC Press.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from caselink.geoprofile.grid import Grid
from caselink.geoprofile.profiler import Profiler, distances_to_cells
from caselink.geoprofile.projection import FloatArray

DEFAULT_F = 1.2
DEFAULT_G = 1.2


def mean_nearest_neighbour_manhattan(x: FloatArray, y: FloatArray) -> float:
    """Mean Manhattan distance (km) from each crime to its nearest other crime."""
    if x.size < 2:
        raise ValueError("the nearest-neighbour distance needs at least 2 crimes")
    d = np.abs(x[:, None] - x[None, :]) + np.abs(y[:, None] - y[None, :])
    np.fill_diagonal(d, np.inf)
    return float(d.min(axis=1).mean())


def cgt_term(d: FloatArray, buffer_km: float, f: float, g: float) -> FloatArray:
    """The bracketed CGT term of one crime for Manhattan distances ``d`` (km)."""
    far = d > buffer_km
    outside = np.where(far, d, buffer_km) ** -f
    inside = buffer_km ** (g - f) * (2.0 * buffer_km - np.minimum(d, buffer_km)) ** -g
    out: FloatArray = np.where(far, outside, inside)
    return out


class RossmoCGT(Profiler):
    """Rossmo's criminal geographic targeting surface.

    Parameters
    ----------
    buffer_km : float, optional
        Buffer zone radius B, km. Default: half the mean nearest-neighbour
        Manhattan distance between the crimes (needs >= 2 distinct sites).
    f, g : float
        Decay exponents outside and inside the buffer zone (default 1.2).

    Examples
    --------
    >>> import numpy as np
    >>> from caselink.geoprofile.grid import study_area
    >>> grid = study_area([51.54, 51.55], [0.08, 0.10], cells=50)
    >>> cgt = RossmoCGT(buffer_km=0.5)
    >>> s = cgt.surface(*grid.projection.to_xy([51.54, 51.55], [0.08, 0.10]), grid)
    >>> round(float(s.scores.sum()), 6)
    1.0
    """

    name: ClassVar[str] = "cgt"

    def __init__(
        self, buffer_km: float | None = None, f: float = DEFAULT_F, g: float = DEFAULT_G
    ) -> None:
        self.buffer_km = buffer_km
        self.f = f
        self.g = g

    def _validate(self) -> None:
        if self.buffer_km is not None and not self.buffer_km > 0:
            raise ValueError(f"buffer_km must be > 0, got {self.buffer_km}")
        for name in ("f", "g"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value}")

    def buffer_for(self, x: FloatArray, y: FloatArray) -> float:
        """The buffer zone radius B used for these crimes, km."""
        self._validate()
        if self.buffer_km is not None:
            return float(self.buffer_km)
        if x.size < 2:
            raise ValueError("buffer_km must be given for a series of fewer than 2 crimes")
        b = mean_nearest_neighbour_manhattan(x, y) / 2.0
        if not b > 0:
            raise ValueError(
                "buffer_km cannot be derived: the crimes share one location; give buffer_km"
            )
        return b

    def score_grid(self, x: FloatArray, y: FloatArray, grid: Grid) -> FloatArray:
        """CGT scores, normalised to sum to 1 over the grid."""
        b = self.buffer_for(x, y)
        total = np.zeros(grid.shape, dtype=np.float64)
        for xn, yn in zip(x, y, strict=True):
            total += cgt_term(distances_to_cells(xn, yn, grid, "manhattan"), b, self.f, self.g)
        out: FloatArray = total / total.sum()
        return out
