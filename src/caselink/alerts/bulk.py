"""Alerts for a bulk import: one batch link run instead of one case at a time.

Scoring 100,000 imported cases one by one takes hours; the batch engine
(:class:`caselink.linkage.engine.LinkageEngine`) links them in minutes. For the
cases left ``pending`` by an import, :func:`raise_bulk_alerts` runs the
engine's batch link once over the scorable cases (the new ones and the
stored ones), keeps the links at or above the threshold that involve a new
case (new x new and new x stored), and writes the alerts that scoring the new
cases one by one, in storing order, would raise (:func:`caselink.alerts.rescore_pending`):
the same model, pairs, probabilities, explanations and series (tested).

Each pair is raised once, by the new case scored first (in storing order),
linked to the other; a case's alerts are in decreasing probability. As on
arrival, a case that cannot be scored is marked ``not_scored`` with the
reason and alerts are written in the transaction that marks their cases
``scored``, so a crash leaves only ``pending`` cases, which the next sweep
scores.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from caselink.alerts import events
from caselink.alerts.alerting import AddReport, Alert, Alerter, AlertGroups, _states
from caselink.alerts.ledger import list_alerts, mark_cases, now, pending_case_ids, write_alerts
from caselink.alerts.workload import DEFAULT_ALERTS_PER_1000, check_workload
from caselink.linkage.case_index import scoring_problems
from caselink.linkage.config import LinkageConfig
from caselink.linkage.engine import LinkageEngine
from caselink.linkage.explain import explain_pair, explanation_text
from caselink.linkage.persistence import SavedModel
from caselink.records.errors import scoring_note
from caselink.store import Store

Progress = Callable[[int, int], None]
"""progress(done_pairs, total_pairs) as the batch link advances."""

NO_ALERT_NOTE = (
    "imported with --no-alert: no alerts raised on arrival (`caselink link` links it in "
    "batch); compared with every case added later"
)
"""The linkage note of cases imported without alerting (state ``scored``, so that
every case added later is compared with them)."""

BULK_SHARE = 0.05
"""Share of pending cases among the stored ones from which the batch path is faster."""

WRITE_CHUNK = 500
"""Cases whose alerts are written (and which are marked scored) per transaction."""


def prefers_batch(n_pending: int, n_stored: int) -> bool:
    """Whether one batch link beats scoring ``n_pending`` cases one by one."""
    return n_pending >= 50 and n_pending >= BULK_SHARE * n_stored


def raise_bulk_alerts(
    store: Store,
    model: SavedModel | None = None,
    threshold: float | None = None,
    progress: Progress | None = None,
    alerts_per_1000: float = DEFAULT_ALERTS_PER_1000,
) -> AddReport:
    """Score every ``pending`` case of the store in one batch link run and store the alerts.

    Parameters
    ----------
    store
        The case store; its ``pending`` cases are the ones to score.
    model
        A saved linkage model; without it the default model fitted on the
        scorable stored cases, as on arrival.
    threshold
        Link probability at which an alert is raised, in (0, 1); None (the
        default) to choose it from ``alerts_per_1000`` exactly as arrival one
        by one does (:class:`caselink.alerts.alerting.Alerter`: the stored
        cases, then the new ones in storing order).
    progress
        Called with (pairs done, pairs in all) as the batch link advances.
    alerts_per_1000
        The workload the threshold is chosen from when none is given.

    Returns
    -------
    AddReport
        ``swept`` = the pending cases scored, ``alerts`` written, ``not_scored``.
    """
    if threshold is not None and not 0 < threshold < 1:
        raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
    check_workload(alerts_per_1000)
    report = AddReport()
    todo = pending_case_ids(store)
    report.swept = list(todo)
    if not todo:
        return report
    schema = store.attribute_schema()
    stored = store.cases_frame()  # read once: the alerter's frame too
    states = _states(store)
    left_out = states.get("not_scored", set())
    frame = stored[~stored["case_id"].isin(left_out)].reset_index(drop=True)
    bad = scoring_problems(frame, model.config if model is not None else LinkageConfig())
    new_bad = {c: reasons for c, reasons in bad.items() if c in set(todo)}
    scorable = frame[~frame["case_id"].isin(bad)].reset_index(drop=True)
    order = {c: i for i, c in enumerate(c for c in todo if c not in new_bad)}
    if new_bad:
        with store.transaction() as conn:
            for cid, reasons in new_bad.items():
                mark_cases(conn, [cid], "not_scored", scoring_note(cid, reasons))
        report.reasons.update(new_bad)
        report.not_scored.update({c: scoring_note(c, r) for c, r in new_bad.items()})
    if not order:
        return report
    if model is None and len(scorable) < 2:
        with store.transaction() as conn:
            mark_cases(conn, list(order), "scored", "no other stored case to compare with")
        return report
    # one engine: its model (the default one fitted on the scorable cases,
    # as the alerter would fit it) also chooses the threshold
    engine = LinkageEngine(scorable, schema, model=model)
    saved = engine.model
    if threshold is None:
        alerter = Alerter(store, saved, None, (), alerts_per_1000, frame=stored)
        # the new cases in storing order, from the frame already read
        new = scorable.set_index("case_id", drop=False).loc[list(order)]
        alerter.index_cases(new.reset_index(drop=True))
        threshold = alerter.threshold
        report.workload = alerter.workload
    report.threshold = threshold
    kept: list[pd.DataFrame] = []
    for chunk in engine.link_chunks(threshold, progress=progress):
        a_new = chunk["case_a"].map(order.get)
        b_new = chunk["case_b"].map(order.get)
        involved = a_new.notna() | b_new.notna()
        if involved.any():
            kept.append(chunk.loc[involved].reset_index(drop=True))
    links = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame()
    alerts_by_case = _oriented_alerts(engine, saved, links, order, scorable)
    tracker = _tracker(store, scorable)
    when = now()
    ids = list(order)
    for start in range(0, len(ids), WRITE_CHUNK):
        part = ids[start : start + WRITE_CHUNK]
        raised = []
        for cid in part:
            for p, other, text in alerts_by_case.get(cid, []):
                series_id, event = tracker.link(cid, other)
                raised.append(Alert(cid, other, p, text, series_id, event, when))
        with store.transaction() as conn:
            written = write_alerts(conn, raised)
            mark_cases(conn, part, "scored", None)
        report.alerts.extend(written)
        events.publish(written)
    return report


def _oriented_alerts(
    engine: LinkageEngine,
    saved: SavedModel,
    links: pd.DataFrame,
    order: dict[str, int],
    cases: pd.DataFrame,
) -> dict[str, list[tuple[float, str, str]]]:
    """Per scoring case: (probability, linked case, explanation), highest first.

    A pair is raised by its new case that is scored first; it is compared in
    that orientation (scoring case first), as on arrival.
    """
    if links.empty:
        return {}
    big = len(order) + 1
    rank_a = links["case_a"].map(lambda c: order.get(c, big))
    rank_b = links["case_b"].map(lambda c: order.get(c, big))
    a_first = rank_a <= rank_b
    pairs = pd.DataFrame(
        {
            "case_a": links["case_a"].where(a_first, links["case_b"]),
            "case_b": links["case_b"].where(a_first, links["case_a"]),
        }
    )
    compared = engine.compare(pairs)
    est = saved.estimator
    prob = est.predict_proba(compared)[:, 1]
    _, contrib = est.factors(compared)
    ids = set(links["case_a"]) | set(links["case_b"])
    linked = cases[cases["case_id"].isin(ids)]
    records = {str(r["case_id"]): r for r in linked.to_dict("records")}
    out: dict[str, list[tuple[float, str, str]]] = {}
    for i in range(len(compared)):
        mine, other = str(compared.at[i, "case_a"]), str(compared.at[i, "case_b"])
        evidence = explain_pair(
            saved.comparisons,
            {str(c): v for c, v in compared.iloc[i].items()},
            {str(c): float(v) for c, v in contrib.iloc[i].items()},
            {str(k): v for k, v in records[mine].items()},
            {str(k): v for k, v in records[other].items()},
        )
        out.setdefault(mine, []).append((float(prob[i]), other, explanation_text(evidence)))
    for items in out.values():
        items.sort(key=lambda t: (-t[0], t[1]))
    return out


def _tracker(store: Store, cases: pd.DataFrame) -> AlertGroups:
    """The alert groups of the stored (not dismissed) alerts, as the alerter rebuilds them."""
    days = (
        pd.to_datetime(cases["occurred_from"]).astype("datetime64[us]") - pd.Timestamp("1970-01-01")
    ) / pd.Timedelta(days=1)
    start = dict(zip(cases["case_id"].astype(str), days.astype(float), strict=True))
    tracker = AlertGroups(lambda c: start.get(c, float("inf")))
    stored = list_alerts(store)
    for a, b, status in zip(
        stored["case_id"], stored["linked_case_id"], stored["status"], strict=True
    ):
        if status != "dismissed":
            tracker.link(str(a), str(b))
    return tracker


def pending_share(store: Store) -> tuple[int, int]:
    """(pending cases, stored cases) of a store."""
    return len(pending_case_ids(store)), store.count_cases()


__all__: Sequence[str] = ("pending_share", "prefers_batch", "raise_bulk_alerts")
