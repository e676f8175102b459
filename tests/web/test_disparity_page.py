"""The disparity dashboard: the assurance audit's own figures over the caller's cases, small
counts withheld, charts as Vega-Lite specifications; oversight and reviewers only; audited."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from caselink.assurance import default_standard, disparity_audit
from caselink.service import audit
from caselink.service.disparity_view import SUPPRESS_BELOW, dashboard_of
from caselink.synth import generate
from tests.web.conftest import Site
from tests.web.html import parse


@pytest.fixture(scope="module")
def borough() -> tuple[pd.DataFrame, pd.DataFrame]:
    data = generate(600, seed=11, start="2014-01-01", end="2015-12-31", area_side_km=8)
    return data.cases, data.actions


def test_the_dashboard_shows_the_audits_figures_and_withholds_small_counts(
    borough: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    cases, actions = borough
    report = disparity_audit(cases, actions, default_standard())
    board = dashboard_of(report, cases)
    sizes = cases["victim_group"].astype(str).value_counts()
    assert board.reference == report.reference and board.correction == "holm"
    shown = suppressed = 0
    for comp, row in zip(
        [report.overall, *report.checks, *report.outcomes],
        [board.overall, *board.checks, *board.outcomes],
        strict=True,
    ):
        contrasts = {c.group: c for c in comp.contrasts}
        for g in row.groups:
            n = comp.counts[g.group]
            if n < SUPPRESS_BELOW or sizes.get(g.group, 0) < SUPPRESS_BELOW:
                suppressed += 1
                assert g.suppressed and g.n is None and g.rate is None and g.estimate is None
                assert g.p_adjusted is None
                continue
            shown += 1
            assert g.n == n
            if comp.measure == "odds_ratio":
                assert g.rate == comp.rates[g.group]
                assert (g.low, g.high) == comp.rate_ci[g.group]
            else:
                assert g.rate == comp.extra["median_hours"][g.group]
            if g.group in contrasts:
                assert g.estimate == contrasts[g.group].estimate
                assert g.p_adjusted == contrasts[g.group].p_adjusted
    assert shown > 0 and suppressed > 0  # both paths were exercised
    assert board.withheld and board.summary == report.summary()
    assert set(board.charts()) == {"completion", "ratios"}
    values = board.charts()["completion"]["data"]["values"]
    assert values and all(v["n"] >= SUPPRESS_BELOW for v in values)
    assert {v["check"] for v in values} >= {"all required checks"}


def test_the_page_is_for_oversight_and_reviewers_scoped_and_audited(shared_site: Site) -> None:
    for role in ("viewer", "analyst", "admin"):
        assert shared_site.client(role).get("/disparity").status_code == 403
    doc = parse(shared_site.client("oversight").get("/disparity").text)
    assert "Over the 7 case(s) you may see" in doc.by_id("disparity-scope").text
    rows = {r[0]: r for r in doc.by_id("disparity-overall").rows()}
    # lgbt: 5 visible cases (N1-N3, S1, S2); general: 2 (N4, S3), withheld however many checks
    assert rows["general"][1] == "fewer than 5: not shown"
    assert rows["lgbt (reference)"][1].isdigit()
    specs = json.loads(doc.by_id("chart-specs").text)
    groups = {v["group"] for v in specs["completion"]["data"]["values"]}
    assert groups == {"lgbt"}  # the withheld group is not in the chart's data either
    assert set(specs) == {"completion"}  # no ratio can be shown: its only contrast is withheld
    summary = doc.by_id("disparity-summary").text
    assert "not shown" in summary and "general" not in summary
    reviewer = parse(shared_site.client("reviewer").get("/disparity").text)
    assert "Over the 4 case(s) you may see" in reviewer.by_id("disparity-scope").text
    reads = list(audit.entries(shared_site.store, action="disparity.read"))
    assert [r.actor for r in reads][-2:] == ["oversight", "reviewer"]
