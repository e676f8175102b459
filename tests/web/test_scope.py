"""The one scoping function: which cases a Scope sees, decided in SQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from caselink.service import Caselink, Scope, scoped
from caselink.store import Store
from caselink.store.tables import CaseRow
from tests.web.conftest import Site


def visible(store: Store, scope: Scope) -> set[str]:
    with store.engine.connect() as conn:
        return {str(c) for (c,) in conn.execute(scoped(scope, select(CaseRow.case_id)))}


def test_forces_are_tenants(shared_site: Site) -> None:
    store = shared_site.store
    assert visible(store, Scope(forces=frozenset({"north"}))) == {"N1", "N2", "N3", "N4"}
    assert visible(store, Scope(forces=frozenset({"south"}))) == {"S1", "S2", "S3"}
    assert len(visible(store, Scope.everything())) == 7
    assert visible(store, Scope.nothing()) == set()
    assert visible(store, Scope(forces=frozenset({None}))) == set()  # every case has a force


def test_a_one_force_store_needs_no_setting(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'one.db'}")
    cases = tmp_path / "cases.csv"
    cases.write_text("case_id,case_type,occurred_from,lat,lon\nA1,assault,2014-10-01,51.5,0.1\n")
    store.import_files(cases)
    assert visible(store, Scope(forces=frozenset({None}))) == {"A1"}  # users with no force
    assert visible(store, Scope(forces=frozenset({"north"}))) == set()
    assert Caselink(store).cases(Scope(forces=frozenset({None}))).total == 1
    store.close()
