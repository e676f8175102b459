"""Where each true FEBRL pair a system misses is lost, pair by pair, for caselink and plain Splink.

For FEBRL3 and FEBRL4 (written as ``entities_febrl.py`` writes them), every
true pair of records that a system's clusters do not join is put in one
class:

* ``a_not_candidate``: no blocking rule of the system makes it a candidate
  pair (it is never compared);
* ``b_below_threshold``: compared, but scored under the system's
  threshold (caselink: the resolver's, 0.35; Splink: 0.9);
* ``c_not_joined``: scored at or above the threshold, yet its two records
  end in different clusters (caselink's clustering weighed a contradiction
  or an identifier disagreement against the join; connected components,
  as plain Splink uses, cannot do that).

Each missed pair is also marked ``chained`` when a path of true pairs
scored at or above the threshold joins its two records anyway (a pair
never compared may still be found through a third record). Prints a JSON
summary per set and system, and examples of each class, the fields side
by side.

Usage::

    .venv/bin/python benchmarks/entities_febrl_pairs.py [--sets febrl3,febrl4] [--examples 6] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from caselink.entities import PersonResolver
from caselink.entities.evidence import level_labels
from caselink.entities.people_file import read_people_file
from caselink.entities.persons import _fetch, _links
from entities_febrl import cluster_pairs, febrl, plain_splink_linker, to_people_csv
from machine import describe

SPLINK_THRESHOLD = 0.9


def _components(pairs: list[tuple[int, int]], nodes: list[int]) -> dict[int, int]:
    g: nx.Graph[int] = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from(pairs)
    return {m: i for i, c in enumerate(nx.connected_components(g)) for m in c}


def classify(
    missed: set[tuple[int, int]],
    scored: dict[tuple[int, int], float],
    threshold: float,
    truth: pd.Series,
) -> dict[str, list[tuple[int, int]]]:
    """Each missed pair in its class (see the module docstring); ``chained`` beside."""
    true_above = [
        p for p, prob in scored.items() if prob >= threshold and truth[p[0]] == truth[p[1]]
    ]
    comp = _components(true_above, [int(m) for m in truth.index])
    kinds: dict[str, list[tuple[int, int]]] = {
        "a_not_candidate": [],
        "b_below_threshold": [],
        "c_not_joined": [],
        "chained": [],
    }
    for p in sorted(missed):
        prob = scored.get(p)
        if prob is None:
            kinds["a_not_candidate"].append(p)
        elif prob < threshold:
            kinds["b_below_threshold"].append(p)
        else:
            kinds["c_not_joined"].append(p)
        if comp[p[0]] == comp[p[1]]:
            kinds["chained"].append(p)
    return kinds


def caselink_run(
    frame: pd.DataFrame, threshold: float | None = None
) -> tuple[pd.Series, dict[tuple[int, int], float], float, dict[tuple[int, int], str]]:
    """caselink's clusters, every blocked pair's probability, the threshold,
    and every blocked pair's name / dob / address levels."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.csv"
        to_people_csv(frame, path)
        mentions = read_people_file(path)
    resolver = (PersonResolver() if threshold is None else PersonResolver(threshold)).fit(mentions)
    resolution = resolver.resolve(mentions)
    features = resolver._features(mentions, None)
    linker = resolver._trained_linker(features)
    raw = _fetch(linker, linker.inference.predict(warning_mode="never"))
    every = _links(raw)
    labels = level_labels()
    levels = {}
    for row in raw.itertuples(index=False):
        a, b = sorted((int(row.mention_id_l), int(row.mention_id_r)))
        levels[(a, b)] = " / ".join(
            labels[c][int(getattr(row, f"gamma_{c}"))] for c in ("name", "dob", "address")
        )
    scored = {
        (int(a), int(b)): float(p)
        for a, b, p in zip(
            every["mention_id_l"], every["mention_id_r"], every["match_probability"], strict=True
        )
    }
    pred = resolution.assignments.set_index("mention_id")["entity_id"]
    return pred, scored, resolver.threshold, levels


def splink_run(frame: pd.DataFrame) -> tuple[pd.Series, dict[tuple[int, int], float]]:
    """Plain Splink as ``entities_febrl.plain_splink``: clusters and every blocked pair."""
    data = frame.reset_index().rename(columns={"rec_id": "unique_id"})
    data["unique_id"] = np.arange(len(data))
    linker = plain_splink_linker(data)
    every = linker.inference.predict()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(every, SPLINK_THRESHOLD)
    out = clusters.as_pandas_dataframe()  # type: ignore[no-untyped-call]
    pred = pd.Series(out["cluster_id"].to_numpy(), index=out["unique_id"].astype(int).to_numpy())
    pairs = every.as_pandas_dataframe()  # type: ignore[no-untyped-call]
    scored = {
        (min(int(a), int(b)), max(int(a), int(b))): float(p)
        for a, b, p in zip(
            pairs["unique_id_l"], pairs["unique_id_r"], pairs["match_probability"], strict=True
        )
    }
    return pred, scored


COLS = ["given_name", "surname", "date_of_birth", "street_number", "address_1", "postcode"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="febrl3,febrl4")
    parser.add_argument("--examples", type=int, default=6)
    parser.add_argument("--systems", default="caselink,splink")
    parser.add_argument(
        "--threshold", type=float, default=None, help="caselink's (default: the resolver's)"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="also write the summaries (JSON, with the machine)"
    )
    args = parser.parse_args()
    summaries: list[dict[str, Any]] = []
    for name in args.sets.split(","):
        frame = febrl(name)
        raw = frame.reset_index(drop=True).fillna("")
        truth = pd.Series(frame["entity"].to_numpy(), index=np.arange(len(frame)))
        true_pairs = cluster_pairs(truth)
        for system in args.systems.split(","):
            levels: dict[tuple[int, int], str] = {}
            if system == "caselink":
                pred, scored, threshold, levels = caselink_run(frame, args.threshold)
            else:
                pred, scored = splink_run(frame)
                threshold = SPLINK_THRESHOLD
            pred_pairs = cluster_pairs(pred)
            missed = true_pairs - pred_pairs
            wrong = pred_pairs - true_pairs
            kinds = classify(missed, scored, threshold, truth)
            summary: dict[str, Any] = {
                "set": name,
                "system": system,
                "true_pairs": len(true_pairs),
                "candidate_true_pairs": sum(p in scored for p in true_pairs),
                "missed": len(missed),
                "wrong": len(wrong),
            } | {k: len(v) for k, v in kinds.items()}
            if levels:
                summary["b_levels"] = Counter(
                    levels.get(p, "") for p in kinds["b_below_threshold"]
                ).most_common(8)
                summary["c_levels"] = Counter(
                    levels.get(p, "") for p in kinds["c_not_joined"]
                ).most_common(8)
            print(json.dumps(summary), flush=True)
            summaries.append(summary)
            for kind in ("a_not_candidate", "b_below_threshold", "c_not_joined"):
                for a, b in kinds[kind][: args.examples]:
                    p = scored.get((a, b))
                    print(
                        f"  {kind} p={p if p is None else round(p, 3)}"
                        f" {levels.get((a, b), '')}\n"
                        f"    {raw.loc[a, COLS].tolist()}\n    {raw.loc[b, COLS].tolist()}"
                    )
    if args.out is not None:
        args.out.write_text(json.dumps({"machine": describe(), "runs": summaries}, indent=2))
        print(f"-> {args.out}")


if __name__ == "__main__":
    main()
