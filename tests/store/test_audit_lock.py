"""`caselink store lock-audit`: on PostgreSQL the app's role cannot UPDATE or DELETE the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, exc, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from caselink.cli.main import app
from caselink.service import audit
from caselink.store import Store
from caselink.store.privileges import PrivilegeError, audit_privileges, lock_audit_log

runner = CliRunner()


@pytest.fixture
def pg_site(postgres_url: str) -> Iterator[tuple[str, str]]:
    """A migrated store owned by the test's superuser, and a login role for the app with
    the usual read-write grants on every table; yields (owner URL, app role)."""
    name, role = f"t_{uuid.uuid4().hex[:10]}", f"app_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    store = Store.open(url)
    with store.engine.begin() as conn:
        conn.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
        conn.execute(
            text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
        )
    store.close()
    try:
        yield url, role
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def as_role(url: str, role: str) -> str:
    return make_url(url).set(username=role).render_as_string(hide_password=False)


def test_after_locking_an_update_by_the_app_role_fails(pg_site: tuple[str, str]) -> None:
    url, role = pg_site
    result = runner.invoke(app, ["store", "lock-audit", "--db", url, "--app-role", role])
    assert result.exit_code == 0, result.output
    assert "append-only" in result.output
    app_store = Store.open(as_role(url, role))
    try:
        audit.record(app_store, "ana", "case.read", "N1")  # appending still works
        assert audit.verify(app_store).ok
        for statement in (
            "UPDATE audit_log SET actor = 'someone else'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ):
            with (
                pytest.raises(exc.ProgrammingError, match="permission denied"),
                app_store.engine.begin() as conn,
            ):
                conn.execute(text(statement))
        with app_store.engine.begin() as conn:  # the rest of the store is still writable
            conn.execute(text("UPDATE cases SET status = 'open' WHERE 1 = 0"))
    finally:
        app_store.close()
    owner = create_engine(url)
    lock = audit_privileges(owner, role)
    owner.dispose()
    assert lock.append_only
    assert lock.privileges == {
        "SELECT": True,
        "INSERT": True,
        "UPDATE": False,
        "DELETE": False,
        "TRUNCATE": False,
    }
    entries = list(audit.entries(Store.open(url), action="store.lock_audit"))
    assert [e.target for e in entries] == [role]


def test_roles_that_could_undo_the_lock_are_refused(pg_site: tuple[str, str]) -> None:
    url, role = pg_site
    engine = create_engine(url)
    try:
        superuser = make_url(url).username or ""
        with pytest.raises(PrivilegeError, match="superuser"):
            lock_audit_log(engine, superuser)
        with pytest.raises(PrivilegeError, match="no PostgreSQL role"):
            lock_audit_log(engine, "nobody_here")
        with pytest.raises(PrivilegeError, match="plain PostgreSQL role name"):
            lock_audit_log(engine, 'x"; DROP TABLE audit_log; --')
        with engine.begin() as conn:
            conn.execute(text(f'ALTER TABLE audit_log OWNER TO "{role}"'))
        with pytest.raises(PrivilegeError, match="owns audit_log"):
            lock_audit_log(engine, role)
    finally:
        engine.dispose()


def test_sqlite_has_no_roles_and_says_so(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}")
    store.close()
    result = runner.invoke(
        app, ["store", "lock-audit", "--db", str(tmp_path / "s.db"), "--app-role", "web"]
    )
    assert result.exit_code == 1
    assert "triggers" in result.output
