"""Can the person model weigh its comparisons jointly without labels? Latent classes, measured.

``entities_ceiling.py`` found that on FEBRL the 0.995 target is out of reach
of every Fellegi-Sunter model, even one told the true m and u, while models
that weigh comparisons jointly with labels reach it. This benchmark tries
the two ways to weigh them jointly that need no labels or keep the model a
Fellegi-Sunter one, on caselink's own candidate pairs and comparison levels
(the same pairs and ``gamma_*`` levels as the ceiling benchmark):

* ``latent_KxL``: a latent class model (a finite mixture of product
  multinomials; Larsen and Rubin 2001, Dunson and Xing 2009) over each pair's
  comparison levels, with K classes that together are "the same person" and
  L that together are "not", each class with its own independent level
  probabilities, so that the mixture expresses dependence between
  comparisons within "same" and within "not". Fitted by EM on the
  candidate pairs' level patterns, started from caselink's own pair
  probabilities (so that "same" means what caselink's model means by it,
  each side split at random among its classes), add-half smoothing, five
  random starts, the start with the highest likelihood kept (without labels
  there is nothing else to choose by); ``latent_1x1`` is the classic
  two-class model (Fellegi-Sunter by EM on every candidate pair at once).
  Levels only: no term-frequency adjustments (they made every latent model
  worse on FEBRL in this benchmark's exploration).
* ``supervised_fs_joint_A_B``: Fellegi-Sunter out of fold with the true m and
  u, as in the ceiling benchmark, but with comparisons A and B read as one
  comparison whose levels are every pair of their levels: what a Splink
  model with one two-field comparison could reach at best.

Each model's pair probabilities are clustered by caselink's clustering and
scored pairwise against the truth at caselink's threshold (0.35) and at the
best threshold for the outcome (which flatters the model). caselink's own
pair scores (``caselink_pairs``) are the baseline in the same run; for the
latent models, ``f1_at_0.35_by_start`` shows every start, so that the
spread between starts is visible.

Sources: FEBRL3 and FEBRL4 (not designed here; people only, as
``entities_febrl.py`` writes them) and the synthetic designs A and B
(``caselink synth``, ``--mentions`` mentions, seed 11).

Usage::

    .venv/bin/python benchmarks/entities_latent_classes.py [--sets febrl3,febrl4,A,B] [--mentions 50000]

Writes ``benchmarks/results/entities_latent_classes.json`` (with the machine).
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from entities_ceiling import (
    arguments,
    candidates,
    clustered,
    supervised_fs_out_of_fold,
)
from machine import describe

RESULTS = Path(__file__).parent / "results"
CLASSES = ((1, 1), (2, 2), (2, 3), (3, 3))
"""(classes for "same person", classes for "not") of each latent model tried."""
STARTS = (0, 1, 2, 3, 4)
IDENTITY = ("name", "dob", "address")
"""The comparisons read jointly in pairs by the supervised joint models."""
DEFAULT_THRESHOLD = "0.35"


def latent_classes(
    x: np.ndarray,
    same: np.ndarray,
    k_same: int,
    k_not: int,
    seed: int,
    iterations: int = 500,
    smoothing: float = 0.5,
) -> tuple[np.ndarray, float]:
    """Fit a latent class model to the level patterns ``x`` (a row per pair, ``-1``
    for a missing level); return each pair's log-odds of "same" and the fit's
    log-likelihood.

    ``same`` is the starting probability that each pair is one person; each
    side's share is split at random (``seed``) among its ``k_same`` or
    ``k_not`` classes. EM over distinct patterns, weighted by their counts,
    until the log-likelihood gains less than a millionth of itself.
    """
    patterns, inverse, counts = np.unique(x, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    n, width = patterns.shape
    levels = []
    for j in range(width):
        values, index = np.unique(patterns[:, j], return_inverse=True)
        index = index.ravel() - int((values < 0).sum())  # missing (-1) sorts first
        levels.append((index, int((values >= 0).sum())))
    start = np.bincount(inverse, weights=same, minlength=n) / counts
    rng = np.random.default_rng(seed)
    classes = k_same + k_not
    resp = np.hstack(
        [
            start[:, None] * rng.dirichlet(np.ones(k_same), size=n),
            (1 - start)[:, None] * rng.dirichlet(np.ones(k_not), size=n),
        ]
    )
    previous = -np.inf
    for _ in range(iterations):
        weight = resp * counts[:, None]
        loglik = np.tile(np.log(weight.sum(0) / weight.sum()), (n, 1))
        for index, size in levels:
            seen = index >= 0
            table = np.zeros((size, classes))
            np.add.at(table, index[seen], weight[seen])
            table = (table + smoothing) / (table + smoothing).sum(0)
            loglik[seen] += np.log(table[index[seen]])
        top = loglik.max(1, keepdims=True)
        total = np.exp(loglik - top).sum(1, keepdims=True)
        resp = np.exp(loglik - top) / total
        current = float((counts * (np.log(total.ravel()) + top.ravel())).sum())
        if current - previous < 1e-6 * abs(current):
            break
        previous = current
    log_same = np.logaddexp.reduce(loglik[:, :k_same], axis=1)
    log_not = np.logaddexp.reduce(loglik[:, k_same:], axis=1)
    return (log_same - log_not)[inverse], current


def _probability(log_odds: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-np.clip(log_odds, -700, 700))))


def _judged(at: dict[str, dict[str, float]]) -> dict[str, Any]:
    """F1 at caselink's threshold and at the best one, and every threshold's P, R, F1
    (``at``: :func:`entities_ceiling.clustered`'s result)."""
    best = max(at, key=lambda t: at[t]["f1"])
    return {
        "f1_at_0.35": at[DEFAULT_THRESHOLD]["f1"],
        "best_threshold": float(best),
        "best_f1": at[best]["f1"],
        "at": at,
    }


def _joint(x: np.ndarray, columns: list[int]) -> np.ndarray:
    """``x`` with ``columns`` replaced by one column: each distinct combination of their levels."""
    combined = np.unique(x[:, columns], axis=0, return_inverse=True)[1].ravel()
    rest = [j for j in range(x.shape[1]) if j not in columns]
    return np.column_stack([x[:, rest], combined]).astype(np.float64)


def run(name: str, mentions_wanted: int, seed: int) -> dict[str, Any]:
    c = candidates(name, mentions_wanted, seed)
    x = c.x.astype(np.int64)
    own = c.raw["match_probability"].to_numpy(dtype=np.float64)
    out: dict[str, Any] = {
        "data": name,
        "mentions": c.mentions,
        "candidate_pairs": len(c.raw),
        "level_patterns": len(np.unique(x, axis=0)),
        "caselink": c.caselink,
        "caselink_pairs": _judged(clustered(c, own)),
    }
    for k_same, k_not in CLASSES:
        t0 = time.perf_counter()
        fits = [latent_classes(x, own, k_same, k_not, s) for s in STARTS]
        seconds = time.perf_counter() - t0
        chosen = int(np.argmax([loglik for _, loglik in fits]))
        # every start clustered once: its 0.35 F1 shown, the chosen one's whole
        ats = [clustered(c, _probability(log_odds)) for log_odds, _ in fits]
        by_start = [at[DEFAULT_THRESHOLD]["f1"] for at in ats]
        out[f"latent_{k_same}x{k_not}"] = _judged(ats[chosen]) | {
            "start_chosen": STARTS[chosen],
            "log_likelihood": round(fits[chosen][1], 1),
            "f1_at_0.35_by_start": by_start,
            "seconds_all_starts": round(seconds, 1),
        }
    out["supervised_fs"] = _judged(clustered(c, supervised_fs_out_of_fold(c.x, c.y, c.fold)))
    for a, b in itertools.combinations(IDENTITY, 2):
        columns = [c.comparisons.index(a), c.comparisons.index(b)]
        joint = supervised_fs_out_of_fold(_joint(c.x, columns), c.y, c.fold)
        out[f"supervised_fs_joint_{a}_{b}"] = _judged(clustered(c, joint))
    return out


def main() -> None:
    args = arguments(__doc__, RESULTS / "entities_latent_classes.json")
    runs = []
    for name in args.sets.split(","):
        row = run(name, args.mentions, args.seed)
        summary = {
            k: (
                {m: v[m] for m in ("f1_at_0.35", "best_f1", "best_threshold", "f1") if m in v}
                | ({"by_start": v["f1_at_0.35_by_start"]} if "f1_at_0.35_by_start" in v else {})
            )
            if isinstance(v, dict)
            else v
            for k, v in row.items()
        }
        print(json.dumps(summary), flush=True)
        runs.append(row)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": describe(), "runs": runs}, indent=2) + "\n")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
