"""Hand-checked surfaces on tiny inputs: CGT, baselines, projection, grid."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caselink.geoprofile import (
    CentreOfMinimumDistance,
    Centroid,
    CircleHypothesis,
    Grid,
    LocalProjection,
    RossmoCGT,
    geoprofile,
    study_area,
)
from caselink.geoprofile.baselines import centroid, furthest_pair_circle, weber_point
from caselink.geoprofile.projection import distance_km
from caselink.geoprofile.rossmo import cgt_term, mean_nearest_neighbour_manhattan

PROJ = LocalProjection(51.5, 0.0)


def line_grid(xs: list[float], ys: list[float] | None = None) -> Grid:
    """A grid whose cell centres are exactly at ``xs`` (unit spacing) and ``ys``."""
    ys = ys or [0.0]
    return Grid(
        PROJ,
        np.array([xs[0] - 0.5, *[x + 0.5 for x in xs]]),
        np.array([ys[0] - 0.5, *[y + 0.5 for y in ys]]),
    )


class TestRossmoTerm:
    # B = 2, f = 1, g = 2: outside 1/d; inside B^(g-f)/(2B-d)^g = 2/(4-d)^2
    @pytest.mark.parametrize(
        ("d", "expected"),
        [(0.0, 2 / 16), (1.0, 2 / 9), (2.0, 2 / 4), (3.0, 1 / 3), (4.0, 1 / 4)],
    )
    def test_values_by_hand(self, d: float, expected: float) -> None:
        assert cgt_term(np.array([d]), 2.0, 1.0, 2.0)[0] == pytest.approx(expected)

    def test_continuous_at_the_buffer_edge(self) -> None:
        b, f, g = 1.7, 1.2, 1.9
        inside = cgt_term(np.array([b]), b, f, g)[0]
        just_outside = cgt_term(np.array([b + 1e-9]), b, f, g)[0]
        assert inside == pytest.approx(b**-f) == pytest.approx(just_outside)

    def test_peak_is_at_the_buffer_distance(self) -> None:
        d = np.linspace(0, 10, 1001)
        assert d[np.argmax(cgt_term(d, 2.5, 1.2, 1.2))] == pytest.approx(2.5)


class TestRossmoSurface:
    def test_one_crime_on_a_line_of_cells(self) -> None:
        grid = line_grid([0.0, 1.0, 2.0, 3.0])
        s = RossmoCGT(buffer_km=2.0, f=1.0, g=2.0).surface([0.0], [0.0], grid)
        raw = np.array([2 / 16, 2 / 9, 2 / 4, 1 / 3])
        np.testing.assert_allclose(s.scores[0], raw / raw.sum())
        assert s.peak_xy == (2.0, 0.0)

    def test_distance_is_manhattan(self) -> None:
        # cell (1, 1) is 2 km away in Manhattan distance (sqrt 2 in Euclidean)
        grid = line_grid([0.0, 1.0, 2.0], [0.0, 1.0])
        s = RossmoCGT(buffer_km=0.5, f=1.0, g=1.0).surface([0.0], [0.0], grid)
        assert s.scores[1, 1] == pytest.approx(s.scores[0, 2])

    def test_two_crimes_sum(self) -> None:
        grid = line_grid([0.0, 1.0, 2.0, 3.0])
        s = RossmoCGT(buffer_km=1.0, f=1.0, g=1.0).surface([0.0, 3.0], [0.0, 0.0], grid)
        # cell 0: crime 1 at d=0 -> 1^0/(2-0)^1 = 0.5 ; crime 2 at d=3 -> 1/3
        # cell 1: d=1 -> 1/(2-1) = 1 ; d=2 -> 1/2
        raw = np.array([0.5 + 1 / 3, 1.5, 1.5, 0.5 + 1 / 3])
        np.testing.assert_allclose(s.scores[0], raw / raw.sum())

    def test_default_buffer_is_half_mean_nearest_neighbour_manhattan(self) -> None:
        x, y = np.array([0.0, 1.0, 5.0]), np.array([0.0, 1.0, 1.0])
        # nearest Manhattan distances: 2, 2, 4 -> mean 8/3
        assert mean_nearest_neighbour_manhattan(x, y) == pytest.approx(8 / 3)
        assert RossmoCGT().buffer_for(x, y) == pytest.approx(4 / 3)

    @pytest.mark.parametrize(
        ("params", "message"),
        [({"buffer_km": 0.0}, "buffer_km"), ({"f": -1.0}, "f must"), ({"g": 0.0}, "g must")],
    )
    def test_invalid_parameters_are_named(self, params: dict[str, float], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            RossmoCGT(**params).surface([0.0, 1.0], [0.0, 0.0], line_grid([0.0, 1.0]))

    def test_one_crime_needs_a_buffer(self) -> None:
        with pytest.raises(ValueError, match="buffer_km must be given"):
            RossmoCGT().surface([0.0], [0.0], line_grid([0.0, 1.0]))


class TestBaselines:
    def test_centroid_of_a_triangle(self) -> None:
        assert centroid(np.array([0.0, 3.0, 0.0]), np.array([0.0, 0.0, 3.0])) == (1.0, 1.0)

    def test_weber_point_of_a_square_is_its_centre(self) -> None:
        x, y = weber_point(np.array([1.0, -1.0, -1.0, 1.0]), np.array([1.0, 1.0, -1.0, -1.0]))
        assert (x, y) == pytest.approx((0.0, 0.0), abs=1e-9)

    def test_weber_point_on_a_cross_is_the_centre_crime(self) -> None:
        # the start (the centroid) is a crime site: Vardi-Zhang keeps it
        x, y = weber_point(
            np.array([0.0, 1.0, -1.0, 0.0, 0.0]), np.array([0.0, 0.0, 0.0, 1.0, -1.0])
        )
        assert (x, y) == pytest.approx((0.0, 0.0), abs=1e-9)

    def test_weber_point_on_a_line_is_the_median(self) -> None:
        x, y = weber_point(np.array([0.0, 1.0, 10.0]), np.zeros(3))
        assert (x, y) == pytest.approx((1.0, 0.0), abs=1e-6)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.tuples(st.floats(-10, 10), st.floats(-10, 10)), min_size=2, max_size=12))
    def test_weber_point_minimises_total_distance(self, pts: list[tuple[float, float]]) -> None:
        x = np.array([p[0] for p in pts])
        y = np.array([p[1] for p in pts])
        wx, wy = weber_point(x, y)

        def cost(px: float, py: float) -> float:
            return float(np.hypot(x - px, y - py).sum())

        best = cost(wx, wy)
        for px, py in [centroid(x, y), *pts, (wx + 0.01, wy), (wx, wy - 0.01)]:
            assert best <= cost(px, py) + 1e-6

    def test_circle_of_the_furthest_pair(self) -> None:
        assert furthest_pair_circle(np.array([0.0, 4.0, 1.0]), np.array([0.0, 0.0, 1.0])) == (
            2.0,
            0.0,
            2.0,
        )

    @pytest.mark.parametrize(
        ("method", "point"),
        [(Centroid(), (1.0, 1.0)), (CircleHypothesis(), (1.5, 1.5))],
    )
    def test_baseline_surface_is_negative_distance(
        self, method: Centroid | CircleHypothesis, point: tuple[float, float]
    ) -> None:
        grid = line_grid([0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 3.0])
        s = method.surface([0.0, 3.0, 0.0], [0.0, 0.0, 3.0], grid)
        assert s.point_xy == pytest.approx(point)
        assert s.scores[0, 0] == pytest.approx(-math.hypot(*point))
        assert s.scores[3, 2] == pytest.approx(-math.hypot(2 - point[0], 3 - point[1]))

    def test_cmd_surface_estimate_is_weber_point(self) -> None:
        grid = line_grid([0.0, 1.0, 2.0])
        s = CentreOfMinimumDistance().surface([0.0, 1.0, 10.0], [0.0, 0.0, 0.0], grid)
        assert s.point_xy == pytest.approx((1.0, 0.0), abs=1e-6)


class TestProjectionAndGrid:
    def test_one_degree_of_latitude(self) -> None:
        assert distance_km(51.0, 0.0, 52.0, 0.0) == pytest.approx(111.195, abs=0.01)
        x, y = PROJ.to_xy(52.5, 0.0)
        assert (float(x), float(y)) == pytest.approx((0.0, 111.195), abs=0.01)

    def test_round_trip(self) -> None:
        lat, lon = PROJ.to_latlon(*PROJ.to_xy(51.53, 0.12))
        assert (float(lat), float(lon)) == pytest.approx((51.53, 0.12))

    def test_equirectangular_matches_great_circle_at_city_scale(self) -> None:
        x, y = PROJ.to_xy(51.55, 0.1)
        assert math.hypot(float(x), float(y)) == pytest.approx(
            float(distance_km(51.5, 0.0, 51.55, 0.1)), rel=1e-3
        )

    def test_rossmo_hunting_area(self) -> None:
        # crimes span 4 km east-west over 3 crimes: widen by 4 / (2 * 2) = 1 km each side
        lat, lon = PROJ.to_latlon(np.array([-2.0, 0.0, 2.0]), np.array([0.0, 1.0, 2.0]))
        grid = study_area(lat, lon, cells=10, projection=PROJ)
        assert grid.x_edges[0] == pytest.approx(-3.0)
        assert grid.x_edges[-1] == pytest.approx(3.0)
        assert grid.y_edges[0] == pytest.approx(-0.5)
        assert grid.y_edges[-1] == pytest.approx(2.5)
        assert grid.area_km2 == pytest.approx(18.0)
        assert grid.cell_area_km2 == pytest.approx(0.18)

    def test_explicit_bounds_and_margin(self) -> None:
        grid = study_area([51.5], [0.0], cells=(4, 8), margin_km=2.0)
        assert grid.shape == (4, 8)
        assert grid.area_km2 == pytest.approx(16.0)
        box = study_area([51.5], [0.0], bounds=(51.4, -0.1, 51.6, 0.1), cells=5)
        lat, lon = box.projection.to_latlon(box.x_edges[[0, -1]], box.y_edges[[0, -1]])
        np.testing.assert_allclose(lat, [51.4, 51.6])
        np.testing.assert_allclose(lon, [-0.1, 0.1])
        with pytest.raises(ValueError, match="bounds"):
            study_area([51.5], [0.0], bounds=(51.6, 0.0, 51.4, 0.1))

    def test_cell_of(self) -> None:
        grid = line_grid([0.0, 1.0, 2.0], [0.0, 1.0])
        rows, cols = grid.cell_of([0.2, 2.5, 9.0, 1.0], [0.9, 1.5, 0.0, -0.49])
        assert rows.tolist() == [1, 1, -1, 0]
        assert cols.tolist() == [0, 2, -1, 1]

    def test_surface_frame_has_a_row_per_cell(self) -> None:
        s = geoprofile([51.54, 51.55, 51.545], [0.08, 0.10, 0.11], "cgt", cells=7)
        frame = s.to_frame()
        assert frame.columns.tolist() == ["lat", "lon", "score"]
        assert len(frame) == 49
        assert frame["score"].sum() == pytest.approx(1.0)

    def test_unknown_method(self) -> None:
        with pytest.raises(ValueError, match="method must be one of"):
            geoprofile([51.5], [0.0], "tarot")
