"""Blocking that adapts to density: pairs per case and the links kept, by budget.

For each design (A, B) a city of N cases (seed 1) is linked at p >= 0.5 with
the default model and the size's rules (``auto``), first as declared, then
with each budget of candidate pairs per case (``fit_reach``, what
``caselink link --candidates-per-case`` does). Reported per budget: the
estimated pairs per case (per rule, summed), the near rules' reach factor,
the pairs compared, and the recall of the model's true links — of the true
series pairs the model links when each is scored directly (what comparing
every pair would link among them), the share the blocked run also links.

Then the density test: a city of N/2 cases, and the same area with twice the
cases (two seeds of N/2 merged); pairs per case with the declared rules and
with the budget set to the single city's own pairs per case.

Run:  nice -n 10 .venv/bin/python benchmarks/linkage_reach.py 10000
Writes benchmarks/results/linkage_reach_<N>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from caselink.linkage import LinkageEngine
from caselink.linkage.blocking import DEFAULT_CANDIDATES_PER_CASE
from caselink.synth import generate
from machine import describe
from scale_link import keys, true_pairs

THRESHOLD = 0.5


def linked(engine: LinkageEngine) -> set[tuple[str, str]]:
    links = engine.link(min_probability=THRESHOLD)
    return keys(links)


def run_design(design: str, n: int, budgets: list[float]) -> dict[str, Any]:
    data = generate(n, seed=1, design=design)
    base = LinkageEngine(data.cases, data.schema)
    truth = true_pairs(data.truth_cases)
    direct = base.score(truth)
    direct_keys = keys(direct[direct["probability"] >= THRESHOLD])
    rows = []
    for budget in [None, *budgets]:
        start = time.perf_counter()
        engine = LinkageEngine(
            data.cases, data.schema, model=base.model, candidates_per_case=budget
        )
        links = linked(engine)
        reach = engine.reach
        rows.append(
            {
                "budget": budget,
                "pairs_per_case_estimated": round(reach.per_case, 1) if reach else None,
                "pairs_per_case_declared": round(reach.per_case_declared, 1) if reach else None,
                "near_reach_factor": round(reach.scale**0.5, 3) if reach else 1.0,
                "compared_pairs": engine.blocking_report.get("linkable_pairs"),
                "links": len(links),
                "recall_of_model_true_links": round(
                    len(links & direct_keys) / max(len(direct_keys), 1), 4
                ),
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
        print(design, rows[-1], flush=True)
    return {
        "design": design,
        "cases": n,
        "rules": base.rules_name,
        "true_pairs_linked_when_scored_directly": len(direct_keys),
        "budgets": rows,
    }


def density_test(design: str, n: int) -> dict[str, Any]:
    half = n // 2
    one = generate(half, seed=1, design=design)
    two = generate(half, seed=2, design=design)
    other = two.cases.copy()
    other["case_id"] = "X" + other["case_id"].astype(str)
    other["offender_id"] = other["offender_id"].map(
        lambda v: v if pd.isna(v) or v == "" else "X" + str(v)
    )
    doubled = pd.concat([one.cases, other], ignore_index=True)
    single = LinkageEngine(one.cases, one.schema, candidates_per_case=1e12)
    assert single.reach is not None
    budget = single.reach.per_case
    rows = {}
    for name, cases in (("single", one.cases), ("doubled", doubled)):
        declared = LinkageEngine(cases, one.schema, candidates_per_case=1e12)
        adapted = LinkageEngine(cases, one.schema, candidates_per_case=budget)
        assert declared.reach is not None and adapted.reach is not None
        rows[name] = {
            "cases": len(cases),
            "pairs_per_case_declared_rules": round(declared.reach.per_case, 1),
            "pairs_per_case_adapted": round(adapted.reach.per_case, 1),
            "near_reach_factor": round(adapted.reach.scale**0.5, 3),
            "distinct_candidates_per_case_declared": round(
                declared.count_candidates() / len(cases), 1
            ),
            "distinct_candidates_per_case_adapted": round(
                adapted.count_candidates() / len(cases), 1
            ),
        }
        print(design, name, rows[name], flush=True)
    return {"design": design, "budget": round(budget, 1), **rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("cases", type=int)
    parser.add_argument("--designs", nargs="+", default=["A", "B"])
    parser.add_argument(
        "--budgets",
        type=float,
        nargs="+",
        default=[DEFAULT_CANDIDATES_PER_CASE, 700.0, 500.0, 350.0, 250.0],
    )
    args = parser.parse_args()
    result = {
        "benchmark": "linkage_reach",
        "machine": describe(),
        "shared": "machine shared with other jobs",
        "threshold": THRESHOLD,
        "runs": [run_design(d, args.cases, args.budgets) for d in args.designs],
        "density": [density_test(d, args.cases) for d in args.designs],
    }
    out = Path(__file__).parent / "results" / f"linkage_reach_{args.cases}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
