"""One house is reached by its number: mentions at one house number and postcode are compared.

Even when the street is written differently and nothing else a blocking
rule uses is shared.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from caselink.entities import PersonResolver
from caselink.records.frames import mentions_frame
from tests.entities.people_factory import noisy_mentions


def _row(name: str, **fields: Any) -> dict[str, Any]:
    return {"case_id": "C1", "role": "witness", "name": name, **fields}


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
