"""Does caselink's linkage hold on data it was not designed on?

Run: nice -n 10 .venv/bin/python benchmarks/linkage_generalisation.py [N_CASES] [SEEDS...]
(defaults: 3000 cases, seeds 1 2; ``--only=crimelinkage``, ``--only=A`` … runs
some sources and writes /tmp/linkage_generalisation_partial.json instead;
``--table`` prints the table of the results file)

For each source and seed: train on the source's solved cases, score the
candidate pairs of two unsolved cases, and measure against the truth.

* crimelinkage (the R package's real data, not designed here): its solved
  crimes only have a truth, so per seed 30% of the offender groups are held
  out as "unsolved" (their labels hidden from training);
* synthetic design A (``caselink synth``), N cases;
* synthetic design B (``caselink synth --design B``), N cases, when this
  caselink has it.

Models, all trained on the same solved pairs (the blocking rules' candidate
pairs of two solved cases):

* caselink: ``LinkageEngine.train()`` — naive Bayes, logistic and boosted,
  chosen by offender-grouped CV average precision, recalibrated where it helps;
* seven-feature logistic baseline, written plainly here: log distance, log
  days, same type, age gap, share of MO values matching, number of
  mismatches, rarity-weighted matches (standardised; scikit-learn
  LogisticRegression, C = 1);
* distance–time only: logistic regression on log distance and log days.

Measures on the test pairs: ROC AUC, average precision, AP over pairs of two
serious-type cases, precision at K (K = the number of true pairs among the
test candidates), ECE (10 equal-width bins). Writes
benchmarks/results/linkage_generalisation.json and prints one Markdown table.
"""

from __future__ import annotations

import inspect
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from caselink.linkage import LinkageConfig, LinkageEngine
from caselink.linkage.calibration import expected_calibration_error
from caselink.linkage.config import SERIOUS_TYPES
from caselink.linkage.evaluation import precision_at_k
from caselink.synth import generate

sys.path.insert(0, str(Path(__file__).resolve().parent))
import linkage_crimelinkage as clk
from machine import describe

clk.DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "crimelinkage"
RESULTS = Path(__file__).resolve().parent / "results" / "linkage_generalisation.json"
RESULTS_PARTIAL = Path("/tmp") / "linkage_generalisation_partial.json"
HELD_OUT = 0.3


# -- the plain baselines ---------------------------------------------------------
def seven_features(pairs: pd.DataFrame, mo: list[str]) -> np.ndarray:
    """The seven pair features of the plain baseline."""
    n = len(pairs)
    overlap = (
        np.column_stack([pairs[f"{a}_overlap"].to_numpy(dtype=float) for a in mo])
        if mo
        else np.zeros((n, 0))
    )
    rarity = (
        np.column_stack([pairs[f"{a}_rarity"].to_numpy(dtype=float) for a in mo])
        if mo
        else np.zeros((n, 0))
    )
    recorded = ~np.isnan(overlap)
    match = recorded & (np.nan_to_num(overlap) > 0)
    n_rec = recorded.sum(axis=1)
    share = np.where(n_rec > 0, match.sum(axis=1) / np.maximum(n_rec, 1), 0.0)
    mismatches = (recorded & ~match).sum(axis=1)
    rare_matches = np.where(match, np.nan_to_num(rarity), 0.0).sum(axis=1)
    age = pairs["victim_age_gap"].to_numpy(dtype=float)
    age = np.where(np.isnan(age), np.nanmean(age) if np.isfinite(age).any() else 0.0, age)
    return np.column_stack(
        [
            np.log1p(pairs["distance_km"].to_numpy(dtype=float)),
            np.log1p(pairs["days_apart"].to_numpy(dtype=float)),
            np.nan_to_num(pairs["case_type_overlap"].to_numpy(dtype=float)),
            age,
            share,
            mismatches,
            rare_matches,
        ]
    )


def distance_time(pairs: pd.DataFrame, mo: list[str]) -> np.ndarray:
    """Log distance and log days only."""
    return seven_features(pairs, mo)[:, :2]


def plain_logistic(
    features: Any, train: pd.DataFrame, y: np.ndarray, test: pd.DataFrame, mo: list[str]
) -> np.ndarray:
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    model.fit(features(train, mo), y)
    return np.asarray(model.predict_proba(features(test, mo))[:, 1])


# -- sources ---------------------------------------------------------------------
def crimelinkage(seed: int) -> tuple[LinkageEngine, pd.Series, pd.Series]:
    """Engine with 70% of offender groups solved; truth of the held-out 30%."""
    frame = clk.crimes_frame()
    groups = pd.Series(clk.offender_groups(set(frame["case_id"])))
    names = np.array(sorted(set(groups)))
    rng = np.random.default_rng(seed)
    held = set(names[rng.random(len(names)) < HELD_OUT])
    solved = groups[~groups.isin(held)]
    frame["offender_id"] = frame["case_id"].map(solved).astype(object)
    frame["offender_id"] = frame["offender_id"].where(frame["offender_id"].notna(), None)
    engine = LinkageEngine(
        frame, clk.SCHEMA, config=LinkageConfig(geometry="planar", block_attribute=None)
    )
    truth = groups[groups.isin(held)]
    ctype = frame.set_index("case_id")["case_type"]
    return engine, truth, ctype


def synthetic(n: int, seed: int, design: str) -> tuple[LinkageEngine, pd.Series, pd.Series]:
    kwargs: dict[str, Any] = {}
    if design != "A":
        kwargs["design"] = design
    data = generate(n, seed=seed, **kwargs)
    engine = LinkageEngine(data.cases, data.schema)
    solved = set(data.cases.loc[data.cases["offender_id"].notna(), "case_id"])
    truth = data.truth_cases.set_index("case_id")["offender_id"]
    truth = truth[~truth.index.isin(solved)]
    ctype = data.cases.set_index("case_id")["case_type"]
    return engine, truth, ctype


def has_design_b() -> bool:
    return "design" in inspect.signature(generate).parameters


# -- one run ---------------------------------------------------------------------
def run(
    source: str, seed: int, engine: LinkageEngine, truth: pd.Series, ctype: pd.Series
) -> list[dict[str, Any]]:
    t0 = time.time()
    mo = [
        c.name
        for c in engine.comparisons
        if c.kind == "agreement" and c.name in engine.schema.names()
    ]
    pairs, y, _groups = engine.labelled_pairs()
    cand = engine.candidates()
    test_pairs = cand[cand["case_a"].isin(truth.index) & cand["case_b"].isin(truth.index)]
    test = engine.compare(test_pairs)
    yt = (test["case_a"].map(truth) == test["case_b"].map(truth)).to_numpy().astype(int)
    serious = (
        test["case_a"].map(ctype).isin(SERIOUS_TYPES)
        & test["case_b"].map(ctype).isin(SERIOUS_TYPES)
    ).to_numpy()
    t_train = time.time()
    saved = engine.train()
    train_s = time.time() - t_train
    scores = {
        f"caselink ({saved.name})": saved.estimator.predict_proba(test)[:, 1],
        "seven-feature logistic": plain_logistic(seven_features, pairs, y, test, mo),
        "distance-time logistic": plain_logistic(distance_time, pairs, y, test, mo),
    }
    k = int(yt.sum())
    rows = []
    for model, p in scores.items():
        both = serious
        rows.append(
            {
                "source": source,
                "seed": seed,
                "model": model,
                "train_pairs": len(y),
                "train_linked": int(y.sum()),
                "test_pairs": len(yt),
                "test_linked": k,
                "roc_auc": float(roc_auc_score(yt, p)),
                "average_precision": float(average_precision_score(yt, p)),
                "serious_pairs": int(both.sum()),
                "serious_linked": int(yt[both].sum()),
                "serious_ap": float(average_precision_score(yt[both], p[both]))
                if yt[both].sum() > 0 and (~yt[both].astype(bool)).any()
                else float("nan"),
                "precision_at_k": precision_at_k(yt, p, k) if k else float("nan"),
                "ece": expected_calibration_error(yt, p),
            }
        )
    cv = saved.summary["cv"]
    print(
        f"{source} seed {seed}: train {len(y):,} pairs ({y.sum()} linked), test {len(yt):,} "
        f"({k} linked); chose {saved.name} "
        + ", ".join(f"{m} CV AP {v['average_precision']:.3f}" for m, v in cv.items())
        + f"; calibration {saved.summary['calibration']['method']}; train {train_s:.0f} s, "
        f"total {time.time() - t0:.0f} s",
        flush=True,
    )
    for r in rows:
        r["cv"] = cv
        r["calibration"] = saved.summary["calibration"]
        r["chosen"] = saved.name
    return rows


def fmt(x: float, digits: int = 3) -> str:
    return "n/a" if x != x else f"{x:.{digits}f}"


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--only=")]
    only = [a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--only=")]
    n = int(args[0]) if args else 3000
    seeds = [int(s) for s in args[1:]] or [1, 2]
    rows: list[dict[str, Any]] = []
    designs = ["A", "B"] if has_design_b() else ["A"]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    target = RESULTS_PARTIAL if only else RESULTS

    def save(done: bool) -> None:  # after every run, so a long run keeps what it measured
        out = {
            "machine": describe() + " (shared with other jobs)",
            "n_cases_synthetic": n,
            "seeds": seeds,
            "designs": designs,
            "complete": done,
            "rows": rows,
        }
        target.write_text(json.dumps(out, indent=2))

    for seed in seeds:
        if not only or "crimelinkage" in only:
            rows += run("crimelinkage", seed, *crimelinkage(seed))
            save(False)
        for design in designs:
            if not only or design in only:
                rows += run(f"design {design}", seed, *synthetic(n, seed, design))
                save(False)
    save(True)
    print_table(rows)
    print(f"\nwrote {target}")


def print_table(rows: list[dict[str, Any]]) -> None:
    """The Markdown table of the README."""
    print("\n| source | seed | model | ROC AUC | AP | serious AP | P@K (K) | ECE |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['source']} | {r['seed']} | {r['model']} | {fmt(r['roc_auc'])} | "
            f"{fmt(r['average_precision'])} | {fmt(r['serious_ap'])} | "
            f"{fmt(r['precision_at_k'], 2)} ({r['test_linked']}) | {fmt(r['ece'], 4)} |"
        )


if __name__ == "__main__":
    if sys.argv[1:] == ["--table"]:  # print the table of the last results file
        print_table(json.loads(RESULTS.read_text())["rows"])
    else:
        main()
