"""End-to-end batch linkage at scale: DuckDB (embedded) and Spark local.

For each N: generate N synthetic cases (``caselink.synth.generate``, seed 1;
the city grows with N), build the engine, block (the candidate pairs stay in
DuckDB), fit the default model, then compare and score every candidate pair in
chunks, keeping the links at or above the alert threshold. Reports time per
stage, peak RSS of the linking process (the generator runs in a child
process), candidate pairs, the pairs that can still reach the threshold under
the model's bound (:mod:`caselink.linkage.bounds`; only these are compared),
pairs per second, and the blocking recalls:

* of every true series pair (same ``series_id`` in the generator's truth)
  that the model links at the threshold when the pair is scored directly —
  what exhaustive comparison would link among the true pairs — the share the
  blocked run also links: what blocking loses, measured at any N;
* of all true series pairs: the share kept as candidates (``--count-candidates``,
  which also runs the blocking without the bound to count its pairs);
* with ``--exhaustive`` (10k at most: every pair is scored): of all links
  exhaustive comparison makes, the share the blocked run also makes.

    .venv/bin/python benchmarks/scale_link.py duckdb 10000 --exhaustive --count-candidates
    .venv/bin/python benchmarks/scale_link.py cli 3000      # caselink synth/import/train/link --explain
    .venv/bin/python benchmarks/scale_link.py duckdb 10000 --exhaustive --count-candidates --design B
    .venv/bin/python benchmarks/scale_link.py duckdb 1000000 --rules scale
    .venv/bin/python benchmarks/scale_link.py duckdb 100000 1000000 --rules lean
    .venv/bin/python benchmarks/scale_link.py spark 100000 --rules lean
    .venv/bin/python benchmarks/scale_link.py duckdb 1000000 --rules wide --count-only
    .venv/bin/python benchmarks/scale_link.py duckdb 1000000 --rules national --candidates-per-case 250
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import pickle
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from caselink.linkage.blocking import RULE_SETS, named_rules
from caselink.linkage.config import LinkageConfig
from caselink.linkage.engine import LinkageEngine
from caselink.records.model import AttributeSchema
from caselink.synth import generate
from machine import describe

THRESHOLD = 0.5
EVERY_PAIR = (
    "SELECT a.case_id AS case_a, b.case_id AS case_b "
    "FROM cases a JOIN cases b ON a.case_id < b.case_id"
)


def true_pairs(truth: pd.DataFrame) -> pd.DataFrame:
    """Every unordered pair of cases of one hidden series (case_a < case_b)."""
    frame = truth.dropna(subset=["series_id"])[["series_id", "case_id"]].astype(str)
    pairs = frame.merge(frame, on="series_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["case_id_a"] < pairs["case_id_b"]]
    return pd.DataFrame(
        {"case_a": pairs["case_id_a"].to_numpy(), "case_b": pairs["case_id_b"].to_numpy()}
    )


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def keys(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["case_a"].astype(str), frame["case_b"].astype(str), strict=True))


SEED = 1
DESIGN = "A"


def _generate_to(path: str, n: int, seed: int, design: str = DESIGN) -> None:
    data = generate(n, seed=seed, design=design)
    with open(path, "wb") as f:
        pickle.dump((data.cases, data.schema, data.truth_cases), f)


def generated(
    n: int, seed: int = SEED, design: str = DESIGN
) -> tuple[pd.DataFrame, AttributeSchema, pd.DataFrame]:
    """The synthetic city, generated in a child process so that the peak RSS
    reported is the linkage's, not the generator's (people, actions, texts)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/city.pkl"
        child = multiprocessing.get_context("spawn").Process(
            target=_generate_to, args=(path, n, seed, design)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise RuntimeError(f"generating {n} cases failed (exit code {child.exitcode})")
        with open(path, "rb") as f:
            cases, schema, truth = pickle.load(f)
    return cases, schema, truth


def progress(done: int, total: int) -> None:
    print(f"  scored {done:,} of {total:,} pairs", file=sys.stderr, flush=True)


def count_only(n: int, rules_name: str, memory_limit: str) -> dict[str, object]:
    """Blocking alone: how many candidate pairs a rule set gives at N (no scoring)."""
    cases, schema, _ = generated(n)
    engine = LinkageEngine(
        cases,
        schema,
        rules=named_rules(rules_name, LinkageConfig(), schema, n),
        memory_limit=memory_limit,
    )
    t = time.perf_counter()
    n_pairs = engine.count_candidates()
    return {
        "engine": "duckdb",
        "n_cases": n,
        "rules": rules_name,
        "count_only": True,
        "blocking_s": round(time.perf_counter() - t, 1),
        "candidate_pairs": n_pairs,
        "pairs_per_case": round(n_pairs / n, 1),
        "peak_rss_mib": round(peak_mib(), 1),
    }


def run_duckdb(
    n: int,
    rules_name: str,
    exhaustive: bool,
    memory_limit: str,
    count_candidates: bool,
    seed: int = SEED,
    design: str = DESIGN,
    candidates_per_case: float | None = None,
    prefix: bool = False,
) -> dict[str, object]:
    t0 = time.perf_counter()
    cases, schema, truth_cases = generated(n, seed, design)
    t_gen = time.perf_counter() - t0
    config = LinkageConfig()
    rules = named_rules(rules_name, config, schema, n)
    t = time.perf_counter()
    engine = LinkageEngine(
        cases,
        schema,
        rules=rules,
        memory_limit=memory_limit,
        candidates_per_case=candidates_per_case,
        prefix_filter=prefix,
    )
    t_tables = time.perf_counter() - t
    print(f"  tables built in {t_tables:.1f} s", file=sys.stderr, flush=True)
    if engine.reach is not None:
        print(f"  {engine.reach.describe()}", file=sys.stderr, flush=True)
    t = time.perf_counter()
    model = engine.model
    t_fit = time.perf_counter() - t
    t = time.perf_counter()
    n_linkable = engine.count_linkable(THRESHOLD)
    t_block = time.perf_counter() - t
    print(
        f"  {n_linkable:,} pairs can reach {THRESHOLD} ({t_block:.1f} s)",
        file=sys.stderr,
        flush=True,
    )
    t = time.perf_counter()
    links = pd.concat(list(engine.link_chunks(THRESHOLD, progress=progress)), ignore_index=True)
    t_link = time.perf_counter() - t
    total = t_tables + t_fit + t_block + t_link
    peak = peak_mib()
    truth = true_pairs(truth_cases)
    true_keys = keys(truth)
    linked_true = keys(links) & true_keys
    direct = engine.score(truth)
    model_true = keys(direct[direct["probability"] >= THRESHOLD])
    out: dict[str, object] = {
        "engine": "duckdb",
        "n_cases": n,
        "seed": seed,
        "design": design,
        "rules": rules_name,
        "rule_count": len(rules),
        "candidates_per_case_budget": candidates_per_case,
        "prefix_filter": prefix,
        "reach": None if engine.reach is None else engine.reach.describe(),
        "model": model.name,
        "duckdb_memory_limit": memory_limit,
        "generate_s": round(t_gen, 1),
        "tables_s": round(t_tables, 1),
        "fit_s": round(t_fit, 1),
        "blocking_with_bound_s": round(t_block, 1),
        "compare_and_score_s": round(t_link, 1),
        "end_to_end_s": round(total, 1),
        "pairs_that_can_reach_threshold": n_linkable,
        "compared_pairs_per_s": round(n_linkable / max(t_link, 1e-9)),
        "true_series_pairs": len(truth),
        "true_pairs_linked_when_scored_directly": len(model_true),
        "links_at_threshold": len(links),
        "true_pairs_linked": len(linked_true),
        "recall_of_model_true_links": round(
            len(linked_true & model_true) / max(len(model_true), 1), 4
        ),
        "peak_rss_mib": round(peak, 1),
    }
    if count_candidates:
        t = time.perf_counter()
        n_pairs = engine.count_candidates()
        con = engine._con  # the benchmark reads the engine's own candidate table
        con.register("truth_df", truth)
        kept = con.execute(
            "SELECT COUNT(*) FROM truth_df t JOIN candidate_pairs c "
            "ON c.case_a = t.case_a AND c.case_b = t.case_b"
        ).fetchall()[0][0]
        con.unregister("truth_df")
        out.update(
            {
                "candidate_pairs_without_bound": n_pairs,
                "pairs_per_case_without_bound": round(n_pairs / n, 1),
                "blocking_without_bound_s": round(time.perf_counter() - t, 1),
                "blocking_recall_true_series_pairs": round(kept / max(len(truth), 1), 4),
            }
        )
    if exhaustive:
        t = time.perf_counter()
        every = pd.concat(
            list(engine.link_chunks(THRESHOLD, pairs_sql=EVERY_PAIR)), ignore_index=True
        )
        exhaustive_true = keys(every) & true_keys
        out.update(
            {
                "exhaustive_pairs": n * (n - 1) // 2,
                "exhaustive_s": round(time.perf_counter() - t, 1),
                "exhaustive_links": len(every),
                "exhaustive_true_pairs_linked": len(exhaustive_true),
                "recall_vs_exhaustive_true_links": round(
                    len(linked_true & exhaustive_true) / max(len(exhaustive_true), 1), 4
                ),
                "recall_vs_exhaustive_all_links": round(
                    len(keys(links) & keys(every)) / max(len(every), 1), 4
                ),
            }
        )
    return out


def run_spark(n: int, rules_name: str) -> dict[str, object]:
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    from caselink.scale import link_on_spark, spark_session
    from caselink.scale.spark import candidates_on_spark, register_tables

    cases, schema, _ = generated(n)
    config = LinkageConfig()
    rules = named_rules(rules_name, config, schema, n)
    engine = LinkageEngine(cases, schema, rules=rules)
    model = engine.model  # fitted on DuckDB; Spark runs the same SQL and model
    spark = spark_session("local[2]", shuffle_partitions=8, driver_memory="8g")
    t = time.perf_counter()
    register_tables(spark, engine.tables)
    n_pairs = candidates_on_spark(spark, model).count()
    t_block = time.perf_counter() - t
    t = time.perf_counter()
    links = link_on_spark(
        spark, cases, schema, model, tables=engine.tables, min_probability=THRESHOLD
    )
    t_link = time.perf_counter() - t
    spark.stop()
    return {
        "engine": "spark local[2]",
        "n_cases": n,
        "rules": rules_name,
        "spark_driver_memory": "8g",
        "blocking_and_count_s": round(t_block, 1),
        "block_compare_score_s": round(t_link, 1),
        "candidate_pairs": n_pairs,
        "pairs_per_s": round(n_pairs / max(t_link, 1e-9)),
        "links_at_threshold": len(links),
        "driver_peak_rss_mib": round(peak_mib(), 1),
    }


def run_cli(n: int, seed: int, design: str) -> dict[str, object]:
    """The analyst's path, timed command by command: ``caselink synth``, ``import
    --no-alert``, ``train``, ``link --explain`` (wall and CPU of each process)."""
    import shutil
    import subprocess

    exe = shutil.which("caselink") or str(Path(sys.executable).with_name("caselink"))
    out: dict[str, object] = {"engine": "cli", "n_cases": n, "seed": seed, "design": design}
    with tempfile.TemporaryDirectory() as tmp:
        city, db, model = f"{tmp}/city", f"sqlite:///{tmp}/c.db", f"{tmp}/m.model"
        steps = {
            "synth": ["synth", city, "--cases", str(n), "--seed", str(seed), "--design", design],
            "import": ["import", f"{city}/cases.csv", "--people", f"{city}/people.csv",
                       "--actions", f"{city}/actions.csv", "--schema", f"{city}/schema.yaml",
                       "--db", db, "--no-alert"],
            "train": ["train", "--db", db, "--model", model],
            "link_explain": ["link", "--db", db, "--model", model, "--out", f"{tmp}/l.csv",
                             "--explain"],
        }  # fmt: skip
        for name, args in steps.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            done = subprocess.run([exe, *args], capture_output=True, text=True, check=True)
            wall = time.perf_counter() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            out[f"{name}_wall_s"] = round(wall, 1)
            out[f"{name}_cpu_s"] = round(
                after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 1
            )
            print(f"  {name}: {wall:.1f} s\n{done.stdout[-600:]}", file=sys.stderr, flush=True)
            if name == "link_explain":
                out["link_output"] = " ".join(done.stdout.split())
                out["rows_written"] = len(pd.read_csv(f"{tmp}/l.csv"))
            if name == "train":
                out["train_output"] = " ".join(done.stdout.split())[-400:]
    out["load_average"] = list(__import__("os").getloadavg())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engine", choices=["duckdb", "spark", "cli"])
    parser.add_argument("n", type=int, nargs="+")
    parser.add_argument("--rules", choices=RULE_SETS, default="auto")
    parser.add_argument("--design", default=DESIGN, help="synthetic design: A, or B")
    parser.add_argument("--exhaustive", action="store_true")
    parser.add_argument("--memory-limit", default="6GB")
    parser.add_argument("--count-only", action="store_true", help="block and count only")
    parser.add_argument("--seed", type=int, default=SEED, help="synthetic city seed (default 1)")
    parser.add_argument(
        "--candidates-per-case",
        type=float,
        default=None,
        help="a budget of candidate pairs per case: the rules' reach fitted to the data's "
        "density (LinkageEngine(candidates_per_case=...); tables_s includes the fitting)",
    )
    parser.add_argument(
        "--prefix-filter",
        action="store_true",
        help="find the pairs the model can link from its weights (LinkageEngine("
        "prefix_filter=True): every pair of the store that shares enough, not the rules' pairs)",
    )
    parser.add_argument(
        "--count-candidates",
        action="store_true",
        help="also block without the bound, to count candidate pairs and their recall",
    )
    args = parser.parse_args()
    results = []
    for n in args.n:
        if args.engine == "cli":
            r = run_cli(n, args.seed, args.design)
        elif args.engine == "duckdb" and args.count_only:
            r = count_only(n, args.rules, args.memory_limit)
        elif args.engine == "duckdb":
            r = run_duckdb(
                n,
                args.rules,
                args.exhaustive,
                args.memory_limit,
                args.count_candidates,
                args.seed,
                args.design,
                args.candidates_per_case,
                args.prefix_filter,
            )
        else:
            r = run_spark(n, args.rules)
        print(json.dumps(r), flush=True)
        results.append(r)
    kind = "_count" if args.count_only else ""
    suffix = "" if args.seed == SEED else f"_seed{args.seed}"
    suffix += "" if args.design == DESIGN else f"_design{args.design}"
    if args.candidates_per_case is not None:
        suffix += f"_budget{args.candidates_per_case:g}"
    if args.prefix_filter:
        suffix += "_prefix"
    name = f"scale_link_{args.engine}_{args.rules}{kind}_{'_'.join(map(str, args.n))}{suffix}.json"
    path = Path(__file__).parent / "results" / name
    path.write_text(json.dumps({"machine": describe(), "runs": results}, indent=2))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
