"""Whether boosted trees' log-odds reach a threshold, most rows decided after a few trees.

Blocking with the trees' bound (:func:`caselink.linkage.bounds.tree_bound`)
asks one question of every candidate pair: can the sum over the trees reach
the threshold? Summing every tree for every pair costs as much as scoring
it, yet nine pairs in ten fall well short. So the trees are read in stages
(the first quarter of the trees, then the next, then the rest: :data:`STAGES`); after each
stage the trees not yet read are bounded by a table over a few categorical
features (:func:`~caselink.linkage.models.tree_table.tree_table`: each unread tree's
largest reachable leaf given those features, summed), and a row whose
partial sum plus that bound falls short is decided: it cannot reach the
threshold, and the later stages read only the rows still open. This is the
early-exit cascade of ranking with tree ensembles, kept exact by the bound:
a row is dropped only when no leaves of the unread trees could lift it to
the threshold, so the rows kept are those whose full sum reaches it (up to
:data:`SLACK`, never fewer; tested against the full sum).

Every stage and table reads the same bins of the features
(:meth:`~caselink.linkage.models.tree_lookup.TreeLookup.bins`, found once
per row); trees too large to tabulate have no lookup, and so no cascade.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from caselink.linkage.models.tree_lookup import TreeCells, TreeLookup
from caselink.linkage.models.tree_table import (
    choose_features,
    tree_range,
    tree_slices,
    tree_table,
)

if TYPE_CHECKING:  # the trees' module uses this one: no import cycle at run time
    from caselink.linkage.models.boosted import TreeArrays

STAGES = (0.25, 0.5)
"""The share of the trees read before each early exit. On the 258-tree bound
of a model trained at 100,000 cases (design A), deciding a million real rule
pairs in blocks: 3.4-3.6 s summing every tree, 2.0-2.1 s with exits after a
quarter and half of the trees, 2.4-2.7 s after 32 and 96 trees, 2.8-3.0 s
after a quarter only (one thread, scratch timings; the end-to-end figure is
``benchmarks/boosted_bound.py``'s)."""

REST_MAX_BINS = 20
"""The unread trees' table is over features of at most this many bins (the
most split of them, within the table's cells): the categorical agreements.
Distance and days apart, with dozens of thresholds each, would fill the
table for little, as every candidate pair is already near in both (on the
bound above, pairs still open after a quarter and half of the trees: 64%
and 22% of a rule's million pairs, against 76% and 30% with the most split
features whatever their bins)."""

SLACK = 1e-6
"""Log-odds margin: a row is dropped only when it falls short by more than
this (the stages and the tables sum the same leaves in other orders)."""


@dataclass(frozen=True)
class TreeCascade:
    """Every tree in ``lookup``, read in stages that end at the trees
    ``cuts``; ``rest[s]`` bounds the trees after ``cuts[s]`` (a table over a
    few features, read from the same bins)."""

    lookup: TreeLookup
    cuts: tuple[int, ...]
    rest: tuple[TreeCells, ...]

    def reaches(self, x: np.ndarray, needed: float | np.ndarray) -> np.ndarray:
        """True for each row of the feature matrix ``x`` whose log-odds can
        reach ``needed`` (one number, or one per row): every row whose full
        sum does, and none that falls short of it by more than :data:`SLACK`."""
        bins = self.lookup.bins(x)
        rows = np.arange(x.shape[0])
        need = np.broadcast_to(np.asarray(needed, dtype=float) - SLACK, (x.shape[0],))
        partial = np.full(x.shape[0], self.lookup.baseline)
        start = 0
        for end, rest in zip(self.cuts, self.rest, strict=True):
            partial = self.lookup.leaves(bins, start, end, 0.0) + partial
            still = partial + TreeLookup.read(rest, bins) >= need
            rows, partial, need = rows[still], partial[still], need[still]
            bins = np.ascontiguousarray(bins.compress(still, axis=1))  # rows read whole
            start = end
        partial = self.lookup.leaves(bins, start, len(self.lookup.trees), 0.0) + partial
        out = np.zeros(x.shape[0], dtype=bool)
        out[rows[partial >= need]] = True
        return out


def tree_cascade(
    trees: TreeArrays, lookup: TreeLookup, stages: tuple[float, ...] = STAGES
) -> TreeCascade | None:
    """The cascade of ``trees``, read by their ``lookup`` (from
    :func:`~caselink.linkage.models.tree_lookup.tree_lookup`), with an early
    exit after each share of the trees in ``stages``; ``None`` when the
    trees are not laid out one run of nodes per tree or there are none."""
    slices = tree_slices(trees)
    if not slices:
        return None
    n = len(slices)
    cuts = tuple(sorted({k for k in (round(n * share) for share in stages) if 0 < k < n}))
    rest = []
    for k in cuts:
        rest_trees = tree_range(trees, k, n, 0.0)
        table = tree_table(rest_trees, choose_features(rest_trees, max_bins=REST_MAX_BINS))
        rest.append(lookup.cells(table.features, table.edges, table.table))
    return TreeCascade(lookup, cuts, tuple(rest))
