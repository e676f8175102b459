"""The default (no-label) model's far tail, before and after issue 12.

Run: nice -n 10 .venv/bin/python benchmarks/linkage_default_tail.py [N_CASES] [SEED]
(defaults 2000 cases, seed 1)

Scores EVERY pair of a synthetic city (exhaustive, no blocking) with the
default model as it was at commit 2d03267 (read from git history: a wide
exponential tail, no monotone rule) and as it is now (the tail is the
background, monotone closeness, disagreement at most x1); prints its distance
and days factors, the links at p >= 0.5, how many are true, and how many are
more than 730 days or 10 km apart. Writes benchmarks/results/linkage_default_tail.json.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from caselink.linkage import LinkageEngine
from caselink.linkage.features import compare_table
from caselink.synth import generate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe

OLD_COMMIT = "2d03267"
ALL = (
    "SELECT a.case_id AS case_a, b.case_id AS case_b FROM cases a "
    "JOIN cases b ON a.case_id < b.case_id"
)
RESULTS = Path(__file__).resolve().parent / "results" / "linkage_default_tail.json"


def old_module() -> object:
    src = subprocess.run(
        ["git", "show", f"{OLD_COMMIT}:src/caselink/linkage/models/default.py"],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "old_default.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("old_default", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    data = generate(n, seed=seed)
    engine = LinkageEngine(data.cases, data.schema)
    rare, uncommon = engine.config.rare_value_share, engine.config.uncommon_value_share
    old = (
        old_module()
        .PriorLinkage(  # type: ignore[attr-defined]
            engine.comparisons, value_mass=engine.tables.vocabulary.class_mass(rare, uncommon)
        )
        .fit(engine.compare(engine.random_pairs()), n_cases=len(engine.cases))
    )
    new = engine.model.estimator
    pairs = compare_table(engine._con, engine.comparisons, ALL)
    offender = data.truth_cases.set_index("case_id")["offender_id"]
    y = (pairs["case_a"].map(offender) == pairs["case_b"].map(offender)).to_numpy()
    far_days = pairs["days_apart"].to_numpy() > 730
    far_km = pairs["distance_km"].to_numpy() > 10
    names = [c.name for c in engine.comparisons]
    out: dict[str, object] = {
        "machine": describe() + " (shared with other jobs)",
        "n_cases": n,
        "seed": seed,
        "pairs": len(pairs),
        "true_pairs": int(y.sum()),
    }
    for label, model in (("before", old), ("after", new)):
        link = model.predict_proba(pairs)[:, 1] >= 0.5
        row = {
            "distance_factors": np.exp(model.log_ratio_[names.index("distance")]).round(3).tolist(),
            "distance_levels": engine.comparisons[names.index("distance")].level_names(),
            "days_factors": np.exp(model.log_ratio_[names.index("days")]).round(3).tolist(),
            "days_levels": engine.comparisons[names.index("days")].level_names(),
            "links": int(link.sum()),
            "true_links": int((link & y).sum()),
            "links_over_730_days": int((link & far_days).sum()),
            "true_links_over_730_days": int((link & far_days & y).sum()),
            "links_over_10_km": int((link & far_km).sum()),
            "true_links_over_10_km": int((link & far_km & y).sum()),
        }
        out[label] = row
        print(label, json.dumps(row))
    RESULTS.write_text(json.dumps(out, indent=2))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
