"""Accuracy of geographic profiles on solved series.

Three measures per series and method (Rossmo 2000, ch. 10; Rich & Shively
2004, *A Methodology for Evaluating Geographic Profiling Software*):

- hit score: share of the study area searched, in the order of the surface,
  before reaching the cell holding the offender's home (%; lower is better);
- search area: the same as km², since a percentage can be flattered by
  drawing a larger study area;
- error distance: km from the method's point estimate (the surface's peak,
  or the baseline's point) to the home.

A home outside the study area has no hit score; summaries count it as the
whole area searched (100 %, the full km²), so an evaluation is never
improved by homes falling off the map, and report how many did.

Methods whose decay is fitted (``jtc``, ``bayes``, ``bayes-cgt``,
``bayes-res``) are fitted leave-one-series-out: the series being scored is
never in the fitting data. The residential prior never holds the offender's
own offender/suspect mentions (see :mod:`~caselink.geoprofile.residential`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from caselink.geoprofile.bayesian import GridPrior
from caselink.geoprofile.decay import validate_solved
from caselink.geoprofile.grid import study_area
from caselink.geoprofile.methods import FITTED_METHODS, METHODS, PRIOR_METHODS, make_profiler

RESULT_COLUMNS: tuple[str, ...] = (
    "series_id",
    "method",
    "n_crimes",
    "hunting_area_km2",
    "home_in_area",
    "hit_score_pct",
    "search_area_km2",
    "error_distance_km",
)


def available_methods(prior: GridPrior | None) -> tuple[str, ...]:
    """The methods that can run: all of :data:`METHODS`, less the prior ones without a prior."""
    return tuple(m for m in METHODS if prior is not None or m not in PRIOR_METHODS)


def evaluate_series(
    solved: pd.DataFrame,
    methods: Sequence[str] | None = None,
    *,
    prior: GridPrior | None = None,
    cells: int = 200,
    margin_km: float | None = None,
    min_crimes: int = 3,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    scored: Collection[str] | None = None,
) -> pd.DataFrame:
    """Score every method on every solved series with at least ``min_crimes`` crimes.

    Parameters
    ----------
    solved : DataFrame
        One row per crime: ``series_id, lat, lon, home_lat, home_lon``.
    methods : sequence of str, optional
        Names from :data:`~caselink.geoprofile.methods.METHODS`; default all
        that can run (:func:`available_methods`).
    prior : GridPrior, optional
        Where people live, for ``bayes-res`` and ``normal-res``.
    cells, margin_km :
        Study-area grid (see :func:`~caselink.geoprofile.grid.study_area`).
    min_crimes : int
        Smaller series are skipped (Rossmo advises at least five sites).
    params : mapping, optional
        Per-method constructor parameters, e.g. ``{"cgt": {"f": 1.9}}``.
    scored : collection of str, optional
        Score only these series; the others are only fitted on. Default all.

    Returns
    -------
    DataFrame
        One row per series and method, columns :data:`RESULT_COLUMNS`.

    Raises
    ------
    ValueError
        On an invalid frame, an unknown method, a series whose offender has
        more than one home, or too few other series to fit a fitted method.
    """
    validate_solved(solved)
    methods = available_methods(prior) if methods is None else methods
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; choose from {', '.join(METHODS)}")
    if min_crimes < 1:
        raise ValueError(f"min_crimes must be >= 1, got {min_crimes}")
    params = params or {}
    rows: list[dict[str, Any]] = []
    for sid, series in solved.groupby("series_id", sort=True):
        if len(series) < min_crimes or (scored is not None and str(sid) not in scored):
            continue
        homes = series[["home_lat", "home_lon"]].drop_duplicates()
        if len(homes) != 1:
            raise ValueError(f"series {sid!r} has {len(homes)} different homes; expected one")
        grid = study_area(series["lat"], series["lon"], cells=cells, margin_km=margin_km)
        x, y = grid.projection.to_xy(series["lat"].to_numpy(), series["lon"].to_numpy())
        hx, hy = grid.projection.to_xy(homes["home_lat"].iloc[0], homes["home_lon"].iloc[0])
        others = solved[solved["series_id"] != sid]
        for method in methods:
            if method in FITTED_METHODS and len(others) < 2:
                raise ValueError(
                    f"method {method!r} needs solved series other than {sid!r} to fit on"
                )
            profiler = make_profiler(
                method,
                others if method in FITTED_METHODS else None,
                prior=prior,
                **params.get(method, {}),
            )
            surface = profiler.surface(x, y, grid)
            cost = surface.search_cost(hx, hy)
            px, py = surface.point_xy
            rows.append(
                {
                    "series_id": sid,
                    "method": surface.method,
                    "n_crimes": len(series),
                    "hunting_area_km2": grid.area_km2,
                    "home_in_area": bool(cost.inside[0]),
                    "hit_score_pct": float(cost.hit_score_pct[0]),
                    "search_area_km2": float(cost.area_km2[0]),
                    "error_distance_km": float(np.hypot(px - float(hx), py - float(hy))),
                }
            )
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Per-method summary of :func:`evaluate_series` results.

    A home outside the study area counts as 100 % and the full hunting area.
    Columns: ``method, series, homes_outside, mean_hit_pct, median_hit_pct,
    top5_share`` (share of series with hit score <= 5 %), ``median_search_km2,
    mean_error_km, median_error_km``.
    """
    r = results.copy()
    r["hit"] = r["hit_score_pct"].where(r["home_in_area"], 100.0)
    r["area"] = r["search_area_km2"].where(r["home_in_area"], r["hunting_area_km2"])
    out = r.groupby("method", sort=False).agg(
        series=("series_id", "nunique"),
        homes_outside=("home_in_area", lambda s: int((~s.astype(bool)).sum())),
        mean_hit_pct=("hit", "mean"),
        median_hit_pct=("hit", "median"),
        top5_share=("hit", lambda s: float((s <= 5.0).mean())),
        median_search_km2=("area", "median"),
        mean_error_km=("error_distance_km", "mean"),
        median_error_km=("error_distance_km", "median"),
    )
    return out.reset_index()


def markdown_summary(results: pd.DataFrame, title: str) -> str:
    """A per-method summary of :func:`evaluate_series` results as a markdown table."""
    summary = summarise(results)
    n = results["series_id"].nunique()
    lines = [
        f"### {title} ({n} series; median hunting area "
        f"{results['hunting_area_km2'].median():.1f} km²)",
        "",
        "| method | mean hit % | median hit % | share ≤ 5 % | median search km² "
        "| mean error km | median error km | homes outside |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for _, r in summary.iterrows():
        lines.append(
            f"| {r['method']} | {r['mean_hit_pct']:.1f} | {r['median_hit_pct']:.1f} "
            f"| {r['top5_share']:.2f} | {r['median_search_km2']:.2f} | {r['mean_error_km']:.2f} "
            f"| {r['median_error_km']:.2f} | {r['homes_outside']} |"
        )
    return "\n".join(lines)
