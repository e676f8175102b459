"""The linkage commands against a real SQLite store (exact command lines and columns)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from caselink.cli.linkage import register
from caselink.linkage.engine import LINK_FLOOR
from caselink.store import Store
from caselink.synth import generate, write

runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    root = typer.Typer()
    register(root)
    return root


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("city")
    write(generate(800, seed=5), folder)
    url = f"sqlite:///{folder / 't.db'}"
    store = Store.open(url)
    store.import_files(
        folder / "cases.csv", folder / "people.csv", folder / "actions.csv", folder / "schema.yaml"
    )
    store.close()
    return url


@pytest.mark.slow
def test_train_link_series_explain_evaluate(app: typer.Typer, db: str, tmp_path: Path) -> None:
    model = tmp_path / "model.file"
    result = runner.invoke(
        app, ["train", "--db", db, "--model", str(model), "--label", "offender_id"]
    )
    assert result.exit_code == 0, result.output
    assert model.exists() and Path(str(model) + ".json").exists()
    assert "training pairs: all" in result.output  # the sample size is stated
    assert "candidates per case" in result.output and "budget 1,000" in result.output

    links_csv = tmp_path / "links.csv"
    result = runner.invoke(
        app,
        [
            "link",
            "--db",
            db,
            "--model",
            str(model),
            "--out",
            str(links_csv),
            "--explain",
            "--min-probability",
            "0.05",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "candidates per case: about" in result.output and "budget 1,000" in result.output
    links = pd.read_csv(links_csv)
    assert list(links.columns) == ["case_a", "case_b", "probability", "explanation"]
    assert links["probability"].between(0.05, 1).all()

    plain = tmp_path / "all.csv"
    assert runner.invoke(app, ["link", "--db", db, "--out", str(plain)]).exit_code == 0
    assert list(pd.read_csv(plain).columns) == ["case_a", "case_b", "probability"]

    series_csv = tmp_path / "series.csv"
    result = runner.invoke(
        app, ["series", "--db", db, "--model", str(model), "--out", str(series_csv)]
    )
    assert result.exit_code == 0, result.output
    series = pd.read_csv(series_csv)
    assert list(series.columns) == ["case_id", "series_id"]
    assert (series.groupby("series_id").size() >= 2).all()

    a, b = links["case_a"].iloc[0], links["case_b"].iloc[0]
    result = runner.invoke(app, ["explain", "--db", db, a, b])
    assert result.exit_code == 0 and "link probability" in result.output

    out_dir = tmp_path / "eval"
    result = runner.invoke(app, ["evaluate", "--db", db, "--out-dir", str(out_dir)])
    assert result.exit_code == 0, result.output
    assert (out_dir / "roc.png").exists() and (out_dir / "reliability.png").exists()
    assert "adjusted Rand" in result.output


def test_errors_are_clean_messages(app: typer.Typer, db: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["explain", "--db", db, "C00001", "NOPE"])
    assert result.exit_code == 1 and "no case with case_id 'NOPE'" in result.output
    result = runner.invoke(
        app, ["link", "--db", db, "--model", str(tmp_path / "x"), "--out", "l.csv"]
    )
    assert result.exit_code == 1 and "does not exist" in result.output


def test_link_with_named_rules_and_a_bad_name(app: typer.Typer, db: str, tmp_path: Path) -> None:
    counts = {}
    for rules in ("lean", "default", "wide"):
        out = tmp_path / f"{rules}.csv"
        result = runner.invoke(
            app, ["link", "--db", db, "--out", str(out), "--rules", rules, "--all-candidates"]
        )
        assert result.exit_code == 0, result.output
        counts[rules] = len(pd.read_csv(out))
    # with --all-candidates every candidate pair is written: the wider the rules, the more pairs
    assert counts["lean"] < counts["default"] < counts["wide"]
    result = runner.invoke(
        app, ["link", "--db", db, "--out", str(tmp_path / "x.csv"), "--rules", "widest"]
    )
    assert result.exit_code != 0
    assert "rules must be one of auto, default, wide, lean, national, got 'widest'" in result.output


def test_link_with_the_national_rules_at_a_threshold(
    app: typer.Typer, db: str, tmp_path: Path
) -> None:
    out = tmp_path / "national.csv"
    args = ["link", "--db", db, "--out", str(out), "--rules", "national"]
    result = runner.invoke(app, [*args, "--min-probability", "0.5"])
    assert result.exit_code == 0, result.output
    links = pd.read_csv(out)
    assert len(links) > 0
    assert links["probability"].min() >= 0.5


def test_link_with_the_prefix_filter_finds_at_least_the_rules_links(
    app: typer.Typer, db: str, tmp_path: Path
) -> None:
    ruled, prefixed = tmp_path / "ruled.csv", tmp_path / "prefixed.csv"
    args = ["link", "--db", db, "--min-probability", "0.5"]
    assert runner.invoke(app, [*args, "--out", str(ruled)]).exit_code == 0
    result = runner.invoke(app, [*args, "--out", str(prefixed), "--prefix-filter"])
    assert result.exit_code == 0, result.output
    assert "prefix filter on the model's weights" in result.output
    assert "pairs sharing enough" in result.output and "per case" in result.output
    by_rules, by_prefix = (
        {tuple(sorted(p)) for p in pd.read_csv(f)[["case_a", "case_b"]].itertuples(index=False)}
        for f in (ruled, prefixed)
    )
    # every pair of the store that can reach 0.5 is found, so the rules' links too
    assert by_rules and by_rules <= by_prefix


def test_an_old_pickle_model_is_refused_with_how_to_retrain(
    app: typer.Typer, db: str, tmp_path: Path
) -> None:
    import pickle

    old = tmp_path / "old.model"
    old.write_bytes(pickle.dumps({"format_version": 1, "saved": None}, protocol=4))
    for command in (
        ["link", "--out", str(tmp_path / "l.csv")],
        ["series", "--out", str(tmp_path / "s.csv")],
    ):
        result = runner.invoke(app, [*command, "--db", db, "--model", str(old)])
        assert result.exit_code == 1, result.output
        assert "pickle" in result.output and "caselink train" in result.output
        assert "Traceback" not in result.output


def test_link_writes_only_links_at_the_stated_floor_and_reports_pairs_per_case(
    app: typer.Typer, db: str, tmp_path: Path
) -> None:
    out = tmp_path / "links.csv"
    result = runner.invoke(app, ["link", "--db", db, "--out", str(out), "--explain"])
    assert result.exit_code == 0, result.output
    links = pd.read_csv(out)
    assert list(links.columns) == ["case_a", "case_b", "probability", "explanation"]
    assert len(links) > 0 and links["probability"].min() >= LINK_FLOOR
    assert links["explanation"].str.len().gt(0).all()
    assert "per case" in result.output and f"p >= {LINK_FLOOR:g}" in result.output
    # the auto rules follow the size: 800 cases are linked with the wide rules
    assert "wide rules (chosen for 800 cases)" in result.output
    every = tmp_path / "every.csv"
    result = runner.invoke(app, ["link", "--db", db, "--out", str(every), "--all-candidates"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(every)) > 3 * len(links)


def test_a_tiny_memory_limit_is_a_clear_error_naming_the_step(
    app: typer.Typer, db: str, tmp_path: Path
) -> None:
    out = tmp_path / "links.csv"
    result = runner.invoke(app, ["link", "--db", db, "--out", str(out), "--memory-limit", "1MB"])
    assert result.exit_code == 1
    assert "out of memory while" in result.output
    assert "--memory-limit" in result.output
    assert "Traceback" not in result.output and not out.exists()
    result = runner.invoke(app, ["link", "--db", db, "--out", str(out), "--memory-limit", "lots"])
    assert result.exit_code == 1 and "memory limit must be a size" in result.output
