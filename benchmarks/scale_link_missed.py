"""Which links do the auto (wide) rules miss against scoring every pair, and why.

Scores all pairs of a 10,000-case synthetic city with the default model
(links at p >= 0.5), links the blocked candidates with the auto rules, and
describes the links only exhaustive comparison makes: distance, days apart,
same case type / family, the strongest of them.

    .venv/bin/python benchmarks/scale_link_missed.py 10000 [--design B]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from caselink.linkage.blocking import named_rules
from caselink.linkage.config import LinkageConfig
from caselink.linkage.engine import LinkageEngine
from caselink.records.geodesy import haversine_km
from machine import describe
from scale_link import EVERY_PAIR, generated


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--design", default="A")
    args = ap.parse_args()
    cases, schema, _ = generated(args.n, 1, args.design)
    config = LinkageConfig()
    engine = LinkageEngine(cases, schema, rules=named_rules("auto", config, schema, args.n))
    every = pd.concat(list(engine.link_chunks(0.5, pairs_sql=EVERY_PAIR)), ignore_index=True)
    blocked = pd.concat(list(engine.link_chunks(0.5)), ignore_index=True)
    kept = set(zip(blocked["case_a"], blocked["case_b"], strict=True))
    missed = every[[k not in kept for k in zip(every["case_a"], every["case_b"], strict=True)]]
    c = cases.set_index("case_id")
    a, b = c.loc[missed["case_a"]], c.loc[missed["case_b"]]
    km = haversine_km(a["lat"].to_numpy(), a["lon"].to_numpy(), b["lat"].to_numpy(),
                      b["lon"].to_numpy())  # fmt: skip
    days = np.abs(
        (
            pd.to_datetime(a["occurred_from"]).to_numpy()
            - pd.to_datetime(b["occurred_from"]).to_numpy()
        )
        / np.timedelta64(1, "D")
    )
    same_type = a["case_type"].to_numpy() == b["case_type"].to_numpy()
    fam = config.families
    same_family = a["case_type"].map(fam).to_numpy() == b["case_type"].map(fam).to_numpy()
    far = km >= 7.0
    long_gap = (km < 3.0) & (days >= 365)
    out = {
        "machine": describe() + " (shared with other jobs)",
        "n_cases": args.n,
        "design": args.design,
        "exhaustive_links": len(every),
        "blocked_links": len(blocked),
        "missed_links": len(missed),
        "missed_same_case_type": round(float(same_type.mean()), 3) if len(missed) else None,
        "missed_same_family": round(float(same_family.mean()), 3) if len(missed) else None,
        "missed_7km_or_more_apart": int(far.sum()),
        "missed_days_apart_when_7km_or_more_median": float(np.median(days[far]))
        if far.any()
        else None,
        "missed_under_3km_and_a_year_or_more_apart": int(long_gap.sum()),
        "missed_days_apart_when_under_3km_median": float(np.median(days[km < 3.0]))
        if (km < 3.0).any()
        else None,
        "missed_probability_median": round(float(missed["probability"].median()), 3)
        if len(missed)
        else None,
    }
    print(json.dumps(out, indent=2))
    path = Path(__file__).parent / "results" / f"scale_link_missed_{args.n}_{args.design}.json"
    path.write_text(json.dumps(out, indent=2))
    print(f"-> {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
