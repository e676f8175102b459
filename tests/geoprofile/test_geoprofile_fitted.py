"""Journey-to-crime and Bayesian methods fitted from solved series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from caselink.geoprofile import (
    BayesianJourneyToCrime,
    Grid,
    JourneyToCrime,
    LocalProjection,
    NotFittedError,
    make_profiler,
)
from caselink.geoprofile.bayesian import radial_log_density, range_log_likelihood
from caselink.geoprofile.decay import reflected_kde, silverman_bandwidth
from caselink.geoprofile.simulation import simulate_series

PROJ = LocalProjection(51.5, 0.0)


def solved_at(distances_km: list[float]) -> pd.DataFrame:
    """One crime per distance, due north of a home at the projection centre."""
    lat, lon = PROJ.to_latlon(np.zeros(len(distances_km)), np.array(distances_km))
    return pd.DataFrame(
        {
            "series_id": [f"S{i % 3}" for i in range(len(distances_km))],
            "lat": lat,
            "lon": lon,
            "home_lat": 51.5,
            "home_lon": 0.0,
        }
    )


class TestDecayDensity:
    def test_reflected_kde_integrates_to_one_on_the_half_line(self) -> None:
        r = np.linspace(0, 30, 30001)
        f = reflected_kde(r, np.array([0.1, 1.0, 2.0, 5.0]), 0.8)
        assert np.trapezoid(f, r) == pytest.approx(1.0, abs=1e-4)

    def test_reflected_kde_single_point_by_hand(self) -> None:
        # sample {1}, h = 1, at r = 0: 2 * phi(1) = 2 * exp(-1/2) / sqrt(2 pi)
        f = reflected_kde(np.array([0.0]), np.array([1.0]), 1.0)
        assert f[0] == pytest.approx(2 * np.exp(-0.5) / np.sqrt(2 * np.pi))

    def test_silverman(self) -> None:
        d = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
        # sd = 1.5811, IQR/1.34 = 2/1.34 = 1.4925 -> 0.9 * 1.4925 * 5^-0.2
        assert silverman_bandwidth(d) == pytest.approx(0.9 * (2 / 1.34) * 5**-0.2)

    def test_radial_density_integrates_to_one_over_the_plane(self) -> None:
        r = np.linspace(0, 40, 40001)
        p = np.exp(radial_log_density(r, np.array([0.0, 1.5, 3.0, 6.0]), 0.7))
        assert np.trapezoid(2 * np.pi * r * p, r) == pytest.approx(1.0, abs=1e-4)

    def test_radial_density_of_an_offset_at_zero_is_a_gaussian(self) -> None:
        # sample {0}: p(r) = exp(-r^2 / 2h^2) / (2 pi h^2)
        r = np.array([0.0, 1.0, 2.0])
        p = np.exp(radial_log_density(r, np.array([0.0]), 1.0))
        np.testing.assert_allclose(p, np.exp(-(r**2) / 2) / (2 * np.pi))


class TestJourneyToCrime:
    def test_fit_learns_distances(self) -> None:
        jtc = JourneyToCrime(bandwidth_km=0.5).fit(solved_at([1.0, 2.0, 3.0]))
        np.testing.assert_allclose(jtc.distances_, [1.0, 2.0, 3.0], rtol=1e-3)
        assert jtc.bandwidth_ == 0.5
        assert jtc.n_series_ == 3

    def test_surface_is_sum_of_decay_at_each_crime(self) -> None:
        jtc = JourneyToCrime(bandwidth_km=0.5).fit(solved_at([1.0, 2.0, 3.0]))
        grid = Grid(PROJ, np.array([-0.5, 0.5, 1.5, 2.5]), np.array([-0.5, 0.5]))
        s = jtc.surface([0.0, 2.0], [0.0, 0.0], grid)
        expected = [
            jtc.decay(np.array([abs(c - 0.0)]))[0] + jtc.decay(np.array([abs(c - 2.0)]))[0]
            for c in (0.0, 1.0, 2.0)
        ]
        np.testing.assert_allclose(s.scores[0], expected, rtol=1e-3)

    def test_not_fitted(self) -> None:
        grid = Grid(PROJ, np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0]))
        with pytest.raises(NotFittedError, match="fit"):
            JourneyToCrime().surface([0.0], [0.0], grid)

    def test_invalid_inputs_are_all_named(self) -> None:
        bad = solved_at([1.0, 2.0])
        bad.loc[0, "lat"] = np.nan
        bad.loc[1, "home_lon"] = 999.0
        with pytest.raises(ValueError, match=r"row 0: lat=.*row 1: home_lon=999"):
            JourneyToCrime().fit(bad)
        with pytest.raises(ValueError, match=r"lacks column\(s\) home_lat"):
            JourneyToCrime().fit(bad.drop(columns=["home_lat"]))
        with pytest.raises(ValueError, match="bandwidth_km must be > 0"):
            JourneyToCrime(bandwidth_km=-1).fit(solved_at([1.0, 2.0]))

    def test_fitted_methods_need_solved_series(self) -> None:
        with pytest.raises(ValueError, match="solved series"):
            make_profiler("jtc")


class TestBayesian:
    def test_one_crime_gives_a_radially_symmetric_posterior(self) -> None:
        bayes = BayesianJourneyToCrime(bandwidth_km=0.5).fit(solved_at([1.0, 2.0, 2.0]))
        grid = Grid(PROJ, np.arange(-3.5, 4.0, 1.0), np.arange(-3.5, 4.0, 1.0))
        s = bayes.surface([0.0], [0.0], grid)
        assert s.scores[3, 5] == pytest.approx(s.scores[5, 3]) == pytest.approx(s.scores[1, 3])
        assert np.exp(s.scores).sum() == pytest.approx(1.0)
        # the offsets sit at 1-2 km, so a cell 2 km off beats the crime site itself
        assert s.scores[3, 5] > s.scores[3, 3]

    def test_posterior_is_prior_times_likelihoods(self) -> None:
        solved = solved_at([1.0, 2.0, 2.5])
        grid = Grid(PROJ, np.arange(-2.5, 3.0, 1.0), np.arange(-2.5, 3.0, 1.0))
        prior = np.ones(grid.shape)
        prior[0, 0] = 5.0
        flat = BayesianJourneyToCrime(bandwidth_km=0.6).fit(solved)
        tilted = BayesianJourneyToCrime(bandwidth_km=0.6, prior=prior).fit(solved)
        x, y = [0.0, 1.0], [0.0, -1.0]
        a = flat.surface(x, y, grid).scores
        b = tilted.surface(x, y, grid).scores
        ratio = (b - a) - (b - a)[2, 2]
        assert ratio[0, 0] == pytest.approx(np.log(5.0))
        assert ratio[4, 4] == pytest.approx(0.0)
        assert tilted.label() == "bayes-prior"

    def test_cgt_prior_variant(self) -> None:
        profiler = make_profiler("bayes-cgt", solved_at([1.0, 2.0, 2.5]))
        assert profiler.label() == "bayes-cgt"

    def test_invalid_prior(self) -> None:
        with pytest.raises(ValueError, match="prior must be one of"):
            BayesianJourneyToCrime(prior="population").fit(solved_at([1.0, 2.0]))


def solved_with_ranges(range_sigma: float, n_series: int = 150, crimes: int = 5) -> pd.DataFrame:
    """Series whose crimes lie Gamma(2, 0.5 km) x the offender's own range from home.

    Each offender's range is ``exp(N(0, range_sigma))``, shared by his crimes;
    bearings are uniform.
    """
    rng = np.random.default_rng(11)
    ranges = np.exp(rng.normal(0.0, range_sigma, n_series)) if range_sigma else np.ones(n_series)
    d = rng.gamma(2.0, 0.5, (n_series, crimes)) * ranges[:, None]
    bearing = rng.uniform(0.0, 2.0 * np.pi, d.shape)
    lat, lon = PROJ.to_latlon((d * np.cos(bearing)).ravel(), (d * np.sin(bearing)).ravel())
    return pd.DataFrame(
        {
            "series_id": np.repeat([f"S{i}" for i in range(n_series)], crimes),
            "lat": lat,
            "lon": lon,
            "home_lat": 51.5,
            "home_lon": 0.0,
        }
    )


class TestOffenderRange:
    """The offender's own range, shared by his crimes, integrated out (a scale mixture)."""

    def test_offenders_who_travel_alike_keep_crimes_independent(self) -> None:
        bayes = BayesianJourneyToCrime().fit(solved_with_ranges(0.0))
        assert bayes.range_sigma_ <= 0.2

    def test_a_spread_of_ranges_is_found_by_marginal_likelihood(self) -> None:
        bayes = BayesianJourneyToCrime().fit(solved_with_ranges(0.7))
        assert 0.4 <= bayes.range_sigma_ <= 1.0

    def test_a_given_range_sigma_is_used(self) -> None:
        bayes = BayesianJourneyToCrime(range_sigma=0.0).fit(solved_with_ranges(0.7))
        assert bayes.range_sigma_ == 0.0
        with pytest.raises(ValueError, match="range_sigma"):
            BayesianJourneyToCrime(range_sigma=-0.5).fit(solved_with_ranges(0.7))

    def test_no_spread_is_the_product_of_independent_crimes(self) -> None:
        d = [np.array([0.5, 1.0, 3.0]), np.array([2.0, 0.1, 1.0])]

        def log_density(r: np.ndarray) -> np.ndarray:
            return -r  # any log density

        assert range_log_likelihood(d, log_density, 0.0) == pytest.approx(-(d[0] + d[1]))

    def test_a_shared_range_lets_one_long_journey_vouch_for_the_others(self) -> None:
        # Three crimes 3 km from a home: under independent crimes each far journey is
        # penalised on its own; with a shared range they are read as one far-travelling
        # offender, so the home 3 km away loses less against a cell amid the crimes.
        solved = solved_with_ranges(0.7)
        grid = Grid(PROJ, np.arange(-4.25, 4.5, 0.5), np.arange(-4.25, 4.5, 0.5))
        x, y = [2.75, 3.25, 3.0], [0.25, -0.25, 0.75]
        flat = BayesianJourneyToCrime(range_sigma=0.0).fit(solved).surface(x, y, grid).scores
        mixed = BayesianJourneyToCrime(range_sigma=0.7).fit(solved).surface(x, y, grid).scores
        home, amid = (8, 8), (8, 14)  # (row, col): the origin, and near (3, 0) km
        assert mixed[home] - mixed[amid] > flat[home] - flat[amid]


def test_simulation_distances_follow_the_gamma() -> None:
    sim = simulate_series(40, 25, journey_shape=2.0, journey_scale_km=1.0, seed=5)
    d = JourneyToCrime().fit(sim).distances_
    assert len(sim) == 1000
    assert d.mean() == pytest.approx(2.0, rel=0.08)  # gamma mean = shape * scale
    assert (d < 0.2).mean() < 0.03  # few crimes very close to home: a buffer zone
