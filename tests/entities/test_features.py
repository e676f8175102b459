"""The comparison columns of a mention, and how crowded its area is."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from caselink.entities.features import area_cells, person_features
from caselink.entities.persons import area_density, with_area_band
from caselink.records.frames import mentions_frame


def test_area_cells_are_2_km_squares() -> None:
    # 51.54 * 111.195 / 2 = 2865.50 -> row 2865; 0.08 deg of longitude at 51.54 N is
    # 0.08 * 111.195 * cos(51.54 deg) = 5.53 km -> column 2; 0.5 km north is still row 2865;
    # 0.08 deg west is 5.53 km west -> column -3
    cells = area_cells(
        np.array([51.54, 51.5445, np.nan, 51.54]), np.array([0.08, 0.08, 0.0, -0.08])
    )
    assert cells == ["2865:2", "2865:2", None, "2865:-3"]


def _mentions() -> pd.DataFrame:
    rows = [
        {
            "case_id": "C1",
            "role": "victim",
            "name": "SMITH, Steve",
            "dob": date(1980, 1, 2),
            "vehicle": "ab12 cde",
        },
        {"case_id": "C2", "role": "reporter", "name": "Pearce Tomek"},
        {"case_id": "C1", "role": "witness", "name": None},
    ]
    return mentions_frame(rows)


def _cases() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": ["C1", "C2"],
            "case_type": ["drug_related_death", "burglary"],
            "lat": [51.54, 51.60],
            "lon": [0.08, 0.10],
        }
    )


def test_features_carry_vehicle_canonical_names_area_and_role_kind() -> None:
    f = person_features(_mentions(), _cases())
    assert f["vehicle"].tolist() == ["AB12CDE", None, None]
    # canonical given name + surname, whose frequency weighs a name agreement
    assert f["canon_name"].tolist()[0] == "stephen smith"
    # "Pearce Tomek" written surname first: the surname read as a given name
    assert f.loc[1, "surname_canon"] == "tomasz"
    assert f["area"].tolist()[0] == "2865:2"
    # the victim of a death is its own kind of role; a witness of it is a bystander
    assert f["role_kind"].tolist() == ["deceased", "bystander", "bystander"]


def test_without_cases_there_is_no_area_and_no_deceased() -> None:
    f = person_features(_mentions())
    assert f["area"].isna().all()
    assert f["role_kind"].tolist() == ["victim", "bystander", "bystander"]


def test_density_bands_cut_the_mentions_into_fifths_of_crowding() -> None:
    # 10 mentions: 4 in area a, 3 in b, 2 in c, 1 in d; one with no area
    areas = ["a"] * 4 + ["b"] * 3 + ["c"] * 2 + ["d", None]
    features = pd.DataFrame({"area": pd.Series(areas, dtype=object)})
    density = area_density(features)
    assert dict(density["shares"]) == pytest.approx({"a": 0.4, "b": 0.3, "c": 0.2, "d": 0.1})
    # each mention's share, sorted: .1 .2 .2 .3 .3 .3 .4 .4 .4 .4; quintiles (linear
    # interpolation at positions 1.8, 3.6, 5.4, 7.2): .2, .3, .3 + .4 * .1 = .34, .4
    assert density["cuts"] == pytest.approx([0.2, 0.3, 0.34, 0.4])
    banded = with_area_band(
        pd.DataFrame({"area": pd.Series(["a", "b", "c", "d", "e", None], dtype=object)}),
        density,
    )
    # the band is the number of cuts at or below the share; e (unseen at fit) is sparse
    assert banded["area_band"].tolist() == [4, 2, 1, 0, 0, pd.NA]
