"""A saved person model is data: its SQL is never run, only its numbers are read (issue 14.2)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from caselink.cli import entities as entity_commands
from caselink.entities import PersonResolver
from caselink.entities.model_file import PersonModelError, trusted_model
from caselink.store import Store
from caselink.synth import generate, write
from tests.entities.people_factory import noisy_mentions

runner = CliRunner()
app = typer.Typer()
entity_commands.register(app)


def _leak(secret: Path) -> str:
    return f" AND CAST((SELECT content FROM read_text('{secret}')) AS INTEGER)=1"


@pytest.fixture(scope="module")
def model() -> dict[str, Any]:
    mentions, _ = noisy_mentions(60, seed=2)
    fitted: dict[str, Any] = PersonResolver(u_max_pairs=2e4, threads=2).fit(mentions).model_
    return json.loads(json.dumps(fitted))


def test_a_model_caselink_saved_is_accepted_with_its_parameters(model: dict[str, Any]) -> None:
    trusted = trusted_model(model)
    assert trusted["splink"]["probability_two_random_records_match"] == pytest.approx(
        model["splink"]["probability_two_random_records_match"]
    )
    saved_m = [
        lvl.get("m_probability")
        for c in model["splink"]["comparisons"]
        for lvl in c["comparison_levels"]
    ]
    kept_m = [
        lvl.get("m_probability")
        for c in trusted["splink"]["comparisons"]
        for lvl in c["comparison_levels"]
    ]
    assert kept_m == saved_m
    assert trusted["term_frequencies"] == model["term_frequencies"]


def test_sql_appended_to_a_blocking_rule_is_refused(model: dict[str, Any], tmp_path: Path) -> None:
    crafted = copy.deepcopy(model)
    rule = crafted["splink"]["blocking_rules_to_generate_predictions"][0]
    rule["blocking_rule"] += _leak(tmp_path / "secret.txt")
    with pytest.raises(PersonModelError, match=r"blocking rules .* refusing to run SQL"):
        PersonResolver.from_model(crafted)


def test_sql_in_a_comparison_level_is_refused(model: dict[str, Any]) -> None:
    crafted = copy.deepcopy(model)
    level = crafted["splink"]["comparisons"][1]["comparison_levels"][1]
    level["sql_condition"] = "dob_str_l = dob_str_r OR (SELECT 1 FROM read_text('/etc/passwd'))=1"
    with pytest.raises(PersonModelError, match="level 1 of comparison 'dob'"):
        trusted_model(crafted)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("probability_two_random_records_match",), 2.0, "the prior"),
        (("comparisons", 0, "comparison_levels", 1, "m_probability"), "0.5", "not a number"),
    ],
)
def test_parameters_out_of_range_are_refused(
    model: dict[str, Any], path: tuple[Any, ...], value: Any, message: str
) -> None:
    crafted = copy.deepcopy(model)
    target: Any = crafted["splink"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(PersonModelError, match=message):
        trusted_model(crafted)


def test_incremental_resolve_refuses_a_crafted_model_file_and_reads_nothing(
    tmp_path: Path,
) -> None:
    out = tmp_path / "synth"
    write(generate(120, seed=6), out)
    db = f"sqlite:///{tmp_path / 't.db'}"
    Store.open(db).import_files(out / "cases.csv", out / "people.csv", schema=out / "schema.yaml")
    assert runner.invoke(app, ["resolve", "--db", db]).exit_code == 0
    path = tmp_path / "t.db.person-model.json"
    saved = json.loads(path.read_text())
    secret = tmp_path / "secret.txt"
    secret.write_text("271828\n")
    saved["splink"]["blocking_rules_to_generate_predictions"][0]["blocking_rule"] += _leak(secret)
    path.write_text(json.dumps(saved))
    before = Store.open(db).resolution_frame("person")

    result = runner.invoke(app, ["resolve", "--db", db, "--incremental"])

    assert result.exit_code == 1
    assert "refusing to run SQL from a file" in result.output
    assert "271828" not in result.output
    assert Store.open(db).resolution_frame("person").equals(before)
