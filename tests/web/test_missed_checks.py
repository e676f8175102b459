"""The has-missed-checks facet: the assurance rule of check_states, computed in SQL and scoped."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select

from caselink.assurance.checks import missing_checks
from caselink.assurance.standard import default_standard
from caselink.service import Caselink, Scope
from caselink.service.missed_checks import has_missed_check
from caselink.service.results import CaseFilter
from caselink.store import Store
from caselink.store.tables import CaseRow
from tests.web.conftest import Site
from tests.web.html import parse

DEMO = resources.files("caselink") / "demo"


@pytest.fixture
def demo_store(store: Store, tmp_path: Path) -> Store:
    """The shipped demo borough (2,410 cases, 8,363 actions) on each backend."""
    paths = {}
    for name in ("cases", "people", "actions"):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_bytes((DEMO / f"{name}.csv").read_bytes())
    schema = tmp_path / "schema.yaml"
    schema.write_bytes((DEMO / "schema.yaml").read_bytes())
    store.import_files(paths["cases"], paths["people"], paths["actions"], schema)
    return store


@pytest.mark.parametrize(
    "as_of",
    [datetime(2013, 6, 1), datetime(2014, 3, 15, 12), datetime(2030, 1, 1)],
    ids=["early", "mid", "late"],
)
def test_sql_agrees_with_check_states_case_by_case(demo_store: Store, as_of: datetime) -> None:
    """The SQL predicate picks exactly the cases with a not_done, overdue or missing check."""
    standard = default_standard()
    expected = set(
        missing_checks(demo_store.cases_frame(), demo_store.actions_frame(), standard, as_of)[
            "case_id"
        ]
    )
    with demo_store.engine.connect() as conn:
        got = {
            str(c)
            for (c,) in conn.execute(
                select(CaseRow.case_id).where(has_missed_check(standard, as_of))
            )
        }
        everything = {str(c) for (c,) in conn.execute(select(CaseRow.case_id))}
    assert got == expected
    assert 0 < len(got) < len(everything)  # the demo has cases of both kinds


def test_the_filter_stays_within_the_callers_force(demo_store: Store) -> None:
    service = Caselink(demo_store)
    ids = [c.case_id for c in service.cases(Scope.everything(), limit=500, order="case_id").items]
    service.assign_force(ids[::2], "north")
    service.assign_force(ids[1::2], "south")
    north = Scope(forces=frozenset({"north"}))
    missed = service.cases(north, CaseFilter(has_missed_checks=True), limit=500)
    kept = service.cases(north, CaseFilter(has_missed_checks=False), limit=500)
    assert {c.force for c in missed.items + kept.items} == {"north"}
    assert missed.total + kept.total == service.cases(north).total
    everyone = service.cases(Scope.everything(), CaseFilter(has_missed_checks=True), limit=1)
    assert everyone.total > missed.total


def test_the_cases_page_filters_on_missed_checks(site: Site) -> None:
    """N1 had its cctv done but nothing else a drug death needs; the robbery N4 had nothing."""
    client = site.client("analyst")
    doc = parse(client.get("/cases?missed_checks=1").text)
    assert sorted(r[0] for r in doc.by_id("cases-table").rows()) == ["N1", "N2", "N3", "N4"]
    chosen = [o for o in doc.find_all("option", value="1") if "selected" in o.attrs]
    assert any(o.text == "has missed checks" for o in chosen)
    none_missed = parse(client.get("/cases?missed_checks=0").text)
    assert none_missed.by_id("cases-table").rows() == []
    api = client.get("/api/cases", params={"missed_checks": "true"}).json()
    assert {c["case_id"] for c in api["items"]} == {"N1", "N2", "N3", "N4"}
