"""Person resolution works on any subset of the fields a people file may record.

Police data seldom records everything: some forces' files have no phones,
some no dates of birth, some only names and addresses. Every EM pass that
finds no pairs is skipped (the model intact), the prior comes from the
rules the data can use, and resolution still runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from caselink.entities import PersonResolver, pairwise_scores
from caselink.entities import persons as persons_module
from caselink.entities.person_model import COMPARISON_NAMES
from caselink.records.frames import mentions_frame
from tests.entities.people_factory import noisy_mentions

ADDRESS = ["address", "postcode", "address_lat", "address_lon"]
SUBSETS: dict[str, list[str]] = {
    "no phone": ["phone"],
    "no dob": ["dob"],
    "no phone and no dob": ["phone", "dob"],
    "no address": ADDRESS,
    "names only": ["phone", "dob", "sex", *ADDRESS],
}


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return noisy_mentions(200, seed=3)


def _without(mentions: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = mentions.copy()
    for col in columns:
        if col == "dob":
            out[col] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[us]")
        elif out[col].dtype == object:
            out[col] = None
        else:
            out[col] = np.nan
    return out


def _f1(resolver: PersonResolver, mentions: pd.DataFrame, truth: pd.DataFrame) -> float:
    assignments = resolver.resolve(mentions).assignments
    assert sorted(assignments["mention_id"]) == sorted(mentions["mention_id"])
    return pairwise_scores(
        assignments[["mention_id", "entity_id"]].itertuples(index=False, name=None),
        truth.itertuples(index=False, name=None),
    )["f1"]


@pytest.mark.parametrize("subset", [s for s in SUBSETS if s != "names only"])
def test_resolution_holds_on_a_subset_of_fields(
    data: tuple[pd.DataFrame, pd.DataFrame], subset: str
) -> None:
    mentions = _without(data[0], SUBSETS[subset])
    resolver = PersonResolver(u_max_pairs=2e5, threads=2).fit(mentions)
    # the model keeps every comparison, whatever passes were skipped
    names = [c["output_column_name"] for c in resolver.model_["splink"]["comparisons"]]
    assert names == list(COMPARISON_NAMES)
    if "phone" in SUBSETS[subset]:
        assert "phone" in resolver.skipped_em_passes_
    if "dob" in SUBSETS[subset]:
        assert "dob_str" in resolver.skipped_em_passes_
    assert resolver.prior_rules_, "some rule the data can use estimates the prior"
    assert all("phone" not in r for r in resolver.prior_rules_ if "phone" in SUBSETS[subset])
    assert _f1(resolver, mentions, data[1]) >= 0.9


def test_without_phone_and_dob_the_prior_comes_from_names_and_addresses(
    data: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    mentions = _without(data[0], SUBSETS["no phone and no dob"])
    resolver = PersonResolver(u_max_pairs=2e5, threads=2).fit(mentions)
    assert resolver.prior_rules_ == ["full_name+address_line", "full_name+postcode"]
    assert 0.0 < resolver.model_["splink"]["probability_two_random_records_match"] < 1.0


def test_names_only_resolves_with_the_fallback_prior() -> None:
    rows = [
        {"case_id": f"C{i}", "role": "witness", "name": name}
        for i, name in enumerate(
            ["Zebedee Quartermaine", "Zebedee Quartermaine", "Ann Lee", "Tom Cole", "Jo Marsh"] * 2
        )
    ]
    mentions = mentions_frame(rows)
    resolver = PersonResolver(u_max_pairs=1e4, threads=2).fit(mentions)
    assert resolver.prior_rules_ == []
    n = len(mentions)
    assert resolver.model_["splink"]["probability_two_random_records_match"] == pytest.approx(
        0.5 / (n - 1)
    )
    assignments = resolver.resolve(mentions).assignments
    assert len(assignments) == n


def test_an_em_pass_splink_abandons_leaves_the_model_intact(
    data: tuple[pd.DataFrame, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the pre-check defeated, Splink itself finds no phone pairs and raises.

    Before the fix this crashed twice over: EMTrainingException, then (with
    a bare retry) KeyError 'mw_phone', because Splink had dropped the phone
    comparison from the live model mid-pass.
    """
    monkeypatch.setattr(persons_module, "_admits_pairs", lambda features, cols: True)
    mentions = _without(data[0], ["phone"])
    resolver = PersonResolver(u_max_pairs=2e5, threads=2).fit(mentions)
    assert "phone" in resolver.skipped_em_passes_
    names = [c["output_column_name"] for c in resolver.model_["splink"]["comparisons"]]
    assert "phone" in names
    assert _f1(resolver, mentions, data[1]) >= 0.9
