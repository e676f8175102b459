"""The ensemble's bound never drops a pair the ensemble would link.

The ensemble (naive Bayes, logistic and boosted members averaged) is bounded
before its pairs are compared by its members' bounds summed
(:class:`caselink.linkage.bounds.EnsembleBound`). On a trained ensemble the
bound is never below a pair's summed log-odds and it rules most pairs out;
linking with it gives exactly the links of scoring every candidate
(``test_tree_bound.py``, beside the boosted model's bound).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from caselink.linkage import bounds
from caselink.linkage.engine import LinkageEngine
from caselink.linkage.models.ensemble import EnsembleLinkage
from caselink.linkage.models.logistic import LogisticLinkage


def _bound_frame(engine: LinkageEngine, columns: str) -> pd.DataFrame:
    """``columns`` (SQL over ``a``, ``b``) of 40,000 random pairs of cases."""
    engine._create_bounded_cases()
    every = (
        "SELECT a.case_id AS case_a, b.case_id AS case_b FROM cases a JOIN cases b "
        "ON a.case_id < b.case_id USING SAMPLE 40000 ROWS (reservoir, 7)"
    )
    return engine._con.execute(
        f"SELECT p.case_a, p.case_b, {columns} FROM ({every}) p "
        f"JOIN {bounds.BOUNDED_CASES} a ON a.case_id = p.case_a "
        f"JOIN {bounds.BOUNDED_CASES} b ON b.case_id = p.case_b"
    ).df()


def test_the_logistic_members_sql_bound_is_its_score_at_the_best_case(
    ensemble_city: LinkageEngine,
) -> None:
    engine = ensemble_city
    est = engine.model.estimator
    assert isinstance(est, EnsembleLinkage)
    logistic = est.logistic_
    assert isinstance(logistic, LogisticLinkage)
    rarest = engine._rarest()
    sql = bounds.logistic_bound_sql(engine.comparisons, logistic, rarest)
    best = bounds.logistic_best_case(engine.comparisons, rarest)
    assert sql is not None and best is not None
    names = [name for name, _ in best]
    frame = _bound_frame(
        engine,
        ", ".join([f"{sql} AS lr"] + [f"{e} AS l{k}" for k, (_, e) in enumerate(best)]),
    )
    at_best = frame[[f"l{k}" for k in range(len(best))]].set_axis(names, axis=1).astype(float)
    np.testing.assert_allclose(frame["lr"], logistic.decision_function(at_best), atol=1e-9)
    compared = engine.compare(frame[["case_a", "case_b"]])
    exact = logistic.decision_function(compared)
    assert (frame["lr"].to_numpy() >= exact - 1e-9).all()  # the best case is a bound
    assert (frame["lr"].to_numpy() > exact + 1e-6).mean() > 0.05  # where a join is free


def test_the_ensemble_bound_is_never_below_a_pairs_summed_log_odds(
    ensemble_city: LinkageEngine,
) -> None:
    engine = ensemble_city
    est = engine.model.estimator
    assert isinstance(est, EnsembleLinkage)
    reach = bounds.model_reach(engine.comparisons, est, 0.5, rarest=engine._rarest())
    assert reach is not None and reach.ensemble is not None
    assert reach.bound_sql() is None  # read partly in Python: no one SQL condition
    assert engine.reach_condition(0.5) is None
    bound = reach.ensemble
    trees = [f"i{k}" for k in range(len(bound.trees.inputs))]
    frame = _bound_frame(
        engine,
        ", ".join(
            [f"{bound.members} AS members"]
            + [f"{sql} AS {n}" for n, sql in zip(trees, bound.trees.inputs, strict=True)]
        ),
    )
    compared = engine.compare(frame[["case_a", "case_b"]])
    summed = sum(m.decision_function(compared) for m in est.members())
    members = frame["members"].to_numpy()
    exact_members = est.naive_bayes_.decision_function(compared) + est.logistic_.decision_function(
        compared
    )
    assert (members >= exact_members - 1e-9).all()
    for needed in np.quantile(summed, [0.5, 0.99, 0.999]):
        x = frame[trees].to_numpy(dtype=float, na_value=np.nan)
        reaches = bound.reaches(members, x, float(needed))
        assert reaches[summed >= needed].all()  # never drops a pair that reaches it
        assert reaches.mean() < 0.9  # and it rules pairs out
        # the floor on the members' bound drops no pair the trees could lift
        assert (members[summed >= needed] >= bound.members_needed(float(needed))).all()


def test_an_ensemble_is_scored_whole_when_asked(ensemble_city: LinkageEngine) -> None:
    whole = LinkageEngine(ensemble_city.cases, ensemble_city.schema, model=ensemble_city.model)
    whole.prune_trees = False
    assert whole.count_linkable(0.5) == whole.count_candidates()
