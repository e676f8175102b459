"""How far the person model's own comparisons can go: supervised ceilings beside caselink.

caselink's person model is unsupervised (Splink's Fellegi-Sunter model, m by
EM, u by random pairs). When it misses a target, is the model's estimation
short, or do its comparisons not hold the evidence? This benchmark answers
on each source by fitting, on the *same* candidate pairs and the *same*
comparison levels caselink scores (every ``gamma_*`` column of its
prediction), models that are told the truth:

* ``supervised_fs``: Fellegi-Sunter with each level's m and u counted from
  the true labels (add-half smoothing) and the true prior: the best weights
  the model family can have;
* ``boosted_trees``: scikit-learn's HistGradientBoostingClassifier on the
  levels and caselink's term-frequency adjustments (every ``mw_tf_adj_*``:
  how much rarer than average the agreeing value is), so every interaction
  between comparisons, which Fellegi-Sunter's independence assumption cannot
  express;
* ``logistic``: a plain logistic regression on the one-hot levels and the
  same term-frequency adjustments (the baseline written plainly).

``supervised_fs`` reads the levels only (no term frequencies), so it can
fall below caselink, whose model has them.

Each is fitted out of fold (5 folds by true person: a pair belongs to the
fold of its first mention's person, so no person's pairs are both trained on
and scored). Each model's pair probabilities, and caselink's own for
comparison (``caselink_pairs``), are judged twice: as pairs (average
precision over the candidate pairs, which no clustering touches) and as
persons, clustered by caselink's own clustering (the resolver's
``cluster``: strongest links first, contradictions weighed) at thresholds
0.2 to 0.95 and scored pairwise against the truth; ``best`` is the
threshold chosen *on the test outcome*, so it flatters the ceiling, as a
ceiling should. ``blocking_recall`` is the share of true pairs that the
candidate pairs join at all (connected components of the true candidate
pairs): no scoring of those pairs can do better. caselink's own result (its
resolver at its default threshold, with its clustering) is from the same
run.

Sources: FEBRL3 and FEBRL4 (not designed here; as ``entities_febrl.py``
writes them, people only) and the synthetic designs A and B
(``caselink synth``, ``--mentions`` mentions, seed 11).

Usage::

    .venv/bin/python benchmarks/entities_ceiling.py [--sets febrl3,febrl4,A,B] [--mentions 50000]

Writes ``benchmarks/results/entities_ceiling.json`` (with the machine).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.preprocessing import OneHotEncoder

sys.path.insert(0, str(Path(__file__).resolve().parent))
from caselink.entities import PersonResolver, pairwise_scores
from caselink.entities.people_file import read_people_file
from caselink.entities.persons import _fetch, _links
from caselink.synth import generate
from entities_febrl import febrl, to_people_csv
from entities_person_resolution import MENTIONS_PER_CASE
from machine import describe

RESULTS = Path(__file__).parent / "results"
THRESHOLDS = (0.2, 0.35, 0.5, 0.7, 0.9, 0.95)
FOLDS = 5


def _source(
    name: str, mentions_wanted: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.Series]:
    """(mentions, cases or None, true person of each mention_id) of one source."""
    if name.startswith("febrl"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "people.csv"
            truth = to_people_csv(febrl(name), path)
            mentions = read_people_file(path)
        person = pd.Series(truth.iloc[:, 1].to_numpy(), index=truth.iloc[:, 0].to_numpy())
        return mentions, None, person
    n_cases = max(10, round(mentions_wanted / MENTIONS_PER_CASE))
    data = generate(n_cases, seed=seed, design=name)
    person = data.truth_people.set_index("mention_id")["person_id"]
    return data.people, data.cases, person


def _labels(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components of ``n`` nodes joined by the pairs (left[i], right[i])."""
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    return np.asarray(connected_components(graph, directed=False)[1])


def _pairwise(pred: np.ndarray, true: np.ndarray) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering (labels aligned with the truth's)."""
    mentions = range(len(true))
    scores = pairwise_scores(zip(mentions, pred, strict=True), zip(mentions, true, strict=True))
    return {k: round(float(scores[k]), 4) for k in ("precision", "recall", "f1")}


def _supervised_fs(x: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Fellegi-Sunter log-odds with each level's m and u counted from the labels."""
    prior = y[train].mean()
    score = np.full(int(test.sum()), np.log(prior / (1 - prior)))
    matches, others = train & (y == 1), train & (y == 0)
    for j in range(x.shape[1]):
        levels = np.unique(x[:, j])
        for v in levels:
            m = ((x[matches, j] == v).sum() + 0.5) / (matches.sum() + 0.5 * len(levels))
            u = ((x[others, j] == v).sum() + 0.5) / (others.sum() + 0.5 * len(levels))
            score[x[test, j] == v] += np.log(m / u)
    return np.asarray(1 / (1 + np.exp(-score)))


def supervised_fs_out_of_fold(x: np.ndarray, y: np.ndarray, fold: np.ndarray) -> np.ndarray:
    """Each pair's probability under Fellegi-Sunter with m and u counted from the
    labels of the other folds (``x`` the comparison levels)."""
    out = np.zeros(len(y))
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        if test.any():
            out[test] = _supervised_fs(x, y, train, test)
    return out


def _out_of_fold(
    x: np.ndarray, tf: np.ndarray, y: np.ndarray, fold: np.ndarray
) -> dict[str, np.ndarray]:
    """Each supervised model's probability of each pair, fitted without its fold
    (``x`` the comparison levels, ``tf`` the term-frequency adjustments)."""
    out = {k: np.zeros(len(y)) for k in ("boosted_trees", "logistic")}
    out["supervised_fs"] = supervised_fs_out_of_fold(x, y, fold)
    onehot = np.asarray(OneHotEncoder(sparse_output=False).fit_transform(x))
    both = np.hstack([x, tf])
    wide = np.hstack([onehot, tf])
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        if not test.any():
            continue
        trees = HistGradientBoostingClassifier(max_iter=300, random_state=0)
        trees.fit(both[train], y[train])
        out["boosted_trees"][test] = trees.predict_proba(both[test])[:, 1]
        logistic = LogisticRegression(max_iter=5000, C=1.0)
        logistic.fit(wide[train], y[train])
        out["logistic"][test] = logistic.predict_proba(wide[test])[:, 1]
    return out


@dataclass
class Candidates:
    """caselink's resolution of one source and every candidate pair it compares.

    ``x`` holds each pair's comparison levels (the ``gamma_*`` columns named in
    ``comparisons``), ``tf`` its term-frequency adjustments, ``y`` whether its
    two mentions are truly one person, ``fold`` the pair's fold (by its first
    mention's true person); ``features`` and ``true`` are the clustered
    mentions and their true persons, as the resolver's ``cluster`` sees them.
    """

    resolver: PersonResolver
    mentions: int
    caselink: dict[str, Any]
    raw: pd.DataFrame
    comparisons: list[str]
    adjustments: list[str]
    x: np.ndarray
    tf: np.ndarray
    y: np.ndarray
    fold: np.ndarray
    blocking_recall: float
    features: pd.DataFrame
    true: np.ndarray


def candidates(name: str, mentions_wanted: int, seed: int) -> Candidates:
    """Resolve one source with caselink and gather its candidate pairs (:class:`Candidates`)."""
    mentions, cases, person = _source(name, mentions_wanted, seed)
    t0 = time.perf_counter()
    resolver = PersonResolver(seed=seed).fit(mentions, cases)
    resolution = resolver.resolve(mentions, cases)
    seconds = time.perf_counter() - t0
    ids = mentions["mention_id"].astype("int64").to_numpy()
    position = pd.Series(np.arange(len(ids)), index=ids)
    true = pd.factorize(person.reindex(ids).to_numpy())[0]
    assigned = resolution.assignments.set_index("mention_id")["entity_id"].reindex(ids)
    own = _pairwise(pd.factorize(assigned.to_numpy())[0], true) | {
        "threshold": resolver.threshold,
        "seconds": round(seconds, 1),
    }
    # every candidate pair caselink compares, with its comparison levels
    features = resolver._features(mentions, cases)
    linker = resolver._trained_linker(features)
    raw = _fetch(linker, linker.inference.predict(warning_mode="never"))
    gammas = sorted(c for c in raw.columns if c.startswith("gamma_"))
    left = position.reindex(raw["mention_id_l"].astype("int64").to_numpy()).to_numpy()
    right = position.reindex(raw["mention_id_r"].astype("int64").to_numpy()).to_numpy()
    y = (true[left] == true[right]).astype(np.int64)
    adjustments = sorted(c for c in raw.columns if c.startswith("mw_tf_adj_"))
    reach = _labels(len(ids), left[y == 1], right[y == 1])
    clustered_ids = features["mention_id"].to_numpy(dtype=np.int64)
    return Candidates(
        resolver=resolver,
        mentions=len(ids),
        caselink=own,
        raw=raw,
        comparisons=[g.removeprefix("gamma_") for g in gammas],
        adjustments=[a.removeprefix("mw_tf_adj_") for a in adjustments],
        x=raw[gammas].to_numpy(dtype=np.float64),
        tf=raw[adjustments].fillna(0.0).to_numpy(dtype=np.float64),
        y=y,
        fold=(true[left] * 2654435761 % 2**32) % FOLDS,
        blocking_recall=_pairwise(reach, true)["recall"],
        features=features,
        true=pd.factorize(person.reindex(clustered_ids).to_numpy())[0],
    )


def clustered(c: Candidates, p: np.ndarray) -> dict[str, dict[str, float]]:
    """P, R, F1 of persons clustered by caselink's clustering from pair probabilities
    ``p`` (aligned with ``c.raw``), at each of :data:`THRESHOLDS`."""
    scored = c.raw.assign(
        match_probability=p,
        match_weight=np.log2(np.clip(p, 1e-12, 1 - 1e-12) / np.clip(1 - p, 1e-12, None)),
    )
    links = _links(scored)
    out = {}
    for t in THRESHOLDS:
        labels = c.resolver.cluster(c.features, links, threshold=t)
        out[str(t)] = _pairwise(pd.factorize(labels)[0], c.true)
    return out


def run(name: str, mentions_wanted: int, seed: int) -> dict[str, Any]:
    c = candidates(name, mentions_wanted, seed)
    out: dict[str, Any] = {
        "data": name,
        "mentions": c.mentions,
        "caselink": c.caselink,
        "candidate_pairs": len(c.raw),
        "comparisons": c.comparisons,
        "term_frequency_adjustments": c.adjustments,
        "true_candidate_pairs": int(c.y.sum()),
        "blocking_recall": c.blocking_recall,
    }
    scores = _out_of_fold(c.x, c.tf, c.y, c.fold)
    scores["caselink_pairs"] = c.raw["match_probability"].to_numpy(dtype=np.float64)
    for model, p in scores.items():
        by_threshold = clustered(c, p)
        best = max(by_threshold, key=lambda t: by_threshold[t]["f1"])
        out[model] = {
            "pair_average_precision": round(float(average_precision_score(c.y, p)), 4),
            "best_threshold": float(best),
            **by_threshold[best],
            "at": by_threshold,
        }
    return out


def arguments(doc: str | None, out: Path) -> argparse.Namespace:
    """The command line both person-model benchmarks take: sources, synthetic size, seed, output."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n")[0])
    parser.add_argument("--sets", default="febrl3,febrl4,A,B")
    parser.add_argument("--mentions", type=int, default=50_000, help="synthetic mentions")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=out)
    return parser.parse_args()


def main() -> None:
    args = arguments(__doc__, RESULTS / "entities_ceiling.json")
    runs = []
    for name in args.sets.split(","):
        row = run(name, args.mentions, args.seed)
        summary = {k: v for k, v in row.items() if not isinstance(v, dict)} | {
            k: {m: v[m] for m in ("f1", "precision", "recall", "pair_average_precision") if m in v}
            | ({"t": v["best_threshold"]} if "best_threshold" in v else {})
            for k, v in row.items()
            if isinstance(v, dict)
        }
        print(json.dumps(summary), flush=True)
        runs.append(row)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": describe(), "runs": runs}, indent=2) + "\n")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
