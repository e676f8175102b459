"""Simulated solved series with a known distance decay, for tests and benchmarks.

Each offender's home is placed uniformly in a disc (the "city"); each crime is
at a uniformly random bearing and a gamma-distributed distance from home. A
gamma with shape > 1 has little mass near zero, so the series shows both a
buffer zone and distance decay, the two regularities CGT assumes (Rossmo 2000;
gamma/lognormal journey lengths are typical of burglary and robbery data).
This is the generator used until the project's synthetic data set
(:mod:`caselink.synth`) is available, and a controlled check afterwards.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from caselink.geoprofile.projection import LocalProjection


def simulate_series(
    n_series: int = 20,
    crimes: int | tuple[int, int] = 10,
    *,
    centre: tuple[float, float] = (51.5362, 0.0815),
    city_radius_km: float = 8.0,
    journey_shape: float = 2.0,
    journey_scale_km: float = 1.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Solved series drawn from a gamma journey-to-crime model.

    Parameters
    ----------
    n_series : int
        Number of offenders (one series each).
    crimes : int or (low, high)
        Crimes per series, or a range drawn uniformly (inclusive).
    centre : (lat, lon)
        Centre of the city (default Barking, east London).
    city_radius_km : float
        Homes are uniform in a disc of this radius.
    journey_shape, journey_scale_km : float
        Gamma distribution of the home-to-crime distance (mean = shape x scale).
    seed : int
        Random seed.

    Returns
    -------
    DataFrame
        One row per crime: ``series_id, case_id, lat, lon, home_lat, home_lon``.
    """
    for name, value in (
        ("n_series", n_series),
        ("city_radius_km", city_radius_km),
        ("journey_shape", journey_shape),
        ("journey_scale_km", journey_scale_km),
    ):
        if not value > 0:
            raise ValueError(f"{name} must be > 0, got {value}")
    lo, hi = (crimes, crimes) if isinstance(crimes, int) else crimes
    if not 1 <= lo <= hi:
        raise ValueError(f"crimes must be >= 1 (low <= high), got {crimes!r}")
    rng = np.random.default_rng(seed)
    proj = LocalProjection(*centre)
    rows = []
    for s in range(n_series):
        rad = city_radius_km * np.sqrt(rng.uniform())
        ang = rng.uniform(0, 2 * np.pi)
        hx, hy = rad * np.cos(ang), rad * np.sin(ang)
        home_lat, home_lon = proj.to_latlon(hx, hy)
        n = int(rng.integers(lo, hi + 1))
        dist = rng.gamma(journey_shape, journey_scale_km, size=n)
        bearing = rng.uniform(0, 2 * np.pi, size=n)
        lat, lon = proj.to_latlon(hx + dist * np.cos(bearing), hy + dist * np.sin(bearing))
        for i in range(n):
            rows.append(
                {
                    "series_id": f"S{s:03d}",
                    "case_id": f"S{s:03d}-C{i:02d}",
                    "lat": float(lat[i]),
                    "lon": float(lon[i]),
                    "home_lat": float(home_lat),
                    "home_lon": float(home_lon),
                }
            )
    return pd.DataFrame(rows)
