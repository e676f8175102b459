"""What each blocking rule costs as the store grows: the pairs it makes and the seconds.

For each N: a synthetic city (``scale_link.generated``, seed 1), the engine
with the named rule set and its default model, then for each rule, over the
whole store in one go (no parts, so the figures are the rule's own): the raw
grid pairs (the neighbouring cells' join before its exact test), the pairs
within the rule's km and days (staged), the pairs whose naive Bayes bound can
reach the threshold, and the seconds of staging and of the bound. It shows
whether the national link's time follows its pairs (and how the pairs grow
with N) or something else; ``scale_link.py`` times the link itself.

    .venv/bin/python benchmarks/blocking_rule_costs.py 200000 500000 --rules national
    .venv/bin/python benchmarks/blocking_rule_costs.py 1000000 --rules national --count-only

Writes ``benchmarks/results/blocking_rule_costs_<rules>[_count]_<N...>.json`` with the machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from caselink.linkage.blocking import RULE_SETS, named_rules
from caselink.linkage.config import LinkageConfig
from caselink.linkage.engine import LinkageEngine
from machine import describe
from scale_link import generated

THRESHOLD = 0.5


def rule_costs(n: int, rules_name: str, memory_limit: str, count_only: bool) -> dict[str, Any]:
    """Each rule's pairs and seconds on a city of ``n`` cases (``count_only``: raw grid pairs)."""
    cases, schema, _ = generated(n)
    config = LinkageConfig()
    rules = named_rules(rules_name, config, schema, n)
    engine = LinkageEngine(cases, schema, rules=rules, memory_limit=memory_limit)
    reach = engine._reach(THRESHOLD)  # the benchmark reads the engine's own bound
    if reach is None or reach.bound is None:
        raise SystemExit("the default model must be naive Bayes (an SQL bound)")
    engine._create_bounded_cases()
    con = engine._con
    joined = (
        f"FROM rule_pairs r JOIN {reach.cases_table} a ON a.case_id = r.case_a "
        f"JOIN {reach.cases_table} b ON b.case_id = r.case_b"
    )
    out: list[dict[str, Any]] = []
    for rule in rules:
        raw_sql = rule.raw_pairs_sql()
        t = time.perf_counter()
        raw = int(con.execute(raw_sql).fetchall()[0][0]) if raw_sql else None
        t_raw = time.perf_counter() - t
        if count_only:
            row = {"rule": rule.describe(), "raw_grid_pairs": raw, "count_raw_s": round(t_raw, 1)}
            print(json.dumps(row), file=sys.stderr, flush=True)
            out.append(row)
            continue
        t = time.perf_counter()
        con.execute(f"CREATE OR REPLACE TEMP TABLE rule_pairs AS {rule.staged_sql(config)}")
        t_stage = time.perf_counter() - t
        staged = int(con.execute("SELECT COUNT(*) FROM rule_pairs").fetchall()[0][0])
        t = time.perf_counter()
        kept = con.execute(f"SELECT COUNT(*) FROM ({reach.reachable_sql(joined)})").fetchall()[0][0]
        t_bound = time.perf_counter() - t
        con.execute("DROP TABLE rule_pairs")
        row = {
            "rule": rule.describe(),
            "raw_grid_pairs": raw,
            "staged_pairs": staged,
            "pairs_that_can_reach_threshold": int(kept),
            "count_raw_s": round(t_raw, 1),
            "stage_s": round(t_stage, 1),
            "bound_s": round(t_bound, 1),
        }
        print(json.dumps(row), file=sys.stderr, flush=True)
        out.append(row)
    return {"n_cases": n, "rules": rules_name, "threshold": THRESHOLD, "per_rule": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="+")
    parser.add_argument("--rules", choices=sorted(RULE_SETS), default="national")
    parser.add_argument("--memory-limit", default="6GB")
    parser.add_argument(
        "--count-only", action="store_true", help="only each rule's raw grid pairs (cheap at 1M)"
    )
    args = parser.parse_args()
    runs = [rule_costs(n, args.rules, args.memory_limit, args.count_only) for n in args.n]
    kind = "_count" if args.count_only else ""
    name = f"blocking_rule_costs_{args.rules}{kind}_{'_'.join(map(str, args.n))}.json"
    path = Path(__file__).parent / "results" / name
    path.write_text(json.dumps({"machine": describe(), "runs": runs}, indent=2))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
