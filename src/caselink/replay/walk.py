"""Replay: walk the stored cases in the order they were recorded and raise, for
each, the alerts it would have raised then.

No information from the future:

* each case is compared only with cases recorded before it — the index is
  filled one case at a time in recording order, so a later case is not in it;
* value shares and token IDFs (how rare GHB or a churchyard is) are counted
  from the cases in the index at that moment (:class:`caselink.alerts.index.CaseIndex`
  keeps live counts);
* ``offender_id`` and ``status`` are never read by the walk; they are used
  only afterwards, by :func:`caselink.replay.scoring.score_replay`;
* the model: with ``retrain="monthly"`` (the default without a model) the
  label-free default model is re-fitted at the start of each month on the
  cases recorded before it; a given model (``caselink train``) was trained on
  the outcomes known when it was trained, which the output states.

Recording time is ``reported_at``; a case without it counts as recorded at
the end of its time window (``occurred_to``). Ties go in case_id order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
import pandas as pd

from caselink.alerts.index import CaseIndex, scoring_problems
from caselink.linkage.config import LinkageConfig
from caselink.linkage.engine import LinkageEngine
from caselink.linkage.explain import explain_pair, explanation_text
from caselink.linkage.persistence import SavedModel
from caselink.records.model import AttributeSchema

ALERT_COLUMNS = ["alerted_at", "case_id", "linked_case_id", "probability"]
_Evidence = tuple[SavedModel, list[str], np.ndarray, dict[str, float], int, int]
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
    """

    alerts: pd.DataFrame
    provenance: str
    not_scored: dict[str, str] = field(default_factory=dict)
    models_fitted: int = 0
    evidence: dict[tuple[str, str], _Evidence] = field(default_factory=dict, repr=False)
    cases: pd.DataFrame | None = field(default=None, repr=False)

    def explain(self, case_id: str, linked_case_id: str) -> str:
        """The evidence of one replay alert, as the model then in use weighed it."""
        model, cols, values, contrib, i, j = self.evidence[(case_id, linked_case_id)]
        assert self.cases is not None
        a = {str(k): v for k, v in self.cases.iloc[i].items()}
        b = {str(k): v for k, v in self.cases.iloc[j].items()}
        row = dict(zip(cols, values.tolist(), strict=True))
        return explanation_text(
            explain_pair(
                model.comparisons, row, {str(k): float(v) for k, v in contrib.items()}, a, b
            )
        )


def recording_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Cases sorted by recording time (``reported_at``, else ``occurred_to``), then case_id;
    adds the column ``recorded_at``."""
    out = frame.copy()
    out["recorded_at"] = out["reported_at"].fillna(out["occurred_to"]).fillna(out["occurred_from"])
    return out.sort_values(["recorded_at", "case_id"], kind="stable").reset_index(drop=True)


def replay(
    cases: pd.DataFrame,
    schema: AttributeSchema,
    model: SavedModel | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    threshold: float = 0.5,
    retrain: Retrain = "monthly",
    min_cases: int = 50,
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
        Link probability at which an alert is raised.
    retrain
        ``"monthly"``: re-fit the default model at each month's start on the
        cases recorded before it; ``"none"``: fit it once on ALL cases
        (future cases then inform the u-probabilities; stated).
    min_cases
        Without a model, no alerts are raised until this many cases are known.
    """
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
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
    bad_ids = {m.split("'")[1] for m in problems if m.startswith("case '")}
    not_scored = {cid: "; ".join(m for m in problems if f"'{cid}'" in m) for cid in bad_ids}
    walk = walk[~walk["case_id"].isin(bad_ids)].reset_index(drop=True)
    rules = current.rules if current is not None else None
    comps = current.comparisons if current is not None else None
    index = CaseIndex(schema, config, rules or [], comps or [])
    rows: list[tuple[datetime, str, str, float]] = []
    evidence: dict[tuple[str, str], _Evidence] = {}
    month: tuple[int, int] | None = None
    base_cols = [c for c in walk.columns if c != "recorded_at"]
    for i in range(len(walk)):
        row = walk.iloc[[i]]
        when = pd.Timestamp(row["recorded_at"].iloc[0])
        this_month = (when.year, when.month)
        if model is None and retrain == "monthly" and this_month != month:
            month = this_month
            if i >= min_cases:
                known = walk.iloc[:i][base_cols].sort_values("case_id").reset_index(drop=True)
                current = LinkageEngine(known, schema).model
                fitted += 1
                index.use(current.rules, current.comparisons)
        pos = int(index.add(row[base_cols].reset_index(drop=True))[0])
        if current is None or (start is not None and when < pd.Timestamp(start)):
            continue
        others = index.candidates(pos, before=pos)
        if not len(others):
            continue
        compared = index.compare(pos, others)
        prob = current.estimator.predict_proba(compared)[:, 1]
        keep = np.flatnonzero(prob >= threshold)
        if not len(keep):
            continue
        kept = compared.iloc[keep].reset_index(drop=True)
        _, contrib = current.estimator.factors(kept)
        cmp_cols = [str(c) for c in kept.columns]
        for j, k in enumerate(keep.tolist()):
            other = int(others[k])
            key = (str(walk.at[i, "case_id"]), str(kept.at[j, "case_b"]))
            evidence[key] = (current, cmp_cols, kept.iloc[j].to_numpy(),
                             _floats(contrib.iloc[j]), i, other)  # fmt: skip
            rows.append((when.to_pydatetime(), key[0], key[1], float(prob[k])))
    alerts = pd.DataFrame(rows, columns=ALERT_COLUMNS)
    alerts["alerted_at"] = pd.to_datetime(alerts["alerted_at"]).astype("datetime64[us]")
    alerts = alerts.sort_values(
        ["alerted_at", "case_id", "probability", "linked_case_id"],
        ascending=[True, True, False, True],
        kind="stable",
    ).reset_index(drop=True)
    return ReplayResult(alerts, provenance, not_scored, fitted, evidence, walk)


def _floats(row: pd.Series) -> dict[str, float]:
    return {str(k): float(v) for k, v in row.items()}
