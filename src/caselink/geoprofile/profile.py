"""Profile one series end to end: choose the method, apply the prior, rank persons.

This is what ``caselink geoprofile`` runs; the CLI only prints it.

1. Solved series with a known home (:func:`~caselink.geoprofile.solved.solved_series`),
   less any sharing a case with the series profiled, are the evidence.
2. The prior: a force's population grid when given, else the residential
   density of the persons in the store (:mod:`~caselink.geoprofile.residential`),
   else none.
3. The method: given, or ``auto`` (:mod:`~caselink.geoprofile.selection`).
   The chosen method's hit-score spread on the solved series is kept.
4. The surface, the km² of its first 1/5/10 % (and, for a posterior, the
   probability it puts there), and the persons ranked by where they live.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from caselink.geoprofile.grid import study_area
from caselink.geoprofile.methods import FITTED_METHODS, METHODS, PRIOR_METHODS, make_profiler
from caselink.geoprofile.persons import candidate_persons, persons_of_interest, rank_persons
from caselink.geoprofile.residential import ResidentialDensity, from_mentions
from caselink.geoprofile.selection import MethodChoice, choose_method
from caselink.geoprofile.solved import solved_series
from caselink.geoprofile.surface import Surface

AUTO = "auto"
SEARCH_PCTS: tuple[float, ...] = (1.0, 5.0, 10.0)
POSTERIOR_METHODS: frozenset[str] = frozenset({"bayes", "bayes-res", "normal-res"})
"""Methods whose scores are log posterior probabilities (``bayes-cgt`` uses the
crimes twice, so its posterior is not calibrated and is left out)."""
AUTO_CELLS = 100
"""Grid resolution of the leave-one-series-out evaluation behind ``auto``."""


@dataclass(frozen=True)
class SearchArea:
    """The first ``pct`` % of the search: its km² and, for a posterior, its probability."""

    pct: float
    area_km2: float
    probability: float | None


@dataclass(frozen=True)
class SeriesProfile:
    """Everything ``caselink geoprofile`` reports about one series."""

    surface: Surface
    choice: MethodChoice
    prior: ResidentialDensity | None
    n_solved: int
    search_areas: list[SearchArea]
    ranked: pd.DataFrame
    interest: pd.DataFrame


def search_areas(surface: Surface, pcts: Collection[float] = SEARCH_PCTS) -> list[SearchArea]:
    """km² of the first ``pcts`` % of the search, with posterior mass for posterior methods."""
    flat = np.sort(surface.scores.ravel())[::-1]
    out = []
    for pct in pcts:
        k = max(1, round(flat.size * pct / 100.0))
        prob = None
        if surface.method in POSTERIOR_METHODS:
            prob = float(np.exp(flat[:k]).sum())
        out.append(SearchArea(float(pct), k * surface.grid.cell_area_km2, prob))
    return out


def profile_series(
    cases: pd.DataFrame,
    mentions: pd.DataFrame,
    case_ids: Collection[str],
    *,
    method: str = AUTO,
    resolution: pd.DataFrame | None = None,
    homes: pd.DataFrame | None = None,
    population: ResidentialDensity | None = None,
    use_store_prior: bool = True,
    cells: int = 200,
    margin_km: float | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    top_pct: float = 5.0,
    first_pct: float = 1.0,
    linked_only: bool = False,
    params: dict[str, object] | None = None,
) -> SeriesProfile:
    """Profile the series ``case_ids`` of a store's frames.

    Parameters
    ----------
    cases, mentions : DataFrame
        The store's cases and mentions frames.
    case_ids : collection of str
        The series' cases.
    method : str
        ``auto`` or one of :data:`~caselink.geoprofile.methods.METHODS`.
    resolution : DataFrame, optional
        Person resolution (``mention_id, entity_id``).
    homes : DataFrame, optional
        ``offender_id, home_lat, home_lon`` of solved series (``--homes``).
    population : ResidentialDensity, optional
        A force's population grid; overrides the store's persons as prior.
    use_store_prior : bool
        Build the prior from the persons in the store when no population is given.
    cells, margin_km, bounds :
        The study area (:func:`~caselink.geoprofile.grid.study_area`).
    top_pct, first_pct :
        Persons of interest (:func:`~caselink.geoprofile.persons.persons_of_interest`).
    linked_only : bool
        Rank only persons mentioned in the series' cases.
    params : dict, optional
        Method parameters (CGT's ``buffer_km``, ``f``, ``g``).

    Raises
    ------
    ValueError
        On an unknown method, a method that needs what the store lacks (solved
        series, a prior), or a series the method cannot profile.
    """
    if method != AUTO and method not in METHODS:
        raise ValueError(f"method must be auto or one of {', '.join(METHODS)}, got {method!r}")
    ids = {str(c) for c in case_ids}
    crimes = cases[cases["case_id"].isin(ids)]
    if len(crimes) == 0:
        raise ValueError("no cases to profile")
    prior = population
    if prior is None and use_store_prior:
        prior = from_mentions(mentions, resolution)
    if method in PRIOR_METHODS and prior is None:
        raise ValueError(
            f"method {method} needs where people live: fewer than 10 persons in the store have "
            "a geocoded home address outside offender/suspect roles; give --population FILE"
        )
    known = solved_series(cases, mentions, homes).frame
    overlap = set(known.loc[known["case_id"].isin(ids), "series_id"])  # never fit on itself
    solved = known[~known["series_id"].isin(overlap)]
    n_solved = int(solved["series_id"].nunique())
    if method in FITTED_METHODS and n_solved < 2:
        raise ValueError(
            f"method {method} needs at least 2 solved series with known homes in the store "
            f"(found {n_solved})"
        )
    eval_cells = min(cells, AUTO_CELLS)
    if method == AUTO:
        choice = choose_method(solved, prior=prior, cells=eval_cells, margin_km=margin_km)
    else:
        # the given method's own record on the solved series, for its spread
        choice = choose_method(
            solved, prior=prior, methods=(method,), cells=eval_cells, margin_km=margin_km
        )
        choice = MethodChoice(method, "given with --method", choice.results, choice.n_series)
    chosen = choice.method
    if chosen in FITTED_METHODS and n_solved < 2:  # an auto fallback never is, but be sure
        raise ValueError(f"method {chosen} needs at least 2 solved series with known homes")
    kw = dict(params or {}) if chosen in ("cgt", "bayes-cgt") else {}
    grid = study_area(crimes["lat"], crimes["lon"], cells=cells, margin_km=margin_km, bounds=bounds)
    x, y = grid.projection.to_xy(crimes["lat"].to_numpy(), crimes["lon"].to_numpy())
    profiler = make_profiler(
        chosen, solved if chosen in FITTED_METHODS else None, prior=prior, **kw
    )
    surface = profiler.surface(x, y, grid)
    people = candidate_persons(
        mentions,
        resolution,
        case_ids=ids if linked_only else None,
        linked_cases=ids,
        cases=cases,
    )
    ranked = rank_persons(surface, people)
    interest = persons_of_interest(ranked, top_pct, first_pct=min(first_pct, top_pct))
    return SeriesProfile(surface, choice, prior, n_solved, search_areas(surface), ranked, interest)
