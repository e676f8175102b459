"""Constrained clustering: links strongest first, never joining contradictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caselink.entities.clustering import (
    Profile,
    constrained_clusters,
    contradicts,
    groups_contradict,
    same_identifier,
)


def _links(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["mention_id_l", "mention_id_r", "match_weight"])


@pytest.mark.parametrize(
    ("x", "y"),
    [
        # nickname, one-digit dob slip
        (
            Profile("steve", "harrington", "1984-03-12", "M"),
            Profile("stephen", "harrington", "1984-03-21", "M"),
        ),
        # day and month swapped, sex unknown on one side
        (
            Profile("anna", "kowalska", "1990-04-07", "F"),
            Profile("anna", "kowalska", "1990-07-04", None),
        ),
        # "Harrington Steve" written without a comma parses the wrong way round
        (Profile("harrington", "steve", None, "M"), Profile("stephen", "harrington", None, "M")),
        # an initial, a year out, and a slip in each mention's surname
        (
            Profile("j", "chowdhury", "1975-02-14", "M"),
            Profile("james", "chowduhey", "1976-02-14", "M"),
        ),
        # a name only: nothing to contradict
        (Profile(None, "smith", None, None), Profile("peter", "smith", "1990-01-01", "M")),
    ],
)
def test_recording_slips_are_not_contradictions(x: Profile, y: Profile) -> None:
    assert not contradicts(x, y)
    assert not contradicts(y, x)


@pytest.mark.parametrize(
    ("x", "y"),
    [
        # father and son at one address
        (Profile("john", "smith", "1960-05-01", "M"), Profile("john", "smith", "1990-08-30", "M")),
        # husband and wife
        (Profile("sam", "patel", None, "M"), Profile("sam", "patel", None, "F")),
        # brothers
        (Profile("peter", "smith", None, "M"), Profile("john", "smith", None, "M")),
        # same given name, another family
        (Profile("john", "smith", None, "M"), Profile("john", "okafor", None, "M")),
    ],
)
def test_different_people_contradict(x: Profile, y: Profile) -> None:
    assert contradicts(x, y)
    assert contradicts(y, x)


def test_a_name_only_mention_does_not_chain_a_household_into_one_person() -> None:
    # 0: John Smith b. 1960; 1: John Smith b. 1990 (his son); 2: "J. Smith", nothing else.
    # 2 links to both; connected components would make one person of all three.
    profiles = [
        Profile("john", "smith", "1960-05-01", "M"),
        Profile("john", "smith", "1990-08-30", "M"),
        Profile("j", "smith", None, None),
    ]
    links = _links([(0, 2, 6.0), (1, 2, 4.0)])
    labels = constrained_clusters(np.array([0, 1, 2]), profiles, links)
    # the stronger link wins; the son stays apart
    assert labels.tolist() == [0, 1, 0]


def test_a_group_is_joined_only_when_no_pair_across_it_contradicts() -> None:
    # 0-1 strongly linked (1 has no dob); 2 contradicts 0 on dob but not 1
    profiles = [
        Profile("mary", "jones", "1970-01-01", "F"),
        Profile("mary", "jones", None, "F"),
        Profile("mary", "jones", "1999-12-31", "F"),
    ]
    links = _links([(0, 1, 10.0), (1, 2, 9.0)])
    labels = constrained_clusters(np.array([0, 1, 2]), profiles, links)
    assert labels.tolist() == [0, 0, 2]


def test_a_link_to_an_unknown_mention_is_an_error() -> None:
    with pytest.raises(ValueError, match="not among the mentions"):
        constrained_clusters(
            np.array([0, 1]), [Profile(None, "a", None, None)] * 2, _links([(0, 5, 1.0)])
        )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 7), st.integers(-3, 12)),
        min_size=1,
        max_size=25,
    ),
    st.randoms(use_true_random=False),
)
def test_the_result_does_not_depend_on_the_order_of_the_links(
    rows: list[tuple[int, int, int]], rnd: object
) -> None:
    # few distinct weights, so ties are common: they must be broken by mention ids
    names = ["john", "john", "peter", "j", "john", "peter", "jon", "john"]
    dobs = ["1960-01-01", None, None, None, "1990-01-01", None, "1960-01-01", None]
    profiles = [Profile(n, "smith", d, None) for n, d in zip(names, dobs, strict=True)]
    links = _links([(a, b, float(w)) for a, b, w in rows if a != b])
    ids = np.arange(8)
    expected = constrained_clusters(ids, profiles, links)
    shuffled = links.sample(frac=1.0, random_state=7).reset_index(drop=True)
    assert constrained_clusters(ids, profiles, shuffled).tolist() == expected.tolist()
    # and every mention of a person agrees with another of its mentions
    for label in set(expected.tolist()):
        members = [i for i in ids if expected[i] == label]
        if len(members) > 1:
            for a in members:
                assert any(not contradicts(profiles[a], profiles[b]) for b in members if b != a)


def test_a_frequent_person_is_not_split_by_two_slips_that_disagree_with_each_other() -> None:
    # "Aex" (a slip in Alex) and "Aleaxnder" are each a slip from Alexander, two from each other
    alexander = Profile("alexander", "ali", "1967-11-22", "M")
    aex = Profile("aex", "ali", "1967-11-22", "M")
    aleaxnder = Profile("aleaxnder", "ali", None, "M")
    assert contradicts(aex, aleaxnder)
    assert not groups_contradict({alexander, aex}, {alexander, aleaxnder})
    profiles = [alexander, aex, alexander, aleaxnder]
    links = _links([(0, 1, 20.0), (2, 3, 20.0), (0, 2, 15.0)])
    assert constrained_clusters(np.arange(4), profiles, links).tolist() == [0, 0, 0, 0]


def test_a_group_holding_a_name_the_other_cannot_explain_contradicts() -> None:
    # john and j. smith together; peter agrees with j. but not with john
    group = {Profile("john", "smith", None, "M"), Profile("j", "smith", None, "M")}
    assert groups_contradict(group, {Profile("peter", "smith", None, "M")})
    assert groups_contradict({Profile("ann", "lee", None, "F")}, {Profile("ann", "lee", None, "M")})
    assert not groups_contradict(group, {Profile(None, "smith", "1980-01-01", None)})


@pytest.mark.parametrize(
    ("field", "a", "b", "same"),
    [
        ("phone", "+447700900123", "+447700900124", True),  # one digit
        ("phone", "+447700900123", "+447700955001", False),
        ("address", "flat 5 41 abbey walk", "41 abbey walk", True),  # flat dropped
        ("address", "41 abbey walk", "51 abbey walk", True),  # number mistyped
        ("address", "41 abbey walk", "14 canal place", False),
        ("vehicle", "AB12CDE", "AB12CDF", True),
        ("vehicle", "AB12CDE", "XY64KLM", False),
    ],
)
def test_identifiers_a_slip_apart_are_the_same(field: str, a: str, b: str, same: bool) -> None:
    assert same_identifier(field, a, b) is same


PENALTY = {"phone": -8.0, "address": -6.0, "vehicle": -11.0}


def _smiths() -> list[Profile]:
    # 0, 1: John Smith of one phone; 2: John Smith of another; 3: "John Smith", nothing else
    return [
        Profile("john", "smith", None, "M", phone="+447700900123"),
        Profile("john", "smith", None, "M", phone="+447700900123"),
        Profile("john", "smith", None, "M", phone="+447700955001"),
        Profile("john", "smith", None, "M"),
    ]


def test_a_name_only_mention_does_not_join_the_john_smiths_of_two_phones() -> None:
    links = _links([(0, 1, 25.0), (0, 3, 3.0), (2, 3, 2.5)])
    labels = constrained_clusters(np.arange(4), _smiths(), links, PENALTY, min_weight=-1.0)
    # 3 joins {0, 1} (3.0, nothing to disagree); then {0, 1, 3} + {2}: 2.5 - 8 < -1
    assert labels.tolist() == [0, 0, 2, 0]
    # without the disagreement weights the name-only mention chains them
    plain = constrained_clusters(np.arange(4), _smiths(), links, min_weight=-1.0)
    assert plain.tolist() == [0, 0, 0, 0]


def test_a_strong_link_outweighs_a_disagreement_it_has_not_seen() -> None:
    # 3 (no phone) joins {0, 1}; 2-3 did not compare phones, the groups' phones differ:
    # 8.5 - 8 = 0.5 >= -1 joins them (a strong link, a dob and a rare name say)
    links = _links([(0, 1, 25.0), (0, 3, 9.5), (2, 3, 8.5)])
    labels = constrained_clusters(np.arange(4), _smiths(), links, PENALTY, min_weight=-1.0)
    assert labels.tolist() == [0, 0, 0, 0]
    # 6.5 - 8 = -1.5 < -1 does not
    links = _links([(0, 1, 25.0), (0, 3, 9.5), (2, 3, 6.5)])
    labels = constrained_clusters(np.arange(4), _smiths(), links, PENALTY, min_weight=-1.0)
    assert labels.tolist() == [0, 0, 2, 0]


def test_a_disagreement_the_linking_pair_compared_is_not_counted_twice() -> None:
    # 0 and 2 record different phones: their link's weight already holds that
    links = _links([(0, 2, 0.5)])
    labels = constrained_clusters(np.arange(4), _smiths(), links, PENALTY, min_weight=-1.0)
    assert labels.tolist() == [0, 1, 0, 3]


def test_a_disagreement_weight_must_be_a_known_identifier_at_most_zero() -> None:
    with pytest.raises(ValueError, match="disagreement must map identifiers"):
        constrained_clusters(np.arange(4), _smiths(), _links([]), {"phone": 2.0})
    with pytest.raises(ValueError, match="disagreement must map identifiers"):
        constrained_clusters(np.arange(4), _smiths(), _links([]), {"email": -1.0})


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # a locality written on one line only, a space typed inside a word
        ("26 moon p lace crower chinchilla", "26 moon place", True),
        ("298 meyrickplace tarragindi", "298 meyrick place", True),
        # another house in the street is another address
        ("12 abbey road", "112 abbey road barking", False),
        ("4 mulga street", "40 mulga street north", False),
        # a building or estate written before the street on one line only
        ("1 garanga shoalhaven avenue", "1 shoalhaven avenue", True),
        ("13 knox retirement village endeavour street", "41 endeavour street", False),
    ],
)
def test_an_address_line_with_its_locality_is_the_same_address(a: str, b: str, same: bool) -> None:
    assert same_identifier("address", a, b) is same
