"""Scoring a replay AFTER it ran, against the truth: when was each series flagged,
and how many false alerts would an analyst have read each month.

The truth (``offender_id`` of solved cases, or the synthetic generator's
``truth_cases.csv``) is read only here, never by the walk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

SERIES_COLUMNS = [
    "series_id",
    "size",
    "first_flagged_at",
    "flagged_case_id",
    "linked_case_id",
    "flagged_at_member",
    "probability",
    "explanation",
]
MONTH_COLUMNS = ["month", "alerts", "true_alerts", "false_alerts", "unverified_alerts"]


@dataclass
class ReplayScore:
    """Per true series, when it was first flagged; per month, true and false alerts."""

    series: pd.DataFrame
    months: pd.DataFrame

    @property
    def false_alerts_per_month(self) -> float:
        """Mean false alerts per month over the replayed months."""
        return float(self.months["false_alerts"].mean()) if len(self.months) else 0.0

    @property
    def precision(self) -> float:
        """Share of the verifiable alerts (both cases labelled) that are true; NaN without any."""
        true = int(self.months["true_alerts"].sum())
        false = int(self.months["false_alerts"].sum())
        return true / (true + false) if true + false else float("nan")

    def flagged_by(self, member: int) -> tuple[int, int]:
        """(series flagged by their ``member``-th case, series of at least
        ``member`` cases): e.g. ``flagged_by(3)`` counts the series of three or
        more whose first alert came with their 2nd or 3rd case."""
        eligible = self.series[self.series["size"] >= member]
        hit = eligible["flagged_at_member"].notna() & (
            eligible["flagged_at_member"].fillna(10**9) <= member
        )
        return int(hit.sum()), len(eligible)

    def summary_lines(self) -> list[str]:
        """Series flagged by their 2nd and 3rd case, and alert precision, in words."""
        by2, n2 = self.flagged_by(2)
        by3, n3 = self.flagged_by(3)
        true = int(self.months["true_alerts"].sum())
        false = int(self.months["false_alerts"].sum())
        precision = f"{self.precision:.2f}" if true + false else "n/a"
        return [
            f"series flagged by their 2nd case: {by2} of {n2}",
            f"series flagged by their 3rd case: {by3} of {n3} (of those with 3 or more cases)",
            f"alert precision: {precision} ({true} true, {false} false; "
            f"{int(self.months['unverified_alerts'].sum())} unverified)",
        ]


def truth_labels(truth: pd.DataFrame) -> pd.Series:
    """case_id -> group label: ``series_id`` when given (one-off cases get their
    own label), else ``offender_id``; cases without either are unlabelled."""
    frame = truth.copy()
    frame["case_id"] = frame["case_id"].astype(str)
    if "series_id" in frame.columns:
        label = frame["series_id"].where(frame["series_id"].notna(), "one-off:" + frame["case_id"])
    elif "offender_id" in frame.columns:
        label = frame["offender_id"]
    else:
        raise ValueError("truth must have a series_id or offender_id column")
    return pd.Series(label.to_numpy(), index=frame["case_id"].to_numpy()).dropna()


def score_replay(
    alerts: pd.DataFrame,
    cases: pd.DataFrame,
    truth: pd.DataFrame,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    explain: Callable[[str, str], str] | None = None,
) -> ReplayScore:
    """Score replay alerts against the truth.

    Parameters
    ----------
    alerts
        Replay alerts (``alerted_at, case_id, linked_case_id, probability``
        [, ``explanation``]).
    cases
        The cases frame replayed (recording order from ``reported_at``).
    truth
        ``case_id`` with ``series_id`` or ``offender_id``.
    start, end
        The months counted (default: the months of the recorded cases).
    explain
        ``explain(case_id, linked_case_id)`` -> evidence text (e.g.
        :meth:`caselink.replay.walk.ReplayResult.explain`), for the first flag.

    Returns
    -------
    ReplayScore
        ``series``: one row per true series of two or more cases
        (:data:`SERIES_COLUMNS`; not-flagged series have empty flag fields);
        ``months``: :data:`MONTH_COLUMNS`, one row per month.
    """
    label = truth_labels(truth)
    recorded = cases["reported_at"].fillna(cases["occurred_to"])
    order = pd.Series(recorded.to_numpy(), index=cases["case_id"].astype(str).to_numpy())
    a = alerts["case_id"].map(label)
    b = alerts["linked_case_id"].map(label)
    verdict = pd.Series("unverified", index=alerts.index)
    both = a.notna() & b.notna()
    verdict[both & (a == b)] = "true"
    verdict[both & (a != b)] = "false"
    rows = []
    members = label[label.index.isin(order.index)]
    groups = members.groupby(members.to_numpy()).groups
    for name, ids in sorted(groups.items(), key=lambda kv: str(kv[0])):
        if len(ids) < 2 or str(name).startswith("one-off:"):
            continue
        ranked = order.loc[list(ids)].sort_values(kind="stable")
        rank = {cid: i + 1 for i, cid in enumerate(ranked.index)}
        hits = alerts[alerts["case_id"].isin(rank) & alerts["linked_case_id"].isin(rank)]
        if len(hits):
            h = hits.iloc[0]
            rows.append(
                [
                    str(name),
                    len(ids),
                    h["alerted_at"],
                    h["case_id"],
                    h["linked_case_id"],
                    rank[h["case_id"]],
                    float(h["probability"]),
                    explain(h["case_id"], h["linked_case_id"]) if explain else "",
                ]
            )
        else:
            rows.append([str(name), len(ids), pd.NaT, None, None, None, None, None])
    series = pd.DataFrame(rows, columns=SERIES_COLUMNS)
    lo = pd.Timestamp(start) if start is not None else recorded.min()
    hi = pd.Timestamp(end) if end is not None else recorded.max()
    months = pd.period_range(lo, hi, freq="M") if pd.notna(lo) else pd.PeriodIndex([], freq="M")
    month_of = pd.to_datetime(alerts["alerted_at"]).dt.to_period("M")
    table = []
    for m in months:
        sel = month_of == m
        table.append(
            [
                str(m),
                int(sel.sum()),
                int((sel & (verdict == "true")).sum()),
                int((sel & (verdict == "false")).sum()),
                int((sel & (verdict == "unverified")).sum()),
            ]
        )
    return ReplayScore(series, pd.DataFrame(table, columns=MONTH_COLUMNS))
