"""How many trees, how large, how fast: the boosted model's settings on held-out offenders.

For each design (A, B) a city of N cases (seed 1) gives the training pairs
``caselink train`` would use (every linked pair of solved cases and a sample
of the unlinked ones). For each setting (learning rate, leaves per tree) the
trees are fitted on three offender-grouped folds (as ``BoostedLinkage`` does)
and the held-out log-loss is read after every tree: reported are the number
of trees with the least loss (what ``choose_trees`` picks), that loss, the
loss after 200 trees (the former fixed count), the held-out AP at the chosen
count, and the seconds to score one million pairs with that many trees (the
trees fitted on all pairs, scored by ``tree_log_odds`` on the pairs' own
features repeated to a million rows).

Run:  nice -n 10 .venv/bin/python benchmarks/boosted_trees.py 10000
Writes benchmarks/results/boosted_trees_<N>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from caselink.linkage import LinkageEngine
from caselink.linkage.features import numeric_matrix
from caselink.linkage.models.boosted import BoostedLinkage, monotone_constraints, tree_log_odds
from caselink.linkage.models.splits import offender_pair_folds, pair_groups
from caselink.synth import generate
from machine import describe

SETTINGS = ((0.05, 15), (0.1, 15), (0.2, 15), (0.1, 31), (0.1, 7), (0.2, 7))
MOST_TREES = 400
SCORED_ROWS = 1_000_000


def run_design(design: str, n: int) -> dict[str, Any]:
    data = generate(n, seed=1, design=design)
    engine = LinkageEngine(data.cases, data.schema)
    sample = engine.training_sample()
    compared = engine.compare(sample.pairs)
    comps = engine.comparisons
    features = numeric_matrix(compared, comps)
    used = np.flatnonzero(~np.isnan(features).all(axis=0))
    features = features[:, used]
    y = sample.y.astype(int)
    cst = [monotone_constraints(comps)[i] for i in used]
    folds = offender_pair_folds(pair_groups(sample.groups, len(y)), 3, 0)
    repeat = -(-SCORED_ROWS // len(y))
    rows = []
    for rate, leaves in SETTINGS:
        held: list[np.ndarray] = []
        idx: list[np.ndarray] = []
        for train, test in folds:
            trees = HistGradientBoostingClassifier(
                monotonic_cst=cst,
                max_iter=MOST_TREES,
                learning_rate=rate,
                max_leaf_nodes=leaves,
                min_samples_leaf=20,
                l2_regularization=1.0,
                early_stopping=False,
                random_state=0,
            ).fit(features[train], y[train])
            staged = trees.staged_decision_function(features[test])
            held.append(np.column_stack([np.ravel(d) for d in staged]))
            idx.append(test)
        scores = np.concatenate(held)
        target = y[np.concatenate(idx)]
        loss = (np.logaddexp(0.0, scores) - target[:, None] * scores).mean(axis=0)
        best = int(np.argmin(loss)) + 1
        model = BoostedLinkage(
            comps,
            max_iter=best,
            learning_rate=rate,
            max_leaf_nodes=leaves,
            calibrate=False,
            choose_trees=False,
        ).fit(compared, y)
        many = np.tile(model.features(compared), (repeat, 1))[:SCORED_ROWS]
        start = time.perf_counter()
        tree_log_odds(model.trees_, many)
        seconds = time.perf_counter() - start
        rows.append(
            {
                "learning_rate": rate,
                "leaves": leaves,
                "trees_least_loss": best,
                "held_out_log_loss": round(float(loss[best - 1]), 5),
                "held_out_log_loss_200_trees": round(float(loss[199]), 5),
                "held_out_ap": round(
                    float(average_precision_score(target, scores[:, best - 1])), 4
                ),
                "seconds_per_million_pairs": round(seconds, 2),
            }
        )
        print(design, rows[-1], flush=True)
    return {
        "design": design,
        "cases": n,
        "training_pairs": len(y),
        "linked_pairs": int(y.sum()),
        "settings": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("cases", type=int)
    parser.add_argument("--designs", nargs="+", default=["A", "B"])
    args = parser.parse_args()
    result = {
        "benchmark": "boosted_trees",
        "machine": describe(),
        "shared": "machine shared with other jobs",
        "runs": [run_design(d, args.cases) for d in args.designs],
    }
    out = Path(__file__).parent / "results" / f"boosted_trees_{args.cases}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
