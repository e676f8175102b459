"""Commands for geographic profiling: geoprofile, evaluate-geoprofile."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from caselink.cli.engines import (
    CellsOption,
    HomesOption,
    MarginOption,
    ModelOption,
    NoPriorOption,
    PopulationOption,
)
from caselink.cli.evaluation import evaluate_geoprofile
from caselink.cli.options import DbOption, console, fail, open_store
from caselink.cli.output import checked_output
from caselink.geoprofile.methods import METHODS
from caselink.geoprofile.profile import AUTO, SeriesProfile
from caselink.records.errors import CaselinkError
from caselink.service import profiling
from caselink.service.profiling import ProfileRequest


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
    for line in profiling.describe(result, n_crimes, cells):
        console.print(line)
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


def register(app: typer.Typer) -> None:
    """Add the geographic-profiling commands to the root app."""
    app.command(name="geoprofile")(geoprofile)
    app.command(name="evaluate-geoprofile")(evaluate_geoprofile)
