"""The batch path at scale: grid-joined blocking rules and chunked scoring.

Blocking must keep exactly the pairs its rules describe (checked against
every pair of a small synthetic city), and chunked scoring must give the
same links as scoring the candidates in one go, whatever the chunk size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from caselink.linkage.blocking import BlockingRule, candidate_pairs
from caselink.linkage.config import SERIOUS_TYPES, LinkageConfig
from caselink.linkage.engine import LinkageEngine
from caselink.synth import generate

CONFIG = LinkageConfig()
EVERY_PAIR = (
    "SELECT a.case_id AS case_a, b.case_id AS case_b FROM cases a "
    "JOIN cases b ON a.case_id < b.case_id"
)


@pytest.fixture(scope="module")
def city() -> LinkageEngine:
    data = generate(500, seed=7)
    return LinkageEngine(data.cases, data.schema)


@pytest.fixture(scope="module")
def every_pair(city: LinkageEngine) -> pd.DataFrame:
    """Every pair with its distance, days apart and both cases' blocking columns."""
    ids = np.sort(city.cases["case_id"].astype(str).to_numpy())
    i, j = np.triu_indices(len(ids), k=1)
    pairs = city.compare(pd.DataFrame({"case_a": ids[i], "case_b": ids[j]}))
    tab = city.tables.cases.set_index("case_id")
    for col in ("family", "case_type", "location_type", "victim_group"):
        pairs[col + "_a"] = tab.loc[pairs["case_a"], col].to_numpy()
        pairs[col + "_b"] = tab.loc[pairs["case_b"], col].to_numpy()
    return pairs


RULES = [
    BlockingRule("near", km=1.0, days=90.0),
    BlockingRule("near", km=2.0, days=180.0, same=("family",)),
    BlockingRule("near", km=5.0, days=730.0, same=("family", "location_type")),
    BlockingRule("near", km=5.0, days=730.0, same=("family",), types=SERIOUS_TYPES),
    BlockingRule("near", km=4.0, days=365.0, same=("victim_group",), groups_only=True),
]


@pytest.mark.parametrize("rule", RULES, ids=[r.describe() for r in RULES])
def test_a_near_rule_keeps_exactly_the_pairs_it_describes(
    rule: BlockingRule, city: LinkageEngine, every_pair: pd.DataFrame
) -> None:
    p = every_pair
    keep = (p["distance_km"] <= rule.km) & (p["days_apart"] <= rule.days)
    for col in rule.same:
        keep &= p[col + "_a"].notna() & (p[col + "_a"] == p[col + "_b"])
    if rule.types:
        keep &= p["case_type_a"].isin(rule.types) & p["case_type_b"].isin(rule.types)
    if rule.groups_only:
        keep &= (p["victim_group_a"] != "general") & (p["victim_group_b"] != "general")
        keep &= p["victim_group_a"].notna() & p["victim_group_b"].notna()
    expected = set(zip(p.loc[keep, "case_a"], p.loc[keep, "case_b"], strict=True))
    got = candidate_pairs(city._con, [rule], CONFIG)
    assert expected, "the rule must keep some pairs of this city for the test to mean anything"
    assert set(zip(got["case_a"], got["case_b"], strict=True)) == expected


def test_a_named_group_rule_reads_as_an_analyst_would() -> None:
    rule = BlockingRule("near", km=5.0, days=730.0, same=("victim_group",), groups_only=True)
    assert rule.describe() == (
        "victims in a named group (not general), same victim group, within 5 km and 730 days"
    )


def test_chunked_links_equal_one_pass_whatever_the_chunk(city: LinkageEngine) -> None:
    whole = city.score(city.candidates())
    whole = whole.sort_values(["case_a", "case_b"], ignore_index=True)
    for size in (997, 10**9):
        parts = list(city.link_chunks(chunk_pairs=size))
        got = pd.concat(parts).sort_values(["case_a", "case_b"], ignore_index=True)
        assert len(parts) == -(-len(whole) // size)
        pd.testing.assert_frame_equal(got, whole, check_dtype=False)


def test_link_keeps_only_pairs_at_or_above_the_threshold_with_progress(
    city: LinkageEngine,
) -> None:
    seen: list[tuple[int, int]] = []
    links = city.link(min_probability=0.3, progress=lambda done, total: seen.append((done, total)))
    everything = city.link()
    assert links["probability"].min() >= 0.3
    assert len(links) == int((everything["probability"] >= 0.3).sum())
    assert seen[-1] == (len(everything), len(everything))
    assert links["probability"].is_monotonic_decreasing


def test_scoring_every_pair_contains_the_blocked_links(city: LinkageEngine) -> None:
    blocked = pd.concat(city.link_chunks(0.2))
    every = pd.concat(city.link_chunks(0.2, pairs_sql=EVERY_PAIR, chunk_pairs=50_000))
    merged = blocked.merge(every, on=["case_a", "case_b"], how="left", suffixes=("", "_all"))
    assert merged["probability_all"].notna().all()
    np.testing.assert_allclose(merged["probability"], merged["probability_all"], rtol=1e-12)
    assert len(every) >= len(blocked)


def test_bad_chunk_settings_are_refused(city: LinkageEngine) -> None:
    with pytest.raises(ValueError, match="chunk_pairs must be at least 1"):
        next(city.link_chunks(chunk_pairs=0))
    with pytest.raises(ValueError, match="min_probability must be in"):
        next(city.link_chunks(min_probability=1.5))


def test_time_slices_keep_a_pair_whose_long_window_ends_near_the_other() -> None:
    # A's window runs 200 days; B starts 250 days after A starts, 50 days after
    # A ends: within 90 days although their starts are 250 days apart.
    from caselink.linkage.features import connect
    from caselink.linkage.tables import build_tables
    from caselink.records.frames import cases_frame
    from tests.linkage.conftest import SCHEMA, case

    frame = cases_frame(
        [
            case("A", occurred_from="2014-01-01 00:00", occurred_to="2014-07-20 00:00"),
            case("B", occurred_from="2014-09-08 00:00"),
            case("C", occurred_from="2015-06-01 00:00"),
        ],
        SCHEMA,
    )
    con = connect(build_tables(frame, SCHEMA, CONFIG))
    got = candidate_pairs(con, [BlockingRule("near", km=1.0, days=90.0)], CONFIG)
    assert set(zip(got["case_a"], got["case_b"], strict=True)) == {("A", "B")}
