"""Training never blocks the whole store: linked pairs all, unlinked ones sampled, odds corrected."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from caselink.linkage import LinkageEngine
from caselink.linkage.sampling import shift_probability
from caselink.linkage.selection import label_pairs
from caselink.synth import generate


@pytest.fixture(scope="module")
def labelled_city() -> tuple[pd.DataFrame, pd.Series, set[str], object]:
    """A 2,000-case city where half the offenders are known (solved) and half
    are held out (their cases unsolved, their truth kept for measuring)."""
    data = generate(2000, seed=5)
    truth = data.truth_cases.set_index("case_id")["offender_id"].astype(str)
    cases = data.cases.copy()
    cases["offender_id"] = cases["case_id"].map(truth)
    offenders = np.sort(truth.unique())
    held = set(np.random.default_rng(0).choice(offenders, len(offenders) // 2, replace=False))
    is_held = cases["offender_id"].isin(held)
    cases.loc[is_held, "offender_id"] = None
    return cases, truth, set(cases.loc[is_held, "case_id"]), data.schema


def test_below_the_cap_the_training_pairs_are_every_candidate_pair_of_solved_cases(
    city: LinkageEngine,
) -> None:
    sample = city.training_sample(max_unlinked=10**9)
    everything, y, _ = label_pairs(city.candidates(), city.cases)
    assert sample.rate == 1.0
    assert sample.pairs.values.tolist() == everything.values.tolist()
    assert sample.y.tolist() == y.tolist()
    assert "no sampling" in sample.describe()


def test_above_the_cap_every_linked_pair_is_kept_and_the_unlinked_ones_sampled(
    city: LinkageEngine,
) -> None:
    everything, y, _ = label_pairs(city.candidates(), city.cases)
    unlinked_all = int((y == 0).sum())
    cap = unlinked_all // 10
    sample = city.training_sample(max_unlinked=cap)
    assert sample.unlinked_sampled == cap  # exactly the cap, never more
    assert sample.linked_pairs == int(y.sum())  # every linked pair
    keys = set(zip(everything["case_a"], everything["case_b"], strict=True))
    assert set(zip(sample.pairs["case_a"], sample.pairs["case_b"], strict=True)) <= keys
    # the rate is the share of unlinked pairs kept, so the estimate is close to the truth
    assert sample.unlinked_estimated == pytest.approx(unlinked_all, rel=0.2)
    assert sample.provenance()["prior_log_odds_correction"] == pytest.approx(math.log(sample.rate))
    # a pair's chance does not depend on the rules that find it: a second draw is the same
    again = city.training_sample(max_unlinked=cap)
    assert again.pairs.values.tolist() == sample.pairs.values.tolist()


def test_the_training_pairs_stay_at_the_cap_when_the_store_grows() -> None:
    sizes = []
    for n in (600, 1500):
        data = generate(n, seed=3)
        engine = LinkageEngine(data.cases, data.schema)
        sample = engine.training_sample(max_unlinked=400)
        total = engine.count_candidates()
        sizes.append((total, sample.unlinked_sampled, sample.linked_pairs))
    (small_total, small_unlinked, _), (big_total, big_unlinked, _) = sizes
    assert big_total > 3 * small_total  # the store's candidate pairs grow ...
    assert small_unlinked == big_unlinked == 400  # ... the unlinked training pairs do not


def test_a_model_trained_on_a_sample_is_calibrated_to_all_pairs(
    labelled_city: tuple[pd.DataFrame, pd.Series, set[str], object],
) -> None:
    cases, truth, held, schema = labelled_city
    engine = LinkageEngine(cases, schema)  # type: ignore[arg-type]
    saved = engine.train(models=("logistic",), n_splits=3, max_unlinked=5000)
    sample = engine.training
    assert sample is not None and sample.rate < 0.2  # a real sample
    assert saved.summary["training_pairs"]["unlinked_pairs_sampled"] == 5000
    links = engine.link(min_probability=0.0, prune=False)
    out = links[links["case_a"].isin(held) & links["case_b"].isin(held)]
    observed = int((out["case_a"].map(truth) == out["case_b"].map(truth)).sum())
    predicted = float(out["probability"].sum())
    assert observed > 200
    # expected links on held-out offenders' pairs within a factor 1.5 of those observed
    assert observed / 1.5 < predicted < observed * 1.5
    # without the correction the odds would be 1/rate too high: far off
    uncorrected = shift_probability(out["probability"].to_numpy(), -math.log(sample.rate))
    assert uncorrected.sum() > 3 * observed
