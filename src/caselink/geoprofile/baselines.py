"""Baseline anchor-point estimates: centroid, centre of minimum distance, circle.

Each gives one point; its surface is the negative Euclidean distance to that
point, so the search spreads outward from the point in rings.

- Centroid: the mean crime site (spatial mean; Levine, CrimeStat manual ch. 4).
- Centre of minimum distance: the point minimising the summed Euclidean
  distance to the crimes (the Weber point), found by Weiszfeld's algorithm
  with Vardi & Zhang's (2000) fix for iterates landing on a crime site.
- Circle hypothesis (Canter & Larkin 1993): the offender lives inside the
  circle whose diameter joins the two crimes furthest apart; the estimate is
  its centre and the search is outward from there, so the whole circle is
  searched first.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from caselink.geoprofile.grid import Grid
from caselink.geoprofile.profiler import Profiler, distances_to_cells
from caselink.geoprofile.projection import FloatArray


def centroid(x: FloatArray, y: FloatArray) -> tuple[float, float]:
    """The mean of the crime sites (km)."""
    return float(np.mean(x)), float(np.mean(y))


def weber_point(
    x: FloatArray, y: FloatArray, *, tol_km: float = 1e-7, max_iter: int = 1000
) -> tuple[float, float]:
    """The centre of minimum distance (Weber point) by Weiszfeld-Vardi-Zhang iteration.

    Parameters
    ----------
    x, y : ndarray
        Crime sites, km.
    tol_km : float
        Stop when an update moves the estimate less than this.
    max_iter : int
        Iteration cap (the iteration converges linearly).

    Returns
    -------
    (x, y) : the point minimising ``sum_i ||p_i - (x, y)||``.
    """
    pts = np.column_stack([x, y])
    if len(pts) == 1:
        return float(pts[0, 0]), float(pts[0, 1])
    cur = pts.mean(axis=0)
    for _ in range(max_iter):
        diff = pts - cur
        dist = np.hypot(diff[:, 0], diff[:, 1])
        at = dist < 1e-12
        w = np.zeros_like(dist)
        w[~at] = 1.0 / dist[~at]
        if w.sum() == 0:  # all crimes at the current point
            break
        t = (w[:, None] * pts).sum(axis=0) / w.sum()
        eta = float(at.sum())
        if eta == 0:
            nxt = t
        else:
            r_vec = (w[:, None] * (pts - cur)).sum(axis=0)
            r = float(np.hypot(*r_vec))
            # r <= eta: the crime site under the estimate is optimal
            nxt = cur if r <= eta else (1.0 - eta / r) * t + (eta / r) * cur
        step = float(np.hypot(*(nxt - cur)))
        cur = nxt
        if step < tol_km:
            break
    vertex = _optimal_vertex(pts)
    if vertex is not None:  # Weiszfeld only creeps towards an optimum at a crime site
        return vertex
    return float(cur[0]), float(cur[1])


def _optimal_vertex(pts: FloatArray) -> tuple[float, float] | None:
    """A crime site that is itself the Weber point, if there is one.

    Site k (of multiplicity m) is optimal exactly when the pull of the other
    sites, ``||sum_i (p_i - p_k) / ||p_i - p_k||||``, is at most m (Kuhn 1973).
    """
    for k in range(len(pts)):
        diff = pts - pts[k]
        dist = np.hypot(diff[:, 0], diff[:, 1])
        here = dist < 1e-12
        others = ~here
        if not others.any():
            return float(pts[k, 0]), float(pts[k, 1])
        pull = (diff[others] / dist[others, None]).sum(axis=0)
        if float(np.hypot(*pull)) <= float(here.sum()) + 1e-9:  # equality is optimal too
            return float(pts[k, 0]), float(pts[k, 1])
    return None


def furthest_pair_circle(x: FloatArray, y: FloatArray) -> tuple[float, float, float]:
    """Canter & Larkin's circle: centre (x, y) and radius of the furthest-apart pair (km)."""
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    i, j = np.unravel_index(int(np.argmax(d)), d.shape)
    return (
        float((x[i] + x[j]) / 2.0),
        float((y[i] + y[j]) / 2.0),
        float(d[i, j] / 2.0),
    )


class _PointBaseline(Profiler):
    def _point(self, x: FloatArray, y: FloatArray) -> tuple[float, float]:
        raise NotImplementedError

    def estimate(self, x: FloatArray, y: FloatArray) -> tuple[float, float]:
        """The baseline's point estimate (km)."""
        return self._point(x, y)

    def score_grid(self, x: FloatArray, y: FloatArray, grid: Grid) -> FloatArray:
        """Negative Euclidean distance (km) from each cell to the point estimate."""
        px, py = self._point(x, y)
        out: FloatArray = -distances_to_cells(px, py, grid, "euclidean")
        return out


class Centroid(_PointBaseline):
    """Search outward from the mean crime site."""

    name: ClassVar[str] = "centroid"

    def _point(self, x: FloatArray, y: FloatArray) -> tuple[float, float]:
        return centroid(x, y)


class CentreOfMinimumDistance(_PointBaseline):
    """Search outward from the Weber point (centre of minimum distance)."""

    name: ClassVar[str] = "cmd"

    def _point(self, x: FloatArray, y: FloatArray) -> tuple[float, float]:
        return weber_point(x, y)


class CircleHypothesis(_PointBaseline):
    """Search outward from the centre of Canter & Larkin's circle."""

    name: ClassVar[str] = "circle"

    def _point(self, x: FloatArray, y: FloatArray) -> tuple[float, float]:
        cx, cy, _ = furthest_pair_circle(x, y)
        return cx, cy
