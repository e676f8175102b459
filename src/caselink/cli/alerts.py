"""``caselink add``, ``alerts``, ``alert-review``, ``rescore-pending`` and ``replay``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from caselink.alerts import add_cases, list_alerts, rescore_pending, review_alert
from caselink.alerts.alerting import AddReport
from caselink.alerts.intake import read_case_file
from caselink.alerts.workload import DEFAULT_ALERTS_PER_1000
from caselink.cli.options import DbOption, console, fail, open_store
from caselink.cli.output import checked_output, write_report
from caselink.linkage.persistence import SavedModel, load_model
from caselink.records.errors import CaselinkError
from caselink.replay import ALERT_COLUMNS, replay, score_replay
from caselink.store import Store

ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model", help="Linkage model file (caselink train); default: the default model."
    ),
]
ThresholdOption = Annotated[
    float | None,
    typer.Option(
        "--threshold",
        min=0.0,
        max=1.0,
        help="Link probability at which an alert is raised "
        "(default: chosen from --alerts-per-1000-cases).",
    ),
]
WorkloadOption = Annotated[
    float,
    typer.Option(
        "--alerts-per-1000-cases",
        min=0.001,
        help="The analysts' workload: the alert threshold is the probability at which the "
        "model, applied to the store's candidate pairs, raises about this many alerts per "
        "1,000 cases.",
    ),
]


def _threshold_line(report: AddReport) -> str | None:
    if report.workload is not None:
        return report.workload.describe()
    if report.threshold is not None:
        return f"alert threshold p >= {report.threshold:g} (given)"
    return None


def _model(store: Store, path: Path | None) -> SavedModel | None:
    if path is None:
        return None
    try:
        return load_model(path, store.attribute_schema())
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))


def add(
    case_file: Annotated[Path, typer.Argument(help="case.json (one case) or cases.csv")],
    db: DbOption = None,
    people: Annotated[Path | None, typer.Option(help="people.csv for a cases.csv")] = None,
    actions: Annotated[Path | None, typer.Option(help="actions.csv for a cases.csv")] = None,
    model: ModelOption = None,
    threshold: ThresholdOption = None,
    alerts_per_1000: WorkloadOption = DEFAULT_ALERTS_PER_1000,
) -> None:
    """Record cases and compare each at once with the stored cases; print the alerts."""
    store = open_store(db, create=True)
    try:
        cases, mentions, acts = read_case_file(case_file, store.attribute_schema(), people, actions)
        report = add_cases(
            store,
            cases,
            mentions,
            acts,
            _model(store, model),
            threshold,
            alerts_per_1000=alerts_per_1000,
        )
    except (CaselinkError, ValueError, KeyError) as exc:
        fail(str(exc))
    console.print(f"stored {len(report.stored)} case(s); {len(report.alerts)} new alert(s)")
    line = _threshold_line(report)
    if line:
        console.print(line, highlight=False)
    if report.swept:
        console.print(f"scored {len(report.swept)} case(s) left pending by an earlier run")
    for cid, why in report.not_scored.items():
        console.print(f"not scored {cid}: {why}", style="yellow")
    for a in report.alerts:
        console.print(
            f"ALERT {a.alert_id} {a.case_id} ~ {a.linked_case_id} "
            f"p={a.probability:.2f} ({a.series_event} {a.series_id}): {a.explanation}",
            highlight=False,
        )


def alerts(
    db: DbOption = None,
    status: Annotated[str | None, typer.Option(help="new, reviewed or dismissed")] = None,
) -> None:
    """List stored alerts, newest first."""
    store = open_store(db)
    try:
        frame = list_alerts(store, status)
    except ValueError as exc:
        fail(str(exc))
    table = Table("id", "raised", "case", "linked", "p", "series", "status", "review", "why")
    for r in frame.to_dict("records"):
        review = f"{r['reviewed_by']}: {r['review_note']}" if r["reviewed_by"] else ""
        table.add_row(
            str(r["alert_id"]), str(r["raised_at"])[:19], str(r["case_id"]),
            str(r["linked_case_id"]), f"{r['probability']:.2f}", str(r["series_id"] or ""),
            str(r["status"]), review, str(r["explanation"] or ""),
        )  # fmt: skip
    console.print(table)
    console.print(f"{len(frame)} alert(s)")


def alert_review(
    alert_id: Annotated[int, typer.Argument(help="The alert's id (caselink alerts)")],
    status: Annotated[str, typer.Option(help="reviewed or dismissed")],
    by: Annotated[str, typer.Option("--by", help="Who reviewed it")],
    note: Annotated[str, typer.Option(help="Why")],
    db: DbOption = None,
) -> None:
    """Record the review of an alert: reviewed or dismissed, by whom and why."""
    store = open_store(db)
    try:
        review_alert(store, alert_id, status, by, note)
    except (ValueError, KeyError) as exc:
        fail(str(exc).strip('"'))
    console.print(f"alert {alert_id}: {status} by {by}")


def rescore_pending_cmd(
    db: DbOption = None,
    model: ModelOption = None,
    threshold: ThresholdOption = None,
    alerts_per_1000: WorkloadOption = DEFAULT_ALERTS_PER_1000,
) -> None:
    """Score cases left pending (stored but never compared, e.g. after a crash)."""
    store = open_store(db)
    try:
        report = rescore_pending(
            store, _model(store, model), threshold, alerts_per_1000=alerts_per_1000
        )
    except (CaselinkError, ValueError) as exc:
        fail(f"pending cases not scored: {exc}")
    console.print(
        f"scored {len(report.swept)} pending case(s); {len(report.alerts)} new alert(s); "
        f"{len(report.not_scored)} not scorable"
    )
    line = _threshold_line(report)
    if line:
        console.print(line, highlight=False)
    for cid, why in report.not_scored.items():
        console.print(f"not scored {cid}: {why}", style="yellow")


def replay_cmd(
    out: Annotated[Path, typer.Option("--out", help="alerts.csv to write")],
    db: DbOption = None,
    model: ModelOption = None,
    from_: Annotated[datetime | None, typer.Option("--from", help="First recording date")] = None,
    to: Annotated[datetime | None, typer.Option("--to", help="Last recording date")] = None,
    threshold: ThresholdOption = None,
    alerts_per_1000: WorkloadOption = DEFAULT_ALERTS_PER_1000,
    retrain: Annotated[str, typer.Option(help="monthly or none (without --model)")] = "monthly",
    truth: Annotated[
        Path | None,
        typer.Option(help="CSV case_id,series_id|offender_id to score with (else offender_id)"),
    ] = None,
) -> None:
    """Replay the store in recording order: the alerts each case would have raised then."""
    base = out.with_suffix("")
    reports = ("series.csv", "months.csv", "thresholds.csv", "summary.txt")
    for path in (out, *(Path(f"{base}.{s}") for s in reports)):
        checked_output(path, db, [model, truth])
    store = open_store(db)
    cases = store.cases_frame()
    try:
        result = replay(
            cases, store.attribute_schema(), _model(store, model), from_, to, threshold,
            "monthly" if retrain == "monthly" else "none" if retrain == "none" else
            fail(f"--retrain must be monthly or none, got {retrain!r}"),
            alerts_per_1000=alerts_per_1000,
        )  # fmt: skip
    except ValueError as exc:
        fail(str(exc))
    write_report(result.alerts[ALERT_COLUMNS], out, date_format="%Y-%m-%dT%H:%M:%S")
    console.print(f"{len(result.alerts)} alert(s) -> {out}")
    console.print(f"model: {result.provenance}", highlight=False)
    if result.not_scored:
        console.print(f"{len(result.not_scored)} case(s) not scored (missing fields)")
    labels = (
        pd.read_csv(truth, dtype=str) if truth is not None else cases[["case_id", "offender_id"]]
    )
    score = score_replay(
        result.alerts, cases, labels,
        pd.Timestamp(from_) if from_ else None, pd.Timestamp(to) if to else None,
        explain=result.explain,
    )  # fmt: skip
    write_report(score.series, Path(f"{base}.series.csv"))
    write_report(score.months, Path(f"{base}.months.csv"))
    if result.thresholds is not None:
        write_report(
            result.thresholds,
            Path(f"{base}.thresholds.csv"),
            date_format="%Y-%m",
            float_format="%.6f",
        )
    source = f"truth file {truth}" if truth else "offender_id of solved cases"
    if threshold is not None:
        at = f"at p >= {threshold:g}"
    else:
        at = f"at a workload of {alerts_per_1000:g} per 1,000 cases"
    lines = [
        f"Scored after the replay against {source} (not used by the replay).",
        f"model: {result.provenance}",
        f"alerts {at}: {len(result.alerts)} over {result.cases_scored:,} cases "
        f"({1000 * len(result.alerts) / max(result.cases_scored, 1):.1f} per 1,000)",
        f"false alerts per month {at}: {score.false_alerts_per_month:.1f}",
        *score.summary_lines(),
    ]
    flagged = score.series.dropna(subset=["flagged_case_id"])
    lines.append(f"series flagged: {len(flagged)} of {len(score.series)}")
    for r in flagged.to_dict("records"):
        lines.append(
            f"  {r['series_id']} ({r['size']} cases): first flagged "
            f"{str(r['first_flagged_at'])[:10]} at its case #{int(r['flagged_at_member'])} "
            f"{r['flagged_case_id']} (~ {r['linked_case_id']}, p={r['probability']:.2f}): "
            f"{r['explanation']}"
        )
    text = "\n".join(lines)
    Path(f"{base}.summary.txt").write_text(text + "\n", encoding="utf-8")
    console.print(text, highlight=False)
    console.print(
        f"summary -> {base}.summary.txt, {base}.series.csv, {base}.months.csv, "
        f"{base}.thresholds.csv"
    )


def register(app: typer.Typer) -> None:
    """Add the alert and replay commands to the root app."""
    app.command(name="add")(add)
    app.command(name="alerts")(alerts)
    app.command(name="alert-review")(alert_review)
    app.command(name="rescore-pending")(rescore_pending_cmd)
    app.command(name="replay")(replay_cmd)
