"""Replay raises, for each case, only what was knowable when it was recorded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from caselink.replay import ALERT_COLUMNS, ReplayResult, recording_order, replay, score_replay
from caselink.replay.walk import monthly_thresholds
from caselink.synth import generate


@pytest.fixture(scope="module")
def city() -> tuple[pd.DataFrame, object, pd.DataFrame]:
    data = generate(300, seed=5, start="2014-01-01", end="2014-06-30", area_side_km=8)
    return data.cases, data.schema, data.truth_cases


@pytest.fixture(scope="module")
def full(city: tuple[pd.DataFrame, object, pd.DataFrame]) -> ReplayResult:
    cases, schema, _ = city
    return replay(cases, schema, min_cases=30)  # type: ignore[arg-type]


def _keyed(alerts: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {
        (a, b): p
        for a, b, p in zip(
            alerts["case_id"], alerts["linked_case_id"], alerts["probability"], strict=True
        )
    }


def test_alerts_never_look_forward(
    city: tuple[pd.DataFrame, object, pd.DataFrame], full: ReplayResult
) -> None:
    cases, _, _ = city
    result = full
    assert list(result.alerts.columns) == ALERT_COLUMNS
    assert len(result.alerts) > 0
    order = recording_order(cases).set_index("case_id")["recorded_at"]
    assert (
        order.loc[result.alerts["linked_case_id"]].to_numpy()
        <= order.loc[result.alerts["case_id"]].to_numpy()
    ).all()
    assert (
        result.alerts["alerted_at"].to_numpy() == order.loc[result.alerts["case_id"]].to_numpy()
    ).all()


def test_later_cases_change_nothing_raised_before_them(
    city: tuple[pd.DataFrame, object, pd.DataFrame], full: ReplayResult
) -> None:
    """The prefix property: replaying only the first half gives exactly the alerts
    the full replay raised in the first half. It fails if a later case reached an
    earlier alert through the comparisons, the value frequencies or the model."""
    cases, schema, _ = city
    cut = pd.Timestamp("2014-04-01")
    early = cases[cases["reported_at"] < cut]
    part = replay(early, schema, min_cases=30)  # type: ignore[arg-type]
    full_early = full.alerts[full.alerts["alerted_at"] < cut]
    assert _keyed(part.alerts) == pytest.approx(_keyed(full_early), abs=1e-12)
    assert len(part.alerts) > 0


def test_a_planted_later_twin_alerts_only_when_it_arrives(
    city: tuple[pd.DataFrame, object, pd.DataFrame], full: ReplayResult
) -> None:
    cases, schema, _ = city
    ordered = recording_order(cases)
    early = ordered.iloc[60].drop(labels=["recorded_at"])
    twin = early.copy()
    twin["case_id"] = "ZLATER"
    twin["reported_at"] = ordered["recorded_at"].max() + pd.Timedelta(days=1)
    planted = pd.concat(
        [cases, twin.to_frame().T.astype(cases.dtypes.to_dict())], ignore_index=True
    )
    result = replay(planted, schema, min_cases=30)  # type: ignore[arg-type]
    pairs = set(zip(result.alerts["case_id"], result.alerts["linked_case_id"], strict=True))
    assert ("ZLATER", early["case_id"]) in pairs
    assert not any(linked == "ZLATER" for _, linked in pairs)
    # everything before the twin arrived is unchanged by it
    before = result.alerts[result.alerts["case_id"] != "ZLATER"]
    assert _keyed(before) == pytest.approx(_keyed(full.alerts), abs=1e-12)


def test_scoring_reads_truth_only_after_and_names_the_first_flag(
    city: tuple[pd.DataFrame, object, pd.DataFrame], full: ReplayResult
) -> None:
    cases, _, truth = city
    result = full
    score = score_replay(result.alerts, cases, truth, explain=result.explain)
    assert (
        list(score.months["month"]) == [f"2014-0{m}" for m in range(1, 7)] or len(score.months) >= 6
    )
    assert (
        score.months["alerts"]
        == score.months[["true_alerts", "false_alerts", "unverified_alerts"]].sum(axis=1)
    ).all()
    assert score.months["alerts"].sum() == len(result.alerts)
    flagged = score.series.dropna(subset=["flagged_case_id"])
    assert len(flagged) > 0
    assert (flagged["flagged_at_member"] >= 2).all()
    assert flagged["explanation"].str.len().gt(0).all()


def test_hand_made_scores() -> None:
    alerts = pd.DataFrame(
        {
            "alerted_at": pd.to_datetime(["2020-01-05", "2020-01-20", "2020-02-03"]),
            "case_id": ["B", "C", "D"],
            "linked_case_id": ["A", "A", "C"],
            "probability": [0.9, 0.8, 0.7],
        }
    )
    cases = pd.DataFrame(
        {
            "case_id": ["A", "B", "C", "D"],
            "reported_at": pd.to_datetime(["2020-01-01", "2020-01-05", "2020-01-20", "2020-02-03"]),
            "occurred_to": pd.to_datetime(["2020-01-01"] * 4),
        }
    )
    truth = pd.DataFrame({"case_id": ["A", "B", "C", "D"], "series_id": ["S1", "S1", None, None]})
    score = score_replay(alerts, cases, truth)
    # B~A is true (S1), C~A false, D~C false (two one-offs)
    assert score.months.to_dict("list") == {
        "month": ["2020-01", "2020-02"],
        "alerts": [2, 1],
        "true_alerts": [1, 0],
        "false_alerts": [1, 1],
        "unverified_alerts": [0, 0],
    }
    s1 = score.series.set_index("series_id").loc["S1"]
    assert (s1["flagged_case_id"], s1["flagged_at_member"]) == ("B", 2)
    assert score.false_alerts_per_month == 1.0
    assert score.precision == pytest.approx(1 / 3)
    assert score.flagged_by(2) == (1, 1)  # S1 (two cases) flagged by its 2nd
    assert score.flagged_by(3) == (0, 0)  # no series of three
    assert "series flagged by their 2nd case: 1 of 1" in score.summary_lines()


def test_the_workload_sets_each_months_threshold_from_earlier_months_only(
    city: tuple[pd.DataFrame, object, pd.DataFrame], full: ReplayResult
) -> None:
    assert full.alerts_per_1000 is not None and full.thresholds is not None
    assert "workload" in full.provenance
    same, thresholds = full.at_workload(full.alerts_per_1000)
    pd.testing.assert_frame_equal(same, full.alerts)
    pd.testing.assert_frame_equal(thresholds, full.thresholds)
    # each month's threshold is what the pairs scored before it give
    assert full.scored is not None
    for month, threshold in zip(thresholds["month"], thresholds["threshold"], strict=True):
        earlier = full.scored[full.scored["month_start"] < month]
        alone = monthly_thresholds(
            pd.concat([earlier, full.scored[full.scored["month_start"] == month]]),
            full.alerts_per_1000,
            full.min_cases,
        )
        assert alone["threshold"].iloc[-1] == pytest.approx(threshold, nan_ok=True)
    # no threshold (so no alert) before min_cases cases are known: no history to set it from
    early = thresholds["cases_known"] < full.min_cases
    assert thresholds.loc[early, "threshold"].isna().all()
    assert thresholds.loc[~early, "threshold"].between(0.05, 1).all()
    first = thresholds.loc[~early, "month"].min()
    assert (full.alerts["alerted_at"] >= first).all()
    # a larger workload lowers every month's threshold: its alerts include the smaller one's
    more, more_t = full.at_workload(4 * full.alerts_per_1000)
    assert (more_t.loc[~early, "threshold"] <= thresholds.loc[~early, "threshold"]).all()
    assert set(_keyed(full.alerts)) <= set(_keyed(more))
    assert len(more) > len(full.alerts)


def test_a_given_threshold_is_fixed_and_stated(
    city: tuple[pd.DataFrame, object, pd.DataFrame], full: ReplayResult
) -> None:
    cases, schema, _ = city
    fixed = replay(cases, schema, min_cases=30, threshold=0.5)  # type: ignore[arg-type]
    assert "fixed at p >= 0.5" in fixed.provenance and fixed.alerts_per_1000 is None
    assert (fixed.alerts["probability"] >= 0.5).all()
    assert full.scored is not None
    expected = full.scored[full.scored["probability"] >= 0.5]
    assert _keyed(fixed.alerts) == pytest.approx(_keyed(expected), abs=1e-12)


def test_cli_replay_states_the_workload_threshold_and_what_it_flagged(tmp_path: Path) -> None:
    from caselink.cli import alerts as alerts_cli
    from caselink.store import Store
    from caselink.synth import write

    folder = tmp_path / "city"
    write(generate(200, seed=5, start="2014-01-01", end="2014-04-30", area_side_km=6), folder)
    db = f"sqlite:///{tmp_path / 'r.db'}"
    store = Store.open(db)
    store.import_files(folder / "cases.csv", schema=folder / "schema.yaml")
    store.close()
    app = typer.Typer()
    alerts_cli.register(app)
    out = tmp_path / "alerts.csv"
    result = CliRunner().invoke(
        app,
        ["replay", "--db", db, "--out", str(out), "--alerts-per-1000-cases", "30",
         "--truth", str(folder / "truth_cases.csv")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = (tmp_path / "alerts.summary.txt").read_text()
    assert "workload of 30 alerts per 1,000 cases" in summary
    assert "series flagged by their 2nd case:" in summary
    assert "series flagged by their 3rd case:" in summary
    assert "alert precision:" in summary
    thresholds = pd.read_csv(tmp_path / "alerts.thresholds.csv")
    assert list(thresholds.columns) == ["month", "cases_known", "pairs_scored", "threshold"]
    known = thresholds["cases_known"] >= 50
    assert thresholds.loc[known, "threshold"].between(0.05, 1).all()
    assert thresholds.loc[~known, "threshold"].isna().all()
    assert list(pd.read_csv(out).columns) == ALERT_COLUMNS


def test_no_threshold_before_enough_cases_are_known() -> None:
    months = pd.to_datetime(["2020-01-01", "2020-01-01", "2020-02-01", "2020-03-01"])
    scored = pd.DataFrame(
        {
            "alerted_at": months + pd.Timedelta(days=3),
            "case_id": ["B", "C", "D", "E"],
            "linked_case_id": ["A", "A", "B", "C"],
            "probability": [0.9, 0.2, 0.6, 0.95],
            "month_start": months,
            "cases_known": [0, 0, 60, 120],
        }
    )
    thresholds = monthly_thresholds(scored, 10, min_cases=50)
    # January: nothing known before it, no threshold (not the floor: that alerted every pair)
    assert pd.isna(thresholds["threshold"].iloc[0])
    # February: 60 known, 0.6 allowed -> the strongest earlier pair; March: 1.2 -> the same
    assert list(thresholds["threshold"].iloc[1:]) == [0.9, 0.9]


def test_with_a_given_model_later_cases_change_nothing_and_progress_reaches_the_end(
    city: tuple[pd.DataFrame, object, pd.DataFrame],
) -> None:
    """With a trained model the walk scores pairs in batches across months:
    the prefix property must hold all the same (the rarity of values read
    when each case arrived, not when its batch was scored)."""
    from caselink.linkage.engine import LinkageEngine

    cases, schema, _ = city
    model = LinkageEngine(cases, schema).model  # type: ignore[arg-type]
    seen: list[tuple[int, int]] = []
    whole = replay(cases, schema, model, threshold=0.05, progress=lambda d, t: seen.append((d, t)))  # type: ignore[arg-type]
    cut = pd.Timestamp("2014-04-01")
    part = replay(cases[cases["reported_at"] < cut], schema, model, threshold=0.05)  # type: ignore[arg-type]
    early = whole.alerts[whole.alerts["alerted_at"] < cut]
    assert len(part.alerts) > 20
    assert _keyed(part.alerts) == pytest.approx(_keyed(early), abs=1e-12)
    assert seen[0] == (0, len(cases)) and seen[-1] == (len(cases), len(cases))
    # the evidence is weighed when asked for, by the model that scored the pair
    a, b = early["case_id"].iloc[0], early["linked_case_id"].iloc[0]
    assert "x" in whole.explain(a, b)
