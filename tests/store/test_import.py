"""The case store: import, idempotence, refusal of bad input, export round trip.

Every test runs on a SQLite file and on a real PostgreSQL database.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from tests.store import csv_files
from tests.web.conftest import CASES as WEB_CASES

from caselink.records import Action
from caselink.records.errors import InvalidInputError
from caselink.service import Caselink, Scope
from caselink.service.results import CaseFilter
from caselink.store import Store, importer
from caselink.store.exporter import export_store
from caselink.store.tables import ActionRow, CaseAttribute, CaseRow, MentionRow


def counts(store: Store) -> tuple[int, ...]:
    """Rows in every data table: the store's fingerprint for 'nothing changed'."""
    with store.engine.connect() as conn:
        return tuple(
            int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
            for t in (CaseRow, CaseAttribute, MentionRow, ActionRow)
        )


def import_all(store: Store, paths: dict[str, Path]) -> None:
    store.import_files(paths["cases"], paths["people"], paths["actions"], paths["schema"])


def test_import_stores_cases_people_and_actions(store: Store, tmp_path: Path) -> None:
    import_all(store, csv_files.write(tmp_path))
    cases = store.cases_frame()
    assert list(cases["case_id"]) == ["D1", "D2", "T1"]
    d2 = cases.set_index("case_id").loc["D2"]
    assert d2["drugs"] == ("alcohol", "ghb")
    assert d2["occurred_to"] == d2["occurred_from"]  # no end recorded: the window is a point
    assert pd.isna(d2["hour"])
    mentions = store.mentions_frame()
    assert list(mentions["mention_id"]) == [0, 1, 2, 3, 4]
    assert list(mentions["role"]) == ["reporter", "victim", "finder", "victim", "victim"]
    actions = store.actions_frame()
    assert sorted(actions["action"]) == ["forensic_submission", "reporter_background", "toxicology"]
    assert set(actions["source"]) == {"import"}


def test_reimporting_the_same_files_changes_nothing(store: Store, tmp_path: Path) -> None:
    paths = csv_files.write(tmp_path)
    import_all(store, paths)
    before = counts(store)
    frame_before = store.mentions_frame()
    report = store.import_files(paths["cases"], paths["people"], paths["actions"], paths["schema"])
    assert (report.cases_inserted, report.cases_updated) == (0, 3)
    assert counts(store) == before
    pd.testing.assert_frame_equal(store.mentions_frame(), frame_before)


def test_reimport_replaces_a_cases_people_rather_than_adding(store: Store, tmp_path: Path) -> None:
    import_all(store, csv_files.write(tmp_path))
    fewer = "case_id,role,name\nD1,reporter,Gareth Fenwick\n"
    store.import_files(
        csv_files.write(tmp_path)["cases"], csv_files.write(tmp_path, people=fewer)["people"]
    )
    people = store.mentions_frame()
    assert list(people.loc[people["case_id"] == "D1", "role"]) == ["reporter"]
    assert len(people[people["case_id"] == "D2"]) == 2  # cases not in the people file keep theirs


def test_export_after_import_gives_identical_files(store: Store, tmp_path: Path) -> None:
    paths = csv_files.write(tmp_path)
    import_all(store, paths)
    report = export_store(store, tmp_path / "out")
    assert report.cases == 3
    for name in ("cases", "people", "actions"):
        assert (tmp_path / "out" / f"{name}.csv").read_text() == paths[name].read_text(), name


def test_an_exported_store_reimports_to_the_same_export(
    store: Store, tmp_path: Path, store_url: str
) -> None:
    import_all(store, csv_files.write(tmp_path))
    first = export_store(store, tmp_path / "a")
    other = Store.open(f"sqlite:///{tmp_path / 'other.db'}")
    other.import_files(*first.files[:3], schema=first.files[3])
    export_store(other, tmp_path / "b")
    for name in ("cases.csv", "people.csv", "actions.csv", "schema.yaml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


BAD_INPUTS = {
    "unknown case reference": (
        {"people": "case_id,role,name\nD1,victim,A B\nZZ9,witness,C D\n"},
        "people.csv row 2, column case_id, value 'ZZ9': unknown case_id",
    ),
    "bad date": (
        {"cases": csv_files.CASES.replace("2014-08-28T00:00:00", "2014-08-32T00:00:00")},
        "cases.csv row 2, column occurred_from, value '2014-08-32T00:00:00': expected an ISO 8601",
    ),
    "window ends before it starts": (
        {"cases": csv_files.CASES.replace("2014-06-19T06:00:00", "2014-06-18T06:00:00")},
        "cases.csv row 1, column occurred_to, value '2014-06-18T06:00:00': occurred_to is before occurred_from",
    ),
    "latitude out of range": (
        {"cases": csv_files.CASES.replace("51.5357", "95.5")},
        "cases.csv row 2, column lat, value '95.5': Input should be less than or equal to 90",
    ),
    "longitude out of range": (
        {"cases": csv_files.CASES.replace(",0.08,", ",-181,")},
        "cases.csv row 3, column lon, value '-181': Input should be greater than or equal to -180",
    ),
    "duplicate case id": (
        {"cases": csv_files.CASES + csv_files.CASES.splitlines()[1] + "\n"},
        "cases.csv row 4, column case_id, value 'D1': duplicate case_id (first at row 1)",
    ),
    "wrong role name": (
        {"people": "case_id,role,name\nD1,bystander,A B\n"},
        "people.csv row 1, column role, value 'bystander': must be one of victim, reporter",
    ),
    "wrong action status": (
        {"actions": "case_id,action,status\nD1,cctv,maybe\n"},
        "actions.csv row 1, column status, value 'maybe': must be one of done, not_done, pending",
    ),
    "empty file": ({"cases": ""}, "cases.csv: the file is empty (no header row)"),
    "missing required column": (
        {"cases": "case_id,case_type,occurred_from,lat\nX,theft,2014-01-01T00:00:00,51.5\n"},
        "cases.csv, column lon, value '': required column is missing from the header",
    ),
    "numeric attribute that is not a number": (
        {"cases": csv_files.CASES.replace(",dwelling,4", ",dwelling,four")},
        "cases.csv row 1, column hour, value 'four': expected a number",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_is_refused_with_file_row_column_value_and_changes_nothing(
    store: Store, tmp_path: Path, case: str
) -> None:
    import_all(store, csv_files.write(tmp_path))
    before = counts(store)
    overrides, expected = BAD_INPUTS[case]
    bad = tmp_path / "bad"
    bad.mkdir()
    paths = csv_files.write(bad, **overrides)
    with pytest.raises(InvalidInputError) as info:
        import_all(store, paths)
    assert expected in str(info.value)
    assert counts(store) == before


def test_bad_encoding_is_refused(store: Store, tmp_path: Path) -> None:
    paths = csv_files.write(tmp_path)
    paths["cases"].write_bytes(csv_files.CASES.replace("Found", "Trouv\xe9").encode("latin-1"))
    with pytest.raises(
        InvalidInputError, match=r"cases.csv row 1, column narrative, value '0xe9': not UTF-8 text"
    ):
        import_all(store, paths)
    assert counts(store) == (0, 0, 0, 0)


def test_every_error_is_listed_not_just_the_first(store: Store, tmp_path: Path) -> None:
    cases = csv_files.CASES.replace("51.5357", "95").replace(",0.08,", ",999,")
    paths = csv_files.write(tmp_path, cases=cases, people="case_id,role\nD1,pilot\nNOPE,victim\n")
    with pytest.raises(InvalidInputError) as info:
        import_all(store, paths)
    where = {(e.file, e.row, e.column) for e in info.value.errors}
    assert where == {
        ("cases.csv", 2, "lat"),
        ("cases.csv", 3, "lon"),
        ("people.csv", 1, "role"),
        ("people.csv", 2, "case_id"),
        ("actions.csv", 3, "case_id"),  # its case (D2) was rejected
    }


def test_skip_invalid_imports_valid_rows_and_writes_rejects(store: Store, tmp_path: Path) -> None:
    cases = csv_files.CASES.replace("51.5357", "95")
    paths = csv_files.write(tmp_path, cases=cases)
    rejects = tmp_path / "rejected.csv"
    report = store.import_files(
        paths["cases"], paths["people"], paths["actions"], paths["schema"], skip_invalid=rejects
    )
    assert list(store.cases_frame()["case_id"]) == ["D1", "T1"]
    assert report.cases_inserted == 2
    lines = rejects.read_text().splitlines()
    assert lines[0] == "file,row,column,value,error"
    assert lines[1].startswith("cases.csv,2,lat,95,")
    # D2's people and actions are rejected with it, naming why
    assert any(
        line.startswith("people.csv,3,case_id,D2,refers to a case whose row was rejected")
        for line in lines
    )
    assert "D2" not in set(store.mentions_frame()["case_id"])


def test_schema_is_inferred_and_reported_without_a_schema_file(
    store: Store, tmp_path: Path
) -> None:
    paths = csv_files.write(tmp_path)
    report = store.import_files(paths["cases"])
    assert report.schema_notes == [
        "drugs: inferred multi",
        "location_type: inferred categorical",
        "hour: inferred numeric",
    ]
    assert [a.kind.value for a in store.attribute_schema().attributes] == [
        "multi",
        "categorical",
        "numeric",
    ]


def test_prompted_actions_are_added_beside_imported_ones(store: Store, tmp_path: Path) -> None:
    import_all(store, csv_files.write(tmp_path))
    added = store.add_actions(
        [Action(case_id="D2", action="note_handwriting", status="pending")],
        reasons=["linked to D1: compare the handwriting"],
    )
    assert added == 1
    actions = store.actions_frame()
    prompt = actions[actions["source"] == "prompt"].iloc[0]
    assert (prompt["case_id"], prompt["reason"]) == ("D2", "linked to D1: compare the handwriting")
    import_all(store, csv_files.write(tmp_path))  # a re-import keeps prompts
    assert (store.actions_frame()["source"] == "prompt").sum() == 1


def test_resolution_results_round_trip_by_mention_id(store: Store, tmp_path: Path) -> None:
    import_all(store, csv_files.write(tmp_path))
    frame = pd.DataFrame(
        {
            "mention_id": [0, 2],
            "entity_id": ["P1", "P1"],
            "match_weight": [12.5, None],
            "evidence": ["same phone", None],
        }
    )
    store.replace_resolution("person", frame)
    back = store.resolution_frame("person")
    assert list(back["mention_id"]) == [0, 2]
    assert list(back["entity_id"]) == ["P1", "P1"]
    assert back["match_weight"].iloc[0] == 12.5 and pd.isna(back["match_weight"].iloc[1])
    with pytest.raises(InvalidInputError, match="no such mention"):
        store.replace_resolution("person", pd.DataFrame({"mention_id": [99], "entity_id": ["X"]}))


def test_a_row_with_more_values_than_columns_is_refused(store: Store, tmp_path: Path) -> None:
    paths = csv_files.write(tmp_path, people="case_id,role,name\nD1,victim,A B,surplus\n")
    with pytest.raises(
        InvalidInputError, match=r"people.csv row 1, value 'surplus': more values than columns"
    ):
        import_all(store, paths)
    assert counts(store) == (0, 0, 0, 0)


def test_a_bulk_import_over_many_statements_keeps_every_row_and_the_narrative_index(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite writes many rows per statement (the full-text index flushes at
    each one); with statements of two or three rows, every row and every
    narrative word is still found."""
    monkeypatch.setattr(importer, "SQLITE_PARAMETERS", 60)
    (tmp_path / "cases.csv").write_text(WEB_CASES)
    report = store.import_files(tmp_path / "cases.csv")
    assert sorted(report.case_ids) == ["N1", "N2", "N3", "N4", "S1", "S2", "S3"]
    stored = store.cases_frame().set_index("case_id")
    given = pd.read_csv(tmp_path / "cases.csv", dtype=str).set_index("case_id")
    assert stored["narrative"].to_dict() == given["narrative"].to_dict()  # each row its own values
    service = Caselink(store)
    page = service.cases(Scope.everything(), CaseFilter(text="ghb"), limit=50)
    with_ghb = {c for c, text in stored["narrative"].items() if "ghb" in str(text).lower()}
    assert {c.case_id for c in page.items} == with_ghb != set()
