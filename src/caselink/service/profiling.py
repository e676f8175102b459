"""Geographic-profiling use cases: profile a series (stored), evaluate the methods.

A series is named by its offender (solved cases) or by its id among the stored
series (:func:`caselink.service.linking.series_members`: a series file, a named
link run, else the newest stored run; linkage runs only when nothing is
stored). The profile is never fitted on the series being profiled
(:func:`caselink.geoprofile.profile.profile_series` leaves it out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from caselink.geoprofile.evaluation import available_methods, evaluate_series, summarise
from caselink.geoprofile.mapping import draw_profile
from caselink.geoprofile.methods import FITTED_METHODS, METHODS, PRIOR_METHODS
from caselink.geoprofile.profile import AUTO, SeriesProfile, profile_series
from caselink.geoprofile.residential import ResidentialDensity, from_mentions, read_population
from caselink.geoprofile.selection import leave_one_out_auto, rank_methods
from caselink.geoprofile.solved import read_homes, solved_series
from caselink.records.errors import CaselinkError, InputError, NotFoundError, input_errors
from caselink.records.outputs import write_report_csv
from caselink.service.linking import series_members
from caselink.settings import Settings
from caselink.store import Store
from caselink.store.results import Results


@dataclass(frozen=True)
class SeriesCases:
    """The cases of a series and where they were found."""

    case_ids: list[str]
    source: str
    """``offender_id``, ``--cases``, ``run N`` or a series file's path."""
    series_run_id: int | None = None


def series_cases(
    store: Store,
    series: str,
    cases: pd.DataFrame,
    model: Path | None = None,
    series_file: Path | None = None,
    run_id: int | None = None,
    settings: Settings | None = None,
) -> SeriesCases:
    """Case ids of a series: a solved series named by its ``offender_id``, else a series id
    of the stored (or given) series."""
    named = cases.loc[cases["offender_id"] == series, "case_id"].tolist()
    if named and series_file is None and run_id is None:
        return SeriesCases([str(c) for c in named], "offender_id")
    members, source, series_run = series_members(store, model, series_file, run_id, settings)
    found = members.loc[members["series_id"] == series, "case_id"].tolist()
    if not found:
        known = ", ".join(sorted(members["series_id"].unique())[:10])
        raise NotFoundError(
            f"--series {series}: no such series (run `caselink series` to list them; "
            f"some: {known or 'none found'}); or name the cases with --cases A,B,C",
            field="--series",
            value=series,
        )
    return SeriesCases([str(c) for c in found], source, series_run)


@dataclass(frozen=True)
class ProfileRequest:
    """What to profile and how (the options of ``caselink geoprofile``)."""

    series: str | None = None
    cases: Sequence[str] = ()
    method: str = AUTO
    cells: int = 200
    margin_km: float | None = None
    bounds: tuple[float, float, float, float] | None = None
    params: dict[str, Any] | None = None
    homes: Path | None = None
    population: Path | None = None
    use_store_prior: bool = True
    top_pct: float = 5.0
    first_pct: float = 1.0
    linked_only: bool = False
    model: Path | None = None
    series_file: Path | None = None
    run_id: int | None = None

    def check(self) -> None:
        """Refuse contradictory or out-of-range options before any work."""
        if (self.series is None) == (not self.cases):
            raise InputError("give exactly one of --series ID or --cases A,B,C")
        if self.method != AUTO and self.method not in METHODS:
            raise InputError(
                f"--method must be auto or one of {', '.join(METHODS)}; got {self.method!r}",
                field="--method",
                value=self.method,
            )
        if not 0 < self.top_pct <= 100:
            raise InputError(f"--top-pct must be in (0, 100]; got {self.top_pct}")
        if not self.first_pct > 0:
            raise InputError(f"--first-pct must be > 0; got {self.first_pct}")


@dataclass(frozen=True)
class Profiled:
    """A stored profile: the result, the crimes profiled and the profile's id."""

    profile: SeriesProfile
    crimes: pd.DataFrame
    source: str
    profile_id: int


def read_homes_file(path: Path | None) -> pd.DataFrame | None:
    """The ``--homes`` file, or None."""
    if path is None:
        return None
    try:
        return read_homes(str(path))
    except CaselinkError:
        raise
    except ValueError as exc:
        raise InputError(f"--homes: {exc}", file=str(path)) from None


def read_population_file(path: Path | None) -> ResidentialDensity | None:
    """The ``--population`` grid, or None."""
    if path is None:
        return None
    try:
        return read_population(path)
    except CaselinkError as exc:
        raise InputError(f"--population: {exc}", file=str(path)) from None
    except ValueError as exc:
        raise InputError(f"--population: {exc}", file=str(path)) from None


def profile(store: Store, request: ProfileRequest, settings: Settings | None = None) -> Profiled:
    """Profile where the offender of a series probably lives, rank persons, store the result."""
    settings = settings or Settings.from_env()
    request.check()
    all_cases = store.cases_frame()
    found = (
        series_cases(
            store,
            request.series,
            all_cases,
            request.model,
            request.series_file,
            request.run_id,
            settings,
        )
        if request.series is not None
        else SeriesCases(list(request.cases), "--cases")
    )
    unknown = sorted(set(found.case_ids) - set(all_cases["case_id"]))
    if unknown:
        raise NotFoundError(f"--cases: no such case(s): {', '.join(unknown)}", field="--cases")
    crimes = all_cases[all_cases["case_id"].isin(found.case_ids)]
    with input_errors():
        result = profile_series(
            all_cases,
            store.mentions_frame(),
            found.case_ids,
            method=request.method,
            resolution=store.resolution_frame("person"),
            homes=read_homes_file(request.homes),
            population=read_population_file(request.population),
            use_store_prior=request.use_store_prior,
            cells=request.cells,
            margin_km=request.margin_km,
            bounds=request.bounds,
            top_pct=request.top_pct,
            first_pct=request.first_pct,
            linked_only=request.linked_only,
            params=request.params,
        )
    lat, lon = result.surface.point_latlon
    profile_id = Results(store.engine).save_geoprofile(
        {
            "series_id": request.series,
            "series_run_pk": found.series_run_id,
            "case_ids": sorted(found.case_ids),
            "method": result.choice.method,
            "reason": result.choice.reason,
            "estimate_lat": float(lat),
            "estimate_lon": float(lon),
            "search_areas": [
                {"pct": a.pct, "area_km2": a.area_km2, "probability": a.probability}
                for a in result.search_areas
            ],
            "persons": [
                {
                    "rank": int(p["rank"]),
                    "person_id": str(p["person_id"]),
                    "hit_score_pct": float(p["hit_score_pct"]),
                }
                for p in result.interest.to_dict("records")
            ],
            "params": {
                "cells": request.cells,
                "top_pct": request.top_pct,
                "first_pct": request.first_pct,
                "source": found.source,
            },
            "created_by": settings.user,
        }
    )
    return Profiled(result, crimes, found.source, profile_id)


def describe(result: SeriesProfile, n_crimes: int, cells: int) -> list[str]:
    """The method and why, the prior, the estimate and the uncertainty, as lines."""
    choice, surface = result.choice, result.surface
    lines = [f"method: {choice.method} — {choice.reason}"]
    if result.prior is not None and choice.method in PRIOR_METHODS:
        lines.append(f"prior: {result.prior.describe()}")
    elif result.prior is not None:
        lines.append(f"prior: not used by {choice.method} (available: {result.prior.source})")
    else:
        lines.append("prior: none (no population grid and too few geocoded homes in the store)")
    if choice.method in FITTED_METHODS:
        lines.append(f"fitted on {result.n_solved} solved series")
    lat, lon = surface.point_latlon
    lines.append(
        f"{choice.method}: {n_crimes} cases, study area {surface.grid.area_km2:.2f} km² "
        f"({cells}x{cells} cells); estimate {lat:.5f}, {lon:.5f}"
    )
    parts = []
    for a in result.search_areas:
        mass = f" (posterior {100 * a.probability:.0f}%)" if a.probability is not None else ""
        parts.append(f"first {a.pct:g}% = {a.area_km2:.3f} km²{mass}")
    lines.append("search areas: " + "; ".join(parts))
    spread = choice.spread()
    if spread is not None:
        q1, q2, q3 = spread
        lines.append(
            f"{choice.method} on {choice.n_series} solved series (leave-one-series-out): hit "
            f"score median {q2:.1f}%, quartiles {q1:.1f}–{q3:.1f}%"
        )
    else:
        lines.append(f"{choice.method}: no hit-score spread (fewer than 3 solved series)")
    return lines


def export_profile(profiled: Profiled, out: Path | None, png: Path | None, top_pct: float) -> None:
    """Write the surface (``lat,lon,score`` per cell) and draw the map, when asked."""
    surface = profiled.profile.surface
    if out is not None:
        write_report_csv(surface.to_frame(), out)
    if png is not None:
        ranked = profiled.profile.ranked
        drawn = ranked[ranked["linked"] | (ranked["hit_score_pct"] <= top_pct)]
        draw_profile(surface, profiled.crimes, png, persons=drawn)


# -- evaluation on the solved series ------------------------------------------------


@dataclass(frozen=True)
class Evaluated:
    """Each method on the store's solved series, and what ``auto`` would do."""

    prior_text: str
    n_series: int
    n_skipped: int
    results: pd.DataFrame
    summary: pd.DataFrame
    auto_choice: tuple[str, float, float] | None
    """(best method, its median hit %, auto's own leave-one-out median hit %)."""


def prior_for(
    store: Store, population: Path | None, use_store_prior: bool
) -> ResidentialDensity | None:
    """The population grid, else the persons' homes in the store (unless not wanted)."""
    prior = read_population_file(population)
    if prior is None and use_store_prior:
        prior = from_mentions(store.mentions_frame(), store.resolution_frame("person"))
    return prior


def chosen_methods(methods: str | None, prior: ResidentialDensity | None) -> list[str]:
    """The methods to evaluate: the named ones (checked), else every one that can run."""
    chosen = (
        [m.strip() for m in methods.split(",") if m.strip()]
        if methods is not None
        else list(available_methods(prior))
    )
    bad = [m for m in chosen if m not in METHODS]
    if bad:
        raise InputError(
            f"--methods: unknown {', '.join(bad)}; choose from {', '.join(METHODS)}",
            field="--methods",
            value=",".join(bad),
        )
    if prior is None and any(m in PRIOR_METHODS for m in chosen):
        raise InputError(
            f"--methods: {', '.join(m for m in chosen if m in PRIOR_METHODS)} need where people "
            "live: give --population FILE (too few geocoded homes in the store)"
        )
    return chosen


def evaluate(
    store: Store,
    chosen: list[str],
    prior: ResidentialDensity | None,
    homes: Path | None,
    cells: int,
    margin_km: float | None,
    min_crimes: int,
) -> Evaluated:
    """Hit score, search area and error distance of each method on the solved series."""
    solved = solved_series(
        store.cases_frame(), store.mentions_frame(), read_homes_file(homes), min_crimes=min_crimes
    )
    n = int(solved.frame["series_id"].nunique())
    prior_text = prior.describe() if prior is not None else "none"
    if n < 2:
        raise InputError(
            f"{n} solved series with a known home; {len(solved.skipped)} left out: "
            "need at least 2 solved series with known homes (cases with offender_id)"
        )
    with input_errors():
        results = evaluate_series(
            solved.frame,
            chosen,
            prior=prior,
            cells=cells,
            margin_km=margin_km,
            min_crimes=min_crimes,
        )
    auto_choice = None
    if results["series_id"].nunique() >= 3 and len(chosen) > 1:
        best = rank_methods(results).iloc[0]
        auto = leave_one_out_auto(results)
        hit = auto["hit_score_pct"].where(auto["home_in_area"], 100.0)
        auto_choice = (str(best["method"]), float(best["median_hit_pct"]), float(hit.median()))
    return Evaluated(prior_text, n, len(solved.skipped), results, summarise(results), auto_choice)
