"""The same link with the model's bound turned off: the baseline of the bound.

``caselink link`` drops the pairs the model's bound says cannot reach the
threshold before comparing them (``LinkageEngine.prune_trees``, on by
default). This script links a store with a saved model in-process with the
bound off (every candidate compared and scored), times it, writes the links,
and, given the bounded run's links file (``--compare``), checks the two hold
the same pairs and probabilities.

Run:  .venv/bin/python benchmarks/link_unbounded.py STORE.db MODEL.json
      [--min-probability 0.05] [--compare LINKS.csv] [--links-out FILE] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from caselink.service.linking import open_engine
from caselink.store import Store
from machine import describe

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("store", type=Path)
    parser.add_argument("model", type=Path)
    parser.add_argument("--min-probability", type=float, default=0.05)
    parser.add_argument("--compare", type=Path, help="the bounded run's links CSV")
    parser.add_argument("--links-out", type=Path, help="write the unbounded links here")
    parser.add_argument("--out", type=Path, default=RESULTS / "link_unbounded.json")
    args = parser.parse_args()
    store = Store.open_existing(f"sqlite:///{args.store.resolve()}")
    engine = open_engine(store, args.model).engine
    engine.prune_trees = False
    started = time.perf_counter()
    cpu = time.process_time()
    links = engine.link(args.min_probability)
    result: dict[str, object] = {
        "benchmark": "link_unbounded",
        "store": str(args.store),
        "model": engine.model.name,
        "cases": len(engine.cases),
        "machine": describe(),
        "min_probability": args.min_probability,
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_s": round(time.process_time() - cpu, 1),
        "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
        "candidate_pairs": engine.blocking_report.get("candidate_pairs"),
        "links": len(links),
    }
    if args.links_out is not None:
        links.to_csv(args.links_out, index=False)
    if args.compare is not None:
        bounded = pd.read_csv(args.compare, dtype={"case_a": str, "case_b": str})
        key = ["case_a", "case_b"]
        a = links[[*key, "probability"]].sort_values(key).reset_index(drop=True)
        b = bounded[[*key, "probability"]].sort_values(key).reset_index(drop=True)
        same_pairs = len(a) == len(b) and bool((a[key].to_numpy() == b[key].to_numpy()).all())
        result["same_pairs_as_bounded"] = same_pairs
        if same_pairs:  # the links file rounds probabilities to 6 decimals
            gap = (a["probability"] - b["probability"]).abs().max()
            result["largest_probability_difference"] = float(gap) if len(a) else 0.0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
