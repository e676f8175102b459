"""Alert on arrival: store a case, compare it at once with the stored cases, raise links.

The comparison is the one ``caselink link`` makes (same blocking rules,
comparisons and model: :class:`caselink.linkage.case_index.CaseIndex` evaluates
the comparisons' formulas for one case's candidates, and the model's own
``predict_proba`` and ``factors`` score and explain them). Every link at or
above the threshold becomes an :class:`Alert`, written to the ``alerts`` table
once per pair and published to :mod:`caselink.alerts.events` subscribers.

Order of work for each batch, so that a crash leaves nothing wrong:

1. the cases are stored (``linkage_state='pending'``) in one transaction;
2. each case is compared; its alerts are written and the case is marked
   ``scored`` (or ``not_scored`` with the reason) in one transaction;
3. subscribers are told, after the commit.

A crash between 1 and 2 leaves ``pending`` cases without alerts;
:func:`rescore_pending` (``caselink rescore-pending``) finds and scores them,
and :func:`add_cases` sweeps them first on every call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from caselink.alerts import events
from caselink.alerts.ledger import list_alerts, mark_cases, now, pending_case_ids, write_alerts
from caselink.alerts.workload import (
    DEFAULT_ALERTS_PER_1000,
    Workload,
    check_workload,
    threshold_for,
)
from caselink.linkage.case_index import CaseIndex, scoring_problems
from caselink.linkage.config import LinkageConfig
from caselink.linkage.engine import LinkageEngine
from caselink.linkage.explain import explain_pair, explanation_text
from caselink.linkage.models.base import LinkageModelBase
from caselink.linkage.persistence import SavedModel
from caselink.records.errors import NotScorableError, scoring_note
from caselink.records.frames import cases_frame
from caselink.records.model import Action, Case, Mention
from caselink.settings import LINK_THRESHOLD
from caselink.store import Store
from caselink.store.tables import CaseRow

DEFAULT_THRESHOLD = LINK_THRESHOLD
"""The series threshold of ``caselink series``; alerts are raised at the
threshold of a workload (:mod:`caselink.alerts.workload`) unless a threshold
is given."""
WORKLOAD_SAMPLE_CASES = 1000
"""Above this many indexed cases, the workload threshold is estimated from the
candidate pairs of a random sample of this many cases (seeded: the same store
gives the same threshold)."""
_SCORE_BATCH = 200_000

Stage = Callable[[str, Sequence[str]], None]
"""``on_stage(stage, case_ids)``: "stored" after step 1, "scored" after each chunk of step 2."""


@dataclass(frozen=True)
class Alert:
    """A link raised when a case was recorded.

    Attributes
    ----------
    case_id
        The case being recorded.
    linked_case_id
        The stored case it links with.
    probability
        Link probability of the model.
    explanation
        The evidence, strongest first ("0.4 km apart (x12); both drugs ghb (x30)").
    series_id
        The *alert group* the link makes: the connected component of the
        non-dismissed alert links holding both cases, named ``S-`` + its
        earliest member's case_id. The name ``series_id`` is kept (the
        ``alerts`` table and every alerts file have this column); an alert
        group is not a series of ``caselink series`` (average-linkage
        clusters of the batch links, :mod:`caselink.linkage.series`), though
        both name a group after its earliest member.
    series_event
        ``starts`` (neither case was in an alert group), ``joins`` (one was)
        or ``merges`` (both were, in different groups).
    raised_at
        When it was raised.
    alert_id
        Its key in the alerts table once stored (None before).
    """

    case_id: str
    linked_case_id: str
    probability: float
    explanation: str
    series_id: str
    series_event: Literal["starts", "joins", "merges"]
    raised_at: datetime
    alert_id: int | None = None

    @property
    def pair(self) -> tuple[str, str]:
        """(case_id, linked_case_id)."""
        return (self.case_id, self.linked_case_id)

    def stored_as(self, alert_id: int) -> Alert:
        """This alert with its alerts-table key."""
        return replace(self, alert_id=alert_id)

    def __str__(self) -> str:
        return (
            f"{self.case_id} ~ {self.linked_case_id}: p={self.probability:.2f}, "
            f"{self.series_event} {self.series_id}: {self.explanation}"
        )


@dataclass
class AddReport:
    """What :func:`add_cases` did."""

    stored: list[str] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    not_scored: dict[str, str] = field(default_factory=dict)
    """case_id -> its reasons as one line (the ``linkage_note`` stored with it)."""
    reasons: dict[str, list[str]] = field(default_factory=dict)
    """case_id -> every reason it was not scored (the same cases as ``not_scored``)."""
    swept: list[str] = field(default_factory=list)
    threshold: float | None = None
    """The alert threshold used (None when nothing was scored)."""
    workload: Workload | None = None
    """The workload it was chosen from (None when a threshold was given)."""


class AlertGroups:
    """Alert groups: the connected components of the alert links (union-find).

    An alert group's id is ``S-`` + the case_id of its earliest member (by
    start of the time window, then case_id), the naming convention of
    :mod:`caselink.linkage.series`; dismissed alerts do not link. Any chain
    of alerts joins a group (no clustering): a *series* of ``caselink
    series`` is an average-linkage cluster, which one weak link does not
    join; that is why the two have different names.
    """

    def __init__(self, start_of: Callable[[str], float]) -> None:
        self._parent: dict[str, str] = {}
        self._first: dict[str, tuple[float, str]] = {}
        self._start_of = start_of

    def _find(self, c: str) -> str:
        root = c
        while self._parent.get(root, root) != root:
            root = self._parent[root]
        while c != root:
            nxt = self._parent[c]
            self._parent[c] = root
            c = nxt
        return root

    def group_of(self, case_id: str) -> str | None:
        """The alert group id of a case, or None when it is in no group."""
        if case_id not in self._parent:
            return None
        return "S-" + self._first[self._find(case_id)][1]

    def link(self, a: str, b: str) -> tuple[str, Literal["starts", "joins", "merges"]]:
        """Join the groups of ``a`` and ``b``; returns the group id and what happened."""
        in_a, in_b = a in self._parent, b in self._parent
        for c in (a, b):
            if c not in self._parent:
                self._parent[c] = c
                self._first[c] = (self._start_of(c), c)
        ra, rb = self._find(a), self._find(b)
        event: Literal["starts", "joins", "merges"]
        if ra == rb:
            event = "joins"
        elif in_a and in_b:
            event = "merges"
        elif in_a or in_b:
            event = "joins"
        else:
            event = "starts"
        if ra != rb:
            first = min(self._first[ra], self._first[rb])
            self._parent[rb] = ra
            self._first[ra] = first
        return "S-" + self._first[ra][1], event


class Alerter:
    """The warm state of alerting for one store: case index, model and alert groups.

    Parameters
    ----------
    store
        The case store.
    model
        A saved linkage model (``caselink train``); without it, the default
        prior-knowledge model fitted on the stored cases, as ``caselink link``
        uses.
    threshold
        Link probability at which an alert is raised; None (the default) to
        choose it from ``alerts_per_1000``.
    required_fields
        Case fields without which a case is not scored (beyond the position
        and time window every comparison needs), e.g. ``("victim_age",)``.
    alerts_per_1000
        The workload the threshold is chosen from when none is given: see
        :mod:`caselink.alerts.workload`. It is computed once, when the first
        case is scored, over the cases indexed then (the stored cases and
        those being added).
    frame
        The store's cases frame (``store.cases_frame()``) when the caller has
        just read it: at 100,000 cases reading it again costs a minute.
    """

    def __init__(
        self,
        store: Store,
        model: SavedModel | None = None,
        threshold: float | None = None,
        required_fields: Sequence[str] = (),
        alerts_per_1000: float = DEFAULT_ALERTS_PER_1000,
        frame: pd.DataFrame | None = None,
    ) -> None:
        if threshold is not None and not 0 < threshold < 1:
            raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
        check_workload(alerts_per_1000)
        self.store = store
        self._threshold = threshold
        self.alerts_per_1000 = float(alerts_per_1000)
        self.workload: Workload | None = None
        self.required_fields = tuple(required_fields)
        self.schema = store.attribute_schema()
        frame = store.cases_frame() if frame is None else frame
        states = _states(store)
        scorable = frame[~frame["case_id"].isin(states.get("not_scored", set()))]
        scorable = scorable[~scorable["case_id"].isin(self.problems(scorable))]
        if model is None:
            if len(scorable) < 2:
                raise ValueError(
                    "the default model needs at least two stored cases to fit; "
                    "give a trained model (caselink train) instead"
                )
            model = LinkageEngine(scorable.reset_index(drop=True), self.schema).model
        else:
            model.check_schema(self.schema)
        self.model = model
        self.index = CaseIndex(self.schema, model.config, model.rules, model.comparisons)
        self._rows: list[Mapping[str, Any]] = []
        # pending cases are indexed when they are scored (in storing order)
        self._frame = scorable[~scorable["case_id"].isin(states.get("pending", set()))].reset_index(
            drop=True
        )
        if len(self._frame):
            self.index.add(self._frame)
        self.groups = AlertGroups(self._start_of)
        stored = list_alerts(store)
        for a, b, status in zip(
            stored["case_id"], stored["linked_case_id"], stored["status"], strict=True
        ):
            if status != "dismissed":
                self.groups.link(str(a), str(b))
        self._seen_seq = _max_seq(store)

    # ------------------------------------------------------------- helpers
    def _start_of(self, case_id: str) -> float:
        pos = self.index.position.get(case_id)
        return self.index.start_of(pos) if pos is not None else math.inf

    def record(self, case_id: str) -> dict[str, Any]:
        """The cases-frame row of an indexed case, as a dict (for explanations)."""
        pos = self.index.position[case_id]
        if pos < len(self._frame):
            row = self._frame.iloc[pos]
            return {str(k): v for k, v in row.items()}
        return dict(self._rows[pos - len(self._frame)])

    def is_stale(self) -> bool:
        """Whether another writer stored cases since this state was built."""
        return _max_seq(self.store) != self._seen_seq

    # ------------------------------------------------------------- threshold
    @property
    def threshold(self) -> float:
        """The alert threshold: the one given, else the workload's (computed on first use)."""
        if self._threshold is None:
            self.workload = self.estimate_workload()
            self._threshold = self.workload.threshold
        return self._threshold

    def estimate_workload(
        self, alerts_per_1000: float | None = None, sample: int = WORKLOAD_SAMPLE_CASES
    ) -> Workload:
        """The threshold at which the model, applied to the indexed cases'
        candidate pairs, raises ``alerts_per_1000`` alerts per 1,000 cases
        (all cases up to ``sample``, else a seeded random sample of them)."""
        rate = self.alerts_per_1000 if alerts_per_1000 is None else alerts_per_1000
        return index_workload(self.index, self.model.estimator, rate, sample)

    # -------------------------------------------------------------- scoring
    def problems(self, frame: pd.DataFrame) -> dict[str, list[str]]:
        """case_id -> why it cannot be scored, for the cases of ``frame`` that cannot."""
        config = self.model.config if hasattr(self, "model") else LinkageConfig()
        out = scoring_problems(frame, config)
        for col in self.required_fields:
            if col not in frame.columns:
                raise ValueError(f"required field {col!r} is not a cases-frame column")
            bad = frame[col].isna() | frame[col].map(lambda v: v == () or v == "")
            for cid in frame.loc[bad, "case_id"].astype(str):
                out.setdefault(cid, []).append(f"{col} is not recorded (alerting requires it)")
        return out

    def index_cases(self, frame: pd.DataFrame) -> dict[str, list[str]]:
        """Index the scorable cases of ``frame``; returns the not-scorable ones with reasons.

        Raises
        ------
        NotScorableError
            A scorable case of ``frame`` is already indexed (re-build the
            alert state to re-score an updated case); nothing is indexed.
        """
        bad = self.problems(frame)
        fresh = frame[~frame["case_id"].astype(str).isin(bad)]
        known = fresh["case_id"].astype(str)
        known = known[known.isin(self.index.position)]
        if len(known):
            why = "already indexed: re-build the alert state to re-score an updated case"
            raise NotScorableError({cid: [why] for cid in known})
        if len(fresh):
            self.index.add(fresh.reset_index(drop=True))
            self._rows.extend({str(k): v for k, v in r.items()} for r in fresh.to_dict("records"))
        return bad

    def score(self, case_id: str, raised_at: datetime | None = None) -> list[Alert]:
        """Alerts of one indexed case against every other indexed case (not stored yet)."""
        pos = self.index.position[case_id]
        others = self.index.candidates(pos)
        compared = self.index.compare(pos, others)
        if not len(compared):
            return []
        est = self.model.estimator
        prob = est.predict_proba(compared)[:, 1]
        keep = np.flatnonzero(prob >= self.threshold)
        if not len(keep):
            return []
        kept = compared.iloc[keep].reset_index(drop=True)
        _, contrib = est.factors(kept)
        mine = self.record(case_id)
        when = raised_at or now()
        out = []
        for i, k in enumerate(keep.tolist()):
            other = str(kept.at[i, "case_b"])
            evidence = explain_pair(
                self.model.comparisons,
                {str(c): v for c, v in kept.iloc[i].items()},
                {str(c): float(v) for c, v in contrib.iloc[i].items()},
                mine,
                self.record(other),
            )
            out.append((float(prob[k]), other, explanation_text(evidence)))
        out.sort(key=lambda t: (-t[0], t[1]))
        alerts = []
        for p, other, text in out:
            series_id, event = self.groups.link(case_id, other)
            alerts.append(Alert(case_id, other, p, text, series_id, event, when))
        return alerts


_WARM: dict[tuple[str, int, float | None, float, tuple[str, ...]], Alerter] = {}


def index_workload(
    index: CaseIndex,
    estimator: LinkageModelBase,
    alerts_per_1000: float,
    sample: int = WORKLOAD_SAMPLE_CASES,
) -> Workload:
    """The threshold at which ``estimator``, applied to the candidate pairs of the
    cases in ``index``, raises ``alerts_per_1000`` alerts per 1,000 cases (all
    cases up to ``sample``, else a seeded random sample of them)."""
    n = len(index)
    if n < 2:
        return threshold_for(np.array([]), max(n, 1), alerts_per_1000, 0.5, n)
    if n <= sample:
        positions = np.arange(n)
    else:
        positions = np.sort(np.random.default_rng(0).choice(n, sample, replace=False))
    probs: list[np.ndarray] = []
    batch: list[pd.DataFrame] = []
    held = 0
    for pos in positions.tolist():
        others = index.candidates(pos)
        if len(others):
            batch.append(index.compare(pos, others))
            held += len(others)
        if held >= _SCORE_BATCH or (pos == positions[-1] and batch):
            probs.append(estimator.predict_proba(pd.concat(batch, ignore_index=True))[:, 1])
            batch, held = [], 0
    seen = np.concatenate(probs) if probs else np.array([])
    return threshold_for(seen, n, alerts_per_1000, n / (2.0 * len(positions)), len(positions))


def warm_alerter(
    store: Store,
    model: SavedModel | None = None,
    threshold: float | None = None,
    required_fields: Sequence[str] = (),
    just_stored: Sequence[str] = (),
    alerts_per_1000: float = DEFAULT_ALERTS_PER_1000,
) -> Alerter:
    """The warm :class:`Alerter` of a store in this process.

    Built once, kept while this process is the only writer: it is re-built
    when cases other than ``just_stored`` were stored since, or when a case
    it holds was stored again (updated).
    """
    key = (str(store.engine.url), id(model), threshold, alerts_per_1000, tuple(required_fields))
    warm = _WARM.get(key)
    if warm is not None:
        new = _seqs_since(store, warm._seen_seq) if warm._seen_seq is not None else None
        pending = set(pending_case_ids(store))
        if new is None or not new <= set(just_stored) or pending & set(warm.index.position):
            warm = None
    if warm is None:
        warm = Alerter(store, model, threshold, required_fields, alerts_per_1000)
        _WARM[key] = warm
    warm._seen_seq = _max_seq(store)
    return warm


def forget_warm_state() -> None:
    """Drop every warm alerter (e.g. after changing the store outside this process)."""
    _WARM.clear()


def add_case(
    store: Store,
    case: Case,
    mentions: Sequence[Mention] = (),
    actions: Sequence[Action] = (),
    model: SavedModel | None = None,
    threshold: float | None = None,
    alerts_per_1000: float = DEFAULT_ALERTS_PER_1000,
) -> list[Alert]:
    """Store one case and return the alerts it raises against the stored cases.

    Parameters
    ----------
    store
        The case store.
    case, mentions, actions
        The validated case and its people and investigative actions.
    model
        The linkage model (default: the prior-knowledge model fitted on the store).
    threshold
        Link probability at which an alert is raised (default: chosen from
        ``alerts_per_1000``, :mod:`caselink.alerts.workload`).
    alerts_per_1000
        The workload the threshold is chosen from.

    Returns
    -------
    list of Alert
        The alerts newly stored (a pair alerted before is not raised again).
        Empty also when the case cannot be scored: it is then stored with
        ``linkage_state='not_scored'`` and the reason (see
        :func:`caselink.alerts.ledger.linkage_states`).
    """
    return add_cases(
        store, [case], mentions, actions, model, threshold, alerts_per_1000=alerts_per_1000
    ).alerts


def add_cases(
    store: Store,
    cases: Sequence[Case],
    mentions: Sequence[Mention] = (),
    actions: Sequence[Action] = (),
    model: SavedModel | None = None,
    threshold: float | None = None,
    required_fields: Sequence[str] = (),
    on_stage: Stage | None = None,
    chunk: int = 200,
    alerts_per_1000: float = DEFAULT_ALERTS_PER_1000,
) -> AddReport:
    """Store cases, then compare each at once with the stored cases and raise alerts.

    Pending cases left by an earlier crash are scored first (the sweep).
    A case that cannot be scored is stored as ``not_scored`` with the reason
    and never stops the others. Without ``threshold``, alerts are raised at
    the threshold of the workload ``alerts_per_1000``
    (:mod:`caselink.alerts.workload`), reported in the returned
    :class:`AddReport`.

    Returns
    -------
    AddReport
        Stored case ids, alerts written, cases not scored (with reasons) and
        pending cases swept.
    """
    stage = on_stage or (lambda _s, _ids: None)
    report = AddReport()
    if cases:
        store.add_cases(cases, mentions, actions)
        report.stored = [c.case_id for c in cases]
        stage("stored", report.stored)
    todo = pending_case_ids(store)
    report.swept = [c for c in todo if c not in set(report.stored)]
    if not todo:
        return report
    if model is None and store.count_cases() < 2:
        with store.transaction() as conn:
            mark_cases(conn, todo, "scored", "no other stored case to compare with")
        stage("scored", todo)
        return report
    alerter = warm_alerter(store, model, threshold, required_fields, report.stored, alerts_per_1000)
    _score_pending(alerter, todo, cases, report, stage, chunk)
    return report


def rescore_pending(
    store: Store,
    model: SavedModel | None = None,
    threshold: float | None = None,
    required_fields: Sequence[str] = (),
    on_stage: Stage | None = None,
    alerts_per_1000: float = DEFAULT_ALERTS_PER_1000,
) -> AddReport:
    """Score every case left ``pending`` (stored, never compared): the crash sweep."""
    return add_cases(
        store,
        [],
        (),
        (),
        model,
        threshold,
        required_fields,
        on_stage,
        alerts_per_1000=alerts_per_1000,
    )


def _score_pending(
    alerter: Alerter,
    todo: list[str],
    given: Sequence[Case],
    report: AddReport,
    stage: Stage,
    chunk: int,
) -> None:
    if not todo:
        return
    records = {c.case_id: c for c in given}
    missing = [c for c in todo if c not in records]
    if missing:
        records.update({c.case_id: c for c in alerter.store.case_records(missing)})
    frame = cases_frame([records[c] for c in todo], alerter.schema)
    bad = alerter.index_cases(frame)
    with alerter.store.transaction() as conn:
        for cid, reasons in bad.items():
            mark_cases(conn, [cid], "not_scored", scoring_note(cid, reasons))
    report.reasons.update(bad)
    report.not_scored.update({cid: scoring_note(cid, r) for cid, r in bad.items()})
    ids = [c for c in todo if c not in bad]
    if ids:
        report.threshold = alerter.threshold
        report.workload = alerter.workload
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        raised = [a for cid in part for a in alerter.score(cid)]
        with alerter.store.transaction() as conn:
            written = write_alerts(conn, raised)
            mark_cases(conn, part, "scored", None)
        report.alerts.extend(written)
        stage("scored", part)
        events.publish(written)


def _states(store: Store) -> dict[str, set[str]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(CaseRow.case_id, CaseRow.linkage_state)).all()
    out: dict[str, set[str]] = {}
    for cid, state in rows:
        out.setdefault(str(state), set()).add(str(cid))
    return out


def _max_seq(store: Store) -> int | None:
    with store.engine.connect() as conn:
        value = conn.execute(select(func.max(CaseRow.import_seq))).scalar()
    return int(value) if value is not None else None


def _seqs_since(store: Store, seq: int) -> set[str]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(CaseRow.case_id).where(CaseRow.import_seq > seq))
        return {str(c) for (c,) in rows}


def case_frame_of(store: Store, cases: Sequence[Case]) -> pd.DataFrame:
    """The cases-frame rows of records (the store's MO schema)."""
    return cases_frame(list(cases), store.attribute_schema())
