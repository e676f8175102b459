"""check_bias multiplies the odds of completion for one victim group, exactly and controllably."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from caselink.synth import generate
from caselink.synth.catalogue import CASE_TYPES
from caselink.synth.checks import CHECKS, biased_probability, draw_actions


def test_biased_probability_multiplies_the_odds() -> None:
    # p = 0.8 has odds 4; times 0.5 -> odds 2 -> p = 2/3
    assert biased_probability(np.array([0.8]), np.array([0.5]))[0] == pytest.approx(2 / 3)
    assert biased_probability(np.array([0.5]), np.array([1.0]))[0] == pytest.approx(0.5)


def _odds_ratio(done_a: int, not_a: int, done_b: int, not_b: int) -> float:
    return (done_a / not_a) / (done_b / not_b)


@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_odds_ratio_of_done_is_the_factor_in_every_check(factor: float) -> None:
    n = 60000
    rng = np.random.default_rng(1)
    types = np.full(n, CASE_TYPES.index("drug_related_death"))
    groups = np.where(rng.random(n) < 0.5, "lgbt", "general").astype(object)
    reported = np.full(n, np.datetime64("2014-01-01T00:00:00", "s"))
    acts = draw_actions(
        rng,
        types,
        groups,
        reported,
        np.zeros(n, bool),
        np.zeros(n, bool),
        np.datetime64("2016-12-31", "s"),
        {"lgbt": factor},
    )
    acts["group"] = groups[acts["case_row"].to_numpy()]
    resolved = acts[acts["status"] != "pending"]
    for action, p in CHECKS["drug_related_death"]:
        sub = resolved[resolved["action"] == action]
        table = sub.groupby(["group", "status"]).size()
        ratio = _odds_ratio(
            table["lgbt", "done"], table["lgbt", "not_done"],
            table["general", "done"], table["general", "not_done"],
        )  # fmt: skip
        # standard error of the log odds ratio: sqrt(sum 1/cell) ~ 0.03-0.08 here
        se = float(np.sqrt((1.0 / table).sum()))
        assert abs(np.log(ratio) - np.log(factor)) < 4 * se, (action, p, ratio)


def test_no_bias_means_no_difference_and_bias_shows_in_generated_data() -> None:
    plain = generate(30000, seed=2)
    biased = generate(30000, seed=2, check_bias={"lgbt": 0.4})

    def log_or(actions: pd.DataFrame, cases: pd.DataFrame) -> float:
        a = actions.merge(cases[["case_id", "victim_group"]], on="case_id")
        a = a[a["status"] != "pending"]
        # Mantel-Haenszel over (action, case type) strata
        a = a.merge(cases[["case_id", "case_type"]], on="case_id")
        num = den = 0.0
        for _, s in a.groupby(["action", "case_type"]):
            n = len(s)
            x = s["victim_group"] == "lgbt"
            d = s["status"] == "done"
            num += (x & d).sum() * (~x & ~d).sum() / n
            den += (x & ~d).sum() * (~x & d).sum() / n
        return float(np.log(num / den))

    plain_or = log_or(plain.actions, plain.cases)
    biased_or = log_or(biased.actions, biased.cases)
    assert abs(plain_or) < 0.15
    assert abs(biased_or - np.log(0.4)) < 0.15


def test_death_classification_follows_the_bias() -> None:
    biased = generate(30000, seed=3, check_bias={"lgbt": 0.3})
    deaths = biased.cases[biased.cases["case_type"] == "drug_related_death"]
    lgbt = deaths[deaths["victim_group"] == "lgbt"]
    other = deaths[deaths["victim_group"] == "general"]
    share_lgbt = (lgbt["status"] == "non_suspicious").mean()
    share_other = (other["status"] == "non_suspicious").mean()
    assert share_lgbt > share_other  # less diligence: more deaths written off
    # expected: base 0.15 suspicious -> odds 0.176*0.3 -> 0.050 suspicious
    assert 1 - share_lgbt == pytest.approx(0.05, abs=0.05)
