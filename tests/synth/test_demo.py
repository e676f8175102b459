"""The shipped demo data set: regenerable, and hiding the Barking-like series as the facts say."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from caselink.records.geodesy import haversine_km
from caselink.synth import SynthData, write
from caselink.synth.demo import (
    DEATH_DATES,
    DEATH_SITES,
    OFFENDER_HOME,
    demo_dir,
    planted_ids,
    read_planted,
)


def test_committed_files_are_what_build_demo_makes(demo: SynthData, tmp_path: Path) -> None:
    written = write(demo, tmp_path)
    for path in written:
        shipped = demo_dir() / path.name
        assert shipped.read_bytes() == path.read_bytes(), f"{path.name} differs: regenerate"


def test_the_shipped_planted_ids_are_those_build_demo_plants(demo: SynthData) -> None:
    """The demo story reads them instead of regenerating 2,400 cases to learn them."""
    shipped = read_planted()
    assert shipped == planted_ids(demo)
    assert {"d1", "d2", "d3", "d4", "series_id", "offender_id"} <= set(shipped)


def test_demo_is_a_borough_of_a_few_thousand_cases(demo: SynthData) -> None:
    assert 2000 <= len(demo.cases) <= 4000
    size = sum((demo_dir() / f).stat().st_size for f in ("cases.csv", "people.csv", "actions.csv"))
    assert size < 2_200_000
    assert demo.cases["reported_at"].min() >= pd.Timestamp("2013-01-01")


def _case(demo: SynthData, key: str) -> pd.Series:
    cid = demo.params["planted"][key]
    return demo.cases.set_index("case_id").loc[cid]


def _mentions(demo: SynthData, key: str) -> pd.DataFrame:
    cid = demo.params["planted"][key]
    m = demo.people.merge(demo.truth_people, on="mention_id")
    return m[m["case_id"] == cid]


def test_four_deaths_on_the_dates_and_places(demo: SynthData) -> None:
    for i, key in enumerate(("d1", "d2", "d3", "d4")):
        case = _case(demo, key)
        assert case["case_type"] == "drug_related_death"
        assert case["occurred_to"].strftime("%Y-%m-%d") == DEATH_DATES[i]
        lat, lon = DEATH_SITES[i]
        assert haversine_km(case["lat"], case["lon"], lat, lon) < 0.1
        assert case["drugs"] == ("ghb",)
        assert 21 <= case["victim_age"] <= 25 and case["victim_sex"] == "M"
        assert case["victim_local"] == "no"
        assert case["body_position"] in {"propped", "sitting"}
        assert case["status"] == "non_suspicious"
        assert case["offender_id"] is None  # unsolved at the time
    assert _case(demo, "d3")["note_found"] == "yes"
    assert "bedsheet" in _case(demo, "d3")["narrative"]


def test_all_planted_cases_are_one_hidden_series(demo: SynthData) -> None:
    planted = demo.params["planted"]
    truth = demo.truth_cases.set_index("case_id")
    series = {truth.loc[planted[k], "series_id"] for k in planted if k[0] in "dn"}
    assert series == {planted["series_id"]}
    assert demo.truth_cases["series_id"].value_counts()[planted["series_id"]] == 10
    offender = demo.truth_offenders.set_index("offender_id").loc[planted["offender_id"]]
    for key in ("nf1", "nf2", "nf3", "nf4", "nf5", "nf6"):
        case = _case(demo, key)
        assert case["case_type"] in {"drugging", "sexual_offence"}
        assert "ghb" in case["drugs"]
        assert (
            haversine_km(case["lat"], case["lon"], offender["home_lat"], offender["home_lon"]) < 0.1
        )
        assert "2013" <= case["occurred_from"].strftime("%Y") <= "2015"


def test_reporter_of_the_first_death_is_the_offender_next_door(demo: SynthData) -> None:
    planted = demo.params["planted"]
    offender = demo.truth_offenders.set_index("offender_id").loc[planted["offender_id"]]
    reporter = _mentions(demo, "d1").query("role == 'reporter'").iloc[0]
    assert reporter["person_id"] == offender["person_id"]
    assert (offender["home_lat"], offender["home_lon"]) == OFFENDER_HOME
    case = _case(demo, "d1")
    assert (
        haversine_km(reporter["address_lat"], reporter["address_lon"], case["lat"], case["lon"])
        < 0.05
    )


def test_same_dog_walker_found_two_and_three_under_a_variant_name(demo: SynthData) -> None:
    f2 = _mentions(demo, "d2").query("role == 'finder'").iloc[0]
    f3 = _mentions(demo, "d3").query("role == 'finder'").iloc[0]
    assert f2["person_id"] == f3["person_id"]
    assert f2["name"] != f3["name"]
    assert f2["name"].split()[0][:3] == f3["name"].split()[0][:3]


def test_missed_checks_are_recorded(demo: SynthData) -> None:
    planted = demo.params["planted"]
    a = demo.actions.set_index(["case_id", "action"])

    def status(key: str, action: str) -> str:
        return str(a.loc[(planted[key], action), "status"])

    assert status("d3", "forensic_submission") == "not_done"
    assert "bedsheet" in str(a.loc[(planted["d3"], "forensic_submission"), "note"])
    assert status("d3", "note_handwriting") == "not_done"
    assert status("d1", "reporter_background") == "not_done"
    assert status("d4", "cctv") == "not_done"
    for key in ("d1", "d2", "d3", "d4"):
        assert status(key, "toxicology") == "done"
        assert status(key, "post_mortem") == "done"
