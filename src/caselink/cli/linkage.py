"""Case linkage commands: train, link, series, explain, evaluate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from caselink.cli.engines import (
    CANDIDATES_PER_CASE,
    CandidatesPerCaseOption,
    MemoryLimitOption,
    ModelOption,
    RulesOption,
    linkage_engine,
)
from caselink.cli.options import DbOption, console, err_console, fail, open_store
from caselink.cli.output import checked_output, write_report
from caselink.linkage.engine import LINK_FLOOR, LinkageEngine, NotEnoughLabelsError
from caselink.linkage.evaluation import evaluate as run_evaluation
from caselink.linkage.explain import format_multiplier
from caselink.linkage.persistence import save_model
from caselink.linkage.sampling import MAX_UNLINKED_PAIRS
from caselink.records.errors import CaselinkError


def _engine(
    db: str | None,
    model: Path | None,
    rules: str | None = None,
    memory_limit: str | None = None,
    candidates_per_case: float | None = None,
) -> LinkageEngine:
    return linkage_engine(open_store(db), model, rules, memory_limit, candidates_per_case)


def blocking_line(engine: LinkageEngine, min_probability: float) -> str:
    """What blocking kept, per case: the rule set, the candidate pairs and those compared."""
    n = len(engine.cases)
    report = engine.blocking_report
    rules = engine.rules_name
    named = f"{rules} rules"
    if rules in ("wide", "national"):
        named += f" (chosen for {n:,} cases)"
    parts = [f"blocking: {named}, {len(engine.rules)} rules"]
    if "candidate_pairs" in report:
        pairs = int(report["candidate_pairs"])
        parts.append(f"{pairs:,} candidate pairs ({pairs / n:,.1f} per case)")
    elif "rule_pairs" in report:
        pairs = int(report["rule_pairs"])
        parts.append(
            f"at most {pairs:,} candidate pairs ({pairs / n:,.1f} per case; "
            "a pair kept by two rules counts twice)"
        )
    if "linkable_pairs" in report:
        parts.append(
            f"{int(report['linkable_pairs']):,} compared "
            f"(could reach p >= {min_probability:g} under the model)"
        )
    return "; ".join(parts)


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
    ] = MAX_UNLINKED_PAIRS,
    candidates_per_case: CandidatesPerCaseOption = CANDIDATES_PER_CASE,
) -> None:
    """Train linkage models on solved cases, choose one by offender-grouped CV, save it.

    The model keeps its blocking rules (``--rules``), so it links as it was trained.
    """
    checked_output(model, db, option="--model")
    engine = _engine(db, None, rules, memory_limit, candidates_per_case)
    with console.status("training (offender-grouped cross-validation)..."):
        try:
            saved = engine.train(label=label, max_unlinked=unlinked_pairs)
        except (NotEnoughLabelsError, ValueError, CaselinkError) as exc:
            fail(str(exc))
    meta = save_model(saved, model)
    if engine.reach is not None:
        console.print(engine.reach.describe(), highlight=False)
    if engine.training is not None:
        console.print(engine.training.describe(), highlight=False)
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
        f"{saved.summary['linked_pairs']} linked); metadata {meta}"
    )


def link(
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="links.csv to write.")],
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
    candidates_per_case: CandidatesPerCaseOption = CANDIDATES_PER_CASE,
) -> None:
    """Write case_a,case_b,probability of the links at or above --min-probability."""
    checked_output(out, db, [model])
    engine = _engine(db, model, rules, memory_limit, candidates_per_case)
    floor = 0.0 if all_candidates else min_probability
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("comparing and scoring candidate pairs", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            links = engine.link(
                min_probability=floor, explain=explain, progress=advance, prune=not all_candidates
            )
        except CaselinkError as exc:
            bar.stop()
            fail(str(exc))
    write_report(links, out, float_format="%.6f")
    console.print(blocking_line(engine, floor), highlight=False)
    if engine.reach is not None:
        console.print(engine.reach.describe(), highlight=False)
    what = "every candidate pair" if all_candidates else f"links at p >= {floor:g}"
    console.print(f"wrote {len(links)} {what} to {out} (model: {engine.model.name})")


def series(
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="series.csv to write.")],
    db: DbOption = None,
    model: ModelOption = None,
    threshold: Annotated[
        float,
        typer.Option("--threshold", min=0.01, max=0.99, help="Link probability to join a series."),
    ] = 0.5,
    memory_limit: MemoryLimitOption = None,
) -> None:
    """Write case_id,series_id for every case in a series of two or more."""
    checked_output(out, db, [model])
    engine = _engine(db, model, None, memory_limit)
    with console.status("finding series..."):
        try:
            result = engine.series(threshold=threshold)
        except CaselinkError as exc:
            fail(str(exc))
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
    console.print(f"wrote {len(result.members)} cases in {len(result.summary)} series to {out}")


def explain(
    case_a: Annotated[str, typer.Argument(help="case_id")],
    case_b: Annotated[str, typer.Argument(help="case_id")],
    db: DbOption = None,
    model: ModelOption = None,
) -> None:
    """Print the link probability of two cases and the evidence for and against."""
    engine = _engine(db, model)
    try:
        prob, evidence = engine.explain(case_a, case_b)
    except KeyError as exc:
        fail(str(exc.args[0]))
    console.print(f"{case_a} - {case_b}: link probability {prob:.3f} (model: {engine.model.name})")
    table = Table("evidence", "multiplier")
    for item in evidence:
        table.add_row(item.phrase, "x" + format_multiplier(item.multiplier))
    console.print(table)


def evaluate(
    db: DbOption = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir",
            file_okay=False,
            help="Write roc.png, reliability.png, evaluation.json here.",
        ),
    ] = None,
    label: Annotated[str, typer.Option("--label")] = "offender_id",
    threshold: Annotated[float, typer.Option("--threshold", min=0.01, max=0.99)] = 0.5,
) -> None:
    """Offender-grouped CV: ROC AUC, average precision, precision@K, calibration, series."""
    engine = _engine(db, None)
    with console.status("evaluating (offender-grouped cross-validation)..."):
        try:
            report = run_evaluation(engine, label=label, threshold=threshold, out_dir=out_dir)
        except ValueError as exc:
            fail(str(exc))
    table = Table(
        "model",
        "pairs",
        "linked",
        "ROC AUC",
        "avg precision",
        "P@10",
        "P@50",
        "P@100",
        title="out-of-fold",
    )
    for name, row in report.measures.iterrows():
        table.add_row(
            str(name),
            f"{row['pairs']:.0f}",
            f"{row['linked']:.0f}",
            f"{row['roc_auc']:.3f}",
            f"{row['average_precision']:.3f}",
            f"{row['precision_at_10']:.2f}",
            f"{row['precision_at_50']:.2f}",
            f"{row['precision_at_100']:.2f}",
        )
    console.print(table)
    at = report.at_threshold
    console.print(
        f"chosen: {report.chosen}; at p >= {report.threshold}: precision {at['precision']:.3f}, "
        f"recall {at['recall']:.3f}, Brier {at['brier']:.4f}"
    )
    s = report.series
    console.print(
        f"series: {s['series_found']:.0f} found; purity {s['purity']:.3f}, "
        f"completeness {s['completeness']:.3f}, adjusted Rand {s['adjusted_rand']:.3f}"
    )
    if out_dir is not None:
        (out_dir / "evaluation.json").write_text(
            json.dumps(report.as_dict(), indent=2, default=str)
        )
        err_console.print(f"figures: {', '.join(str(p) for p in report.figures)}")


def register(app: typer.Typer) -> None:
    """Add the linkage commands to the root app."""
    app.command(name="train")(train)
    app.command(name="link")(link)
    app.command(name="series")(series)
    app.command(name="explain")(explain)
    app.command(name="evaluate")(evaluate)
