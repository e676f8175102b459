"""The calibration page: is the alerting model's probability a probability, and what does
a workload buy? Computed from the stored replay (:mod:`caselink.service.replay_store`).

* **Reliability**: every pair the replay scored at or above the floor
  (:data:`~caselink.alerts.workload.MIN_THRESHOLD`), each by the model in use
  when its newer case was recorded (fitted on earlier cases only: an
  out-of-time test), against the truth known now — the two cases' recorded
  ``offender_id`` (solved cases only; pairs with an unsolved case are left
  out and counted). Binned at quantiles with scikit-learn's
  ``calibration_curve``.
* **Workload trade-off**: for each workload, the same walk's alerts
  (:meth:`caselink.replay.ReplayResult.at_workload`: the monthly threshold
  rule over the pairs scored before each month), alerts per 1,000 cases, and
  the share of solved series flagged by their 2nd and by their 3rd case
  (:func:`caselink.replay.score_replay`).

Both are computed once with the walk and stored with it (a JSON summary on
the run), so the page reads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve

from caselink.alerts.workload import DEFAULT_ALERTS_PER_1000, MIN_THRESHOLD
from caselink.replay import ReplayResult, score_replay
from caselink.service.replay_store import ReplayModel, latest_run
from caselink.store import Store

WORKLOADS = (5.0, 10.0, 20.0, 40.0, 80.0, 160.0)
"""Alerts per 1,000 cases the trade-off is computed at."""
BINS = 10


def calibration_summary(result: ReplayResult, cases: pd.DataFrame) -> dict[str, Any]:
    """Reliability and workload trade-off of a replay (JSON-able)."""
    truth = cases[["case_id", "offender_id"]].dropna().astype({"case_id": str})
    solved = dict(zip(truth["case_id"], truth["offender_id"].astype(str), strict=True))
    scored = result.scored if result.scored is not None else pd.DataFrame()
    reliability: list[dict[str, float]] = []
    labelled = 0
    if len(scored):
        a = scored["case_id"].astype(str).map(solved)
        b = scored["linked_case_id"].astype(str).map(solved)
        known = a.notna() & b.notna()
        labelled = int(known.sum())
        y = (a[known] == b[known]).to_numpy(dtype=int)
        p = scored.loc[known, "probability"].to_numpy(dtype=float)
        if labelled >= BINS and 0 < y.sum() < len(y):
            observed, predicted = calibration_curve(y, p, n_bins=BINS, strategy="quantile")
            edges = np.quantile(p, np.linspace(0, 1, BINS + 1))
            counts = np.histogram(p, bins=np.unique(edges))[0]
            reliability = [
                {"predicted": float(m), "observed": float(o), "pairs": int(n)}
                for m, o, n in zip(predicted, observed, counts, strict=False)
            ]
    tradeoff = []
    for workload in WORKLOADS:
        alerts, _ = result.at_workload(workload)
        score = score_replay(alerts, cases, truth)
        by2, n2 = score.flagged_by(2)
        by3, n3 = score.flagged_by(3)
        tradeoff.append(
            {
                "workload": workload,
                "alerts": len(alerts),
                "alerts_per_1000": 1000.0 * len(alerts) / max(result.cases_scored, 1),
                "flagged_by_2nd": by2 / n2 if n2 else None,
                "flagged_by_3rd": by3 / n3 if n3 else None,
                "series": n2,
                "series_3": n3,
                "precision": None if np.isnan(score.precision) else float(score.precision),
            }
        )
    return {
        "reliability": reliability,
        "pairs_scored": len(scored),
        "pairs_labelled": labelled,
        "floor": MIN_THRESHOLD,
        "tradeoff": tradeoff,
        "models_fitted": result.models_fitted,
        "cases_scored": result.cases_scored,
        "solved_cases": len(truth),
    }


@dataclass(frozen=True)
class Calibration:
    """What the calibration page shows."""

    provenance: str
    computed_at: str
    cases: int
    summary: dict[str, Any]
    default_workload: float

    def charts(self) -> dict[str, Any]:
        """Vega-Lite specifications: the reliability curve and the workload trade-off."""
        schema = "https://vega.github.io/schema/vega-lite/v6.json"
        specs: dict[str, Any] = {}
        points = self.summary.get("reliability", [])
        if points:
            specs["reliability"] = {
                "$schema": schema,
                "description": "Reliability: predicted probability against the observed share",
                "width": 320,
                "height": 320,
                "layer": [
                    {
                        "data": {"values": [{"x": 0, "y": 0}, {"x": 1, "y": 1}]},
                        "mark": {"type": "line", "strokeDash": [4, 4], "color": "#888"},
                        "encoding": {
                            "x": {"field": "x", "type": "quantitative"},
                            "y": {"field": "y", "type": "quantitative"},
                        },
                    },
                    {
                        "data": {"values": points},
                        "mark": {"type": "line", "point": True},
                        "encoding": {
                            "x": {
                                "field": "predicted",
                                "type": "quantitative",
                                "title": "predicted link probability",
                                "scale": {"domain": [0, 1]},
                            },
                            "y": {
                                "field": "observed",
                                "type": "quantitative",
                                "title": "share that are the same offender",
                                "scale": {"domain": [0, 1]},
                            },
                        },
                    },
                ],
            }
        rows = []
        for t in self.summary.get("tradeoff", []):
            for key, label in (
                ("flagged_by_2nd", "by 2nd case"),
                ("flagged_by_3rd", "by 3rd case"),
            ):
                if t.get(key) is not None:
                    rows.append(
                        {"alerts_per_1000": t["alerts_per_1000"], "share": t[key], "when": label}
                    )
        if rows:
            specs["tradeoff"] = {
                "$schema": schema,
                "description": "Alerts per 1,000 cases against the share of series flagged",
                "width": 360,
                "height": 320,
                "data": {"values": rows},
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": {
                        "field": "alerts_per_1000",
                        "type": "quantitative",
                        "title": "alerts per 1,000 cases",
                        "scale": {"type": "log"},
                    },
                    "y": {
                        "field": "share",
                        "type": "quantitative",
                        "title": "share of solved series flagged",
                        "axis": {"format": "%"},
                        "scale": {"domain": [0, 1]},
                    },
                    "color": {"field": "when", "type": "nominal", "title": "flagged"},
                },
            }
        return specs


def calibration(store: Store, model: ReplayModel | None = None) -> Calibration | None:
    """The calibration of the stored replay's model (None: no walk stored yet)."""
    model = model or ReplayModel()
    run = latest_run(store, model)
    if run is None:
        return None
    return Calibration(
        run.provenance,
        f"{run.finished_at:%Y-%m-%d %H:%M}",
        run.cases,
        json.loads(run.summary or "{}"),
        model.alerts_per_1000 or DEFAULT_ALERTS_PER_1000,
    )
