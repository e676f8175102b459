"""The calibration page: the alerting model's reliability and the workload trade-off, both
measured on the stored replay (out of time; truth read only to measure); supervisors only."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from caselink.replay import replay, score_replay
from caselink.service import audit
from caselink.service.calibration_view import WORKLOADS, calibration_summary
from caselink.synth import generate
from tests.web.conftest import Site
from tests.web.html import parse
from tests.web.test_replay_page import walked  # noqa: F401  (fixture: the site's walk stored)


@pytest.fixture(scope="module")
def walk() -> tuple[object, pd.DataFrame]:
    data = generate(300, seed=5, start="2014-01-01", end="2014-06-30", area_side_km=8)
    cases = data.cases.merge(
        data.truth_cases[["case_id", "offender_id"]].rename(columns={"offender_id": "truth"}),
        on="case_id",
    )
    # the replay reads no outcome; the solved cases' offender is the truth the page measures by
    cases["offender_id"] = cases["truth"]
    return replay(cases.drop(columns=["truth"]), data.schema, min_cases=30), cases


def test_the_trade_off_is_the_same_walk_at_each_workload(walk: tuple[object, pd.DataFrame]) -> None:
    result, cases = walk
    summary = calibration_summary(result, cases)  # type: ignore[arg-type]
    rows = summary["tradeoff"]
    assert [r["workload"] for r in rows] == list(WORKLOADS)
    assert [r["alerts"] for r in rows] == sorted(
        r["alerts"] for r in rows
    )  # more asked, more raised
    forty = next(r for r in rows if r["workload"] == 40.0)
    alerts, _ = result.at_workload(40.0)  # type: ignore[attr-defined]
    score = score_replay(alerts, cases, cases[["case_id", "offender_id"]])
    by2, n2 = score.flagged_by(2)
    assert forty["alerts"] == len(alerts) and forty["series"] == n2 > 0
    assert forty["flagged_by_2nd"] == pytest.approx(by2 / n2)
    points = summary["reliability"]
    assert 2 <= len(points) <= 10 and summary["pairs_labelled"] > 0
    assert all(0 <= p["observed"] <= 1 and 0.05 <= p["predicted"] <= 1 for p in points)
    assert [p["predicted"] for p in points] == sorted(p["predicted"] for p in points)


def test_the_page_names_the_model_and_is_for_supervisors(shared_site: Site) -> None:
    for role in ("viewer", "analyst", "admin"):
        assert shared_site.client(role).get("/calibration").status_code == 403
    doc = parse(shared_site.client("reviewer").get("/calibration").text)
    assert "default model (no labels) re-fitted" in doc.by_id("calibration-model").text
    assert "7 case(s) stored" in doc.by_id("calibration-provenance").text
    rows = doc.by_id("calibration-tradeoff").rows()
    assert [r[0] for r in rows][3] == "40 (in use)"
    assert json.loads(doc.by_id("chart-specs").text) == {}  # 7 cases: nothing to plot
    reads = list(audit.entries(shared_site.store, action="calibration.read"))
    assert reads and reads[-1].actor == "reviewer"
