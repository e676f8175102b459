"""Person resolution on synthetic data with known identities: pairwise P/R/F1 and time.

Generates a synthetic city with ``caselink.synth.generate`` (which records
each mention's true person in ``truth_people``), trains the person model on
the mentions, resolves them, and scores the clustering pairwise against the
truth. Also runs the untuned baseline (Splink's out-of-the-box comparisons on
the raw, un-normalised fields) with ``--baseline``.

Usage::

    .venv/bin/python benchmarks/entities_person_resolution.py --mentions 250000
    .venv/bin/python benchmarks/entities_person_resolution.py --mentions 1000000
    .venv/bin/python benchmarks/entities_person_resolution.py --mentions 250000 --baseline

Prints one JSON line of figures (and appends it to ``--log`` if given).
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import time
from typing import Any

import numpy as np
import pandas as pd

from caselink.entities import PersonResolver, pairwise_scores
from caselink.entities.clustering import constrained_clusters, profiles
from caselink.entities.features import person_features
from caselink.synth import generate

MENTIONS_PER_CASE = 2.52  # measured: generate(20000, seed=3) gives 50,317 mentions


def _peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def baseline(mentions: pd.DataFrame, seed: int) -> pd.DataFrame:
    """A plain Splink model: library comparisons on the fields as written, no tuning."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    frame = pd.DataFrame(
        {
            "mention_id": mentions["mention_id"].to_numpy(),
            "name": mentions["name"].str.lower(),
            "first_name": mentions["name"].str.lower().str.split().str[0],
            "surname": mentions["name"].str.lower().str.split().str[-1],
            "dob": mentions["dob"].dt.strftime("%Y-%m-%d"),
            "sex": mentions["sex"],
            "postcode": mentions["postcode"],
            "phone": mentions["phone"],
            "address": mentions["address"],
        }
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="mention_id",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("phone"),
            cl.LevenshteinAtThresholds("address", 2),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("dob"),
            block_on("phone"),
        ],
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    for rule in (block_on("dob"), block_on("first_name", "surname")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=2e6)
    pred = linker.inference.predict(threshold_match_probability=0.9)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.9)
    out = clusters.as_pandas_dataframe()[["mention_id", "cluster_id"]]
    return out.rename(columns={"cluster_id": "entity_id"})


def run(args: argparse.Namespace) -> dict[str, Any]:
    n_cases = max(10, round(args.mentions / MENTIONS_PER_CASE))
    t0 = time.perf_counter()
    data = generate(n_cases, seed=args.seed)
    mentions = data.people
    truth = data.truth_people
    t1 = time.perf_counter()
    result: dict[str, Any] = {
        "mentions": len(mentions),
        "true_persons": int(truth["person_id"].nunique()),
        "cases": n_cases,
        "seed": args.seed,
        "generate_s": round(t1 - t0, 1),
    }
    if args.baseline:
        assignments = baseline(mentions, args.seed)
        t2 = t3 = time.perf_counter()
        result["model"] = "baseline: plain Splink, library comparisons, raw fields"
    else:
        resolver = PersonResolver(
            threshold=args.threshold,
            u_max_pairs=args.u_max_pairs,
            em_max_pairs=args.em_max_pairs,
            seed=args.seed,
            threads=args.threads,
        ).fit(mentions, data.cases)
        t2 = time.perf_counter()
        if args.sweep:
            _sweep(resolver, mentions, data.cases, truth, args.sweep, result)
        resolution = resolver.resolve(mentions, data.cases)
        t3 = time.perf_counter()
        assignments = resolution.assignments
        result["model"] = "caselink PersonResolver"
        result["threshold"] = args.threshold
        result["links"] = len(resolution.links)
    scores = pairwise_scores(
        assignments[["mention_id", "entity_id"]].itertuples(index=False, name=None),
        truth[["mention_id", "person_id"]].itertuples(index=False, name=None),
    )
    result.update({k: round(v, 4) if isinstance(v, float) else v for k, v in scores.items()})
    result.update(
        {
            "predicted_persons": int(assignments["entity_id"].nunique()),
            "fit_s": round(t2 - t1, 1),
            "resolve_s": round(t3 - t2, 1),
            "total_s": round(t3 - t1, 1),
            "peak_rss_gib": round(_peak_rss_gib(), 2),
        }
    )
    if args.errors:
        _print_errors(mentions, truth, assignments, args.errors)
    return result


def _sweep(
    resolver: PersonResolver,
    mentions: pd.DataFrame,
    cases: pd.DataFrame,
    truth: pd.DataFrame,
    thresholds: str,
    result: dict[str, Any],
) -> None:
    """F1 at several thresholds from one scoring (for choosing the threshold on a tuning seed)."""
    values = sorted(float(t) for t in thresholds.split(","))
    links = resolver.score(mentions, cases, threshold=values[0])
    features = person_features(mentions, cases)
    ids = features["mention_id"].to_numpy(dtype=np.int64)
    prof = profiles(features)
    sweep = {}
    for thr in values:
        labels = constrained_clusters(ids, prof, links[links["match_probability"] >= thr])
        s = pairwise_scores(
            zip(ids.tolist(), labels.tolist(), strict=True),
            truth[["mention_id", "person_id"]].itertuples(index=False, name=None),
        )
        sweep[str(thr)] = {k: round(s[k], 4) for k in ("precision", "recall", "f1")}
        print(json.dumps({"threshold": thr, **sweep[str(thr)]}), file=sys.stderr)
    result["sweep"] = sweep


def _print_errors(
    mentions: pd.DataFrame, truth: pd.DataFrame, assignments: pd.DataFrame, n: int
) -> None:
    """Show a few split and merged true persons (for tuning)."""
    both = truth.merge(assignments, on="mention_id")
    split = both.groupby("person_id")["entity_id"].nunique()
    merged = both.groupby("entity_id")["person_id"].nunique()
    cols = ["mention_id", "role", "name", "dob", "sex", "address", "postcode", "phone"]
    rng = np.random.default_rng(0)
    for label, ids, key in (
        ("SPLIT", split[split > 1].index, "person_id"),
        ("MERGED", merged[merged > 1].index, "entity_id"),
    ):
        print(f"--- {label}: {len(ids)}", file=sys.stderr)
        for pid in rng.choice(np.asarray(ids), size=min(n, len(ids)), replace=False):
            rows = both[both[key] == pid].merge(mentions[cols], on="mention_id")
            print(rows[[*cols, "person_id", "entity_id"]].to_string(index=False), file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mentions", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--threshold", type=float, default=0.4)
    parser.add_argument(
        "--sweep", default=None, help="comma-separated thresholds to score (tuning seed only)"
    )
    parser.add_argument("--u-max-pairs", type=float, default=5e6)
    parser.add_argument("--em-max-pairs", type=float, default=2e6)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--errors", type=int, default=0, help="print N split/merged examples")
    parser.add_argument("--log", default=None, help="append the JSON line to this file")
    args = parser.parse_args()
    result = run(args)
    line = json.dumps(result)
    print(line)
    if args.log:
        with open(args.log, "a", encoding="utf-8") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
