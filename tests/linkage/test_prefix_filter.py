"""The prefix filter finds every pair a naive Bayes model links, at any distance.

Blocking derived from the model's own weights (:mod:`caselink.linkage.prefix_filter`)
must give exactly the links of scoring every pair of the store — not only
those within some rule's km and days — on the default and a trained model,
on both synthetic designs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from caselink.linkage import bounds, prefix_filter
from caselink.linkage.engine import LinkageEngine
from caselink.synth import generate
from tests.linkage import conftest
from tests.linkage.conftest import EVERY_PAIR


def _links(engine: LinkageEngine, threshold: float, **kwargs: object) -> pd.DataFrame:
    frame = pd.concat(list(engine.link_chunks(threshold, **kwargs)), ignore_index=True)  # type: ignore[arg-type]
    a = np.minimum(frame["case_a"].to_numpy(), frame["case_b"].to_numpy())
    b = np.maximum(frame["case_a"].to_numpy(), frame["case_b"].to_numpy())
    out = pd.DataFrame({"case_a": a, "case_b": b, "probability": frame["probability"]})
    return out.sort_values(["case_a", "case_b"]).reset_index(drop=True)


def _assert_same_links_as_every_pair(engine: LinkageEngine, threshold: float) -> None:
    every = _links(engine, threshold, pairs_sql=EVERY_PAIR)
    engine.prefix_filter = True
    found = _links(engine, threshold)
    assert len(every) > 0
    pd.testing.assert_frame_equal(found, every, check_exact=False, rtol=1e-9)
    # found by the filter, each pair in one tier only (the tiers split
    # distance and days), so never more pairs than the store has
    assert engine.blocking_report["prefix_filter"] is True
    assert engine.blocking_report["prefix_tiers"] > 0
    n = len(engine.cases)
    assert engine.blocking_report["rule_pairs"] <= n * (n - 1) / 2


@pytest.mark.parametrize("design", ["A", "B"])
@pytest.mark.parametrize("threshold", [0.5, 0.2])
def test_links_are_those_of_scoring_every_pair(design: str, threshold: float) -> None:
    data = generate(1200, seed=5, design=design)
    _assert_same_links_as_every_pair(LinkageEngine(data.cases, data.schema), threshold)


def test_a_trained_naive_bayes_model_too() -> None:
    engine = conftest.trained_city("naive_bayes")
    assert bounds.additive_weights(engine.model.estimator) is not None
    _assert_same_links_as_every_pair(engine, 0.5)


def test_far_tiers_ask_for_more_shared_gain() -> None:
    data = generate(300, seed=2)
    engine = LinkageEngine(data.cases, data.schema)
    weights = bounds.additive_weights(engine.model.estimator)
    needed = bounds.needed_raw_score(engine.model.estimator, 0.5)
    assert weights is not None and needed is not None
    plan = prefix_filter.plan(engine.comparisons, weights, needed)
    near = next(t for t in plan.tiers if t.km_from == 0.0 and t.days_from == 0.0)
    far = next(t for t in plan.tiers if t.km_to == float("inf") and t.days_to == float("inf"))
    assert far.tau > near.tau
    # the tiers cover every distance and gap once
    assert len({(t.km_from, t.days_from) for t in plan.tiers}) == len(plan.tiers)


def test_other_models_keep_the_rules(boosted_city: LinkageEngine) -> None:
    boosted_city.prefix_filter = True
    try:
        rules_only = _links(boosted_city, 0.5)
        assert "prefix_tokens" not in {
            r[0] for r in boosted_city._con.execute("SHOW TABLES").fetchall()
        }
        assert len(rules_only) > 0
    finally:
        boosted_city.prefix_filter = False


boosted_city = conftest.boosted_city
