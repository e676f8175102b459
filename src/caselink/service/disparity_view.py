"""The disparity dashboard: the assurance audit (:func:`caselink.assurance.disparity_audit`)
over the caller's cases, per check and overall, with small counts suppressed.

Nothing is computed here that the audit does not compute: completion rate per
victim group with Wilson intervals, the Mantel-Haenszel odds ratio adjusted
for case type, Holm-corrected p-values over the whole report, time to first
action (Kaplan-Meier median, Cox hazard ratio) and the share of deaths
recorded non-suspicious. This module only chooses what may be shown: a
group's figures resting on fewer than :data:`SUPPRESS_BELOW` checks, or a group
of fewer than that many cases, are withheld (a rate of 1 of 3 can name the
victim), and it writes the
Vega-Lite specification of the charts (rendered in the browser with
``ast: true``: no eval). The audit is kept per store state and scope, since
it refits its models on every call.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from caselink.assurance import disparity_audit
from caselink.assurance.audit import AuditReport, Comparison
from caselink.service.caselink import Caselink
from caselink.service.scope import Scope, scoped
from caselink.store.tables import ActionRow, CaseRow

SUPPRESS_BELOW = 5
"""Counts below this are not shown, nor anything computed from them."""

NAMES = {
    "overall": "all required checks",
    "time_to_first_action": "time to first action",
    "non_suspicious_deaths": "deaths recorded non-suspicious",
}


@dataclass(frozen=True)
class GroupRow:
    """One victim group's figures for one check or outcome (None: suppressed or none)."""

    group: str
    n: int | None
    rate: float | None
    low: float | None
    high: float | None
    estimate: float | None
    est_low: float | None
    est_high: float | None
    p_value: float | None
    p_adjusted: float | None
    alarm: bool
    suppressed: bool
    reference: bool


@dataclass(frozen=True)
class DisparityRow:
    """A check or outcome, with its rows per group."""

    key: str
    name: str
    measure: str
    method: str
    groups: list[GroupRow]


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows."""

    reference: str
    by: str | None
    correction: str
    alpha: float
    as_of: str
    standard: str
    overall: DisparityRow
    checks: list[DisparityRow]
    outcomes: list[DisparityRow]
    excluded: dict[str, int]
    notes: list[str]
    summary: str
    """The audit's plain-language account (it quotes every group: shown only when no
    group's figures are withheld)."""
    cases: int

    def charts(self) -> dict[str, Any]:
        """Vega-Lite specifications: completion per check and group, with intervals."""
        rows = []
        for item in (self.overall, *self.checks):
            for g in item.groups:
                if g.rate is None:
                    continue
                rows.append(
                    {
                        "check": item.name,
                        "group": g.group,
                        "rate": round(g.rate, 4),
                        "low": g.low,
                        "high": g.high,
                        "n": g.n,
                    }
                )
        ratios = []
        for item in (self.overall, *self.checks, *self.outcomes):
            for g in item.groups:
                if g.estimate is None or g.est_low is None or g.est_high is None:
                    continue
                ratios.append(
                    {
                        "check": item.name,
                        "group": g.group,
                        "estimate": g.estimate,
                        "low": g.est_low,
                        "high": g.est_high,
                        "measure": item.measure.replace("_", " "),
                    }
                )
        schema = "https://vega.github.io/schema/vega-lite/v6.json"
        completion = {
            "$schema": schema,
            "description": "Completion rate per victim group with 95% intervals",
            "data": {"values": rows},
            "width": 420,
            "height": 26 * len({r["check"] for r in rows}),
            "encoding": {
                "y": {"field": "check", "type": "nominal", "title": None, "sort": None},
                "yOffset": {"field": "group"},
                "color": {"field": "group", "type": "nominal", "title": "victim group"},
            },
            "layer": [
                {
                    "mark": "rule",
                    "encoding": {
                        "x": {
                            "field": "low",
                            "type": "quantitative",
                            "title": "share completed",
                            "axis": {"format": "%"},
                            "scale": {"domain": [0, 1]},
                        },
                        "x2": {"field": "high"},
                    },
                },
                {
                    "mark": {"type": "point", "filled": True},
                    "encoding": {"x": {"field": "rate", "type": "quantitative"}},
                },
            ],
        }
        by_group = {
            "y": {"field": "check", "type": "nominal", "title": None, "sort": None},
            "yOffset": {"field": "group"},
            "color": {"field": "group", "type": "nominal", "title": "victim group"},
        }
        odds = {
            "$schema": schema,
            "description": f"Each group against {self.reference}, adjusted for {self.by}",
            "width": 420,
            "height": 26 * len({r["check"] for r in ratios}),
            "layer": [
                {
                    "data": {"values": ratios},
                    "mark": "rule",
                    "encoding": {
                        **by_group,
                        "x": {
                            "field": "low",
                            "type": "quantitative",
                            "title": f"odds or hazard ratio against {self.reference} (log)",
                            "scale": {"type": "log"},
                        },
                        "x2": {"field": "high"},
                    },
                },
                {
                    "data": {"values": ratios},
                    "mark": {"type": "point", "filled": True},
                    "encoding": {**by_group, "x": {"field": "estimate", "type": "quantitative"}},
                },
                {  # no difference: a ratio of 1 (its own data, so no group or check)
                    "data": {"values": [{"one": 1}]},
                    "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#888"},
                    "encoding": {"x": {"field": "one", "type": "quantitative"}},
                },
            ],
        }
        specs: dict[str, Any] = {}
        if rows:
            specs["completion"] = completion
        if ratios:
            specs["ratios"] = odds
        return specs

    @property
    def withheld(self) -> bool:
        """Whether any group's figures are withheld somewhere on the dashboard."""
        items = (self.overall, *self.checks, *self.outcomes)
        return any(g.suppressed for item in items for g in item.groups)


def _rows(report: AuditReport, comp: Comparison, key: str, sizes: dict[str, int]) -> DisparityRow:
    contrasts = {c.group: c for c in comp.contrasts}
    medians = comp.extra.get("median_hours", {}) if comp.measure == "hazard_ratio" else {}
    out = []
    for g in report.groups:
        n = comp.counts.get(g, 0)
        small = n < SUPPRESS_BELOW or sizes.get(g, 0) < SUPPRESS_BELOW
        con = contrasts.get(g)
        rate = medians.get(g) if medians else comp.rates.get(g)
        low, high = (None, None) if medians else comp.rate_ci.get(g, (None, None))
        alarm = bool(
            con is not None and con.p_adjusted is not None and con.p_adjusted < report.alpha
        )
        out.append(
            GroupRow(
                g,
                None if small else n,
                None if small else rate,
                None if small else low,
                None if small else high,
                None if small or con is None else con.estimate,
                None if small or con is None else con.ci[0],
                None if small or con is None else con.ci[1],
                None if small or con is None else con.p_value,
                None if small or con is None else con.p_adjusted,
                alarm and not small,
                small,
                g == report.reference,
            )
        )
    return DisparityRow(key, NAMES.get(comp.name, comp.name.replace("_", " ")), comp.measure,
                        comp.method, out)  # fmt: skip


def dashboard_of(report: AuditReport, cases: pd.DataFrame) -> Dashboard:
    """The dashboard of an audit report over ``cases``: a group's figures are withheld where
    they rest on fewer than :data:`SUPPRESS_BELOW` checks, or the group on fewer cases."""
    sizes = {str(k): int(v) for k, v in cases[report.group].astype(str).value_counts().items()}
    return Dashboard(
        report.reference,
        report.by,
        report.correction,
        report.alpha,
        report.as_of.date().isoformat(),
        f"{report.standard['name']} {report.standard['version']}",
        _rows(report, report.overall, "overall", sizes),
        [_rows(report, c, c.name, sizes) for c in report.checks],
        [_rows(report, c, c.name, sizes) for c in report.outcomes],
        report.excluded,
        report.notes,
        report.summary(),
        len(cases),
    )


_CACHE: dict[tuple[Any, ...], Dashboard] = {}
_LOCK = threading.Lock()


class DisparityService:
    """The dashboard over the cases a caller may see."""

    def __init__(self, service: Caselink) -> None:
        self.service = service
        self.store = service.store

    def _state(self, scope: Scope) -> tuple[Any, ...]:
        with self.store.engine.connect() as conn:
            cases = conn.execute(select(func.count(), func.max(CaseRow.import_seq))).one()
            actions = conn.execute(select(func.count(), func.max(ActionRow.seq))).one()
        forces = None if scope.forces is None else tuple(sorted(map(str, scope.forces)))
        return (str(self.store.engine.url), forces, scope.user_pk, tuple(cases), tuple(actions))

    def dashboard(self, scope: Scope) -> Dashboard:
        """The audit over the visible cases (ValueError when they hold fewer than two groups)."""
        key = self._state(scope)
        with _LOCK:
            if key in _CACHE:
                return _CACHE[key]
        with self.store.engine.connect() as conn:
            ids = {str(c) for (c,) in conn.execute(scoped(scope, select(CaseRow.case_id)))}
        cases = self.store.cases_frame()
        cases = cases[cases["case_id"].isin(ids)].reset_index(drop=True)
        actions = self.store.actions_frame()
        actions = actions[actions["case_id"].isin(ids)].reset_index(drop=True)
        report = disparity_audit(cases, actions, self.service.standard)
        result = dashboard_of(report, cases)
        with _LOCK:
            _CACHE[key] = result
        return result
