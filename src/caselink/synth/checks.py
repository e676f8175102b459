"""The investigative checks each case normally gets, and whether they were done.

Each case type has a list of checks (``CHECKS``) with a base probability of
completion ``p``. A check is first ``pending`` or resolved (``PENDING_SHARE``,
or ``RECENT_PENDING_SHARE`` in the last ``RECENT_DAYS`` before the end of the
period: independent of the victim group); a resolved check is ``done`` with
probability ``p`` and ``not_done`` otherwise. ``check_bias={"lgbt": 0.5}``
multiplies the *odds* of ``done`` (among resolved checks) by 0.5 for cases
whose victim group is ``lgbt``, exactly and in every (case type, action)
stratum: ``p' = p*f / (1 - p + p*f)``.

Deaths are classified ``suspicious`` or ``non_suspicious`` (the status column);
the same factor multiplies the odds of ``suspicious`` (a less diligent
handling classifies more deaths as non-suspicious).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from caselink.synth.catalogue import CASE_TYPES, VICTIM_GROUPS

CHECKS: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "drug_related_death": (
        ("scene_examination", 0.85),
        ("post_mortem", 0.97),
        ("toxicology", 0.92),
        ("forensic_submission", 0.55),
        ("cctv", 0.5),
        ("house_to_house", 0.45),
        ("next_of_kin", 0.95),
        ("reporter_background", 0.4),
        ("previous_incidents", 0.6),
        ("phone_download", 0.45),
    ),
    "unexplained_death": (
        ("scene_examination", 0.9),
        ("post_mortem", 0.97),
        ("toxicology", 0.9),
        ("forensic_submission", 0.6),
        ("cctv", 0.55),
        ("house_to_house", 0.55),
        ("next_of_kin", 0.95),
        ("reporter_background", 0.5),
        ("previous_incidents", 0.65),
        ("phone_download", 0.5),
    ),
    "sexual_offence": (
        ("victim_statement", 0.9),
        ("medical_examination", 0.75),
        ("forensic_submission", 0.65),
        ("cctv", 0.6),
        ("witness_statements", 0.6),
        ("house_to_house", 0.35),
        ("phone_download", 0.5),
    ),
    "drugging": (
        ("victim_statement", 0.85),
        ("toxicology", 0.55),
        ("medical_examination", 0.6),
        ("cctv", 0.55),
        ("witness_statements", 0.5),
    ),
    "violence": (
        ("victim_statement", 0.85),
        ("witness_statements", 0.6),
        ("cctv", 0.5),
    ),
    "robbery": (
        ("victim_statement", 0.9),
        ("cctv", 0.65),
        ("witness_statements", 0.55),
        ("forensic_submission", 0.3),
    ),
    "burglary": (
        ("scene_examination", 0.7),
        ("forensic_submission", 0.4),
        ("house_to_house", 0.35),
    ),
    "theft": (("victim_statement", 0.8), ("cctv", 0.4)),
    "criminal_damage": (("victim_statement", 0.75),),
}
"""Checks each case type normally needs, with the base probability of completion."""

CONDITIONAL_CHECKS: Final[dict[str, float]] = {
    "note_handwriting": 0.45,  # deaths with note_found=yes
    "suspect_interview": 0.9,  # solved cases
}
SUSPICIOUS_SHARE: Final[dict[str, float]] = {"drug_related_death": 0.15, "unexplained_death": 0.35}
"""Base probability that a death is classified ``suspicious``."""

PENDING_SHARE: Final[float] = 0.02
RECENT_PENDING_SHARE: Final[float] = 0.5
RECENT_DAYS: Final[int] = 90

# delay (hours) from report to raising the check, and (days) from raising to completion
_DURATION_DAYS: Final[dict[str, float]] = {
    "toxicology": 35.0,
    "forensic_submission": 28.0,
    "post_mortem": 4.0,
    "phone_download": 21.0,
    "note_handwriting": 30.0,
    "cctv": 5.0,
    "house_to_house": 2.0,
    "previous_incidents": 1.0,
    "reporter_background": 1.5,
}
_NOT_DONE_NOTES: Final[tuple[str, ...]] = (
    "not required",
    "not requested",
    "deemed not necessary",
    "no resources available",
    "not pursued",
    "",
)


def biased_probability(p: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """Probability whose odds are ``factor`` times the odds of ``p``."""
    p = np.asarray(p, dtype=np.float64)
    return np.asarray(p * factor / (1.0 - p + p * factor), dtype=np.float64)


def group_factors(groups: np.ndarray, check_bias: dict[str, float] | None) -> np.ndarray:
    """The odds factor of each case's victim group (1.0 for groups not in ``check_bias``).

    Raises
    ------
    ValueError
        If a group is not a victim group of the vocabulary or a factor is not positive.
    """
    factors = np.ones(len(groups))
    for group, factor in (check_bias or {}).items():
        if group not in VICTIM_GROUPS:
            raise ValueError(
                f"check_bias: unknown victim group {group!r}; "
                f"expected one of {', '.join(VICTIM_GROUPS)}"
            )
        if not (factor > 0 and np.isfinite(factor)):
            raise ValueError(f"check_bias[{group!r}] must be a positive number, got {factor!r}")
        factors[groups == group] = factor
    return factors


def classify_deaths(
    rng: np.random.Generator, case_type: np.ndarray, factor: np.ndarray
) -> np.ndarray:
    """Status ``suspicious``/``non_suspicious`` for deaths, None for other cases."""
    names = np.asarray(CASE_TYPES, dtype=object)[case_type]
    base = np.array([SUSPICIOUS_SHARE.get(t, np.nan) for t in names])
    p = biased_probability(np.nan_to_num(base), factor)
    out = np.where(rng.random(len(case_type)) < p, "suspicious", "non_suspicious").astype(object)
    out[np.isnan(base)] = None
    return np.asarray(out, dtype=object)


def draw_actions(
    rng: np.random.Generator,
    case_type: np.ndarray,
    groups: np.ndarray,
    reported_at: np.ndarray,
    note_found: np.ndarray,
    solved: np.ndarray,
    end: np.datetime64,
    check_bias: dict[str, float] | None,
    drugs_text: np.ndarray | None = None,
) -> pd.DataFrame:
    """The investigative actions of every case.

    Parameters
    ----------
    rng
        Random generator.
    case_type
        Case-type codes (indices into ``CASE_TYPES``).
    groups
        Victim group of each case (object array of str).
    reported_at
        When each case was reported (datetime64).
    note_found
        Boolean, a note was found with the body.
    solved
        Boolean, the case is solved (gets ``suspect_interview``).
    end
        End of the period: checks of cases reported in the last ``RECENT_DAYS``
        are more often pending.
    check_bias
        Odds factors of completion per victim group (see module doc).
    drugs_text
        Drugs of each case as text, used in toxicology result notes.

    Returns
    -------
    pandas.DataFrame
        ``case_row, action, status, raised_at, completed_at, note``.
    """
    factor = group_factors(groups, check_bias)
    names = np.asarray(CASE_TYPES)
    rows: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    bases: list[np.ndarray] = []
    for t, type_name in enumerate(names):
        members = np.flatnonzero(case_type == t)
        for code, p in CHECKS[str(type_name)]:
            rows.append(members)
            codes.append(np.full(len(members), code, dtype=object))
            bases.append(np.full(len(members), p))
    for code, p, mask in (
        ("note_handwriting", CONDITIONAL_CHECKS["note_handwriting"], note_found),
        ("suspect_interview", CONDITIONAL_CHECKS["suspect_interview"], solved),
    ):
        members = np.flatnonzero(mask)
        rows.append(members)
        codes.append(np.full(len(members), code, dtype=object))
        bases.append(np.full(len(members), p))
    case_row = np.concatenate(rows)
    action: np.ndarray = np.concatenate(codes)
    base = np.concatenate(bases)
    order = np.lexsort((np.arange(len(case_row)), case_row))
    case_row, action, base = case_row[order], action[order], base[order]
    n = len(case_row)

    reported = reported_at[case_row].astype("datetime64[s]")
    recent = reported > (end.astype("datetime64[s]") - np.timedelta64(RECENT_DAYS, "D"))
    pending = rng.random(n) < np.where(recent, RECENT_PENDING_SHARE, PENDING_SHARE)
    done = rng.random(n) < biased_probability(base, factor[case_row])
    status = np.where(pending, "pending", np.where(done, "done", "not_done")).astype(object)

    raise_hours = rng.exponential(6.0, n) + 0.25
    raised = reported + (raise_hours * 3600).astype("timedelta64[s]")
    duration_days = np.array([_DURATION_DAYS.get(a, 0.5) for a in action])
    took = rng.gamma(2.0, 0.5, n) * duration_days
    completed = raised + (took * 86400).astype("timedelta64[s]")
    completed[status != "done"] = np.datetime64("NaT")

    note = np.full(n, None, dtype=object)
    not_done = np.flatnonzero(status == "not_done")
    note[not_done] = np.asarray(_NOT_DONE_NOTES, dtype=object)[
        rng.integers(0, len(_NOT_DONE_NOTES), len(not_done))
    ]
    note[note == ""] = None
    if drugs_text is not None:
        tox = np.flatnonzero((action == "toxicology") & (status == "done"))
        found = drugs_text[case_row[tox]]
        note[tox] = np.where(
            np.array([bool(d) for d in found]),
            "positive: " + np.array([str(d).replace("|", ", ") for d in found], dtype=object),
            "negative",
        )
    return pd.DataFrame(
        {
            "case_row": case_row,
            "action": pd.Series(action, dtype=object),
            "status": pd.Series(status, dtype=object),
            "raised_at": raised.astype("datetime64[us]"),
            "completed_at": completed.astype("datetime64[us]"),
            "note": pd.Series(note, dtype=object),
        }
    )
