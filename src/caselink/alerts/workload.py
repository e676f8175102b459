"""The alert threshold an analyst can afford: chosen from a stated workload.

A fixed probability (0.5) raises as many alerts as the model happens to give
that score to: with one model a few a month, with another hundreds. The
analyst's side of the bargain is time, so the threshold is derived from it:
with a workload of ``N`` alerts per 1,000 cases, the threshold is the link
probability at which the model, applied to the store's own candidate pairs,
raises about ``N`` alerts per 1,000 cases.

How it is computed (:func:`threshold_for`): every pair is alerted once, so
with ``P(t)`` candidate pairs at or above ``t`` among ``n`` cases the workload
is ``1000 P(t) / n``. The pairs' probabilities come either from every case
(each pair is seen from both of its cases and weighs 1/2) or, in a large
store, from a random sample of ``m`` cases (each pair seen weighs ``n / 2m``:
the sum of the cases' numbers of pairs at or above ``t`` is ``2 P(t)``). The
threshold is the probability of the ``k``-th strongest pair, ``k`` the number
of pairs the workload allows, and never below :data:`MIN_THRESHOLD`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# The default workload, 40 alerts per 1,000 cases recorded, is declared in
# caselink.settings (why 40: docs/alerts.md, benchmarks/alerts_workload*.py).
from caselink.settings import DEFAULT_ALERTS_PER_1000 as DEFAULT_ALERTS_PER_1000

MIN_THRESHOLD = 0.05
"""A link below one chance in twenty is never an alert, whatever the workload allows."""


@dataclass(frozen=True)
class Workload:
    """An alert threshold and the workload it was chosen from.

    Attributes
    ----------
    alerts_per_1000
        The stated workload (alerts per 1,000 cases).
    threshold
        The link probability at which an alert is raised.
    cases
        Cases the estimate is over.
    sampled_cases
        Cases whose candidate pairs were scored (``cases`` when all were).
    pairs_scored
        Candidate pairs scored (seen from the sampled cases).
    expected_per_1000
        Alerts per 1,000 cases the threshold gives on those pairs (ties and
        the floor make it differ from ``alerts_per_1000``).
    """

    alerts_per_1000: float
    threshold: float
    cases: int
    sampled_cases: int
    pairs_scored: int
    expected_per_1000: float

    def describe(self) -> str:
        """One line for the analyst."""
        basis = (
            f"the candidate pairs of all {self.cases:,} cases"
            if self.sampled_cases >= self.cases
            else f"the candidate pairs of {self.sampled_cases:,} of the {self.cases:,} cases"
        )
        return (
            f"alert threshold p >= {self.threshold:.3f}: a workload of "
            f"{self.alerts_per_1000:g} alerts per 1,000 cases (the model's scores of {basis} "
            f"give {self.expected_per_1000:.1f} per 1,000 at it)"
        )

    def as_dict(self) -> dict[str, float | int]:
        """JSON-ready fields."""
        return {
            "alerts_per_1000": self.alerts_per_1000,
            "threshold": self.threshold,
            "cases": self.cases,
            "sampled_cases": self.sampled_cases,
            "pairs_scored": self.pairs_scored,
            "expected_per_1000": self.expected_per_1000,
        }


def check_workload(alerts_per_1000: float) -> None:
    """Raise ValueError unless the workload is a positive number."""
    if not (isinstance(alerts_per_1000, int | float) and math.isfinite(alerts_per_1000)):
        raise ValueError(f"alerts per 1,000 cases must be a number, got {alerts_per_1000!r}")
    if alerts_per_1000 <= 0:
        raise ValueError(f"alerts per 1,000 cases must be > 0, got {alerts_per_1000!r}")


def threshold_for(
    probabilities: np.ndarray,
    n_cases: int,
    alerts_per_1000: float,
    pair_weight: float = 1.0,
    sampled_cases: int | None = None,
) -> Workload:
    """The threshold giving ``alerts_per_1000`` alerts per 1,000 of ``n_cases``.

    Parameters
    ----------
    probabilities
        Link probabilities of the candidate pairs seen (only those at or above
        :data:`MIN_THRESHOLD` matter; others may be left out).
    n_cases
        Cases of the store (or of the cases known, in a replay).
    alerts_per_1000
        The workload.
    pair_weight
        How many store pairs each probability stands for: 1 when each pair is
        seen once, 1/2 when seen from both of its cases, ``n / 2m`` from a
        sample of ``m`` cases.
    sampled_cases
        Cases whose pairs were seen (for the record; default ``n_cases``).
    """
    check_workload(alerts_per_1000)
    if pair_weight <= 0:
        raise ValueError(f"pair_weight must be > 0, got {pair_weight!r}")
    probs = np.asarray(probabilities, dtype=float)
    probs = probs[probs >= MIN_THRESHOLD]
    allowed = alerts_per_1000 * n_cases / 1000.0 / pair_weight
    k = max(1, round(allowed))
    if k > len(probs):
        threshold = MIN_THRESHOLD
    else:
        threshold = float(np.partition(probs, len(probs) - k)[len(probs) - k])
        threshold = max(threshold, MIN_THRESHOLD)
    raised = float((probs >= threshold).sum()) * pair_weight
    expected = 1000.0 * raised / n_cases if n_cases else 0.0
    return Workload(
        float(alerts_per_1000),
        threshold,
        int(n_cases),
        int(n_cases if sampled_cases is None else sampled_cases),
        len(np.asarray(probabilities)),
        expected,
    )
