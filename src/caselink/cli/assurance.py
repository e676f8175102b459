"""Commands for investigative assurance: checks, audit, prompts, death-clusters."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from caselink.assurance import (
    StandardError,
    check_states,
    default_standard,
    disparity_audit,
    load_standard,
    prompts_frame,
    raise_prompts,
    recurrences_from_flags,
    scan_death_clusters,
    select_deaths,
)
from caselink.assurance.checks import UNMET_STATES, summarise_states
from caselink.assurance.codes import CodeMap, coverage, load_code_map, not_done_outside_standard
from caselink.assurance.plots import plot_audit
from caselink.assurance.standard import Standard
from caselink.cli.options import DbOption, console, err_console, fail, open_store
from caselink.cli.output import checked_output, write_report
from caselink.records.errors import CaselinkError
from caselink.records.outputs import atomic_output, atomic_path
from caselink.store import Store

StandardOption = Annotated[
    Path | None,
    typer.Option(
        "--standard",
        dir_okay=False,
        help="Standard YAML file (default: the shipped caselink-default-uk).",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Judge overdue checks at this time (ISO, UTC). Default: now."),
]


def _standard(path: Path | None) -> Standard:
    try:
        return default_standard() if path is None else load_standard(path)
    except StandardError as exc:
        fail(str(exc))


def _as_of(text: str | None) -> pd.Timestamp:
    if text is None:
        return pd.Timestamp(datetime.now(UTC).replace(tzinfo=None))
    try:
        ts = pd.Timestamp(text)
    except ValueError:
        fail(f"--as-of: {text!r} is not a date or time")
    return ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo is not None else ts


def _read_csv(path: Path | None, columns: tuple[str, ...], option: str) -> pd.DataFrame | None:
    if path is None:
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        fail(f"{option} {path}: lacks column(s) {', '.join(absent)}")
    return frame


def checks(
    db: DbOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", dir_okay=False, help="Write case_id,action,state (missing.csv)."),
    ] = None,
    standard: StandardOption = None,
    as_of: AsOfOption = None,
    code_map: Annotated[
        Path | None,
        typer.Option(
            "--map",
            exists=True,
            dir_okay=False,
            help="YAML renaming this force's case types and action codes to the standard's.",
        ),
    ] = None,
) -> None:
    """Required checks not done, overdue, or never recorded, per the standard.

    Every action recorded not_done is reported, those outside the standard too
    (in_standard false); case types and action codes the standard does not
    know are counted in a warning.
    """
    checked_output(out, db, [standard, code_map])
    std = _standard(standard)
    try:
        renames = load_code_map(code_map) if code_map is not None else CodeMap()
    except CaselinkError as exc:
        fail(exc)
    store = open_store(db)
    cases, actions = renames.apply(store.cases_frame(), store.actions_frame())
    for warning in coverage(cases, actions, std).warnings():
        err_console.print(f"warning: {warning}", style="yellow")
    states = check_states(cases, actions, std, _as_of(as_of))
    unmet = states[states["state"].isin(UNMET_STATES)][["case_id", "action", "state"]]
    unmet = unmet.assign(in_standard=True)
    outside = not_done_outside_standard(cases, actions, std)
    report = pd.concat([unmet, outside], ignore_index=True) if len(outside) else unmet
    if out is not None:
        write_report(report, out)
    table = Table(title=f"required checks ({std.name} v{std.version})")
    summary = summarise_states(states)
    table.add_column("action")
    for col in summary.columns:
        table.add_column(str(col), justify="right")
    for action, row in summary.iterrows():
        table.add_row(str(action), *[f"{int(v):,}" for v in row])
    console.print(table)
    n_cases = states["case_id"].nunique()
    where = f" -> {out}" if out is not None else ""
    console.print(f"{len(unmet):,} required check(s) not done in {n_cases:,} case(s){where}")
    if len(outside):
        console.print(
            f"{len(outside):,} action(s) recorded not done outside the standard "
            f"(in_standard false) in {outside['case_id'].nunique():,} case(s)"
        )


def audit(
    db: DbOption = None,
    group: Annotated[
        str, typer.Option("--group", help="Cases column defining the groups.")
    ] = "victim_group",
    by: Annotated[
        str,
        typer.Option("--by", help="Cases column to control for; 'none' for no stratification."),
    ] = "case_type",
    out: Annotated[
        Path | None, typer.Option("--out", dir_okay=False, help="Write report.json.")
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", dir_okay=False, help="PNG plot (default: next to --out, as .png)."),
    ] = None,
    reference: Annotated[
        str | None, typer.Option(help="Reference group (default: the largest).")
    ] = None,
    focus: Annotated[
        str | None, typer.Option(help="Group whose contrast fills the headline fields.")
    ] = None,
    correction: Annotated[
        str, typer.Option(help="Multiple-comparison correction: holm or fdr_bh.")
    ] = "holm",
    alpha: Annotated[float, typer.Option(help="Level of the tests and intervals.")] = 0.05,
    standard: StandardOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Disparity audit: completion of required checks and outcomes per group, with tests."""
    checked_output(out, db, [standard])
    png = plot if plot is not None else (out.with_suffix(".png") if out is not None else None)
    checked_output(png, db, [standard, out], option="--plot")
    std = _standard(standard)
    store = open_store(db)
    try:
        report = disparity_audit(
            store.cases_frame(),
            store.actions_frame(),
            std,
            group=group,
            by=None if by.lower() == "none" else by,
            as_of=_as_of(as_of),
            reference=reference,
            focus=focus,
            correction=correction,
            alpha=alpha,
        )
    except ValueError as exc:
        fail(str(exc))
    if out is not None:
        with atomic_output(out) as fh:
            fh.write(json.dumps(report.as_dict(), indent=2) + "\n")
    if png is not None:
        with atomic_path(png) as tmp:
            plot_audit(report, tmp)
    console.print(report.summary(), highlight=False)
    written = [str(p) for p in (out, png) if p is not None]
    if written:
        console.print(f"written: {', '.join(written)}")


def prompts(
    db: DbOption = None,
    links: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="case_a,case_b,probability CSV."),
    ] = None,
    series: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="case_id,series_id CSV."),
    ] = None,
    flags: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="Entity flags CSV (`caselink flags --out`); default: computed from the "
            "store's resolution when there is one.",
        ),
    ] = None,
    threshold: Annotated[
        float, typer.Option(help="Link probability from which a link prompts checks.")
    ] = 0.5,
    out: Annotated[
        Path | None,
        typer.Option("--out", dir_okay=False, help="Write case_id,action,reason,rule,related."),
    ] = None,
    all_recurrences: Annotated[
        bool,
        typer.Option(
            "--all-recurrences",
            help="Prompt for every recurrence, not only those touching a death, "
            "sexual offence or drugging.",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the prompts without storing them.")
    ] = False,
) -> None:
    """Raise the checks that links, series and recurring people/places/phones make necessary."""
    checked_output(out, db, [links, series, flags])
    store = open_store(db)
    cases = store.cases_frame()
    links_frame = _read_csv(links, ("case_a", "case_b", "probability"), "--links")
    if links_frame is not None:
        links_frame["probability"] = pd.to_numeric(links_frame["probability"], errors="coerce")
        bad = links_frame["probability"].isna() | ~links_frame["probability"].between(0, 1)
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 1
            fail(f"--links {links} row {row}: probability must be a number in [0, 1]")
    series_frame = _read_csv(series, ("case_id", "series_id"), "--series")
    flags_frame = _read_csv(flags, ("flag", "entity_kind", "cases", "roles"), "--flags")
    if flags_frame is None:
        flags_frame = _flags_from_store(store, cases, series_frame)
    recurrences = recurrences_from_flags(flags_frame) if flags_frame is not None else None
    try:
        raised = raise_prompts(
            cases,
            store.actions_frame(),
            links_frame,
            series_frame,
            recurrences,
            threshold,
            all_recurrences=all_recurrences,
        )
    except ValueError as exc:
        fail(str(exc))
    frame = prompts_frame(raised)
    if out is not None:
        write_report(frame, out)
    if not dry_run and raised:
        now = datetime.now(UTC).replace(tzinfo=None)
        store.add_actions(
            [p.as_action(now) for p in raised], source="prompt", reasons=[p.reason for p in raised]
        )
    table = Table(title=f"{len(raised):,} prompt(s){' (dry run: not stored)' if dry_run else ''}")
    for col in ("case_id", "action", "reason"):
        table.add_column(col, overflow="fold")
    for p in raised[:50]:
        table.add_row(p.case_id, p.action, p.reason)
    console.print(table)


def _flags_from_store(
    store: Store, cases: pd.DataFrame, series: pd.DataFrame | None
) -> pd.DataFrame | None:
    """The entity flags computed from the store's resolution, or None without one."""
    from caselink.entities import KEY_KINDS, recurrence_flags

    resolutions = {kind: store.resolution_frame(kind) for kind in ("person", *KEY_KINDS)}
    if resolutions["person"].empty:
        return None
    frame: pd.DataFrame = recurrence_flags(store.mentions_frame(), cases, resolutions, series)
    return frame


def death_clusters(
    db: DbOption = None,
    case_type: Annotated[
        list[str] | None,
        typer.Option("--case-type", help="Case types to scan (repeat). Default: deaths."),
    ] = None,
    profile: Annotated[
        list[str] | None,
        typer.Option("--profile", help="COLUMN=VALUE[|VALUE] victim profile filter (repeat)."),
    ] = None,
    min_age: Annotated[float | None, typer.Option(help="Youngest victim age.")] = None,
    max_age: Annotated[float | None, typer.Option(help="Oldest victim age.")] = None,
    radius_m: Annotated[float, typer.Option(help="Largest circle radius (m).")] = 1000.0,
    bin_days: Annotated[int, typer.Option(help="Time bin width (days).")] = 30,
    max_bins: Annotated[int, typer.Option(help="Longest window (bins).")] = 12,
    simulations: Annotated[int, typer.Option(help="Monte Carlo shuffles.")] = 199,
    seed: Annotated[int, typer.Option(help="Seed of the shuffles.")] = 0,
    out: Annotated[
        Path | None, typer.Option("--out", dir_okay=False, help="Write clusters CSV.")
    ] = None,
) -> None:
    """Space-time clusters of unexplained/drug deaths of a victim profile (Kulldorff scan)."""
    checked_output(out, db)
    store = open_store(db)
    wanted: dict[str, list[str]] = {}
    for item in profile or []:
        column, sep, values = item.partition("=")
        if not sep or not column or not values:
            fail(f"--profile {item!r}: expected COLUMN=VALUE[|VALUE]")
        wanted[column.strip()] = [v.strip() for v in values.split("|")]
    try:
        kwargs = {"case_types": tuple(case_type)} if case_type else {}
        deaths = select_deaths(
            store.cases_frame(), profile=wanted, min_age=min_age, max_age=max_age, **kwargs
        )
        found = scan_death_clusters(
            deaths,
            max_radius_m=radius_m,
            bin_days=bin_days,
            max_bins=max_bins,
            n_simulations=simulations,
            seed=seed,
        )
    except ValueError as exc:
        fail(str(exc))
    if out is not None:
        write_report(found, out)
    table = Table(title=f"space-time clusters among {len(deaths):,} death(s)")
    for col in ("rank", "from", "to", "radius m", "observed", "expected", "p", "cases"):
        table.add_column(col, overflow="fold")
    for rec in found.head(10).to_dict("records"):
        table.add_row(
            str(rec["rank"]),
            f"{pd.Timestamp(rec['start']).date()}",
            f"{pd.Timestamp(rec['end']).date()}",
            f"{float(rec['radius_m']):.0f}",
            str(rec["observed"]),
            f"{float(rec['expected']):.2f}",
            f"{float(rec['p_value']):.3f}",
            str(rec["case_ids"]).replace("|", " "),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the assurance commands to the root app."""
    app.command(name="checks")(checks)
    app.command(name="audit")(audit)
    app.command(name="prompts")(prompts)
    app.command(name="death-clusters")(death_clusters)
