"""`caselink serve` refusal rules and the users / sessions commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from caselink.cli.main import app
from caselink.cli.web import refusal
from caselink.service.accounts import DEVELOPMENT_SECRET

runner = CliRunner()
GOOD = "a long random production secret " + "z" * 20


@pytest.mark.parametrize(
    ("host", "secret", "proxy", "says"),
    [
        ("127.0.0.1", DEVELOPMENT_SECRET, None, None),
        ("localhost", DEVELOPMENT_SECRET, None, None),
        ("::1", DEVELOPMENT_SECRET, None, None),
        ("0.0.0.0", DEVELOPMENT_SECRET, "10.0.0.2", "development secret"),
        ("0.0.0.0", GOOD, None, "TLS-terminating proxy"),
        ("10.1.2.3", DEVELOPMENT_SECRET, None, "development secret"),
        ("0.0.0.0", GOOD, "10.0.0.2", None),
    ],
)
def test_serve_refuses_unsafe_public_hosts(
    host: str, secret: str, proxy: str | None, says: str | None
) -> None:
    why = refusal(host, secret, proxy)
    if says is None:
        assert why is None
    else:
        assert why is not None and says in why and host in why


def test_serve_command_exits_with_the_reason(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["serve", "--db", str(tmp_path / "s.db"), "--host", "0.0.0.0"],
        env={"CASELINK_WEB_SECRET": ""},
    )
    assert result.exit_code == 1
    assert "development secret" in result.output and "TLS-terminating proxy" in result.output


def test_users_and_sessions_commands(tmp_path: Path) -> None:
    db = str(tmp_path / "u.db")
    added = runner.invoke(
        app,
        [
            "users",
            "add",
            "ana",
            "--role",
            "analyst",
            "--force",
            "north",
            "--db",
            db,
            "--password-stdin",
        ],
        input="a perfectly long passphrase\n",
    )
    assert added.exit_code == 0, added.output
    assert "added ana (analyst, north)" in added.output
    weak = runner.invoke(
        app,
        ["users", "add", "bob", "--role", "viewer", "--db", db, "--password-stdin"],
        input="Q1w2e3r4t5y6\n",
    )
    assert weak.exit_code == 1 and "common or breached" in weak.output
    no_stdin = runner.invoke(app, ["users", "add", "bob", "--role", "viewer", "--db", db])
    assert no_stdin.exit_code == 1 and "--password-stdin" in no_stdin.output
    listed = runner.invoke(app, ["users", "list", "--db", db])
    assert "ana" in listed.output and "analyst" in listed.output and "active" in listed.output
    token = runner.invoke(app, ["users", "token", "ana", "--db", db])
    assert token.exit_code == 0 and token.output.strip().startswith("cl_")
    assert len(token.output.strip()) > 40
    reset = runner.invoke(
        app,
        ["users", "reset-password", "ana", "--db", db, "--password-stdin"],
        input="another long passphrase\n",
    )
    assert reset.exit_code == 0
    disabled = runner.invoke(app, ["users", "disable", "ana", "--db", db])
    assert disabled.exit_code == 0 and "disabled ana" in disabled.output
    assert "disabled" in runner.invoke(app, ["users", "list", "--db", db]).output
    sessions = runner.invoke(app, ["sessions", "list", "--db", db])
    assert sessions.exit_code == 0
    missing = runner.invoke(app, ["sessions", "revoke", "999", "--db", db])
    assert missing.exit_code == 1 and "no live session 999" in missing.output


def test_import_force_sets_the_force_of_the_imported_cases(tmp_path: Path) -> None:
    from caselink.service import CaseFilter, Caselink, Scope
    from caselink.store import Store

    db = str(tmp_path / "f.db")
    cases = tmp_path / "cases.csv"
    cases.write_text("case_id,case_type,occurred_from,lat,lon\nA1,assault,2014-10-01,51.5,0.1\n")
    result = runner.invoke(
        app, ["import", str(cases), "--db", db, "--force", "north", "--no-alert"]
    )
    assert result.exit_code == 0, result.output
    store = Store.open(db)
    north = Caselink(store).cases(Scope(forces=frozenset({"north"})), CaseFilter())
    assert [c.case_id for c in north.items] == ["A1"] and north.items[0].force == "north"
    assert Caselink(store).cases(Scope(forces=frozenset({"south"}))).total == 0
    store.close()


def test_force_column_imports_and_round_trips_on_export(tmp_path: Path) -> None:
    from caselink.store import Store

    db = str(tmp_path / "r.db")
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "case_id,case_type,occurred_from,lat,lon,force\n"
        "A1,assault,2014-10-01,51.5,0.1,south\n"
        "A2,assault,2014-10-02,51.5,0.1,\n"
    )
    result = runner.invoke(
        app, ["import", str(cases), "--db", db, "--force", "north", "--no-alert"]
    )
    assert result.exit_code == 0, result.output
    store = Store.open(db)
    assert {c.case_id: c.force for c in store.case_records()} == {"A1": "south", "A2": "north"}
    out = tmp_path / "out"
    assert runner.invoke(app, ["export", str(out), "--db", db]).exit_code == 0
    exported = (out / "cases.csv").read_text().splitlines()
    header = exported[0].split(",")
    assert "force" in header
    assert [row.split(",")[header.index("force")] for row in exported[1:]] == ["south", "north"]
    plain = tmp_path / "plain.csv"  # a re-import without the column keeps the stored force
    plain.write_text("case_id,case_type,occurred_from,lat,lon\nA1,assault,2014-10-01,51.6,0.1\n")
    assert runner.invoke(app, ["import", str(plain), "--db", db, "--no-alert"]).exit_code == 0
    assert {c.case_id: c.force for c in store.case_records()}["A1"] == "south"
    # --force fills only cases with no force given or stored, in the import's one transaction
    more = tmp_path / "more.csv"
    more.write_text(
        "case_id,case_type,occurred_from,lat,lon,force\n"
        "A1,assault,2014-10-01,51.6,0.1,\n"
        "A3,assault,2014-10-03,51.5,0.1,\n"
    )
    result = runner.invoke(app, ["import", str(more), "--db", db, "--force", "west", "--no-alert"])
    assert result.exit_code == 0, result.output
    forces = {c.case_id: c.force for c in store.case_records()}
    assert forces == {"A1": "south", "A2": "north", "A3": "west"}
    bad = tmp_path / "bad.csv"  # an invalid row: nothing written, no force given to anything
    bad.write_text(
        "case_id,case_type,occurred_from,lat,lon\nA4,assault,2014-10-04,51.5,0.1\nA5,assault,not-a-date,51.5,0.1\n"
    )
    assert runner.invoke(app, ["import", str(bad), "--db", db, "--force", "east"]).exit_code == 1
    assert {c.case_id: c.force for c in store.case_records()} == forces
    store.close()


def test_export_without_forces_keeps_the_old_header(tmp_path: Path) -> None:
    db = str(tmp_path / "p.db")
    cases = tmp_path / "cases.csv"
    cases.write_text("case_id,case_type,occurred_from,lat,lon\nA1,assault,2014-10-01,51.5,0.1\n")
    assert runner.invoke(app, ["import", str(cases), "--db", db, "--no-alert"]).exit_code == 0
    out = tmp_path / "out"
    assert runner.invoke(app, ["export", str(out), "--db", db]).exit_code == 0
    assert "force" not in (out / "cases.csv").read_text().splitlines()[0]
