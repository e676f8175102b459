"""Blocking adapts to density: a budget of candidate pairs per case, not a fixed reach."""

from __future__ import annotations

import pandas as pd
import pytest

from caselink.linkage import LinkageEngine
from caselink.linkage.blocking import BlockingRule, scaled_rules
from caselink.synth import generate


def _doubled(n: int) -> tuple[pd.DataFrame, pd.DataFrame, object]:
    """A city of ``n`` cases and the same area with twice the cases (a second draw merged in)."""
    one = generate(n, seed=1)
    two = generate(n, seed=2).cases.copy()
    two["case_id"] = "X" + two["case_id"].astype(str)
    two["offender_id"] = two["offender_id"].map(lambda v: v if pd.isna(v) else "X" + str(v))
    return one.cases, pd.concat([one.cases, two], ignore_index=True), one.schema


def test_twice_the_density_does_not_double_the_pairs_per_case() -> None:
    single, doubled, schema = _doubled(800)
    declared = LinkageEngine(single, schema, candidates_per_case=1e12)
    assert declared.reach is not None and declared.reach.scale == 1.0
    budget = declared.reach.per_case  # the single city exactly fills the budget
    dense_declared = LinkageEngine(doubled, schema, candidates_per_case=1e12)
    dense = LinkageEngine(doubled, schema, candidates_per_case=budget)
    assert dense_declared.reach is not None and dense.reach is not None
    # the declared rules make about twice the pairs per case in the denser city ...
    assert dense_declared.reach.per_case > 1.6 * budget
    # ... the adapted ones stay within the budget (5% tolerance), by a shorter reach
    assert dense.reach.within_budget and dense.reach.per_case <= 1.05 * budget
    assert dense.reach.scale < 1.0
    # and the distinct candidate pairs per case, counted exactly, do not double either
    per_case_single = declared.count_candidates() / len(single)
    per_case_dense = dense.count_candidates() / len(doubled)
    assert per_case_dense < 1.3 * per_case_single
    assert "reach x" in dense.reach.describe()


def test_within_the_budget_the_rules_are_kept_as_declared(city: LinkageEngine) -> None:
    engine = LinkageEngine(city.cases, city.schema, candidates_per_case=1e9)
    assert engine.reach is not None
    assert engine.rules == city.rules
    assert engine.count_candidates() == city.count_candidates()
    assert "declared reach" in engine.reach.describe()


def test_scaled_rules_stay_plain_rules_the_alert_index_reads() -> None:
    rules = [
        BlockingRule("near", km=2.0, days=30.0, same=("family",)),
        BlockingRule("rare_value", max_cases=5),
        BlockingRule("victim_group", days=100.0),
    ]
    near, rare, group = scaled_rules(rules, 0.25)
    assert near == BlockingRule("near", km=1.0, days=30.0, same=("family",))
    assert rare == rules[1]
    assert group == BlockingRule("victim_group", days=25.0)


def test_a_budget_must_be_positive(city: LinkageEngine) -> None:
    with pytest.raises(ValueError, match="candidates per case"):
        LinkageEngine(city.cases, city.schema, candidates_per_case=0)
