"""Killing an add mid-way leaves no alert without its case and no case silently
unscored; the CLI commands of the issue."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import typer
from typer.testing import CliRunner

from caselink.alerts import forget_warm_state, linkage_states, list_alerts
from caselink.cli import alerts as alerts_cli
from caselink.records.model import Case
from caselink.store import Store

SCRIPT = textwrap.dedent(
    """
    import sys, time
    from caselink.alerts import add_cases
    from caselink.records.csv_format import read_cases
    from caselink.records.schema_file import load_schema
    from caselink.store import Store

    db, cases_csv, schema, kill_at = sys.argv[1:5]
    store = Store.open(db)
    records = read_cases(__import__("pathlib").Path(cases_csv), load_schema(
        __import__("pathlib").Path(schema)))[0].records
    chunks = []

    def on_stage(stage, ids):
        chunks.append(stage)
        if stage == kill_at:
            print("READY", flush=True)
            time.sleep(120)   # killed here

    add_cases(store, records, on_stage=on_stage, chunk=1)
    print("DONE", flush=True)
    """
)


def _app() -> typer.Typer:
    app = typer.Typer()
    alerts_cli.register(app)
    return app


def _kill_mid_add(db: Path, cases_csv: Path, schema: Path, stage: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, f"sqlite:///{db}", str(cases_csv), str(schema), stage],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "READY"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def _later_csv(tmp_path: Path, city: Path, later: list[Case]) -> Path:
    keep = {c.case_id for c in later[:4]}
    out = tmp_path / "later.csv"
    lines = (city / "cases.csv").read_text(encoding="utf-8").splitlines()
    out.write_text(
        "\n".join([lines[0], *(ln for ln in lines[1:] if ln.split(",")[0] in keep)]) + "\n",
        encoding="utf-8",
    )
    return out


def test_sigkill_after_store_before_scoring_leaves_pending_cases_that_are_then_scored(
    store: Store, tmp_path: Path, city: Path, later: list[Case]
) -> None:
    db = Path(str(store.engine.url.database))
    before = len(list_alerts(store))
    _kill_mid_add(db, _later_csv(tmp_path, city, later), city / "schema.yaml", "stored")
    states = linkage_states(store).set_index("case_id")["linkage_state"]
    new_ids = [c.case_id for c in later[:4]]
    assert (states.loc[new_ids] == "pending").all()  # stored, visibly not yet scored
    assert len(list_alerts(store)) == before  # no alert was written
    result = CliRunner().invoke(
        _app(), ["rescore-pending", "--db", f"sqlite:///{db}", "--threshold", "0.5"]
    )
    assert result.exit_code == 0, result.output
    assert "scored 4 pending case(s)" in result.output
    states = linkage_states(store).set_index("case_id")["linkage_state"]
    assert (states == "scored").all()
    alerts = list_alerts(store)
    assert len(alerts) > before
    assert set(alerts["case_id"]) | set(alerts["linked_case_id"]) <= set(states.index)


def test_sigkill_between_chunks_keeps_alerts_with_their_scored_case(
    store: Store, tmp_path: Path, city: Path, later: list[Case]
) -> None:
    db = Path(str(store.engine.url.database))
    _kill_mid_add(db, _later_csv(tmp_path, city, later), city / "schema.yaml", "scored")
    states = linkage_states(store).set_index("case_id")["linkage_state"]
    new_ids = [c.case_id for c in later[:4]]
    assert list(states.loc[new_ids]) == ["scored", "pending", "pending", "pending"]
    alerts = list_alerts(store)
    pending = set(new_ids[1:])
    assert not (set(alerts["case_id"]) & pending)  # no alert of an unscored case
    # the next add sweeps the pending cases automatically
    forget_warm_state()
    one = tmp_path / "one.json"
    one.write_text(json.dumps(_json_case(later[5])), encoding="utf-8")
    result = CliRunner().invoke(_app(), ["add", "--db", f"sqlite:///{db}", str(one)])
    assert result.exit_code == 0, result.output
    assert "scored 3 case(s) left pending" in result.output
    assert (linkage_states(store)["linkage_state"] == "scored").all()


def _json_case(case: Case) -> dict[str, object]:
    data = case.model_dump(mode="json")
    attrs = data.pop("attributes")
    data.update(attrs)
    data["people"] = [{"role": "finder", "name": "Ann Walker"}]
    data["actions"] = [{"action": "toxicology", "status": "done"}]
    return data


def test_cli_add_json_lists_and_reviews_alerts(
    store: Store, tmp_path: Path, later: list[Case]
) -> None:
    db = f"sqlite:///{store.engine.url.database}"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(_json_case(later[8])), encoding="utf-8")
    result = CliRunner().invoke(_app(), ["add", "--db", db, str(path), "--threshold", "0.5"])
    assert result.exit_code == 0, result.output
    assert "stored 1 case(s)" in result.output
    assert "ALERT" in result.output
    assert store.mentions_frame()["name"].eq("Ann Walker").any()
    new = list_alerts(store, status="new")
    listing = CliRunner().invoke(_app(), ["alerts", "--db", db, "--status", "new"])
    assert listing.exit_code == 0 and f"{len(new)} alert(s)" in listing.output
    alert_id = str(int(new.iloc[0]["alert_id"]))
    review = CliRunner().invoke(
        _app(),
        ["alert-review", "--db", db, alert_id, "--status", "dismissed", "--by", "DC Lee",
         "--note", "same pub, different people"],
    )  # fmt: skip
    assert review.exit_code == 0, review.output
    assert int(alert_id) in set(list_alerts(store, status="dismissed")["alert_id"])
    bad = CliRunner().invoke(
        _app(), ["alert-review", "--db", db, alert_id, "--status", "x", "--by", "a", "--note", "b"]
    )
    assert bad.exit_code == 1 and "status must be one of reviewed, dismissed" in bad.output


def test_cli_add_rejects_a_bad_json_case_naming_the_field(store: Store, tmp_path: Path) -> None:
    db = f"sqlite:///{store.engine.url.database}"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"case_id": "X1", "case_type": "theft", "lat": 95,
                                "lon": 0.1, "occurred_from": "2015-01-01", "colour": "red"}))  # fmt: skip
    result = CliRunner().invoke(_app(), ["add", "--db", db, str(path)])
    assert result.exit_code == 1
    assert "colour" in result.output
