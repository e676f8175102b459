"""Disparity audit: hand-computed effects, stratification, and no crying wolf."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from caselink.assurance.audit import disparity_audit
from caselink.assurance.calibration import biased_frames
from caselink.assurance.plots import plot_audit
from caselink.assurance.standard import default_standard, parse_standard
from tests.assurance.builders import case, make_actions, make_cases

ONE_CHECK = parse_standard(
    {
        "name": "one",
        "version": "1",
        "case_types": {
            "theft": [{"action": "cctv", "within_days": 1}],
            "robbery": [{"action": "cctv", "within_days": 1}],
        },
    }
)


def _frames(spec: list[tuple[str, str, int, int]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cases with one cctv check each: (case_type, group, n_done, n_not_done)."""
    rows, acts, i = [], [], 0
    for ctype, group, done, not_done in spec:
        for k in range(done + not_done):
            cid = f"C{i:04d}"
            i += 1
            rows.append(case(cid, ctype, "2015-01-01", victim_group=group))
            acts.append(
                {
                    "case_id": cid,
                    "action": "cctv",
                    "status": "done" if k < done else "not_done",
                    "completed_at": "2015-01-01 05:00" if k < done else None,
                }
            )
    return make_cases(rows), make_actions(acts)


def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_single_stratum_odds_ratio_and_wilson_interval_by_hand() -> None:
    # lgbt: 3 of 4 done; general: 2 of 4 done -> odds ratio (3*2)/(1*2) = 3
    cases, actions = _frames([("theft", "lgbt", 3, 1), ("theft", "general", 2, 2)])
    report = disparity_audit(cases, actions, ONE_CHECK, as_of="2016-01-01", reference="general")
    check = report.as_dict()["checks"][0]
    assert check["action"] == "cctv"
    assert check["rates"] == {"general": 0.5, "lgbt": 0.75}
    lo, hi = _wilson(3, 4)
    assert check["rate_ci"]["lgbt"] == pytest.approx([lo, hi])
    assert check["odds_ratio"] == pytest.approx(3.0)
    assert 0.0 < check["p_value"] <= 1.0


def test_stratifying_by_case_type_removes_a_confounded_difference() -> None:
    # Same completion within each case type (theft 80%, robbery 20%), but lgbt
    # cases are mostly thefts: crude rates 60% vs 32%, stratified odds ratio exactly 1.
    spec = [
        ("theft", "lgbt", 8, 2),
        ("theft", "general", 4, 1),
        ("robbery", "lgbt", 1, 4),
        ("robbery", "general", 4, 16),
    ]
    cases, actions = _frames(spec)
    report = disparity_audit(cases, actions, ONE_CHECK, as_of="2016-01-01").as_dict()
    check = report["checks"][0]
    assert check["rates"]["lgbt"] == pytest.approx(9 / 15)
    assert check["rates"]["general"] == pytest.approx(8 / 25)
    assert check["odds_ratio"] == pytest.approx(1.0)
    assert check["p_value"] > 0.5
    unstratified = disparity_audit(cases, actions, ONE_CHECK, as_of="2016-01-01", by=None)
    assert unstratified.as_dict()["checks"][0]["odds_ratio"] == pytest.approx((9 * 17) / (6 * 8))


def test_report_shape_is_the_documented_json() -> None:
    std = default_standard()
    cases, actions = biased_frames(std, n_cases=400, seed=3)
    report = disparity_audit(cases, actions, std, as_of="2016-03-01")
    data = json.loads(json.dumps(report.as_dict(), allow_nan=False))
    assert data["group"] == "victim_group" and data["reference"] == "general"
    for key in ("odds_ratio", "ci", "p_value", "p_adjusted", "rates", "contrasts"):
        assert key in data["overall"]
    assert {c["action"] for c in data["checks"]} >= {"toxicology", "cctv"}
    for c in data["checks"]:
        assert set(c["rates"]) == set(data["groups"])
        assert len(c["ci"]) == 2
    assert {o["outcome"] for o in data["outcomes"]} == {
        "time_to_first_action",
        "non_suspicious_deaths",
    }
    assert data["correction"] == "holm"
    assert "reference group: general" in data["summary"]


def _alarms(seed: int, bias: dict[str, float] | None, n: int = 1500) -> list[dict[str, object]]:
    std = default_standard()
    cases, actions = biased_frames(std, n_cases=n, seed=seed, check_bias=bias)
    return disparity_audit(cases, actions, std, as_of="2016-03-01").alarms()


def test_quiet_without_a_difference() -> None:
    # confounded by case type and with correlated checks within a case, but no bias
    assert _alarms(11, None, n=1000) == []


@pytest.mark.slow
def test_false_alarm_rate_over_seeds_is_at_most_about_alpha() -> None:
    # Holm controls the family-wise error at 0.05: about 1 audit in 20 may alarm.
    # 10 audits: P(3 or more alarms | rate 0.05) = 0.012; we allow 2.
    # (benchmarks/assurance_calibration.py measures the rate over more seeds)
    alarmed = sum(bool(_alarms(100 + s, None, n=800)) for s in range(10))
    assert alarmed <= 2


def test_finds_a_real_difference_and_only_for_that_group() -> None:
    std = default_standard()
    cases, actions = biased_frames(std, n_cases=1500, seed=5, check_bias={"lgbt": 0.5})
    report = disparity_audit(cases, actions, std, as_of="2016-03-01")
    overall = report.as_dict()["overall"]
    assert report.focus == "lgbt"
    assert overall["p_adjusted"] < 0.05
    assert overall["ci"][0] < 0.5 < overall["ci"][1] or 0.35 < overall["odds_ratio"] < 0.65
    others = [c for c in overall["contrasts"] if c["group"] != "lgbt"]
    assert not any(c["alarm"] for c in others)


def test_synth_generator_bias_is_found_and_its_absence_is_quiet() -> None:
    synth = pytest.importorskip("caselink.synth")
    std = default_standard()
    biased = synth.generate(2000, seed=2, check_bias={"lgbt": 0.5})
    report = disparity_audit(biased.cases, biased.actions, std, as_of="2017-06-01")
    lgbt = next(c for c in report.overall.contrasts if c.group == "lgbt")
    assert lgbt.p_adjusted is not None and lgbt.p_adjusted < 0.05
    assert lgbt.estimate is not None and 0.35 < lgbt.estimate < 0.7
    fair = synth.generate(2000, seed=2)
    assert disparity_audit(fair.cases, fair.actions, std, as_of="2017-06-01").alarms() == []


def test_plot_is_a_png(tmp_path: Path) -> None:
    std = default_standard()
    cases, actions = biased_frames(std, n_cases=400, seed=1, check_bias={"lgbt": 0.5})
    path = plot_audit(disparity_audit(cases, actions, std, as_of="2016-03-01"), tmp_path / "a.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_parameters_name_the_parameter_and_value() -> None:
    cases, actions = _frames([("theft", "lgbt", 3, 1), ("theft", "general", 2, 2)])
    with pytest.raises(ValueError, match="correction must be one of holm, fdr_bh, got 'bonf'"):
        disparity_audit(cases, actions, ONE_CHECK, correction="bonf")
    with pytest.raises(ValueError, match="alpha must be in"):
        disparity_audit(cases, actions, ONE_CHECK, alpha=0.7)
    with pytest.raises(ValueError, match="group column 'colour'"):
        disparity_audit(cases, actions, ONE_CHECK, group="colour")
    with pytest.raises(ValueError, match="reference group 'x'"):
        disparity_audit(cases, actions, ONE_CHECK, reference="x")
    one_group, acts = _frames([("theft", "general", 2, 2)])
    with pytest.raises(ValueError, match="at least two are needed"):
        disparity_audit(one_group, acts, ONE_CHECK)


@pytest.mark.parametrize("n_done", [3, 7, 10, 13, 40])
def test_plot_draws_a_group_that_completed_every_check(tmp_path: Path, n_done: int) -> None:
    # A rate of 1 has a Wilson upper bound that rounds a hair below 1 for some n; the error bar
    # above the point must then be drawn as zero, not refused as negative.
    cases, actions = _frames([("theft", "A", n_done, 0), ("theft", "B", 3, 4)])
    report = disparity_audit(cases, actions, ONE_CHECK, as_of="2015-06-01")
    path = plot_audit(report, tmp_path / f"full-{n_done}.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
