"""Cross-validation folds over pairs that never split one offender's cases.

A pair links two cases; each case belongs to an offender group (an offender,
or a set of co-offenders joined together). Groups are dealt to folds; a pair is
in the test part of fold *k* when both its cases' groups are in *k*, in the
training part when neither is, and left out of that fold otherwise. So no
offender has cases on both sides of any split.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike


def pair_groups(groups: ArrayLike, n_pairs: int) -> np.ndarray:
    """Groups as an (n_pairs, 2) object array (a 1-D array means both cases share it)."""
    g = np.asarray(groups, dtype=object)
    if g.ndim == 1:
        g = np.column_stack([g, g])
    if g.shape != (n_pairs, 2):
        raise ValueError(f"groups must have shape ({n_pairs},) or ({n_pairs}, 2), got {g.shape}")
    return g


def offender_pair_folds(
    groups: ArrayLike, n_splits: int = 5, random_state: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index arrays of ``n_splits`` offender-grouped folds.

    Parameters
    ----------
    groups
        Offender group of each pair's two cases, shape (n, 2) (or (n,)).
    n_splits
        Number of folds, at least 2.
    random_state
        Seed for dealing groups to folds.
    """
    if n_splits < 2:
        raise ValueError(f"n_splits must be at least 2, got {n_splits}")
    g = np.asarray(groups, dtype=object)
    g = pair_groups(g, len(g))
    labels, inverse = np.unique(g.astype(str).ravel(), return_inverse=True)
    if len(labels) < n_splits:
        raise ValueError(
            f"n_splits={n_splits} needs at least as many offender groups, got {len(labels)}"
        )
    inv = inverse.reshape(-1, 2)
    weight = np.bincount(inv.ravel(), minlength=len(labels)).astype(float)
    rng = np.random.default_rng(random_state)
    order = np.lexsort((rng.random(len(labels)), -weight))
    fold_of = np.empty(len(labels), dtype=np.int64)
    load = np.zeros(n_splits)
    for gi in order:  # greedy: heaviest group to the lightest fold
        k = int(np.argmin(load))
        fold_of[gi] = k
        load[k] += weight[gi]
    fa, fb = fold_of[inv[:, 0]], fold_of[inv[:, 1]]
    folds = []
    for k in range(n_splits):
        test = np.flatnonzero((fa == k) & (fb == k))
        train = np.flatnonzero((fa != k) & (fb != k))
        folds.append((train, test))
    return folds


def check_binary_labels(y: ArrayLike, name: str = "y") -> np.ndarray:
    """Labels as int 0/1; raises ValueError naming the rule when not both present."""
    arr = np.asarray(y)
    values = set(np.unique(arr).tolist())
    if not values <= {0, 1}:
        raise ValueError(f"{name} must hold 0/1 link labels, got values {sorted(values)[:5]}")
    out = arr.astype(np.int64)
    if out.min(initial=1) == out.max(initial=0) or len(out) == 0:
        raise ValueError(f"{name} must contain both linked (1) and unlinked (0) pairs")
    return out


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function, numerically safe."""
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float))))


def fit_platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling: (a, b) with P(link) = sigmoid(a * score + b), by maximum likelihood."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(np.asarray(scores, dtype=float).reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def out_of_fold(
    fit_score: object,
    n: int,
    groups: ArrayLike | None,
    y: np.ndarray,
    n_splits: int,
    random_state: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold scores: ``fit_score(train_idx, test_idx) -> scores``.

    Returns (indices scored, their scores). Without groups, ordinary stratified
    folds are used.
    """
    from sklearn.model_selection import StratifiedKFold

    folds: Sequence[tuple[np.ndarray, np.ndarray]]
    if groups is not None:
        folds = offender_pair_folds(pair_groups(groups, n), n_splits, random_state)
    else:
        skf = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
        folds = list(skf.split(np.zeros(n), y))
    idx: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    for train, test in folds:
        if len(test) == 0 or len(np.unique(y[train])) < 2:
            continue
        idx.append(test)
        scores.append(np.asarray(fit_score(train, test), dtype=float))  # type: ignore[operator]
    if not idx:
        raise ValueError("no fold had both linked and unlinked training pairs; cannot calibrate")
    return np.concatenate(idx), np.concatenate(scores)
