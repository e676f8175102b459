"""Recurrence flags on hand-built cases, mentions and resolutions (distances by hand)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from caselink.entities import recurrence_flags
from caselink.records.geodesy import haversine_km

CASES = pd.DataFrame(
    {
        "case_id": ["D1", "D2", "D3", "R1", "X1"],
        "case_type": [
            "drug_related_death",
            "drug_related_death",
            "unexplained_death",
            "robbery",
            "drug_related_death",
        ],
        # D2 is 0.3 km north of the reporter's home; D3 and X1 are ~5.6 km away
        # from it, and ~0.69 km from each other
        "lat": [51.5400, 51.5427, 51.5900, 51.5400, 51.5900],
        "lon": [0.0770, 0.0770, 0.0770, 0.0900, 0.0870],
    }
)
HOME = (51.5400, 0.0770)
MENTIONS = pd.DataFrame(
    {
        "mention_id": [0, 1, 2, 3, 4, 5],
        "case_id": ["D1", "D1", "D2", "R1", "D3", "X1"],
        "role": ["victim", "reporter", "victim", "witness", "finder", "victim"],
        "address_lat": [np.nan, HOME[0], np.nan, np.nan, 51.5900, np.nan],
        "address_lon": [np.nan, HOME[1], np.nan, np.nan, 0.0771, np.nan],
        "phone": [None, "07700 900123", None, "+447700900123", None, None],
    }
)
PERSONS = pd.DataFrame(
    {
        "mention_id": [0, 1, 2, 3, 4, 5],
        "entity_id": ["P0", "P1", "P2", "P1", "P4", "P5"],
        "match_weight": [np.nan, 14.2, np.nan, 14.2, np.nan, np.nan],
        "evidence": [
            "",
            "with mention 3: same phone (+14.2)",
            "",
            "with mention 1: same phone (+14.2)",
            "",
            "",
        ],
    }
)
PHONES = pd.DataFrame(
    {
        "mention_id": [1, 3],
        "entity_id": ["phone:+447700900123", "phone:+447700900123"],
        "match_weight": [np.nan, np.nan],
        "evidence": ["same normalised phone", "same normalised phone"],
    }
)


def test_haversine_by_hand() -> None:
    # 0.0027 degrees of latitude = 0.0027 * pi/180 * 6371.0088 km
    expected = 0.0027 * math.pi / 180 * 6371.0088
    assert haversine_km(np.array(51.54), np.array(0.077), np.array(51.5427), np.array(0.077)) == (
        pytest.approx(expected, rel=1e-9)
    )


def test_reporter_living_near_another_death_is_flagged_with_the_distance() -> None:
    flags = recurrence_flags(MENTIONS, CASES, {"person": PERSONS, "phone": PHONES})
    near = flags[flags["flag"] == "reporter_near_death"].set_index("entity_id")
    # P4 found D3 and lives 0.69 km from the death X1: flagged at the default 1 km too
    assert sorted(near.index) == ["P1", "P4"]
    row = near.loc["P1"]
    assert row["distance_km"] == pytest.approx(0.0027 * math.pi / 180 * 6371.0088, rel=1e-6)
    assert "D2" in row["evidence"] and "reporter of death(s) D1" in row["evidence"]
    assert row["roles"] == "D1:reporter; R1:witness"


def test_distance_is_configurable() -> None:
    flags = recurrence_flags(MENTIONS, CASES, {"person": PERSONS}, distance_km=0.2)
    assert "reporter_near_death" not in set(flags["flag"])
    with pytest.raises(ValueError, match="distance_km must be positive"):
        recurrence_flags(MENTIONS, CASES, {"person": PERSONS}, distance_km=0)


def test_finder_far_from_any_other_death_is_not_flagged_near() -> None:
    # P4 found D3 and lives next to it; the only other death near is X1, 0.69 km east
    flags = recurrence_flags(MENTIONS, CASES, {"person": PERSONS}, distance_km=0.5)
    assert "P4" not in set(flags.loc[flags["flag"] == "reporter_near_death", "entity_id"])


def test_person_and_phone_in_two_cases_name_the_cases_and_roles() -> None:
    flags = recurrence_flags(MENTIONS, CASES, {"person": PERSONS, "phone": PHONES})
    person = flags[flags["flag"] == "person_in_cases"].iloc[0]
    assert (person["entity_id"], person["cases"]) == ("P1", "D1; R1")
    assert person["roles"] == "D1:reporter; R1:witness"
    assert "same phone" in person["evidence"]
    phone = flags[flags["flag"] == "phone_in_cases"].iloc[0]
    assert phone["cases"] == "D1; R1"


def test_series_flags_rise_to_the_top() -> None:
    series = pd.DataFrame({"case_id": ["D1", "D2"], "series_id": ["S1", "S1"]})
    flags = recurrence_flags(MENTIONS, CASES, {"person": PERSONS, "phone": PHONES}, series)
    # P1 reported D1 and lives 0.3 km from D2, linked to D1: both his flags
    # touch the series and come before every flag that does not
    top = flags.iloc[:2]
    assert set(top["flag"]) == {"reporter_near_death", "person_in_series"}
    assert set(top["entity_id"]) == {"P1"}
    assert set(top["series"]) == {"S1"}
    assert (
        "D2 (death, linked, 0.30 km)"
        in top.loc[top["flag"] == "reporter_near_death", "evidence"].iloc[0]
    )
    touching = flags["series"] != ""
    assert flags.loc[touching, "priority"].min() > flags.loc[~touching, "priority"].max()
    assert (flags["priority"].diff().dropna() <= 0).all()
    # the victims of the series are not flagged as "in series" for that alone
    assert set(flags.loc[flags["flag"] == "person_in_series", "entity_id"]) == {"P1"}


def test_missing_column_is_named() -> None:
    with pytest.raises(ValueError, match="cases frame lacks column"):
        recurrence_flags(MENTIONS, CASES.drop(columns="lat"), {"person": PERSONS})
