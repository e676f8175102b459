"""The alert threshold follows a stated workload (alerts per 1,000 cases), not a fixed 0.5."""

from __future__ import annotations

import numpy as np
import pytest

from caselink.alerts import add_cases, warm_alerter
from caselink.alerts.workload import MIN_THRESHOLD, threshold_for
from caselink.linkage.engine import LinkageEngine
from caselink.records.model import Case
from caselink.store import Store


def test_the_threshold_is_the_probability_of_the_last_pair_the_workload_allows() -> None:
    probs = np.array([0.99, 0.9, 0.8, 0.7, 0.6, 0.3, 0.01])
    # 1,000 cases at 3 per 1,000: three pairs, each seen once
    w = threshold_for(probs, 1000, 3)
    assert w.threshold == 0.8
    assert w.expected_per_1000 == pytest.approx(3.0)
    # the same pairs seen from both of their cases weigh half: six sightings allowed
    assert threshold_for(probs, 1000, 3, pair_weight=0.5).threshold == 0.3
    # from a sample of 100 of 1,000 cases each sighting stands for 5 pairs
    sampled = threshold_for(probs, 1000, 10, pair_weight=1000 / 200, sampled_cases=100)
    assert sampled.threshold == 0.9 and sampled.sampled_cases == 100
    # a workload larger than the pairs allows every pair down to the floor, never below
    assert threshold_for(probs, 1000, 500).threshold == MIN_THRESHOLD
    assert threshold_for(np.array([]), 10, 5).threshold == MIN_THRESHOLD
    for bad in (0, -1, float("nan")):
        with pytest.raises(ValueError, match="alerts per 1,000 cases"):
            threshold_for(probs, 1000, bad)


def test_the_alerter_threshold_gives_the_workload_on_the_stores_own_pairs(store: Store) -> None:
    alerter = warm_alerter(store, alerts_per_1000=25)
    w = alerter.estimate_workload()
    assert w.sampled_cases == w.cases == len(alerter.index)  # small store: every case
    # the batch engine, same model, same cases: its links at the threshold are the workload
    engine = LinkageEngine(alerter._frame, store.attribute_schema(), model=alerter.model)
    links = engine.link(min_probability=w.threshold)
    assert 1000 * len(links) / w.cases == pytest.approx(w.expected_per_1000, abs=1e-9)
    allowed = 25 * w.cases / 1000
    assert len(links) >= round(allowed)
    assert (links["probability"] > w.threshold).sum() < round(allowed)
    # a larger workload never raises the threshold
    assert alerter.estimate_workload(100).threshold <= w.threshold
    assert alerter.estimate_workload(2).threshold >= w.threshold


def test_a_sampled_estimate_is_close_to_the_exact_one(store: Store) -> None:
    alerter = warm_alerter(store, alerts_per_1000=25)
    exact = alerter.estimate_workload()
    half = alerter.estimate_workload(sample=len(alerter.index) // 2)
    assert half.sampled_cases == len(alerter.index) // 2
    assert half.threshold == pytest.approx(exact.threshold, abs=0.25)


def test_add_reports_the_threshold_it_raised_alerts_at(store: Store, later: list[Case]) -> None:
    report = add_cases(store, later[:6], alerts_per_1000=40)
    assert report.workload is not None and report.workload.alerts_per_1000 == 40
    assert report.threshold == report.workload.threshold
    assert all(a.probability >= report.threshold for a in report.alerts)
    assert "alerts per 1,000 cases" in report.workload.describe()
    given = add_cases(store, [], threshold=0.7)
    assert given.workload is None
