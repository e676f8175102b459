"""`caselink demo`: the main job on the embedded default store, told as an analyst reads it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from caselink.cli.options import DbOption, console, fail, open_store
from caselink.demo.story import run_demo, summary_rows


def demo(
    db: DbOption = None,
    out: Annotated[Path, typer.Option("--out", file_okay=False, help="Folder for the outputs.")] = (
        Path("demo-out")
    ),
) -> None:
    """Load the demo borough and show what caselink finds: links, series, people, checks."""
    logging.getLogger("splink").setLevel(logging.ERROR)  # its training chatter is not findings
    store = open_store(db, create=True)
    if store.count_cases():
        fail("the demo needs an empty store: give a new --db (make demo uses demo.db)")
    findings = run_demo(store, out, lambda text: console.print(text, style="bold"))
    d = findings.planted
    console.rule("The four deaths")
    console.print(f"model: {findings.model}")
    links = Table("case A", "case B", "link probability", title="links between the deaths")
    for row in findings.links_between_deaths.itertuples():
        links.add_row(str(row.case_a), str(row.case_b), f"{row.probability:.3f}")
    console.print(links)
    for (a, b), (prob, evidence) in findings.explanations.items():
        console.print(f"{a} - {b}: p = {prob:.3f}", style="bold")
        console.print("   " + "; ".join(evidence[:8]))
    series = {s for s in findings.series_of_deaths.values() if s}
    console.print(
        f"series found containing the deaths: {', '.join(sorted(series)) or 'none'} "
        f"({len(findings.series_members)} cases: {', '.join(findings.series_members)})"
    )
    console.rule("People who recur around the deaths")
    for row in findings.flags.head(8).itertuples():
        console.print(f"[{row.priority}] {row.flag}: {row.roles} — {_short(str(row.evidence))}")
    console.rule("Checks missed, and what the links now prompt")
    table = Table("death", "case", "series", "required checks not done", "new prompts")
    for r in summary_rows(findings):
        table.add_row(r["death"], r["case_id"], r["series"], r["missed"], str(r["prompts"]))
    console.print(table)
    for row in findings.prompts.head(10).itertuples():
        console.print(f"{row.case_id} {row.action}: {_short(str(row.reason))}")
    console.rule("Where the offender probably lives")
    if findings.offender_home_rank is not None:
        console.print(
            f"the man who reported {d['d1']} lives in the first "
            f"{findings.offender_home_hit_pct:.2f}% of the search area of the series found; "
            f"rank {findings.offender_home_rank} of the persons with a known home"
        )
    else:
        console.print("the offender's home could not be ranked (no series found)")
    console.rule("Replayed day by day (no information from the future)")
    console.print(findings.replay_provenance)
    if not findings.replay_flags:
        console.print("no death was linked to an earlier death in the replay")
    for flag in findings.replay_flags:
        console.print(
            f"{flag['alerted_at']}: {flag['case_id']} linked to {flag['linked_case_id']} "
            f"(p = {flag['probability']:.2f}) the day it was recorded — {_short(flag['why'])}"
        )
    for who in findings.persons_of_interest_in_time:
        console.print(
            f"{who['date']}: person of interest — {who['name']}, {who['role']} of "
            f"{who['case_id']}, lives {who['distance_m']} m from {who['near_case_id']}, "
            "the death it was just linked to"
        )
    console.print(f"outputs written to {out}/: {', '.join(p.name for p in findings.files)}")


def _short(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def register(app: typer.Typer) -> None:
    """Add the demo command to the root app."""
    app.command(name="demo")(demo)
