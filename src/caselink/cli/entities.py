"""Commands for entity resolution: resolve, people, flags, chart."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from caselink.cli.options import DbOption, console, fail, open_store
from caselink.cli.output import checked_output, write_report
from caselink.records.errors import CaselinkError
from caselink.service import resolution
from caselink.settings import LINK_THRESHOLD

ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        dir_okay=False,
        help="Trained person model (JSON). Default: <sqlite db file>.person-model.json.",
    ),
]


def resolve(
    db: DbOption = None,
    incremental: Annotated[
        bool,
        typer.Option(
            "--incremental",
            help="Resolve only new mentions, against existing persons, with the saved model.",
        ),
    ] = False,
    threshold: Annotated[
        float, typer.Option(help="Match probability at or above which two mentions are linked.")
    ] = 0.35,
    model: ModelOption = None,
) -> None:
    """Resolve person mentions into persons (Splink), and addresses, phones, vehicles (keys)."""
    store = open_store(db)
    try:
        path = resolution.person_model_path(db, model)
        done = resolution.resolve(store, path, incremental, threshold)
    except CaselinkError as exc:
        fail(exc)
    kind = "incremental" if incremental else "full"
    table = Table(title=f"{kind} resolution in {done.seconds:.1f} s")
    table.add_column("entity")
    table.add_column("distinct", justify="right")
    for entity, n in done.counts.items():
        table.add_row(entity, f"{n:,}")
    console.print(table)
    console.print(
        f"{done.n_resolved:,} mention(s) resolved, {done.n_links:,} link(s) at p >= {threshold}; "
        f"model {path}"
    )


def resolve_file(
    people_csv: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="people.csv to resolve (case_id and role optional)."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="persons.csv to write.")],
    threshold: Annotated[
        float,
        typer.Option(
            min=0.01, max=0.99, help="Match probability at or above which two mentions are linked."
        ),
    ] = 0.35,
) -> None:
    """Resolve a people file with no cases (and no store) into persons.

    Writes mention_id,person_id,match_weight,evidence, one row per input row
    (mention_id: the file's own, else the row's 0-based position). No place
    and no case is invented: only what each row records is compared.
    """
    try:
        done = resolution.resolve_file(people_csv, out, threshold)
    except CaselinkError as exc:
        fail(str(exc))
    console.print(
        f"{len(done.persons):,} mentions of {done.n_persons:,} persons in {done.seconds:.1f} s "
        f"({done.n_links:,} link(s) at p >= {threshold}) -> {out}"
    )
    for skipped in done.skipped_passes:
        console.print(f"note: EM pass blocked on {skipped} skipped (no two rows share it)")


def people(
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="persons.csv to write")],
    db: DbOption = None,
) -> None:
    """Write mention_id,case_id,role,person_id for every people row."""
    checked_output(out, db)
    try:
        frame = resolution.people(open_store(db))
    except CaselinkError as exc:
        fail(exc)
    write_report(frame, out)
    console.print(f"{len(frame):,} mentions of {frame['person_id'].nunique():,} persons -> {out}")


def flags(
    db: DbOption = None,
    out: Annotated[Path | None, typer.Option("--out", dir_okay=False, help="flags.csv")] = None,
    distance_km: Annotated[
        float, typer.Option("--distance-km", help="How near a reporter's home to another death.")
    ] = 1.0,
    series: Annotated[
        Path | None,
        typer.Option(
            "--series", exists=True, dir_okay=False, help="case_id,series_id CSV from case linkage"
        ),
    ] = None,
    limit: Annotated[int, typer.Option(help="Rows to show (0 = all).")] = 30,
    linkage_model: Annotated[
        Path | None,
        typer.Option(
            "--linkage-model",
            exists=True,
            dir_okay=False,
            help="Case-linkage model (`caselink train`) for the series; default: prior model.",
        ),
    ] = None,
    series_threshold: Annotated[
        float,
        typer.Option(
            "--series-threshold", min=0.01, max=0.99, help="Link probability to join a series."
        ),
    ] = LINK_THRESHOLD,
    no_linkage: Annotated[
        bool, typer.Option("--no-linkage", help="Without --series, use no series at all.")
    ] = False,
) -> None:
    """Recurrence flags: persons, addresses, phones, vehicles in 2+ cases; reporters near deaths.

    The series are those of --series, or else those case linkage finds in the
    store (with --linkage-model, or the prior-knowledge model).
    """
    checked_output(out, db, [series, linkage_model])
    store = open_store(db)
    try:
        with console.status("finding series (case linkage)..."):
            done = resolution.flags(
                store, series, linkage_model, series_threshold, not no_linkage, distance_km
            )
    except CaselinkError as exc:
        fail(exc)
    if done.series_note is not None:
        console.print(done.series_note)
    frame = done.frame
    if out is not None:
        write_report(frame, out)
        console.print(f"{len(frame):,} flags -> {out}")
    table = Table(title=f"{len(frame):,} recurrence flags")
    for col in ("priority", "flag", "entity_id", "roles", "distance_km", "evidence"):
        table.add_column(col, overflow="fold")
    shown = frame if limit == 0 else frame.head(limit)
    for rec in shown.to_dict("records"):
        dist = rec["distance_km"]
        table.add_row(
            str(rec["priority"]),
            str(rec["flag"]),
            str(rec["entity_id"]),
            str(rec["roles"]),
            "" if dist != dist or dist is None else f"{float(dist):.2f}",  # NaN: not near
            str(rec["evidence"]),
        )
    console.print(table)


def chart(
    case_id: Annotated[str, typer.Argument(help="The case at the centre of the chart.")],
    out: Annotated[
        Path, typer.Option("--out", dir_okay=False, help="chart.png, chart.svg or chart.graphml")
    ],
    db: DbOption = None,
    hops: Annotated[int, typer.Option(help="Neighbourhood radius in edges.")] = 2,
) -> None:
    """Draw (or export) the link chart of a case's neighbourhood."""
    checked_output(out, db)
    try:
        path = resolution.chart(open_store(db), case_id, out, hops)
    except CaselinkError as exc:
        fail(str(exc))
    console.print(f"link chart of {case_id} -> {path}")


def register(app: typer.Typer) -> None:
    """Add the entity commands to the root app."""
    app.command(name="resolve")(resolve)
    app.command(name="resolve-file")(resolve_file)
    app.command(name="people")(people)
    app.command(name="flags")(flags)
    app.command(name="chart")(chart)
