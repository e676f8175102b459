"""caselink linkage on a synthetic city with known series (caselink.synth.generate).

Run: .venv/bin/python benchmarks/linkage_synthetic.py [N_CASES] [SEED]

Trains on the solved cases (offender_id, as imported) and measures on the
candidate pairs of two UNSOLVED cases (never used in training), with the
generator's true offenders: ROC AUC, average precision and precision at K for
each model and a plain distance-time baseline, for all pairs and for pairs of
two serious cases (deaths, sexual offences, druggings, violence). Also the
blocking recall against exhaustive comparison (all true same-offender pairs).
"""

from __future__ import annotations

import sys
import time

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from caselink.linkage import LinkageEngine, blocking_recall
from caselink.linkage.config import SERIOUS_TYPES
from caselink.linkage.evaluation import precision_at_k
from caselink.synth import generate

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 2024
KS = (10, 100, 1000)


def row(name: str, y: np.ndarray, s: np.ndarray) -> str:
    pk = " | ".join(f"{precision_at_k(y, s, k):.2f}" for k in KS)
    return f"| {name} | {roc_auc_score(y, s):.3f} | {average_precision_score(y, s):.3f} | {pk} |"


def main() -> None:
    t0 = time.time()
    data = generate(N, seed=SEED)
    cases, truth = data.cases, data.truth_cases
    engine = LinkageEngine(cases, data.schema)
    candidates = engine.candidates()
    print(f"{N} cases, {len(candidates):,} candidate pairs ({time.time() - t0:.0f} s)")
    for r in engine.rules:
        print(f"  rule: {r.describe()}")
    true = truth.merge(truth, on="offender_id")
    true = true[true["case_id_x"] < true["case_id_y"]]
    ctype = cases.set_index("case_id")["case_type"]
    serious = set(SERIOUS_TYPES)
    both_serious = true["case_id_x"].map(ctype).isin(serious) & true["case_id_y"].map(ctype).isin(
        serious
    )
    all_pairs = list(zip(true["case_id_x"], true["case_id_y"], strict=True))
    serious_pairs = [p for p, s in zip(all_pairs, both_serious, strict=True) if s]
    print(
        f"blocking recall: {blocking_recall(candidates, all_pairs):.3f} of {len(all_pairs):,} "
        f"true pairs; serious: {blocking_recall(candidates, serious_pairs):.3f} of "
        f"{len(serious_pairs):,}; exhaustive would compare {N * (N - 1) // 2:,} pairs"
    )

    compared = engine.compare(candidates)
    solved = set(cases.loc[cases["offender_id"].notna(), "case_id"])
    unsolved = (~compared["case_a"].isin(solved) & ~compared["case_b"].isin(solved)).to_numpy()
    test = compared.loc[unsolved].reset_index(drop=True)
    off = truth.set_index("case_id")["offender_id"]
    y = (test["case_a"].map(off) == test["case_b"].map(off)).to_numpy().astype(int)
    ser = (
        test["case_a"].map(ctype).isin(serious) & test["case_b"].map(ctype).isin(serious)
    ).to_numpy()
    print(
        f"test: {len(test):,} candidate pairs of unsolved cases, {y.sum():,} true links; "
        f"serious {ser.sum():,} pairs, {y[ser].sum():,} links ({time.time() - t0:.0f} s)"
    )

    scores: dict[str, np.ndarray] = {}
    scores["distance-time baseline"] = -(test["distance_km"] + test["days_apart"] / 30.0).to_numpy()
    scores["default (no labels: priors + EM)"] = engine.model.estimator.predict_proba(test)[:, 1]
    for name in ("naive_bayes", "boosted"):
        t1 = time.time()
        saved = engine.train(models=(name,), n_splits=5)
        scores[name] = saved.estimator.predict_proba(test)[:, 1]
        print(
            f"trained {name} on {saved.summary['pairs']:,} pairs "
            f"({saved.summary['linked_pairs']} linked) in {time.time() - t1:.0f} s; "
            f"CV AP {saved.summary['cv'][name]['average_precision']:.3f}"
        )
    header = "| model | ROC AUC | average precision | " + " | ".join(f"P@{k}" for k in KS) + " |"
    for title, mask in (
        ("all pairs of unsolved cases", np.ones(len(y), bool)),
        ("serious types only", ser),
    ):
        print(f"\n### {title}: {mask.sum():,} pairs, {y[mask].sum():,} true links\n")
        print(header)
        print("|---" * (3 + len(KS)) + "|")
        for name, s in scores.items():
            print(row(name, y[mask], s[mask]))
    print(f"\ntotal {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
