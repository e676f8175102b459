"""Commands for entity resolution: resolve, people, flags, chart."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table
from sqlalchemy.engine import make_url

from caselink.cli.options import DbOption, console, fail, open_store
from caselink.cli.output import checked_output, write_report
from caselink.entities import (
    KEY_KINDS,
    PersonResolver,
    link_graph,
    recurrence_flags,
    resolve_keys,
    write_chart,
)
from caselink.entities.people_file import read_people_file
from caselink.records.errors import CaselinkError
from caselink.service.person_review import store_resolution
from caselink.store import Store
from caselink.store.facade import resolve_url

ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        dir_okay=False,
        help="Trained person model (JSON). Default: <sqlite db file>.person-model.json.",
    ),
]


def _model_path(db: str | None, model: Path | None) -> Path:
    if model is not None:
        return model
    url = make_url(resolve_url(db))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(f"{url.database}.person-model.json")
    fail("--model is required when the store is not a SQLite file")
    raise AssertionError  # fail() exits


def _resolutions(store: Store) -> dict[str, pd.DataFrame]:
    return {kind: store.resolution_frame(kind) for kind in ("person", *KEY_KINDS)}


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
    mentions = store.mentions_frame()
    if len(mentions) < 2:
        fail(f"the store holds {len(mentions)} people row(s): nothing to resolve")
    path = _model_path(db, model)
    started = time.perf_counter()
    if incremental:
        if not path.exists():
            fail(f"no saved person model at {path}: run `caselink resolve` (full) first")
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            fail(f"cannot read the person model {path}: {exc}")
        try:
            resolver = PersonResolver.from_model(saved, threshold=threshold)
        except CaselinkError as exc:
            fail(f"{path}: {exc}")
        previous = store.resolution_frame("person")
        result = resolver.resolve_incremental(mentions, previous, store.cases_frame())
        new = len(mentions) - len(previous)
    else:
        cases = store.cases_frame()
        resolver = PersonResolver(threshold=threshold).fit(mentions, cases)
        path.write_text(json.dumps(resolver.model_))
        result = resolver.resolve(mentions, cases)
        new = len(mentions)
    stored = store_resolution(store, result.assignments)  # reviewers' merges and splits kept
    counts = {"person": stored["entity_id"].nunique()}
    for kind in KEY_KINDS:
        frame = resolve_keys(mentions, kind)
        store.replace_resolution(kind, frame)
        counts[kind] = frame["entity_id"].nunique()
    elapsed = time.perf_counter() - started
    table = Table(title=f"{'incremental' if incremental else 'full'} resolution in {elapsed:.1f} s")
    table.add_column("entity")
    table.add_column("distinct", justify="right")
    for kind, n in counts.items():
        table.add_row(kind, f"{n:,}")
    console.print(table)
    console.print(
        f"{new:,} mention(s) resolved, {len(result.links):,} link(s) at p >= {threshold}; "
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
    if out.resolve() == people_csv.resolve():
        fail(f"--out {out} is the input file: choose another path")
    try:
        mentions = read_people_file(people_csv)
    except CaselinkError as exc:
        fail(str(exc))
    if len(mentions) < 2:
        fail(f"{people_csv} holds {len(mentions)} row(s): nothing to resolve")
    started = time.perf_counter()
    resolver = PersonResolver(threshold=threshold).fit(mentions)
    result = resolver.resolve(mentions)
    elapsed = time.perf_counter() - started
    frame = result.assignments.rename(columns={"entity_id": "person_id"})
    frame.to_csv(out, index=False)
    console.print(
        f"{len(frame):,} mentions of {frame['person_id'].nunique():,} persons in {elapsed:.1f} s "
        f"({len(result.links):,} link(s) at p >= {threshold}) -> {out}"
    )
    for skipped in resolver.skipped_em_passes_:
        console.print(f"note: EM pass blocked on {skipped} skipped (no two rows share it)")


def people(
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="persons.csv to write")],
    db: DbOption = None,
) -> None:
    """Write mention_id,case_id,role,person_id for every people row."""
    checked_output(out, db)
    store = open_store(db)
    mentions = store.mentions_frame()
    persons = store.resolution_frame("person")
    if persons.empty and not mentions.empty:
        fail("no person resolution in the store: run `caselink resolve` first")
    frame = mentions[["mention_id", "case_id", "role"]].merge(
        persons[["mention_id", "entity_id"]], on="mention_id", how="left"
    )
    unresolved = frame["entity_id"].isna()
    if unresolved.any():
        first = int(frame.loc[unresolved, "mention_id"].iloc[0])
        fail(
            f"{int(unresolved.sum())} mention(s) are not resolved (first: mention_id {first}): "
            "run `caselink resolve --incremental`"
        )
    frame = frame.rename(columns={"entity_id": "person_id"})
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
    ] = 0.5,
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
    resolutions = _resolutions(store)
    if resolutions["person"].empty:
        fail("no person resolution in the store: run `caselink resolve` first")
    series_frame = None
    if series is not None:
        series_frame = pd.read_csv(series, dtype=str)
    elif not no_linkage:
        series_frame = _linkage_series(store, linkage_model, series_threshold)
    try:
        frame = recurrence_flags(
            store.mentions_frame(), store.cases_frame(), resolutions, series_frame, distance_km
        )
    except ValueError as exc:
        fail(str(exc))
    if out is not None:
        write_report(frame, out)
        console.print(f"{len(frame):,} flags -> {out}")
    table = Table(title=f"{len(frame):,} recurrence flags")
    for col in ("priority", "flag", "entity_id", "roles", "distance_km", "evidence"):
        table.add_column(col, overflow="fold")
    shown = frame if limit == 0 else frame.head(limit)
    for rec in shown.to_dict("records"):
        dist = "" if pd.isna(rec["distance_km"]) else f"{float(rec['distance_km']):.2f}"
        table.add_row(
            str(rec["priority"]),
            str(rec["flag"]),
            str(rec["entity_id"]),
            str(rec["roles"]),
            dist,
            str(rec["evidence"]),
        )
    console.print(table)


def _linkage_series(store: Store, model: Path | None, threshold: float) -> pd.DataFrame | None:
    """``case_id, series_id`` of the series case linkage finds (None, with a note, if it cannot)."""
    from caselink.linkage import LinkageEngine, ModelSchemaError, load_model
    from caselink.linkage.tables import LinkageDataError

    cases = store.cases_frame()
    if len(cases) < 2:
        return None
    schema = store.attribute_schema()
    try:
        saved = load_model(model, schema) if model is not None else None
    except Exception as exc:  # a file that is not a model fails in many ways: all are refusals
        fail(f"--linkage-model {model}: not a usable case-linkage model ({exc!r})")
    try:
        with console.status("finding series (case linkage)..."):
            members = LinkageEngine(cases, schema, model=saved).series(threshold=threshold).members
    except (ModelSchemaError, LinkageDataError, ValueError) as exc:
        console.print(f"no series from case linkage ({exc}); flags without series")
        return None
    console.print(
        f"series from case linkage: {members['series_id'].nunique():,} series, "
        f"{len(members):,} cases (link probability >= {threshold})"
    )
    return members[["case_id", "series_id"]].astype(str)


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
    store = open_store(db)
    graph = link_graph(store.mentions_frame(), store.cases_frame(), _resolutions(store))
    try:
        path = write_chart(graph, case_id, out, hops)
    except (KeyError, ValueError) as exc:
        fail(str(exc.args[0]) if exc.args else str(exc))
    console.print(f"link chart of {case_id} -> {path}")


def register(app: typer.Typer) -> None:
    """Add the entity commands to the root app."""
    app.command(name="resolve")(resolve)
    app.command(name="resolve-file")(resolve_file)
    app.command(name="people")(people)
    app.command(name="flags")(flags)
    app.command(name="chart")(chart)
