"""End-to-end batch linkage at scale: DuckDB (embedded) and Spark local.

For each N: generate N synthetic cases (``caselink.synth.generate``, the city
grows with N), build the engine, block (candidate pairs), compare, fit the
default model and score every candidate pair. Reports time per stage, peak RSS,
candidate pairs, pairs/second, and blocking pair recall: the share of true
series pairs (same ``series_id`` in the generator's truth) that the blocking
keeps — exhaustive comparison keeps all of them, so this is recall against
exhaustive comparison.

    .venv/bin/python benchmarks/scale_link.py duckdb 10000 100000 1000000
    .venv/bin/python benchmarks/scale_link.py spark 100000
"""

from __future__ import annotations

import json
import resource
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from caselink.linkage.blocking import blocking_recall
from caselink.linkage.engine import LinkageEngine
from caselink.synth import generate
from machine import describe


def true_pairs(truth: object) -> list[tuple[str, str]]:
    frame = truth.dropna(subset=["series_id"])  # type: ignore[attr-defined]
    pairs = []
    for _, ids in frame.groupby("series_id")["case_id"]:
        ids = sorted(ids)
        pairs += [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    return pairs


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_duckdb(n: int) -> dict[str, object]:
    t0 = time.perf_counter()
    data = generate(n, seed=1)
    t_gen = time.perf_counter() - t0
    t = time.perf_counter()
    engine = LinkageEngine(data.cases, data.schema)
    t_tables = time.perf_counter() - t
    t = time.perf_counter()
    cands = engine.candidates()
    t_block = time.perf_counter() - t
    recall = blocking_recall(cands, true_pairs(data.truth_cases))
    t = time.perf_counter()
    model = engine.model
    t_fit = time.perf_counter() - t
    t = time.perf_counter()
    links = engine.link()
    t_link = time.perf_counter() - t
    total = t_tables + t_block + t_fit + t_link
    return {
        "engine": "duckdb",
        "n_cases": n,
        "model": model.name,
        "generate_s": round(t_gen, 1),
        "tables_s": round(t_tables, 1),
        "blocking_s": round(t_block, 1),
        "fit_s": round(t_fit, 1),
        "compare_and_score_s": round(t_link, 1),
        "end_to_end_s": round(total, 1),
        "candidate_pairs": len(cands),
        "pairs_per_s": round(len(links) / max(t_link, 1e-9)),
        "blocking_recall_true_series_pairs": round(recall, 4),
        "links_at_0_5": int((links["probability"] >= 0.5).sum()),
        "peak_rss_mib": round(peak_mib(), 1),
    }


def run_spark(n: int) -> dict[str, object]:
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    from caselink.scale import link_on_spark, spark_session

    data = generate(n, seed=1)
    engine = LinkageEngine(data.cases, data.schema)
    model = engine.model  # fitted on DuckDB; Spark runs the same SQL and model
    spark = spark_session("local[2]", shuffle_partitions=8)
    t = time.perf_counter()
    links = link_on_spark(spark, data.cases, data.schema, model, tables=engine.tables)
    t_link = time.perf_counter() - t
    spark.stop()
    return {
        "engine": "spark local[2]",
        "n_cases": n,
        "block_compare_score_s": round(t_link, 1),
        "candidate_pairs": len(links),
        "pairs_per_s": round(len(links) / max(t_link, 1e-9)),
        "driver_peak_rss_mib": round(peak_mib(), 1),
    }


def main() -> None:
    engine, *ns = sys.argv[1:]
    results = []
    for n in map(int, ns):
        r = run_duckdb(n) if engine == "duckdb" else run_spark(n)
        print(json.dumps(r), flush=True)
        results.append(r)
    path = Path(__file__).parent / "results" / f"scale_link_{engine}_{'_'.join(ns)}.json"
    path.write_text(json.dumps({"machine": describe(), "runs": results}, indent=2))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
