"""Issue 14 at the command line: no output destroys data, data prints as data, clean errors.

Each test builds its own hostile input and fails without the fix it pins.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.store import csv_files
from typer.testing import CliRunner

from caselink.cli.main import app
from caselink.cli.options import DataConsole
from caselink.records.errors import (
    CaselinkError,
    ConflictError,
    InputError,
    InvalidInputError,
    ModelMismatchError,
    NotFoundError,
    ResourceLimitError,
    RowError,
    StoreBusyError,
    StoreNotFoundError,
)
from caselink.records.outputs import write_report_csv
from caselink.store import Store

runner = CliRunner()


def content(path: Path) -> list[str]:
    """What a file holds: a SQLite store's SQL dump (its bytes move with WAL checkpoints)."""
    if path.suffix != ".db":
        return [path.read_text(encoding="utf-8")]
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def imported(tmp_path: Path, **overrides: str) -> tuple[Path, dict[str, Path]]:
    """A SQLite store holding the canonical files (or overridden texts)."""
    paths = csv_files.write(tmp_path, **overrides)
    db = tmp_path / "c.db"
    result = runner.invoke(
        app,
        ["import", str(paths["cases"]), "--db", str(db), "--people", str(paths["people"]),
         "--actions", str(paths["actions"]), "--schema", str(paths["schema"]), "--no-alert"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return db, paths


# ---------------------------------------------------------------- one error shape


def test_every_error_has_one_shape() -> None:
    shape = {"code", "message", "file", "row", "field", "value", "errors"}
    row = RowError("cases.csv", 3, "lat", "95", "out of range")
    invalid = InvalidInputError([row])
    assert set(invalid.to_dict()) == shape
    assert invalid.to_dict()["errors"] == [
        {"file": "cases.csv", "row": 3, "field": "lat", "value": "95", "message": "out of range"}
    ]
    assert (invalid.file, invalid.row, invalid.field, invalid.value) == (
        "cases.csv",
        3,
        "lat",
        "95",
    )
    kinds = {
        InputError("x"): "invalid_input",
        invalid: "invalid_input",
        ResourceLimitError([row]): "resource_exhausted",
        NotFoundError("x"): "not_found",
        StoreNotFoundError("x"): "not_found",
        ConflictError("x"): "conflict",
        ModelMismatchError("x"): "model_mismatch",
        StoreBusyError("x"): "store_busy",
    }
    for error, code in kinds.items():
        assert isinstance(error, CaselinkError)
        assert set(error.to_dict()) == shape and error.to_dict()["code"] == code
    assert isinstance(invalid, ValueError)  # old `except ValueError` callers still catch it


# ---------------------------------------------------------------- item 5: outputs


def test_out_pointing_at_the_store_is_refused_and_the_store_survives(tmp_path: Path) -> None:
    db, _ = imported(tmp_path)
    before = content(db)
    for command in (["checks"], ["link"], ["series"], ["people"]):
        result = runner.invoke(app, [*command, "--db", str(db), "--out", str(db)])
        assert result.exit_code == 1, command
        assert "is the store itself" in result.stderr, command
    assert content(db) == before
    assert Store.open(str(db)).count_cases() == 3


def test_skip_invalid_pointing_at_an_input_or_the_store_is_refused(tmp_path: Path) -> None:
    db, paths = imported(tmp_path)
    for target, why in ((paths["cases"], "is also an input"), (db, "is the store itself")):
        before = content(target)
        result = runner.invoke(
            app, ["import", str(paths["cases"]), "--db", str(db), "--skip-invalid", str(target)]
        )
        assert result.exit_code == 1
        assert why in result.stderr
        assert content(target) == before


def test_out_pointing_at_a_directory_is_refused(tmp_path: Path) -> None:
    db, _ = imported(tmp_path)
    (tmp_path / "folder").mkdir()
    result = runner.invoke(app, ["checks", "--db", str(db), "--out", str(tmp_path / "folder")])
    assert result.exit_code != 0
    assert not any((tmp_path / "folder").iterdir())


def test_a_report_is_written_atomically(tmp_path: Path) -> None:
    import pandas as pd

    target = tmp_path / "links.csv"
    target.write_text("old\n", encoding="utf-8")

    class Boom:
        def __str__(self) -> str:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_report_csv(pd.DataFrame({"a": [1, Boom()]}), target)
    assert target.read_text(encoding="utf-8") == "old\n"  # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["links.csv"]  # no temp file left


# ---------------------------------------------------------------- item 15: CSV injection


def test_report_csvs_neutralise_formulas_but_export_stays_byte_exact(tmp_path: Path) -> None:
    evil = '=HYPERLINK("http://x")'
    cases = csv_files.CASES.replace("D1,", '"=HYPERLINK(""http://x"")",', 1)
    actions = csv_files.ACTIONS.replace("D1,", '"=HYPERLINK(""http://x"")",')
    people = csv_files.PEOPLE.replace("D1,", '"=HYPERLINK(""http://x"")",')
    db, _ = imported(tmp_path, cases=cases, actions=actions, people=people)
    out = tmp_path / "missing.csv"
    assert runner.invoke(app, ["checks", "--db", str(db), "--out", str(out)]).exit_code == 0
    with out.open(newline="", encoding="utf-8") as fh:
        ids = {row["case_id"] for row in csv.DictReader(fh)}
    assert "'" + evil in ids and evil not in ids
    for cell in ("+1+A1", "-x", "@SUM(A1)", "\tcmd", "\rcmd"):
        frame = __import__("pandas").DataFrame({"v": [cell, "-0.5", "plain"]})
        write_report_csv(frame, tmp_path / "r.csv")
        with (tmp_path / "r.csv").open(newline="", encoding="utf-8") as fh:
            assert [r["v"] for r in csv.DictReader(fh)] == ["'" + cell, "-0.5", "plain"]
    exported = tmp_path / "export"
    assert runner.invoke(app, ["export", str(exported), "--db", str(db)]).exit_code == 0
    assert (exported / "cases.csv").read_text(encoding="utf-8") == cases


# ---------------------------------------------------------------- item 8: markup and escapes

NASTY_ID = "[/]X1"
NASTY_NARRATIVE = (
    "[link=http://evil.example]click[/link] [conceal]hidden[/conceal] \x1b]0;owned\x07\x1b[2J end"
)


def test_markup_and_escapes_in_data_print_as_plain_text(tmp_path: Path) -> None:
    cases = csv_files.CASES.replace("T1,", f"{NASTY_ID},").replace(
        "Bicycle taken from outside a shop", NASTY_NARRATIVE.replace("\x07", "")
    )
    people = csv_files.PEOPLE.replace("T1,", f"{NASTY_ID},")
    db, _ = imported(tmp_path, cases=cases, people=people)
    shown = runner.invoke(app, ["show", NASTY_ID, "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    assert NASTY_ID in shown.stdout
    assert "[link=http://evil.example]click[/link]" in shown.stdout
    assert "[conceal]hidden[/conceal]" in shown.stdout
    assert "\x1b" not in shown.stdout
    listed = runner.invoke(app, ["cases", "--db", str(db)])
    assert listed.exit_code == 0 and "[/]X1" in listed.stdout


def test_the_data_console_prints_tables_of_markup_without_error() -> None:
    from rich.table import Table

    console = DataConsole(record=True, width=200)
    table = Table("id", title="[/] title")
    table.add_row("[/]")
    table.add_row("[bold]x\x1b[31m\u202e")
    console.print(table)
    console.print("[/] :smile: \x1b[2J\r", style="bold")
    text = console.export_text()
    assert "[/] title" in text and "[bold]x[31m" in text and ":smile:" in text
    assert "\x1b" not in text and "\u202e" not in text and "\r" not in text


def test_add_validates_its_options_before_storing(tmp_path: Path) -> None:
    db, _ = imported(tmp_path)
    case = tmp_path / "new.json"
    case.write_text(
        json.dumps({"case_id": "N1", "case_type": "theft", "occurred_from": "2015-02-01",
                    "lat": 51.5, "lon": 0.07}),
        encoding="utf-8",
    )  # fmt: skip
    result = runner.invoke(app, ["add", str(case), "--db", str(db), "--threshold", "1.5"])
    assert result.exit_code != 0
    assert Store.open(str(db)).count_cases() == 3


# ---------------------------------------------------------------- item 6 via add


def test_add_refuses_a_person_of_another_case(tmp_path: Path) -> None:
    db, _ = imported(tmp_path)
    store = Store.open(str(db))
    before = [m for m in store.mention_records() if m.case_id == "D1"]
    case = tmp_path / "new.json"
    case.write_text(
        json.dumps({"case_id": "N1", "case_type": "theft", "occurred_from": "2015-02-01",
                    "lat": 51.5, "lon": 0.07,
                    "people": [{"case_id": "D1", "role": "victim", "name": "Someone Else"}],
                    "actions": [{"case_id": "D2", "action": "cctv", "status": "done"}]}),
        encoding="utf-8",
    )  # fmt: skip
    result = runner.invoke(app, ["add", str(case), "--db", str(db)])
    assert result.exit_code == 1
    assert "value 'D1'" in result.stderr and "another case" in result.stderr
    assert store.count_cases() == 3
    assert [m for m in store.mention_records() if m.case_id == "D1"] == before


# ---------------------------------------------------------------- item 14: missing store


@pytest.mark.parametrize("command", [["alerts"], ["cases"], ["checks"], ["rescore-pending"]])
def test_a_mistyped_db_is_refused_not_created(tmp_path: Path, command: list[str]) -> None:
    typo = tmp_path / "typo.db"
    result = runner.invoke(app, [*command, "--db", str(typo)])
    assert result.exit_code == 1
    assert "no store at" in result.stderr
    assert not typo.exists()


def test_flags_with_an_unreadable_linkage_model_fails(tmp_path: Path) -> None:
    import pandas as pd

    db, _ = imported(tmp_path)
    store = Store.open(str(db))
    n = len(store.mentions_frame())
    store.replace_resolution(
        "person", pd.DataFrame({"mention_id": range(n), "entity_id": [f"P{i}" for i in range(n)]})
    )
    model = tmp_path / "model.file"
    model.write_text("not a model", encoding="utf-8")
    result = runner.invoke(app, ["flags", "--db", str(db), "--linkage-model", str(model)])
    assert result.exit_code == 1
    assert "--linkage-model" in result.stderr


# ---------------------------------------------------------------- item 13: a locked store


def test_a_locked_store_gives_a_clean_error_naming_the_holder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caselink.store import facade

    db, paths = imported(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys, time\n"
         "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "c.execute('BEGIN IMMEDIATE')\n"
         "print('locked', flush=True)\n"
         "time.sleep(60)\n", str(db)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        monkeypatch.setattr(facade, "BUSY_TIMEOUT_S", 0.5)
        started = time.perf_counter()
        result = runner.invoke(
            app, ["import", str(paths["cases"]), "--db", str(db), "--replace", "--no-alert"]
        )
        assert result.exit_code == 1
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "locked by another writer" in result.stderr
        assert f"pid {holder.pid}" in result.stderr
        assert time.perf_counter() - started < 30
    finally:
        holder.kill()
        holder.wait()


def test_add_and_alerts_print_a_case_id_full_of_markup(tmp_path: Path) -> None:
    db, _ = imported(tmp_path)
    case = tmp_path / "new.json"
    near_d2 = {"case_id": "[/][bold]N1", "case_type": "drug_related_death",
               "occurred_from": "2014-08-29T00:00:00", "lat": 51.5357, "lon": 0.0757,
               "victim_age": 22, "victim_sex": "M", "victim_group": "lgbt", "drugs": "ghb",
               "narrative": "[link=http://evil.example]found[/link] \x1b[2J by the wall"}  # fmt: skip
    case.write_text(json.dumps(near_d2), encoding="utf-8")
    added = runner.invoke(app, ["add", str(case), "--db", str(db)])
    assert added.exit_code == 0, added.output
    assert "stored 1 case(s)" in added.stdout
    listed = runner.invoke(app, ["alerts", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    assert "\x1b" not in listed.stdout
    shown = runner.invoke(app, ["show", "[/][bold]N1", "--db", str(db)])
    assert shown.exit_code == 0 and "[link=http://evil.example]found[/link]" in shown.stdout
