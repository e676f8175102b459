"""Alert use cases for the command line: add cases, list and review alerts, rescore, replay.

Each is one call returning what the front door renders; the replay writes its
report files (alerts, series, months, thresholds, summary) and returns the
summary lines it wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from caselink.alerts import add_cases, list_alerts, rescore_pending, review_alert
from caselink.alerts.alerting import AddReport
from caselink.alerts.intake import read_case_file
from caselink.linkage.persistence import SavedModel, load_model
from caselink.records.errors import CaselinkError, InputError, NotFoundError, input_errors
from caselink.records.outputs import write_report_csv
from caselink.replay import ALERT_COLUMNS, replay, score_replay
from caselink.settings import DEFAULT_ALERTS_PER_1000
from caselink.store import Store

REPLAY_REPORTS = ("series.csv", "months.csv", "thresholds.csv", "summary.txt")
"""The files a replay writes beside its ``--out`` (``<out without suffix>.<name>``)."""


def linkage_model(store: Store, path: Path | None) -> SavedModel | None:
    """The model file at ``path`` checked against the store's attributes (None: default)."""
    if path is None:
        return None
    try:
        return load_model(path, store.attribute_schema())
    except FileNotFoundError as exc:
        raise NotFoundError(str(exc)) from None
    except CaselinkError:
        raise
    except ValueError as exc:
        raise InputError(str(exc)) from None


def add(
    store: Store,
    case_file: Path,
    people: Path | None = None,
    actions: Path | None = None,
    model: Path | None = None,
    threshold: float | None = None,
    alerts_per_1000: float = DEFAULT_ALERTS_PER_1000,
) -> AddReport:
    """Record cases and compare each at once with the stored cases."""
    try:
        cases, mentions, acts = read_case_file(case_file, store.attribute_schema(), people, actions)
        return add_cases(
            store,
            cases,
            mentions,
            acts,
            linkage_model(store, model),
            threshold,
            alerts_per_1000=alerts_per_1000,
        )
    except CaselinkError:
        raise
    except (ValueError, KeyError) as exc:
        raise InputError(str(exc)) from None


def alerts(store: Store, status: str | None = None) -> pd.DataFrame:
    """Stored alerts, newest first (``alert_id, raised_at, case_id, linked_case_id, ...``)."""
    try:
        return list_alerts(store, status)
    except CaselinkError:
        raise
    except ValueError as exc:
        raise InputError(str(exc), field="--status", value=str(status)) from None


def review(store: Store, alert_id: int, status: str, by: str, note: str) -> None:
    """Record the review of an alert: reviewed or dismissed, by whom and why."""
    try:
        review_alert(store, alert_id, status, by, note)
    except CaselinkError:
        raise
    except KeyError as exc:
        raise NotFoundError(str(exc).strip('"')) from None
    except ValueError as exc:
        raise InputError(str(exc).strip('"')) from None


def rescore(
    store: Store,
    model: Path | None = None,
    threshold: float | None = None,
    alerts_per_1000: float = DEFAULT_ALERTS_PER_1000,
) -> AddReport:
    """Score cases left pending (stored but never compared, e.g. after a crash)."""
    try:
        return rescore_pending(
            store, linkage_model(store, model), threshold, alerts_per_1000=alerts_per_1000
        )
    except (CaselinkError, ValueError) as exc:
        raise InputError(f"pending cases not scored: {exc}") from None


@dataclass(frozen=True)
class Replayed:
    """A replay: the alerts, what it wrote and its summary lines."""

    n_alerts: int
    provenance: str
    n_not_scored: int
    lines: list[str]
    base: Path


def replay_store(
    store: Store,
    out: Path,
    model: Path | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    threshold: float | None = None,
    alerts_per_1000: float = DEFAULT_ALERTS_PER_1000,
    retrain: str = "monthly",
    truth: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Replayed:
    """Replay the store in recording order: the alerts each case would have raised then,
    scored afterwards against ``truth`` (else the solved cases' offender_id);
    ``progress(cases walked, cases to walk)`` as it goes."""
    if retrain not in ("monthly", "none"):
        raise InputError(
            f"--retrain must be monthly or none, got {retrain!r}", field="--retrain", value=retrain
        )
    base = out.with_suffix("")
    cases = store.cases_frame()
    saved = linkage_model(store, model)
    with input_errors():
        result = replay(
            cases, store.attribute_schema(), saved, start, end, threshold,
            "monthly" if retrain == "monthly" else "none", alerts_per_1000=alerts_per_1000,
            progress=progress,
        )  # fmt: skip
    write_report_csv(result.alerts[ALERT_COLUMNS], out, date_format="%Y-%m-%dT%H:%M:%S")
    labels = (
        pd.read_csv(truth, dtype=str) if truth is not None else cases[["case_id", "offender_id"]]
    )
    score = score_replay(
        result.alerts, cases, labels,
        pd.Timestamp(start) if start else None, pd.Timestamp(end) if end else None,
        explain=result.explain,
    )  # fmt: skip
    write_report_csv(score.series, Path(f"{base}.series.csv"))
    write_report_csv(score.months, Path(f"{base}.months.csv"))
    if result.thresholds is not None:
        write_report_csv(
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
    Path(f"{base}.summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Replayed(len(result.alerts), str(result.provenance), len(result.not_scored), lines, base)
