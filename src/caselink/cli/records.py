"""Commands over the case store: import, cases, show, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from caselink.cli.options import DbOption, console, err_console, fail, open_store
from caselink.cli.output import checked_output
from caselink.records.errors import CaselinkError
from caselink.service import importing
from caselink.store.exporter import export_store
from caselink.views.case_detail import case_detail, json_ready, list_cases

ExistingFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]


def import_(
    cases: ExistingFile,
    db: DbOption = None,
    people: Annotated[
        Path | None, typer.Option("--people", exists=True, dir_okay=False, help="people.csv")
    ] = None,
    actions: Annotated[
        Path | None, typer.Option("--actions", exists=True, dir_okay=False, help="actions.csv")
    ] = None,
    schema: Annotated[
        Path | None,
        typer.Option("--schema", exists=True, dir_okay=False, help="MO attribute schema (YAML)"),
    ] = None,
    skip_invalid: Annotated[
        Path | None,
        typer.Option(
            "--skip-invalid",
            dir_okay=False,
            help="Import the valid rows; write rejected rows with reasons to this file.",
        ),
    ] = None,
    alert: Annotated[
        bool,
        typer.Option(
            "--alert/--no-alert",
            help=(
                "Compare each imported case with the stored cases at once and raise alerts "
                "(default). --no-alert for a bulk first load: the cases are marked not scored "
                "and `caselink link` scores them in batch."
            ),
        ),
    ] = True,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help=(
                "Replace stored cases wholly by the file's rows. By default a re-imported "
                "case keeps the stored values of the columns the file does not have."
            ),
        ),
    ] = False,
    force: Annotated[
        str | None,
        typer.Option(
            "--force",
            help="The police force the imported cases belong to (the web app's tenant); "
            "a store with one force needs none.",
        ),
    ] = None,
) -> None:
    """Import cases (and their people and actions) from the open CSV format."""
    checked_output(skip_invalid, db, [cases, people, actions, schema], option="--skip-invalid")
    store = open_store(db, create=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("validating", total=None)

        def progress(description: str, done: int, total: int) -> None:
            bar.update(task, description=description, completed=done, total=total or None)

        try:
            done = importing.import_files(
                store,
                cases,
                people,
                actions,
                schema,
                skip_invalid,
                replace=replace,
                force=force,
                alert=alert,
                progress=progress,
            )
        except CaselinkError as exc:  # invalid rows (nothing written), or alerts not raised
            bar.stop()
            fail(exc)
    report, raised = done.report, done.alerts
    for note in report.schema_notes:
        console.print(f"schema: {note}")
    console.print(
        f"imported {report.cases_inserted} new and {report.cases_updated} updated cases, "
        f"{report.mentions} people rows, {report.actions} actions"
    )
    if skip_invalid is not None:
        console.print(f"rejected {len(report.rejected)} row error(s), written to {skip_invalid}")
    if raised is not None:
        console.print(
            f"{len(raised.alerts)} alert(s) raised"
            + (
                f"; {len(raised.not_scored)} case(s) could not be scored"
                if raised.not_scored
                else ""
            )
        )


def cases(
    db: DbOption = None,
    case_type: Annotated[str | None, typer.Option("--type", help="Only this case type.")] = None,
    since: Annotated[str | None, typer.Option(help="Occurred on or after (ISO date).")] = None,
    until: Annotated[str | None, typer.Option(help="Occurred before (ISO date).")] = None,
    group: Annotated[str | None, typer.Option("--group", help="Only this victim group.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows (0 = all).")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
) -> None:
    """List stored cases, optionally filtered."""
    store = open_store(db)
    try:
        frame = list_cases(store, case_type=case_type, since=since, until=until, group=group)
    except ValueError as exc:
        fail(str(exc))
    if limit:
        frame = frame.head(limit)
    if as_json:
        for row in frame.to_dict("records"):
            print(json.dumps(json_ready(row)))
        return
    table = Table("case_id", "type", "occurred", "lat", "lon", "victim", "status")
    for r in frame.to_dict("records"):
        victim = " ".join(
            str(v) for v in (r["victim_sex"], r["victim_age"], r["victim_group"]) if v
        )
        table.add_row(
            r["case_id"],
            r["case_type"],
            str(r["occurred_from"]),
            f"{r['lat']:.5f}",
            f"{r['lon']:.5f}",
            victim,
            r["status"] or "",
        )
    console.print(table)


def show(
    case_id: Annotated[str, typer.Argument(help="The case to show.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of text.")] = False,
) -> None:
    """Everything known about one case: fields, MO, people, actions."""
    store = open_store(db)
    detail = case_detail(store, case_id)
    if detail is None:
        fail(f"no case {case_id!r} in the store")
    if as_json:
        print(json.dumps(json_ready(detail), indent=2))
        return
    console.print(f"{case_id}  {detail['case']['case_type']}", style="bold")
    for key, value in detail["case"].items():
        if key not in {"case_id", "attributes"} and value is not None:
            console.print(f"  {key}: {value}")
    for key, value in detail["case"]["attributes"].items():
        console.print(f"  MO {key}: {value}")
    if detail["people"]:
        table = Table("role", "name", "dob", "address", "phone", "vehicle", title="people")
        for p in detail["people"]:
            table.add_row(
                *(
                    str(p.get(k) or "")
                    for k in ("role", "name", "dob", "address", "phone", "vehicle")
                )
            )
        console.print(table)
    if detail["actions"]:
        table = Table(
            "action", "status", "raised", "completed", "source", "reason", title="actions"
        )
        for a in detail["actions"]:
            table.add_row(
                *(
                    str(a.get(k) or "")
                    for k in ("action", "status", "raised_at", "completed_at", "source", "reason")
                )
            )
        console.print(table)


def export(
    outdir: Annotated[Path, typer.Argument(file_okay=False, help="Folder to write the CSVs to.")],
    db: DbOption = None,
    include_prompts: Annotated[
        bool, typer.Option(help="Also export actions raised by caselink as prompts.")
    ] = False,
) -> None:
    """Export the store to the open CSV format (cases, people, actions, schema)."""
    store = open_store(db)
    report = export_store(store, outdir, include_prompts)
    console.print(
        f"wrote {report.cases} cases, {report.people} people rows, "
        f"{report.actions} actions to {outdir}"
    )


def register(app: typer.Typer) -> None:
    """Add the store commands to the root app."""
    app.command(name="import")(import_)
    app.command(name="cases")(cases)
    app.command(name="show")(show)
    app.command(name="export")(export)
