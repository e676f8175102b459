"""Commands for investigative assurance: checks, audit, prompts, death-clusters."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from caselink.cli.options import DbOption, console, err_console, fail, open_store
from caselink.cli.output import checked_output, write_report
from caselink.records.errors import CaselinkError
from caselink.service import assurance
from caselink.service.assurance import AuditRequest, ClusterScan
from caselink.settings import LINK_THRESHOLD

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
    try:
        done = assurance.missed_checks(open_store(db), standard, code_map, as_of)
    except CaselinkError as exc:
        fail(exc)
    for warning in done.warnings:
        err_console.print(f"warning: {warning}", style="yellow")
    if out is not None:
        write_report(done.report, out)
    table = Table(title=f"required checks ({done.standard.name} v{done.standard.version})")
    table.add_column("action")
    for col in done.summary.columns:
        table.add_column(str(col), justify="right")
    for action, row in done.summary.iterrows():
        table.add_row(str(action), *[f"{int(v):,}" for v in row])
    console.print(table)
    where = f" -> {out}" if out is not None else ""
    console.print(f"{done.n_unmet:,} required check(s) not done in {done.n_cases:,} case(s){where}")
    if done.n_outside:
        console.print(
            f"{done.n_outside:,} action(s) recorded not done outside the standard "
            f"(in_standard false) in {done.n_outside_cases:,} case(s)"
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
    request = AuditRequest(
        group=group,
        by=None if by.lower() == "none" else by,
        reference=reference,
        focus=focus,
        correction=correction,
        alpha=alpha,
        standard=standard,
        as_of=as_of,
    )
    try:
        report = assurance.audit(open_store(db), request, out, png)
    except CaselinkError as exc:
        fail(exc)
    console.print(report.summary(), highlight=False)
    written = [str(p) for p in (out, png) if p is not None]
    if written:
        console.print(f"written: {', '.join(written)}")


def prompts(
    db: DbOption = None,
    links: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="Links CSV (default: newest stored run)."),
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
    ] = LINK_THRESHOLD,
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
    try:
        done = assurance.prompts(
            open_store(db), links, series, flags, threshold, all_recurrences, dry_run
        )
    except CaselinkError as exc:
        fail(exc)
    raised = done.raised
    if done.source is not None:
        console.print(f"links and series: {done.source}", highlight=False)
    if out is not None:
        write_report(done.frame, out)
    table = Table(title=f"{len(raised):,} prompt(s){' (dry run: not stored)' if dry_run else ''}")
    for col in ("case_id", "action", "reason"):
        table.add_column(col, overflow="fold")
    for p in raised[:50]:
        table.add_row(p.case_id, p.action, p.reason)
    console.print(table)


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
    scan = ClusterScan(
        tuple(case_type or ()), tuple(profile or ()), min_age, max_age,
        radius_m, bin_days, max_bins, simulations, seed,
    )  # fmt: skip
    try:
        found = assurance.death_clusters(open_store(db), scan)
    except CaselinkError as exc:
        fail(exc)
    if out is not None:
        write_report(found.frame, out)
    table = Table(title=f"space-time clusters among {found.n_deaths:,} death(s)")
    for col in ("rank", "from", "to", "radius m", "observed", "expected", "p", "cases"):
        table.add_column(col, overflow="fold")
    for c in found.top(10):
        table.add_row(
            str(c.rank),
            str(c.start),
            str(c.end),
            f"{c.radius_m:.0f}",
            str(c.observed),
            f"{c.expected:.2f}",
            f"{c.p_value:.3f}",
            " ".join(c.case_ids),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the assurance commands to the root app."""
    app.command(name="checks")(checks)
    app.command(name="audit")(audit)
    app.command(name="prompts")(prompts)
    app.command(name="death-clusters")(death_clusters)
