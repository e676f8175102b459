"""Would a bound before comparing pay for the ensemble? What it would keep, measured.

Written before the ensemble's bound was built (``bounds.EnsembleBound``,
used by ``LinkageEngine`` since), to measure what it would keep; it still
measures the bound's reach and slack per member. On a store and a saved
ensemble model:
per rule part, a sample of the rule's pairs is compared in full and scored
exactly, and bounded three ways summed:

* naive Bayes member: its SQL bound (``bounds.bound_sql``: exact for the
  cheap comparisons, the largest log ratio for the joined ones);
* logistic member: its score on the pairs with every joined comparison set
  to its best case where it is not missing (an MO attribute shared, at its
  rarest value, overlap 1; narrative cosine 1) — a bound because its
  coefficients are sign-bounded so that sharing, rarity, overlap and
  similarity never lower the score;
* boosted member: the trees' bound (``bounds.tree_bound``).

It reports, per part and overall (parts weighed by their pairs), the share of pairs whose exact score
reaches ``--min-probability`` and the share the bound keeps (what would be
compared), and checks the bound is never below the score.

Run:  .venv/bin/python benchmarks/ensemble_bound_reach.py STORE.db MODEL.json
      [--sample 100000] [--min-probability 0.05] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from caselink.linkage import bounds
from caselink.linkage.features import compare
from caselink.linkage.models.boosted import tree_log_odds
from caselink.linkage.models.ensemble import EnsembleLinkage
from caselink.service.linking import open_engine
from caselink.store import Store
from machine import describe

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("store", type=Path)
    parser.add_argument("model", type=Path)
    parser.add_argument("--sample", type=int, default=100_000, help="pairs per rule part")
    parser.add_argument("--min-probability", type=float, default=0.05)
    parser.add_argument("--out", type=Path, default=RESULTS / "ensemble_bound_reach.json")
    args = parser.parse_args()
    started = time.perf_counter()
    store = Store.open_existing(f"sqlite:///{args.store.resolve()}")
    engine = open_engine(store, args.model).engine
    ens = engine.model.estimator
    if not isinstance(ens, EnsembleLinkage):
        parser.error(f"the model is a {type(ens).__name__}, not an ensemble")
    comps = engine.comparisons
    con = engine._con
    nb, lr, boosted = ens.members()
    ba, bb = boosted.calibration_
    needed = ens.members_sum_needed(args.min_probability)
    weights = bounds.additive_weights(nb)
    assert weights is not None
    con.execute(
        f"CREATE OR REPLACE TABLE {bounds.BOUNDED_CASES} AS "
        f"{bounds.bounded_cases_sql(comps, weights)}"
    )
    nb_sql = bounds.bound_sql(comps, weights)
    tree = bounds.tree_bound(boosted.trees_, bounds.tree_features(comps, boosted.used_columns_))
    inputs = ", ".join(f"{sql} AS i{k}" for k, sql in enumerate(tree.inputs))
    rarest = {
        c.name: -float(
            np.log(
                con.execute(
                    "SELECT MIN(share) FROM case_values WHERE attr = ?", [c.name]
                ).fetchall()[0][0]
            )
        )
        for c in comps
        if c.kind == "agreement" and not bounds.is_cheap(c)
    }
    parts: list[dict[str, Any]] = []
    for p, part_sql in enumerate(engine._staged_rule_parts()):
        con.execute(
            f"CREATE OR REPLACE TABLE part_pairs AS SELECT case_a, case_b FROM ({part_sql})"
        )
        size = int(con.execute("SELECT COUNT(*) FROM part_pairs").fetchall()[0][0])
        if size == 0:
            continue
        con.execute(
            "CREATE OR REPLACE TABLE sample AS SELECT case_a, case_b, "
            "ROW_NUMBER() OVER () - 1 AS rid FROM (SELECT case_a, case_b FROM part_pairs "
            f"USING SAMPLE {args.sample} ROWS (reservoir, {p + 1}))"
        )
        joined = (
            "FROM sample p JOIN {t} a ON a.case_id = p.case_a "
            "JOIN {t} b ON b.case_id = p.case_b ORDER BY p.rid"
        )
        keys = con.execute("SELECT case_a, case_b FROM sample ORDER BY rid").df()
        x = compare(con, comps, keys)  # in the order of the keys
        nb_score, lr_score = nb.decision_function(x), lr.decision_function(x)
        trees = ba * tree_log_odds(boosted.trees_, boosted.features(x)) + bb
        exact = nb_score + lr_score + trees
        nb_raw = con.execute(f"SELECT {nb_sql} AS u " + joined.format(t=bounds.BOUNDED_CASES)).df()[
            "u"
        ]
        nb_bound = weights.slope * nb_raw.to_numpy(dtype=float) + weights.intercept
        best = x.copy()
        for c in comps:
            if bounds.is_cheap(c):
                continue
            names = [n for n, _ in c.columns]
            recorded = best[names[0]].notna()
            best.loc[recorded, names[0]] = 1.0
            if c.kind == "agreement":
                best.loc[recorded, names[1]] = rarest[c.name]
        lr_bound = lr.decision_function(best)
        tree_inputs = con.execute(f"SELECT {inputs} " + joined.format(t="cases")).df()
        tree_x = tree_inputs.to_numpy(dtype=float, na_value=np.nan)
        tree_bound = ba * tree_log_odds(tree.trees, tree_x) + bb
        bound = nb_bound + lr_bound + tree_bound
        parts.append(
            {
                "part": p,
                "rule_pairs": size,
                "pairs_sampled": len(x),
                "exact_reaches": round(float(np.mean(exact >= needed)), 4),
                "bound_keeps": round(float(np.mean(bound >= needed)), 4),
                "bound_never_below": bool(np.all(bound >= exact - 1e-6)),
                "mean_slack": {
                    "naive_bayes": round(float(np.mean(nb_bound - nb_score)), 3),
                    "logistic": round(float(np.mean(lr_bound - lr_score)), 3),
                    "boosted": round(float(np.mean(tree_bound - trees)), 3),
                },
            }
        )
        print(json.dumps(parts[-1]), flush=True)
    n = sum(q["rule_pairs"] for q in parts)
    result = {
        "benchmark": "ensemble_bound_reach",
        "store": str(args.store),
        "cases": len(engine.cases),
        "machine": describe(),
        "min_probability": args.min_probability,
        "parts": parts,
        "rule_pairs": n,
        # each part's shares weighed by its number of pairs (the samples are equal-sized)
        "exact_reaches": round(sum(q["exact_reaches"] * q["rule_pairs"] for q in parts) / n, 4),
        "bound_keeps": round(sum(q["bound_keeps"] * q["rule_pairs"] for q in parts) / n, 4),
        "bound_never_below": all(q["bound_never_below"] for q in parts),
        "seconds": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "parts"}, indent=2))


if __name__ == "__main__":
    main()
