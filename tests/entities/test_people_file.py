"""People-only input, and names recorded in parts (issue 19 items 2 and 4)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from caselink.cli import entities as entity_commands
from caselink.entities.features import person_features
from caselink.entities.normalise import PersonName, parse_name, parse_name_parts
from caselink.entities.people_file import read_people_file
from caselink.records.errors import InvalidInputError
from caselink.store import Store
from caselink.store.exporter import export_store

runner = CliRunner()
app = typer.Typer()
entity_commands.register(app)

PEOPLE = """given_name,surname,dob,address,postcode
Zebedee,Quartermaine,1971-03-02,12 Cooke Street,IG11 7AA
Zebedee,Quartermaine,1971-03-02,12 Cooke St,IG117AA
Zebedee,Quartermain,1971-03-02,12 Cooke Street,
Marta,van Geel,1988-11-30,4 Abbey Road,IG11 9XX
Marta,Van Geel,1988-11-30,4 Abbey Rd,IG11 9XX
Ben,,1990-01-01,7 Mill Lane,IG11 1AB
Ann,Lee,1955-05-05,3 Park Road,IG11 2CD
Tom,Cole,1962-07-07,9 High Street,IG11 3EF
"""


def _write(tmp_path: Path, text: str, name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_people_file_needs_no_case_and_invents_no_place(tmp_path: Path) -> None:
    mentions = read_people_file(_write(tmp_path, PEOPLE))
    assert mentions["case_id"].isna().all() and mentions["role"].isna().all()
    features = person_features(mentions)
    assert features["case_lat"].isna().all() and features["area"].isna().all()
    assert features["role_kind"].isna().all()
    assert mentions["mention_id"].tolist() == list(range(8))


def test_resolve_file_writes_persons_for_each_row(tmp_path: Path) -> None:
    people = _write(tmp_path, PEOPLE)
    out = tmp_path / "persons.csv"
    result = runner.invoke(app, ["resolve-file", str(people), "--out", str(out)])
    assert result.exit_code == 0, result.output
    persons = pd.read_csv(out)
    assert list(persons.columns) == ["mention_id", "person_id", "match_weight", "evidence"]
    assert len(persons) == 8
    person = persons.set_index("mention_id")["person_id"]
    # (eight rows teach EM little: the exact repeats are what must hold)
    assert person[0] == person[1]
    assert person[3] == person[4]
    assert len({person[0], person[3], person[5], person[6], person[7]}) == 5


def test_resolve_file_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    people = _write(tmp_path, PEOPLE)
    result = runner.invoke(app, ["resolve-file", str(people), "--out", str(people)])
    assert result.exit_code == 1 and "is the input file" in result.output
    assert people.read_text(encoding="utf-8") == PEOPLE


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("given_name,surname,shoe_size\nAnn,Lee,9\n", "column shoe_size"),
        ("dob,postcode\n1970-01-01,IG11 7AA\n", "needs a name column"),
        ("name,dob\nAnn Lee,1970-02-31\n", "row 1, column dob, value '1970-02-31'"),
        ("mention_id,name\n4,Ann Lee\n4,Tom Cole\n", "row 2, column mention_id"),
    ],
)
def test_bad_people_files_are_named_by_row_column_and_value(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        read_people_file(_write(tmp_path, text))


def test_a_lone_given_name_stays_a_given_name() -> None:
    assert parse_name_parts("Ben", None).first == "ben"
    assert parse_name_parts("Ben", None).surname is None
    # a single written name is a given name when the nickname table knows it
    assert parse_name("Ben") == PersonName("ben", None)
    assert parse_name("Smith") == PersonName(None, "smith")
    # before a comma it is the surname, whatever it is
    assert parse_name("Ben,") == PersonName(None, "ben")


@pytest.mark.parametrize(
    ("written", "first", "surname"),
    [
        ("Marta van Geel", "marta", "vangeel"),
        ("van Geel, Marta", "marta", "vangeel"),
        ("VAN GEEL, Marta", "marta", "vangeel"),
        ("Pierre de la Cruz", "pierre", "delacruz"),
        ("Smith, John Paul", "john", "smith"),
        ("Tariq Mac Donald", "tariq", "macdonald"),
        ("Olivia dos Santos", "olivia", "dossantos"),
    ],
)
def test_multi_word_surnames_and_the_surname_comma_given_form(
    written: str, first: str, surname: str
) -> None:
    name = parse_name(written)
    assert (name.first, name.surname) == (first, surname)


def test_a_space_typed_inside_a_surname_in_parts_closes_up() -> None:
    assert parse_name_parts("Trene", "Trene rry").surname == "trenerry"


def test_given_name_and_surname_columns_import_and_round_trip(tmp_path: Path) -> None:
    cases = _write(
        tmp_path,
        "case_id,case_type,occurred_from,lat,lon\nC1,burglary,2020-01-01T00:00:00,51.5,0.1\n",
        "cases.csv",
    )
    people = _write(
        tmp_path,
        "case_id,role,name,given_name,surname\nC1,witness,Marta van Geel,Marta,van Geel\n"
        "C1,victim,Ben Cole,,\n",
    )
    store = Store.open(f"sqlite:///{tmp_path / 't.db'}")
    store.import_files(cases, people)
    frame = store.mentions_frame()
    assert frame.loc[0, "given_name"] == "Marta" and frame.loc[0, "surname"] == "van Geel"
    export_store(store, tmp_path / "out")
    exported = pd.read_csv(tmp_path / "out" / "people.csv", dtype=str, keep_default_na=False)
    assert exported[["given_name", "surname"]].values.tolist() == [["Marta", "van Geel"], ["", ""]]
