"""What the trees' bounds and their compiled evaluation cost, against scoring every pair.

On a synthetic city of N cases with a trained model (``--models boosted``,
the model `caselink train` picked at 10k and 100k, or ``--models all``:
train's own choice, the ensemble at 10k), measures in one process:

* the trees' log-odds of a sample of real candidate comparisons, by the
  numpy walk and by scikit-learn's compiled predictor (the same sums);
* linking at ``--min-probability`` four ways: scoring every candidate pair
  whole; with the trees' bound table after comparing
  (:mod:`caselink.linkage.models.tree_table`: the trees walked only for
  pairs whose bound can reach the threshold); and with the trees' bound
  before comparing (``LinkageEngine.prune_trees``, the default), its trees
  summed whole for every rule pair, then read by their cascade
  (:mod:`caselink.linkage.models.tree_cascade`, the default). Wall and CPU
  time, pairs compared and trees walked, and whether the links are equal.

Run:  nice -n 10 .venv/bin/python benchmarks/boosted_bound.py 10000
Writes benchmarks/results/boosted_bound_<design>_<N>[_all].json (the model's trees
walked: pairs through ``tree_log_odds``, the SQL bound's own trees not counted).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from caselink.linkage.engine import LinkageEngine
from caselink.linkage.features import compare_table, numeric_matrix
from caselink.linkage.models import boosted as boosted_module
from caselink.linkage.models import ensemble as ensemble_module
from caselink.linkage.models.boosted import BoostedLinkage, tree_log_odds, tree_log_odds_numpy
from caselink.synth import generate
from machine import describe

RESULTS = Path(__file__).parent / "results"


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds of the process, all threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("cases", type=int)
    parser.add_argument("--design", choices=("A", "B"), default="A")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--min-probability", type=float, default=0.05)
    parser.add_argument("--sample", type=int, default=300_000)
    parser.add_argument("--models", choices=("boosted", "all"), default="boosted")
    args = parser.parse_args()
    load = os.getloadavg()
    data = generate(args.cases, seed=args.seed, design=args.design)
    engine = LinkageEngine(data.cases, data.schema)
    models = ("boosted",) if args.models == "boosted" else ("naive_bayes", "logistic", "boosted")
    _, train_wall, _ = timed(lambda: engine.train(models=models))
    model = engine.model.estimator
    est = model if isinstance(model, BoostedLinkage) else model.boosted_
    n_candidates = engine.count_candidates()

    sample = (
        f"SELECT case_a, case_b FROM candidate_pairs USING SAMPLE {args.sample} ROWS (reservoir, 1)"
    )
    compared = compare_table(engine._con, engine.comparisons, sample)
    x = numeric_matrix(compared, engine.comparisons)[:, est.used_columns_]
    walked, walk_wall, walk_cpu = timed(lambda: tree_log_odds_numpy(est.trees_, x))
    compiled, comp_wall, comp_cpu = timed(lambda: tree_log_odds(est.trees_, x))

    p = args.min_probability
    walked_pairs = []
    tree_log_odds_of = boosted_module.tree_log_odds

    def counting(trees: Any, features: np.ndarray) -> np.ndarray:
        walked_pairs.append(len(features))
        return tree_log_odds_of(trees, features)

    boosted_module.tree_log_odds = counting
    ensemble_module.tree_log_odds = counting  # type: ignore[attr-defined]
    every_table = boosted_module.TABLE_MIN_PAIRS
    boosted_module.TABLE_MIN_PAIRS = 2**62  # no table: every pair's trees walked
    full, full_wall, full_cpu = timed(lambda: engine.link(p, prune=False))
    walked_full = sum(walked_pairs)
    boosted_module.TABLE_MIN_PAIRS = every_table
    walked_pairs.clear()
    table, table_wall, table_cpu = timed(lambda: engine.link(p, prune=False))
    walked_table = sum(walked_pairs)
    # the bound before comparing is the boosted model's alone (the ensemble has none)
    sql_bound = isinstance(model, BoostedLinkage)
    if sql_bound:
        boosted_module.TABLE_MIN_PAIRS = 2**62
        est.__dict__.pop("_bound_table", None)  # the table built above, dropped
        engine.prune_trees = True
        # the bound's trees summed whole for every rule pair (no cascade) ...
        cascade_of = boosted_module.tree_cascade
        boosted_module.tree_cascade = lambda *args, **kwargs: None  # type: ignore[assignment]
        walked_pairs.clear()
        engine._linkable = None
        whole, whole_wall, whole_cpu = timed(lambda: engine.link(p))
        boosted_module.tree_cascade = cascade_of
        # ... and read by their cascade (the default)
        walked_pairs.clear()
        engine._linkable = None
        pruned, pruned_wall, pruned_cpu = timed(lambda: engine.link(p))
        walked_sql = sum(walked_pairs)
    report = dict(engine.blocking_report)

    result = {
        "benchmark": "boosted_bound",
        "cases": args.cases,
        "design": args.design,
        "seed": args.seed,
        "min_probability": p,
        "machine": describe(),
        "load_average_before": load,
        "load_average_after": os.getloadavg(),
        "train_wall_s": round(train_wall, 1),
        "model": type(model).__name__,
        "trees": len(est.trees_.roots),
        "tree_nodes": len(est.trees_.feature),
        "candidate_pairs": n_candidates,
        "tree_evaluation": {
            "rows": len(x),
            "numpy_walk": {"wall_s": round(walk_wall, 2), "cpu_s": round(walk_cpu, 2)},
            "compiled": {"wall_s": round(comp_wall, 2), "cpu_s": round(comp_cpu, 2)},
            "equal": bool(np.array_equal(walked, compiled)),
        },
        "link_every_candidate": {
            "wall_s": round(full_wall, 1),
            "cpu_s": round(full_cpu, 1),
            "pairs_compared": n_candidates,
            "pairs_trees_walked": walked_full,
            "links": len(full),
        },
        "link_with_table_bound": {
            "wall_s": round(table_wall, 1),
            "cpu_s": round(table_cpu, 1),
            "pairs_compared": n_candidates,
            "pairs_trees_walked": walked_table,
            "links": len(table),
        },
        "link_with_tree_bound_summed_whole": {
            "wall_s": round(whole_wall, 1),
            "cpu_s": round(whole_cpu, 1),
            "links": len(whole),
        }
        if sql_bound
        else None,
        "link_with_tree_bound_cascade": {
            "wall_s": round(pruned_wall, 1),
            "cpu_s": round(pruned_cpu, 1),
            "rule_pairs_bounded": report.get("rule_pairs"),
            "pairs_compared": report.get("linkable_pairs"),
            "pairs_trees_walked": walked_sql,
            "links": len(pruned),
        }
        if sql_bound
        else None,
        "links_equal": bool(
            _same(full, table) and (not sql_bound or (_same(full, pruned) and _same(full, whole)))
        ),
    }
    RESULTS.mkdir(exist_ok=True)
    suffix = "" if args.models == "boosted" else "_all"
    out = RESULTS / f"boosted_bound_{args.design}_{args.cases}{suffix}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    try:
        pd.testing.assert_frame_equal(a, b)
    except AssertionError:
        return False
    return True


if __name__ == "__main__":
    main()
