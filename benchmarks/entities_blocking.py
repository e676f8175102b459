"""The person model's blocking rules with and without their corroborations.

A blocking key that many people share (a date of birth, a full name, a
surname and house number) makes pairs in proportion to the square of the
data: the corroborated rules of
:func:`caselink.entities.person_model.prediction_blocking_rules` also ask
for one piece of corroboration (an initial, nearby, a dob part). This script
measures what that costs and buys against the same keys alone (the rules
of caselink before, written out below as the baseline), on one fitted model:

* per rule, the pairs it adds to those of the rules before it (what Splink
  scores, exact, counted in DuckDB) and the true pairs among them;
* the links, pairwise P / R / F1 and resolve seconds of a full resolution
  with each rule set (``--counts-only`` skips the resolutions).

Usage::

    .venv/bin/python benchmarks/entities_blocking.py 250000
    .venv/bin/python benchmarks/entities_blocking.py 1000000 --bare-counts-only \\
        --out benchmarks/results/entities_blocking_1000000.json
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

from caselink.entities import PersonResolver, pairwise_scores
from caselink.entities.features import person_features
from caselink.entities.person_model import prediction_blocking_sql
from caselink.synth import generate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from entities_person_resolution import MENTIONS_PER_CASE
from machine import describe

BARE_RULES: tuple[str, ...] = (
    'l."phone" = r."phone"',
    'l."vehicle" = r."vehicle"',
    'l."dob_str" = r."dob_str"',
    'l."surname" = r."surname" AND l."first_canon" = r."first_canon"',
    "l.first_name = r.surname AND substr(l.surname, 1, 1) = substr(r.first_name, 1, 1)",
    "l.surname = r.first_name AND substr(l.first_name, 1, 1) = substr(r.surname, 1, 1)",
    'l."postcode" = r."postcode" AND substr(l.first_canon, 1, 1) = substr(r.first_canon, 1, 1)',
    'l."address_line" = r."address_line"',
    'l."surname" = r."surname" AND l."address_number" = r."address_number"',
    'l."postcode" = r."postcode" AND l."address_street" = r."address_street"',
    'l."postcode" = r."postcode" AND l."address_number" = r."address_number"',
    'l."area" = r."area" AND l."first_canon" = r."first_canon"'
    " AND substr(l.surname, 1, 1) = substr(r.surname, 1, 1)",
    'l."area" = r."area" AND l."surname" = r."surname"'
    " AND substr(l.first_canon, 1, 1) = substr(r.first_canon, 1, 1)",
)
"""The baseline: each rule's key alone, as caselink blocked before corroborations."""


def rule_pairs(
    con: duckdb.DuckDBPyConnection, rules: list[str] | tuple[str, ...]
) -> list[dict[str, Any]]:
    """Each rule's new pairs (not made by a rule before it) and the true pairs among them."""
    out = []
    for k, rule in enumerate(rules):
        before = " OR ".join(f"coalesce(({p}), false)" for p in rules[:k]) or "false"
        t = time.perf_counter()
        pairs, true = con.execute(
            "SELECT count(*), coalesce(sum((l.person_id = r.person_id)::INTEGER), 0)"
            f" FROM m AS l JOIN m AS r ON ({rule}) AND l.mention_id < r.mention_id"
            f" WHERE NOT ({before})"
        ).fetchone() or (0, 0)
        out.append(
            {
                "rule": rule,
                "pairs": int(pairs),
                "true_pairs": int(true),
                "count_s": round(time.perf_counter() - t, 1),
            }
        )
    return out


def resolve_with(
    resolver: PersonResolver,
    rules: list[str] | tuple[str, ...],
    data: Any,
) -> tuple[dict[str, Any], set[tuple[int, int]]]:
    """A full resolution with ``rules`` in place of the model's own; scores, seconds, links."""
    model = copy.deepcopy(resolver.model_)
    model["splink"]["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in rules
    ]
    own = resolver.model_
    resolver.model_ = model
    try:
        t = time.perf_counter()
        resolution = resolver.resolve(data.people, data.cases)
        seconds = time.perf_counter() - t
    finally:
        resolver.model_ = own
    scores = pairwise_scores(
        resolution.assignments[["mention_id", "entity_id"]].itertuples(index=False, name=None),
        data.truth_people[["mention_id", "person_id"]].itertuples(index=False, name=None),
    )
    links = resolution.links
    result = {k: round(v, 4) if isinstance(v, float) else v for k, v in scores.items()}
    result.update({"links": len(links), "resolve_s": round(seconds, 1)})
    pairs = set(zip(links["mention_id_l"].tolist(), links["mention_id_r"].tolist(), strict=True))
    return result, pairs


def run(n: int, args: argparse.Namespace) -> dict[str, Any]:
    """Counts and resolutions of both rule sets on ``n`` synthetic mentions."""
    data = generate(max(10, round(n / MENTIONS_PER_CASE)), seed=args.seed, design=args.design)
    features = person_features(data.people, data.cases)
    truth = data.truth_people[["mention_id", "person_id"]]
    con = duckdb.connect()
    con.register("features", features)
    con.register("truth", truth)
    con.execute("CREATE TABLE m AS SELECT * FROM features JOIN truth USING (mention_id)")
    out: dict[str, Any] = {"mentions": len(features), "design": args.design, "seed": args.seed}
    rules = prediction_blocking_sql()
    for name, rule_set in (("corroborated", rules), ("bare", BARE_RULES)):
        per_rule = rule_pairs(con, rule_set)
        out[name] = {
            "scored_pairs": sum(r["pairs"] for r in per_rule),
            "true_pairs_reached": sum(r["true_pairs"] for r in per_rule),
            "rules": per_rule,
        }
        print(name, f"{out[name]['scored_pairs']:,} pairs", flush=True)
    con.close()
    if args.counts_only:
        return out
    t = time.perf_counter()
    resolver = PersonResolver(seed=args.seed).fit(data.people, data.cases)
    out["fit_s"] = round(time.perf_counter() - t, 1)
    scores, kept = resolve_with(resolver, rules, data)
    out["corroborated"].update(scores)
    print("corroborated", scores, flush=True)
    if not args.bare_counts_only:
        scores, bare = resolve_with(resolver, BARE_RULES, data)
        out["bare"].update(scores)
        out["links_lost"] = len(bare - kept)
        out["links_gained"] = len(kept - bare)
        print("bare", scores, flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("mentions", type=int, nargs="+", help="sizes, in mentions")
    parser.add_argument("--design", choices=["A", "B"], default="A")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--counts-only", action="store_true", help="count pairs; no resolution")
    parser.add_argument(
        "--bare-counts-only",
        action="store_true",
        help="resolve with the default rules only (the bare keys' pairs still counted)",
    )
    parser.add_argument("--out", default=None, help="write the JSON here")
    args = parser.parse_args()
    result = {"machine": describe(), "runs": [run(n, args) for n in args.mentions]}
    text = json.dumps(result, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
