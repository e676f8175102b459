"""The in-memory index finds the same candidates as the blocking SQL, rule by rule."""

from __future__ import annotations

import pytest

from caselink.linkage.blocking import BlockingRule, candidate_pairs
from caselink.linkage.case_index import CaseIndex
from caselink.linkage.config import SERIOUS_TYPES, LinkageConfig
from caselink.linkage.engine import LinkageEngine
from caselink.synth import generate

RULES = [
    BlockingRule("near", km=1.0, days=90.0),
    BlockingRule("near", km=5.0, days=730.0, same=("family", "location_type")),
    BlockingRule("near", km=5.0, days=730.0, same=("family",), types=SERIOUS_TYPES),
    BlockingRule("near", km=4.0, days=365.0, same=("victim_group",), groups_only=True),
    BlockingRule(
        "near", km=5.0, days=365.0, same=("location_type",), uncommon=(("location_type", 0.1),)
    ),
    BlockingRule("near", km=7.0, days=365.0, same=("case_type",), uncommon=(("case_type", 0.12),)),
    BlockingRule("rare_value", max_cases=5),
    BlockingRule("victim_group", days=365.0),
]


@pytest.mark.parametrize("rule", RULES, ids=[r.describe() for r in RULES])
def test_index_candidates_equal_the_sql_focus_pairs(rule: BlockingRule) -> None:
    data = generate(400, seed=4)
    config = LinkageConfig()
    engine = LinkageEngine(data.cases, data.schema, rules=[rule])
    index = CaseIndex.from_frame(data.cases, data.schema, config, [rule], engine.comparisons)
    found = 0
    for case_id in data.cases["case_id"].astype(str).iloc[::7]:
        sql = candidate_pairs(engine._con, [rule], config, focus=case_id)
        expected = set(sql["case_a"]) | set(sql["case_b"])
        expected.discard(case_id)
        got = {index.case_ids[p] for p in index.candidates(index.position[case_id])}
        assert got == expected, case_id
        found += len(got)
    assert found > 0
