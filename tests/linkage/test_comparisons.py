"""Each comparison against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from caselink.linkage.comparisons import build_comparisons
from caselink.linkage.config import LinkageConfig
from caselink.linkage.features import compare, connect, level_matrix
from caselink.linkage.tables import LinkageDataError, build_tables
from tests.linkage.conftest import SCHEMA

CONFIG = LinkageConfig()


def _compare(frame: pd.DataFrame, a: str, b: str) -> pd.Series:
    tables = build_tables(frame, SCHEMA, CONFIG)
    comps = build_comparisons(SCHEMA, CONFIG)
    out = compare(connect(tables), comps, pd.DataFrame({"case_a": [a], "case_b": [b]}))
    return out.iloc[0]


def test_great_circle_distance_of_one_degree_of_latitude(four_cases: pd.DataFrame) -> None:
    # 2 * pi * 6371.0088 / 360 = 111.195 km
    assert _compare(four_cases, "A", "B")["distance_km"] == pytest.approx(111.1951, abs=1e-3)
    assert _compare(four_cases, "A", "C")["distance_km"] == pytest.approx(0.0, abs=1e-9)


def test_days_apart_uses_whole_windows(four_cases: pd.DataFrame) -> None:
    # A ends 3 Jan 00:00, B starts 10 Jan 12:00 -> 7.5 days
    assert _compare(four_cases, "A", "B")["days_apart"] == pytest.approx(7.5)
    # C (2 Jan) lies inside A's window (1-3 Jan): overlapping windows are 0 days apart
    assert _compare(four_cases, "A", "C")["days_apart"] == 0.0
    # C at 2 Jan 00:00, D at 2 Jan 06:00 -> 0.25 days
    assert _compare(four_cases, "C", "D")["days_apart"] == pytest.approx(0.25)


def test_time_of_day_is_circular_and_only_for_short_windows(four_cases: pd.DataFrame) -> None:
    # C at 00:00 and D at 06:00 -> 6 h; A's window is 2 days long -> unknown
    assert _compare(four_cases, "C", "D")["tod_gap_h"] == pytest.approx(6.0)
    assert math.isnan(_compare(four_cases, "A", "C")["tod_gap_h"])


def test_victims(four_cases: pd.DataFrame) -> None:
    ab = _compare(four_cases, "A", "B")
    assert ab["victim_age_gap"] == 3.0
    assert ab["victim_same_sex"] == 1.0
    ac = _compare(four_cases, "A", "C")
    assert ac["victim_same_sex"] == 0.0
    assert math.isnan(ac["victim_age_gap"])  # C's age unknown
    # victim groups: general/general shared; 3 of 4 cases general -> rarity -ln(0.75)
    assert ab["victim_group_overlap"] == 1.0
    assert ab["victim_group_rarity"] == pytest.approx(-math.log(0.75))
    assert _compare(four_cases, "C", "D")["victim_group_overlap"] == 0.0


def test_multi_valued_jaccard_and_rarity_of_rarest_shared_value(four_cases: pd.DataFrame) -> None:
    ab = _compare(four_cases, "A", "B")
    # {ghb, alcohol} vs {ghb}: 1 shared of 2 distinct
    assert ab["drugs_overlap"] == pytest.approx(0.5)
    # ghb is held by 2 of the 4 cases with drugs recorded -> -ln(0.5)
    assert ab["drugs_rarity"] == pytest.approx(math.log(2))
    cd = _compare(four_cases, "C", "D")
    # alcohol: 3 of 4 -> -ln(0.75): a common shared value is weaker evidence
    assert cd["drugs_rarity"] == pytest.approx(-math.log(0.75))
    assert cd["drugs_rarity"] < ab["drugs_rarity"]


def test_categorical_equality_numeric_difference_and_case_type(four_cases: pd.DataFrame) -> None:
    ab = _compare(four_cases, "A", "B")
    assert ab["location_type_overlap"] == 1.0
    assert ab["location_type_rarity"] == pytest.approx(math.log(2))  # churchyard: 2 of 4
    assert ab["time_of_day_hour_diff"] == 3.0
    assert ab["case_type_overlap"] == 1.0 and ab["same_family"] == 1.0
    ac = _compare(four_cases, "A", "C")
    assert ac["location_type_overlap"] == 0.0 and math.isnan(ac["location_type_rarity"])
    assert ac["case_type_overlap"] == 0.0 and ac["same_family"] == 0.0
    assert math.isnan(ac["time_of_day_hour_diff"])  # C has no hour


def test_narrative_tfidf_cosine(four_cases: pd.DataFrame) -> None:
    assert _compare(four_cases, "A", "B")["narrative_cosine"] == pytest.approx(1.0)
    assert _compare(four_cases, "A", "C")["narrative_cosine"] == 0.0
    assert math.isnan(_compare(four_cases, "A", "D")["narrative_cosine"])  # D has none


def test_levels_of_a_pair(four_cases: pd.DataFrame) -> None:
    tables = build_tables(four_cases, SCHEMA, CONFIG)
    comps = build_comparisons(SCHEMA, CONFIG)
    frame = compare(connect(tables), comps, pd.DataFrame({"case_a": ["A"], "case_b": ["B"]}))
    levels = dict(zip([c.name for c in comps], level_matrix(frame, comps)[0], strict=True))
    assert levels["distance"] == 7  # > 20 km: the last of 7 bins after "missing"
    assert levels["days"] == 3  # 7.5 days in [7, 30)
    assert levels["drugs"] == 2  # shares ghb, share 0.5 -> "common" (> 10%)
    assert levels["victim_sex"] == 2  # same


def test_frame_without_needed_columns_is_refused(four_cases: pd.DataFrame) -> None:
    with pytest.raises(LinkageDataError, match="missing column 'lat'"):
        build_tables(four_cases.drop(columns=["lat"]), SCHEMA, CONFIG)
    with pytest.raises(LinkageDataError, match="missing column 'x'"):
        build_tables(four_cases, SCHEMA, LinkageConfig(geometry="planar"))


def test_planar_distance_is_euclidean_metres(four_cases: pd.DataFrame) -> None:
    frame = four_cases.assign(x=[0.0, 3000.0, 0.0, 0.0], y=[0.0, 4000.0, 0.0, 0.0])
    config = LinkageConfig(geometry="planar")
    tables = build_tables(frame, SCHEMA, config)
    comps = build_comparisons(SCHEMA, config)
    out = compare(connect(tables), comps, pd.DataFrame({"case_a": ["A"], "case_b": ["B"]}))
    assert out["distance_km"].iloc[0] == pytest.approx(5.0)


def test_invalid_config_names_the_setting() -> None:
    with pytest.raises(ValueError, match="near_km must be > 0, got -1"):
        LinkageConfig(near_km=-1)


def test_single_valued_attributes_compared_by_columns_equal_the_values_join() -> None:
    # The column form of case type, victim group and categorical MO attributes
    # exists for speed; it must give exactly the numbers of the general join.
    from dataclasses import replace

    from caselink.linkage.comparisons import _agreement_columns
    from caselink.synth import generate

    data = generate(400, seed=3)
    tables = build_tables(data.cases, data.schema, CONFIG)
    fast = build_comparisons(data.schema, CONFIG, data.cases)
    assert {c.name for c in fast if c.source == "columns"} >= {"case_type", "victim_group"}
    joined = [
        replace(
            c,
            columns=(*_agreement_columns(c.name), *c.columns[2:]),
            source="values",
        )
        if c.source == "columns"
        else c
        for c in fast
    ]
    ids = data.cases["case_id"].to_numpy()
    rng = np.random.default_rng(0)
    i, j = rng.integers(0, len(ids), (2, 3000))
    pairs = pd.DataFrame({"case_a": ids[i[i != j]], "case_b": ids[j[i != j]]})
    con = connect(tables)
    pd.testing.assert_frame_equal(compare(con, fast, pairs), compare(con, joined, pairs))
