"""The geoprofile commands end to end on a real SQLite store imported from CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from caselink.cli import geoprofile as geoprofile_cli
from caselink.geoprofile.simulation import simulate_series
from caselink.store import Store

app = typer.Typer()
geoprofile_cli.register(app)
runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Six solved series with offender addresses, and one unsolved series T000 (5 cases)."""
    tmp = tmp_path_factory.mktemp("gp")
    sim = simulate_series(7, 5, seed=21)
    sim["offender_id"] = sim["series_id"].str.replace("S", "O")
    target = sim["series_id"] == "S006"
    sim.loc[target, "case_id"] = sim.loc[target, "case_id"].str.replace("S006", "T000")
    cases = pd.DataFrame(
        {
            "case_id": sim["case_id"],
            "case_type": "burglary",
            "occurred_from": "2015-03-01",
            "lat": sim["lat"],
            "lon": sim["lon"],
            "offender_id": sim["offender_id"].where(~target, ""),
        }
    )
    offenders = pd.DataFrame(
        {
            "case_id": sim.loc[~target, "case_id"],
            "role": "offender",
            "name": sim.loc[~target, "offender_id"],
            "address_lat": sim.loc[~target, "home_lat"],
            "address_lon": sim.loc[~target, "home_lon"],
        }
    )
    home = sim[target].iloc[0]
    suspect = pd.DataFrame(
        [
            {
                "case_id": "S000-C00",
                "role": "witness",
                "name": "Lives At Target Home",
                "address_lat": home["home_lat"],
                "address_lon": home["home_lon"],
            },
            {
                "case_id": "T000-C01",
                "role": "victim",
                "name": "Victim Far Away",
                "address_lat": home["home_lat"] + 1.0,
                "address_lon": home["home_lon"],
            },
        ]
    )
    cases.to_csv(tmp / "cases.csv", index=False)
    pd.concat([offenders, suspect]).to_csv(tmp / "people.csv", index=False)
    url = f"sqlite:///{tmp}/t.db"
    store = Store.open(url)
    store.import_files(tmp / "cases.csv", people=tmp / "people.csv")
    store.close()
    return url


@pytest.mark.parametrize("method", ["cgt", "bayes"])
def test_geoprofile_writes_surface_map_and_persons(db: str, tmp_path: Path, method: str) -> None:
    ids = ",".join(f"T000-C{i:02d}" for i in range(5))
    out, png = tmp_path / "surface.csv", tmp_path / "map.png"
    result = runner.invoke(
        app,
        [
            "geoprofile",
            "--db",
            db,
            "--cases",
            ids,
            "--out",
            str(out),
            "--png",
            str(png),
            "--cells",
            "40",
            "--method",
            method,
            "--top-pct",
            "25",
        ],
    )
    assert result.exit_code == 0, result.output
    surface = pd.read_csv(out)
    assert surface.columns.tolist() == ["lat", "lon", "score"]
    assert len(surface) == 40 * 40
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Lives At Target Home" in result.output
    assert "Victim Far Away" not in result.output  # home outside the study area


def test_series_named_by_offender_id(db: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["geoprofile", "--db", db, "--series", "O001", "--cells", "20"])
    assert result.exit_code == 0, result.output
    assert "5 cases" in result.output


def test_bad_input_exits_with_a_message(db: str) -> None:
    both = runner.invoke(app, ["geoprofile", "--db", db, "--series", "X", "--cases", "A"])
    assert both.exit_code == 1
    assert "exactly one of" in both.output
    missing = runner.invoke(app, ["geoprofile", "--db", db, "--cases", "NOPE"])
    assert missing.exit_code == 1
    assert "NOPE" in missing.output


def test_evaluate_geoprofile(db: str, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    result = runner.invoke(
        app, ["evaluate-geoprofile", "--db", db, "--cells", "30", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "6 solved series" in result.output
    results = pd.read_csv(out)
    assert set(results["method"]) == {
        "cgt",
        "jtc",
        "bayes",
        "bayes-cgt",
        "centroid",
        "cmd",
        "circle",
    }
    assert results["series_id"].nunique() == 6


def test_evaluate_with_a_homes_file(db: str, tmp_path: Path) -> None:
    homes = tmp_path / "homes.csv"
    pd.DataFrame({"offender_id": ["O000"], "home_lat": [51.5], "home_lon": [0.0]}).to_csv(
        homes, index=False
    )
    result = runner.invoke(
        app,
        [
            "evaluate-geoprofile",
            "--db",
            db,
            "--homes",
            str(homes),
            "--methods",
            "cgt",
            "--cells",
            "20",
        ],
    )
    assert result.exit_code == 0, result.output


def test_auto_is_the_default_and_says_which_and_why(db: str) -> None:
    ids = ",".join(f"T000-C{i:02d}" for i in range(5))
    result = runner.invoke(app, ["geoprofile", "--db", db, "--cases", ids, "--cells", "30"])
    assert result.exit_code == 0, result.output
    assert "best median hit score on 6 solved series" in result.output
    assert "search areas: first 1% =" in result.output
    assert "leave-one-series-out): hit score median" in result.output
    assert "prior: none" in result.output  # too few geocoded homes outside offender roles


def test_population_grid_is_the_named_prior(db: str, tmp_path: Path) -> None:
    store = Store.open(db)
    cases = store.cases_frame()
    store.close()
    pop = tmp_path / "population.csv"
    pd.DataFrame({"lat": cases["lat"].round(4), "lon": cases["lon"].round(4), "weight": 10}).to_csv(
        pop, index=False
    )
    ids = ",".join(f"T000-C{i:02d}" for i in range(5))
    args = ["geoprofile", "--db", db, "--cases", ids, "--cells", "30", "--method", "normal-res"]
    without = runner.invoke(app, args)
    assert without.exit_code == 1
    assert "needs where people live" in without.output
    result = runner.invoke(app, [*args, "--population", str(pop)])
    assert result.exit_code == 0, result.output
    assert "prior: population grid population.csv" in result.output
    assert "(posterior" in result.output


def test_bad_population_file_names_row_and_column(db: str, tmp_path: Path) -> None:
    pop = tmp_path / "population.csv"
    pop.write_text("lat,lon,weight\n51.5,0.1,1\n51.5,east,1\n")
    result = runner.invoke(
        app, ["geoprofile", "--db", db, "--cases", "T000-C00", "--population", str(pop)]
    )
    assert result.exit_code == 1
    assert "row 2, column lon, value 'east'" in result.output
