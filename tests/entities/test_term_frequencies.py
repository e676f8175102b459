"""How common a value is counts people, not records; one house is reached by its number.

Term frequencies weigh an agreement by how many *other* people share the
value: a man recorded five times at his address does not make that address
look common, and agreeing on it between his own records keeps its full
weight. Mentions at one house number and postcode are compared even when
the street is written differently and nothing else a blocking rule uses
is shared.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from caselink.entities import PersonResolver
from caselink.entities.features import person_features
from caselink.entities.model_file import TF_COLUMNS
from caselink.entities.persons import people_term_frequencies
from caselink.records.frames import mentions_frame
from tests.entities.people_factory import noisy_mentions


def _row(name: str, **fields: Any) -> dict[str, Any]:
    return {"case_id": "C1", "role": "witness", "name": name, **fields}


def _frequencies(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    tf = people_term_frequencies(person_features(mentions_frame(rows)))
    return {col: {str(v): f for v, f in pairs} for col, pairs in tf.items()}


def test_a_person_recorded_often_does_not_make_his_own_address_common() -> None:
    john = _row("John Smith", dob=date(1980, 1, 1), address="12 Cooke Street", postcode="IG11 8AA")
    others = [
        _row(f"Other Person{i}", dob=date(1970, 1, i + 1), address=f"{i + 20} Long Lane")
        for i in range(4)
    ]
    tf = _frequencies([john] * 5 + others)
    # one holder however often recorded: no one else is known to have them
    assert "12 cooke street" not in tf["address_line"]
    assert "1980-01-01" not in tf["dob_str"]
    assert "john smith" not in tf["canon_name"]
    assert set(tf) == set(TF_COLUMNS)


def test_a_value_shared_by_several_people_is_as_common_as_the_others_holding_it() -> None:
    # three people at one address, three more elsewhere: six holders of an address line
    home = {"address": "7 Dock Walk", "postcode": "IG11 0AB"}
    rows = [
        _row("Ann Okafor", dob=date(1960, 5, 1), **home),
        _row("Ben Okafor", dob=date(1988, 6, 2), **home),
        _row("Ben Okafor", dob=date(1988, 6, 2), **home),  # Ben twice: still one holder
        _row("Cara Okafor", dob=date(1991, 7, 3), **home),
        _row("Dan Price", dob=date(1975, 1, 4), address="1 High Street"),
        _row("Eve Price", dob=date(1977, 2, 5), address="2 High Street"),
        _row("Fay Stone", dob=date(1979, 3, 6), address="3 High Street"),
    ]
    tf = _frequencies(rows)
    # of the five other holders, two share Ann's address
    assert tf["address_line"]["7 dock walk"] == pytest.approx(2 / 5)
    # the surname Okafor: three holders (told apart by dob) of six holders of a surname
    assert tf["surname"]["okafor"] == pytest.approx(2 / 5)
    assert tf["surname"]["price"] == pytest.approx(1 / 5)
    assert "1 high street" not in tf["address_line"]


HOUSE: list[tuple[str, dict[str, Any]]] = [
    # one woman, recorded once by her middle name and a changed surname, the street
    # misspelt and no dob: only the house number and postcode are shared
    (
        "mary",
        _row(
            "Mary Quennell",
            dob=date(1979, 4, 18),
            sex="F",
            address="41 Thistlewaite Crescent",
            postcode="IG11 9ZZ",
        ),
    ),
    (
        "mary",
        _row("Louise Ashdown", sex="F", address="41 Thistlewait Cresent", postcode="IG11 9ZZ"),
    ),
    # another: the same given name, dob and address, a surname changed
    (
        "zora",
        _row(
            "Zora Pemberton",
            dob=date(1985, 9, 30),
            sex="F",
            address="3 Quarry Mews",
            postcode="IG11 4QQ",
        ),
    ),
    (
        "zora",
        _row(
            "Zora Lindqvist",
            dob=date(1985, 9, 30),
            sex="F",
            address="3 Quarry Mews",
            postcode="IG11 4QQ",
        ),
    ),
]


@pytest.fixture(scope="module")
def house() -> tuple[pd.DataFrame, PersonResolver]:
    background, _ = noisy_mentions(300, seed=7)
    rows = background.drop(columns="mention_id").to_dict("records")
    rows = [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in rows]
    mentions = mentions_frame(rows + [row for _, row in HOUSE])
    return mentions, PersonResolver(u_max_pairs=2e5, threads=2).fit(mentions)


def _ids(mentions: pd.DataFrame, person: str) -> list[int]:
    start = len(mentions) - len(HOUSE)
    return [start + i for i, (p, _) in enumerate(HOUSE) if p == person]


def test_one_house_number_and_postcode_make_a_candidate_pair_whatever_the_street_spelling(
    house: tuple[pd.DataFrame, PersonResolver],
) -> None:
    mentions, resolver = house
    a, b = _ids(mentions, "mary")
    scored = resolver.score(mentions, threshold=1e-9)
    pairs = set(zip(scored["mention_id_l"], scored["mention_id_r"], strict=True))
    assert (a, b) in pairs


def test_a_changed_surname_with_given_name_dob_and_address_agreeing_is_one_person(
    house: tuple[pd.DataFrame, PersonResolver],
) -> None:
    mentions, resolver = house
    a, b = _ids(mentions, "zora")
    assignments = resolver.resolve(mentions).assignments.set_index("mention_id")["entity_id"]
    assert assignments[a] == assignments[b]
