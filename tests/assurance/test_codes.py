"""Issue 14 item 16: a force's own codes; nothing recorded not_done is dropped silently."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from caselink.assurance import default_standard
from caselink.assurance.codes import coverage, load_code_map, not_done_outside_standard
from caselink.cli import assurance
from caselink.records.errors import InvalidInputError
from caselink.store import Store

CASES = """\
case_id,case_type,occurred_from,reported_at,lat,lon,victim_group
F1,sudden_death_drugs,2014-06-19,2014-06-19,51.540,0.077,lgbt
F2,sudden_death_drugs,2014-08-28,2014-08-28,51.535,0.075,lgbt
F3,sudden_death_drugs,2014-09-20,2014-09-20,51.536,0.076,lgbt
R1,robbery,2014-09-21,2014-09-21,51.530,0.070,general
"""
ACTIONS = """\
case_id,action,status,raised_at,completed_at
F1,toxicology,not_done,,
F1,hw_exam,not_done,,
F2,hw_exam,done,2014-08-29,2014-08-30
F2,vs_taken,not_done,,
F3,toxicology,done,2014-09-20,2014-09-21
R1,vs_taken,not_done,,
R1,cctv,not_done,,
R1,door_knock,not_done,,
"""
MAP = """\
case_types:
  sudden_death_drugs: drug_related_death
actions:
  hw_exam: note_handwriting
  vs_taken: victim_statement
"""


def _app() -> typer.Typer:
    app = typer.Typer()
    assurance.register(app)
    return app


def _store(tmp_path: Path) -> str:
    (tmp_path / "cases.csv").write_text(CASES)
    (tmp_path / "actions.csv").write_text(ACTIONS)
    url = f"sqlite:///{tmp_path}/force.db"
    Store.open(url).import_files(tmp_path / "cases.csv", actions=tmp_path / "actions.csv")
    return url


def _not_done_records(mapped: dict[str, str] | None = None) -> set[tuple[str, str]]:
    rows = list(csv.DictReader(ACTIONS.splitlines()))
    names = mapped or {}
    pairs = {(r["case_id"], names.get(r["action"], r["action"])) for r in rows}
    done = {
        (r["case_id"], names.get(r["action"], r["action"]))
        for r in rows
        if r["status"] != "not_done"
    }
    return pairs - done


def _run(tmp_path: Path, *extra: str) -> tuple[str, list[dict[str, str]]]:
    url = _store(tmp_path)
    out = tmp_path / "missing.csv"
    result = CliRunner().invoke(
        _app(), ["checks", "--db", url, "--out", str(out), "--as-of", "2015-01-01", *extra]
    )
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split()), list(csv.DictReader(out.open()))


def test_every_action_recorded_not_done_is_reported_even_outside_the_standard(
    tmp_path: Path,
) -> None:
    output, rows = _run(tmp_path)
    not_done = {(r["case_id"], r["action"]) for r in rows if r["state"] == "not_done"}
    assert not_done == _not_done_records()
    flagged = {(r["case_id"], r["action"]): r["in_standard"] for r in rows}
    assert flagged[("F1", "hw_exam")] == "False"  # a code the standard does not know
    assert flagged[("F1", "toxicology")] == "False"  # a case type the standard does not know
    assert flagged[("R1", "cctv")] == "True"  # required of a robbery: in the standard
    assert "3 case(s) of 1 case type(s) the standard does not know" in output
    assert "sudden_death_drugs (3)" in output
    assert "door_knock (1)" in output and "hw_exam (2)" in output and "vs_taken (2)" in output


def test_a_code_map_brings_a_forces_codes_under_the_standard(tmp_path: Path) -> None:
    (tmp_path / "aliases.yaml").write_text(MAP)
    output, rows = _run(tmp_path, "--map", str(tmp_path / "aliases.yaml"))
    names = {"hw_exam": "note_handwriting", "vs_taken": "victim_statement"}
    not_done = {(r["case_id"], r["action"]) for r in rows if r["state"] == "not_done"}
    assert not_done == _not_done_records(names)
    states = {(r["case_id"], r["action"]): (r["state"], r["in_standard"]) for r in rows}
    assert states[("F1", "toxicology")] == ("not_done", "True")  # now a required check
    assert states[("F2", "toxicology")] == ("missing", "True")  # the drug deaths are judged
    assert ("F3", "toxicology") not in states  # done
    assert "sudden_death_drugs" not in output and "hw_exam" not in output
    assert "door_knock (1)" in output  # still unknown, still counted


def test_the_flat_form_of_a_code_map_and_its_errors(tmp_path: Path) -> None:
    flat = tmp_path / "flat.yaml"
    flat.write_text("sudden_death_drugs: drug_related_death\nhw_exam: note_handwriting\n")
    codes = load_code_map(flat)
    assert codes.case_types == {"sudden_death_drugs": "drug_related_death"}
    assert codes.actions == {"hw_exam": "note_handwriting"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("case_types:\n  sudden_death_drugs: drugs_death\n")
    with pytest.raises(
        InvalidInputError, match=r"case_types.sudden_death_drugs, value 'drugs_death'"
    ):
        load_code_map(bad)


def test_coverage_and_outside_rows_as_a_library() -> None:
    import pandas as pd

    cases = pd.DataFrame(
        {
            "case_id": ["A", "B"],
            "case_type": ["odd_type", "theft"],
            "occurred_from": [pd.Timestamp("2014-01-01")] * 2,
        }
    )
    actions = pd.DataFrame(
        {
            "case_id": ["A", "B"],
            "action": ["toxicology", "weird"],
            "status": ["not_done", "not_done"],
        }
    )
    std = default_standard()
    cov = coverage(cases, actions, std)
    assert cov.unknown_case_types == {"odd_type": 1} and cov.unknown_actions == {"weird": 1}
    outside = not_done_outside_standard(cases, actions, std)
    assert list(outside.itertuples(index=False, name=None)) == [
        ("A", "toxicology", "not_done", False),
        ("B", "weird", "not_done", False),
    ]
