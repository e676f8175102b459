"""Commands for geographic profiling: geoprofile, evaluate-geoprofile."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from caselink.cli.engines import ModelOption, linkage_engine
from caselink.cli.options import DbOption, console, fail, open_store
from caselink.cli.output import checked_output, write_report
from caselink.geoprofile.evaluation import available_methods, evaluate_series, summarise
from caselink.geoprofile.mapping import draw_profile
from caselink.geoprofile.methods import FITTED_METHODS, METHODS, PRIOR_METHODS
from caselink.geoprofile.profile import AUTO, SeriesProfile, profile_series
from caselink.geoprofile.residential import ResidentialDensity, from_mentions, read_population
from caselink.geoprofile.selection import leave_one_out_auto, rank_methods
from caselink.geoprofile.solved import read_homes, solved_series
from caselink.records.errors import InvalidInputError
from caselink.store import Store

HomesOption = Annotated[
    Path | None,
    typer.Option(
        "--homes",
        exists=True,
        dir_okay=False,
        help="offender_id,home_lat,home_lon of solved series (e.g. truth_offenders.csv); "
        "default: offender/suspect addresses in the store.",
    ),
]
CellsOption = Annotated[int, typer.Option("--cells", help="Grid cells along each axis.")]
PopulationOption = Annotated[
    Path | None,
    typer.Option(
        "--population",
        exists=True,
        dir_okay=False,
        help="Population grid lat,lon,weight as the prior of where offenders can live; "
        "default: the home addresses of the persons in the store.",
    ),
]
NoPriorOption = Annotated[
    bool, typer.Option("--no-prior", help="Do not build a prior from the persons in the store.")
]
MarginOption = Annotated[
    float | None,
    typer.Option("--margin-km", help="Widen the crimes' box by this (default: Rossmo's rule)."),
]


def _series_cases(store: Store, series: str, cases: pd.DataFrame, model: Path | None) -> list[str]:
    """Case ids of a series found by case linkage (``caselink series`` ids).

    A solved series can also be named by its ``offender_id``.
    """
    named = cases.loc[cases["offender_id"] == series, "case_id"].tolist()
    if named:
        return [str(c) for c in named]
    with console.status("finding series (case linkage)..."):
        members = linkage_engine(store, model).series().members
    found = members.loc[members["series_id"] == series, "case_id"].tolist()
    if not found:
        known = ", ".join(sorted(members["series_id"].unique())[:10])
        fail(
            f"--series {series}: no such series (run `caselink series` to list them; "
            f"some: {known or 'none found'}); or name the cases with --cases A,B,C"
        )
    return [str(c) for c in found]


def _homes(path: Path | None) -> pd.DataFrame | None:
    if path is None:
        return None
    try:
        return read_homes(str(path))
    except ValueError as exc:
        fail(f"--homes: {exc}")


def _bounds(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    parts = text.split(",")
    try:
        south, west, north, east = (float(p) for p in parts)
    except ValueError:
        fail(f"--bounds must be four numbers south,west,north,east; got {text!r}")
    return south, west, north, east


def _population(path: Path | None) -> ResidentialDensity | None:
    if path is None:
        return None
    try:
        return read_population(path)
    except (InvalidInputError, ValueError) as exc:
        fail(f"--population: {exc}")


def geoprofile(
    db: DbOption = None,
    series: Annotated[str | None, typer.Option("--series", help="A series id.")] = None,
    cases: Annotated[str | None, typer.Option("--cases", help="Case ids, comma-separated.")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", dir_okay=False, help="Write lat,lon,score per cell.")
    ] = None,
    png: Annotated[Path | None, typer.Option("--png", dir_okay=False, help="Draw a map.")] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help=f"auto (chosen on the store's solved series) or one of {', '.join(METHODS)}.",
        ),
    ] = AUTO,
    cells: CellsOption = 200,
    margin_km: MarginOption = None,
    bounds: Annotated[
        str | None, typer.Option("--bounds", help="Explicit area: south,west,north,east (deg).")
    ] = None,
    buffer_km: Annotated[float | None, typer.Option("--buffer-km", help="CGT buffer B.")] = None,
    f: Annotated[float, typer.Option("--f", help="CGT exponent outside the buffer.")] = 1.2,
    g: Annotated[float, typer.Option("--g", help="CGT exponent inside the buffer.")] = 1.2,
    homes: HomesOption = None,
    population: PopulationOption = None,
    no_prior: NoPriorOption = False,
    top_pct: Annotated[
        float, typer.Option("--top-pct", help="Persons of interest: home within this % of area.")
    ] = 5.0,
    first_pct: Annotated[
        float,
        typer.Option(
            "--first-pct",
            help="Persons mentioned in the series whose home is within this % are listed first.",
        ),
    ] = 1.0,
    model: ModelOption = None,
    linked_only: Annotated[
        bool, typer.Option("--linked-only", help="Rank only persons mentioned in the series.")
    ] = False,
) -> None:
    """Profile where the offender of a series probably lives; rank persons of interest."""
    if (series is None) == (cases is None):
        fail("give exactly one of --series ID or --cases A,B,C")
    if method != AUTO and method not in METHODS:
        fail(f"--method must be auto or one of {', '.join(METHODS)}; got {method!r}")
    if not 0 < top_pct <= 100:
        fail(f"--top-pct must be in (0, 100]; got {top_pct}")
    if not first_pct > 0:
        fail(f"--first-pct must be > 0; got {first_pct}")
    checked_output(out, db, [homes, model, population])
    checked_output(png, db, [homes, model, population, out], option="--png")
    store = open_store(db)
    all_cases = store.cases_frame()
    if series is not None:
        ids = _series_cases(store, series, all_cases, model)
    else:
        ids = [c.strip() for c in (cases or "").split(",") if c.strip()]
    unknown = sorted(set(ids) - set(all_cases["case_id"]))
    if unknown:
        fail(f"--cases: no such case(s): {', '.join(unknown)}")
    crimes = all_cases[all_cases["case_id"].isin(ids)]
    grid_prior = _population(population)
    with console.status("profiling (choosing the method on the solved series)..."):
        try:
            result = profile_series(
                all_cases,
                store.mentions_frame(),
                ids,
                method=method,
                resolution=store.resolution_frame("person"),
                homes=_homes(homes),
                population=grid_prior,
                use_store_prior=not no_prior,
                cells=cells,
                margin_km=margin_km,
                bounds=_bounds(bounds),
                top_pct=top_pct,
                first_pct=first_pct,
                linked_only=linked_only,
                params={"buffer_km": buffer_km, "f": f, "g": g},
            )
        except ValueError as exc:
            fail(str(exc))
    _print_profile(result, len(crimes), cells, top_pct, first_pct)
    surface = result.surface
    if out is not None:
        write_report(surface.to_frame(), out)
        console.print(f"wrote {out}")
    if png is not None:
        ranked = result.ranked
        drawn = ranked[ranked["linked"] | (ranked["hit_score_pct"] <= top_pct)]
        draw_profile(surface, crimes, png, persons=drawn)
        console.print(f"wrote {png}")


def _print_profile(
    result: SeriesProfile, n_crimes: int, cells: int, top_pct: float, first_pct: float
) -> None:
    """The method and why, the prior, the estimate, the uncertainty, the persons."""
    choice, surface = result.choice, result.surface
    console.print(f"method: {choice.method} — {choice.reason}")
    if result.prior is not None and choice.method in PRIOR_METHODS:
        console.print(f"prior: {result.prior.describe()}")
    elif result.prior is not None:
        console.print(f"prior: not used by {choice.method} (available: {result.prior.source})")
    else:
        console.print("prior: none (no population grid and too few geocoded homes in the store)")
    if choice.method in FITTED_METHODS:
        console.print(f"fitted on {result.n_solved} solved series")
    lat, lon = surface.point_latlon
    console.print(
        f"{choice.method}: {n_crimes} cases, study area {surface.grid.area_km2:.2f} km² "
        f"({cells}x{cells} cells); estimate {lat:.5f}, {lon:.5f}"
    )
    parts = []
    for a in result.search_areas:
        mass = f" (posterior {100 * a.probability:.0f}%)" if a.probability is not None else ""
        parts.append(f"first {a.pct:g}% = {a.area_km2:.3f} km²{mass}")
    console.print("search areas: " + "; ".join(parts))
    spread = choice.spread()
    if spread is not None:
        q1, q2, q3 = spread
        console.print(
            f"{choice.method} on {choice.n_series} solved series (leave-one-series-out): hit "
            f"score median {q2:.1f}%, quartiles {q1:.1f}–{q3:.1f}%"
        )
    else:
        console.print(f"{choice.method}: no hit-score spread (fewer than 3 solved series)")
    table_out = Table(
        title=f"Persons of interest: home in the first {top_pct:g}% of the search "
        f"(mentioned in the series and within {first_pct:g}% first)"
    )
    for col in ("rank", "person", "label", "hit %", "km²"):
        table_out.add_column(col, no_wrap=True)
    table_out.add_column("roles in the series", overflow="fold")
    for _, p in result.interest.iterrows():
        table_out.add_row(
            str(p["rank"]),
            str(p["person_id"]),
            str(p["label"]),
            f"{p['hit_score_pct']:.2f}",
            f"{p['search_area_km2']:.3f}",
            str(p["roles"]),
        )
    console.print(table_out)


def evaluate_geoprofile(
    db: DbOption = None,
    homes: HomesOption = None,
    methods: Annotated[
        str | None,
        typer.Option("--methods", help="Comma-separated methods (default: all that can run)."),
    ] = None,
    population: PopulationOption = None,
    no_prior: NoPriorOption = False,
    cells: CellsOption = 200,
    margin_km: MarginOption = None,
    min_crimes: Annotated[int, typer.Option("--min-crimes", help="Smallest series scored.")] = 3,
    out: Annotated[
        Path | None, typer.Option("--out", dir_okay=False, help="Write per-series results CSV.")
    ] = None,
) -> None:
    """Hit score, search area and error distance of each method on the store's solved series."""
    store = open_store(db)
    prior = _population(population)
    if prior is None and not no_prior:
        prior = from_mentions(store.mentions_frame(), store.resolution_frame("person"))
    chosen = (
        [m.strip() for m in methods.split(",") if m.strip()]
        if methods is not None
        else list(available_methods(prior))
    )
    bad = [m for m in chosen if m not in METHODS]
    if bad:
        fail(f"--methods: unknown {', '.join(bad)}; choose from {', '.join(METHODS)}")
    checked_output(out, db, [homes, population])
    if prior is None and any(m in PRIOR_METHODS for m in chosen):
        fail(
            f"--methods: {', '.join(m for m in chosen if m in PRIOR_METHODS)} need where people "
            "live: give --population FILE (too few geocoded homes in the store)"
        )
    console.print(f"prior: {prior.describe() if prior is not None else 'none'}")
    table = _homes(homes)
    solved = solved_series(
        store.cases_frame(), store.mentions_frame(), table, min_crimes=min_crimes
    )
    n = solved.frame["series_id"].nunique()
    console.print(f"{n} solved series with a known home; {len(solved.skipped)} left out")
    if n < 2:
        fail("need at least 2 solved series with known homes (cases with offender_id)")
    try:
        results = evaluate_series(
            solved.frame,
            chosen,
            prior=prior,
            cells=cells,
            margin_km=margin_km,
            min_crimes=min_crimes,
        )
    except ValueError as exc:
        fail(str(exc))
    if out is not None:
        write_report(results, out)
        console.print(f"wrote {out}")
    summary = summarise(results)
    view = Table(title=f"Geographic profiling on {n} solved series ({cells}x{cells} cells)")
    for col in (
        "method",
        "series",
        "homes outside",
        "mean hit %",
        "median hit %",
        "≤5 % share",
        "median search km²",
        "median error km",
    ):
        view.add_column(col)
    for _, r in summary.iterrows():
        view.add_row(
            r["method"],
            str(r["series"]),
            str(r["homes_outside"]),
            f"{r['mean_hit_pct']:.1f}",
            f"{r['median_hit_pct']:.1f}",
            f"{r['top5_share']:.2f}",
            f"{r['median_search_km2']:.2f}",
            f"{r['median_error_km']:.2f}",
        )
    console.print(view)
    if results["series_id"].nunique() >= 3 and len(chosen) > 1:
        best = rank_methods(results).iloc[0]
        auto = leave_one_out_auto(results)
        hit = auto["hit_score_pct"].where(auto["home_in_area"], 100.0)
        console.print(
            f"--method auto would choose {best['method']} here (median "
            f"{best['median_hit_pct']:.1f}%); choosing on the other series only, auto's own "
            f"median hit score is {hit.median():.1f}%"
        )
    console.print(
        "Rossmo (2000, Table 10.1) CGT hit scores: Chase 1.7% (0.1 km²), Berkowitz 4.7% "
        "(38.2 km²), Ramirez 9.8% (625 km²), DeSalvo 17.8% (223 km²)."
    )


def register(app: typer.Typer) -> None:
    """Add the geographic-profiling commands to the root app."""
    app.command(name="geoprofile")(geoprofile)
    app.command(name="evaluate-geoprofile")(evaluate_geoprofile)
