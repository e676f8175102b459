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
from tests.linkage.conftest import EVERY_PAIR

CONFIG = LinkageConfig()


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
    for col in ("case_type_share", "location_type_share", "victim_group_share"):
        pairs[col + "_a"] = tab.loc[pairs["case_a"], col].to_numpy()
        pairs[col + "_b"] = tab.loc[pairs["case_b"], col].to_numpy()
    return pairs


RULES = [
    BlockingRule("near", km=1.0, days=90.0),
    BlockingRule("near", km=2.0, days=180.0, same=("family",)),
    BlockingRule("near", km=5.0, days=730.0, same=("family", "location_type")),
    BlockingRule("near", km=5.0, days=730.0, same=("family",), types=SERIOUS_TYPES),
    BlockingRule("near", km=4.0, days=365.0, same=("victim_group",), groups_only=True),
    BlockingRule(
        "near", km=5.0, days=365.0, same=("location_type",), uncommon=(("location_type", 0.1),)
    ),
    BlockingRule(
        "near",
        km=3.0,
        days=180.0,
        same=("case_type", "location_type"),
        uncommon=(("location_type", 0.3), ("case_type", 0.2)),
    ),
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
    for attr, share in rule.uncommon:
        keep &= (p[attr + "_share_a"] <= share) & (p[attr + "_share_b"] <= share)
    expected = set(zip(p.loc[keep, "case_a"], p.loc[keep, "case_b"], strict=True))
    got = candidate_pairs(city._con, [rule], CONFIG)
    assert expected, "the rule must keep some pairs of this city for the test to mean anything"
    assert set(zip(got["case_a"], got["case_b"], strict=True)) == expected


@pytest.mark.parametrize("rule", RULES, ids=[r.describe() for r in RULES])
def test_the_staged_sql_of_a_rule_and_its_parts_keep_the_rules_pairs(
    rule: BlockingRule, city: LinkageEngine
) -> None:
    def pairs(sql: str) -> list[tuple[str, str]]:
        return [(row[0], row[1]) for row in city._con.execute(sql).fetchall()]

    whole = pairs(rule.sql(CONFIG))
    # the staged pairs carry the comparisons' own distance and days apart
    staged = city._con.execute(rule.staged_sql(CONFIG)).df()
    compared = city.compare(staged[["case_a", "case_b"]])
    np.testing.assert_array_equal(staged["distance_km"], compared["distance_km"])
    np.testing.assert_array_equal(staged["days_apart"], compared["days_apart"])
    assert pairs(rule.staged_sql(CONFIG)) and set(pairs(rule.staged_sql(CONFIG))) == set(whole)
    parts = [pairs(rule.staged_sql(CONFIG, (p, 3))) for p in range(3)]
    assert sorted(x for part in parts for x in part) == sorted(whole)  # each pair in one part
    raw_sql = rule.raw_pairs_sql()
    assert raw_sql is not None
    assert city._con.execute(raw_sql).fetchall()[0][0] >= len(whole)


def test_an_uncommon_value_rule_reads_as_an_analyst_would() -> None:
    rule = BlockingRule(
        "near", km=5.0, days=365.0, same=("location_type",), uncommon=(("location_type", 0.1),)
    )
    assert rule.describe() == (
        "same location type, within 5 km and 365 days, location type held by at most 10% of cases"
    )


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
    # progress counts the pairs compared: those whose bound can reach 0.3
    reachable = city.count_linkable(0.3)
    assert seen[-1] == (reachable, reachable)
    assert len(links) <= reachable < len(everything)
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
