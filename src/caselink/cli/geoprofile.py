"""Commands for geographic profiling: geoprofile, evaluate-geoprofile."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from caselink.cli.engines import ModelOption
from caselink.cli.options import DbOption, console, fail, open_store
from caselink.cli.output import checked_output, write_report
from caselink.geoprofile.methods import FITTED_METHODS, METHODS, PRIOR_METHODS
from caselink.geoprofile.profile import AUTO, SeriesProfile
from caselink.records.errors import CaselinkError
from caselink.service import profiling
from caselink.service.profiling import ProfileRequest

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


def _bounds(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    parts = text.split(",")
    try:
        south, west, north, east = (float(p) for p in parts)
    except ValueError:
        fail(f"--bounds must be four numbers south,west,north,east; got {text!r}")
    return south, west, north, east


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
    series_file: Annotated[
        Path | None,
        typer.Option(
            "--series-file",
            exists=True,
            dir_okay=False,
            help="series.csv (case_id,series_id) to find --series in, instead of the "
            "stored series.",
        ),
    ] = None,
    run: Annotated[
        int | None,
        typer.Option("--run", help="The stored link run whose series to use (default: newest)."),
    ] = None,
) -> None:
    """Profile where the offender of a series probably lives; rank persons of interest.

    ``--series`` names a solved series by its offender_id, or a series of the
    newest stored link run (``caselink link``/``series`` store them); linkage
    runs only when nothing is stored. The profile is stored too.
    """
    request = ProfileRequest(
        series=series,
        cases=[c.strip() for c in (cases or "").split(",") if c.strip()],
        method=method,
        cells=cells,
        margin_km=margin_km,
        bounds=_bounds(bounds),
        params={"buffer_km": buffer_km, "f": f, "g": g},
        homes=homes,
        population=population,
        use_store_prior=not no_prior,
        top_pct=top_pct,
        first_pct=first_pct,
        linked_only=linked_only,
        model=model,
        series_file=series_file,
        run_id=run,
    )
    try:
        request.check()
    except CaselinkError as exc:
        fail(exc)
    checked_output(out, db, [homes, model, population, series_file])
    checked_output(png, db, [homes, model, population, series_file, out], option="--png")
    store = open_store(db)
    with console.status("profiling (choosing the method on the solved series)..."):
        try:
            done = profiling.profile(store, request)
        except CaselinkError as exc:
            fail(exc)
    _print_profile(done.profile, len(done.crimes), cells, top_pct, first_pct)
    profiling.export_profile(done, out, png, top_pct)
    for path in (out, png):
        if path is not None:
            console.print(f"wrote {path}")


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
    try:
        prior = profiling.prior_for(store, population, not no_prior)
        chosen = profiling.chosen_methods(methods, prior)
    except CaselinkError as exc:
        fail(exc)
    checked_output(out, db, [homes, population])
    console.print(f"prior: {prior.describe() if prior is not None else 'none'}")
    try:
        done = profiling.evaluate(store, chosen, prior, homes, cells, margin_km, min_crimes)
    except CaselinkError as exc:
        fail(exc)
    console.print(f"{done.n_series} solved series with a known home; {done.n_skipped} left out")
    if out is not None:
        write_report(done.results, out)
        console.print(f"wrote {out}")
    _print_evaluation(done, cells)


def _print_evaluation(done: profiling.Evaluated, cells: int) -> None:
    view = Table(
        title=f"Geographic profiling on {done.n_series} solved series ({cells}x{cells} cells)"
    )
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
    for _, r in done.summary.iterrows():
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
    if done.auto_choice is not None:
        best, best_median, auto_median = done.auto_choice
        console.print(
            f"--method auto would choose {best} here (median "
            f"{best_median:.1f}%); choosing on the other series only, auto's own "
            f"median hit score is {auto_median:.1f}%"
        )
    console.print(
        "Rossmo (2000, Table 10.1) CGT hit scores: Chase 1.7% (0.1 km²), Berkowitz 4.7% "
        "(38.2 km²), Ramirez 9.8% (625 km²), DeSalvo 17.8% (223 km²)."
    )


def register(app: typer.Typer) -> None:
    """Add the geographic-profiling commands to the root app."""
    app.command(name="geoprofile")(geoprofile)
    app.command(name="evaluate-geoprofile")(evaluate_geoprofile)
