"""Check states: done, pending, overdue, not_done, missing, worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from caselink.assurance.checks import check_states, missing_checks, summarise_states
from caselink.assurance.standard import parse_standard
from tests.assurance.builders import case, make_actions, make_cases

STD = parse_standard(
    {
        "name": "t",
        "version": "1",
        "case_types": {
            "drug_related_death": [
                {"action": "toxicology", "within_days": 2},
                {"action": "cctv", "within_days": 3},
                {"action": "reporter_background", "within_days": 2},
                {"action": "scene_examination", "within_days": 1},
                {"action": "note_handwriting", "within_days": 7, "when": {"note_found": ["yes"]}},
            ],
            "theft": [{"action": "cctv", "within_days": 7}],
        },
    }
)


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    cases = make_cases(
        [
            case("C1", "drug_related_death", "2014-08-28 07:00", note_found="no"),
            case("C2", "drug_related_death", "2014-09-20 08:00", note_found="yes"),
            case("C3", "burglary", "2014-09-21 08:00"),  # the standard has no burglary rules
        ]
    )
    actions = make_actions(
        [
            {
                "case_id": "C1",
                "action": "toxicology",
                "status": "done",
                "completed_at": "2014-08-29",
            },
            {"case_id": "C1", "action": "cctv", "status": "pending", "raised_at": "2014-08-28"},
            {"case_id": "C1", "action": "reporter_background", "status": "not_done"},
            {
                "case_id": "C2",
                "action": "toxicology",
                "status": "done",
                "completed_at": "2014-09-25",
            },
            {"case_id": "C2", "action": "cctv", "status": "pending"},
            {"case_id": "C2", "action": "note_handwriting", "status": "not_done"},
            {"case_id": "C2", "action": "note_handwriting", "status": "pending"},
            {"case_id": "C2", "action": "scene_examination", "status": "not_done"},
            {"case_id": "C2", "action": "scene_examination", "status": "done"},
            {"case_id": "C3", "action": "cctv", "status": "not_done"},
        ]
    )
    return cases, actions


def test_each_state_by_hand() -> None:
    cases, actions = _frames()
    # 2014-09-22 12:00: C1's cctv (due 08-31) is overdue; C2's (due 09-23 08:00) is not yet
    states = check_states(cases, actions, STD, as_of="2014-09-22 12:00")
    got = {(r.case_id, r.action): r.state for r in states.itertuples()}
    assert got == {
        ("C1", "toxicology"): "done",
        ("C1", "cctv"): "overdue",
        ("C1", "reporter_background"): "not_done",
        ("C1", "scene_examination"): "missing",
        # C1 had no note: note_handwriting not required
        ("C2", "toxicology"): "done",
        ("C2", "cctv"): "pending",
        ("C2", "reporter_background"): "missing",
        ("C2", "scene_examination"): "done",  # a done record beats a not_done one
        ("C2", "note_handwriting"): "pending",  # still open: pending beats not_done
    }


def test_due_dates_and_late_completion() -> None:
    cases, actions = _frames()
    states = check_states(cases, actions, STD, as_of="2014-10-01").set_index(["case_id", "action"])
    assert states.loc[("C2", "toxicology"), "due_at"] == pd.Timestamp("2014-09-22 08:00")
    assert bool(states.loc[("C2", "toxicology"), "completed_late"])  # done on 09-25, due 09-22
    assert not bool(states.loc[("C1", "toxicology"), "completed_late"])
    assert states.loc[("C2", "cctv"), "state"] == "overdue"


def test_report_time_falls_back_to_occurrence_time() -> None:
    cases = make_cases([case("C1", "theft", "2014-01-01", reported_at=None)])
    states = check_states(cases, make_actions([]), STD, as_of="2014-01-02")
    assert states["due_at"].tolist() == [pd.Timestamp("2014-01-08")]
    assert states["state"].tolist() == ["missing"]


def test_missing_checks_lists_only_unmet_states_in_contract_columns() -> None:
    cases, actions = _frames()
    unmet = missing_checks(cases, actions, STD, as_of="2014-09-22 12:00")
    assert list(unmet.columns) == ["case_id", "action", "state"]
    assert sorted(map(tuple, unmet.to_numpy().tolist())) == [
        ("C1", "cctv", "overdue"),
        ("C1", "reporter_background", "not_done"),
        ("C1", "scene_examination", "missing"),
        ("C2", "reporter_background", "missing"),
    ]


def test_summary_counts_states_per_action() -> None:
    cases, actions = _frames()
    summary = summarise_states(check_states(cases, actions, STD, as_of="2014-09-22 12:00"))
    assert summary.loc["cctv"].to_dict() == {
        "done": 0,
        "pending": 1,
        "overdue": 1,
        "not_done": 0,
        "missing": 0,
        "total": 2,
    }


def test_bad_status_and_missing_columns_are_errors() -> None:
    cases, _ = _frames()
    bad = pd.DataFrame({"case_id": ["C1"], "action": ["cctv"], "status": ["maybe"]})
    with pytest.raises(ValueError, match="case C1 action cctv: status 'maybe'"):
        check_states(cases, bad, STD, as_of="2015-01-01")
    with pytest.raises(ValueError, match="actions frame lacks column"):
        check_states(cases, bad.drop(columns="status"), STD)
