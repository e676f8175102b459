"""Evidence that cannot be absurd: monotone factors, shrinkage toward the
default model, disagreement that cannot raise the odds, calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from caselink.linkage.calibration import (
    choose_calibration,
    expected_calibration_error,
    reliability,
)
from caselink.linkage.comparisons import Comparison
from caselink.linkage.models import LogisticLinkage, NaiveBayesLinkage, PriorLinkage
from caselink.linkage.models.naive_bayes import DISAGREEMENT_MIN_LINKED

NEAR = Comparison(
    "distance", "closeness", (("distance_km", "1"),), (0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
)
SAME = Comparison("victim_sex", "binary", (("victim_same_sex", "1"),))
TEXT = Comparison("narrative", "similarity", (("narrative_cosine", "1"),), (0.1, 0.25, 0.5))
MO = Comparison(
    "weapon", "agreement", (("weapon_overlap", "1"), ("weapon_rarity", "1")), (0.01, 0.1)
)


def _pairs(n_linked: int, n_unlinked: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Linked pairs near (plus a chance cluster 10-20 km apart), unlinked spread out."""
    rng = np.random.default_rng(seed)
    km = np.concatenate(
        [
            rng.exponential(1.0, n_linked - n_linked // 5),
            rng.uniform(10, 20, n_linked // 5),  # a chance cluster far away
            rng.uniform(0, 40, n_unlinked),
        ]
    )
    y = np.r_[np.ones(n_linked), np.zeros(n_unlinked)].astype(int)
    frame = pd.DataFrame(
        {
            "distance_km": km,
            "victim_same_sex": rng.integers(0, 2, len(y)).astype(float),
            "narrative_cosine": np.where(
                y == 1, rng.uniform(0, 1, len(y)), rng.uniform(0, 0.6, len(y))
            ),
            "weapon_overlap": np.where(rng.random(len(y)) < 0.5, 1.0, 0.0),
            "weapon_rarity": 1.0,
        }
    )
    frame["weapon_rarity"] = np.where(frame["weapon_overlap"] > 0, 3.0, np.nan)
    return frame, y


def test_distance_factors_are_non_increasing_even_when_far_linked_pairs_cluster() -> None:
    X, y = _pairs(60, 3000)
    free = NaiveBayesLinkage([NEAR], calibrate=False, strength=0.0, constrained=False).fit(X, y)
    # the chance cluster makes 10-20 km stronger evidence than 5-10 km, unconstrained
    assert (
        free.log_ratio_[0][6] > free.log_ratio_[0][5]
    )  # levels: missing, <0.5, <1, <2, <5, <10, <20
    nb = NaiveBayesLinkage([NEAR, TEXT], calibrate=False, strength=0.0).fit(X, y)
    assert np.all(np.diff(nb.log_ratio_[0][1:]) <= 1e-12)
    assert np.all(np.diff(nb.log_ratio_[1][1:]) >= -1e-12)  # similarity non-decreasing
    p = nb.predict_proba(X.assign(distance_km=[0.2, 3, 7, 15, 30] * (len(X) // 5)))[:5, 1]
    assert np.all(np.diff(p) <= 1e-12)


def test_logistic_factors_are_monotone_by_construction() -> None:
    X, y = _pairs(80, 3000, seed=1)
    model = LogisticLinkage([NEAR, TEXT, MO], C=3.0, n_splits=3).fit(X, y)
    grid = pd.concat([X.head(1)] * 7, ignore_index=True)
    grid["distance_km"] = [0.1, 0.7, 1.5, 3, 7, 15, 30]
    p = model.predict_proba(grid)[:, 1]
    assert np.all(np.diff(p) <= 1e-12)
    _, contrib = model.factors(grid.assign(weapon_overlap=0.0, weapon_rarity=np.nan))
    assert (contrib["weapon"] <= 1e-12).all()  # no shared weapon: never evidence for


def test_few_linked_pairs_keep_the_default_models_factor_many_their_own() -> None:
    target = [np.array([0.0, -0.1, 0.1])]  # the default model: sex says little (x0.9, x1.1)
    rng = np.random.default_rng(2)

    def fit(n_linked: int) -> np.ndarray:
        # linked pairs here are MORE often of the same sex than the target says
        same = np.r_[np.ones(n_linked), rng.integers(0, 2, 4000)].astype(float)
        y = np.r_[np.ones(n_linked), np.zeros(4000)].astype(int)
        X = pd.DataFrame({"victim_same_sex": same})
        nb = NaiveBayesLinkage([SAME], calibrate=False, strength=32.0, target_log_ratio=target)
        return nb.fit(X, y).log_ratio_[0]

    few, many = fit(3), fit(3000)
    unshrunk = np.log(1.0 / 0.5)  # all linked pairs same sex, half of the unlinked
    # 3 linked pairs: the same-sex factor stays near the default model's, far from the data's
    assert abs(few[2] - 0.1) < 0.1 < unshrunk - few[2]
    # 3,000 linked pairs: the data's own factor
    assert many[2] == pytest.approx(unshrunk, abs=0.05)


def test_the_shrinkage_strength_is_chosen_by_cross_validation() -> None:
    X, y = _pairs(60, 3000)
    nb = NaiveBayesLinkage([NEAR, SAME, TEXT], n_splits=3).fit(X, y)
    assert nb.strength_ in (2.0, 8.0, 32.0, 128.0, 512.0)


def test_a_weakly_supported_disagreement_cannot_raise_the_odds() -> None:
    rng = np.random.default_rng(4)

    def fit(n_linked: int) -> np.ndarray:
        # linked pairs disagree more often (80%) than unlinked ones (50%)
        shared = np.r_[rng.random(n_linked) < 0.2, rng.random(4000) < 0.5]
        y = np.r_[np.ones(n_linked), np.zeros(4000)].astype(int)
        X = pd.DataFrame(
            {"weapon_overlap": shared.astype(float), "weapon_rarity": np.where(shared, 3.0, np.nan)}
        )
        return NaiveBayesLinkage([MO], calibrate=False, strength=0.0).fit(X, y).log_ratio_[0]

    weak = fit(DISAGREEMENT_MIN_LINKED - 5)
    assert weak[1] == 0.0  # "no shared value": at most x1
    strong = fit(2000)  # 1,600 linked pairs disagreeing, clearly more than unlinked
    assert strong[1] > 0.3


def test_the_default_models_far_tail_is_the_background_in_a_small_city() -> None:
    # a small city: almost no random pairs are more than 10 km apart
    rng = np.random.default_rng(5)
    km = np.r_[rng.uniform(0, 8, 19_990), [12.0] * 5, [25.0] * 5]
    random_pairs = pd.DataFrame({"distance_km": km, "victim_same_sex": 1.0})
    model = PriorLinkage([NEAR, SAME]).fit(random_pairs, n_cases=3000)
    lr = model.log_ratio_[0]
    assert np.all(np.diff(lr[1:]) <= 1e-12)
    assert np.exp(lr[-1]) < 0.5 and np.exp(lr[-2]) < 0.5  # was x20 and x12
    assert model.log_ratio_[1][1] <= 0.0  # a different sex never raises the odds


def test_reliability_and_expected_calibration_error_by_hand() -> None:
    y = np.array([0, 0, 1, 1, 1, 0])
    p = np.array([0.05, 0.05, 0.95, 0.95, 0.85, 0.85])
    table = reliability(y, p)
    assert table["pairs"].tolist() == [2, 2, 2]
    # bins: [0,0.1): pred .05 obs 0; [0.8,0.9): pred .85 obs .5; [0.9,1): pred .95 obs 1
    assert expected_calibration_error(y, p) == pytest.approx((2 * 0.05 + 2 * 0.35 + 2 * 0.05) / 6)


def test_isotonic_recalibration_is_used_only_where_it_helps() -> None:
    rng = np.random.default_rng(6)
    true_p = rng.uniform(0, 1, 20_000)
    y = (rng.random(20_000) < true_p).astype(int)
    fold = rng.integers(0, 5, 20_000)
    calibrated = choose_calibration(y, true_p, fold)
    assert calibrated.isotonic is None and calibrated.ece < 0.02
    overconfident = np.clip(true_p**3, 0, 1)  # says 0.125 where it is 0.5
    fixed = choose_calibration(y, overconfident, fold)
    assert fixed.isotonic is not None and fixed.ece_isotonic < 0.02 < fixed.ece


def test_an_isotonic_map_keeps_the_threshold_exact() -> None:
    nb = NaiveBayesLinkage([SAME])
    nb.isotonic_ = (np.array([0.1, 0.3, 0.6, 0.9]), np.array([0.0, 0.2, 0.2, 0.95]))
    for p in (0.1, 0.2, 0.5, 0.9):
        q = nb.platt_probability_needed(p)
        assert nb.recalibrate(np.array([q + 1e-9]))[0] >= p
        assert nb.recalibrate(np.array([q - 1e-6]))[0] < p
    assert nb.platt_probability_needed(0.99) == 1.0  # unreachable
    # the map keeps the model's order: no two Platt probabilities tie
    grid = np.linspace(0, 1, 1001)
    assert np.all(np.diff(nb.recalibrate(grid)) > 0)


def test_an_isotonic_map_reaching_one_does_not_tie_the_top_pairs() -> None:
    nb = NaiveBayesLinkage([SAME])
    nb.isotonic_ = (np.array([0.1, 0.5, 0.8]), np.array([0.0, 0.3, 1.0]))
    grid = np.linspace(0, 1, 1001)
    mapped = nb.recalibrate(grid)
    assert np.all(np.diff(mapped) > 0)  # above 0.8 too, where the map is 1.0
    assert mapped.min() >= 0.0 and mapped.max() <= 1.0


def test_logistic_factors_share_out_the_pooled_mo_evidence_exactly() -> None:
    X, y = _pairs(80, 3000, seed=7)
    mo2 = Comparison(
        "entry", "agreement", (("entry_overlap", "1"), ("entry_rarity", "1")), (0.01, 0.1)
    )
    X["entry_overlap"] = X["weapon_overlap"].sample(frac=1, random_state=1).to_numpy()
    X["entry_rarity"] = np.where(X["entry_overlap"] > 0, 2.0, np.nan)
    model = LogisticLinkage([NEAR, MO, mo2], C=3.0, n_splits=3).fit(X, y)
    names = model.coefficients()["feature"].tolist()
    assert "MO:values shared" in names and "MO:values differing" in names
    base, contrib = model.factors(X)
    assert np.allclose(base + contrib.sum(axis=1), model.decision_function(X))
