"""An upper bound of boosted trees' log-odds from a few features, as a lookup table.

Scoring millions of candidate pairs, most of the boosted model's time goes
into walking its trees for pairs that are nowhere near a link. Given the
values of a few features only (the others free), each tree's largest
reachable leaf bounds its contribution, so the sum over trees bounds the
log-odds. That bound is a step function of those few features that changes
only at the trees' split thresholds, so it is tabulated once, cell by cell
over the thresholds, and read for a pair with one ``searchsorted`` per
feature: a pair whose bound cannot reach the threshold is ruled out without
walking a tree (:meth:`caselink.linkage.models.base.LinkageModelBase.link_probability`).

The bound is exact (never below the trees' log-odds; tested against them),
so ruling a pair out never loses a link; how many pairs it rules out depends
on how much the chosen features carry (distance and days apart carry most).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the trees' module uses this one: no import cycle at run time
    from caselink.linkage.models.boosted import TreeArrays

MAX_CELLS = 1 << 20
"""Largest table (cells; 8 MB of float64): the features are chosen to fit."""


@dataclass(frozen=True)
class TreeTable:
    """The bound tabulated over ``features`` (columns of the trees' feature
    matrix): ``edges[k]`` are feature k's split thresholds, sorted; a value
    ``x`` falls in bin ``searchsorted(edges[k], x)`` (``x <= edge`` goes left,
    as in the trees), a missing value in the last bin, ``len(edges[k]) + 1``.
    ``table`` is indexed by those bins and holds baseline + the sum over trees
    of the largest leaf each can reach."""

    features: tuple[int, ...]
    edges: tuple[np.ndarray, ...]
    table: np.ndarray

    def lookup(self, x: np.ndarray) -> np.ndarray:
        """The bound for each row of the feature matrix ``x``."""
        flat = np.zeros(x.shape[0], dtype=np.int64)
        for f, edges in zip(self.features, self.edges, strict=True):
            values = x[:, f]
            bins = np.searchsorted(edges, values, side="left")
            bins[np.isnan(values)] = len(edges) + 1
            flat = flat * (len(edges) + 2) + bins
        return np.asarray(self.table.ravel()[flat], dtype=float)


def tree_slices(trees: TreeArrays) -> list[tuple[int, int]] | None:
    """(start, end) of each tree's nodes when every tree is one contiguous run
    whose children stay inside it (as exported); ``None`` otherwise."""
    slices = list(pairwise([*trees.roots.tolist(), len(trees.feature)]))
    inner = ~trees.is_leaf
    for start, end in slices:
        if end <= start:
            return None
        part = inner[start:end]
        for child in (trees.left[start:end][part], trees.right[start:end][part]):
            if child.size and (child.min() <= start or child.max() >= end):
                return None
    return slices


def tree_range(trees: TreeArrays, start: int, end: int, baseline: float) -> TreeArrays:
    """Trees ``start .. end - 1`` of ``trees`` (laid out one run of nodes per
    tree, see :func:`tree_slices`) as trees of their own, with ``baseline``."""
    slices = tree_slices(trees)
    if slices is None or not 0 <= start < end <= len(slices):
        raise ValueError(f"no trees {start}..{end - 1} in a layout of {len(slices or [])} trees")
    first, last = slices[start][0], slices[end - 1][1]
    inner = ~trees.is_leaf[first:last]
    left = np.where(inner, trees.left[first:last] - first, trees.left[first:last])
    right = np.where(inner, trees.right[first:last] - first, trees.right[first:last])
    return replace(
        trees,
        feature=trees.feature[first:last],
        threshold=trees.threshold[first:last],
        missing_left=trees.missing_left[first:last],
        left=left,
        right=right,
        is_leaf=trees.is_leaf[first:last],
        value=trees.value[first:last],
        roots=trees.roots[start:end] - first,
        baseline=float(baseline),
    )


def representatives(edges: np.ndarray) -> np.ndarray:
    """A value inside each bin of ``edges`` (``x <= edge`` is the edge's bin):
    the bin's upper edge, just above the last edge, and NaN for the missing bin."""
    above = np.nextafter(edges[-1], np.inf) if len(edges) else 0.0
    return np.concatenate([edges, [above], [np.nan]])


def choose_features(
    trees: TreeArrays, max_cells: int = MAX_CELLS, max_bins: int | None = None
) -> tuple[int, ...]:
    """The features to tabulate: most-split first (a rough measure of what
    a feature decides), each taken while the table stays within ``max_cells``;
    with ``max_bins``, only features of at most that many bins."""
    inner = ~trees.is_leaf
    features = trees.feature[inner]
    splits = np.bincount(features, minlength=int(features.max(initial=-1)) + 1)
    chosen: list[int] = []
    cells = 1
    for f in np.argsort(-splits, kind="stable"):
        if splits[f] == 0:
            break
        bins = len(np.unique(trees.threshold[inner & (trees.feature == f)])) + 2
        if max_bins is not None and bins > max_bins:
            continue
        if cells * bins <= max_cells:
            chosen.append(int(f))
            cells *= bins
    return tuple(chosen)


def tree_table(trees: TreeArrays, features: Sequence[int] | None = None) -> TreeTable:
    """Tabulate the bound of ``trees`` given ``features`` (default: :func:`choose_features`).

    Each tree is first bounded over its own thresholds of those features (a
    few cells), then added to the table through each feature's map from the
    table's bins to the tree's own.
    """
    chosen = tuple(choose_features(trees) if features is None else features)
    inner = ~trees.is_leaf
    edges = tuple(np.unique(trees.threshold[inner & (trees.feature == f)]) for f in chosen)
    cells = math.prod(len(e) + 2 for e in edges)
    if cells > MAX_CELLS:
        raise ValueError(
            f"a table over features {chosen} would hold {cells:,} cells (at most {MAX_CELLS:,})"
        )
    # each table bin's representative value: the bin's upper edge, above the
    # last edge any larger value, the missing bin NaN
    reps = [representatives(e) for e in edges]
    table = np.full(tuple(len(e) + 2 for e in edges), trees.baseline)
    slices = tree_slices(trees)
    if slices is None:
        raise ValueError("the trees are not laid out one run of nodes per tree")
    for start, end in slices:
        table += _tree_bound(trees, start, end, chosen, reps)
    return TreeTable(chosen, edges, table)


def _tree_bound(
    trees: TreeArrays,
    start: int,
    end: int,
    features: tuple[int, ...],
    reps: list[np.ndarray],
) -> np.ndarray:
    """One tree's largest reachable leaf for each table cell, shaped for
    broadcasting against the table (a feature the tree never splits on
    keeps a dimension of 1)."""
    inner = ~trees.is_leaf[start:end]
    feature = trees.feature[start:end]
    threshold = trees.threshold[start:end]
    # per table feature, the tree's own thresholds (none: the tree never asks)
    local = [np.unique(threshold[inner & (feature == f)]) for f in features]
    own_reps = [representatives(own) if len(own) else np.zeros(1) for own in local]
    shape = tuple(len(r) for r in own_reps)
    grids = np.meshgrid(*own_reps, indexing="ij") if features else []
    value = reachable_leaf(trees, start, features, [g.ravel() for g in grids], int(np.prod(shape)))
    small = value.reshape(shape)
    # the tree's bin of each table bin: the same decision at each of its thresholds
    index = []
    for k, own in enumerate(local):
        if not len(own):
            index.append(np.zeros(1, dtype=np.int64))
            continue
        rep = reps[k]
        b = np.searchsorted(own, rep, side="left")
        b[np.isnan(rep)] = len(own) + 1
        index.append(b)
    out = small[np.ix_(*index)] if index else small
    return np.asarray(out, dtype=float)


def reachable_leaf(
    trees: TreeArrays, node: int, features: tuple[int, ...], values: list[np.ndarray], n: int
) -> np.ndarray:
    """The largest leaf reachable from ``node`` for each of ``n`` points whose
    ``features`` have ``values`` (the other features free): the leaf itself
    when ``features`` hold every feature the tree splits on."""
    if trees.is_leaf[node]:
        return np.full(n, float(trees.value[node]))
    left = reachable_leaf(trees, int(trees.left[node]), features, values, n)
    right = reachable_leaf(trees, int(trees.right[node]), features, values, n)
    f = int(trees.feature[node])
    if f not in features:
        return np.asarray(np.maximum(left, right), dtype=float)
    x = values[features.index(f)]
    goes_left = np.where(np.isnan(x), bool(trees.missing_left[node]), x <= trees.threshold[node])
    return np.where(goes_left, left, right)
