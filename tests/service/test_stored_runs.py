"""Results in the store: a link run is stored once and read by series and geoprofile.

`caselink link --db URL` with no --out stores a run (and prints its id);
`caselink series` and `caselink geoprofile --series` then read that run instead
of linking again; --out still writes the same CSV columns.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from caselink.cli.main import app
from caselink.linkage.engine import LinkageEngine
from caselink.service.caselink import Caselink
from caselink.service.errors import NotFoundError
from caselink.service.scope import Scope
from caselink.service.stored import StoredResults
from caselink.store import Store
from caselink.store.results import Results
from caselink.synth import generate, write

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("city")
    write(generate(500, seed=4), folder)
    url = f"sqlite:///{folder / 'runs.db'}"
    store = Store.open(url)
    store.import_files(
        folder / "cases.csv", folder / "people.csv", folder / "actions.csv", folder / "schema.yaml"
    )
    store.close()
    return url


def _results(db: str) -> Results:
    return Results(Store.open(db).engine)


def _no_linking(*args: object, **kwargs: object) -> None:
    raise AssertionError("linkage ran again although a stored run was there")


def test_link_stores_a_run_that_series_and_geoprofile_read_without_linking(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(app, ["link", "--db", db])
    assert result.exit_code == 0, result.output
    assert "stored link run 1:" in result.stdout
    results = _results(db)
    assert results.count_link_runs() == 1
    run = results.link_run(1)
    assert run.finished and run.n_links == len(results.links_frame(1)) > 0
    assert run.model_name and run.rules_name and run.min_probability == pytest.approx(0.05)
    assert len(run.data_fingerprint) == 64 and run.n_cases == 500

    monkeypatch.setattr(LinkageEngine, "link", _no_linking)
    monkeypatch.setattr(LinkageEngine, "link_chunks", _no_linking)
    out = tmp_path / "series.csv"
    result = runner.invoke(app, ["series", "--db", db, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "(links: run 1)" in result.stdout
    members = pd.read_csv(out)
    assert list(members.columns) == ["case_id", "series_id"] and len(members) > 0
    assert results.count_link_runs() == 1 and results.count_series_runs() == 1

    first = str(members["series_id"].iloc[0])
    expected = set(members.loc[members["series_id"] == first, "case_id"])
    result = runner.invoke(app, ["geoprofile", "--db", db, "--series", first, "--cells", "40"])
    assert result.exit_code == 0, result.output
    assert results.count_link_runs() == 1
    stored = results.geoprofiles(first)
    assert len(stored) == 1 and set(stored[0]["case_ids"]) == expected
    assert stored[0]["series_run_pk"] == 1


def test_series_from_the_stored_run_equals_series_from_linking_afresh(db: str) -> None:
    store = Store.open(db)
    engine = LinkageEngine(store.cases_frame(), store.attribute_schema())
    fresh = engine.series(threshold=0.5).members
    results = Results(store.engine)
    run = results.latest_link_run()
    assert run is not None
    stored_links = results.links_frame(run.run_id, 0.5)
    from_store = engine.series(threshold=0.5, links=stored_links).members
    pd.testing.assert_frame_equal(
        fresh.reset_index(drop=True), from_store.reset_index(drop=True), check_dtype=False
    )


def test_link_with_out_writes_the_same_columns_and_stores_the_run(db: str, tmp_path: Path) -> None:
    out = tmp_path / "links.csv"
    before = _results(db).count_link_runs()
    result = runner.invoke(app, ["link", "--db", db, "--out", str(out), "--explain"])
    assert result.exit_code == 0, result.output
    links = pd.read_csv(out)
    assert list(links.columns) == ["case_a", "case_b", "probability", "explanation"]
    results = _results(db)
    assert results.count_link_runs() == before + 1
    run = results.latest_link_run()
    assert run is not None and run.n_links == len(links)
    top = links.iloc[0]
    page, total = results.links_of(run.run_id, str(top["case_a"]), limit=5)
    assert total >= 1 and page[0].probability == pytest.approx(top["probability"], abs=1e-6)
    assert page[0].explanation == top["explanation"]
    strong = [link for link in page if link.probability >= 0.5]
    assert all(link.factors and link.factors[0]["multiplier"] > 0 for link in strong)


def test_series_from_a_links_file_or_a_named_run(db: str, tmp_path: Path) -> None:
    links = tmp_path / "links.csv"
    assert runner.invoke(app, ["link", "--db", db, "--out", str(links)]).exit_code == 0
    by_file = tmp_path / "a.csv"
    by_run = tmp_path / "b.csv"
    result = runner.invoke(
        app, ["series", "--db", db, "--links", str(links), "--out", str(by_file)]
    )
    assert result.exit_code == 0, result.output
    assert "(links: " in result.stdout and "links.csv)" in "".join(result.stdout.split())
    result = runner.invoke(app, ["series", "--db", db, "--run", "1", "--out", str(by_run)])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_csv(by_file), pd.read_csv(by_run))


def test_an_unknown_run_is_a_clean_error(db: str) -> None:
    result = runner.invoke(app, ["series", "--db", db, "--run", "99"])
    assert result.exit_code == 1
    assert "no finished link run 99" in result.stderr


def test_the_latest_run_is_of_the_same_cases_and_model(db: str) -> None:
    """A run is read only for the cases it linked (data fingerprint) and its model."""
    store = Store.open(db)
    results = Results(store.engine)
    run = results.latest_link_run()
    assert run is not None
    assert results.latest_link_run("0" * 64) is None
    assert results.latest_link_run(run.data_fingerprint, "f" * 64) is None


def test_pages_read_a_cases_links_and_a_series_from_the_stored_runs(db: str) -> None:
    store = Store.open(db)
    stored = StoredResults(Caselink(store))
    everyone = Scope.everything()
    run = stored.link_runs(1)[0]
    links = Results(store.engine).links_frame(run.run_id)
    top = links.iloc[0]
    page = stored.links_of(everyone, str(top["case_a"]), limit=2)
    assert page.items[0].other_case_id == top["case_b"]
    assert page.items[0].probability == pytest.approx(top["probability"])
    assert page.total == int(
        ((links["case_a"] == top["case_a"]) | (links["case_b"] == top["case_a"])).sum()
    )
    assert page.items[0].probability < 0.5 or page.items[0].factors
    with pytest.raises(NotFoundError):
        stored.links_of(Scope.nothing(), str(top["case_a"]))

    members = Results(store.engine).series_members(1)
    first = str(members["series_id"].iloc[0])
    view = stored.series(everyone, first)
    assert view.case_ids == members.loc[members["series_id"] == first, "case_id"].tolist()
    assert view.size == len(view.case_ids) and view.hidden_members == 0
    with pytest.raises(NotFoundError):
        stored.series(Scope.nothing(), first)
    with pytest.raises(NotFoundError):
        stored.series(everyone, "no-such-series")


def test_geoprofile_finds_a_series_in_a_series_file(db: str, tmp_path: Path) -> None:
    series_csv = tmp_path / "series.csv"
    pd.DataFrame({"case_id": ["C00001", "C00002", "C00003"], "series_id": ["F1"] * 3}).to_csv(
        series_csv, index=False
    )
    args = ["geoprofile", "--db", db, "--series", "F1", "--series-file", str(series_csv)]
    result = runner.invoke(app, [*args, "--cells", "30"])
    assert result.exit_code == 0, result.output
    (stored,) = _results(db).geoprofiles("F1")
    assert stored["case_ids"] == ["C00001", "C00002", "C00003"]
    assert stored["series_run_pk"] is None and stored["params"]["source"] == str(series_csv)


def test_prompts_read_the_newest_stored_run_as_its_files_would_give_it(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(app, ["link", "--db", db]).exit_code == 0
    assert runner.invoke(app, ["series", "--db", db]).exit_code == 0
    results = _results(db)
    run = max(r.run_id for r in results.link_runs())
    links, series = tmp_path / "links.csv", tmp_path / "series.csv"
    results.links_frame(run).to_csv(links, index=False)
    series_run = results.latest_series_run(run, 0.5)
    assert series_run is not None
    results.series_members(series_run).to_csv(series, index=False)

    monkeypatch.setattr(LinkageEngine, "link", _no_linking)
    monkeypatch.setattr(LinkageEngine, "link_chunks", _no_linking)
    stored_out, files_out = tmp_path / "stored.csv", tmp_path / "files.csv"
    stored = runner.invoke(app, ["prompts", "--db", db, "--dry-run", "--out", str(stored_out)])
    assert stored.exit_code == 0, stored.output
    assert f"links and series: stored link run {run}" in stored.stdout
    files = ["--links", str(links), "--series", str(series), "--out", str(files_out)]
    from_files = runner.invoke(app, ["prompts", "--db", db, "--dry-run", *files])
    assert from_files.exit_code == 0, from_files.output
    assert "links and series:" not in from_files.stdout
    assert stored_out.read_text() == files_out.read_text()
    assert len(pd.read_csv(stored_out)) > 0
