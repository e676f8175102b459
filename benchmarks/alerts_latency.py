"""Latency of alert on arrival: one new case against N stored cases (warm, in-process).

For N stored synthetic cases (``caselink.synth.generate``; the city grows with
N), the model is the default model fitted on a 3,000-case city with the same
generator (fitting it on N cases is the batch job, not the alert path). The
:class:`caselink.linkage.case_index.CaseIndex` is built once from the N cases
(warm-up, timed), then 200 further cases arrive one at a time; each is indexed
and scored against all before it: candidates (grid, rare-value and victim-group
look-ups + exact filters), comparisons, model, and explanations of the links
at or above the alert threshold (``latency_ms``); ``score_only_ms`` stops before
the explanations (their cost is per alert: ``explain_ms_per_alert``). Store
writes (one SQLite transaction per case) are not included.

The threshold is the alert path's own: the one giving the default workload
(``caselink.settings.DEFAULT_ALERTS_PER_1000`` alerts per 1,000 cases) on the
stored cases' candidate pairs (``alerts.alerting.index_workload``, a sample of
1,000 cases; timed as ``threshold_s``), as ``caselink import`` and the web app
choose it. (Until 2026-12 the benchmark explained every pair at or above 0.5:
with a model fitted on 3,000 cases that is 54 alerts per new case at 1M,
a workload no analyst has; ``--fixed 0.5`` still measures that.)

    .venv/bin/python benchmarks/alerts_latency.py 100000 1000000 [--fixed 0.5]
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from caselink.alerts.alerting import index_workload
from caselink.linkage.case_index import CaseIndex
from caselink.linkage.engine import LinkageEngine
from caselink.linkage.explain import explain_pair, explanation_text
from caselink.settings import DEFAULT_ALERTS_PER_1000
from caselink.synth import generate
from machine import describe

N_NEW = 200


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(n: int, fixed: float | None = None) -> dict[str, object]:
    small = generate(3000, seed=2)
    model = LinkageEngine(small.cases, small.schema).model
    t = time.perf_counter()
    data = generate(n + N_NEW, seed=1)
    gen_s = time.perf_counter() - t
    cases = data.cases  # ordered by case_id = reporting order
    stored, new = cases.iloc[:n].reset_index(drop=True), cases.iloc[n:].reset_index(drop=True)
    rss0 = rss_mib()
    t = time.perf_counter()
    index = CaseIndex.from_frame(stored, data.schema, model.config, model.rules, model.comparisons)
    warm_s = time.perf_counter() - t
    rss1 = rss_mib()
    t = time.perf_counter()
    est = model.estimator
    if fixed is None:
        threshold = index_workload(index, est, DEFAULT_ALERTS_PER_1000).threshold
    else:
        threshold = fixed
    threshold_s = time.perf_counter() - t
    times, score_times, n_cands, n_alerts = [], [], [], []
    for i in range(N_NEW):
        row = new.iloc[[i]].reset_index(drop=True)
        t = time.perf_counter()
        pos = int(index.add(row)[0])
        others = index.candidates(pos)
        compared = index.compare(pos, others)
        p = est.predict_proba(compared)[:, 1] if len(compared) else np.zeros(0)
        keep = np.flatnonzero(p >= threshold)
        score_times.append((time.perf_counter() - t) * 1000)
        if len(keep):
            kept = compared.iloc[keep].reset_index(drop=True)
            _, contrib = est.factors(kept)
            mine = {str(k): v for k, v in row.iloc[0].items()}
            for j in range(len(keep)):
                o = int(others[keep[j]])
                other = stored.iloc[o] if o < n else new.iloc[o - n]
                explanation_text(
                    explain_pair(
                        model.comparisons,
                        {str(c): v for c, v in kept.iloc[j].items()},
                        {str(c): float(v) for c, v in contrib.iloc[j].items()},
                        mine,
                        {str(k): v for k, v in other.items()},
                    )
                )
        times.append((time.perf_counter() - t) * 1000)
        n_cands.append(len(others))
        n_alerts.append(len(keep))
    ms = np.asarray(times)
    sc = np.asarray(score_times)
    per_alert = (ms - sc).sum() / max(sum(n_alerts), 1)
    sizes = index.sizes()
    return {
        "n_stored": n,
        "generate_s": round(gen_s, 1),
        "warm_up_s": round(warm_s, 1),
        "threshold": round(threshold, 4),
        "threshold_from": "fixed" if fixed is not None else f"{DEFAULT_ALERTS_PER_1000} per 1,000",
        "threshold_s": round(threshold_s, 1),
        "latency_ms": {
            q: round(float(np.percentile(ms, v)), 1)
            for q, v in (("p50", 50), ("p95", 95), ("p99", 99))
        },
        "score_only_ms": {
            q: round(float(np.percentile(sc, v)), 1)
            for q, v in (("p50", 50), ("p95", 95), ("p99", 99))
        },
        "explain_ms_per_alert": round(float(per_alert), 3),
        "candidates_per_case_mean": round(float(np.mean(n_cands)), 1),
        "alerts_per_case_mean": round(float(np.mean(n_alerts)), 2),
        "index_numpy_mib": round(sizes.total_bytes / 2**20, 1),
        "index_rss_growth_mib": round(rss1 - rss0, 1),
        "process_rss_mib": round(rss_mib(), 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    args = sys.argv[1:]
    fixed = None
    if "--fixed" in args:
        i = args.index("--fixed")
        fixed = float(args[i + 1])
        del args[i : i + 2]
    sizes = [int(a) for a in args] or [100_000]
    out = {"machine": describe(), "runs": []}
    for n in sizes:
        result = run(n, fixed)
        print(json.dumps(result), flush=True)
        out["runs"].append(result)  # type: ignore[attr-defined]
    tag = "_".join(map(str, sizes)) + ("" if fixed is None else f"_fixed{fixed:g}")
    path = Path(__file__).parent / "results" / f"alerts_latency_{tag}.json"
    path.write_text(json.dumps(out, indent=2))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
