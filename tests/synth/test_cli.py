"""``caselink synth`` and ``caselink demo-data``, through the root app, into a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from typer.testing import CliRunner

from caselink.cli import synth as synth_cli
from caselink.store import Store


def _app() -> typer.Typer:
    app = typer.Typer()
    synth_cli.register(app)
    return app


def test_synth_writes_the_files_and_loads_them(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/t.db"
    result = CliRunner().invoke(
        _app(),
        ["synth", str(tmp_path / "out"), "--cases", "300", "--seed", "3",
         "--check-bias", "lgbt=0.5", "--load", "--db", db],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for name in ("cases.csv", "people.csv", "actions.csv", "schema.yaml", "truth_cases.csv"):
        assert (tmp_path / "out" / name).exists()
    store = Store.open(db)
    assert len(store.cases_frame()) == 300
    assert len(store.mentions_frame()) == len(pd.read_csv(tmp_path / "out" / "people.csv"))


def test_bad_check_bias_is_a_clean_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["synth", str(tmp_path), "--check-bias", "lgbt"])
    assert result.exit_code == 1
    assert "GROUP=FACTOR" in result.output
    result = CliRunner().invoke(_app(), ["synth", str(tmp_path), "--check-bias", "gay=0.5"])
    assert result.exit_code == 1
    assert "unknown victim group" in result.output


def test_demo_data_copies_the_shipped_files_and_imports_cleanly(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/t.db"
    result = CliRunner().invoke(_app(), ["demo-data", str(tmp_path / "demo"), "--load", "--db", db])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo" / "truth_people.csv").exists()
    store = Store.open(db)
    cases = store.cases_frame()
    assert len(cases) == len(pd.read_csv(tmp_path / "demo" / "cases.csv"))
    assert "churchyard" in set(cases["location_type"])
