"""Person resolution on the hard cases: a Splink model trained on noisy mentions.

The model is trained once (module fixture) on ~900 noisy background
mentions plus the hand-written hard cases below, whose surnames do not occur
in the background. Each test reads as: these mentions are (or are not) one
person, and the evidence says why.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from caselink.entities import PersonResolver, pairwise_scores
from caselink.records.frames import mentions_frame
from tests.entities.people_factory import noisy_mentions

HOME = {
    "address": "14 Harrow Road",
    "postcode": "IG11 7QT",
    "address_lat": 51.5401,
    "address_lon": 0.0772,
}


def _m(case_id: str, role: str, name: str | None, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"case_id": case_id, "role": role, "name": name}
    row.update(fields)
    return row


HARD: list[tuple[str, dict[str, Any]]] = [
    # one man, five ways: nickname, phone formats, swapped names, missing fields, roles
    (
        "steve",
        _m(
            "H001",
            "reporter",
            "Steve Harrington",
            dob=date(1984, 3, 12),
            sex="M",
            phone="07700 900123",
            **HOME,
        ),
    ),
    (
        "steve",
        _m(
            "H002",
            "witness",
            "Stephen Harrington",
            dob=date(1984, 3, 12),
            sex="M",
            phone="+44 7700 900123",
        ),
    ),
    ("steve", _m("H003", "suspect", "HARRINGTON, Steven", dob=date(1984, 3, 21), sex="M", **HOME)),
    ("steve", _m("H004", "finder", "Harrington Stephen", phone="0044 7700 900 123", sex="M")),
    # his father at the same address: same surname, different given name and dob
    (
        "father",
        _m(
            "H005",
            "victim",
            "Ronald Harrington",
            dob=date(1956, 7, 2),
            sex="M",
            phone="07700 955001",
            **HOME,
        ),
    ),
    ("father", _m("H006", "witness", "Ron Harrington", dob=date(1956, 7, 2), sex="M", **HOME)),
    # a woman recorded with a transposed dob, a misspelt surname and a moved flat number
    (
        "ngozi",
        _m(
            "H007",
            "victim",
            "Ngozi Okonjo",
            dob=date(1990, 11, 25),
            sex="F",
            phone="07811 222333",
            address="Flat 2, 7 Dock Walk",
            postcode="IG11 0AB",
        ),
    ),
    (
        "ngozi",
        _m(
            "H008",
            "reporter",
            "Ngozi Okonjoh",
            dob=date(1990, 11, 52 - 27),
            sex="F",
            address="7 Dock Walk",
            postcode="ig110ab",
        ),
    ),
    (
        "ngozi",
        _m(
            "H009", "witness", "Ngozi Okonjo", dob=date(1990, 1, 25), sex="F", phone="+447811222333"
        ),
    ),
]


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    background, truth = noisy_mentions(400, seed=5)
    rows = background.drop(columns="mention_id").to_dict("records")
    rows = [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in rows]
    start = len(rows)
    hard_truth = []
    for i, (person, row) in enumerate(HARD):
        rows.append(row)
        hard_truth.append((start + i, f"hard:{person}"))
    mentions = mentions_frame(rows)
    truth = pd.concat([truth, pd.DataFrame(hard_truth, columns=["mention_id", "person_id"])])
    return mentions, truth.reset_index(drop=True)


@pytest.fixture(scope="module")
def resolver(data: tuple[pd.DataFrame, pd.DataFrame]) -> PersonResolver:
    return PersonResolver(u_max_pairs=2e5, threads=2).fit(data[0])


@pytest.fixture(scope="module")
def resolved(data: tuple[pd.DataFrame, pd.DataFrame], resolver: PersonResolver) -> pd.DataFrame:
    return resolver.resolve(data[0]).assignments


def _person_of(resolved: pd.DataFrame, data: tuple[pd.DataFrame, pd.DataFrame], case: str) -> str:
    mid = int(data[0].loc[data[0]["case_id"] == case, "mention_id"].iloc[0])
    return str(resolved.loc[resolved["mention_id"] == mid, "entity_id"].iloc[0])


def _evidence(resolved: pd.DataFrame, data: tuple[pd.DataFrame, pd.DataFrame], case: str) -> str:
    mid = int(data[0].loc[data[0]["case_id"] == case, "mention_id"].iloc[0])
    return str(resolved.loc[resolved["mention_id"] == mid, "evidence"].iloc[0])


def test_nickname_phone_formats_swapped_names_and_missing_fields_are_one_person(
    data: tuple[pd.DataFrame, pd.DataFrame], resolved: pd.DataFrame
) -> None:
    steve = {_person_of(resolved, data, c) for c in ("H001", "H002", "H003", "H004")}
    assert len(steve) == 1


def test_household_member_with_the_same_surname_and_address_is_another_person(
    data: tuple[pd.DataFrame, pd.DataFrame], resolved: pd.DataFrame
) -> None:
    assert _person_of(resolved, data, "H005") == _person_of(resolved, data, "H006")
    assert _person_of(resolved, data, "H005") != _person_of(resolved, data, "H001")


def test_transposed_dob_and_misspelt_surname_are_one_person(
    data: tuple[pd.DataFrame, pd.DataFrame], resolved: pd.DataFrame
) -> None:
    assert len({_person_of(resolved, data, c) for c in ("H007", "H008", "H009")}) == 1


def test_evidence_names_what_agreed(
    data: tuple[pd.DataFrame, pd.DataFrame], resolved: pd.DataFrame
) -> None:
    evidence = _evidence(resolved, data, "H002")
    assert "same phone" in evidence
    assert "name Steve/Stephen" in evidence or "name Stephen/Steve" in evidence
    weight = resolved.loc[
        resolved["entity_id"] == _person_of(resolved, data, "H002"), "match_weight"
    ]
    assert (weight > 0).all()


def test_entity_id_is_the_lowest_mention_id_of_the_person(resolved: pd.DataFrame) -> None:
    lowest = resolved.groupby("entity_id")["mention_id"].min()
    assert all(e == f"P{m}" for e, m in lowest.items())


def test_accuracy_on_the_noisy_background(
    data: tuple[pd.DataFrame, pd.DataFrame], resolved: pd.DataFrame
) -> None:
    scores = pairwise_scores(
        resolved[["mention_id", "entity_id"]].itertuples(index=False, name=None),
        data[1].itertuples(index=False, name=None),
    )
    assert scores["precision"] >= 0.95
    assert scores["recall"] >= 0.9


@pytest.mark.parametrize("share", [0.3, 0.7, 0.95])
def test_incremental_resolution_gives_the_same_persons_as_a_full_run(
    data: tuple[pd.DataFrame, pd.DataFrame], resolver: PersonResolver, share: float
) -> None:
    mentions = data[0]
    full = resolver.resolve(mentions).assignments
    cut = int(len(mentions) * share)
    first = resolver.resolve(mentions.iloc[:cut].reset_index(drop=True)).assignments
    incremental = resolver.resolve_incremental(mentions, first).assignments
    assert incremental["mention_id"].tolist() == full["mention_id"].tolist()
    assert incremental["entity_id"].tolist() == full["entity_id"].tolist()
    # the new mentions carry evidence too
    new = incremental[incremental["mention_id"] >= cut]
    linked = new[new["match_weight"].notna()]
    assert len(linked) > 0 and linked["evidence"].str.contains("with mention").all()


def test_incremental_with_nothing_new_returns_the_previous_resolution(
    data: tuple[pd.DataFrame, pd.DataFrame], resolver: PersonResolver, resolved: pd.DataFrame
) -> None:
    again = resolver.resolve_incremental(data[0], resolved).assignments
    pd.testing.assert_frame_equal(again, resolved)


def test_model_round_trips_through_json(
    data: tuple[pd.DataFrame, pd.DataFrame], resolver: PersonResolver, resolved: pd.DataFrame
) -> None:
    import json

    reloaded = PersonResolver.from_model(json.loads(json.dumps(resolver.model_)))
    assert (
        reloaded.resolve(data[0]).assignments["entity_id"].tolist()
        == resolved["entity_id"].tolist()
    )


def test_invalid_parameters_are_named() -> None:
    with pytest.raises(ValueError, match="threshold must be in"):
        PersonResolver(threshold=1.5).fit(mentions_frame([_m("C1", "victim", "A B")] * 2))
    with pytest.raises(RuntimeError, match="not fitted"):
        PersonResolver().resolve(mentions_frame([_m("C1", "victim", "A B")]))


def test_pairwise_scores_by_hand() -> None:
    # truth: {0,1,2} {3}; predicted: {0,1} {2,3}
    truth = [(0, "a"), (1, "a"), (2, "a"), (3, "b")]
    predicted = [(0, "x"), (1, "x"), (2, "y"), (3, "y")]
    s = pairwise_scores(predicted, truth)
    # true pairs 3, predicted pairs 2, correct 1 (0-1)
    assert (s["true_pairs"], s["predicted_pairs"], s["correct_pairs"]) == (3, 2, 1)
    assert s["precision"] == pytest.approx(0.5)
    assert s["recall"] == pytest.approx(1 / 3)
    assert s["f1"] == pytest.approx(0.4)


def test_disagreement_weights_are_the_trained_weights_of_identifiers_differing(
    resolver: PersonResolver,
) -> None:
    import math

    weights = resolver.disagreement_weights()
    assert set(weights) == {"phone", "address", "vehicle"}
    phone = next(
        c for c in resolver.model_["splink"]["comparisons"] if c["output_column_name"] == "phone"
    )
    different = phone["comparison_levels"][-1]
    expected = math.log2(different["m_probability"] / different["u_probability"])
    assert weights["phone"] == pytest.approx(max(-30.0, min(0.0, expected)))
    assert all(-30.0 <= w <= 0.0 for w in weights.values())
