"""Stored results (migration 0005) on SQLite and PostgreSQL: what a run wrote is what is read."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from alembic.script import ScriptDirectory

from caselink.records.errors import NotFoundError
from caselink.store import Store
from caselink.store.migrate import alembic_config, current_revision
from caselink.store.results import Results, model_fingerprint

MODEL = {"format": "caselink-linkage-model", "model": "prior", "created": "now", "w": [1, 2]}


def _links() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_a": ["C1", "C1", "C2"],
            "case_b": ["C2", "C3", "C3"],
            "probability": [0.9, 0.3, 0.6],
            "explanation": ["0.4 km apart (x12)", None, "both drugs ghb (x30)"],
        }
    )


def _run(results: Results, fingerprint: str = "d" * 64) -> int:
    model_id = results.put_model(MODEL, None, "analyst")
    return results.start_link_run(
        model_id, "wide", [{"kind": "near"}], 0.05, True, fingerprint, 3, "analyst"
    )


def test_the_results_schema_is_in_the_one_migration_chain(store: Store) -> None:
    """0005 (results) follows 0004 and precedes 0006: one head, and the store is at it."""
    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_revision("0005").down_revision == "0004"
    assert len(scripts.get_heads()) == 1
    assert current_revision(store.engine) == scripts.get_current_head()


def test_a_model_is_stored_once_per_content_whatever_its_creation_time(store: Store) -> None:
    results = Results(store.engine)
    first = results.put_model(MODEL, "m.json", "a")
    again = results.put_model({**MODEL, "created": "later"}, "other.json", "b")
    other = results.put_model({**MODEL, "w": [3]}, None, "a")
    assert first == again != other
    assert results.model_content(first)["w"] == [1, 2]
    assert model_fingerprint(MODEL) == model_fingerprint({**MODEL, "created": "x"})
    with pytest.raises(NotFoundError):
        results.model_content(999)


def test_a_finished_run_keeps_its_links_factors_and_metadata(store: Store) -> None:
    results = Results(store.engine)
    run_id = _run(results)
    assert results.latest_link_run() is None  # not finished: not read
    factors = {("C1", "C2"): [{"phrase": "0.4 km apart", "multiplier": 12.0}]}
    results.finish_link_run(run_id, _links(), factors, {"candidate_pairs": 3})
    run = results.link_run(run_id)
    assert (run.n_links, run.rules_name, run.model_name, run.created_by) == (
        3,
        "wide",
        "prior",
        "analyst",
    )
    assert run.finished and isinstance(run.started_at, datetime)
    assert results.latest_link_run("d" * 64, model_fingerprint(MODEL)) == run
    assert results.latest_link_run("e" * 64) is None
    strong = results.links_frame(run_id, 0.5)
    assert strong.to_dict("list") == {
        "case_a": ["C1", "C2"],
        "case_b": ["C2", "C3"],
        "probability": [0.9, 0.6],
    }
    page, total = results.links_of(run_id, "C3", limit=1)
    assert total == 2 and [(x.case_a, x.case_b) for x in page] == [("C2", "C3")]
    page, _ = results.links_of(run_id, "C1")
    assert page[0].factors == factors[("C1", "C2")] and page[0].explanation == "0.4 km apart (x12)"
    assert page[1].factors is None and page[1].explanation is None


def test_a_failed_run_leaves_nothing(store: Store) -> None:
    results = Results(store.engine)
    run_id = _run(results)
    results.drop_link_run(run_id)
    assert results.count_link_runs() == 0
    with pytest.raises(NotFoundError, match="no finished link run"):
        results.link_run(run_id)


def test_series_resolution_runs_and_profiles_are_stored_with_their_run(store: Store) -> None:
    results = Results(store.engine)
    run_id = _run(results)
    results.finish_link_run(run_id, _links(), {}, {})
    members = pd.DataFrame({"case_id": ["C2", "C1", "C3"], "series_id": ["S001"] * 3})
    summary = pd.DataFrame(
        {
            "series_id": ["S001"],
            "size": [3],
            "first": [pd.Timestamp("2014-08-28")],
            "last": [pd.Timestamp("2014-09-20")],
            "span_days": [23.0],
            "shared_mo": ["drugs=ghb (3)"],
        }
    )
    series_run = results.save_series(run_id, 0.5, members, summary, "analyst")
    assert results.latest_series_run(run_id, 0.5) == series_run
    assert results.latest_series_run(run_id, 0.7) is None
    read = results.series_members(series_run, "S001")
    assert read["case_id"].tolist() == ["C2", "C1", "C3"]  # time order, as found
    assert results.series_ids(series_run) == ["S001"]
    started = datetime(2026, 12, 2, 8, 0)
    assert results.record_resolution_run("person", "full", None, started, 10, 7, "a") == 1
    assert results.count_resolution_runs() == 1
    profile_id = results.save_geoprofile(
        {
            "series_id": "S001",
            "series_run_pk": series_run,
            "case_ids": ["C1", "C2", "C3"],
            "method": "cgt",
            "estimate_lat": 51.5,
            "estimate_lon": 0.1,
            "created_by": "analyst",
        }
    )
    (stored,) = results.geoprofiles("S001")
    assert stored["pk"] == profile_id and stored["case_ids"] == ["C1", "C2", "C3"]
