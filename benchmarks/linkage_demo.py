"""The demo borough: is the planted Barking-like series found, and why?

Run: .venv/bin/python benchmarks/linkage_demo.py

Builds the demo data (caselink.synth.demo.build_demo), links it with the
default model (no labels) and with a model trained on the solved cases, and
prints, for the planted cases (deaths d1-d4 and non-fatal druggings), their
pairwise link probabilities, rank among all candidate pairs, explanations, and
the series that holds them.
"""

from __future__ import annotations

import itertools

import pandas as pd

from caselink.linkage import LinkageEngine
from caselink.synth.demo import build_demo


def main() -> None:
    data = build_demo()
    planted = data.params["planted"]
    keys = {k: v for k, v in planted.items() if k.startswith(("d", "nf"))}
    ids = set(keys.values())
    name = {v: k for k, v in keys.items()}
    print(f"demo: {len(data.cases)} cases; planted: {keys}")
    for label, train in (("default model (no labels)", False), ("trained on solved cases", True)):
        engine = LinkageEngine(data.cases, data.schema)
        if train:
            saved = engine.train()
            print(f"\n## {label}: chose {saved.name}; CV {saved.summary['cv']}")
        else:
            print(f"\n## {label}")
        links = engine.link(explain=True)
        links["rank"] = range(1, len(links) + 1)
        inside = links[links["case_a"].isin(ids) & links["case_b"].isin(ids)]
        deaths = [keys[k] for k in sorted(keys) if k.startswith("d")]
        print(f"{len(links):,} candidate pairs; planted pairs among them: {len(inside)}")
        for a, b in itertools.combinations(sorted(deaths), 2):
            hit = inside[
                ((inside.case_a == a) & (inside.case_b == b))
                | ((inside.case_a == b) & (inside.case_b == a))
            ]
            if hit.empty:
                print(f"- {name[a]}-{name[b]}: not a candidate pair")
                continue
            r = hit.iloc[0]
            print(
                f"- {name[a]}-{name[b]}: p={r.probability:.3f}, rank {r['rank']}: {r.explanation}"
            )
        series = engine.series(threshold=0.5, links=links[["case_a", "case_b", "probability"]])
        members = series.members
        held = members[members["case_id"].isin(ids)]
        for sid, grp in held.groupby("series_id"):
            summary = series.summary.set_index("series_id").loc[sid]
            print(
                f"series {sid}: {int(summary['size'])} cases, planted "
                f"{sorted(name[c] for c in grp['case_id'])}; span {summary['span_days']:.0f} days; "
                f"shared MO: {summary['shared_mo']}"
            )
        if held.empty:
            print("no planted case is in a series at p >= 0.5")
    pd.set_option("display.width", 200)


if __name__ == "__main__":
    main()
