"""Hit score, search area and persons ranking on hand-made grids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from caselink.geoprofile import Grid, LocalProjection, Surface, persons_of_interest, rank_persons
from caselink.geoprofile.persons import candidate_persons
from caselink.records.frames import mentions_frame

PROJ = LocalProjection(51.5, 0.0)
# 2 x 2 cells of 1 km x 2 km: centres x = 0.5, 1.5; y = 1, 3
GRID = Grid(PROJ, np.array([0.0, 1.0, 2.0]), np.array([0.0, 2.0, 4.0]))


def surface(scores: list[list[float]]) -> Surface:
    return Surface(GRID, np.array(scores, dtype=np.float64), "hand")


class TestHitScore:
    def test_searched_in_order(self) -> None:
        s = surface([[4.0, 3.0], [2.0, 1.0]])  # row 0 is south
        cost = s.search_cost([0.5, 1.5, 0.5, 1.5], [1.0, 1.0, 3.0, 3.0])
        assert cost.cells.tolist() == [1.0, 2.0, 3.0, 4.0]
        assert cost.hit_score_pct.tolist() == [25.0, 50.0, 75.0, 100.0]
        assert cost.area_km2.tolist() == [2.0, 4.0, 6.0, 8.0]
        assert cost.inside.all()

    def test_ties_count_half(self) -> None:
        s = surface([[1.0, 1.0], [1.0, 0.0]])
        cost = s.search_cost([0.5], [3.0])  # one of three tied cells: expected position 2
        assert cost.cells[0] == 2.0
        assert cost.hit_score_pct[0] == 50.0

    def test_outside_the_area(self) -> None:
        cost = surface([[4.0, 3.0], [2.0, 1.0]]).search_cost([5.0], [1.0])
        assert not cost.inside[0]
        assert np.isnan(cost.hit_score_pct[0])
        assert np.isnan(cost.area_km2[0])

    def test_percentile_map(self) -> None:
        pct = surface([[4.0, 3.0], [2.0, 1.0]]).percentile_map()
        assert pct.tolist() == [[25.0, 50.0], [75.0, 100.0]]

    def test_shapes_must_agree(self) -> None:
        with pytest.raises(ValueError, match="shape"):
            Surface(GRID, np.zeros((3, 2)), "bad")


class TestPersons:
    def test_ranked_by_search_cost(self) -> None:
        s = surface([[4.0, 3.0], [2.0, 1.0]])
        lat, lon = PROJ.to_latlon([1.5, 0.5, 9.0], [3.0, 1.0, 1.0])
        persons = pd.DataFrame(
            {"person_id": ["p1", "p2", "p3"], "lat": lat, "lon": lon, "label": ["a", "b", "c"]}
        )
        ranked = rank_persons(s, persons)
        assert ranked["person_id"].tolist() == ["p2", "p1", "p3"]
        assert ranked["rank"].tolist()[:2] == [1, 2]
        assert pd.isna(ranked["rank"].iloc[2])
        assert ranked["hit_score_pct"].tolist()[:2] == [25.0, 100.0]
        top = persons_of_interest(ranked, top_pct=50)
        assert top["person_id"].tolist() == ["p2"]

    def test_missing_home_is_an_error_naming_the_person(self) -> None:
        persons = pd.DataFrame({"person_id": ["p9"], "lat": [None], "lon": [0.0], "label": ["x"]})
        with pytest.raises(ValueError, match="p9"):
            rank_persons(surface([[1.0, 1.0], [1.0, 1.0]]), persons)

    def test_candidates_from_mentions_and_resolution(self) -> None:
        mentions = mentions_frame(
            [
                {
                    "case_id": "C1",
                    "role": "suspect",
                    "name": "Stephen P",
                    "address_lat": 51.5,
                    "address_lon": 0.1,
                },
                {
                    "case_id": "C2",
                    "role": "witness",
                    "name": "Stephen P",
                    "address_lat": 51.5,
                    "address_lon": 0.1,
                },
                {
                    "case_id": "C9",
                    "role": "victim",
                    "name": "Other",
                    "address_lat": 51.6,
                    "address_lon": 0.2,
                },
                {"case_id": "C1", "role": "victim", "name": "No address"},
            ]
        )
        resolution = pd.DataFrame(
            {"mention_id": [0, 1, 2, 3], "entity_id": ["E1", "E1", "E2", "E3"]}
        )
        linked = candidate_persons(mentions, resolution, case_ids={"C1"})
        assert linked["person_id"].tolist() == ["E1"]
        assert linked["label"].iloc[0] == "Stephen P (suspect)"
        assert (linked["lat"].iloc[0], linked["lon"].iloc[0]) == (51.5, 0.1)
        everyone = candidate_persons(mentions, resolution, case_ids={"C1"} | set())
        assert len(everyone) == 1
        unresolved = candidate_persons(mentions)
        assert unresolved["person_id"].tolist() == ["m0", "m1", "m2"]
        assert not unresolved["linked"].any()
