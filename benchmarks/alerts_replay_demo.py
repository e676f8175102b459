"""Replay the demo borough: when would the Barking-like series have been flagged, and why.

Imports the shipped demo (src/caselink/demo) into a temporary SQLite store,
replays it in recording order (default model re-fitted monthly on what was
known; no outcomes used), then scores the replay against truth_cases.csv.

    .venv/bin/python benchmarks/alerts_replay_demo.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from caselink.replay import replay, score_replay
from caselink.store import Store
from caselink.synth.demo import build_demo, demo_dir


def main() -> None:
    folder = demo_dir()
    planted = build_demo().params["planted"]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{tmp}/demo.db")
        store.import_files(
            folder / "cases.csv", folder / "people.csv", folder / "actions.csv",
            folder / "schema.yaml",
        )  # fmt: skip
        cases = store.cases_frame()
        t = time.perf_counter()
        result = replay(cases, store.attribute_schema())
        seconds = time.perf_counter() - t
    truth = pd.read_csv(folder / "truth_cases.csv", dtype=str)
    score = score_replay(result.alerts, cases, truth, explain=result.explain)
    series = score.series.set_index("series_id").loc[planted["series_id"]]
    deaths = [planted[k] for k in ("d1", "d2", "d3", "d4")]
    al = result.alerts
    death_links = al[al["case_id"].isin(deaths) & al["linked_case_id"].isin(deaths)]
    first_death_link = death_links.iloc[0] if len(death_links) else None
    out = {
        "replay_s": round(seconds, 1),
        "models_fitted": result.models_fitted,
        "alerts": len(al),
        "false_alerts_per_month": round(score.false_alerts_per_month, 1),
        "provenance": result.provenance,
        "barking_series_first_flagged": str(series["first_flagged_at"]),
        "flagged_case": series["flagged_case_id"],
        "linked_case": series["linked_case_id"],
        "flagged_at_member": int(series["flagged_at_member"]),
        "why": series["explanation"],
        "first_death_to_death_alert": None
        if first_death_link is None
        else {
            "alerted_at": str(first_death_link["alerted_at"]),
            "case": first_death_link["case_id"],
            "linked": first_death_link["linked_case_id"],
            "death_number": deaths.index(first_death_link["case_id"]) + 1,
            "probability": round(float(first_death_link["probability"]), 3),
            "why": result.explain(first_death_link["case_id"], first_death_link["linked_case_id"]),
        },
    }
    print(json.dumps(out, indent=2))
    path = Path(__file__).parent / "results" / "alerts_replay_demo.json"
    path.write_text(json.dumps(out, indent=2))
    print(f"-> {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
