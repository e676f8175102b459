"""Small synthetic cases and actions with a bias you control, to calibrate the audit.

The audit must stay quiet when there is no difference between groups and find
one when there is. :func:`biased_frames` draws cases whose group mix differs
by case type and whose check completion differs by case type and check (so an
audit that ignored case type would be fooled), with a random per-case
"neglect" effect (so the checks of one case are correlated, as in real
files), and multiplies the odds of completion by ``check_bias[group]``.

This is not the demo data generator (:mod:`caselink.synth`); it is the
smallest thing that exercises the statistics with a known truth.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from caselink.assurance.standard import Standard
from caselink.records.frames import actions_frame, cases_frame
from caselink.records.model import AttributeKind, AttributeSchema, AttributeSpec

SCHEMA = AttributeSchema(
    attributes=(
        AttributeSpec(name="note_found", kind=AttributeKind.CATEGORICAL),
        AttributeSpec(name="drugs", kind=AttributeKind.MULTI),
    )
)
"""The MO attributes the calibration frames carry (those the default standard reads)."""

GROUP_MIX: dict[str, dict[str, float]] = {
    # share of each victim group within each case type: deliberately unequal
    "drug_related_death": {
        "general": 0.62,
        "lgbt": 0.14,
        "homeless": 0.16,
        "sex_worker": 0.03,
        "migrant": 0.05,
    },
    "unexplained_death": {
        "general": 0.74,
        "lgbt": 0.08,
        "homeless": 0.10,
        "sex_worker": 0.03,
        "migrant": 0.05,
    },
    "sexual_offence": {
        "general": 0.70,
        "lgbt": 0.12,
        "homeless": 0.03,
        "sex_worker": 0.10,
        "migrant": 0.05,
    },
    "drugging": {
        "general": 0.72,
        "lgbt": 0.16,
        "homeless": 0.02,
        "sex_worker": 0.05,
        "migrant": 0.05,
    },
    "burglary": {
        "general": 0.90,
        "lgbt": 0.04,
        "homeless": 0.00,
        "sex_worker": 0.01,
        "migrant": 0.05,
    },
}
TYPE_MIX: dict[str, float] = {
    "drug_related_death": 0.2,
    "unexplained_death": 0.15,
    "sexual_offence": 0.2,
    "drugging": 0.15,
    "burglary": 0.3,
}
TYPE_COMPLETION: dict[str, float] = {
    # base probability of completing a check, by case type: also unequal
    "drug_related_death": 0.55,
    "unexplained_death": 0.75,
    "sexual_offence": 0.7,
    "drugging": 0.5,
    "burglary": 0.65,
}


def biased_frames(
    standard: Standard,
    n_cases: int = 2000,
    seed: int = 0,
    check_bias: Mapping[str, float] | None = None,
    non_suspicious_bias: Mapping[str, float] | None = None,
    case_sd: float = 0.8,
    start: str = "2014-01-01",
    days: int = 730,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cases and actions frames with a known completion bias per group.

    Parameters
    ----------
    standard : Standard
        Which checks each case type needs (only those are recorded).
    n_cases : int
        Number of cases.
    seed : int
        Seed of the random generator; the same seed gives the same frames.
    check_bias : mapping, optional
        Group -> odds multiplier of completing any check (1 = no bias).
    non_suspicious_bias : mapping, optional
        Group -> odds multiplier of a death being classified non-suspicious.
    case_sd : float
        Standard deviation (logit scale) of the per-case neglect effect.
    start, days : str, int
        Cases are reported uniformly over ``days`` days from ``start``.

    Returns
    -------
    (cases, actions)
        Frames as :func:`caselink.records.frames.cases_frame` and
        :func:`~caselink.records.frames.actions_frame` build them. Every check
        is recorded as done, not done or pending, or left unrecorded; the
        as-of time for the audit should be after ``start + days + 30``.
    """
    if n_cases < 1:
        raise ValueError(f"n_cases must be at least 1, got {n_cases!r}")
    rng = np.random.default_rng(seed)
    bias = dict(check_bias or {})
    ns_bias = dict(non_suspicious_bias or {})
    types = list(TYPE_MIX)
    ctypes = rng.choice(types, size=n_cases, p=np.array(list(TYPE_MIX.values())))
    t0 = pd.Timestamp(start)
    cases, actions = [], []
    for i, ctype in enumerate(ctypes):
        mix = GROUP_MIX[ctype]
        groups = list(mix)
        probs = np.array([mix[g] for g in groups])
        group = str(rng.choice(groups, p=probs / probs.sum()))
        reported = t0 + pd.Timedelta(minutes=int(rng.integers(0, days * 24 * 60)))
        death = ctype in ("drug_related_death", "unexplained_death")
        note = "yes" if death and rng.random() < 0.1 else ("no" if death else None)
        drugs = (
            ("ghb",) if ctype in ("drugging", "drug_related_death") and rng.random() < 0.3 else ()
        )
        status = None
        if death:
            p_ns = 0.7 if ctype == "drug_related_death" else 0.4
            odds = p_ns / (1 - p_ns) * ns_bias.get(group, 1.0)
            status = "non_suspicious" if rng.random() < odds / (1 + odds) else "suspicious"
        cid = f"K{i:05d}"
        cases.append(
            {
                "case_id": cid,
                "case_type": ctype,
                "occurred_from": reported - pd.Timedelta(hours=2),
                "reported_at": reported,
                "lat": 51.5 + rng.normal(0, 0.02),
                "lon": 0.08 + rng.normal(0, 0.03),
                "victim_group": group,
                "status": status,
                "attributes": {"note_found": note, "drugs": drugs},
            }
        )
        base = TYPE_COMPLETION[str(ctype)]
        u = rng.normal(0.0, case_sd)
        for j, req in enumerate(standard.requirements_for(str(ctype))):
            if not req.applies_to({"note_found": note, "drugs": drugs}):
                continue
            # checks differ in how often they are done (later checks a little less)
            logit = np.log(base / (1 - base)) + u - 0.08 * j + np.log(bias.get(group, 1.0))
            p = 1.0 / (1.0 + np.exp(-logit))
            if rng.random() < p:
                done_at = reported + pd.Timedelta(
                    hours=float(rng.exponential(24 * req.within_days / 2))
                )
                actions.append(
                    {
                        "case_id": cid,
                        "action": req.action,
                        "status": "done",
                        "completed_at": done_at,
                    }
                )
            else:
                kind = rng.random()
                if kind < 0.4:
                    actions.append({"case_id": cid, "action": req.action, "status": "not_done"})
                elif kind < 0.7:
                    actions.append(
                        {
                            "case_id": cid,
                            "action": req.action,
                            "status": "pending",
                            "raised_at": reported,
                        }
                    )
                # else: no record at all (missing)
    return cases_frame(cases, SCHEMA), actions_frame(actions)


def simulated_deaths(seed: int, n: int = 120, inject: int = 0) -> pd.DataFrame:
    """Deaths uniform over ~6 x 6 km and 4 years, plus ``inject`` within ~150 m in 45 days.

    The known truth for calibrating the death-cluster scan: with ``inject=0``
    there is no cluster to find; the injected deaths sit around one churchyard
    in August-September 2014.
    """
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "case_id": [f"D{i:03d}" for i in range(n)],
            "occurred_from": pd.Timestamp("2012-01-01")
            + pd.to_timedelta(rng.integers(0, 4 * 365, n), unit="D"),
            "lat": 51.54 + rng.uniform(-0.027, 0.027, n),
            "lon": 0.08 + rng.uniform(-0.043, 0.043, n),
        }
    )
    if inject:
        extra = pd.DataFrame(
            {
                "case_id": [f"X{i}" for i in range(inject)],
                "occurred_from": pd.Timestamp("2014-08-01")
                + pd.to_timedelta(rng.integers(0, 45, inject), unit="D"),
                "lat": 51.5357 + rng.normal(0, 0.0007, inject),
                "lon": 0.0757 + rng.normal(0, 0.001, inject),
            }
        )
        frame = pd.concat([frame, extra], ignore_index=True)
    return frame
