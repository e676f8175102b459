"""Why plain Splink beats caselink on FEBRL: where each missed true pair is lost.

Resolves one FEBRL data set (as ``entities_febrl.py`` writes it) with
caselink, scoring every blocked pair down to ``--floor``, and sorts each
true pair caselink's persons miss into:

* ``not_scored``: no blocking rule reaches it (not even through a chain of
  scored true pairs: a pair whose two mentions are joined through a third
  counts as reachable);
* ``below_threshold``: scored, but under the resolver's threshold (and no
  chain of true links above it joins the two);
* ``refused``: joined by a chain of true links at or above the threshold,
  yet split by the clustering (a contradiction or identifier disagreement
  weighed against the join);

and each false pair caselink adds into ``direct`` (one link) or
``chained``. ``missed_levels`` counts the missed pairs that were scored at
all by the levels they fell in (name, dob, address): what a missed
duplicate looks like to the model. Plain Splink's clusters in the same run are compared: how many
of caselink's missed pairs Splink found. Prints a JSON summary and a few
examples of each kind.

Usage::

    .venv/bin/python benchmarks/entities_febrl_diagnose.py [--set febrl3] [--examples 8]
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
from caselink.entities.features import person_features
from caselink.entities.people_file import read_people_file
from entities_febrl import cluster_pairs, febrl, plain_splink, to_people_csv


def _joined(pairs: pd.DataFrame, truth: pd.Series) -> dict[int, int]:
    """Component of each mention in the graph of ``pairs`` restricted to true pairs."""
    g: nx.Graph[int] = nx.Graph()
    g.add_nodes_from(int(m) for m in truth.index)
    same = (
        truth.reindex(pairs["mention_id_l"]).to_numpy()
        == truth.reindex(pairs["mention_id_r"]).to_numpy()
    )
    g.add_edges_from(
        zip(
            pairs.loc[same, "mention_id_l"].astype(int),
            pairs.loc[same, "mention_id_r"].astype(int),
            strict=True,
        )
    )
    comp: dict[int, int] = {}
    for i, c in enumerate(nx.connected_components(g)):
        for m in c:
            comp[m] = i
    return comp


def _missed_levels(
    resolver: PersonResolver, mentions: pd.DataFrame, missed: set[tuple[int, int]]
) -> list[tuple[str, int]]:
    """Missed pairs scored by any blocking rule, counted by their name / dob / address levels."""
    from caselink.entities.evidence import level_labels
    from caselink.entities.persons import _fetch

    features = resolver._features(mentions, None)
    linker = resolver._trained_linker(features)
    every = _fetch(
        linker, linker.inference.predict(threshold_match_probability=1e-12, warning_mode="never")
    )
    labels = level_labels()
    counts: Counter[str] = Counter()
    for row in every.itertuples(index=False):
        a, b = sorted((int(row.mention_id_l), int(row.mention_id_r)))
        if (a, b) in missed:
            key = " / ".join(
                labels[c][int(getattr(row, f"gamma_{c}"))] for c in ("name", "dob", "address")
            )
            counts[key] += 1
    return counts.most_common(12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", default="febrl3")
    parser.add_argument("--floor", type=float, default=0.001)
    parser.add_argument("--examples", type=int, default=8)
    args = parser.parse_args()

    frame = febrl(args.set)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.csv"
        truth_frame = to_people_csv(frame, path)
        mentions = read_people_file(path)
    truth = truth_frame.set_index("mention_id")["entity"]
    resolver = PersonResolver().fit(mentions)
    resolution = resolver.resolve(mentions)
    scored = resolver.score(mentions, threshold=args.floor)
    pred = resolution.assignments.set_index("mention_id")["entity_id"]

    true_pairs = cluster_pairs(truth)
    pred_pairs = cluster_pairs(pred)
    missed = true_pairs - pred_pairs
    wrong = pred_pairs - true_pairs

    above = scored.loc[scored["match_probability"] >= resolver.threshold]
    comp_any = _joined(scored, truth)
    comp_above = _joined(above, truth)
    kinds: dict[str, list[tuple[int, int]]] = {
        "not_scored": [],
        "below_threshold": [],
        "refused": [],
    }
    for a, b in missed:
        if comp_any[a] != comp_any[b]:
            kinds["not_scored"].append((a, b))
        elif comp_above[a] != comp_above[b]:
            kinds["below_threshold"].append((a, b))
        else:
            kinds["refused"].append((a, b))

    direct = {
        (int(a), int(b)) for a, b in zip(above["mention_id_l"], above["mention_id_r"], strict=True)
    }
    wrong_direct = [p for p in wrong if p in direct]

    splink = plain_splink(frame)
    rec_to_mention = pd.Series(np.arange(len(frame)), index=frame.index)
    splink_labels = pd.Series(
        splink["cluster_id"].to_numpy(),
        index=rec_to_mention.reindex(splink["unique_id"]).to_numpy(),
    )
    splink_pairs = cluster_pairs(splink_labels)

    features = person_features(mentions).set_index("mention_id")
    cols = ["first_name", "surname", "dob_str", "address_line", "postcode"]
    pair_prob = {
        (int(a), int(b)): (round(float(p), 3), e)
        for a, b, p, e in zip(
            scored["mention_id_l"],
            scored["mention_id_r"],
            scored["match_probability"],
            scored["evidence"],
            strict=True,
        )
    }

    def show(p: tuple[int, int]) -> dict[str, Any]:
        a, b = p
        return {
            "a": features.loc[a, cols].astype(str).tolist(),
            "b": features.loc[b, cols].astype(str).tolist(),
            "p": pair_prob.get(p),
            "splink_joins": p in splink_pairs,
        }

    summary: dict[str, Any] = {
        "set": args.set,
        "true_pairs": len(true_pairs),
        "missed": len(missed),
        "wrong": len(wrong),
        "wrong_direct": len(wrong_direct),
        "splink_missed": len(true_pairs - splink_pairs),
        "splink_wrong": len(splink_pairs - true_pairs),
        "contradiction_weights": resolver.contradiction_weights(),
        "disagreement_weights": resolver.disagreement_weights(),
    }
    for kind, items in kinds.items():
        summary[kind] = len(items)
        summary[f"{kind}_splink_found"] = sum(p in splink_pairs for p in items)
    summary["missed_levels"] = _missed_levels(resolver, mentions, missed)
    print(json.dumps(summary, indent=1))
    rng = np.random.default_rng(0)
    for kind, items in [*kinds.items(), ("wrong", sorted(wrong))]:
        if not items:
            continue
        pick = rng.choice(len(items), size=min(args.examples, len(items)), replace=False)
        print(f"--- {kind}")
        for i in pick:
            print(json.dumps(show(sorted(items)[int(i)])))


if __name__ == "__main__":
    main()
