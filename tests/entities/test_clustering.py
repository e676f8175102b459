"""Constrained clustering: links strongest first, never joining contradictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caselink.entities.clustering import Profile, constrained_clusters, contradicts


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
    # and no person holds two contradicting mentions
    for label in set(expected.tolist()):
        members = [i for i in ids if expected[i] == label]
        assert not any(contradicts(profiles[a], profiles[b]) for a in members for b in members)
