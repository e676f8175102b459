"""Clusters of unexplained deaths: places and periods with more deaths than their history predicts.

In the spirit of the Murder Accountability Project's cluster flag, this is
Kulldorff's space-time permutation scan statistic (Kulldorff et al., 2005,
"A space-time permutation scan statistic for disease outbreak detection",
PLoS Medicine 2(3): e59). It needs no population data: the expected number
of deaths in a place during a period is what the place's own share of all
the deaths (over the whole study period) and the period's share of all the
deaths (over the whole area) predict,

    expected = deaths in the place (all time) x deaths in the period (all places) / all deaths,

and the scan looks at every cylinder (a circle around a death, up to
``max_radius_m``, times a window of up to ``max_bins`` time bins) for the
most unlikely excess, measured by the Poisson generalised likelihood ratio.
Its probability (p-value) comes from Monte Carlo: the dates are shuffled among
the deaths (keeping the places), the scan is rerun, and the p-value is the
share of shuffles whose best cylinder is at least as unlikely. Secondary
clusters (not sharing a death with a more likely one) are judged against the
same distribution of the maximum, which is conservative.

Limits: a place that has had more deaths for the whole period (a hostel, a
hospital) is not a space-time cluster and is not flagged; the flag is for
excesses that come and go.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from caselink.assurance.prompts import DEATHS

EARTH_RADIUS_M = 6_371_000.0
CLUSTER_COLUMNS: tuple[str, ...] = (
    "rank",
    "centre_case_id",
    "centre_lat",
    "centre_lon",
    "radius_m",
    "start",
    "end",
    "observed",
    "expected",
    "relative_risk",
    "llr",
    "p_value",
    "case_ids",
)


@dataclass(frozen=True)
class _Zones:
    """Circles around each death: neighbours in order of distance, masked by radius."""

    order: np.ndarray  # (n_centres, K) indices of cases, nearest first
    dist: np.ndarray  # (n_centres, K) metres
    valid: np.ndarray  # (n_centres, K) bool: within max radius and max share


def select_deaths(
    cases: pd.DataFrame,
    case_types: Sequence[str] = tuple(sorted(DEATHS)),
    profile: Mapping[str, Sequence[str]] | None = None,
    min_age: float | None = None,
    max_age: float | None = None,
) -> pd.DataFrame:
    """The deaths of a victim profile: case types, column values and an age range.

    Parameters
    ----------
    cases : DataFrame
        A cases frame.
    case_types : sequence of str
        Case types to keep (default: unexplained and drug-related deaths).
    profile : mapping, optional
        Column -> accepted values, e.g. ``{"victim_sex": ["M"]}``.
    min_age, max_age : float, optional
        Inclusive victim age range; cases of unknown age are left out when
        either bound is given.
    """
    keep = cases["case_type"].isin(list(case_types))
    for col, values in (profile or {}).items():
        if col not in cases.columns:
            raise ValueError(f"profile column {col!r} is not a column of the cases frame")
        keep &= cases[col].astype(str).isin([str(v) for v in values])
    if min_age is not None:
        keep &= cases["victim_age"] >= min_age
    if max_age is not None:
        keep &= cases["victim_age"] <= max_age
    return cases[keep].reset_index(drop=True)


def _projected(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    lat0 = np.radians(float(np.mean(lat)))
    x = EARTH_RADIUS_M * np.radians(lon) * np.cos(lat0)
    y = EARTH_RADIUS_M * np.radians(lat)
    return np.column_stack([x, y])


def _zones(xy: np.ndarray, max_radius_m: float, max_share: float) -> _Zones:
    n = len(xy)
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    within = (d <= max_radius_m).sum(axis=1)
    # no circle needs more neighbours than the fullest one within the radius holds
    k = max(1, min(int(within.max()), int(np.floor(max_share * n)) or 1))
    order = np.argsort(d, axis=1, kind="stable")[:, :k]
    dist = np.take_along_axis(d, order, axis=1)
    valid = dist <= max_radius_m
    return _Zones(order=order, dist=dist, valid=valid)


def _zone_counts(bins: np.ndarray, zones: _Zones, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative (over time) counts per zone, shape (n_c, K, T+1), and zone totals (n_c, K)."""
    n_c, k = zones.order.shape
    onehot = np.zeros((n_c, k, n_bins), dtype=np.float64)
    rows = np.repeat(np.arange(n_c), k)
    cols = np.tile(np.arange(k), n_c)
    onehot[rows, cols, bins[zones.order].ravel()] = 1.0
    zone_time = np.cumsum(onehot, axis=1)  # zone k = the nearest k+1 deaths
    cum = np.concatenate([np.zeros((n_c, k, 1)), np.cumsum(zone_time, axis=2)], axis=2)
    return cum, zone_time.sum(axis=2)


def _poisson_llr(c: np.ndarray, mu: np.ndarray, n: int) -> np.ndarray:
    """Kulldorff's log likelihood ratio for c observed where mu are expected (c > mu)."""
    rest = n - c
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = np.where(rest > 0, rest * np.log(rest / (n - mu)), 0.0)
    return np.asarray(c * np.log(c / mu) + tail)


def _scan(
    bins: np.ndarray,
    zones: _Zones,
    n_bins: int,
    max_bins: int,
    min_observed: int,
) -> list[tuple[float, int, int, int, int]]:
    """Candidate cylinders (llr, centre, zone size index, start bin, length), best per centre."""
    n = len(bins)
    cum, n_zone = _zone_counts(bins, zones, n_bins)
    per_bin = np.bincount(bins, minlength=n_bins).astype(np.float64)
    cum_all = np.concatenate([[0.0], np.cumsum(per_bin)])
    best: dict[int, tuple[float, int, int, int, int]] = {}
    for length in range(1, min(max_bins, n_bins) + 1):
        c = cum[:, :, length:] - cum[:, :, :-length]  # (n_c, K, W)
        n_window = cum_all[length:] - cum_all[:-length]  # (W,)
        mask = (c >= min_observed) & zones.valid[:, :, None]
        mask &= c * n > n_zone[:, :, None] * n_window[None, None, :]
        ci, ki, si = np.nonzero(mask)
        if len(ci) == 0:
            continue
        mu = n_zone[ci, ki] * n_window[si] / n
        llr = _poisson_llr(c[ci, ki, si], mu, n)
        # best cylinder per centre for this length
        order = np.lexsort((-llr, ci))
        first = np.ones(len(order), dtype=bool)
        first[1:] = ci[order][1:] != ci[order][:-1]
        for j in order[first]:
            centre = int(ci[j])
            if centre not in best or llr[j] > best[centre][0]:
                best[centre] = (float(llr[j]), centre, int(ki[j]), int(si[j]), length)
    return sorted(best.values(), key=lambda r: (-r[0], r[1]))


def _max_llr(
    bins: np.ndarray, zones: _Zones, n_bins: int, max_bins: int, min_observed: int
) -> float:
    n = len(bins)
    cum, n_zone = _zone_counts(bins, zones, n_bins)
    per_bin = np.bincount(bins, minlength=n_bins).astype(np.float64)
    cum_all = np.concatenate([[0.0], np.cumsum(per_bin)])
    top = 0.0
    for length in range(1, min(max_bins, n_bins) + 1):
        c = cum[:, :, length:] - cum[:, :, :-length]
        n_window = cum_all[length:] - cum_all[:-length]
        expected = n_zone[:, :, None] * n_window[None, None, :] / n
        mask = (c >= min_observed) & zones.valid[:, :, None] & (c > expected)
        if mask.any():
            top = max(top, float(_poisson_llr(c[mask], expected[mask], n).max()))
    return top


def scan_death_clusters(
    deaths: pd.DataFrame,
    max_radius_m: float = 1000.0,
    bin_days: int = 30,
    max_bins: int = 12,
    max_share: float = 0.5,
    n_simulations: int = 199,
    min_observed: int = 3,
    seed: int = 0,
) -> pd.DataFrame:
    """Space-time clusters of deaths, each with observed, expected and probability.

    Parameters
    ----------
    deaths : DataFrame
        The deaths to scan (a cases frame, e.g. from :func:`select_deaths`):
        ``case_id, occurred_from, lat, lon``.
    max_radius_m : float
        Largest circle radius in metres.
    bin_days : int
        Width of a time bin in days (dates are counted per bin).
    max_bins : int
        Longest window, in bins.
    max_share : float
        Largest share of all deaths a circle may hold, in (0, 0.5].
    n_simulations : int
        Monte Carlo shuffles; the smallest possible p-value is 1/(n+1).
    min_observed : int
        Clusters with fewer deaths are not reported.
    seed : int
        Seed of the shuffles.

    Returns
    -------
    DataFrame
        Columns :data:`CLUSTER_COLUMNS`, most unlikely first; ``expected`` is
        the count the place's and the period's shares predict, ``p_value``
        the Monte Carlo probability of so extreme a cluster anywhere under no
        space-time interaction. Empty when there are too few deaths.

    Raises
    ------
    ValueError
        When a parameter is out of range (the message names it and its value).
    """
    if max_radius_m <= 0:
        raise ValueError(f"max_radius_m must be positive, got {max_radius_m!r}")
    if bin_days < 1:
        raise ValueError(f"bin_days must be at least 1, got {bin_days!r}")
    if max_bins < 1:
        raise ValueError(f"max_bins must be at least 1, got {max_bins!r}")
    if not 0.0 < max_share <= 0.5:
        raise ValueError(f"max_share must be in (0, 0.5], got {max_share!r}")
    if n_simulations < 1:
        raise ValueError(f"n_simulations must be at least 1, got {n_simulations!r}")
    empty = pd.DataFrame(columns=list(CLUSTER_COLUMNS))
    if len(deaths) < max(min_observed, 2):
        return empty
    times = pd.to_datetime(deaths["occurred_from"])
    t0 = times.min().normalize()
    bins = ((times - t0).dt.days // bin_days).to_numpy().astype(np.int64)
    n_bins = int(bins.max()) + 1
    xy = _projected(deaths["lat"].to_numpy(float), deaths["lon"].to_numpy(float))
    zones = _zones(xy, max_radius_m, max_share)
    candidates = _scan(bins, zones, n_bins, max_bins, min_observed)

    rng = np.random.default_rng(seed)
    null_max = np.array(
        [
            _max_llr(rng.permutation(bins), zones, n_bins, max_bins, min_observed)
            for _ in range(n_simulations)
        ]
    )

    n = len(deaths)
    per_bin = np.bincount(bins, minlength=n_bins)
    ids = deaths["case_id"].astype(str).to_numpy()
    taken: set[int] = set()
    rows: list[dict[str, object]] = []
    for llr, centre, k, s, length in candidates:
        members = zones.order[centre, : k + 1]
        in_window = (bins[members] >= s) & (bins[members] < s + length)
        cluster = [int(m) for m in members[in_window]]
        if taken.intersection(cluster):
            continue
        taken.update(cluster)
        n_window = int(per_bin[s : s + length].sum())
        expected = (k + 1) * n_window / n
        observed = len(cluster)
        rows.append(
            {
                "rank": len(rows) + 1,
                "centre_case_id": ids[centre],
                "centre_lat": float(deaths["lat"].iloc[centre]),
                "centre_lon": float(deaths["lon"].iloc[centre]),
                "radius_m": float(zones.dist[centre, k]),
                "start": t0 + pd.Timedelta(days=s * bin_days),
                "end": t0 + pd.Timedelta(days=(s + length) * bin_days),
                "observed": observed,
                "expected": expected,
                "relative_risk": observed / expected,
                "llr": llr,
                "p_value": float((1 + (null_max >= llr - 1e-9).sum()) / (n_simulations + 1)),
                "case_ids": "|".join(sorted(ids[cluster])),
            }
        )
    return pd.DataFrame.from_records(rows, columns=list(CLUSTER_COLUMNS)) if rows else empty
