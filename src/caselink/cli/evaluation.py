"""Evaluation commands: evaluate (case linkage) and evaluate-geoprofile (the profilers).

Registered with their command groups (:mod:`caselink.cli.linkage`,
:mod:`caselink.cli.geoprofile`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from caselink.cli.engines import (
    CellsOption,
    HomesOption,
    MarginOption,
    NoPriorOption,
    PopulationOption,
)
from caselink.cli.options import DbOption, console, err_console, fail, open_store
from caselink.cli.output import checked_output, write_report
from caselink.records.errors import CaselinkError
from caselink.service import linking, profiling
from caselink.settings import LINK_THRESHOLD


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
    threshold: Annotated[float, typer.Option("--threshold", min=0.01, max=0.99)] = LINK_THRESHOLD,
) -> None:
    """Offender-grouped CV: ROC AUC, average precision, precision@K, calibration, series."""
    store = open_store(db)
    with console.status("evaluating (offender-grouped cross-validation)..."):
        try:
            report = linking.evaluate(store, label, threshold, out_dir)
        except CaselinkError as exc:
            fail(exc)
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
        err_console.print(f"figures: {', '.join(str(p) for p in report.figures)}")


def evaluate_geoprofile(
    db: DbOption = None,
    homes: HomesOption = None,
    methods: Annotated[
        str | None,
        typer.Option("--methods", help="Comma-separated methods (default: all that can run)."),
    ] = None,
    population: PopulationOption = None,
    no_prior: NoPriorOption = False,
    cells: CellsOption = 200,
    margin_km: MarginOption = None,
    min_crimes: Annotated[int, typer.Option("--min-crimes", help="Smallest series scored.")] = 3,
    out: Annotated[
        Path | None, typer.Option("--out", dir_okay=False, help="Write per-series results CSV.")
    ] = None,
) -> None:
    """Hit score, search area and error distance of each method on the store's solved series."""
    store = open_store(db)
    try:
        prior = profiling.prior_for(store, population, not no_prior)
        chosen = profiling.chosen_methods(methods, prior)
    except CaselinkError as exc:
        fail(exc)
    checked_output(out, db, [homes, population])
    console.print(f"prior: {prior.describe() if prior is not None else 'none'}")
    try:
        done = profiling.evaluate(store, chosen, prior, homes, cells, margin_km, min_crimes)
    except CaselinkError as exc:
        fail(exc)
    console.print(f"{done.n_series} solved series with a known home; {done.n_skipped} left out")
    if out is not None:
        write_report(done.results, out)
        console.print(f"wrote {out}")
    _print_evaluation(done, cells)


def _print_evaluation(done: profiling.Evaluated, cells: int) -> None:
    view = Table(
        title=f"Geographic profiling on {done.n_series} solved series ({cells}x{cells} cells)"
    )
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
    for _, r in done.summary.iterrows():
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
    if done.auto_choice is not None:
        best, best_median, auto_median = done.auto_choice
        console.print(
            f"--method auto would choose {best} here (median "
            f"{best_median:.1f}%); choosing on the other series only, auto's own "
            f"median hit score is {auto_median:.1f}%"
        )
    console.print(
        "Rossmo (2000, Table 10.1) CGT hit scores: Chase 1.7% (0.1 km²), Berkowitz 4.7% "
        "(38.2 km²), Ramirez 9.8% (625 km²), DeSalvo 17.8% (223 km²)."
    )
