"""Blocking trade-off: pair recall of true series pairs against candidate pairs.

For a synthetic city (``caselink.synth.generate(n, seed=1)``), every rule on
its own and several rule sets: candidate pairs (and per case), recall of true
SERIES pairs (both cases in the same truth series: ``series_id`` non-empty in
truth_cases.csv), recall of true SAME-OFFENDER pairs (same ``offender_id``; in
the synthetic city one-off offenders commit one case, so these are the same
pairs unless an offender has two series), and recall on the serious types
(both cases deaths, sexual, drugging or violence). Recall is against
exhaustive comparison, which keeps every pair.

    .venv/bin/python benchmarks/linkage_blocking.py 20000
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from caselink.linkage.blocking import BlockingRule, candidate_pairs, default_rules, lean_rules
from caselink.linkage.config import SERIOUS_TYPES, LinkageConfig
from caselink.linkage.engine import LinkageEngine
from caselink.synth import generate
from machine import describe

R = BlockingRule
RULES: dict[str, BlockingRule] = {
    "A": R("near", km=1.0, days=90.0),
    "A-half": R("near", km=0.5, days=30.0),
    "T1": R("near", km=1.0, days=90.0, same=("case_type",)),
    "T2": R("near", km=2.0, days=180.0, same=("case_type",)),
    "T3": R("near", km=3.0, days=365.0, same=("case_type",)),
    "F2": R("near", km=2.0, days=180.0, same=("family",)),
    "TL6": R("near", km=6.0, days=730.0, same=("case_type", "location_type")),
    "FL5": R("near", km=5.0, days=730.0, same=("family", "location_type")),
    "S5": R("near", km=5.0, days=730.0, same=("family",), types=SERIOUS_TYPES),
    "S2": R("near", km=2.0, days=180.0, same=("family",), types=SERIOUS_TYPES),
    "W8": R("near", km=8.0, days=1095.0, same=("family", "weapon")),
    "G": R("victim_group", days=730.0),
    "RV30": R("rare_value", max_cases=30),
}
SETS: dict[str, list[str]] = {
    "lean (lean_rules)": ["T1", "S2", "RV30"],
    "T2+S2+G+RV30": ["T2", "S2", "G", "RV30"],
    "A+T2+TL6+G+RV30": ["A", "T2", "TL6", "G", "RV30"],
    "A+T3+TL6+G+S5+W8+RV30": ["A", "T3", "TL6", "G", "S5", "W8", "RV30"],
    "default (default_rules)": ["A", "F2", "FL5", "S5", "RV30", "G"],
    "default+T3+TL6+W8": ["A", "F2", "FL5", "S5", "G", "RV30", "T3", "TL6", "W8"],
}


def truth_pairs(truth: pd.DataFrame, key: str) -> pd.DataFrame:
    known = truth.dropna(subset=[key])[["case_id", key]]
    pairs = known.merge(known, on=key)
    return pairs[pairs["case_id_x"] < pairs["case_id_y"]]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    data = generate(n, seed=1)
    config = LinkageConfig()
    assert [r.describe() for r in default_rules(config, data.schema)] == [
        RULES[k].describe() for k in SETS["default (default_rules)"]
    ], "SETS['default'] no longer matches default_rules"
    assert [r.describe() for r in lean_rules(config)] == [
        RULES[k].describe() for k in SETS["lean (lean_rules)"]
    ]
    engine = LinkageEngine(data.cases, data.schema, rules=[RULES["A"]])
    index = {c: i for i, c in enumerate(data.cases["case_id"])}

    def encode(a: pd.Series, b: pd.Series) -> np.ndarray:
        ia = a.map(index).to_numpy(np.int64)
        ib = b.map(index).to_numpy(np.int64)
        return np.minimum(ia, ib) * n + np.maximum(ia, ib)

    types = data.cases.set_index("case_id")["case_type"]
    series = truth_pairs(data.truth_cases, "series_id")
    offender = truth_pairs(data.truth_cases, "offender_id")
    serious = series[
        series["case_id_x"].map(types).isin(SERIOUS_TYPES)
        & series["case_id_y"].map(types).isin(SERIOUS_TYPES)
    ]
    truths = {
        "series": encode(series["case_id_x"], series["case_id_y"]),
        "same_offender": encode(offender["case_id_x"], offender["case_id_y"]),
        "serious_series": encode(serious["case_id_x"], serious["case_id_y"]),
    }
    kept: dict[str, np.ndarray] = {}
    rows = []

    def row(name: str, described: str, pairs: np.ndarray, seconds: float) -> dict[str, object]:
        out: dict[str, object] = {
            "rules": name,
            "described": described,
            "candidate_pairs": len(pairs),
            "pairs_per_case": round(len(pairs) / n, 1),
        }
        for k, t in truths.items():
            out[f"recall_{k}"] = round(float(np.isin(t, pairs).mean()), 4)
        out["seconds"] = round(seconds, 1)
        print(json.dumps(out), flush=True)
        return out

    for name, rule in RULES.items():
        t = time.perf_counter()
        c = candidate_pairs(engine._con, [rule], config)
        kept[name] = np.unique(encode(c["case_a"], c["case_b"]))
        rows.append(row(name, rule.describe(), kept[name], time.perf_counter() - t))
    sets = []
    for name, keys in SETS.items():
        union = np.unique(np.concatenate([kept[k] for k in keys]))
        sets.append(row(name, " | ".join(RULES[k].describe() for k in keys), union, 0.0))
    result = {
        "machine": describe(),
        "n_cases": n,
        "true_pairs": {k: len(v) for k, v in truths.items()},
        "rules": rows,
        "rule_sets": sets,
    }
    path = Path(__file__).parent / "results" / f"linkage_blocking_{n}.json"
    path.write_text(json.dumps(result, indent=2))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
