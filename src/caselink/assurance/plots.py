"""Plots of an audit and of death clusters (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from caselink.assurance.audit import AuditReport, Comparison


def plot_audit(report: AuditReport, path: str | Path) -> Path:
    """Write a PNG: completion rates per group and check (left), odds ratios (right).

    The left panel shows each group's completion rate with its Wilson
    interval; the right panel the odds ratio of every non-reference group
    against the reference (log scale), with intervals; filled markers are
    alarms (adjusted p below alpha).

    Returns
    -------
    Path
        The file written.
    """
    out = Path(path)
    rows: list[Comparison] = [report.overall, *report.checks]
    labels = ["overall", *[c.name for c in report.checks]]
    groups = report.groups
    height = max(3.0, 0.35 * len(rows) * max(1, len(groups) - 1) ** 0.5 + 1.5)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, height), sharey=True)
    step = 0.8 / max(1, len(groups))
    ypos = list(range(len(rows)))
    for k, g in enumerate(groups):
        offs = [y - 0.4 + step * (k + 0.5) for y in ypos]
        rates, los, his = [], [], []
        for comp in rows:
            r = comp.rates.get(g)
            lo, hi = comp.rate_ci.get(g, (None, None))
            rates.append(float("nan") if r is None else r)
            # A Wilson bound can round a hair past its rate (1 - 1e-16 for a rate of 1).
            los.append(0.0 if r is None or lo is None else max(0.0, r - lo))
            his.append(0.0 if r is None or hi is None else max(0.0, hi - r))
        left.errorbar(rates, offs, xerr=[los, his], fmt="o", ms=4, capsize=2, label=g)
    left.set_yticks(ypos, labels)
    left.invert_yaxis()
    left.set_xlim(0, 1)
    left.set_xlabel("share of required checks completed (95% Wilson CI)")
    left.legend(loc="lower left", fontsize="small", title=report.group)
    left.grid(axis="x", alpha=0.3)

    others = [g for g in groups if g != report.reference]
    ostep = 0.8 / max(1, len(others))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, g in enumerate(others):
        colour = colours[(k + 1) % len(colours)]
        for y, comp in zip(ypos, rows, strict=True):
            con = next((c for c in comp.contrasts if c.group == g), None)
            if con is None or con.estimate is None or con.ci[0] is None or con.ci[1] is None:
                continue
            yy = y - 0.4 + ostep * (k + 0.5)
            alarm = con.p_adjusted is not None and con.p_adjusted < report.alpha
            right.plot([con.ci[0], con.ci[1]], [yy, yy], color=colour, lw=1)
            right.plot(
                [con.estimate],
                [yy],
                "o",
                color=colour,
                mfc=colour if alarm else "white",
                ms=5,
                label=g if y == 0 else None,
            )
    right.axvline(1.0, color="grey", lw=1, ls="--")
    right.set_xscale("log")
    right.set_xlabel(f"odds ratio vs {report.reference} (filled: adjusted p < {report.alpha:g})")
    if right.get_legend_handles_labels()[0]:  # nothing to label when no contrast is testable
        right.legend(loc="lower right", fontsize="small")
    right.grid(axis="x", alpha=0.3)
    fig.suptitle(
        f"Completion of required checks by {report.group}, controlling for {report.by or 'nothing'}"
    )
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
