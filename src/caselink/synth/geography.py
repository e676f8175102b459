"""Where things happen in the synthetic city: area, hotspots and journeys to crime.

Journey to crime (what geographic profiling is evaluated against)
-----------------------------------------------------------------
Every case's true offender has a home (``truth_offenders.csv``). The crime
site is the home displaced by a random bearing (uniform) and a distance

    d = m_o * G,    G ~ Gamma(shape=JOURNEY_SHAPE=3, scale=θ_t),

where ``θ_t = JOURNEY_MEDIAN_KM[t] / GAMMA3_MEDIAN`` (so the median of ``G``
is ``JOURNEY_MEDIAN_KM[t]`` for case type ``t``) and ``m_o`` is the
offender's own range, ``m_o ~ LogNormal(0, OFFENDER_RANGE_SIGMA=0.35)``,
drawn once per offender. Per unit *area* the density of crime sites is then
proportional to ``d · exp(-d/θ)``: zero at the home, rising to a peak at
``d = θ`` (the buffer zone, ~0.3-0.75 km) and decaying exponentially beyond
(distance decay). Series offenders' homes are drawn from the residential
density; a one-off offender's home is drawn as its crime site displaced by
the same law, so that solved one-off cases show the same journey-to-crime
distribution as the series.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

KM_PER_DEGREE_LAT: Final[float] = 111.32

JOURNEY_SHAPE: Final[float] = 3.0
GAMMA3_MEDIAN: Final[float] = 2.6740603
"""Median of Gamma(shape=3, scale=1)."""

JOURNEY_MEDIAN_KM: Final[dict[str, float]] = {
    "theft": 2.0,
    "violence": 1.0,
    "burglary": 1.6,
    "criminal_damage": 0.8,
    "robbery": 1.8,
    "sexual_offence": 1.2,
    "drugging": 1.0,
    "drug_related_death": 0.8,
    "unexplained_death": 0.8,
}
"""Median journey-to-crime distance (km) of the Gamma part, per case type."""

OFFENDER_RANGE_SIGMA: Final[float] = 0.35
"""Log-sd of the per-offender multiplier of journey distances."""


def side_km(n_cases: int) -> float:
    """Side (km) of the square synthetic area for ``n_cases`` cases.

    A borough of ~6 x 6 km for 3,000 cases, growing as ``n**0.4``: ~24 km
    (a city) for 100,000 cases and ~61 km for 1,000,000.
    """
    return float(max(2.0, 6.0 * (max(n_cases, 1) / 3000.0) ** 0.4))


@dataclass(frozen=True)
class Area:
    """A square area around a centre, with a local flat-earth projection in km."""

    centre_lat: float
    centre_lon: float
    side_km: float

    @property
    def km_per_degree_lon(self) -> float:
        """Kilometres per degree of longitude at the centre's latitude."""
        return KM_PER_DEGREE_LAT * math.cos(math.radians(self.centre_lat))

    def to_latlon(self, x_km: np.ndarray, y_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Latitude and longitude of points given in km east/north of the centre."""
        lat = self.centre_lat + y_km / KM_PER_DEGREE_LAT
        lon = self.centre_lon + x_km / self.km_per_degree_lon
        return lat, lon

    def to_km(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Km east/north of the centre of points given in degrees."""
        return (lon - self.centre_lon) * self.km_per_degree_lon, (
            lat - self.centre_lat
        ) * KM_PER_DEGREE_LAT


@dataclass(frozen=True)
class Hotspots:
    """A Gaussian mixture of places where crime concentrates (and where people live)."""

    x_km: np.ndarray
    y_km: np.ndarray
    sd_km: np.ndarray
    weight: np.ndarray
    commercial: np.ndarray

    @classmethod
    def draw(cls, rng: np.random.Generator, side: float) -> Hotspots:
        """Hotspots for an area of side ``side`` km: about one per 3 km², Pareto weights."""
        k = max(6, round(side * side / 3.0))
        half = side / 2.0
        x = rng.uniform(-half * 0.9, half * 0.9, k)
        y = rng.uniform(-half * 0.9, half * 0.9, k)
        sd = rng.uniform(0.12, 0.5, k)
        weight = rng.pareto(1.5, k) + 0.2
        commercial = rng.random(k) < 0.4
        return cls(x, y, sd, weight, commercial)

    def sample(
        self,
        rng: np.random.Generator,
        n: int,
        side: float,
        commercial_bias: np.ndarray | float,
        uniform_share: float = 0.2,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Points from the mixture (``uniform_share`` of them uniform over the area).

        ``commercial_bias`` (per point or scalar) is the factor applied to the
        weight of commercial hotspots: >1 for street crime, <1 for residential.
        """
        bias = np.broadcast_to(np.asarray(commercial_bias, dtype=np.float64), (n,))
        levels, inverse = np.unique(bias, return_inverse=True)
        pick = np.empty(n, dtype=np.int64)
        for i, level in enumerate(levels):
            rows = np.flatnonzero(inverse == i)
            w = self.weight * np.where(self.commercial, level, 1.0)
            pick[rows] = rng.choice(len(w), size=len(rows), p=w / w.sum())
        x = self.x_km[pick] + rng.normal(0.0, 1.0, n) * self.sd_km[pick]
        y = self.y_km[pick] + rng.normal(0.0, 1.0, n) * self.sd_km[pick]
        flat = rng.random(n) < uniform_share
        half = side / 2.0
        x[flat] = rng.uniform(-half, half, int(flat.sum()))
        y[flat] = rng.uniform(-half, half, int(flat.sum()))
        return np.clip(x, -half, half), np.clip(y, -half, half)


def journey_scale(case_types: np.ndarray) -> np.ndarray:
    """Gamma scale θ (km) of the journey distance for each case-type code (see module doc)."""
    from caselink.synth.catalogue import CASE_TYPES

    theta = np.array([JOURNEY_MEDIAN_KM[t] / GAMMA3_MEDIAN for t in CASE_TYPES])
    return np.asarray(theta[case_types], dtype=np.float64)


def journey(
    rng: np.random.Generator, case_types: np.ndarray, offender_range: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Random displacements (km east, km north) from home to crime site.

    Parameters
    ----------
    rng
        Random generator.
    case_types
        Case-type codes (indices into ``CASE_TYPES``), one per journey.
    offender_range
        The offender's range multiplier ``m_o`` for each journey.
    """
    n = len(case_types)
    d = rng.gamma(JOURNEY_SHAPE, 1.0, n) * journey_scale(case_types) * offender_range
    bearing = rng.uniform(0.0, 2.0 * math.pi, n)
    return d * np.cos(bearing), d * np.sin(bearing)
