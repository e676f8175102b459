"""Issue 14: names that would break the store, oversized input, lost data, partial updates.

Each test builds its own hostile input and fails without the fix it pins.
Every store test runs on a SQLite file and on a real PostgreSQL database.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import insert
from tests.store import csv_files
from tests.store.test_import import counts, import_all

from caselink.records import Case, Mention
from caselink.records.csv_format import MAX_FIELD_CHARS, read_cases
from caselink.records.errors import InvalidInputError, ResourceLimitError
from caselink.records.names import MAX_ATTRIBUTES
from caselink.records.schema_file import load_schema
from caselink.store import Store
from caselink.store.tables import CaseRow

HEADER, *ROWS = csv_files.CASES.splitlines()


def with_column(name: str, value: str = "") -> str:
    """The canonical cases.csv with one more column (``value`` in every row)."""
    return "\n".join([f"{HEADER},{name}", *(f"{r},{value}" for r in ROWS)]) + "\n"


# ---------------------------------------------------------------- item 3 and 4: names

RESERVED = ["gx", "gt", "x_km", "t_from", "family", "tod", "__extra__", "LAT", "Narrative"]
RESERVED += ["Case_Type", "location_type_value", "pk", "case_b"]


@pytest.mark.parametrize("name", RESERVED)
def test_an_mo_column_named_like_a_standard_or_internal_column_is_refused(
    store: Store, tmp_path: Path, name: str
) -> None:
    import_all(store, csv_files.write(tmp_path))
    before = counts(store)
    bad = tmp_path / "bad"
    bad.mkdir()
    paths = csv_files.write(bad, cases=with_column(name))
    with pytest.raises(InvalidInputError) as info:
        import_all(store, paths)
    assert f"column {name}, value '{name}'" in str(info.value)
    assert counts(store) == before
    assert name not in store.attribute_schema().names()


@pytest.mark.parametrize("name", ["lat", "narrative", "case_id", "case_type", "victim_age", "gx"])
def test_a_schema_entry_named_like_a_standard_or_internal_column_is_refused(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / "schema.yaml"
    path.write_text(f"attributes:\n- name: {name}\n  kind: numeric\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=rf"schema.yaml row 1, column name, value '{name}'"):
        load_schema(path)


def test_two_columns_differing_only_in_case_are_refused(store: Store, tmp_path: Path) -> None:
    text = "\n".join([f"{HEADER},Weapon,weapon", *(f"{r},knife,knife" for r in ROWS)]) + "\n"
    paths = csv_files.write(tmp_path, cases=text)
    paths.pop("schema")
    with pytest.raises(InvalidInputError, match=r"column weapon, value 'weapon': differs from"):
        store.import_files(paths["cases"])
    assert counts(store) == (0, 0, 0, 0)


def test_a_column_differing_from_a_stored_attribute_only_in_case_is_refused(
    store: Store, tmp_path: Path
) -> None:
    import_all(store, csv_files.write(tmp_path))
    before = counts(store)
    bad = tmp_path / "bad"
    bad.mkdir()
    paths = csv_files.write(bad, cases=csv_files.CASES.replace(",hour\n", ",Hour\n", 1))
    with pytest.raises(InvalidInputError, match=r"column Hour.*stored attribute 'hour'"):
        store.import_files(paths["cases"])
    assert counts(store) == before


@pytest.mark.parametrize("name", ['we"apon', "weap;on", "weap`on", "weap on", "wéapon", "1st"])
def test_mo_column_names_outside_the_pattern_get_a_clear_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / "cases.csv"
    quoted = '"' + name.replace('"', '""') + '"'
    path.write_text(
        "\n".join([f"{HEADER},{quoted}", *(f"{r},x" for r in ROWS)]) + "\n", encoding="utf-8"
    )
    with pytest.raises(InvalidInputError) as info:  # not a pydantic ValidationError
        read_cases(path)
    assert f"cases.csv, column {name}" in str(info.value)
    assert "not a valid MO attribute name" in str(info.value)


# ---------------------------------------------------------------- item 7: partial re-import


CORRECTION = "case_id,case_type,occurred_from,lat,lon,status\nD1,drug_related_death,2014-06-19T03:00:00,51.54,0.077,suspicious\n"


def test_a_correction_file_with_some_columns_keeps_the_other_stored_values(
    store: Store, tmp_path: Path
) -> None:
    import_all(store, csv_files.write(tmp_path))
    (before,) = store.case_records(["D1"])
    fix = tmp_path / "fix.csv"
    fix.write_text(CORRECTION, encoding="utf-8")
    report = store.import_files(fix)
    assert report.cases_updated == 1
    (after,) = store.case_records(["D1"])
    assert after.status == "suspicious"
    assert after.narrative == before.narrative and after.narrative
    assert after.victim_age == 23 and after.occurred_to == before.occurred_to
    assert after.attributes == before.attributes
    assert after.attributes["drugs"] == ["ghb"]


def test_replace_makes_a_reimport_a_full_replacement(store: Store, tmp_path: Path) -> None:
    import_all(store, csv_files.write(tmp_path))
    fix = tmp_path / "fix.csv"
    fix.write_text(CORRECTION, encoding="utf-8")
    store.import_files(fix, replace=True)
    (after,) = store.case_records(["D1"])
    assert after.status == "suspicious"
    assert after.narrative is None and after.victim_age is None and after.attributes == {}


def test_a_correction_that_contradicts_a_stored_value_is_refused(
    store: Store, tmp_path: Path
) -> None:
    import_all(store, csv_files.write(tmp_path))
    before = counts(store)
    fix = tmp_path / "fix.csv"  # starts after the stored occurred_to (2014-06-19T06:00)
    fix.write_text(CORRECTION.replace("2014-06-19T03:00:00", "2014-06-20T03:00:00"), "utf-8")
    with pytest.raises(InvalidInputError, match=r"fix.csv row 1.*occurred_to is before"):
        store.import_files(fix)
    assert counts(store) == before
    assert store.case_records(["D1"])[0].status == "non_suspicious"


# ---------------------------------------------------------------- item 6: another case's rows


def test_adding_a_case_with_another_cases_people_is_refused(store: Store, tmp_path: Path) -> None:
    import_all(store, csv_files.write(tmp_path))
    before = counts(store)
    people_d1 = [m for m in store.mention_records() if m.case_id == "D1"]
    new = Case.model_validate(
        {
            "case_id": "N1",
            "case_type": "theft",
            "occurred_from": "2015-01-01",
            "lat": 51.5,
            "lon": 0,
        }
    )
    intruder = Mention(case_id="D1", role="victim", name="Someone Else")
    with pytest.raises(InvalidInputError, match=r"people row 1, column case_id, value 'D1'"):
        store.add_cases([new], [intruder])
    assert counts(store) == before
    assert [m for m in store.mention_records() if m.case_id == "D1"] == people_d1


# ---------------------------------------------------------------- items 10, 11, 12: sizes

ALIAS_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
attributes: *i
"""


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "schema.yaml"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(InvalidInputError, match=r"schema.yaml row 2.*aliases"):
        load_schema(path)
    assert time.perf_counter() - started < 1.0


def test_an_oversized_yaml_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "schema.yaml"
    path.write_text("attributes: []\n" + "#" * 2_000_000 + "\n", encoding="utf-8")
    with pytest.raises(ResourceLimitError, match="over 1,000,000 bytes"):
        load_schema(path)


def test_a_field_over_the_csv_modules_128_kb_default_is_read(store: Store, tmp_path: Path) -> None:
    long = "word " * 40_000  # 200 kB
    paths = csv_files.write(tmp_path, cases=csv_files.CASES.replace("Bicycle taken", long))
    import_all(store, paths)
    assert len(store.case_records(["T1"])[0].narrative or "") > 199_000


def test_a_field_over_the_documented_bound_names_its_row_and_column(
    store: Store, tmp_path: Path
) -> None:
    paths = csv_files.write(
        tmp_path, cases=csv_files.CASES.replace("Bicycle taken", "x" * (MAX_FIELD_CHARS + 1))
    )
    with pytest.raises(ResourceLimitError, match=r"cases.csv row 3, column narrative"):
        import_all(store, paths)
    assert counts(store) == (0, 0, 0, 0)


def test_a_huge_header_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(HEADER + "," + ",".join(f"c{i}" for i in range(20_000)) + "\n", "utf-8")
    started = time.perf_counter()
    with pytest.raises(ResourceLimitError, match="columns"):
        read_cases(path)
    assert time.perf_counter() - started < 1.0


def test_more_mo_attributes_than_the_bound_are_refused_before_reading_rows(tmp_path: Path) -> None:
    names = [f"mo{i}" for i in range(MAX_ATTRIBUTES + 1)]
    path = tmp_path / "cases.csv"
    path.write_text(
        "\n".join([HEADER + "," + ",".join(names), *(r + ",1" * len(names) for r in ROWS)]) + "\n",
        "utf-8",
    )
    with pytest.raises(
        ResourceLimitError, match=rf"too many MO attributes \({MAX_ATTRIBUTES + 4};"
    ):
        read_cases(path)


@pytest.mark.parametrize(
    ("file", "old", "new", "column"),
    [
        ("people", "IG11 7XX", "IG11 7XX-AND-MORE", "postcode"),
        ("people", "LB07 ABC", "V" * 33, "vehicle"),
        ("cases", "non_suspicious", "s" * 65, "status"),
        ("cases", ",O7,", "," + "o" * 65 + ",", "offender_id"),
        ("actions", "reporter_background", "r" * 65, "action"),
        ("cases", "churchyard", "c" * 2_001, "location_type"),
    ],
)
def test_values_longer_than_their_store_column_are_refused_naming_the_column(
    store: Store, tmp_path: Path, file: str, old: str, new: str, column: str
) -> None:
    texts = {"cases": csv_files.CASES, "people": csv_files.PEOPLE, "actions": csv_files.ACTIONS}
    paths = csv_files.write(tmp_path, **{file: texts[file].replace(old, new)})
    with pytest.raises(InvalidInputError, match=rf"{file}.csv row \d+, column {column}"):
        import_all(store, paths)
    assert counts(store) == (0, 0, 0, 0)


def test_a_database_error_never_prints_case_data(store: Store, tmp_path: Path) -> None:
    import_all(store, csv_files.write(tmp_path))
    secret = "the witness lives at 9 Hidden Lane"
    with pytest.raises(Exception) as info, store.transaction() as conn:
        conn.execute(  # a duplicate case_id: the driver refuses it
            insert(CaseRow).values(
                case_id="D1", case_type="theft", occurred_from=ROWS and __import__("datetime").datetime(2015, 1, 1),
                lat=0.0, lon=0.0, narrative=secret, import_seq=99, linkage_state="pending",
            )
        )  # fmt: skip
    assert secret not in str(info.value)


# ---------------------------------------------------------------- item 14: missing store


def test_opening_an_existing_store_refuses_a_missing_file(tmp_path: Path) -> None:
    from caselink.records.errors import StoreNotFoundError

    path = tmp_path / "typo.db"
    with pytest.raises(StoreNotFoundError, match="no store at"):
        Store.open_existing(str(path))
    assert not path.exists()
