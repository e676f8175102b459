"""The models: hand-computed naive Bayes weights, parameter checks, priors, boosting."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from caselink.linkage.comparisons import Comparison
from caselink.linkage.models import (
    BoostedLinkage,
    EnsembleLinkage,
    LogisticLinkage,
    NaiveBayesLinkage,
    PriorLinkage,
)
from caselink.linkage.models.boosted import chosen_tree_count
from caselink.linkage.models.splits import offender_pair_folds
from caselink.linkage.selection import CrossValidation, choose, fold_ap_gain, select_model

SAME = Comparison("victim_sex", "binary", (("victim_same_sex", "1"),))
NEAR = Comparison("distance", "closeness", (("distance_km", "1"),), (1.0,))


def _frame(same: list[float], km: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"victim_same_sex": same, "distance_km": km})


def test_naive_bayes_weights_by_hand() -> None:
    # linked: same, same;  unlinked: same, different, different, different
    X = _frame([1, 1, 1, 0, 0, 0], [0.5] * 6)
    y = [1, 1, 0, 0, 0, 0]
    nb = NaiveBayesLinkage([SAME], alpha=1.0, calibrate=False, strength=0.0).fit(X, y)
    # levels (missing, different, same); Laplace alpha=1 over 3 levels:
    # m = (1, 1, 3)/5, u = (1, 4, 2)/7; conditional on recorded: m' = (1, 3)/4, u' = (4, 2)/6
    assert nb.log_ratio_[0][2] == pytest.approx(math.log((3 / 4) / (2 / 6)))
    assert nb.log_ratio_[0][1] == pytest.approx(math.log((1 / 4) / (4 / 6)))
    assert nb.log_ratio_[0][0] == 0.0
    assert nb.prior_log_odds_ == pytest.approx(math.log(2 / 4))
    p = nb.predict_proba(_frame([1], [0.5]))[0, 1]
    odds = (2 / 4) * (3 / 4) / (2 / 6)
    assert p == pytest.approx(odds / (1 + odds))
    assert list(nb.classes_) == [0, 1]


def test_factors_sum_to_the_log_odds() -> None:
    rng = np.random.default_rng(0)
    X = _frame(rng.integers(0, 2, 200).astype(float), rng.exponential(2, 200))
    y = ((X["distance_km"] < 1) & (rng.random(200) < 0.7)).astype(int)
    nb = NaiveBayesLinkage([SAME, NEAR], n_splits=3).fit(X, y)
    base, contrib = nb.factors(X)
    assert np.allclose(base + contrib.sum(axis=1), nb.decision_function(X))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"alpha": 0}, "alpha must be > 0, got 0"),
        ({"comparisons": None}, "comparisons must be the declared comparisons"),
    ],
)
def test_naive_bayes_validates_parameters_at_fit(params: dict[str, object], message: str) -> None:
    nb = NaiveBayesLinkage([SAME]).set_params(**params)
    with pytest.raises(ValueError, match=message):
        nb.fit(_frame([1, 0], [1, 1]), [1, 0])


def test_labels_must_hold_both_classes() -> None:
    with pytest.raises(ValueError, match="both linked"):
        NaiveBayesLinkage([SAME]).fit(_frame([1, 0], [1, 1]), [0, 0])


def test_prior_model_m_is_a_distribution_and_closeness_weighs_near_pairs_up() -> None:
    random_pairs = _frame([1, 0] * 50, list(np.linspace(0, 30, 100)))
    model = PriorLinkage([SAME, NEAR]).fit(random_pairs)
    m = model.prior_m(NEAR)
    assert m[1:].sum() == pytest.approx(1.0)
    # 85% Exp(mean 1.5) + 15% background (uniform over the 2 recorded levels without u)
    expected = 0.85 * (1 - math.exp(-1 / 1.5)) + 0.15 * 0.5
    assert m[1] == pytest.approx(expected)
    # with u, the tail is the background: the far level's m is 0.85 * P(Exp > 1) + 0.15 * u_far
    u = np.array([0.0, 0.2, 0.8])
    assert model.prior_m(NEAR, u)[2] == pytest.approx(0.85 * math.exp(-1 / 1.5) + 0.15 * 0.8)
    near, far = model.predict_proba(_frame([1, 1], [0.2, 25]))[:, 1]
    assert near > far
    assert 0 < model.link_share_ < 0.5


def test_prior_model_bounds_every_factor_and_sets_its_prior_from_expected_series_pairs() -> None:
    # u from pairs that are almost never near: being near would be a huge factor unbounded
    random_pairs = _frame([1, 0] * 50, [30.0] * 99 + [0.1])
    model = PriorLinkage([SAME, NEAR], max_factor=20.0).fit(random_pairs, n_cases=1001)
    _, contributions = model.factors(_frame([1], [0.1]))
    assert np.all(np.abs(contributions.to_numpy()) <= math.log(20.0) + 1e-12)
    # 20% of cases in series of mean size 3: 0.2 * (3 - 1) / (1001 - 1) of all pairs are links
    assert model.link_share_ == pytest.approx(0.2 * 2 / 1000)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"series_share": 0.0}, "series_share must be in"),
        ({"mean_series_size": 1.5}, "mean_series_size must be >= 2"),
        ({"max_factor": 1.0}, "max_factor must be > 1"),
    ],
)
def test_prior_model_validates_parameters_at_fit(params: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PriorLinkage([SAME], **params).fit(_frame([1, 0], [1, 1]))


def test_boosted_model_learns_and_explains() -> None:
    rng = np.random.default_rng(1)
    X = _frame(rng.integers(0, 2, 400).astype(float), rng.exponential(3, 400))
    y = (X["distance_km"] < 1.5).astype(int)
    model = BoostedLinkage([SAME, NEAR], max_iter=30, n_splits=2).fit(X, y)
    p = model.predict_proba(_frame([1, 1], [0.3, 10]))[:, 1]
    assert p[0] > 0.8 > 0.2 > p[1]
    _base, contrib = model.factors(_frame([1], [0.3]))
    assert contrib.columns.tolist() == ["victim_sex", "distance"]
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        BoostedLinkage([NEAR], learning_rate=0).fit(X, y)


def test_tree_count_is_the_one_with_least_held_out_log_loss() -> None:
    y = np.array([1, 0, 1, 0])
    # log-odds after 1..4 trees: sharpest at tree 3, overconfident and wrong at tree 4
    staged = np.array(
        [
            [0.5, 1.0, 2.0, 4.0],
            [-0.5, -1.0, -2.0, 3.0],
            [0.5, 1.0, 2.0, 4.0],
            [-0.5, -1.0, -2.0, -4.0],
        ]
    )
    assert chosen_tree_count(staged, y) == 3
    # the same scores, the second pair weighing little: tree 4's mistake costs less
    assert chosen_tree_count(staged, y, np.array([1.0, 0.001, 1.0, 1.0])) == 4
    with pytest.raises(ValueError, match="staged scores"):
        chosen_tree_count(staged[:3], y)


def test_boosted_model_stops_adding_trees_where_held_out_pairs_stop_gaining() -> None:
    rng = np.random.default_rng(3)
    n = 600
    X = _frame(rng.integers(0, 2, n).astype(float), rng.exponential(3, n))
    # a weak signal in a lot of noise: many trees would fit the noise
    y = ((X["distance_km"] < 1.5) ^ (rng.random(n) < 0.3)).astype(int)
    chosen = BoostedLinkage([SAME, NEAR], max_iter=200, n_splits=3).fit(X, y)
    every = BoostedLinkage([SAME, NEAR], max_iter=200, n_splits=3, choose_trees=False).fit(X, y)
    assert len(every.trees_.roots) == 200
    assert 1 <= len(chosen.trees_.roots) < 100
    p = chosen.predict_proba(_frame([1, 1], [0.3, 10]))[:, 1]
    assert p[0] > p[1]


def test_offender_folds_never_split_an_offender() -> None:
    groups = np.array(
        [["o1", "o1"], ["o1", "o2"], ["o2", "o3"], ["o3", "o3"], ["o4", "o5"], ["o5", "o6"]]
    )
    for train, test in offender_pair_folds(groups, n_splits=2):
        train_offenders = set(groups[train].ravel())
        test_offenders = set(groups[test].ravel())
        assert not train_offenders & test_offenders


def _series_pairs(seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Pairs of 60 offenders' cases: linked ones near, unlinked ones spread out."""
    rng = np.random.default_rng(seed)
    offenders = rng.integers(0, 60, (1500, 2))
    offenders[:150, 1] = offenders[:150, 0]
    y = (offenders[:, 0] == offenders[:, 1]).astype(int)
    km = np.where(y == 1, rng.exponential(1.0, len(y)), rng.exponential(4.0, len(y)))
    same = np.where(rng.random(len(y)) < np.where(y == 1, 0.8, 0.5), 1.0, 0.0)
    return _frame(list(same), list(km)), y, offenders.astype(str).astype(object)


def test_ensemble_averages_its_members_log_odds_and_explains_them() -> None:
    X, y, groups = _series_pairs(3)
    model = EnsembleLinkage([SAME, NEAR], n_splits=2).fit(X, y, groups=groups)
    members = model.members()
    assert [type(m) for m in members] == [NaiveBayesLinkage, LogisticLinkage, BoostedLinkage]
    mean = sum(m.decision_function(X) for m in members) / 3
    assert np.allclose(model.raw_score(X), mean)
    a, _b = model.calibration_
    assert a > 0  # the Platt slope keeps the average's order
    _base, contrib = model.factors(X)
    assert contrib.columns.tolist() == ["victim_sex", "distance"]
    p = model.predict_proba(_frame([1, 1], [0.2, 15.0]))[:, 1]
    assert p[0] > p[1]


def test_selection_prefers_the_average_unless_a_model_beats_it_by_a_standard_error() -> None:
    X, y, groups = _series_pairs(4)
    name, model, results, _cal = select_model([SAME, NEAR], X, y, groups, n_splits=3)
    assert set(results) == {"naive_bayes", "logistic", "boosted", "ensemble"}
    best = max(results, key=lambda n: results[n].average_precision)
    gain, se = fold_ap_gain(results[best], results["ensemble"])
    assert name == (best if best != "ensemble" and gain > se else "ensemble")
    if name == "ensemble":
        assert isinstance(model, EnsembleLinkage)
    # the average's out-of-fold scores come from its members' (same folds)
    assert np.array_equal(results["ensemble"].index, results["logistic"].index)


def test_one_standard_error_rule_by_hand() -> None:
    y = np.array([1, 0, 0, 1, 0, 0, 1, 0, 0])
    fold = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    good = np.array([0.9, 0.1, 0.2] * 3)  # perfect in every fold
    mixed = np.array([0.9, 0.1, 0.2, 0.1, 0.9, 0.2, 0.9, 0.1, 0.2])  # fails fold 1

    def cv(name: str, p: np.ndarray) -> CrossValidation:
        return CrossValidation(
            name, np.arange(9), p, y, 0.0, float(average_precision_score(y, p)), fold
        )

    gain, se = fold_ap_gain(cv("logistic", good), cv("ensemble", mixed))
    assert gain == pytest.approx((1 - 1 / 3) / 3) and gain < se  # one fold: within noise
    assert choose({"logistic": cv("logistic", good), "ensemble": cv("ensemble", mixed)}) == (
        "ensemble"
    )
    assert choose({"logistic": cv("logistic", good), "naive_bayes": cv("nb", mixed)}) == (
        "logistic"
    )
