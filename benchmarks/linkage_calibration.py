"""How confident the default (no-labels) linkage model is: pairs above 0.5 and their precision.

    .venv/bin/python benchmarks/linkage_calibration.py [N_SYNTH_CASES]

Scores every candidate pair of the demo borough (and of a synthetic city of
N cases, seed 1, when N is given) with the default model and reports how many
pairs reach p > 0.5, how many of those are true same-offender pairs, and the
probability and rank of the demo's churchyard pair (d2-d3). Writes
benchmarks/results/linkage_calibration.json.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from caselink.linkage import LinkageEngine
from caselink.synth import generate
from caselink.synth.demo import build_demo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe


def measure(engine: LinkageEngine, truth: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Share of candidate pairs above 0.5 and how many of them are true links."""
    start = time.perf_counter()
    links = engine.link()
    p = links["probability"].to_numpy()
    offender = truth.set_index("case_id")["offender_id"]
    a, b = links["case_a"].map(offender), links["case_b"].map(offender)
    true = (a == b) & a.notna()
    above = p > 0.5
    return links, {
        "candidate_pairs": len(p),
        "pairs_above_0_5": int(above.sum()),
        "share_above_0_5": round(float(above.mean()), 5),
        "true_pairs": int(true.sum()),
        "true_pairs_above_0_5": int((true & above).sum()),
        "precision_above_0_5": round(float(true[above].mean()), 4) if above.any() else None,
        "link_share": float(getattr(engine.model.estimator, "link_share_", float("nan"))),
        "seconds": round(time.perf_counter() - start, 1),
    }


def main() -> None:
    demo = build_demo()
    planted = demo.params["planted"]
    engine = LinkageEngine(demo.cases, demo.schema)
    links, result = measure(engine, demo.truth_cases)
    d2, d3 = planted["d2"], planted["d3"]
    hit = links[
        ((links.case_a == d2) & (links.case_b == d3))
        | ((links.case_a == d3) & (links.case_b == d2))
    ]
    result["d2_d3_probability"] = float(hit["probability"].iloc[0]) if len(hit) else None
    result["d2_d3_rank"] = int(hit.index[0]) + 1 if len(hit) else None
    out: dict[str, Any] = {"demo": result, "machine": describe()}
    if len(sys.argv) > 1:
        n = int(sys.argv[1])
        data = generate(n, 1)
        out[f"synth_{n}"] = measure(LinkageEngine(data.cases, data.schema), data.truth_cases)[1]
    path = Path(__file__).parent / "results" / "linkage_calibration.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
