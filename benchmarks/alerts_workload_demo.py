"""The demo's story at each workload: when is each death linked, how many alerts, how precise.

Replays the demo as the demo runs it (``caselink.demo.story``: default
model re-fitted monthly on what was known, 2014-01-01 to 2015-12-31, every
earlier case known) once, then applies the month-by-month workload threshold
of :mod:`caselink.alerts.workload` at several workloads to the same walk
(:meth:`caselink.replay.ReplayResult.at_workload`), and the fixed 0.5 of
before. Scored against the demo's truth: series flagged by their 2nd and 3rd
case, alert precision, and the day each planted death is first linked to
another death.

    .venv/bin/python benchmarks/alerts_workload_demo.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from caselink.demo.story import REPLAY_FROM, REPLAY_TO
from caselink.replay import replay, score_replay
from caselink.synth.demo import build_demo
from machine import describe

WORKLOADS = (5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 320.0, 640.0)


def main() -> None:
    demo = build_demo()
    planted = demo.params["planted"]
    deaths = [planted[k] for k in ("d1", "d2", "d3", "d4")]
    t = time.perf_counter()
    result = replay(demo.cases, demo.schema, start=REPLAY_FROM, end=REPLAY_TO)
    seconds = time.perf_counter() - t
    assert result.scored is not None
    n = result.cases_scored
    rows = []
    fixed = result.scored[result.scored["probability"] >= 0.5]
    fixed = fixed[fixed["alerted_at"] >= REPLAY_FROM]
    runs = [("p >= 0.5 (fixed, before)", fixed.reset_index(drop=True))]
    runs += [(f"{w:g} per 1,000", result.at_workload(w)[0]) for w in WORKLOADS]
    for label, alerts in runs:
        score = score_replay(alerts, demo.cases, demo.truth_cases)
        by2, n2 = score.flagged_by(2)
        by3, n3 = score.flagged_by(3)
        linked = {}
        for death in deaths[1:]:
            hits = alerts[(alerts["case_id"] == death) & alerts["linked_case_id"].isin(deaths)]
            linked[death] = str(hits["alerted_at"].iloc[0])[:10] if len(hits) else None
        rows.append(
            {
                "threshold": label,
                "alerts": len(alerts),
                "alerts_per_1000_cases": round(1000 * len(alerts) / n, 1),
                "series_by_2nd": f"{by2}/{n2}",
                "series_by_3rd": f"{by3}/{n3}",
                "precision": round(score.precision, 3),
                "deaths_linked_on": linked,
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    out = {
        "machine": describe() + " (shared with other jobs)",
        "replay_s": round(seconds, 1),
        "cases_replayed": n,
        "planted_deaths": deaths,
        "recorded_on": {
            d: str(demo.cases.set_index("case_id").at[d, "reported_at"])[:10] for d in deaths
        },
        "rows": rows,
    }
    path = Path(__file__).parent / "results" / "alerts_workload_demo.json"
    path.write_text(json.dumps(out, indent=2))
    print(f"-> {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
