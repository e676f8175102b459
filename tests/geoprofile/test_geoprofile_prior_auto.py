"""Where people live as a prior, --method auto, uncertainty and persons of interest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from caselink.geoprofile import Grid, LocalProjection, Surface, persons_of_interest
from caselink.geoprofile.baselines import Centroid
from caselink.geoprofile.bayesian import NormalJourneyToCrime
from caselink.geoprofile.evaluation import evaluate_series
from caselink.geoprofile.grid import study_area
from caselink.geoprofile.methods import make_profiler
from caselink.geoprofile.profile import search_areas
from caselink.geoprofile.residential import (
    ResidentialDensity,
    cv_bandwidth,
    from_mentions,
    read_population,
    residential_points,
    scott_bandwidth,
)
from caselink.geoprofile.selection import (
    DEFAULT_WITH_PRIOR,
    DEFAULT_WITHOUT_PRIOR,
    choose_method,
    leave_one_out_auto,
    rank_methods,
)
from caselink.geoprofile.simulation import simulate_series
from caselink.records.errors import InvalidInputError
from caselink.records.frames import mentions_frame

PROJ = LocalProjection(51.5, 0.0)
GRID = Grid(PROJ, np.linspace(-2.0, 2.0, 41), np.linspace(-2.0, 2.0, 41))


def density_at(points_xy: list[tuple[float, float]], bandwidth_km: float) -> ResidentialDensity:
    x = np.array([p[0] for p in points_xy])
    y = np.array([p[1] for p in points_xy])
    lat, lon = PROJ.to_latlon(x, y)
    return ResidentialDensity(
        np.asarray(lat), np.asarray(lon), np.ones(len(x)), bandwidth_km, "test", "given"
    )


class TestResidentialDensity:
    def test_cell_probabilities_sum_to_one_and_peak_where_people_live(self) -> None:
        prior = density_at([(1.03, 1.03)] * 20 + [(-1.5, -1.5)], 0.2)
        p = prior.cell_probabilities(GRID)
        assert p.sum() == pytest.approx(1.0)
        row, col = np.unravel_index(int(np.argmax(p)), p.shape)
        assert (GRID.x[col], GRID.y[row]) == pytest.approx((1.05, 1.05), abs=0.01)
        # the even share keeps every cell searchable
        assert p.min() == pytest.approx(prior.uniform_share / p.size, rel=0.01)

    def test_people_just_outside_the_area_spill_in(self) -> None:
        outside = density_at([(2.2, 0.0)] * 10, 0.3).cell_probabilities(GRID)
        assert outside[20, 39] > 10 * outside[20, 0]

    def test_cv_bandwidth_follows_tight_clusters_where_scott_oversmooths(self) -> None:
        rng = np.random.default_rng(3)
        centres = rng.uniform(-10, 10, size=(15, 2))
        pts = centres[rng.integers(0, 15, 1500)] + rng.normal(0, 0.1, size=(1500, 2))
        w = np.ones(len(pts))
        h, rule = cv_bandwidth(pts[:, 0], pts[:, 1], w)
        assert 0.04 < h < 0.25
        assert scott_bandwidth(pts[:, 0], pts[:, 1], w) > 4 * h
        assert "cross-validation" in rule or "CV" in rule

    def test_a_block_of_flats_does_not_shrink_the_bandwidth_to_nothing(self) -> None:
        rng = np.random.default_rng(4)
        pts = rng.normal(0, 1.0, size=(300, 2))
        pts = np.vstack([pts, np.repeat(pts[:5], 40, axis=0)])  # 200 people at 5 addresses
        h, _ = cv_bandwidth(pts[:, 0], pts[:, 1], np.ones(len(pts)))
        assert h > 0.2

    def test_prior_leaves_out_offenders_and_suspects(self) -> None:
        mentions = mentions_frame(
            [
                {"case_id": "C1", "role": "offender", "address_lat": 51.5, "address_lon": 0.0},
                {"case_id": "C1", "role": "suspect", "address_lat": 51.6, "address_lon": 0.0},
                {"case_id": "C1", "role": "reporter", "address_lat": 51.7, "address_lon": 0.0},
                {"case_id": "C2", "role": "victim"},
            ]
        )
        pts = residential_points(mentions)
        assert pts["lat"].tolist() == [51.7]
        assert from_mentions(mentions) is None  # fewer than 10 homes: no prior

    def test_population_grid_is_read_and_named(self, tmp_path: Path) -> None:
        rng = np.random.default_rng(5)
        path = tmp_path / "pop.csv"
        pd.DataFrame(
            {
                "lat": 51.5 + rng.normal(0, 0.01, 50),
                "lon": rng.normal(0, 0.01, 50),
                "weight": rng.integers(0, 100, 50),
            }
        ).to_csv(path, index=False)
        prior = read_population(path)
        assert "population grid pop.csv" in prior.describe()
        assert prior.bandwidth_km > 0

    def test_bad_population_rows_are_all_named(self, tmp_path: Path) -> None:
        path = tmp_path / "pop.csv"
        path.write_text("lat,lon,weight\n51.5,0.1,3\nnorth,0.1,2\n51.5,0.1,-1\n")
        with pytest.raises(InvalidInputError) as err:
            read_population(path)
        text = str(err.value)
        assert "row 2, column lat, value 'north'" in text
        assert "row 3, column weight, value '-1'" in text
        missing = tmp_path / "nocol.csv"
        missing.write_text("lat,lon\n51.5,0.1\n")
        with pytest.raises(InvalidInputError, match="weight"):
            read_population(missing)


class TestNormalModel:
    def test_uniform_prior_searches_in_the_centroids_order(self) -> None:
        x, y = np.array([-0.5, 0.4, 0.3]), np.array([0.2, -0.6, 0.9])
        normal = NormalJourneyToCrime().surface(x, y, GRID)
        centroid = Centroid().surface(x, y, GRID)
        assert np.exp(normal.scores).sum() == pytest.approx(1.0)
        # the posterior falls as the distance to the centroid grows
        order = np.argsort(-centroid.scores.ravel(), kind="stable")
        assert np.all(np.diff(normal.scores.ravel()[order]) <= 1e-9)

    def test_where_people_live_moves_the_peak_off_empty_ground(self) -> None:
        x, y = np.array([-0.5, 0.5, 0.0]), np.array([0.0, 0.0, 0.6])
        prior = density_at([(0.6, -0.6)] * 30, 0.15)
        s = NormalJourneyToCrime(prior=prior).surface(x, y, GRID)
        assert s.method == "normal-res"
        assert s.peak_xy == pytest.approx((0.55, -0.55), abs=0.15)

    def test_prior_methods_need_a_prior(self) -> None:
        with pytest.raises(ValueError, match="residential prior"):
            make_profiler("normal-res")


def results_frame(scores: dict[str, list[float]]) -> pd.DataFrame:
    rows = []
    for method, hits in scores.items():
        for i, h in enumerate(hits):
            rows.append(
                {
                    "series_id": f"S{i}",
                    "method": method,
                    "n_crimes": 5,
                    "hunting_area_km2": 10.0,
                    "home_in_area": True,
                    "hit_score_pct": h,
                    "search_area_km2": h / 10,
                    "error_distance_km": 1.0,
                }
            )
    return pd.DataFrame(rows)


class TestAuto:
    def test_ranked_by_median_then_mean(self) -> None:
        r = results_frame({"cgt": [10, 20, 30], "cmd": [5, 20, 90], "centroid": [1, 20, 25]})
        assert rank_methods(r)["method"].tolist() == ["centroid", "cgt", "cmd"]

    def test_auto_never_chooses_by_the_series_own_score(self) -> None:
        # cmd is best on every series but S0, where it is worst
        r = results_frame({"cgt": [1, 30, 30, 30], "cmd": [99, 2, 2, 2]})
        auto = leave_one_out_auto(r).set_index("series_id")
        assert auto.loc["S0", "chosen"] == "cmd"
        assert auto.loc["S0", "hit_score_pct"] == 99

    def test_too_few_solved_series_fall_back_to_the_documented_default(self) -> None:
        two = simulate_series(2, 5, seed=2)
        choice = choose_method(two, cells=20)
        assert choice.method == DEFAULT_WITHOUT_PRIOR
        assert "fewer than 3" in choice.reason
        assert choice.spread() is None
        prior = density_at([(0.0, 0.0)] * 20, 0.5)
        assert choose_method(two, prior=prior, cells=20).method == DEFAULT_WITH_PRIOR

    def test_chooses_the_best_median_and_says_why(self) -> None:
        solved = simulate_series(8, 6, seed=9)
        choice = choose_method(solved, cells=30)
        ranking = rank_methods(evaluate_series(solved, cells=30))
        assert choice.method == ranking["method"].iloc[0]
        assert f"{ranking['median_hit_pct'].iloc[0]:.1f}%" in choice.reason
        assert "8 solved series" in choice.reason
        q1, q2, q3 = choice.spread() or (0.0, 0.0, 0.0)
        assert q1 <= q2 <= q3
        assert q2 == pytest.approx(ranking["median_hit_pct"].iloc[0])


class TestUncertainty:
    def test_search_areas_in_km2_and_posterior_mass(self) -> None:
        x, y = np.array([-0.5, 0.4, 0.3]), np.array([0.2, -0.6, 0.9])
        s = NormalJourneyToCrime().surface(x, y, GRID)
        areas = search_areas(Surface(GRID, s.scores, "normal-res"))
        assert [a.pct for a in areas] == [1.0, 5.0, 10.0]
        assert [a.area_km2 for a in areas] == pytest.approx([0.16, 0.8, 1.6])
        probs = [a.probability or 0.0 for a in areas]
        assert 0 < probs[0] < probs[1] < probs[2] <= 1
        cgt = make_profiler("cgt").surface(x, y, study_area([51.5, 51.51], [0.0, 0.01]))
        assert all(a.probability is None for a in search_areas(cgt))


class TestPersonsOfInterest:
    def test_a_person_of_the_series_at_the_peak_comes_first(self) -> None:
        ranked = pd.DataFrame(
            {
                "rank": [1, 2, 3, 4],
                "person_id": ["stranger", "reporter", "witness", "far"],
                "label": ["a", "b", "c", "d"],
                "lat": 51.5,
                "lon": 0.0,
                "hit_score_pct": [0.2, 0.8, 3.0, 7.0],
                "search_area_km2": [0.1, 0.2, 0.3, 0.4],
                "linked": [False, True, True, False],
                "roles": ["", "reporter of C1 (drug_related_death)", "witness of C2", ""],
            }
        )
        top = persons_of_interest(ranked, top_pct=5, first_pct=1)
        assert top["person_id"].tolist() == ["reporter", "stranger", "witness"]
        assert persons_of_interest(ranked, top_pct=5)["person_id"].tolist()[0] == "stranger"


def test_a_method_that_cannot_profile_a_solved_series_is_left_out_and_named() -> None:
    solved = simulate_series(4, 4, seed=11)
    # every crime of S000 twice at one site: CGT's buffer (nearest-neighbour distance) is 0
    s0 = solved["series_id"] == "S000"
    solved.loc[s0, ["lat", "lon"]] = solved.loc[s0, ["lat", "lon"]].iloc[[0, 0, 1, 1]].to_numpy()
    choice = choose_method(solved, cells=20)
    assert choice.method != "cgt"
    assert "cgt left out" in choice.reason
