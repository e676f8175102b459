"""A scored surface over a study area and the search order it implies.

A surface ranks the cells of a :class:`~caselink.geoprofile.grid.Grid`: higher
score = search first. Only the order matters for search, so surfaces of
different methods (a sum of decay values, a posterior probability, a negative
distance) are compared through the *search cost* of a location: the number of
cells, the share of the study area (Rossmo's hit score) and the km² searched,
in the order of the surface, before reaching the cell holding that location.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from caselink.geoprofile.grid import Grid
from caselink.geoprofile.projection import FloatArray


@dataclass(frozen=True)
class SearchCost:
    """Cost of reaching locations by searching a surface in order (arrays, one per location).

    ``cells`` counts the cells searched up to and including the target cell;
    cells tied with it count as searched half before it (the expected position
    in a random order of ties). ``hit_score_pct`` = 100 * cells / all cells;
    ``area_km2`` = cells x cell area. All are NaN for locations outside the
    study area (``inside`` False).
    """

    cells: FloatArray
    hit_score_pct: FloatArray
    area_km2: FloatArray
    inside: np.ndarray


@dataclass(frozen=True)
class Surface:
    """Scores of one method over a grid.

    Attributes
    ----------
    grid : Grid
    scores : ndarray of shape (ny, nx)
        Higher = search first. Finite everywhere.
    method : str
        The method's name (``cgt``, ``jtc``, ``bayes``, ``centroid``, ...).
    estimate_xy : (x, y), optional
        The method's point estimate of the anchor point, km. Default: the
        centre of the highest-scoring cell.
    """

    grid: Grid
    scores: FloatArray
    method: str
    estimate_xy: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.scores.shape != self.grid.shape:
            raise ValueError(
                f"scores has shape {self.scores.shape}, the grid has {self.grid.shape}"
            )
        if not np.isfinite(self.scores).all():
            raise ValueError(f"surface {self.method!r} has non-finite scores")

    @property
    def peak_xy(self) -> tuple[float, float]:
        """Centre of the highest-scoring cell, km (first one on ties)."""
        row, col = np.unravel_index(int(np.argmax(self.scores)), self.scores.shape)
        return float(self.grid.x[col]), float(self.grid.y[row])

    @property
    def point_xy(self) -> tuple[float, float]:
        """The point estimate: ``estimate_xy`` when given, else the peak."""
        return self.estimate_xy if self.estimate_xy is not None else self.peak_xy

    @property
    def point_latlon(self) -> tuple[float, float]:
        """The point estimate as (lat, lon) degrees."""
        lat, lon = self.grid.projection.to_latlon(*self.point_xy)
        return float(lat), float(lon)

    def to_frame(self) -> pd.DataFrame:
        """One row per cell: ``lat, lon, score`` (cell centres, row-major from the south-west)."""
        lat, lon = self.grid.latlon()
        return pd.DataFrame({"lat": lat.ravel(), "lon": lon.ravel(), "score": self.scores.ravel()})

    def search_cost(self, x: ArrayLike, y: ArrayLike) -> SearchCost:
        """Search cost of reaching points (x, y) km, following the surface."""
        rows, cols = self.grid.cell_of(x, y)
        inside = rows >= 0
        flat = np.sort(self.scores.ravel())
        total = flat.size
        target = self.scores[np.where(inside, rows, 0), np.where(inside, cols, 0)]
        above = total - np.searchsorted(flat, target, side="right")
        ties = np.searchsorted(flat, target, side="right") - np.searchsorted(
            flat, target, side="left"
        )
        cells = np.where(inside, above + (ties + 1) / 2.0, np.nan)
        return SearchCost(
            cells=cells,
            hit_score_pct=100.0 * cells / total,
            area_km2=cells * self.grid.cell_area_km2,
            inside=inside,
        )

    def search_cost_latlon(self, lat: ArrayLike, lon: ArrayLike) -> SearchCost:
        """Search cost of reaching points given in degrees."""
        return self.search_cost(*self.grid.projection.to_xy(lat, lon))

    def percentile_map(self) -> FloatArray:
        """Hit score (% of area searched) at which each cell is reached; 0 = first."""
        order = np.argsort(-self.scores.ravel(), kind="stable")
        pct = np.empty(order.size, dtype=np.float64)
        pct[order] = 100.0 * (np.arange(order.size) + 1) / order.size
        out: FloatArray = pct.reshape(self.scores.shape)
        return out
