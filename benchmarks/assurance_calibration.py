"""Calibration of the disparity audit and the death-cluster scan: false alarms and power.

Run: .venv/bin/python benchmarks/assurance_calibration.py [--seeds 40]

Audit: synthetic cases from caselink.synth.generate (3,000 cases, 2013-2016),
without bias and with check_bias={"lgbt": 0.5}; an audit "alarms" when any
Holm-adjusted p-value is below 0.05. Clusters: 120 deaths uniform over ~6 x 6 km
and 4 years, without and with 6 deaths injected within ~150 m and 45 days.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from caselink.assurance import default_standard, disparity_audit, scan_death_clusters
from caselink.assurance.calibration import simulated_deaths
from caselink.synth import generate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--cases", type=int, default=3000)
    args = parser.parse_args()
    std = default_standard()
    started = time.perf_counter()
    null_alarms = 0
    overall_null_p: list[float] = []
    found, ors = 0, []
    for seed in range(args.seeds):
        fair = generate(args.cases, seed=1000 + seed)
        rep = disparity_audit(fair.cases, fair.actions, std, as_of="2017-06-01")
        null_alarms += bool(rep.alarms())
        overall_null_p += [c.p_value for c in rep.overall.contrasts if c.p_value is not None]
        biased = generate(args.cases, seed=1000 + seed, check_bias={"lgbt": 0.5})
        rep = disparity_audit(biased.cases, biased.actions, std, as_of="2017-06-01")
        lgbt = next(c for c in rep.overall.contrasts if c.group == "lgbt")
        found += lgbt.p_adjusted is not None and lgbt.p_adjusted < 0.05
        ors.append(lgbt.estimate)
    audit_s = time.perf_counter() - started
    print(f"audit: {args.seeds} seeds x {args.cases} cases, Holm, alpha 0.05 ({audit_s:.0f} s)")
    print(
        f"  no bias: audits with any alarm {null_alarms}/{args.seeds} = {null_alarms / args.seeds:.3f}"
    )
    print(
        f"  no bias: overall raw p < 0.05 in {sum(p < 0.05 for p in overall_null_p)}"
        f"/{len(overall_null_p)} group contrasts"
    )
    print(f"  lgbt odds x0.5: overall alarm for lgbt {found}/{args.seeds}")
    print(
        f"  lgbt odds x0.5: overall odds ratio median {np.median(ors):.2f} "
        f"(IQR {np.percentile(ors, 25):.2f}-{np.percentile(ors, 75):.2f})"
    )

    started = time.perf_counter()
    n_null = n_hit = 0
    for seed in range(args.seeds):
        null = scan_death_clusters(simulated_deaths(seed), n_simulations=99, seed=seed)
        n_null += bool((null["p_value"] <= 0.05).any())
        hit = scan_death_clusters(simulated_deaths(seed, inject=6), n_simulations=99, seed=seed)
        top = hit.iloc[0] if len(hit) else None
        n_hit += bool(
            top is not None
            and top["p_value"] <= 0.05
            and sum(c.startswith("X") for c in str(top["case_ids"]).split("|")) >= 4
        )
    print(
        f"clusters: {args.seeds} seeds, 120 deaths, 99 shuffles ({time.perf_counter() - started:.0f} s)"
    )
    print(f"  homogeneous: any cluster p <= 0.05 in {n_null}/{args.seeds}")
    print(
        f"  6 injected deaths: top cluster p <= 0.05 holding >= 4 of them in {n_hit}/{args.seeds}"
    )


if __name__ == "__main__":
    main()
