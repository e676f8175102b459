"""Replay: walk the stored cases in the order they were recorded and raise, for
each, the alerts it would have raised then.

No information from the future:

* each case is compared only with cases recorded before it — the index holds
  the cases in recording order and a case's candidates are the positions
  before its own;
* value shares and token IDFs (how rare GHB or a churchyard is) are counted
  from the cases recorded up to that moment: the index's live counts
  (:class:`caselink.linkage.case_index.CaseIndex`) are advanced one case at a
  time as the walk reaches it (:meth:`~caselink.linkage.case_index.CaseIndex.count_through`);
* pairs are compared on the case's arrival and scored in batches by the
  model in use then (it changes only at a month's start);
* ``offender_id`` and ``status`` are never read by the walk; they are used
  only afterwards, by :func:`caselink.replay.scoring.score_replay`;
* the model: with ``retrain="monthly"`` (the default without a model) the
  label-free default model is re-fitted at the start of each month on the
  cases recorded before it; a given model (``caselink train``) was trained on
  the outcomes known when it was trained, which the output states.

Recording time is ``reported_at``; a case without it counts as recorded at
the end of its time window (``occurred_to``). Ties go in case_id order.

The alert threshold, unless one is given, follows a workload
(:mod:`caselink.alerts.workload`) and also uses nothing from the future: at
each month's start it is the probability at which the pairs scored so far
(each case against the cases before it, under the models then in use) would
have raised ``alerts_per_1000`` alerts per 1,000 cases known. Every pair at or
above :data:`~caselink.alerts.workload.MIN_THRESHOLD` is kept in
``ReplayResult.scored``, so :meth:`ReplayResult.at_workload` gives the alerts
of any other workload without walking again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
import pandas as pd

from caselink.alerts.workload import (
    DEFAULT_ALERTS_PER_1000,
    MIN_THRESHOLD,
    check_workload,
    threshold_for,
)
from caselink.linkage.case_index import CaseIndex, scoring_problems
from caselink.linkage.config import LinkageConfig
from caselink.linkage.engine import LinkageEngine
from caselink.linkage.explain import explain_pair, explanation_text
from caselink.linkage.persistence import SavedModel
from caselink.records.errors import scoring_note
from caselink.records.model import AttributeSchema

ALERT_COLUMNS = ["alerted_at", "case_id", "linked_case_id", "probability"]
THRESHOLD_COLUMNS = ["month", "cases_known", "pairs_scored", "threshold"]
_Evidence = tuple[SavedModel, pd.DataFrame, int, int, int]
"""The model then in use, the kept comparison rows, the pair's row among them and the
two cases' positions in the walk: the evidence is weighed only when asked for."""
PROGRESS_EVERY = 1000
"""Cases walked between two progress reports."""
SCORE_BATCH_PAIRS = 200_000
"""Compared pairs scored together: the model does not change within a batch."""
Retrain = Literal["monthly", "none"]


@dataclass
class ReplayResult:
    """Alerts of the replay and how they were made.

    Attributes
    ----------
    alerts
        ``alerted_at, case_id, linked_case_id, probability, explanation``,
        in the order raised.
    provenance
        What the model knew (printed with the output).
    not_scored
        case_id -> reason, for cases that could not be compared.
    models_fitted
        How many times the model was (re-)fitted.
    scored
        Every pair scored at or above the least threshold kept
        (:data:`ALERT_COLUMNS` plus ``month_start``, ``cases_known``: the
        cases recorded before the pair's month), whatever the workload.
    thresholds
        :data:`THRESHOLD_COLUMNS`: the threshold in force each month.
    alerts_per_1000
        The workload the thresholds follow (None when a threshold was given).
    """

    alerts: pd.DataFrame
    provenance: str
    not_scored: dict[str, str] = field(default_factory=dict)
    models_fitted: int = 0
    evidence: dict[tuple[str, str], _Evidence] = field(default_factory=dict, repr=False)
    cases: pd.DataFrame | None = field(default=None, repr=False)
    scored: pd.DataFrame | None = field(default=None, repr=False)
    thresholds: pd.DataFrame | None = None
    alerts_per_1000: float | None = None
    cases_scored: int = 0
    """Cases recorded in the replayed window and compared (alerts per case divide by it)."""
    start: datetime | None = None
    """The replayed window's start: earlier pairs count towards the workload, raise nothing."""
    min_cases: int = 50
    """No workload threshold (no alerts) before this many cases are known."""

    def at_workload(self, alerts_per_1000: float) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The alerts (:data:`ALERT_COLUMNS`) and monthly thresholds the same
        walk raises at another workload: the same rule, month by month, over
        the pairs scored before each month."""
        if self.scored is None:
            raise ValueError("this replay kept no scored pairs")
        thresholds = monthly_thresholds(self.scored, alerts_per_1000, self.min_cases)
        alerts = _alerts_at(self.scored, thresholds)
        if self.start is not None:
            alerts = alerts[alerts["alerted_at"] >= pd.Timestamp(self.start)]
        return alerts.reset_index(drop=True), thresholds

    def explain(self, case_id: str, linked_case_id: str) -> str:
        """The evidence of one replay alert, as the model then in use weighed it."""
        model, kept, at, i, j = self.evidence[(case_id, linked_case_id)]
        assert self.cases is not None
        _, contrib = model.estimator.factors(kept.iloc[at : at + 1])
        a = {str(k): v for k, v in self.cases.iloc[i].items()}
        b = {str(k): v for k, v in self.cases.iloc[j].items()}
        row = {str(k): v for k, v in kept.iloc[at].items()}
        weights = _floats(contrib.iloc[0])
        return explanation_text(explain_pair(model.comparisons, row, weights, a, b))


def recording_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Cases sorted by recording time (``reported_at``, else ``occurred_to``), then case_id;
    adds the column ``recorded_at``."""
    out = frame.copy()
    out["recorded_at"] = out["reported_at"].fillna(out["occurred_to"]).fillna(out["occurred_from"])
    return out.sort_values(["recorded_at", "case_id"], kind="stable").reset_index(drop=True)


def monthly_thresholds(
    scored: pd.DataFrame, alerts_per_1000: float, min_cases: int = 50
) -> pd.DataFrame:
    """The workload threshold of each month of a replay (:data:`THRESHOLD_COLUMNS`):
    from the pairs scored before the month's start, over the cases known then.
    Before ``min_cases`` cases are known there is no history to set it from:
    the threshold is NaN and nothing is alerted (otherwise the first month,
    with no pairs before it, would alert every pair above the floor).

    ``scored`` is :attr:`ReplayResult.scored` (every pair at or above
    :data:`~caselink.alerts.workload.MIN_THRESHOLD`, with its month's start and
    the cases known then).
    """
    check_workload(alerts_per_1000)
    months = (
        scored[["month_start", "cases_known"]]
        .drop_duplicates("month_start")
        .sort_values("month_start", kind="stable")
    )
    stamps = scored["month_start"].to_numpy()
    probs = scored["probability"].to_numpy(dtype=float)
    rows = []
    for month, known in zip(months["month_start"], months["cases_known"], strict=True):
        before = probs[stamps < np.datetime64(month)]
        if int(known) < min_cases:
            rows.append((pd.Timestamp(month), int(known), len(before), float("nan")))
            continue
        w = threshold_for(before, int(known), alerts_per_1000)
        rows.append((pd.Timestamp(month), int(known), len(before), w.threshold))
    return pd.DataFrame(rows, columns=THRESHOLD_COLUMNS)


def _alerts_at(scored: pd.DataFrame, thresholds: pd.DataFrame) -> pd.DataFrame:
    by_month = dict(zip(thresholds["month"], thresholds["threshold"], strict=True))
    cut = scored["month_start"].map(lambda m: by_month[pd.Timestamp(m)])
    kept = scored[scored["probability"].to_numpy() >= cut.to_numpy(dtype=float)]
    return kept[ALERT_COLUMNS].reset_index(drop=True)


def replay(
    cases: pd.DataFrame,
    schema: AttributeSchema,
    model: SavedModel | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    threshold: float | None = None,
    retrain: Retrain = "monthly",
    min_cases: int = 50,
    alerts_per_1000: float = DEFAULT_ALERTS_PER_1000,
    progress: Callable[[int, int], None] | None = None,
) -> ReplayResult:
    """Replay the recording of ``cases`` and the alerts each would have raised.

    Parameters
    ----------
    cases
        Cases frame (:mod:`caselink.records.frames`).
    schema
        MO attributes.
    model
        A trained model to use throughout (its training used outcomes known
        when it was trained: stated in the provenance). Without it, the
        default model fitted on what was known (see ``retrain``).
    start, end
        Raise alerts only for cases recorded in ``[start, end]``; earlier
        cases are still known (compared with), later ones are not read.
    threshold
        Link probability at which an alert is raised; None (the default) to
        follow the workload ``alerts_per_1000`` month by month (see the module).
    retrain
        ``"monthly"``: re-fit the default model at each month's start on the
        cases recorded before it; ``"none"``: fit it once on ALL cases
        (future cases then inform the u-probabilities; stated).
    min_cases
        No alerts are raised until this many cases are known: without a
        model, none is fitted before; with the workload, no threshold can be
        set before (see :func:`monthly_thresholds`).
    alerts_per_1000
        The workload the threshold follows when none is given.
    progress
        Called as ``progress(cases walked, cases to walk)`` every
        :data:`PROGRESS_EVERY` cases and at the end.
    """
    if threshold is not None and not 0 < threshold < 1:
        raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
    check_workload(alerts_per_1000)
    floor = MIN_THRESHOLD if threshold is None else threshold
    if retrain not in ("monthly", "none"):
        raise ValueError(f"retrain must be 'monthly' or 'none', got {retrain!r}")
    if start is not None and end is not None and end < start:
        raise ValueError(f"end ({end}) is before start ({start})")
    ordered = recording_order(cases)
    if end is not None:
        ordered = ordered[ordered["recorded_at"] <= pd.Timestamp(end)].reset_index(drop=True)
    # offender_id and status are outcomes: the walk does not read them.
    walk = ordered.drop(columns=["offender_id", "status"])
    fitted = 0
    if model is not None:
        current: SavedModel | None = model
        summary = model.summary or {}
        provenance = (
            f"model {model.name!r} given "
            f"({summary.get('trained_on') or summary.get('label', '')}); "
            "it was trained on the outcomes (offender_id) known when it was trained, "
            "which may be later than the replayed dates"
        )
    elif retrain == "none":
        current = LinkageEngine(walk, schema).model
        fitted = 1
        provenance = (
            "default model fitted once on ALL cases (no labels; later cases inform "
            "its u-probabilities and link share); use --retrain monthly to avoid this"
        )
    else:
        current = None
        provenance = (
            "default model (no labels) re-fitted at each month's start on the cases recorded "
            f"before it; no alerts until {min_cases} cases were known; rarity of values from "
            "the cases known at each moment; no outcome (offender_id) used"
        )
    config = current.config if current is not None else LinkageConfig()
    problems = scoring_problems(walk, config)
    not_scored = {cid: scoring_note(cid, reasons) for cid, reasons in problems.items()}
    walk = walk[~walk["case_id"].isin(problems)].reset_index(drop=True)
    rules = current.rules if current is not None else None
    comps = current.comparisons if current is not None else None
    index = CaseIndex(schema, config, rules or [], comps or [])
    rows: list[tuple[datetime, str, str, float, datetime, int]] = []
    evidence: dict[tuple[str, str], _Evidence] = {}
    pending = _Pending()
    month: tuple[int, int] | None = None
    month_start = datetime.min
    known_before = 0
    base = walk[[c for c in walk.columns if c != "recorded_at"]]
    recorded = [pd.Timestamp(t) for t in walk["recorded_at"]]
    case_ids = walk["case_id"].astype(str).tolist()
    # every case is held from the start (position = walk order) but counted in the
    # frequencies only when the walk reaches it, and compared only with the
    # positions before it: nothing later is seen
    index.add(base.reset_index(drop=True), counted=False)
    first = pd.Timestamp(start) if start is not None else None
    for i, when in enumerate(recorded):
        if progress is not None and i % PROGRESS_EVERY == 0:
            progress(i, len(recorded))
        this_month = (when.year, when.month)
        if this_month != month:
            month = this_month
            month_start = datetime(when.year, when.month, 1)
            known_before = i
            if model is None and retrain == "monthly" and i >= min_cases:
                if current is not None:
                    pending.score(index, current, floor, case_ids, rows, evidence)
                known = base.iloc[:i].sort_values("case_id").reset_index(drop=True)
                current = LinkageEngine(known, schema).model
                fitted += 1
                index.use(current.rules, current.comparisons)
        index.count_through(i)
        early = first is not None and when < first
        if current is None or (early and threshold is not None):
            continue
        others = index.candidates(i, before=i)
        if not len(others):
            continue
        # pairs before ``start`` raise nothing but count towards the workload
        pending.add(index.read_columns(i, others), i, others, when.to_pydatetime(),
                    month_start, known_before)  # fmt: skip
        if pending.pairs >= SCORE_BATCH_PAIRS:
            pending.score(index, current, floor, case_ids, rows, evidence)
    if current is not None:
        pending.score(index, current, floor, case_ids, rows, evidence)
    if progress is not None:
        progress(len(recorded), len(recorded))
    scored = pd.DataFrame(rows, columns=[*ALERT_COLUMNS, "month_start", "cases_known"])
    scored["alerted_at"] = pd.to_datetime(scored["alerted_at"]).astype("datetime64[us]")
    scored["month_start"] = pd.to_datetime(scored["month_start"]).astype("datetime64[us]")
    scored = scored.sort_values(
        ["alerted_at", "case_id", "probability", "linked_case_id"],
        ascending=[True, True, False, True],
        kind="stable",
    ).reset_index(drop=True)
    if threshold is None:
        thresholds = monthly_thresholds(scored, alerts_per_1000, min_cases)
        alerts = _alerts_at(scored, thresholds)
        provenance += (
            f"; alert threshold set each month from a workload of {alerts_per_1000:g} alerts "
            "per 1,000 cases, over the pairs scored before that month"
        )
    else:
        thresholds = pd.DataFrame(
            {
                "month": sorted(set(scored["month_start"])),
                "cases_known": scored.drop_duplicates("month_start")["cases_known"].to_numpy(),
            }
        ).assign(pairs_scored=0, threshold=threshold)[THRESHOLD_COLUMNS]
        alerts = scored[ALERT_COLUMNS].reset_index(drop=True)
        provenance += f"; alert threshold fixed at p >= {threshold:g}"
    in_window = len(walk)
    if start is not None:
        alerts = alerts[alerts["alerted_at"] >= pd.Timestamp(start)].reset_index(drop=True)
        in_window = int((walk["recorded_at"] >= pd.Timestamp(start)).sum())
    return ReplayResult(
        alerts,
        provenance,
        not_scored,
        fitted,
        evidence,
        walk,
        scored,
        thresholds,
        None if threshold is not None else float(alerts_per_1000),
        in_window,
        start,
        min_cases,
    )


class _Pending:
    """Pairs read but not yet scored: the walk reads each case's pairs on its
    arrival (with the frequencies of that moment) and evaluates and scores
    many cases' pairs at once."""

    def __init__(self) -> None:
        self.read: list[dict[tuple[str, str], np.ndarray]] = []
        self.meta: list[tuple[int, np.ndarray, datetime, datetime, int]] = []
        self.pairs = 0

    def add(
        self, read: dict[tuple[str, str], np.ndarray], i: int, others: np.ndarray,
        when: datetime, month_start: datetime, known_before: int,
    ) -> None:  # fmt: skip
        self.read.append(read)
        self.meta.append((i, others, when, month_start, known_before))
        self.pairs += len(others)

    def score(
        self,
        index: CaseIndex,
        model: SavedModel,
        floor: float,
        case_ids: list[str],
        rows: list[tuple[datetime, str, str, float, datetime, int]],
        evidence: dict[tuple[str, str], _Evidence],
    ) -> None:
        """Score the waiting pairs with ``model``; keep those at or above ``floor``."""
        if not self.read:
            return
        sizes = [len(m[1]) for m in self.meta]
        owner_all = np.repeat(np.arange(len(self.meta)), sizes)
        other_all = np.concatenate([m[1] for m in self.meta])
        focus = np.asarray([m[0] for m in self.meta], dtype=np.int64)[owner_all]
        read = {key: np.concatenate([r[key] for r in self.read]) for key in self.read[0]}
        compared = index.evaluate(read, focus, other_all)
        prob = model.estimator.predict_proba(compared)[:, 1]
        keep = np.flatnonzero(prob >= floor)
        kept = compared.iloc[keep].reset_index(drop=True)
        owner, other = owner_all[keep], other_all[keep]
        for at, (k, j, p) in enumerate(zip(owner.tolist(), other.tolist(), prob[keep].tolist(),
                                           strict=True)):  # fmt: skip
            i, _, when, month_start, known_before = self.meta[k]
            key = (case_ids[i], case_ids[j])
            evidence[key] = (model, kept, at, i, j)
            rows.append((when, key[0], key[1], float(p), month_start, known_before))
        self.read, self.meta, self.pairs = [], [], 0


def _floats(row: pd.Series) -> dict[str, float]:
    return {str(k): float(v) for k, v in row.items()}
