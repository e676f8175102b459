"""Commands for geographic profiling: geoprofile, evaluate-geoprofile."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from caselink.cli.engines import ModelOption, linkage_engine
from caselink.cli.options import DbOption, console, fail, open_store
from caselink.cli.output import checked_output, write_report
from caselink.geoprofile.evaluation import evaluate_series, summarise
from caselink.geoprofile.mapping import draw_profile
from caselink.geoprofile.methods import FITTED_METHODS, METHODS
from caselink.geoprofile.methods import geoprofile as build_surface
from caselink.geoprofile.persons import candidate_persons, persons_of_interest, rank_persons
from caselink.geoprofile.solved import read_homes, solved_series
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


def geoprofile(
    db: DbOption = None,
    series: Annotated[str | None, typer.Option("--series", help="A series id.")] = None,
    cases: Annotated[str | None, typer.Option("--cases", help="Case ids, comma-separated.")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", dir_okay=False, help="Write lat,lon,score per cell.")
    ] = None,
    png: Annotated[Path | None, typer.Option("--png", dir_okay=False, help="Draw a map.")] = None,
    method: Annotated[str, typer.Option("--method", help=f"One of {', '.join(METHODS)}.")] = "cgt",
    cells: CellsOption = 200,
    margin_km: MarginOption = None,
    bounds: Annotated[
        str | None, typer.Option("--bounds", help="Explicit area: south,west,north,east (deg).")
    ] = None,
    buffer_km: Annotated[float | None, typer.Option("--buffer-km", help="CGT buffer B.")] = None,
    f: Annotated[float, typer.Option("--f", help="CGT exponent outside the buffer.")] = 1.2,
    g: Annotated[float, typer.Option("--g", help="CGT exponent inside the buffer.")] = 1.2,
    homes: HomesOption = None,
    top_pct: Annotated[
        float, typer.Option("--top-pct", help="Persons of interest: home within this % of area.")
    ] = 10.0,
    model: ModelOption = None,
    linked_only: Annotated[
        bool, typer.Option("--linked-only", help="Rank only persons mentioned in the series.")
    ] = False,
) -> None:
    """Profile where the offender of a series probably lives; rank persons of interest."""
    if (series is None) == (cases is None):
        fail("give exactly one of --series ID or --cases A,B,C")
    if method not in METHODS:
        fail(f"--method must be one of {', '.join(METHODS)}; got {method!r}")
    checked_output(out, db, [homes, model])
    checked_output(png, db, [homes, model, out], option="--png")
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
    mentions = store.mentions_frame()
    params: dict[str, Any] = {}
    solved = None
    if method in ("cgt", "bayes-cgt"):
        params = {"buffer_km": buffer_km, "f": f, "g": g}
    if method in FITTED_METHODS:
        table = _homes(homes)
        known = solved_series(all_cases, mentions, table).frame
        # never fit on the series being profiled
        overlap = set(known.loc[known["case_id"].isin(ids), "series_id"])
        solved = known[~known["series_id"].isin(overlap)]
        if solved["series_id"].nunique() < 2:
            fail(f"--method {method} needs at least 2 solved series with known homes in the store")
        console.print(
            f"fitted on {solved['series_id'].nunique()} solved series ({len(solved)} cases)"
        )
    try:
        surface = build_surface(
            crimes["lat"],
            crimes["lon"],
            method,
            solved=solved,
            cells=cells,
            margin_km=margin_km,
            bounds=_bounds(bounds),
            **params,
        )
    except ValueError as exc:
        fail(str(exc))
    lat, lon = surface.point_latlon
    console.print(
        f"{method}: {len(crimes)} cases, study area {surface.grid.area_km2:.2f} km² "
        f"({cells}x{cells} cells); estimate {lat:.5f}, {lon:.5f}"
    )
    if out is not None:
        write_report(surface.to_frame(), out)
        console.print(f"wrote {out}")
    people = candidate_persons(
        mentions, store.resolution_frame("person"), case_ids=ids if linked_only else None
    )
    people["linked"] = people["person_id"].isin(
        candidate_persons(mentions, store.resolution_frame("person"), case_ids=ids)["person_id"]
    )
    ranked = rank_persons(surface, people)
    interest = persons_of_interest(ranked, top_pct)
    table_out = Table(title=f"Persons of interest: home in the first {top_pct:g}% of the search")
    for col in ("rank", "person", "label", "hit score %", "search km²", "in series"):
        table_out.add_column(col)
    for _, p in interest.iterrows():
        table_out.add_row(
            str(p["rank"]),
            str(p["person_id"]),
            str(p["label"]),
            f"{p['hit_score_pct']:.2f}",
            f"{p['search_area_km2']:.3f}",
            "yes" if p["linked"] else "",
        )
    console.print(table_out)
    if png is not None:
        drawn = ranked[ranked["linked"] | (ranked["hit_score_pct"] <= top_pct)]
        draw_profile(surface, crimes, png, persons=drawn)
        console.print(f"wrote {png}")


def evaluate_geoprofile(
    db: DbOption = None,
    homes: HomesOption = None,
    methods: Annotated[str, typer.Option("--methods", help="Comma-separated methods.")] = ",".join(
        METHODS
    ),
    cells: CellsOption = 200,
    margin_km: MarginOption = None,
    min_crimes: Annotated[int, typer.Option("--min-crimes", help="Smallest series scored.")] = 3,
    out: Annotated[
        Path | None, typer.Option("--out", dir_okay=False, help="Write per-series results CSV.")
    ] = None,
) -> None:
    """Hit score, search area and error distance of each method on the store's solved series."""
    chosen = [m.strip() for m in methods.split(",") if m.strip()]
    bad = [m for m in chosen if m not in METHODS]
    if bad:
        fail(f"--methods: unknown {', '.join(bad)}; choose from {', '.join(METHODS)}")
    checked_output(out, db, [homes])
    store = open_store(db)
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
            solved.frame, chosen, cells=cells, margin_km=margin_km, min_crimes=min_crimes
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
    console.print(
        "Rossmo (2000, Table 10.1) CGT hit scores: Chase 1.7% (0.1 km²), Berkowitz 4.7% "
        "(38.2 km²), Ramirez 9.8% (625 km²), DeSalvo 17.8% (223 km²)."
    )


def register(app: typer.Typer) -> None:
    """Add the geographic-profiling commands to the root app."""
    app.command(name="geoprofile")(geoprofile)
    app.command(name="evaluate-geoprofile")(evaluate_geoprofile)
