"""Death clusters: quiet on homogeneous deaths, finds an injected space-time cluster."""

from __future__ import annotations

import pandas as pd
import pytest

from caselink.assurance.calibration import simulated_deaths
from caselink.assurance.clusters import scan_death_clusters, select_deaths
from tests.assurance.builders import case, make_cases


def test_finds_an_injected_cluster_with_observed_expected_and_probability() -> None:
    found = scan_death_clusters(simulated_deaths(1, inject=6), n_simulations=99, seed=1)
    top = found.iloc[0]
    members = set(top["case_ids"].split("|"))
    assert {f"X{i}" for i in range(6)} <= members
    assert top["p_value"] <= 0.05
    assert top["observed"] >= 6 and top["expected"] < 2
    assert top["relative_risk"] == pytest.approx(top["observed"] / top["expected"])


def test_quiet_on_homogeneous_deaths() -> None:
    # Monte Carlo p-values are uniform under no clustering: at 0.05, about 1 in 20 false alarms
    alarms = [
        bool(
            (
                scan_death_clusters(simulated_deaths(s, n=100), n_simulations=39, seed=s)["p_value"]
                <= 0.05
            ).any()
        )
        for s in range(3)
    ]
    assert sum(alarms) <= 1


def test_expected_count_by_hand() -> None:
    # 4 deaths at one spot in bin 0, 4 far apart spread over bins 1..4: the spot's
    # cylinder [bin 0] holds all 4 of its deaths; expected = 4 (zone) * 4 (bin 0) / 8 = 2
    rows = [("A", 51.5357, 0.0757, "2014-01-0" + str(d)) for d in range(1, 5)]
    rows += [("B", 51.50 + 0.05 * k, 0.0 + 0.05 * k, f"2014-0{k + 2}-15") for k in range(4)]
    deaths = pd.DataFrame(
        {
            "case_id": [f"{p}{i}" for i, (p, *_rest) in enumerate(rows)],
            "lat": [r[1] for r in rows],
            "lon": [r[2] for r in rows],
            "occurred_from": pd.to_datetime([r[3] for r in rows]),
        }
    )
    found = scan_death_clusters(
        deaths, max_radius_m=500, bin_days=30, max_bins=1, max_share=0.5, n_simulations=9
    )
    top = found.iloc[0]
    assert top["observed"] == 4
    assert top["expected"] == pytest.approx(2.0)


def test_select_deaths_by_type_profile_and_age() -> None:
    cases = make_cases(
        [
            case("C1", "drug_related_death", "2014-01-01", victim_sex="M", victim_age=22),
            case("C2", "drug_related_death", "2014-01-02", victim_sex="F", victim_age=22),
            case("C3", "unexplained_death", "2014-01-03", victim_sex="M", victim_age=60),
            case("C4", "theft", "2014-01-04", victim_sex="M", victim_age=22),
        ]
    )
    picked = select_deaths(cases, profile={"victim_sex": ["M"]}, min_age=18, max_age=35)
    assert picked["case_id"].tolist() == ["C1"]
    with pytest.raises(ValueError, match="profile column 'colour'"):
        select_deaths(cases, profile={"colour": ["x"]})


def test_parameters_are_validated() -> None:
    with pytest.raises(ValueError, match="max_radius_m must be positive, got -1"):
        scan_death_clusters(simulated_deaths(0), max_radius_m=-1)
    with pytest.raises(ValueError, match="max_share"):
        scan_death_clusters(simulated_deaths(0), max_share=0.9)
    assert scan_death_clusters(simulated_deaths(0, n=2)).empty
