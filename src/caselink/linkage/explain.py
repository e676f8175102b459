"""Explanations: each factor's multiplier of the odds, in an analyst's words.

"0.4 km apart (x12); 21 days apart (x5); both drugs ghb (x30); both victims
male, aged 21–23 (x3); both location type churchyard (x8)". Multipliers are
exp of the factor's log-odds contribution; factors between x0.9 and x1.1 are
left out as carrying no evidence. The victims' sex and age are one phrase
(their multipliers multiplied).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from caselink.linkage.comparisons import Comparison

NEGLIGIBLE = math.log(1.1)
SEX_WORDS = {"M": "male", "F": "female"}


@dataclass(frozen=True)
class Evidence:
    """One factor of a link: words and the multiplier of the odds."""

    factor: str
    phrase: str
    log_multiplier: float

    @property
    def multiplier(self) -> float:
        """exp(log_multiplier)."""
        return math.exp(self.log_multiplier)

    def __str__(self) -> str:
        return f"{self.phrase} (x{format_multiplier(self.multiplier)})"


def format_multiplier(value: float) -> str:
    """x12, x3.4, x0.25: two significant figures, no exponent below a million."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.0f}"
    return f"{value:.2g}"


def _values(row: Mapping[str, Any], name: str) -> list[str]:
    value = row.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, tuple | list | set | frozenset):
        return sorted(str(v) for v in value)
    return [str(value)]


def _phrase(
    comp: Comparison, cmp_row: Mapping[str, Any], a: Mapping[str, Any], b: Mapping[str, Any]
) -> str:
    raw = cmp_row.get(comp.column_names[0])
    first = float(raw) if raw is not None else float("nan")
    if comp.name == "distance":
        return f"{first:.1f} km apart" if first >= 0.1 else f"{first * 1000:.0f} m apart"
    if comp.name == "days":
        if math.isnan(first):
            return "time unknown"
        return "time windows overlap" if first < 0.5 else f"{first:.0f} days apart"
    if comp.name == "time_of_day":
        return f"{first:.0f} h apart in time of day"
    if comp.kind == "case_type":
        ta, tb = a.get("case_type"), b.get("case_type")
        return f"both {ta}" if ta == tb else f"{ta} and {tb}"
    if comp.kind == "agreement":
        va, vb = _values(a, comp.name), _values(b, comp.name)
        shared = sorted(set(va) & set(vb))
        who = "victims " if comp.name == "victim_group" else f"{comp.label} "
        if shared:
            return f"both {who}{', '.join(shared)}"
        if not va or not vb:
            return f"{comp.label} not recorded"
        return f"different {comp.label}: {'/'.join(va)} vs {'/'.join(vb)}"
    if comp.kind == "similarity":
        return f"{comp.label}s {first:.0%} alike" if first == first else f"no {comp.label}"
    if comp.kind == "closeness":
        return f"{comp.label} {a.get(comp.name)} vs {b.get(comp.name)}"
    return comp.label


def _victims_phrase(a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    sa, sb = a.get("victim_sex"), b.get("victim_sex")
    ages = [x for x in (a.get("victim_age"), b.get("victim_age")) if x is not None and x == x]
    if sa in SEX_WORDS and sa == sb:
        sex = f"both victims {SEX_WORDS[sa]}"
    elif sa in SEX_WORDS and sb in SEX_WORDS:
        sex = f"victims {SEX_WORDS[sa]} and {SEX_WORDS[sb]}"
    else:
        sex = "victims"
    if len(ages) == 2:
        lo, hi = sorted(int(x) for x in ages)
        return f"{sex} {lo}" if lo == hi else f"{sex} {lo}–{hi}"
    return sex


def explain_pair(
    comparisons: Sequence[Comparison],
    comparison_row: Mapping[str, Any],
    contributions: Mapping[str, float],
    case_a: Mapping[str, Any],
    case_b: Mapping[str, Any],
) -> list[Evidence]:
    """The evidence of one pair, strongest first.

    Parameters
    ----------
    comparisons
        The declared comparisons.
    comparison_row
        The pair's comparison values (a row of the comparison frame).
    contributions
        Natural-log multiplier of each comparison (from a model's ``factors``).
    case_a, case_b
        The two cases' rows of the cases frame (for the values named).
    """
    items: list[Evidence] = []
    victim_log = 0.0
    victim_seen = False
    for comp in comparisons:
        w = float(contributions.get(comp.name, 0.0))
        if comp.name in ("victim_sex", "victim_age"):
            victim_log += w
            victim_seen = victim_seen or abs(w) >= NEGLIGIBLE
            continue
        if abs(w) < NEGLIGIBLE:
            continue
        items.append(Evidence(comp.name, _phrase(comp, comparison_row, case_a, case_b), w))
    if victim_seen and abs(victim_log) >= NEGLIGIBLE:
        items.append(Evidence("victims", _victims_phrase(case_a, case_b), victim_log))
    items.sort(key=lambda e: -abs(e.log_multiplier))
    return items


def explanation_text(evidence: Sequence[Evidence]) -> str:
    """The evidence as one line: "0.4 km apart (x12); both drugs ghb (x30)"."""
    return "; ".join(str(e) for e in evidence) if evidence else "no distinctive evidence"


def explain_frame(
    comparisons: Sequence[Comparison],
    compared: pd.DataFrame,
    contributions: pd.DataFrame,
    cases: pd.DataFrame,
) -> list[str]:
    """One explanation line per row of a comparison frame."""
    by_id = cases.set_index("case_id", drop=False)
    texts = []
    rows: list[dict[str, Any]] = compared.to_dict("records")  # type: ignore[assignment]
    for i, row in enumerate(rows):
        a = _record(by_id.loc[row["case_a"]])
        b = _record(by_id.loc[row["case_b"]])
        contrib = {str(k): float(v) for k, v in contributions.iloc[i].items()}
        texts.append(explanation_text(explain_pair(comparisons, row, contrib, a, b)))
    return texts


def _record(row: pd.Series) -> dict[str, Any]:
    return {str(k): v for k, v in row.items()}
