"""A reviewer's merges and splits, applied after any clustering, oldest first."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from caselink.entities.decisions import PersonDecision, apply_decisions

WHEN = datetime(2026, 12, 2, 8, 0)


def frame(entities: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mention_id": list(range(len(entities))),
            "entity_id": entities,
            "match_weight": [None] * len(entities),
            "evidence": ["model"] * len(entities),
        }
    )


def decision(pk: int, kind: str, a: set[int], b: set[int]) -> PersonDecision:
    return PersonDecision(pk, kind, frozenset(a), frozenset(b), "rev", WHEN, "why")  # type: ignore[arg-type]


def test_a_split_moves_the_named_mentions_to_a_person_of_their_own() -> None:
    out = apply_decisions(frame(["P0", "P0", "P0", "P3"]), [decision(7, "split", {2}, {0, 1})])
    assert out["entity_id"].tolist() == ["P0", "P0", "P0-split7", "P3"]
    assert out.loc[2, "evidence"] == "split off by reviewer rev on 2026-12-02: why"
    assert out.loc[0, "evidence"] == "model"


def test_a_split_is_kept_when_the_model_joins_them_again_and_is_idempotent() -> None:
    split = [decision(7, "split", {2}, {0, 1})]
    again = apply_decisions(frame(["P0", "P0", "P0", "P0", "P4"]), split)  # a new mention 3
    assert again["entity_id"].tolist() == ["P0", "P0", "P0-split7", "P0", "P4"]
    assert apply_decisions(again, split)["entity_id"].tolist() == again["entity_id"].tolist()
    # the model now keeps them apart anyway: nothing to undo
    apart = apply_decisions(frame(["P0", "P0", "P2"]), split)
    assert apart["entity_id"].tolist() == ["P0", "P0", "P2"]


def test_a_merge_joins_every_person_holding_a_named_mention() -> None:
    out = apply_decisions(frame(["P0", "P0", "P2", "P2", "P4"]), [decision(1, "merge", {0}, {2})])
    assert out["entity_id"].tolist() == ["P0", "P0", "P0", "P0", "P4"]
    assert out.loc[3, "evidence"].startswith("merged by reviewer rev")


def test_decisions_apply_oldest_first_and_ignore_mentions_that_are_gone() -> None:
    merge, split = decision(1, "merge", {0}, {2}), decision(2, "split", {2}, {0})
    out = apply_decisions(frame(["P0", "P1", "P2"]), [split, merge])  # given out of order
    assert out["entity_id"].tolist() == ["P0", "P1", "P0-split2"]
    gone = apply_decisions(frame(["P0", "P1"]), [decision(3, "merge", {0}, {9})])
    assert gone["entity_id"].tolist() == ["P0", "P1"]
