"""Series clustering, stable ids, summaries; explanation wording."""

from __future__ import annotations

import math

import pandas as pd

from caselink.linkage.comparisons import build_comparisons
from caselink.linkage.config import LinkageConfig
from caselink.linkage.explain import explain_pair, explanation_text, format_multiplier
from caselink.linkage.series import cluster_links, find_series
from tests.linkage.conftest import SCHEMA


def test_average_linkage_does_not_chain_through_one_weak_bridge() -> None:
    links = pd.DataFrame(
        {
            "case_a": ["A", "A", "B", "C", "D", "D", "E"],
            "case_b": ["B", "C", "C", "D", "E", "F", "F"],
            "probability": [0.9, 0.9, 0.9, 0.55, 0.9, 0.9, 0.8],
        }
    )
    # A-B-C tight, D-E-F tight, one 0.55 bridge C-D (other cross pairs unscored = 0):
    # average distance between the groups is far above 1 - 0.5
    groups = cluster_links(links, threshold=0.5)
    assert sorted(groups) == [["A", "B", "C"], ["D", "E", "F"]]


def test_series_ids_are_the_earliest_member_and_summaries(four_cases: pd.DataFrame) -> None:
    links = pd.DataFrame({"case_a": ["A", "C"], "case_b": ["B", "D"], "probability": [0.9, 0.2]})
    result = find_series(links, four_cases, SCHEMA, threshold=0.5)
    assert result.members.to_dict("list") == {"case_id": ["A", "B"], "series_id": ["S-A", "S-A"]}
    row = result.summary.iloc[0]
    assert row["size"] == 2 and row["members"] == "A B"
    assert row["span_days"] == 10.0  # 1 Jan 00:00 to 11 Jan 00:00
    assert "location_type=churchyard (2/2)" in row["shared_mo"]
    assert "drugs=ghb (2/2)" in row["shared_mo"]
    assert math.isclose(row["centroid_a"], (51.5357 + 52.5357) / 2)


def test_explanation_words_and_multipliers(four_cases: pd.DataFrame) -> None:
    comps = build_comparisons(SCHEMA, LinkageConfig())
    by_id = four_cases.set_index("case_id", drop=False)
    a, b = by_id.loc["A"].to_dict(), by_id.loc["B"].to_dict()
    row = {"distance_km": 0.4, "days_apart": 21.0, "drugs_overlap": 0.5}
    contrib = {
        "distance": math.log(12),
        "days": math.log(5),
        "drugs": math.log(30),
        "victim_sex": math.log(1.5),
        "victim_age": math.log(2),
        "location_type": math.log(1.05),  # negligible: left out
    }
    text = explanation_text(explain_pair(comps, row, contrib, a, b))
    assert text == (
        "both drugs ghb (x30); 0.4 km apart (x12); 21 days apart (x5); both victims male 22–25 (x3)"
    )


def test_multiplier_format() -> None:
    assert [format_multiplier(v) for v in (1234.5, 12.4, 3.04, 0.123)] == [
        "1,234",
        "12",
        "3",
        "0.12",
    ]


def test_an_unscored_pair_counts_against_joining() -> None:
    # D-E 0.9, D-F 0.9, E-F never a candidate: F's average distance to {D, E} is
    # (0.1 + 1) / 2 = 0.55 > 1 - 0.5, so F stays out
    links = pd.DataFrame({"case_a": ["D", "D"], "case_b": ["E", "F"], "probability": [0.95, 0.9]})
    assert cluster_links(links, threshold=0.5) == [["D", "E"]]
