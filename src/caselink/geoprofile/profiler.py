"""The interface every geographic-profiling method implements.

A profiler turns the crime sites of one series (planar km, see
:mod:`caselink.geoprofile.projection`) into scores over a grid. Methods whose
distance decay is learned from solved series (journey-to-crime, Bayesian)
also follow scikit-learn's estimator contract: ``fit(solved)`` returns self
and sets attributes ending in ``_``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike

from caselink.geoprofile.grid import Grid
from caselink.geoprofile.projection import FloatArray
from caselink.geoprofile.surface import Surface


def crime_points(x: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Validate crime coordinates: equal-length, at least one, all finite."""
    xa = np.atleast_1d(np.asarray(x, dtype=np.float64)).ravel()
    ya = np.atleast_1d(np.asarray(y, dtype=np.float64)).ravel()
    if xa.size == 0 or xa.size != ya.size:
        raise ValueError(f"need one x and one y per crime, got {xa.size} and {ya.size}")
    if not (np.isfinite(xa).all() and np.isfinite(ya).all()):
        raise ValueError("a crime site has a missing or non-finite coordinate")
    return xa, ya


class Profiler(ABC):
    """A method that scores grid cells as the offender's anchor point."""

    name: ClassVar[str]

    @abstractmethod
    def score_grid(self, x: FloatArray, y: FloatArray, grid: Grid) -> FloatArray:
        """Scores of shape ``grid.shape`` for crimes at (x, y) km; higher = search first."""

    def estimate(self, x: FloatArray, y: FloatArray) -> tuple[float, float] | None:
        """A point estimate of the anchor point (km), or None to use the surface's peak."""
        return None

    def surface(self, x: ArrayLike, y: ArrayLike, grid: Grid) -> Surface:
        """The :class:`Surface` of this method for crimes at (x, y) km."""
        xa, ya = crime_points(x, y)
        return Surface(grid, self.score_grid(xa, ya, grid), self.label(), self.estimate(xa, ya))

    def label(self) -> str:
        """The method's name as reported (a variant may differ from ``name``)."""
        return self.name


def corner_distance_max(x: FloatArray, y: FloatArray, grid: Grid, metric: str) -> float:
    """The largest distance from any crime to any point of the grid (attained at a corner)."""
    cx = np.array([grid.x_edges[0], grid.x_edges[-1]])
    cy = np.array([grid.y_edges[0], grid.y_edges[-1]])
    dx = np.abs(x[:, None] - cx[None, :]).max(axis=1)
    dy = np.abs(y[:, None] - cy[None, :]).max(axis=1)
    d = dx + dy if metric == "manhattan" else np.hypot(dx, dy)
    return float(d.max())


def distances_to_cells(x0: float, y0: float, grid: Grid, metric: str) -> FloatArray:
    """Distance (km) from one point to every cell centre, shape ``grid.shape``."""
    dx = np.abs(grid.x - x0)[None, :]
    dy = np.abs(grid.y - y0)[:, None]
    out: FloatArray = dx + dy if metric == "manhattan" else np.hypot(dx, dy)
    return out
