"""Full-text search over narratives: FTS5 on SQLite, tsvector + GIN on PostgreSQL, always scoped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select, text

from caselink.service import Caselink, Scope
from caselink.service.results import CaseFilter
from caselink.store import Store
from caselink.store.migrate import alembic_config
from caselink.store.search import narrative_matches, parse
from caselink.store.tables import CaseRow
from tests.web.conftest import CASES

NORTH = Scope(forces=frozenset({"north"}))
SOUTH = Scope(forces=frozenset({"south"}))
EVERYONE = Scope.everything()
ALL_IDS = {"N1", "N2", "N3", "N4", "S1", "S2", "S3"}


def two_forces(store: Store, folder: Path) -> Caselink:
    """The web tests' seven cases (narratives included), N* in north and S* in south."""
    (folder / "cases.csv").write_text(CASES)
    report = store.import_files(folder / "cases.csv")
    service = Caselink(store)
    service.assign_force([c for c in report.case_ids if c.startswith("N")], "north")
    service.assign_force([c for c in report.case_ids if c.startswith("S")], "south")
    return service


@pytest.fixture
def searched(store: Store, tmp_path: Path) -> Iterator[Caselink]:
    """The seven cases on each backend (SQLite file, then PostgreSQL)."""
    yield two_forces(store, tmp_path)


def found(service: Caselink, scope: Scope, q: str) -> set[str]:
    page = service.cases(scope, CaseFilter(text=q), limit=500)
    assert page.total == len(page.items)
    return {c.case_id for c in page.items}


@pytest.mark.parametrize(
    ("q", "north", "everyone"),
    [
        ("ghb", {"N1", "N2"}, {"N1", "N2", "S1", "S2"}),
        ("GHB toxicology", {"N2"}, {"N2"}),
        ("churchyards", {"N2", "N3"}, {"N2", "N3"}),  # stemmed: churchyards finds churchyard
        ('"found dead"', {"N1"}, {"N1", "S1"}),  # a phrase, in this order
        ('"dead found"', set(), set()),
        ("ghb -toxicology", {"N1"}, {"N1", "S1", "S2"}),
        ("doorway or churchyard", {"N1", "N2", "N3"}, {"N1", "N2", "N3"}),
        ("-ghb", {"N3", "N4"}, {"N3", "N4", "S3"}),
        ("jewellery", set(), {"S3"}),  # south's word: north sees nothing of it
        ("snatched bus", {"N4"}, {"N4"}),
    ],
)
def test_search_finds_words_stems_phrases_alternatives_and_exclusions(
    searched: Caselink, q: str, north: set[str], everyone: set[str]
) -> None:
    assert found(searched, NORTH, q) == north
    assert found(searched, EVERYONE, q) == everyone
    assert found(searched, SOUTH, q) == everyone - north


@pytest.mark.parametrize(
    "q", ['"', "NEAR(ghb dead)", "ghb AND", "col:ghb", "ghb*", "'; DROP TABLE cases; --", "-", "()"]
)
def test_what_users_type_is_never_query_syntax(searched: Caselink, q: str) -> None:
    """FTS5 operators, quotes and SQL in the box are words (or nothing), never an error."""
    result = found(searched, EVERYONE, q)
    assert result <= ALL_IDS
    if q.startswith("'; DROP"):
        assert result == set()  # no narrative has those words; and the table is still there
        assert searched.cases(EVERYONE).total == 7


def test_a_query_without_words_filters_nothing(searched: Caselink) -> None:
    assert found(searched, NORTH, " ... ") == {"N1", "N2", "N3", "N4"}


WORDS = ["ghb", "found", "dead", "churchyard", "flat", "window", "note", "doorway", "bag", "death"]
TERMS = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(lambda w: f"-{w}"),
    st.lists(st.sampled_from(WORDS), min_size=2, max_size=2).map(lambda p: f'"{" ".join(p)}"'),
    st.just("or"),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(terms=st.lists(TERMS, min_size=1, max_size=4))
def test_search_results_never_include_cases_out_of_scope(
    searched: Caselink, terms: list[str]
) -> None:
    """Whatever is searched, a force's results are the matching cases of that force only."""
    q = " ".join(terms)
    every = found(searched, EVERYONE, q)
    assert found(searched, NORTH, q) == {c for c in every if c.startswith("N")}
    assert found(searched, SOUTH, q) == {c for c in every if c.startswith("S")}
    assert found(searched, Scope.nothing(), q) == set()


def test_facets_and_export_count_only_the_matching_cases_in_scope(searched: Caselink) -> None:
    filt = CaseFilter(text="ghb")
    facets, total = searched.facets_and_total(NORTH, filt)
    forces = next(f for f in facets if f.field == "force")
    assert forces.counts == [("north", 2)]
    assert total == searched.cases(NORTH, filt).total == 2  # the list's count, without recounting
    assert searched.facets_and_total(EVERYONE, CaseFilter(text="-ghb"))[1] == 3
    lines = list(searched.export_cases(SOUTH, filt))
    assert [line.split(",")[0] for line in lines[1:]] == ["S1", "S2"]


def test_the_index_follows_updates_and_deletes(searched: Caselink, tmp_path: Path) -> None:
    """A reimported narrative is found by its new words and no longer by its old ones."""
    store = searched.store
    changed = CASES.replace("Bag snatched at the bus stop.", "Phone taken at knifepoint.")
    (tmp_path / "again.csv").write_text(changed)
    store.import_files(tmp_path / "again.csv")
    assert found(searched, EVERYONE, "knifepoint") == {"N4"}
    assert found(searched, EVERYONE, "snatched") == set()
    with store.transaction() as conn:
        conn.execute(text("DELETE FROM cases WHERE case_id = 'N4'"))
    assert found(searched, EVERYONE, "knifepoint") == set()


@pytest.mark.postgres
def test_postgres_answers_from_the_gin_index(postgres_url: str, tmp_path: Path) -> None:
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('CREATE DATABASE "t_gin_search"'))
    store = Store.open(postgres_url.rsplit("/", 1)[0] + "/t_gin_search")
    try:
        two_forces(store, tmp_path)
        with store.engine.connect() as conn:
            conn.execute(text("SET enable_seqscan = off"))
            query = select(CaseRow.pk).where(narrative_matches("postgresql", "ghb"))
            sql = query.compile(store.engine, compile_kwargs={"literal_binds": True})
            plan = "\n".join(str(r[0]) for r in conn.execute(text(f"EXPLAIN {sql}")))
        assert "ix_cases_narrative_search" in plan
        assert found(Caselink(store), NORTH, "ghb") == {"N1", "N2"}
    finally:
        store.close()
        with admin.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "t_gin_search" WITH (FORCE)'))
        admin.dispose()


def test_a_store_made_before_the_migration_is_indexed_by_it(tmp_path: Path) -> None:
    """Cases stored at revision 0003 are found once the store is opened at head."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store.open(url)
    two_forces(store, tmp_path)
    with store.engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")
        assert not conn.execute(
            text("SELECT name FROM sqlite_master WHERE name = 'cases_fts'")
        ).first()
    store.close()
    reopened = Store.open(url)
    assert found(Caselink(reopened), NORTH, "ghb") == {"N1", "N2"}
    reopened.close()


def test_parse_reads_the_query_like_websearch_to_tsquery() -> None:
    q = parse('knife "found dead" or doorway -ghb or')
    assert q.groups == [[["knife"]], [["found", "dead"], ["doorway"]]]
    assert q.excluded == [["ghb"]]
    assert parse("  -  ").empty
