"""Design B's city: a dense, strongly centred residential density with empty areas, and
a journey to crime of marauders and commuters.

Residential density (where people, offenders included, live)
    On a grid of ``CELL_KM`` cells: ``exp(-r / r0)`` with ``r0 = side * CORE_SCALE``
    (one dense centre, as real force areas have) plus a few Gaussian
    sub-centres (old town centres), times zero over empty areas: parks and
    industrial estates, discs covering about ``EMPTY_SHARE`` of the area.
    A point is a cell drawn by weight and a uniform position inside it.

Activity density (where commuters go to offend)
    ``exp(-r / (r0 * ACTIVITY_CORE))``: tighter than where people live (the
    centre's shops, stations and night-time economy), empty areas included.

Journey to crime (different from design A's gamma with a buffer zone)
    * marauders (``1 - COMMUTER_SHARE`` of offenders) offend around home at a
      negative-exponential distance, mean ``MARAUDER_MEAN_KM[type] * m_o``,
      peak density at the home itself (no buffer zone);
    * commuters travel to an offending anchor drawn from the activity density
      (redrawn until at least ``COMMUTE_MIN_KM`` from home) and offend around
      it at a lognormal distance (median ``ANCHOR_MEDIAN_KM``, log-sd 0.5).
    ``m_o ~ LogNormal(0, 0.5)`` is the offender's own range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

CELL_KM: Final[float] = 0.1
CORE_SCALE: Final[float] = 0.12
ACTIVITY_CORE: Final[float] = 0.6
EMPTY_SHARE: Final[float] = 0.15
COMMUTER_SHARE: Final[float] = 0.3
COMMUTE_MIN_KM: Final[float] = 1.5
ANCHOR_MEDIAN_KM: Final[float] = 0.35
RANGE_SIGMA: Final[float] = 0.5
SITE_REDRAWS: Final[int] = 5

MARAUDER_MEAN_KM: Final[dict[str, float]] = {
    "theft": 1.4,
    "violence": 0.7,
    "burglary": 1.1,
    "criminal_damage": 0.5,
    "robbery": 1.3,
    "sexual_offence": 0.9,
    "drugging": 0.8,
    "drug_related_death": 0.6,
    "unexplained_death": 0.6,
}
"""Mean marauder journey (km) per case type."""


def side_km_b(n_cases: int) -> float:
    """Side (km) of design B's square area: ~4 km at 3,000 cases, ~15 km at 100,000.

    Smaller than design A's (6 km and 24 km) for the same number of cases, so
    the city is about 2.5 times denser on average, and more at its centre.
    """
    return float(max(1.5, 4.0 * (max(n_cases, 1) / 3000.0) ** 0.38))


@dataclass(frozen=True)
class City:
    """Residential and activity densities over a grid of cells centred on (0, 0) km."""

    side: float
    n_cells: int
    residential: np.ndarray
    activity: np.ndarray
    empty: np.ndarray

    @classmethod
    def draw(cls, rng: np.random.Generator, side: float) -> City:
        """A city of side ``side`` km: centre, sub-centres and empty areas drawn from ``rng``."""
        n_cells = max(8, math.ceil(side / CELL_KM))
        cell = side / n_cells
        half = side / 2.0
        c = -half + (np.arange(n_cells) + 0.5) * cell
        gx, gy = np.meshgrid(c, c, indexing="ij")
        r = np.hypot(gx, gy)
        r0 = side * CORE_SCALE
        residential = np.exp(-r / r0)
        k = max(2, round(side / 4.0))
        sx = rng.uniform(-half * 0.8, half * 0.8, k)
        sy = rng.uniform(-half * 0.8, half * 0.8, k)
        sw = rng.uniform(0.1, 0.35, k)
        ss = rng.uniform(0.3, 0.8, k) * max(1.0, side / 10.0)
        for x0, y0, w, s in zip(sx, sy, sw, ss, strict=True):
            residential += w * np.exp(-((gx - x0) ** 2 + (gy - y0) ** 2) / (2 * s * s))
        residential += 0.01  # sparse housing everywhere else
        empty = np.zeros_like(residential, dtype=bool)
        target = EMPTY_SHARE * n_cells * n_cells
        while empty.sum() < target:
            x0, y0 = rng.uniform(-half, half, 2)
            rad = rng.uniform(0.15, 0.6) * max(1.0, side / 8.0)
            empty |= (gx - x0) ** 2 + (gy - y0) ** 2 < rad * rad
        residential[empty] = 0.0
        activity = np.exp(-r / (r0 * ACTIVITY_CORE)) + 0.02
        return cls(
            side=side,
            n_cells=n_cells,
            residential=(residential / residential.sum()).ravel(),
            activity=(activity / activity.sum()).ravel(),
            empty=empty.ravel(),
        )

    def _points(
        self, rng: np.random.Generator, n: int, weights: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        idx = rng.choice(len(weights), size=n, p=weights)
        cell = self.side / self.n_cells
        half = self.side / 2.0
        x = -half + (idx // self.n_cells + rng.random(n)) * cell
        y = -half + (idx % self.n_cells + rng.random(n)) * cell
        return x, y

    def homes(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Points (km) where people live: the residential density, never in an empty area."""
        return self._points(rng, n, self.residential)

    def activity_points(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Points (km) drawn from the activity density (the centre's draw)."""
        return self._points(rng, n, self.activity)

    def is_empty(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Whether each point lies in an empty area (park, industrial estate)."""
        cell = self.side / self.n_cells
        half = self.side / 2.0
        i = np.clip(((x + half) / cell).astype(np.int64), 0, self.n_cells - 1)
        j = np.clip(((y + half) / cell).astype(np.int64), 0, self.n_cells - 1)
        return np.asarray(self.empty[i * self.n_cells + j], dtype=bool)


def anchors(
    rng: np.random.Generator,
    city: City,
    home_x: np.ndarray,
    home_y: np.ndarray,
    commuter: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each offender's offending anchor: home for marauders, an activity point for commuters."""
    ax, ay = home_x.copy(), home_y.copy()
    todo = np.flatnonzero(commuter)
    for _ in range(SITE_REDRAWS + 1):
        if len(todo) == 0:
            break
        px, py = city.activity_points(rng, len(todo))
        ax[todo], ay[todo] = px, py
        todo = todo[np.hypot(px - home_x[todo], py - home_y[todo]) < COMMUTE_MIN_KM]
    return ax, ay


def journey_b(
    rng: np.random.Generator,
    type_names: np.ndarray,
    offender_range: np.ndarray,
    commuter: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Displacements (km east, km north) from each crime's anchor to its site (module doc)."""
    n = len(type_names)
    mean = np.array([MARAUDER_MEAN_KM[str(t)] for t in type_names]) if n else np.zeros(0)
    d = np.where(
        commuter,
        ANCHOR_MEDIAN_KM * np.exp(rng.normal(0.0, 0.5, n)),
        rng.exponential(1.0, n) * mean,
    )
    d = d * offender_range
    bearing = rng.uniform(0.0, 2.0 * math.pi, n)
    return d * np.cos(bearing), d * np.sin(bearing)


def sites(
    rng: np.random.Generator,
    side: float,
    anchor_x: np.ndarray,
    anchor_y: np.ndarray,
    type_names: np.ndarray,
    offender_range: np.ndarray,
    commuter: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Crime sites: anchor + journey, redrawn when outside the area, then clamped."""
    half = side / 2.0
    x = np.empty(len(anchor_x))
    y = np.empty(len(anchor_x))
    todo = np.arange(len(anchor_x))
    for _ in range(SITE_REDRAWS + 1):
        dx, dy = journey_b(rng, type_names[todo], offender_range[todo], commuter[todo])
        x[todo] = anchor_x[todo] + dx
        y[todo] = anchor_y[todo] + dy
        todo = todo[(np.abs(x[todo]) > half) | (np.abs(y[todo]) > half)]
        if len(todo) == 0:
            break
    return np.clip(x, -half, half), np.clip(y, -half, half)
