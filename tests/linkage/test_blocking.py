"""Blocking rules as SQL: which pairs each keeps, recall, and the Spark text."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlglot

from caselink.linkage.blocking import (
    BlockingRule,
    blocking_recall,
    blocking_sql,
    candidate_pairs,
    default_rules,
    lean_rules,
)
from caselink.linkage.comparisons import build_comparisons
from caselink.linkage.config import LinkageConfig
from caselink.linkage.features import connect
from caselink.linkage.sqlgen import comparison_sql
from caselink.linkage.tables import build_tables
from tests.linkage.conftest import SCHEMA

CONFIG = LinkageConfig()


def _pairs(
    frame: pd.DataFrame, rules: list[BlockingRule], focus: str | None = None
) -> set[tuple[str, str]]:
    con = connect(build_tables(frame, SCHEMA, CONFIG))
    out = candidate_pairs(con, rules, CONFIG, focus=focus)
    return set(zip(out["case_a"], out["case_b"], strict=True))


def test_near_rule_keeps_close_pairs_only(four_cases: pd.DataFrame) -> None:
    # A, C, D are at the same spot within days; B is 111 km away
    near = [BlockingRule("near", km=1.0, days=30.0)]
    assert _pairs(four_cases, near) == {("A", "C"), ("A", "D"), ("C", "D")}


def test_same_family_rule_needs_equal_family(four_cases: pd.DataFrame) -> None:
    rule = [BlockingRule("near", km=1.0, days=30.0, same=("family",))]
    assert _pairs(four_cases, rule) == {("C", "D")}


def test_rare_value_rule_links_anywhere(four_cases: pd.DataFrame) -> None:
    # ghb and churchyard are held by 2 of 4 cases: kept at max_cases=2, not at 1
    assert ("A", "B") in _pairs(four_cases, [BlockingRule("rare_value", max_cases=2)])
    assert ("A", "B") not in _pairs(four_cases, [BlockingRule("rare_value", max_cases=1)])


def test_victim_group_rule_skips_general(four_cases: pd.DataFrame) -> None:
    assert _pairs(four_cases, [BlockingRule("victim_group", days=30.0)]) == set()


def test_focus_gives_the_batch_pairs_of_that_case(four_cases: pd.DataFrame) -> None:
    rules = default_rules(CONFIG, SCHEMA)
    batch = _pairs(four_cases, rules)
    for cid in "ABCD":
        assert _pairs(four_cases, rules, focus=cid) == {p for p in batch if cid in p}


def test_rules_read_as_an_analyst_would() -> None:
    texts = [r.describe() for r in default_rules(CONFIG, SCHEMA)]
    assert texts[0] == "within 1 km and 90 days"
    assert "same family and location type, within 5 km and 730 days" in texts
    assert "share an MO value held by at most 30 cases" in texts


def test_blocking_recall() -> None:
    candidates = pd.DataFrame({"case_a": ["A", "B"], "case_b": ["B", "C"]})
    assert blocking_recall(candidates, [("B", "A"), ("A", "C")]) == 0.5
    with pytest.raises(ValueError, match="true_pairs is empty"):
        blocking_recall(candidates, [])


def test_sql_transpiles_to_spark_and_parses() -> None:
    comps = build_comparisons(SCHEMA, CONFIG)
    for sql in (
        comparison_sql(comps, "spark"),
        blocking_sql(default_rules(CONFIG, SCHEMA), CONFIG, dialect="spark"),
    ):
        assert "`" in sql or "ASIN" in sql
        sqlglot.parse_one(sql, read="spark")  # valid Spark SQL
    with pytest.raises(ValueError, match="dialect must be one of"):
        comparison_sql(comps, "oracle")


def test_lean_rules_are_a_subset_of_pairs_and_read_plainly(four_cases: pd.DataFrame) -> None:
    lean = lean_rules(CONFIG)
    assert lean[0].describe() == "same case type, within 1 km and 90 days"
    assert _pairs(four_cases, lean) <= _pairs(four_cases, [*default_rules(CONFIG, SCHEMA), *lean])


def test_legacy_share_setting_is_refused_with_a_message() -> None:
    data = CONFIG.to_dict()
    data["rare_block_max_share"] = 0.02
    with pytest.raises(ValueError, match="rare_block_max_share"):
        LinkageConfig.from_dict(data)
