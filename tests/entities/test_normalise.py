"""Normal forms: what the officer typed -> what resolution compares."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caselink.entities.nicknames import NICKNAMES, canonical_given_name
from caselink.entities.normalise import (
    address_key,
    normalise_phone,
    normalise_postcode,
    normalise_vehicle,
    parse_address,
    parse_name,
)


def test_name_written_surname_first_with_comma() -> None:
    name = parse_name("SMITH, Stephen John")
    assert (name.first, name.middle, name.surname) == ("stephen", "john", "smith")


def test_name_titles_punctuation_and_accents_are_removed() -> None:
    name = parse_name("Mrs Zoë O'Brien-Jones")
    assert (name.first, name.surname) == ("zoe", "obrienjones")


def test_single_word_is_a_surname_and_empty_is_nothing() -> None:
    assert parse_name("Smith").surname == "smith"
    assert parse_name("Smith").first is None
    assert parse_name("  ").full is None
    assert parse_name(None).full is None


def test_initial_is_kept_as_a_one_letter_given_name() -> None:
    assert parse_name("J. Smith").first == "j"


def test_nicknames_meet_at_one_canonical_name() -> None:
    for variant in ("steve", "steven", "stephen", "stevie"):
        assert canonical_given_name(variant) == "stephen"
    assert canonical_given_name("bill") == "william"
    assert canonical_given_name("unknownname") == "unknownname"
    assert parse_name("Bill Jones").first_canonical == "william"


def test_every_nickname_maps_to_a_canonical_that_maps_to_itself() -> None:
    for canonical in set(NICKNAMES.values()):
        assert NICKNAMES[canonical] == canonical


def test_phone_formats_of_one_uk_mobile_are_one_number() -> None:
    forms = [
        "07700 900123",
        "07700900123",
        "+44 7700 900123",
        "+44 (0)7700-900 123",
        "0044 7700 900123",
        "447700900123",
        "0770 090 0123",
    ]
    assert {normalise_phone(f) for f in forms} == {"+447700900123"}


def test_unparseable_phone_is_kept_not_dropped() -> None:
    assert normalise_phone("12345") == "?12345"
    assert normalise_phone("no number") is None
    assert normalise_phone("+33 1 23 45 67 89") == "+33123456789"


@given(st.integers(min_value=400_000_000, max_value=999_999_999))
def test_phone_normal_form_is_a_fixed_point(n: int) -> None:
    national = f"07{n}"
    e164 = normalise_phone(national)
    assert e164 == f"+447{n}"
    assert normalise_phone(e164) == e164


def test_postcode_spacing_and_case() -> None:
    assert normalise_postcode("ig118aa") == "IG11 8AA"
    assert normalise_postcode(" IG11  8AA ") == "IG11 8AA"
    assert normalise_postcode("E1 6AN") == "E1 6AN"
    assert normalise_postcode("not a code") == "NOTACODE"


def test_address_abbreviations_flats_and_locality() -> None:
    a = parse_address("Flat 3, 12 Cooke St., Barking IG11 7AA")
    assert (a.flat, a.number, a.street) == ("3", "12", "cooke street")
    assert parse_address("12 COOKE STREET").line == "12 cooke street"
    assert address_key("12 Cooke St", "ig117aa") == address_key("12 Cooke Street", "IG11 7AA")
    assert address_key("12 Cooke St", "IG11 7AA") != address_key("14 Cooke St", "IG11 7AA")
    assert address_key(None, "IG11 7AA") is None


@pytest.mark.parametrize(
    ("raw", "street"),
    [
        # the street ends at its type word, a slip in it corrected; the locality goes
        ("26 castley circuit warrambucca garden rokeby nsw", "castley circuit"),
        ("38 onslow sreet rsdb 284 prospect", "onslow street"),
        ("64 elvire olace mount", "elvire place"),
        ("10 melrose rdive grandview", "melrose drive"),
        ("3 Pacific Hwy, Gosford", "pacific highway"),
        # a street named like a type is not cut at its name
        ("5 pace street", "pace street"),
    ],
)
def test_a_street_ends_at_its_type_written_with_a_slip(raw: str, street: str) -> None:
    assert parse_address(raw).street == street


def test_vehicle_registration() -> None:
    assert normalise_vehicle("ld64 xkp") == normalise_vehicle("LD64XKP") == "LD64XKP"
