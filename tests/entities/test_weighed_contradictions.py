"""Contradictions between groups as weighed evidence, not vetoes (issue 19 item 1).

A changed surname, a replaced given name or a dob with several digits wrong
must not forbid a merge that the rest of the evidence makes; a weak link (a
name and nothing else) must still not chain a father and his son.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from caselink.entities import PersonResolver
from caselink.entities.clustering import Profile, constrained_clusters, groups_contradict_on

WEIGHTS = {"sex": -20.0, "dob": -8.0, "name": -6.0}


def _links(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["mention_id_l", "mention_id_r", "match_weight"])


def _cluster(profiles: list[Profile], rows: list[tuple[int, int, float]]) -> list[int]:
    labels = constrained_clusters(
        np.arange(len(profiles)), profiles, _links(rows), WEIGHTS, min_weight=-1.0, hard=()
    )
    return [int(x) for x in labels]


def test_a_married_name_joins_on_strong_evidence_where_the_veto_refused() -> None:
    # 0, 1: Ann Lee; 2: Ann Cole (married), same dob and address: the link 1-2 is strong
    profiles = [
        Profile("ann", "lee", "1980-01-01", "F"),
        Profile("ann", "lee", "1980-01-01", "F"),
        Profile("ann", "cole", "1980-01-01", "F"),
    ]
    rows = [(0, 1, 30.0), (1, 2, 20.0)]
    assert _cluster(profiles, rows) == [0, 0, 0]
    vetoed = constrained_clusters(np.arange(3), profiles, _links(rows), WEIGHTS, min_weight=-1.0)
    assert vetoed.tolist() == [0, 0, 2]


def test_a_name_only_mention_does_not_chain_a_father_and_his_son() -> None:
    profiles = [
        Profile("john", "smith", "1960-05-01", "M"),
        Profile("john", "smith", "1990-07-12", "M"),
        Profile("john", "smith", None, None),
    ]
    # the name-only mention links to both; father-son compared dobs and scored low
    rows = [(0, 2, 3.0), (1, 2, 2.5), (0, 1, -5.0)]
    labels = _cluster(profiles, rows)
    assert labels[0] != labels[1]
    assert labels[2] == labels[0]  # the strongest link wins the name-only mention


def test_a_dob_contradiction_the_linking_pair_holds_is_not_counted_twice() -> None:
    # 0-1 contradict on dob themselves: their weight (already low) holds it
    profiles = [Profile("ann", "lee", "1980-01-01", "F"), Profile("ann", "lee", "1955-09-09", "F")]
    assert _cluster(profiles, [(0, 1, -0.5)]) == [0, 0]


def test_a_name_contradiction_counts_even_when_the_pair_holds_part_of_it() -> None:
    # same surname, other given name, same address: "surname only" rewards the surname,
    # never counts the given name; the contradiction weight does
    profiles = [Profile("alexandra", "hunt", None, None), Profile("john", "hunt", None, "M")]
    assert _cluster(profiles, [(0, 1, 2.7)]) == [0, 1]
    assert _cluster(profiles, [(0, 1, 12.0)]) == [0, 0]


def test_a_name_contradiction_the_linking_pairs_level_counted_is_not_counted_twice() -> None:
    # the pair's names fell in the "different" level (name_differs): its weight holds the
    # contradiction, so one record each side adds nothing more
    profiles = [Profile("ann", "lee", "1980-01-01", "F"), Profile("jo", "cole", "1980-01-01", "F")]
    links = _links([(0, 1, 2.7)]).assign(name_differs=[True])
    labels = constrained_clusters(np.arange(2), profiles, links, WEIGHTS, min_weight=-1.0, hard=())
    assert labels.tolist() == [0, 0]
    # a second record each side corroborates the contradiction: counted once (2.7 - 6)
    profiles = [profiles[0], profiles[0], profiles[1], profiles[1]]
    links = _links([(0, 1, 30.0), (2, 3, 30.0), (1, 2, 2.7)])
    links = links.assign(name_differs=[False, False, True])
    labels = constrained_clusters(np.arange(4), profiles, links, WEIGHTS, min_weight=-1.0, hard=())
    assert labels.tolist() == [0, 0, 2, 2]


def test_links_say_which_name_levels_counted_the_names_differing() -> None:
    from caselink.entities.evidence import level_labels
    from caselink.entities.person_model import NAME_LEVELS_COUNTING_DIFFERENCE
    from caselink.entities.persons import _name_differs

    labels = level_labels()["name"]
    gammas = pd.DataFrame({"gamma_name": list(labels)})
    differs = dict(zip(labels.values(), _name_differs(gammas).tolist(), strict=True))
    assert {k for k, v in differs.items() if v} == NAME_LEVELS_COUNTING_DIFFERENCE
    # kin at one address share a surname: "surname only" keeps the contradiction counted
    assert not differs["surname only"]


def test_a_contradiction_counts_once_per_record_corroborating_it() -> None:
    # father (0, 1, 2) and son (3, 4, 5) of one name, each recorded three times with his
    # own dob; one strong cross link (name and address, no dob) would join them
    father, son = "1960-05-01", "1990-07-12"
    profiles = [Profile("john", "smith", father, "M")] * 3 + [
        Profile("john", "smith", son, "M")
    ] * 3
    inside = [(0, 1, 30.0), (1, 2, 30.0), (3, 4, 30.0), (4, 5, 30.0)]
    # one record each side: one dob contradiction (-8) is outweighed by a +12 link
    assert _cluster(profiles[2:4], [(0, 1, 12.0)]) == [0, 0]
    # three records each side: three independent contradictions (-24) are not
    assert _cluster(profiles, [*inside, (2, 3, 12.0)]) == [0, 0, 0, 3, 3, 3]
    # a slip on one record of a group is still only one contradiction against one record
    slip = [*profiles[:3], Profile("john", "smith", "1999-09-09", "M")]
    assert _cluster(slip, [(0, 1, 30.0), (1, 2, 30.0), (2, 3, 12.0)]) == [0, 0, 0, 0]


@pytest.mark.parametrize(
    ("field", "xs", "ys", "contradict"),
    [
        ("sex", {Profile("a", "b", None, "M")}, {Profile("a", "b", None, "F")}, True),
        ("sex", {Profile("a", "b", None, "M")}, {Profile("a", "b", None, None)}, False),
        (
            "dob",
            {Profile("a", "b", "1980-01-01", None)},
            {Profile("a", "b", "1980-01-10", None)},
            False,
        ),
        (
            "dob",
            {Profile("a", "b", "1980-01-01", None)},
            {Profile("a", "b", "1955-06-30", None)},
            True,
        ),
        (
            "name",
            {Profile("steve", "lee", None, None)},
            {Profile("stephen", "lee", None, None)},
            False,
        ),
        ("name", {Profile("john", "lee", None, None)}, {Profile("peter", "lee", None, None)}, True),
        (
            # one person, two surnames (maiden and married): a later "mary smith" is hers
            "name",
            {Profile("mary", "jones", None, None), Profile("mary", "smith", None, None)},
            {Profile("mary", "smith", None, None)},
            False,
        ),
        (
            "dob",
            {Profile("a", "b", "1980-01-01", None), Profile("a", "b", "1955-06-30", None)},
            {Profile("a", "b", "1980-01-01", None)},
            True,
        ),
    ],
)
def test_contradiction_by_field(
    field: str, xs: set[Profile], ys: set[Profile], contradict: bool
) -> None:
    assert groups_contradict_on(field, xs, ys) is contradict


def test_unknown_hard_vetoes_are_refused() -> None:
    with pytest.raises(ValueError, match="hard must name fields"):
        constrained_clusters(
            np.arange(1), [Profile("a", "b", None, None)], _links([]), hard=("age",)
        )
    with pytest.raises(ValueError, match="hard_vetoes must name fields"):
        PersonResolver(hard_vetoes=("age",)).fit(pd.DataFrame())


def test_a_dob_a_generation_apart_is_learnt_where_kin_cannot_pose_as_one_person() -> None:
    # design B's fathers and sons share name and home: blocked on the name, EM would take
    # them for one person and learn a generation-apart dob as a match's (about -3 here);
    # the phone pass, which kin never share, says how rare it is among matches
    import math

    from caselink.synth import generate

    data = generate(2000, seed=3, design="B")
    resolver = PersonResolver().fit(data.people, data.cases)
    dob = next(
        c for c in resolver.model_["splink"]["comparisons"] if c["output_column_name"] == "dob"
    )
    weight = {
        level["label_for_charts"]: math.log2(level["m_probability"] / level["u_probability"])
        for level in dob["comparison_levels"]
        if "m_probability" in level
    }
    assert weight["a generation apart"] < -8.0
    assert weight["exact"] > 8.0
