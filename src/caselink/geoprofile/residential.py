"""Where people live: a residential-density prior over a study area.

O'Leary (2009) suggests weighting the Bayesian journey-to-crime posterior by
a prior over anchor points that reflects where offenders can live at all: a
profile should not peak in a park or an industrial estate. The prior here is
a kernel density of residential locations, from one of two sources:

- the store: the geocoded home addresses (``address_lat/lon``) of every
  person mentioned, in any role except ``offender`` and ``suspect`` (so a
  solved series never puts its own answer into the prior; one point per
  person and address);
- a population grid supplied by the force: a CSV ``lat,lon,weight`` (e.g.
  census output-area centroids with their household counts).

The kernel is Gaussian and isotropic. Its bandwidth is chosen by likelihood
cross-validation (Silverman 1986, §3.4.4): 5 folds grouped by location (so a
block of flats shared by many people is never both fitted and held out,
which would drive the bandwidth to zero), over a log grid of multiples of
Scott's rule ``sigma n**(-1/6)``, on at most 2,000 points. Nothing is tuned to
one city: the rule and the data choose it.

On a grid the density is the weighted count of points in each cell smoothed
by the kernel (binned KDE; Wand & Jones 1995, §D), so a cell's prior is the
density averaged over the cell. A defensive share ``uniform_share`` of the
prior is spread evenly (Hesterberg 1995): homes of people the records never
mention stay searchable, only later.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter
from sklearn.model_selection import GroupKFold

from caselink.geoprofile.grid import Grid
from caselink.geoprofile.projection import FloatArray, LocalProjection
from caselink.records.errors import InvalidInputError, RowError

UNIFORM_SHARE = 0.05
"""Share of the prior spread evenly over the study area (defensive mixture)."""
CV_MAX_POINTS = 2000
CV_FACTORS: FloatArray = np.geomspace(1.0 / 32.0, 2.0, 13)
"""Bandwidths tried in cross-validation, as multiples of Scott's rule."""
EXCLUDED_ROLES: frozenset[str] = frozenset({"offender", "suspect"})


@dataclass(frozen=True)
class ResidentialDensity:
    """Weighted residential locations and the kernel bandwidth to smooth them.

    Attributes
    ----------
    lat, lon, weight : ndarray
        Points (degrees) and their non-negative weights.
    bandwidth_km : float
        Gaussian kernel standard deviation, km.
    source : str
        Where the points came from, as printed with a profile.
    bandwidth_rule : str
        How the bandwidth was chosen.
    uniform_share : float
        Share of the prior spread evenly over the grid.
    """

    lat: FloatArray
    lon: FloatArray
    weight: FloatArray
    bandwidth_km: float
    source: str
    bandwidth_rule: str
    uniform_share: float = UNIFORM_SHARE

    def describe(self) -> str:
        """One line naming the prior's source and smoothing."""
        return (
            f"{self.source}; Gaussian kernel {1000 * self.bandwidth_km:.0f} m "
            f"({self.bandwidth_rule}); {100 * self.uniform_share:g}% spread evenly"
        )

    def cell_probabilities(self, grid: Grid) -> FloatArray:
        """Prior probability of each cell of ``grid`` (sums to 1)."""
        ny, nx = grid.shape
        dx = float(grid.x_edges[1] - grid.x_edges[0])
        dy = float(grid.y_edges[1] - grid.y_edges[0])
        # pad by 4 bandwidths so points just outside the area still spill in
        px = min(int(np.ceil(4.0 * self.bandwidth_km / dx)), 2000)
        py = min(int(np.ceil(4.0 * self.bandwidth_km / dy)), 2000)
        x, y = grid.projection.to_xy(self.lat, self.lon)
        xe = np.concatenate(
            [
                grid.x_edges[0] - dx * np.arange(px, 0, -1),
                grid.x_edges,
                grid.x_edges[-1] + dx * np.arange(1, px + 1),
            ]
        )
        ye = np.concatenate(
            [
                grid.y_edges[0] - dy * np.arange(py, 0, -1),
                grid.y_edges,
                grid.y_edges[-1] + dy * np.arange(1, py + 1),
            ]
        )
        near = (x >= xe[0]) & (x <= xe[-1]) & (y >= ye[0]) & (y <= ye[-1])
        counts, _, _ = np.histogram2d(y[near], x[near], bins=(ye, xe), weights=self.weight[near])
        smooth = gaussian_filter(
            counts,
            sigma=(self.bandwidth_km / dy, self.bandwidth_km / dx),
            mode="constant",
            truncate=4.0,
        )
        inner = np.clip(smooth[py : py + ny, px : px + nx], 0.0, None)
        total = float(inner.sum())
        even = np.full(grid.shape, 1.0 / (nx * ny))
        if not total > 0:
            return even
        out: FloatArray = (1.0 - self.uniform_share) * inner / total + self.uniform_share * even
        return out

    def log_prior(self, grid: Grid) -> FloatArray:
        """Natural log of :meth:`cell_probabilities` (finite: the even share is > 0)."""
        out: FloatArray = np.log(self.cell_probabilities(grid))
        return out


def _padded(edges: FloatArray, step: float, pad: int) -> FloatArray:
    """Cell edges extended by ``pad`` cells of width ``step`` on both sides."""
    before = edges[0] - step * np.arange(pad, 0, -1)
    after = edges[-1] + step * np.arange(1, pad + 1)
    out: FloatArray = np.concatenate([before, edges, after])
    return out


def scott_bandwidth(x: FloatArray, y: FloatArray, weight: FloatArray) -> float:
    """Scott's rule for 2-D data: mean weighted per-axis sd times ``n_eff**(-1/6)``."""
    w = weight / weight.sum()
    n_eff = 1.0 / float((w**2).sum())
    sd = []
    for v in (x, y):
        mu = float((w * v).sum())
        sd.append(float(np.sqrt((w * (v - mu) ** 2).sum())))
    sigma = float(np.mean(sd))
    if not sigma > 0:
        raise ValueError("residential points all lie at one place: no bandwidth can be derived")
    return float(sigma * n_eff ** (-1.0 / 6.0))


def _mixture_log_density(
    train: FloatArray, w_train: FloatArray, test: FloatArray, h: float, even: float, share: float
) -> FloatArray:
    """Log of ``(1 - share) * KDE(test) + share * even`` for a 2-D Gaussian KDE."""
    w = w_train / w_train.sum()
    out = np.empty(len(test))
    for start in range(0, len(test), 512):
        t = test[start : start + 512]
        d2 = ((t[:, None, :] - train[None, :, :]) ** 2).sum(axis=2)
        kde = (np.exp(-d2 / (2.0 * h * h)) * w[None, :]).sum(axis=1) / (2.0 * np.pi * h * h)
        out[start : start + 512] = np.log((1.0 - share) * kde + share * even)
    return out


def cv_bandwidth(
    x: FloatArray,
    y: FloatArray,
    weight: FloatArray,
    *,
    uniform_share: float = UNIFORM_SHARE,
    seed: int = 0,
) -> tuple[float, str]:
    """Bandwidth (km) by grouped 5-fold likelihood cross-validation; and how it was chosen.

    The held-out likelihood is that of the prior actually used: the kernel
    density mixed with ``uniform_share`` spread evenly over the points'
    bounding box, so a few far-flung addresses cannot force a wide kernel on
    a dense city (plain likelihood CV is known to be dragged by outliers;
    Silverman 1986, §3.4.4). Falls back to Scott's rule when there are fewer
    than 10 distinct locations.
    """
    scott = scott_bandwidth(x, y, weight)
    keys = np.round(x, 4) * 1e6 + np.round(y, 4)  # ~0.1 m: same address, same group
    groups = np.unique(keys, return_inverse=True)[1]
    n_groups = int(groups.max()) + 1
    if n_groups < 10:
        return scott, "Scott's rule (fewer than 10 distinct locations)"
    rng = np.random.default_rng(seed)
    if x.size > CV_MAX_POINTS:
        pick = rng.choice(x.size, CV_MAX_POINTS, replace=False)
        x, y, weight, groups = x[pick], y[pick], weight[pick], groups[pick]
    pts = np.column_stack([x, y])
    box = max(float(np.ptp(x)), 1e-3) * max(float(np.ptp(y)), 1e-3)
    folds = list(GroupKFold(n_splits=min(5, len(np.unique(groups)))).split(pts, groups=groups))
    best, best_ll = scott, -np.inf
    for h in scott * CV_FACTORS:
        ll = 0.0
        for train, test in folds:
            logd = _mixture_log_density(
                pts[train], weight[train], pts[test], float(h), 1.0 / box, uniform_share
            )
            ll += float((weight[test] * logd).sum())
        if ll > best_ll:
            best, best_ll = float(h), ll
    return best, f"5-fold likelihood CV grouped by location; Scott's rule {1000 * scott:.0f} m"


def _density(
    lat: FloatArray, lon: FloatArray, weight: FloatArray, source: str, uniform_share: float
) -> ResidentialDensity:
    if not 0.0 <= uniform_share < 1.0:
        raise ValueError(f"uniform_share must be in [0, 1), got {uniform_share}")
    proj = LocalProjection.around(lat, lon)
    x, y = proj.to_xy(lat, lon)
    h, rule = cv_bandwidth(np.asarray(x), np.asarray(y), weight, uniform_share=uniform_share)
    return ResidentialDensity(lat, lon, weight, h, source, rule, uniform_share)


def residential_points(
    mentions: pd.DataFrame, resolution: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per person and home address: ``person_id, lat, lon``.

    Mentions in the roles ``offender`` and ``suspect`` are left out (see the
    module docstring); persons are resolved entities when ``resolution`` has
    rows, else single mentions.
    """
    m = mentions[
        mentions["address_lat"].notna()
        & mentions["address_lon"].notna()
        & ~mentions["role"].isin(EXCLUDED_ROLES)
    ].copy()
    if resolution is not None and len(resolution):
        ent = resolution[["mention_id", "entity_id"]].astype({"mention_id": "int64"})
        m = m.merge(ent, on="mention_id", how="left")
        m["person_id"] = m["entity_id"].where(
            m["entity_id"].notna(), "m" + m["mention_id"].astype(str)
        )
    else:
        m["person_id"] = "m" + m["mention_id"].astype(str)
    m["lat"] = m["address_lat"].astype(float).round(6)
    m["lon"] = m["address_lon"].astype(float).round(6)
    out = m.drop_duplicates(["person_id", "lat", "lon"])[["person_id", "lat", "lon"]]
    return out.reset_index(drop=True)


def from_mentions(
    mentions: pd.DataFrame,
    resolution: pd.DataFrame | None = None,
    *,
    uniform_share: float = UNIFORM_SHARE,
) -> ResidentialDensity | None:
    """The residential density of the persons in the store; None with fewer than 10 homes."""
    pts = residential_points(mentions, resolution)
    if len(pts) < 10:
        return None
    lat = pts["lat"].to_numpy(dtype=np.float64)
    lon = pts["lon"].to_numpy(dtype=np.float64)
    n = len(pts)
    source = f"residential density of {n:,} geocoded home addresses of persons in the store"
    return _density(lat, lon, np.ones(n), source, uniform_share)


def read_population(path: Path, *, uniform_share: float = UNIFORM_SHARE) -> ResidentialDensity:
    """A population grid CSV ``lat,lon,weight`` (other columns ignored).

    Raises
    ------
    InvalidInputError
        Naming the file, row, column and value of every bad cell (missing
        column, non-numeric or out-of-range coordinate, negative or
        non-numeric weight), or a file with no positive weight.
    """
    name = str(path)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0].keys()) if rows else []
    missing = [c for c in ("lat", "lon", "weight") if c not in header]
    if missing:
        raise InvalidInputError(
            [RowError(name, 0, c, "", "required column missing") for c in missing]
        )
    errors: list[RowError] = []
    values: dict[str, list[float]] = {"lat": [], "lon": [], "weight": []}
    limits = {"lat": (-90.0, 90.0), "lon": (-180.0, 180.0), "weight": (0.0, np.inf)}
    for i, row in enumerate(rows, start=1):
        for col, (lo, hi) in limits.items():
            text = (row.get(col) or "").strip()
            try:
                v = float(text)
            except ValueError:
                errors.append(RowError(name, i, col, text, "not a number"))
                continue
            if not (np.isfinite(v) and lo <= v <= hi):
                rule = "a weight must be >= 0" if col == "weight" else f"must be in [{lo}, {hi}]"
                errors.append(RowError(name, i, col, text, rule))
            values[col].append(v)
    if errors:
        raise InvalidInputError(errors)
    weight = np.asarray(values["weight"], dtype=np.float64)
    if not (weight > 0).any():
        raise InvalidInputError([RowError(name, 0, "weight", "", "no row has a positive weight")])
    keep = weight > 0
    lat = np.asarray(values["lat"], dtype=np.float64)[keep]
    lon = np.asarray(values["lon"], dtype=np.float64)[keep]
    source = (
        f"population grid {path.name} ({int(keep.sum()):,} cells, total weight {weight.sum():,.0f})"
    )
    return _density(lat, lon, weight[keep], source, uniform_share)
