"""Accuracy on solved series: the home ranks early on distance-decay series."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from caselink.geoprofile import (
    JourneyToCrime,
    evaluate_series,
    geoprofile,
    solved_series,
    study_area,
    summarise,
)
from caselink.geoprofile.evaluation import RESULT_COLUMNS
from caselink.geoprofile.simulation import simulate_series
from caselink.records.frames import cases_frame, mentions_frame
from caselink.records.model import AttributeSchema


@pytest.fixture(scope="module")
def results() -> pd.DataFrame:
    sim = simulate_series(16, 10, seed=11)
    return evaluate_series(sim, cells=60)


def test_result_shape(results: pd.DataFrame) -> None:
    assert results.columns.tolist() == list(RESULT_COLUMNS)
    assert len(results) == 16 * 7
    assert results["home_in_area"].all()


@pytest.mark.parametrize(("method", "median_pct"), [("cgt", 10.0), ("bayes", 5.0), ("cmd", 5.0)])
def test_home_ranks_in_the_top_few_percent(
    results: pd.DataFrame, method: str, median_pct: float
) -> None:
    # a surface that ignored the crimes would put the median home at 50 %
    got = results.loc[results["method"] == method, "hit_score_pct"]
    assert got.median() <= median_pct
    assert got.mean() <= 20.0


def test_summary(results: pd.DataFrame) -> None:
    summary = summarise(results).set_index("method")
    assert summary.loc["cgt", "series"] == 16
    assert summary.loc["cgt", "homes_outside"] == 0
    assert 0 <= summary.loc["bayes", "top5_share"] <= 1


def test_summary_counts_an_outside_home_as_the_whole_area() -> None:
    rows = pd.DataFrame(
        {
            "series_id": ["a", "b"],
            "method": ["cgt", "cgt"],
            "n_crimes": [5, 5],
            "hunting_area_km2": [10.0, 40.0],
            "home_in_area": [True, False],
            "hit_score_pct": [2.0, np.nan],
            "search_area_km2": [0.2, np.nan],
            "error_distance_km": [0.5, 3.0],
        }
    )
    s = summarise(rows).iloc[0]
    assert s["mean_hit_pct"] == 51.0
    assert s["median_search_km2"] == pytest.approx(20.1)
    assert s["homes_outside"] == 1


def test_fitted_methods_never_see_the_scored_series() -> None:
    sim = simulate_series(3, 6, seed=2)
    res = evaluate_series(sim, ["jtc"], cells=30).set_index("series_id")
    one = sim[sim["series_id"] == "S001"]
    others = sim[sim["series_id"] != "S001"]
    grid = study_area(one["lat"], one["lon"], cells=30)
    s = JourneyToCrime().fit(others).surface(*grid.projection.to_xy(one["lat"], one["lon"]), grid)
    cost = s.search_cost_latlon(one["home_lat"].iloc[0], one["home_lon"].iloc[0])
    assert res.loc["S001", "hit_score_pct"] == pytest.approx(cost.hit_score_pct[0])
    with pytest.raises(ValueError, match="other than"):
        evaluate_series(sim[sim["series_id"] == "S000"], ["jtc"], cells=10)


def test_series_with_two_homes_is_an_error() -> None:
    sim = simulate_series(1, 4, seed=1)
    sim.loc[0, "home_lat"] += 0.01
    with pytest.raises(ValueError, match="2 different homes"):
        evaluate_series(sim, ["cgt"])


@pytest.mark.parametrize("method", ["cgt", "jtc", "bayes"])
def test_500_by_500_grid_for_ten_crimes_is_interactive(method: str) -> None:
    sim = simulate_series(30, 10, seed=4)
    series = sim[sim["series_id"] == "S000"]
    solved = sim[sim["series_id"] != "S000"]
    geoprofile(series["lat"], series["lon"], method, solved=solved, cells=20)  # warm-up
    start = time.perf_counter()
    s = geoprofile(series["lat"], series["lon"], method, solved=solved, cells=500)
    elapsed = time.perf_counter() - start
    assert s.scores.shape == (500, 500)
    assert elapsed < 2.0  # generous; benchmarks/geoprofile_speed.py reports the real figure


SCHEMA = AttributeSchema()


def test_solved_series_from_store_frames() -> None:
    cases = cases_frame(
        [
            {
                "case_id": f"C{i}",
                "case_type": "burglary",
                "occurred_from": "2015-01-01",
                "lat": 51.5 + i / 100,
                "lon": 0.1,
                "offender_id": oid,
            }
            for i, oid in enumerate(["O1", "O1", "O1", "O2", "O2", "O3", None])
        ],
        SCHEMA,
    )
    mentions = mentions_frame(
        [
            {"case_id": "C0", "role": "suspect", "address_lat": 51.0, "address_lon": 0.0},
            {"case_id": "C1", "role": "offender", "address_lat": 51.52, "address_lon": 0.11},
            {"case_id": "C2", "role": "offender", "address_lat": 51.52, "address_lon": 0.11},
            {"case_id": "C3", "role": "victim", "address_lat": 51.6, "address_lon": 0.1},
        ]
    )
    homes = pd.DataFrame({"offender_id": ["O3"], "home_lat": [51.4], "home_lon": [0.2]})
    got = solved_series(cases, mentions, homes, min_crimes=2)
    frame = got.frame.set_index("case_id")
    assert sorted(frame.index) == ["C0", "C1", "C2"]
    assert frame.loc["C0", "home_lat"] == 51.52  # the offender's address beats a suspect's
    assert frame.loc["C0", "home_source"] == "mention:offender"
    assert got.skipped == {
        "O2": "home unknown (no homes-table row and no offender/suspect address)",
        "O3": "1 case(s), fewer than 2",
    }
