"""The entity commands as a user types them, on a SQLite store imported from CSV files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from caselink.cli import entities as entity_commands
from caselink.store import Store
from caselink.synth import generate, write

runner = CliRunner()
app = typer.Typer()
entity_commands.register(app)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("synth")
    write(generate(300, seed=4), out)
    people = pd.read_csv(out / "people.csv", dtype=str, keep_default_na=False)
    cases = pd.read_csv(out / "cases.csv", dtype=str, keep_default_na=False)
    first_cases = set(cases["case_id"].iloc[:200])
    first = people["case_id"].isin(first_cases)
    cases[cases["case_id"].isin(first_cases)].to_csv(out / "cases1.csv", index=False)
    people[first].to_csv(out / "people1.csv", index=False)
    cases[~cases["case_id"].isin(first_cases)].to_csv(out / "cases2.csv", index=False)
    people[~first].to_csv(out / "people2.csv", index=False)
    return {p.stem: p for p in out.iterdir()}


def test_resolve_people_flags_chart_then_incremental(
    files: dict[str, Path], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 't.db'}"
    store = Store.open(db)
    store.import_files(files["cases1"], files["people1"], schema=files["schema"])

    result = runner.invoke(app, ["resolve", "--db", db])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t.db.person-model.json").exists()

    store.import_files(files["cases2"], files["people2"], schema=files["schema"])
    result = runner.invoke(app, ["people", "--db", db, "--out", str(tmp_path / "p.csv")])
    assert result.exit_code == 1 and "not resolved" in result.output

    result = runner.invoke(app, ["resolve", "--db", db, "--incremental"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["people", "--db", db, "--out", str(tmp_path / "p.csv")])
    assert result.exit_code == 0, result.output
    persons = pd.read_csv(tmp_path / "p.csv")
    assert persons.columns.tolist() == ["mention_id", "case_id", "role", "person_id"]
    assert persons["mention_id"].tolist() == list(range(len(store.mentions_frame())))
    assert persons["person_id"].notna().all()

    result = runner.invoke(app, ["flags", "--db", db, "--out", str(tmp_path / "f.csv")])
    assert result.exit_code == 0, result.output
    flags = pd.read_csv(tmp_path / "f.csv")
    assert "person_in_cases" in set(flags["flag"])

    case_id = str(persons["case_id"].iloc[0])
    for suffix in (".png", ".svg", ".graphml"):
        out = tmp_path / f"chart{suffix}"
        result = runner.invoke(app, ["chart", "--db", db, case_id, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    result = runner.invoke(app, ["chart", "--db", db, "NOPE", "--out", str(tmp_path / "x.png")])
    assert result.exit_code == 1 and "NOPE" in result.output
