"""The assurance commands end to end on a SQLite store imported from CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from caselink.cli import assurance
from caselink.store import Store


def _app() -> typer.Typer:
    app = typer.Typer()
    assurance.register(app)
    return app


def _store(tmp_path: Path) -> str:
    (tmp_path / "cases.csv").write_text(
        "case_id,case_type,occurred_from,reported_at,lat,lon,victim_group,status,note_found,drugs\n"
        "C1,drug_related_death,2014-06-19,2014-06-19,51.5400,0.0770,lgbt,non_suspicious,no,ghb\n"
        "C2,drug_related_death,2014-08-28,2014-08-28,51.5357,0.0757,lgbt,non_suspicious,no,ghb\n"
        "C3,drug_related_death,2014-09-20,2014-09-20,51.5357,0.0757,lgbt,non_suspicious,yes,ghb\n"
        "C4,theft,2014-09-21,2014-09-21,51.5300,0.0700,general,,,\n"
        "C5,theft,2014-09-22,2014-09-22,51.5300,0.0700,general,,,\n"
    )
    (tmp_path / "actions.csv").write_text(
        "case_id,action,status,raised_at,completed_at\n"
        "C3,toxicology,done,2014-09-20,2014-09-21\n"
        "C3,note_handwriting,not_done,,\n"
        "C4,victim_statement,done,2014-09-21,2014-09-22\n"
        "C5,victim_statement,pending,2014-09-22,\n"
    )
    (tmp_path / "schema.yaml").write_text(
        "attributes:\n  - {name: note_found, kind: categorical}\n  - {name: drugs, kind: multi}\n"
    )
    url = f"sqlite:///{tmp_path}/t.db"
    store = Store.open(url)
    store.import_files(
        tmp_path / "cases.csv", actions=tmp_path / "actions.csv", schema=tmp_path / "schema.yaml"
    )
    return url


def test_checks_writes_the_missing_csv(tmp_path: Path) -> None:
    url = _store(tmp_path)
    out = tmp_path / "missing.csv"
    result = CliRunner().invoke(
        _app(), ["checks", "--db", url, "--out", str(out), "--as-of", "2015-01-01"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["case_id", "action", "state", "in_standard"]
    got = {(r["case_id"], r["action"]): r["state"] for r in rows}
    assert got[("C3", "note_handwriting")] == "not_done"
    assert got[("C5", "victim_statement")] == "overdue"
    assert got[("C1", "toxicology")] == "missing"
    assert ("C3", "toxicology") not in got and ("C4", "victim_statement") not in got


def test_prompts_are_stored_once(tmp_path: Path) -> None:
    url = _store(tmp_path)
    links = tmp_path / "links.csv"
    links.write_text("case_a,case_b,probability\nC2,C3,0.93\n")
    runner = CliRunner()
    first = runner.invoke(_app(), ["prompts", "--db", url, "--links", str(links)])
    assert first.exit_code == 0, first.output
    actions = Store.open(url).actions_frame()
    prompted = actions[actions["source"] == "prompt"]
    note = prompted[(prompted["case_id"] == "C3") & (prompted["action"] == "note_handwriting")]
    assert note["reason"].tolist() == [
        "linked to C2 (p=0.93): have the handwriting of the note examined"
    ]
    assert set(prompted["status"]) == {"pending"}
    again = runner.invoke(_app(), ["prompts", "--db", url, "--links", str(links)])
    assert again.exit_code == 0, again.output
    assert len(Store.open(url).actions_frame()) == len(actions)


def test_audit_writes_report_and_plot(tmp_path: Path) -> None:
    url = _store(tmp_path)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        _app(),
        [
            "audit",
            "--db",
            url,
            "--group",
            "victim_group",
            "--by",
            "case_type",
            "--out",
            str(out),
            "--as-of",
            "2015-01-01",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    # the reference is the largest group: 3 lgbt cases, 2 general
    assert report["group"] == "victim_group" and report["reference"] == "lgbt"
    assert (tmp_path / "report.png").read_bytes()[:4] == b"\x89PNG"
    bad = CliRunner().invoke(_app(), ["audit", "--db", url, "--group", "colour"])
    assert bad.exit_code == 1 and "group column 'colour'" in bad.output


def test_death_clusters_runs(tmp_path: Path) -> None:
    url = _store(tmp_path)
    out = tmp_path / "clusters.csv"
    result = CliRunner().invoke(
        _app(),
        [
            "death-clusters",
            "--db",
            url,
            "--simulations",
            "9",
            "--out",
            str(out),
            "--profile",
            "victim_group=lgbt",
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("rank,centre_case_id")
