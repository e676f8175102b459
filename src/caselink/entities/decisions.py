"""Reviewers' merges and splits of persons, applied after the clustering.

The person model decides which mentions are one person; a reviewer who knows
better (two brothers with one name, a woman who married and moved) merges two
persons or splits one. A decision names mentions, not person ids, because ids
are rebuilt by each resolution: a merge says "these mentions are one person",
a split says "these mentions (side a) are not the same person as those (side
b)". :func:`apply_decisions` applies them, oldest first, to the assignments of
any resolution, so a later re-resolution (full or incremental, whatever the
model's scoring has become) keeps what the reviewer decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import pandas as pd

Decision = Literal["merge", "split"]


@dataclass(frozen=True)
class PersonDecision:
    """A reviewer's merge or split, over mention ids (the rank of each mention by import)."""

    pk: int
    decision: Decision
    side_a: frozenset[int]
    """Merge: the mentions of the person kept. Split: the mentions split off."""
    side_b: frozenset[int]
    """Merge: the mentions of the person merged in. Split: those they are kept apart from."""
    decided_by: str
    decided_at: datetime
    note: str

    def in_words(self) -> str:
        """Why the resolution differs from the model's here, for the person page."""
        verb = "merged" if self.decision == "merge" else "split off"
        return f"{verb} by reviewer {self.decided_by} on {self.decided_at:%Y-%m-%d}: {self.note}"


def apply_decisions(assignments: pd.DataFrame, decisions: Sequence[PersonDecision]) -> pd.DataFrame:
    """The resolution ``assignments`` (``mention_id, entity_id, match_weight, evidence``)
    with ``decisions`` applied in order (a later decision overrides an earlier one).

    A merge joins every person holding a mention of either side under the id of the
    person holding side a's lowest mention. A split moves the side-a mentions that share
    a person with a side-b mention to a person of their own (``<id>-split<pk>``, the same
    id at every re-resolution). Mentions a decision names that no longer exist are
    ignored. The moved mentions' evidence says who decided, when and why.
    """
    out = assignments.copy().reset_index(drop=True)
    if out.empty or not decisions:
        return out
    out["evidence"] = out["evidence"].astype(object)
    row_of = {int(m): i for i, m in enumerate(out["mention_id"].tolist())}
    entity = out["entity_id"].astype(str).tolist()
    evidence = out["evidence"].tolist()
    for d in sorted(decisions, key=lambda d: d.pk):
        a = sorted(row_of[m] for m in d.side_a if m in row_of)
        b = sorted(row_of[m] for m in d.side_b if m in row_of)
        if not a or not b:
            continue
        if d.decision == "merge":
            keep = entity[a[0]]
            joined = {entity[i] for i in (*a, *b)} - {keep}
            for i, e in enumerate(entity):
                if e in joined:
                    entity[i] = keep
                    evidence[i] = d.in_words()
        else:
            apart = {entity[i] for i in b}
            moved = [i for i in a if entity[i] in apart]
            for i in moved:
                entity[i] = f"{entity[i]}-split{d.pk}"
                evidence[i] = d.in_words()
    out["entity_id"] = entity
    out["evidence"] = evidence
    return out
