"""Disparity audit: did some groups of victims get fewer checks, or slower ones?

For every required check (see :mod:`caselink.assurance.checks`) the outcome is
*completed* (state ``done``) or *not* (``not_done``, ``overdue``,
``missing``); checks still ``pending`` within their deadline are not yet
decided and are left out.

Contrast
    With more than two groups, each group is compared with a *reference*
    group: the largest group by number of cases unless one is given (in the
    synthetic and demo data this is ``general``). Cases with no group
    recorded are left out and counted.
Per check
    Completion rate per group with a Wilson 95% interval
    (``statsmodels.stats.proportion.proportion_confint``); for each group vs
    the reference, the Mantel–Haenszel pooled odds ratio across strata of the
    ``by`` column (case type by default) with its interval, and the
    Cochran–Mantel–Haenszel test of no association
    (``statsmodels.stats.contingency_tables.StratifiedTable``). Strata where
    one of the two groups or one of the two outcomes is absent carry no
    information and are dropped; strata with a zero cell get 0.5 added for
    the odds ratio and its interval (not for the test).
Overall
    All required checks together: a logistic regression of completion on
    group (treatment coding against the reference) and stratum (``by`` ×
    check), with standard errors clustered by case, because the checks of one
    case are not independent (``statsmodels`` GLM, Binomial family,
    ``cov_type="cluster"``).
Outcomes
    *Time to first action* (hours from the report to the first completed
    action, censored at ``as_of`` for cases with none): a Cox proportional
    hazards model stratified by ``by`` (``statsmodels`` PHReg); the effect is
    a hazard ratio (below 1: slower). *Share of deaths classified
    non-suspicious*: rates and the Mantel–Haenszel odds ratio as for a check.
Multiple comparisons
    Every p-value of the report (all checks, overall and outcomes, every
    contrast) forms one family, corrected with Holm's method by default
    (family-wise error rate) or Benjamini–Hochberg (``correction="fdr_bh"``,
    false discovery rate). A contrast raises an *alarm* when its adjusted
    p-value is below ``alpha``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from caselink.assurance.checks import _naive_utc, check_states
from caselink.assurance.prompts import DEATHS
from caselink.assurance.standard import Standard

CORRECTIONS: tuple[str, ...] = ("holm", "fdr_bh")
NON_SUSPICIOUS: tuple[str, ...] = ("non_suspicious", "not_suspicious")
"""Case ``status`` values (lower case, ``_`` for spaces) meaning classified non-suspicious."""


@dataclass
class Contrast:
    """One group compared with the reference group."""

    group: str
    estimate: float | None
    ci: tuple[float | None, float | None]
    p_value: float | None
    n: int
    p_adjusted: float | None = None

    def as_dict(self, measure: str, alpha: float) -> dict[str, Any]:
        """The JSON form; ``alarm`` is ``p_adjusted < alpha``."""
        return {
            "group": self.group,
            measure: self.estimate,
            "ci": list(self.ci),
            "p_value": self.p_value,
            "p_adjusted": self.p_adjusted,
            "alarm": self.p_adjusted is not None and self.p_adjusted < alpha,
            "n": self.n,
        }


@dataclass
class Comparison:
    """Rates per group and contrasts against the reference, for one check or outcome."""

    name: str
    measure: str  # "odds_ratio" or "hazard_ratio"
    rates: dict[str, float | None]
    rate_ci: dict[str, tuple[float | None, float | None]]
    counts: dict[str, int]
    contrasts: list[Contrast]
    method: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class AuditReport:
    """The result of :func:`disparity_audit`; :meth:`as_dict` is ``report.json``."""

    group: str
    by: str | None
    reference: str
    focus: str | None
    groups: list[str]
    correction: str
    alpha: float
    as_of: pd.Timestamp
    standard: dict[str, str]
    overall: Comparison
    checks: list[Comparison]
    outcomes: list[Comparison]
    excluded: dict[str, int]
    notes: list[str]

    def alarms(self) -> list[dict[str, Any]]:
        """Every contrast whose adjusted p-value is below ``alpha``."""
        out = []
        scoped = [("overall", self.overall)]
        scoped += [("check", c) for c in self.checks]
        scoped += [("outcome", c) for c in self.outcomes]
        for scope, comp in scoped:
            for con in comp.contrasts:
                if con.p_adjusted is not None and con.p_adjusted < self.alpha:
                    out.append(
                        {
                            "scope": scope,
                            "name": comp.name,
                            "group": con.group,
                            "measure": comp.measure,
                            "estimate": con.estimate,
                            "ci": list(con.ci),
                            "p_adjusted": con.p_adjusted,
                        }
                    )
        return out

    def _headline(self, comp: Comparison) -> dict[str, Any]:
        con = next((c for c in comp.contrasts if c.group == self.focus), None)
        if con is None:
            return {comp.measure: None, "ci": [None, None], "p_value": None, "p_adjusted": None}
        return {
            comp.measure: con.estimate,
            "ci": list(con.ci),
            "p_value": con.p_value,
            "p_adjusted": con.p_adjusted,
        }

    def _entry(self, comp: Comparison, key: str) -> dict[str, Any]:
        out: dict[str, Any] = {key: comp.name, "measure": comp.measure, "method": comp.method}
        out["rates"] = comp.rates
        out["rate_ci"] = {g: list(ci) for g, ci in comp.rate_ci.items()}
        out["n"] = comp.counts
        out.update(self._headline(comp))
        out["contrasts"] = [c.as_dict(comp.measure, self.alpha) for c in comp.contrasts]
        out.update(comp.extra)
        return out

    def as_dict(self) -> dict[str, Any]:
        """The documented ``report.json`` shape (see ``docs/assurance.md``)."""
        overall = self._entry(self.overall, "name")
        overall.pop("name")
        return {
            "group": self.group,
            "by": self.by,
            "reference": self.reference,
            "focus": self.focus,
            "groups": self.groups,
            "contrast": "each group vs the reference group",
            "correction": self.correction,
            "alpha": self.alpha,
            "as_of": self.as_of.isoformat(),
            "standard": self.standard,
            "overall": overall,
            "checks": [self._entry(c, "action") for c in self.checks],
            "outcomes": [self._entry(c, "outcome") for c in self.outcomes],
            "alarms": self.alarms(),
            "excluded": self.excluded,
            "notes": self.notes,
            "summary": self.summary(),
        }

    def summary(self) -> str:
        """A plain-language account of the audit, for a reader who is not a statistician."""
        return _summary(self)


def _num(x: Any) -> float | None:
    """A finite float for JSON, or None (NaN and infinities are not JSON)."""
    if x is None:
        return None
    v = float(x)
    return v if math.isfinite(v) else None


def _rate_table(
    outcome: pd.Series, groups: pd.Series, order: Sequence[str], alpha: float
) -> tuple[dict[str, float | None], dict[str, tuple[float | None, float | None]], dict[str, int]]:
    rates: dict[str, float | None] = {}
    cis: dict[str, tuple[float | None, float | None]] = {}
    counts: dict[str, int] = {}
    for g in order:
        y = outcome[groups == g]
        n, k = len(y), int(y.sum())
        counts[g] = n
        if n == 0:
            rates[g], cis[g] = None, (None, None)
            continue
        lo, hi = proportion_confint(k, n, alpha=alpha, method="wilson")
        rates[g], cis[g] = k / n, (_num(lo), _num(hi))
    return rates, cis, counts


def _mantel_haenszel(
    outcome: pd.Series, is_group: pd.Series, strata: pd.Series, alpha: float
) -> tuple[float | None, tuple[float | None, float | None], float | None]:
    """Pooled OR (group vs reference) over informative strata, its CI and the CMH p-value."""
    tables = []
    frame = pd.DataFrame({"y": outcome.astype(int), "g": is_group.astype(bool), "s": strata})
    for _, part in frame.groupby("s", sort=True, dropna=False):
        a = int(((part["g"]) & (part["y"] == 1)).sum())
        b = int(((part["g"]) & (part["y"] == 0)).sum())
        c = int(((~part["g"]) & (part["y"] == 1)).sum())
        d = int(((~part["g"]) & (part["y"] == 0)).sum())
        if a + b == 0 or c + d == 0 or a + c == 0 or b + d == 0:
            continue  # no information on the association in this stratum
        tables.append([[a, b], [c, d]])
    if not tables:
        return None, (None, None), None
    arr = np.asarray(tables, dtype=float).transpose(1, 2, 0)
    p = StratifiedTable(arr).test_null_odds(correction=True).pvalue
    shifted = StratifiedTable(arr, shift_zeros=True)
    lo, hi = shifted.oddsratio_pooled_confint(alpha=alpha)
    return _num(shifted.oddsratio_pooled), (_num(lo), _num(hi)), _num(p)


def _compare_binary(
    name: str,
    outcome: pd.Series,
    groups: pd.Series,
    strata: pd.Series,
    order: Sequence[str],
    reference: str,
    alpha: float,
    method: str,
) -> Comparison:
    rates, cis, counts = _rate_table(outcome, groups, order, alpha)
    contrasts = []
    for g in order:
        if g == reference:
            continue
        mask = groups.isin([g, reference])
        est, ci, p = _mantel_haenszel(outcome[mask], groups[mask] == g, strata[mask], alpha)
        contrasts.append(Contrast(g, est, ci, p, int((groups == g).sum())))
    return Comparison(name, "odds_ratio", rates, cis, counts, contrasts, method)


def _overall_logistic(
    data: pd.DataFrame, order: Sequence[str], reference: str, alpha: float, notes: list[str]
) -> list[Contrast]:
    """Logistic regression of completion on group + stratum, SEs clustered by case."""
    informative = data.groupby("stratum")["y"].transform(lambda y: 0 < y.mean() < 1)
    d = data[informative.astype(bool)]
    others = [g for g in order if g != reference]
    if d.empty or d["y"].nunique() < 2:
        return [Contrast(g, None, (None, None), None, int((data["g"] == g).sum())) for g in others]
    present = [g for g in others if (d["g"] == g).any()]
    x_group = pd.DataFrame({g: (d["g"] == g).astype(float) for g in present}, index=d.index)
    x_strata = pd.get_dummies(d["stratum"], prefix="s", drop_first=True, dtype=float)
    exog = pd.concat([pd.Series(1.0, index=d.index, name="const"), x_group, x_strata], axis=1)
    clusters = pd.factorize(d["case_id"])[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = sm.GLM(d["y"].astype(float), exog, family=sm.families.Binomial()).fit(
                cov_type="cluster", cov_kwds={"groups": clusters}
            )
        except (np.linalg.LinAlgError, ValueError) as exc:
            # too little data for the regression: fall back to Mantel-Haenszel over
            # (stratum x check), which does not allow for clustering within cases
            notes.append(
                f"overall logistic regression failed ({exc}); Mantel-Haenszel over "
                "stratum x check used instead (assumes independent checks)"
            )
            return [
                Contrast(
                    g,
                    *_mantel_haenszel(
                        data["y"][data["g"].isin([g, reference])],
                        data["g"][data["g"].isin([g, reference])] == g,
                        data["stratum"][data["g"].isin([g, reference])],
                        alpha,
                    ),
                    int((data["g"] == g).sum()),
                )
                for g in others
            ]
    for w in caught:
        notes.append(f"overall logistic regression: {w.category.__name__}: {w.message}")
    ci = fit.conf_int(alpha=alpha)
    out = []
    for g in others:
        n = int((data["g"] == g).sum())
        if g not in present:
            out.append(Contrast(g, None, (None, None), None, n))
            continue
        out.append(
            Contrast(
                g,
                _num(np.exp(fit.params[g])),
                (_num(np.exp(ci.loc[g, 0])), _num(np.exp(ci.loc[g, 1]))),
                _num(fit.pvalues[g]),
                n,
            )
        )
    return out


def _first_action_times(
    cases: pd.DataFrame, actions: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    start = cases["reported_at"].fillna(cases["occurred_from"])
    done = actions[(actions["status"] == "done") & actions["completed_at"].notna()]
    first = done.groupby("case_id")["completed_at"].min()
    t_first = cases["case_id"].map(first)
    event = t_first.notna() & (t_first <= as_of)
    end = t_first.where(event, as_of)
    # whole hours: finer precision means nothing here, and ties keep the Cox fit fast
    hours = ((end - start).dt.total_seconds() / 3600.0).round()
    return pd.DataFrame(
        {"case_id": cases["case_id"], "hours": hours.clip(lower=0.0), "event": event.astype(int)}
    )


def _compare_time_to_first(
    cases: pd.DataFrame,
    actions: pd.DataFrame,
    group: str,
    by: str | None,
    order: Sequence[str],
    reference: str,
    as_of: pd.Timestamp,
    alpha: float,
    notes: list[str],
) -> Comparison:
    times = _first_action_times(cases, actions, as_of)
    times["g"] = cases[group].to_numpy()
    times["s"] = cases[by].astype(str).to_numpy() if by else "all"
    times = times[times["hours"].notna()]
    medians: dict[str, float | None] = {}
    counts: dict[str, int] = {}
    for g in order:
        part = times[times["g"] == g]
        counts[g] = len(part)
        medians[g] = _km_median(part["hours"].to_numpy(), part["event"].to_numpy())
    contrasts = []
    for g in order:
        if g == reference:
            continue
        part = times[times["g"].isin([g, reference])]
        n = int((part["g"] == g).sum())
        if n == 0 or part["event"].sum() == 0:
            contrasts.append(Contrast(g, None, (None, None), None, n))
            continue
        exog = (part["g"] == g).astype(float).to_numpy()[:, None]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                fit = PHReg(
                    part["hours"].to_numpy(),
                    exog,
                    status=part["event"].to_numpy(),
                    strata=part["s"].to_numpy(),
                ).fit()
            except (np.linalg.LinAlgError, ValueError) as exc:
                notes.append(f"time to first action ({g}): Cox model failed: {exc}")
                contrasts.append(Contrast(g, None, (None, None), None, n))
                continue
        for w in caught:
            notes.append(f"time to first action ({g}): {w.category.__name__}: {w.message}")
        ci = np.asarray(fit.conf_int(alpha=alpha))[0]
        contrasts.append(
            Contrast(
                g,
                _num(np.exp(fit.params[0])),
                (_num(np.exp(ci[0])), _num(np.exp(ci[1]))),
                _num(fit.pvalues[0]),
                n,
            )
        )
    return Comparison(
        "time_to_first_action",
        "hazard_ratio",
        rates={},
        rate_ci={},
        counts=counts,
        contrasts=contrasts,
        method="Cox proportional hazards, stratified by " + (by or "nothing"),
        extra={"median_hours": medians},
    )


def _km_median(hours: np.ndarray, event: np.ndarray) -> float | None:
    """Kaplan–Meier median time (None when fewer than half have an event)."""
    if len(hours) == 0 or event.sum() == 0:
        return None
    sf = sm.SurvfuncRight(hours, event)
    below = np.nonzero(sf.surv_prob <= 0.5)[0]
    return _num(sf.surv_times[below[0]]) if len(below) else None


def _normal_status(value: Any) -> str:
    return str(value).strip().lower().replace(" ", "_").replace("-", "_") if value else ""


def disparity_audit(
    cases: pd.DataFrame,
    actions: pd.DataFrame,
    standard: Standard,
    group: str = "victim_group",
    by: str | None = "case_type",
    as_of: datetime | pd.Timestamp | str | None = None,
    reference: str | None = None,
    focus: str | None = None,
    correction: str = "holm",
    alpha: float = 0.05,
    non_suspicious: Sequence[str] = NON_SUSPICIOUS,
) -> AuditReport:
    """Compare the completion of required checks, and outcomes, between groups of victims.

    Parameters
    ----------
    cases, actions : DataFrame
        Cases and actions frames (:mod:`caselink.records.frames`).
    standard : Standard
        The checks each case type needs.
    group : str
        The cases column that defines the groups (e.g. ``victim_group``).
    by : str or None
        The cases column to control for (stratify by); ``None`` for none.
    as_of : datetime, optional
        When pending checks are judged overdue and time to first action is
        censored. Defaults to now.
    reference : str, optional
        The group every other group is compared with; default the largest.
    focus : str, optional
        The group whose contrast fills the headline fields (``odds_ratio``,
        ``ci``, ``p_value``, ``p_adjusted``) of ``overall`` and each check.
        Default: with two groups the non-reference one; otherwise the group
        with the smallest adjusted overall p-value. All contrasts are always
        listed under ``contrasts``.
    correction : {"holm", "fdr_bh"}
        Multiple-comparison correction over every p-value in the report.
    alpha : float
        Level of the intervals (1 - alpha) and of the alarms, in (0, 0.5).
    non_suspicious : sequence of str
        Case ``status`` values that mean the death was classified non-suspicious.

    Returns
    -------
    AuditReport

    Raises
    ------
    ValueError
        For an unknown column, group, correction, or an alpha out of range.
    """
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {', '.join(CORRECTIONS)}, got {correction!r}")
    if not 0.0 < alpha < 0.5:
        raise ValueError(f"alpha must be in (0, 0.5), got {alpha!r}")
    for col, what in ((group, "group"), (by, "by")):
        if col is not None and col not in cases.columns:
            raise ValueError(f"{what} column {col!r} is not a column of the cases frame")
    now = _naive_utc(as_of)
    notes: list[str] = []
    known = cases[cases[group].notna()].reset_index(drop=True)
    excluded = {"cases_without_group": int(len(cases) - len(known))}
    sizes = known[group].astype(str).value_counts()
    if len(sizes) < 2:
        raise ValueError(
            f"group column {group!r} has {len(sizes)} group(s) with data; at least two are needed"
        )
    order = sorted(sizes.index, key=lambda g: (-int(sizes[g]), g))
    if reference is None:
        reference = order[0]
    elif reference not in sizes.index:
        raise ValueError(f"reference group {reference!r} is not among {', '.join(order)}")
    order = [reference, *[g for g in order if g != reference]]
    known[group] = known[group].astype(str)

    states = check_states(known, actions, standard, now)
    excluded["checks_pending_not_due"] = int((states["state"] == "pending").sum())
    decided = states[states["state"] != "pending"].reset_index(drop=True)
    group_of = dict(zip(known["case_id"], known[group], strict=True))
    stratum_of = dict(zip(known["case_id"], known[by].astype(str), strict=True)) if by else None
    decided["g"] = decided["case_id"].map(group_of)
    decided["s"] = decided["case_id"].map(stratum_of) if stratum_of else "all"
    decided["y"] = (decided["state"] == "done").astype(int)
    decided["stratum"] = decided["s"].astype(str) + "|" + decided["action"].astype(str)

    by_text = f"stratified by {by}" if by else "unstratified"
    checks = [
        _compare_binary(
            str(action),
            part["y"],
            part["g"],
            part["s"],
            order,
            reference,
            alpha,
            f"Mantel-Haenszel odds ratio, CMH test, {by_text}",
        )
        for action, part in decided.groupby("action", sort=True)
    ]
    rates, cis, counts = _rate_table(decided["y"], decided["g"], order, alpha)
    overall = Comparison(
        "overall",
        "odds_ratio",
        rates,
        cis,
        counts,
        _overall_logistic(decided, order, reference, alpha, notes),
        "logistic regression on group + (stratum x check), SEs clustered by case",
    )

    outcomes = [
        _compare_time_to_first(known, actions, group, by, order, reference, now, alpha, notes)
    ]
    deaths = known[known["case_type"].isin(DEATHS)]
    if len(deaths):
        labels = {_normal_status(s) for s in non_suspicious}
        flagged = deaths["status"].map(_normal_status).isin(labels).astype(int)
        outcomes.append(
            _compare_binary(
                "non_suspicious_deaths",
                flagged.reset_index(drop=True),
                deaths[group].reset_index(drop=True),
                (
                    deaths[by].astype(str) if by else pd.Series("all", index=deaths.index)
                ).reset_index(drop=True),
                order,
                reference,
                alpha,
                f"Mantel-Haenszel odds ratio of being classified non-suspicious, {by_text}",
            )
        )

    everything = [overall, *checks, *outcomes]
    tested = [c for comp in everything for c in comp.contrasts if c.p_value is not None]
    if tested:
        adjusted = multipletests([c.p_value for c in tested], alpha=alpha, method=correction)[1]
        for c, q in zip(tested, adjusted, strict=True):
            c.p_adjusted = _num(q)

    if focus is None:
        if len(order) == 2:
            focus = order[1]
        else:
            with_p = [c for c in overall.contrasts if c.p_adjusted is not None]
            focus = min(with_p, key=lambda c: c.p_adjusted or 1.0).group if with_p else order[1]
    elif focus not in order or focus == reference:
        raise ValueError(f"focus group {focus!r} must be one of {', '.join(order[1:])}")

    return AuditReport(
        group=group,
        by=by,
        reference=reference,
        focus=focus,
        groups=order,
        correction=correction,
        alpha=alpha,
        as_of=now,
        standard={"name": standard.name, "version": standard.version},
        overall=overall,
        checks=checks,
        outcomes=outcomes,
        excluded=excluded,
        notes=notes,
    )


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def _p_text(p: float | None) -> str:
    if p is None:
        return "not testable"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _summary(report: AuditReport) -> str:
    ref = report.reference
    corr = {"holm": "Holm", "fdr_bh": "Benjamini-Hochberg"}[report.correction]
    lines = [
        f"Disparity audit by {report.group} (reference group: {ref}; "
        f"controlling for {report.by or 'nothing'}; {corr} correction over "
        f"all tests at level {report.alpha:g}; standard {report.standard['name']} "
        f"v{report.standard['version']}).",
        f"Overall, {_pct(report.overall.rates.get(ref))} of required checks were completed "
        f"for {ref} victims ({report.overall.counts.get(ref, 0)} checks).",
    ]
    for con in report.overall.contrasts:
        rate = _pct(report.overall.rates.get(con.group))
        if con.estimate is None:
            lines.append(f"- {con.group}: {rate} completed; no test possible.")
            continue
        flag = (
            "a significant shortfall"
            if con.p_adjusted is not None and con.p_adjusted < report.alpha and con.estimate < 1
            else "significantly more"
            if con.p_adjusted is not None and con.p_adjusted < report.alpha
            else "no significant difference"
        )
        lines.append(
            f"- {con.group}: {rate} completed, odds ratio {con.estimate:.2f} "
            f"(CI {con.ci[0] or 0:.2f}-{con.ci[1] or 0:.2f}), adjusted {_p_text(con.p_adjusted)}: "
            f"{flag}."
        )
    alarms = [a for a in report.alarms() if a["scope"] != "overall"]
    if alarms:
        lines.append("Significant differences in single checks or outcomes:")
        for a in alarms:
            est = a["estimate"]
            lines.append(
                f"- {a['name']} for {a['group']}: {a['measure'].replace('_', ' ')} "
                f"{est:.2f}, adjusted {_p_text(a['p_adjusted'])}."
            )
    else:
        lines.append("No single check or outcome differs significantly after correction.")
    lines.append(
        "An odds ratio below 1 means the group's checks were less often completed than the "
        "reference group's in cases of the same type; a hazard ratio below 1 means slower "
        "first action. A significant result is a reason to look, not proof of bias."
    )
    return "\n".join(lines)
