"""``caselink add``, ``alerts``, ``alert-review``, ``rescore-pending`` and ``replay``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from caselink.alerts.alerting import AddReport
from caselink.cli.options import DbOption, console, fail, open_store
from caselink.cli.output import checked_output, progress_bar
from caselink.records.errors import CaselinkError
from caselink.service import alerting
from caselink.settings import DEFAULT_ALERTS_PER_1000

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
        report = alerting.add(store, case_file, people, actions, model, threshold, alerts_per_1000)
    except CaselinkError as exc:
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
        frame = alerting.alerts(store, status)
    except CaselinkError as exc:
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
        alerting.review(store, alert_id, status, by, note)
    except CaselinkError as exc:
        fail(str(exc))
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
        report = alerting.rescore(store, model, threshold, alerts_per_1000)
    except CaselinkError as exc:
        fail(str(exc))
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
    for path in (out, *(Path(f"{base}.{s}") for s in alerting.REPLAY_REPORTS)):
        checked_output(path, db, [model, truth])
    store = open_store(db)
    with progress_bar("replaying the cases in recording order") as (bar, advance):
        try:
            done = alerting.replay_store(
                store, out, model, from_, to, threshold, alerts_per_1000, retrain, truth,
                progress=advance,
            )  # fmt: skip
        except CaselinkError as exc:
            bar.stop()
            fail(str(exc))
    console.print(f"{done.n_alerts} alert(s) -> {out}")
    console.print(f"model: {done.provenance}", highlight=False)
    if done.n_not_scored:
        console.print(f"{done.n_not_scored} case(s) not scored (missing fields)")
    console.print("\n".join(done.lines), highlight=False)
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
