"""The model's bound prunes only pairs that cannot be linked.

The SQL log ratio of every cheap comparison must equal the model's own (level
for level, on every pair of a small city), the bound must never be below a
pair's score, and linking with the bound must give exactly the links and
probabilities of scoring every candidate pair, while comparing far fewer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from caselink.linkage import bounds
from caselink.linkage.blocking import BlockingRule
from caselink.linkage.engine import LinkageEngine
from caselink.linkage.features import level_matrix
from caselink.synth import generate
from tests.linkage import conftest
from tests.linkage.conftest import EVERY_PAIR


@pytest.fixture(scope="module")
def trained_city() -> LinkageEngine:
    return conftest.trained_city("naive_bayes")


def _every_pair_with_sql(engine: LinkageEngine, exprs: dict[str, str]) -> pd.DataFrame:
    """Every pair's comparison frame, with the given SQL expressions evaluated on it."""
    engine._create_bounded_cases()
    selects = ", ".join(f"{sql} AS {name}" for name, sql in exprs.items())
    sql = (
        f"SELECT p.case_a, p.case_b, {selects} FROM ({EVERY_PAIR}) p "
        f"JOIN {bounds.BOUNDED_CASES} a ON a.case_id = p.case_a "
        f"JOIN {bounds.BOUNDED_CASES} b ON b.case_id = p.case_b"
    )
    evaluated = engine._con.execute(sql).df()
    compared = engine.compare(evaluated[["case_a", "case_b"]])
    return compared.join(evaluated.drop(columns=["case_a", "case_b"]))


@pytest.mark.parametrize("which", ["default", "trained naive Bayes"])
def test_each_cheap_comparison_has_the_models_own_log_ratio_in_sql(
    which: str, city: LinkageEngine, trained_city: LinkageEngine
) -> None:
    engine = city if which == "default" else trained_city
    weights = bounds.additive_weights(engine.model.estimator)
    assert weights is not None
    cheap = {
        f"t{j}": bounds.level_ratio_sql(c, weights.log_ratios[j])
        for j, c in enumerate(engine.comparisons)
        if bounds.is_cheap(c)
    }
    assert len(cheap) >= 10  # distance, days, case type, victim, single-valued MO ...
    frame = _every_pair_with_sql(engine, cheap)
    levels = level_matrix(frame, engine.comparisons)
    for j, comp in enumerate(engine.comparisons):
        if f"t{j}" in cheap:
            expected = weights.log_ratios[j][levels[:, j]]
            np.testing.assert_array_equal(frame[f"t{j}"].to_numpy(), expected, err_msg=comp.name)


@pytest.mark.parametrize("which", ["default", "trained naive Bayes"])
def test_the_bound_is_never_below_a_pairs_score(
    which: str, city: LinkageEngine, trained_city: LinkageEngine
) -> None:
    engine = city if which == "default" else trained_city
    est = engine.model.estimator
    weights = bounds.additive_weights(est)
    assert weights is not None
    frame = _every_pair_with_sql(engine, {"bound": bounds.bound_sql(engine.comparisons, weights)})
    raw = est.raw_score(frame)
    assert (frame["bound"].to_numpy() >= raw - 1e-9).all()
    # and a useful one: at the alert threshold it rules out most pairs
    needed = bounds.needed_raw_score(est, 0.5)
    assert needed is not None
    assert (frame["bound"] >= needed).mean() < 0.1
    assert (raw >= needed).sum() > 0


def test_the_reachable_pairs_are_those_whose_bound_reaches_what_is_needed(
    city: LinkageEngine,
) -> None:
    city._create_bounded_cases()
    reach = bounds.model_reach(city.comparisons, city.model.estimator, 0.5)
    assert reach is not None and reach.bound is not None
    joined = (
        f"FROM ({EVERY_PAIR}) r JOIN {reach.cases_table} a ON a.case_id = r.case_a "
        f"JOIN {reach.cases_table} b ON b.case_id = r.case_b"
    )
    kept = set(city._con.execute(reach.reachable_sql(joined)).fetchall())
    every = city._con.execute(f"SELECT r.case_a, r.case_b, {reach.bound} {joined}").fetchall()
    assert kept == {(a, b) for a, b, bound in every if bound >= reach.needed}
    assert 0 < len(kept) < len(every)
    trees_only = bounds.Reach("cases", reach.needed)
    with pytest.raises(ValueError, match="only a bound given as SQL"):
        trees_only.reachable_sql(joined)


@pytest.mark.parametrize("threshold", [0.05, 0.5, 0.9])
def test_pruned_linking_gives_exactly_the_links_of_scoring_every_candidate(
    threshold: float, city: LinkageEngine
) -> None:
    pruned = city.link(threshold)
    full = city.link(threshold, prune=False)
    pd.testing.assert_frame_equal(pruned, full)
    assert len(full) > 0
    assert city.count_linkable(threshold) < city.count_candidates() / 2


def test_pruned_linking_of_a_trained_model_gives_the_same_links(
    trained_city: LinkageEngine,
) -> None:
    pruned = trained_city.link(0.5, explain=True)
    full = trained_city.link(0.5, explain=True, prune=False)
    pd.testing.assert_frame_equal(pruned, full)
    assert len(full) > 0


def test_training_a_new_model_bounds_the_pairs_again() -> None:
    # pairs bounded under the default model must not be reused for a trained one
    data = generate(1500, seed=3)
    engine = LinkageEngine(data.cases, data.schema)
    before = engine.count_linkable(0.5)
    engine.link(0.5)
    engine.train(models=("naive_bayes",))
    pd.testing.assert_frame_equal(engine.link(0.5), engine.link(0.5, prune=False))
    assert engine.count_linkable(0.5) != before


def test_every_pair_scored_with_the_bound_gives_the_links_of_scoring_every_pair(
    city: LinkageEngine,
) -> None:
    def links(prune: bool) -> pd.DataFrame:
        parts = city.link_chunks(0.5, pairs_sql=EVERY_PAIR, prune=prune)
        frame = pd.concat(list(parts), ignore_index=True)
        return frame.sort_values(["case_a", "case_b"], ignore_index=True)

    pd.testing.assert_frame_equal(links(True), links(False))


def test_no_bound_at_a_threshold_of_zero_or_one(city: LinkageEngine) -> None:
    assert city.reach_condition(0.0) is None
    assert city.reach_condition(1.0) is None
    assert city.reach_condition(0.5) is not None
    # without a bound every candidate pair is scored
    assert city.count_linkable(1.0) == city.count_candidates()


def test_the_logistic_model_is_bounded_in_blocking_not_by_one_condition(
    logistic_city: LinkageEngine,
) -> None:
    """Its bound needs each attribute's rarest value, read from the data."""
    assert logistic_city.reach_condition(0.5) is None
    assert logistic_city.count_linkable(0.5) < logistic_city.count_candidates()
    whole = LinkageEngine(logistic_city.cases, logistic_city.schema, model=logistic_city.model)
    whole.prune_trees = False
    assert whole.count_linkable(0.5) == whole.count_candidates()


def test_a_rule_with_a_condition_keeps_its_pairs_that_meet_it(city: LinkageEngine) -> None:
    con = city._con
    for rule in (
        BlockingRule("near", km=2.0, days=180.0, same=("family",)),
        BlockingRule("rare_value", max_cases=30),
        BlockingRule("victim_group", days=730.0),
    ):
        where = "a.victim_sex = 'M' AND b.victim_age < 40"
        plain = con.execute(rule.sql(city.config)).df()
        cond = con.execute(rule.sql(city.config, where=where)).df()
        ages = city.tables.cases.set_index("case_id")
        keep = (ages.loc[plain["case_a"], "victim_sex"].to_numpy() == "M") & (
            ages.loc[plain["case_b"], "victim_age"].to_numpy() < 40
        )
        expected = set(zip(plain["case_a"][keep], plain["case_b"][keep], strict=True))
        assert set(zip(cond["case_a"], cond["case_b"], strict=True)) == expected, rule.describe()
        assert 0 < len(expected) < len(plain), rule.describe()
