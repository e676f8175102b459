"""Alerts an analyst can afford: replay at several workloads, per source.

For each source, the model is trained on the solved cases (``offender_id``;
as ``caselink train`` does) and the cases are replayed in recording order
with it (:func:`caselink.replay.replay`); the demo is also replayed as the
demo runs it (default model re-fitted monthly, no labels). The walk keeps
every pair's probability, so each workload's alerts (the month-by-month
threshold of :mod:`caselink.alerts.workload`) and the fixed 0.5 threshold
are compared on the same walk. Scored against the generator's truth:

* series of unsolved cases (the cases without ``offender_id``; a series
  counts with its unsolved members) flagged by their 2nd and 3rd case;
* alert precision among alerts between two unsolved cases, and among all alerts;
* alerts per 1,000 cases replayed.

    .venv/bin/python benchmarks/alerts_workload.py                     # demo, design A seeds 1, 2
    .venv/bin/python benchmarks/alerts_workload.py --design B --cases 3000 --seeds 1 2
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from caselink.linkage.engine import LinkageEngine
from caselink.records.model import AttributeSchema
from caselink.replay import replay, score_replay
from caselink.synth import generate
from caselink.synth.demo import build_demo
from machine import describe

WORKLOADS = (5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 320.0)
RESULTS = Path(__file__).parent / "results"


def measures(
    alerts: pd.DataFrame, cases: pd.DataFrame, truth: pd.DataFrame, n_cases: int
) -> dict[str, object]:
    """Series flagged by 2nd/3rd case (unsolved), precision (unsolved, all), alerts per 1,000."""
    unsolved = set(cases.loc[cases["offender_id"].isna(), "case_id"].astype(str))
    open_truth = truth[truth["case_id"].astype(str).isin(unsolved)]
    open_score = score_replay(alerts, cases, open_truth)
    all_score = score_replay(alerts, cases, truth)
    by2, n2 = open_score.flagged_by(2)
    by3, n3 = open_score.flagged_by(3)
    return {
        "alerts": len(alerts),
        "alerts_per_1000": round(1000 * len(alerts) / n_cases, 1),
        "unsolved_series_by_2nd": f"{by2}/{n2}",
        "unsolved_series_by_3rd": f"{by3}/{n3}",
        "share_by_3rd": round(by3 / n3, 3) if n3 else None,
        "precision_unsolved": round(open_score.precision, 3),
        "precision_all": round(all_score.precision, 3),
    }


def run_source(
    name: str,
    cases: pd.DataFrame,
    schema: AttributeSchema,
    truth: pd.DataFrame,
    monthly_default: bool,
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    modes = ["trained"] + (["default, re-fitted monthly"] if monthly_default else [])
    for mode in modes:
        t = time.perf_counter()
        model = None
        model_name = "default"
        if mode == "trained":
            engine = LinkageEngine(cases, schema)
            model = engine.train()
            model_name = model.name
        t_train = time.perf_counter() - t
        t = time.perf_counter()
        result = replay(cases, schema, model)
        t_replay = time.perf_counter() - t
        n = result.cases_scored
        print(f"{name} / {mode}: train {t_train:.0f} s, replay {t_replay:.0f} s", file=sys.stderr)
        fixed = result.scored
        assert fixed is not None
        base = {"source": name, "model": f"{mode} ({model_name})", "cases": n}
        rows.append(
            {
                **base,
                "threshold": "p >= 0.5 (fixed, before)",
                **measures(
                    fixed.loc[fixed["probability"] >= 0.5, ["alerted_at", "case_id",
                              "linked_case_id", "probability"]].reset_index(drop=True),
                    cases, truth, n,
                ),
            }
        )  # fmt: skip
        for rate in WORKLOADS:
            alerts, thresholds = result.at_workload(rate)
            last = float(thresholds["threshold"].iloc[-1]) if len(thresholds) else float("nan")
            rows.append(
                {
                    **base,
                    "threshold": f"{rate:g} per 1,000 (last month p >= {last:.3f})",
                    "workload": rate,
                    **measures(alerts, cases, truth, n),
                }
            )
        rows[-1]["replay_s"] = round(t_replay, 1)
    return rows


def synthetic(n: int, seed: int, design: str) -> tuple[pd.DataFrame, AttributeSchema, pd.DataFrame]:
    data = generate(n, seed=seed, design=design)
    return data.cases, data.schema, data.truth_cases


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--design", default="A", help="synthetic design (A, or B when available)")
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-demo", action="store_true", help="skip the demo borough")
    args = ap.parse_args()
    rows: list[dict[str, object]] = []
    if not args.no_demo:
        demo = build_demo()
        rows += run_source("demo", demo.cases, demo.schema, demo.truth_cases, True)
    for seed in args.seeds:
        cases, schema, truth = synthetic(args.cases, seed, args.design)
        rows += run_source(f"design {args.design}, {args.cases} cases, seed {seed}",
                           cases, schema, truth, False)  # fmt: skip
    table = pd.DataFrame(rows).drop(columns=["replay_s", "workload"], errors="ignore")
    print("| " + " | ".join(table.columns) + " |")
    print("|" + "---|" * len(table.columns))
    for r in table.itertuples(index=False):
        print("| " + " | ".join(str(v) for v in r) + " |")
    out = {"machine": describe() + " (shared with other jobs)", "rows": rows}
    tag = "demo_" if not args.no_demo else ""
    path = RESULTS / f"alerts_workload_{tag}{args.design}_{args.cases}.json"
    path.write_text(json.dumps(out, indent=2, default=str))
    print(f"-> {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
