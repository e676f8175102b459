"""The hash-chained audit log: append-only, and a tampered row is found by `audit-log verify`."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from caselink.cli.main import app
from caselink.service import audit
from caselink.store import Store

runner = CliRunner()


def filled(tmp_path: Path) -> tuple[Store, str]:
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    store = Store.open(url)
    for i in range(5):
        audit.record(store, "analyst", "case.read", f"C{i}", "ok", via="test")
    return store, url


def test_entries_chain_by_hash(tmp_path: Path) -> None:
    store, _ = filled(tmp_path)
    entries = list(audit.entries(store))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    body = audit.canonical(
        entries[2].seq,
        entries[2].at,
        "analyst",
        "case.read",
        "C2",
        "ok",
        json.dumps({"via": "test"}),
    )
    assert entries[2].hash == audit.chain_hash(entries[1].hash, body)
    assert audit.verify(store).ok
    assert audit.head(store) == (5, entries[-1].hash)


def test_the_table_refuses_update_and_delete(tmp_path: Path) -> None:
    store, _ = filled(tmp_path)
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError, match="append-only"), store.transaction() as conn:
            conn.execute(text(statement))
    assert audit.count(store) == 5


@pytest.mark.parametrize(
    ("tamper", "first", "reason"),
    [
        ("UPDATE audit_log SET target = 'C9' WHERE seq = 3", 3, "does not match its hash"),
        ("DELETE FROM audit_log WHERE seq = 2", 3, "entry 2 is missing"),
        ("UPDATE audit_log SET detail = '{}' WHERE seq = 4", 4, "does not match its hash"),
    ],
)
def test_verify_names_the_first_tampered_entry(
    tmp_path: Path, tamper: str, first: int, reason: str
) -> None:
    store, url = filled(tmp_path)
    ok = runner.invoke(app, ["audit-log", "verify", "--db", url])
    assert ok.exit_code == 0 and "intact: 5 entries" in ok.output
    with store.transaction() as conn:  # someone with the database's own rights goes around the app
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        conn.execute(text(tamper))
    result = audit.verify(store)
    assert not result.ok and result.first_broken == first and reason in (result.reason or "")
    broken = runner.invoke(app, ["audit-log", "verify", "--db", url])
    assert broken.exit_code == 1
    assert f"broken at entry {first}" in broken.output


def test_export_writes_json_lines_with_hashes(tmp_path: Path) -> None:
    store, url = filled(tmp_path)
    out = tmp_path / "audit.jsonl"
    result = runner.invoke(app, ["audit-log", "export", "--db", url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [e["seq"] for e in lines] == [1, 2, 3, 4, 5]
    assert lines[0]["at"].endswith("Z") and lines[4]["hash"] == list(audit.entries(store))[4].hash
    assert list(audit.entries(store, action="audit.export"))  # the export itself is audited


def test_append_only_on_each_backend(store: Store) -> None:
    """SQLite and PostgreSQL: the chain verifies and the table refuses changes."""
    for i in range(3):
        audit.record(store, "reviewer", "alert.confirm", str(i), "ok")
    assert audit.verify(store).ok and audit.count(store) == 3
    with pytest.raises(DatabaseError, match="append-only"), store.transaction() as conn:
        conn.execute(text("UPDATE audit_log SET outcome = 'denied'"))
    with pytest.raises(DatabaseError, match="append-only"), store.transaction() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 1"))
    assert audit.verify(store).ok
