"""Prompts: the checks that links, series and recurring entities make necessary."""

from __future__ import annotations

import pandas as pd
import pytest

from caselink.assurance.prompts import (
    prompts_frame,
    raise_prompts,
    recurrences_from_flags,
)
from tests.assurance.builders import case, make_actions, make_cases


def _barking() -> pd.DataFrame:
    return make_cases(
        [
            case("C1", "drug_related_death", "2014-06-19", note_found="no", drugs=("ghb",)),
            case("C2", "drug_related_death", "2014-08-28", note_found="no", drugs=("ghb",)),
            case("C3", "drug_related_death", "2014-09-20", note_found="yes", drugs=("ghb",)),
            case("C4", "theft", "2014-09-21"),
        ]
    )


def _by_key(prompts: list) -> dict[tuple[str, str], str]:  # type: ignore[type-arg]
    return {(p.case_id, p.action): p.reason for p in prompts}


def test_link_raises_note_handwriting_with_the_reason() -> None:
    cases = _barking()
    actions = make_actions([])
    links = pd.DataFrame({"case_a": ["C2"], "case_b": ["C3"], "probability": [0.93]})
    got = _by_key(raise_prompts(cases, actions, links=links))
    # C3 has a note, C2 has none: examine C3's note
    assert got[("C3", "note_handwriting")] == (
        "linked to C2 (p=0.93): have the handwriting of the note examined"
    )
    assert ("C2", "note_handwriting") not in got
    assert got[("C2", "toxicology")].startswith("linked to C3 (p=0.93), where ghb was found")
    assert ("C2", "forensic_submission") in got and ("C3", "cctv") in got


def test_two_notes_are_compared() -> None:
    cases = make_cases(
        [
            case("A", "unexplained_death", "2014-01-01", note_found="yes"),
            case("B", "unexplained_death", "2014-02-01", note_found="yes"),
        ]
    )
    links = pd.DataFrame({"case_a": ["A"], "case_b": ["B"], "probability": [0.8]})
    got = _by_key(raise_prompts(cases, make_actions([]), links=links))
    assert (
        got[("A", "note_handwriting")]
        == "linked to B (p=0.80): compare the handwriting of the notes"
    )
    assert (
        got[("B", "note_handwriting")]
        == "linked to A (p=0.80): compare the handwriting of the notes"
    )


def test_links_below_threshold_raise_nothing() -> None:
    links = pd.DataFrame({"case_a": ["C2"], "case_b": ["C3"], "probability": [0.49]})
    assert raise_prompts(_barking(), make_actions([]), links=links, threshold=0.5) == []


def test_never_duplicates_a_done_or_open_action_but_reopens_a_not_done_one() -> None:
    cases = _barking()
    actions = make_actions(
        [
            {"case_id": "C3", "action": "note_handwriting", "status": "not_done"},
            {"case_id": "C3", "action": "cctv", "status": "done"},
            {"case_id": "C2", "action": "toxicology", "status": "pending"},
        ]
    )
    links = pd.DataFrame(
        {"case_a": ["C2", "C3"], "case_b": ["C3", "C2"], "probability": [0.9, 0.9]}
    )
    series = pd.DataFrame({"case_id": ["C2", "C3"], "series_id": ["S1", "S1"]})
    prompts = raise_prompts(cases, actions, links=links, series=series)
    keys = [(p.case_id, p.action) for p in prompts]
    assert len(keys) == len(set(keys)), "one prompt per (case, action)"
    assert ("C3", "cctv") not in keys and ("C2", "toxicology") not in keys
    # the note was not examined; the link makes it necessary again: one new pending action
    assert keys.count(("C3", "note_handwriting")) == 1
    # and raising again after storing them adds nothing
    stored = make_actions([{"case_id": c, "action": a, "status": "pending"} for c, a in keys])
    again = raise_prompts(cases, pd.concat([actions, stored]), links=links, series=series)
    assert again == []


def test_series_members_are_prompted_with_all_partners_named() -> None:
    series = pd.DataFrame({"case_id": ["C1", "C2", "C3"], "series_id": ["S9"] * 3})
    got = _by_key(raise_prompts(_barking(), make_actions([]), series=series))
    assert got[("C1", "previous_incidents")] == (
        "in series S9 with C2, C3: check previous incidents at and near both places"
    )


def test_reporter_living_near_another_death() -> None:
    rec = pd.DataFrame(
        {
            "case_a": ["C1"],
            "case_b": ["C2"],
            "kind": ["person"],
            "role_a": ["reporter"],
            "role_b": [None],
            "distance_m": [304.0],
            "sex": ["M"],
        }
    )
    got = _by_key(raise_prompts(_barking(), make_actions([]), recurrences=rec))
    assert got[("C2", "reporter_background")] == (
        "the reporter of C1 lives 300 m from here: check his background"
    )
    assert got[("C1", "reporter_background")] == (
        "the reporter of this case lives 300 m from C2 (drug related death): check his background"
    )


def test_same_finder_in_two_deaths_and_shared_phone() -> None:
    rec = pd.DataFrame(
        {
            "case_a": ["C2", "C1"],
            "case_b": ["C3", "C4"],
            "kind": ["person", "phone"],
            "role_a": ["finder", "reporter"],
            "role_b": ["finder", "victim"],
        }
    )
    got = _by_key(raise_prompts(_barking(), make_actions([]), recurrences=rec))
    assert got[("C2", "reporter_background")] == (
        "the finder of this case is also the finder in C3: check their background"
    )
    assert got[("C3", "reporter_background")] == (
        "the finder of this case is also the finder in C2: check their background"
    )
    assert got[("C4", "phone_download")] == (
        "a phone (of the victim) in this case recurs in C1: download the phone and compare contacts"
    )


def test_unknown_case_kind_and_threshold_are_errors() -> None:
    links = pd.DataFrame({"case_a": ["C1"], "case_b": ["C99"], "probability": [0.9]})
    with pytest.raises(ValueError, match="not in the cases frame: C99"):
        raise_prompts(_barking(), make_actions([]), links=links)
    rec = pd.DataFrame({"case_a": ["C1"], "case_b": ["C2"], "kind": ["email"]})
    with pytest.raises(ValueError, match="kind 'email'"):
        raise_prompts(_barking(), make_actions([]), recurrences=rec)
    with pytest.raises(ValueError, match="threshold"):
        raise_prompts(_barking(), make_actions([]), threshold=0.0)
    with pytest.raises(ValueError, match="links frame lacks column"):
        raise_prompts(_barking(), make_actions([]), links=links.drop(columns="probability"))


def test_prompt_becomes_a_pending_action_and_frame() -> None:
    links = pd.DataFrame({"case_a": ["C2"], "case_b": ["C3"], "probability": [0.93]})
    prompts = raise_prompts(_barking(), make_actions([]), links=links)
    action = prompts[0].as_action()
    assert action.status == "pending" and action.note == prompts[0].reason
    frame = prompts_frame(prompts)
    assert list(frame.columns) == ["case_id", "action", "reason", "rule", "related"]
    assert len(frame) == len(prompts)


def test_entity_flags_become_pairwise_recurrences() -> None:
    flags = pd.DataFrame(
        {
            "flag": ["reporter_near_death", "person_in_cases", "phone_in_cases"],
            "entity_kind": ["person", "person", "phone"],
            "cases": ["C1; C2; C4", "C2; C3", "C1; C4"],
            "roles": [
                "C1:reporter; C4:victim",
                "C2:finder; C3:finder/witness",
                "C1:reporter; C4:victim",
            ],
            "evidence": [
                "reporter of death(s) C1 lives within 1 km of C2 (death, 0.30 km), C4 (linked case, 0.45 km)",
                "same name",
                "",
            ],
        }
    )
    rec = recurrences_from_flags(flags)
    rows = {(r.case_a, r.case_b, r.kind): r for r in rec.itertuples()}
    assert rows[("C1", "C2", "person")].distance_m == pytest.approx(300.0)
    assert rows[("C1", "C2", "person")].role_a == "reporter"
    assert rows[("C1", "C4", "person")].distance_m == pytest.approx(450.0)
    assert rows[("C2", "C3", "person")].role_b == "finder"  # the reporting role wins
    assert rows[("C1", "C4", "phone")].role_b == "victim"
    got = _by_key(raise_prompts(_barking(), make_actions([]), recurrences=rec))
    # two reasons for one check: one prompt; a recurring person leads a nearby one
    assert got[("C2", "reporter_background")] == (
        "the finder of this case is also the finder in C3: check their background; "
        "the reporter of C1 lives 300 m from here: check their background"
    )
