"""Case linkage commands: train, link, series, explain, evaluate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from caselink.cli.engines import (
    CandidatesPerCaseOption,
    MemoryLimitOption,
    ModelOption,
    PrefixFilterOption,
    RulesOption,
)
from caselink.cli.evaluation import evaluate
from caselink.cli.options import DbOption, console, fail, open_store
from caselink.cli.output import checked_output, progress_bar, write_report
from caselink.linkage.engine import LINK_FLOOR
from caselink.linkage.explain import format_multiplier
from caselink.records.errors import CaselinkError
from caselink.service import linking
from caselink.settings import LINK_THRESHOLD

RunOption = Annotated[
    int | None,
    typer.Option("--run", help="A stored link run's id (default: the newest of these cases)."),
]


def train(
    model: Annotated[Path, typer.Option("--model", dir_okay=False, help="Model file to write.")],
    db: DbOption = None,
    label: Annotated[
        str, typer.Option("--label", help="Column naming the offender of solved cases.")
    ] = "offender_id",
    rules: RulesOption = None,
    memory_limit: MemoryLimitOption = None,
    unlinked_pairs: Annotated[
        int,
        typer.Option(
            "--unlinked-pairs",
            min=1,
            help="Most unlinked pairs of solved cases to train on (a uniform sample; "
            "the model's odds are corrected for it).",
        ),
    ] = linking.MAX_UNLINKED_PAIRS,
    candidates_per_case: CandidatesPerCaseOption = linking.DEFAULT_CANDIDATES_PER_CASE,
) -> None:
    """Train linkage models on solved cases, choose one by offender-grouped CV, save it.

    The model keeps its blocking rules (``--rules``), so it links as it was trained.
    """
    checked_output(model, db, option="--model")
    store = open_store(db)
    with console.status("training (offender-grouped cross-validation)..."):
        try:
            trained = linking.train(
                store, model, label, rules, memory_limit, None, unlinked_pairs, candidates_per_case
            )
        except CaselinkError as exc:
            fail(exc)
    for line in (trained.reach, trained.training):
        if line is not None:
            console.print(line, highlight=False)
    saved, meta = trained.model, trained.metadata_path
    table = Table("model", "ROC AUC", "average precision", "ECE", title="offender-grouped CV")
    for name, cv in saved.summary["cv"].items():
        mark = " (chosen)" if name == saved.name else ""
        table.add_row(
            name + mark,
            f"{cv['roc_auc']:.3f}",
            f"{cv['average_precision']:.3f}",
            f"{cv['ece']:.4f}",
        )
    console.print(table)
    cal = saved.summary["calibration"]
    console.print(
        f"calibration: {cal['method']} (out-of-fold ECE {cal['ece_platt']:.4f} Platt, "
        f"{cal['ece_isotonic_cross_fitted']:.4f} isotonic cross-fitted)"
    )
    console.print(
        f"saved {model} ({saved.summary['pairs']} pairs, "
        f"{saved.summary['linked_pairs']} linked); metadata {meta}; "
        f"stored as model {trained.model_id}"
    )


def link(
    out: Annotated[
        Path | None,
        typer.Option("--out", dir_okay=False, help="links.csv to write (stored anyway)."),
    ] = None,
    db: DbOption = None,
    model: ModelOption = None,
    min_probability: Annotated[
        float,
        typer.Option(
            "--min-probability",
            min=0.0,
            max=1.0,
            help="Write the links at or above this probability (pairs that cannot "
            "reach it are never compared).",
        ),
    ] = LINK_FLOOR,
    all_candidates: Annotated[
        bool,
        typer.Option(
            "--all-candidates",
            help="Write every candidate pair, whatever its probability "
            "(--min-probability 0, nothing pruned).",
        ),
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Add an explanation column (written links only).")
    ] = False,
    rules: RulesOption = None,
    memory_limit: MemoryLimitOption = None,
    candidates_per_case: CandidatesPerCaseOption = linking.DEFAULT_CANDIDATES_PER_CASE,
    prefix_filter: PrefixFilterOption = False,
) -> None:
    """Store a link run (links at or above --min-probability); --out also writes
    case_a,case_b,probability."""
    checked_output(out, db, [model])
    store = open_store(db)
    floor = 0.0 if all_candidates else min_probability
    with progress_bar("comparing and scoring candidate pairs") as (bar, advance):
        try:
            done = linking.link(
                store,
                model,
                min_probability=min_probability,
                all_candidates=all_candidates,
                explain=explain,
                rules=rules,
                memory_limit=memory_limit,
                progress=advance,
                candidates_per_case=None if prefix_filter else candidates_per_case,
                prefix_filter=prefix_filter,
            )
        except CaselinkError as exc:
            bar.stop()
            fail(exc)
    if done.reach is not None:
        console.print(done.reach, highlight=False)
    console.print(done.blocking_text(), highlight=False)
    what = "every candidate pair" if all_candidates else f"links at p >= {floor:g}"
    if out is not None:
        write_report(done.links, out, float_format="%.6f")
        console.print(f"wrote {len(done.links)} {what} to {out} (model: {done.model_name})")
    console.print(
        f"stored link run {done.run.run_id}: {len(done.links)} {what} (model: {done.model_name})"
    )


def series(
    out: Annotated[
        Path | None,
        typer.Option("--out", dir_okay=False, help="series.csv to write (stored anyway)."),
    ] = None,
    db: DbOption = None,
    model: ModelOption = None,
    threshold: Annotated[
        float,
        typer.Option("--threshold", min=0.01, max=0.99, help="Link probability to join a series."),
    ] = LINK_THRESHOLD,
    memory_limit: MemoryLimitOption = None,
    links: Annotated[
        Path | None,
        typer.Option(
            "--links",
            exists=True,
            dir_okay=False,
            help="links.csv (case_a,case_b,probability) to find series in, instead of "
            "the stored run.",
        ),
    ] = None,
    run: RunOption = None,
) -> None:
    """Find series (case_id,series_id for every case in a series of two or more).

    Reads the newest stored link run of the same cases and model (or --run,
    or --links FILE); links only when none is stored. The series are stored.
    """
    checked_output(out, db, [model, links])
    store = open_store(db)
    with console.status("finding series..."):
        try:
            found = linking.series(store, model, threshold, links, run, memory_limit)
        except CaselinkError as exc:
            fail(exc)
    result = found.result
    if out is not None:
        write_report(result.members, out)
    table = Table("series", "cases", "first", "span (days)", "shared MO", title="series")
    for row in result.summary.head(20).itertuples():
        table.add_row(
            str(row.series_id),
            str(row.size),
            str(row.first)[:10],
            f"{row.span_days:.0f}",
            str(row.shared_mo),
        )
    console.print(table)
    origin = "linked now, " if found.linked_now else ""
    console.print(
        f"{len(result.members)} cases in {len(result.summary)} series "
        f"(links: {origin}{found.source})"
    )
    if out is not None:
        console.print(f"wrote {len(result.members)} cases in {len(result.summary)} series to {out}")


def explain(
    case_a: Annotated[str, typer.Argument(help="case_id")],
    case_b: Annotated[str, typer.Argument(help="case_id")],
    db: DbOption = None,
    model: ModelOption = None,
) -> None:
    """Print the link probability of two cases and the evidence for and against."""
    try:
        done = linking.explain(open_store(db), case_a, case_b, model)
    except CaselinkError as exc:
        fail(exc)
    console.print(
        f"{case_a} - {case_b}: link probability {done.probability:.3f} (model: {done.model_name})"
    )
    table = Table("evidence", "multiplier")
    for item in done.evidence:
        table.add_row(item.phrase, "x" + format_multiplier(item.multiplier))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the linkage commands to the root app."""
    app.command(name="train")(train)
    app.command(name="link")(link)
    app.command(name="series")(series)
    app.command(name="explain")(explain)
    app.command(name="evaluate")(evaluate)
