"""Which candidate pairs can still reach the alert threshold: an exact bound, as SQL.

The naive Bayes models (the default :class:`~caselink.linkage.models.default.PriorLinkage`
and a trained :class:`~caselink.linkage.models.naive_bayes.NaiveBayesLinkage`)
score a pair as prior log-odds plus one log ratio per comparison level. Most
comparisons (distance, days, time of day, case type, victim, single-valued MO
attributes) read only the two cases' own columns, so their exact log ratio is
a ``CASE`` expression over the joined rows; the rest (multi-valued MO
attributes through ``case_values``, narrative similarity through
``case_tokens``) need joins that cost most of the comparison time. Bounding
each of those by its largest log ratio gives an upper bound of the pair's
log-odds that needs no join. A pair whose bound is below the threshold cannot
be linked, so it is dropped right after blocking, before the costly
comparisons: the links are exactly those of scoring every candidate pair
(tested), at a fraction of the cost. This is the filter-and-verify pattern of
similarity joins, with the model's own weights as the filter.

Models without additive log ratios (the boosted model) have no such bound;
:func:`reach_condition` returns ``None`` for them and every candidate is scored.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from caselink.linkage.comparisons import Comparison, q
from caselink.linkage.formulas import Col, Formula, Lit, Sql, fn
from caselink.linkage.models.base import LinkageModelBase
from caselink.linkage.models.default import PriorLinkage
from caselink.linkage.models.naive_bayes import NaiveBayesLinkage

BOUNDED_CASES = "cases_bounded"
"""The table (a view on Spark) of ``cases`` with each case's model-dependent
columns (see :func:`bounded_cases_sql`) that the bound reads."""

SLACK = 1e-6
"""Log-odds margin kept below the threshold, so that rounding in SQL's
arithmetic can never drop a pair whose score is at the threshold."""


@dataclass(frozen=True)
class AdditiveWeights:
    """The parts of an additive model: log-odds = a·(prior + Σ level log ratios) + b."""

    prior_log_odds: float
    log_ratios: tuple[np.ndarray, ...]
    slope: float
    intercept: float


def additive_weights(estimator: LinkageModelBase) -> AdditiveWeights | None:
    """The additive weights of a fitted naive Bayes model, or ``None`` for other models."""
    if not isinstance(estimator, PriorLinkage | NaiveBayesLinkage):
        return None
    if not hasattr(estimator, "log_ratio_"):
        raise ValueError(f"{type(estimator).__name__} is not fitted: it has no log ratios yet")
    a, b = estimator.calibration_
    return AdditiveWeights(
        float(estimator.prior_log_odds_),
        tuple(np.asarray(lr, dtype=float) for lr in estimator.log_ratio_),
        float(a),
        float(b),
    )


def is_cheap(comp: Comparison) -> bool:
    """True when the comparison reads only the two cases' rows (no value or token join)."""
    if comp.kind == "similarity":
        return False
    return not (comp.kind in ("agreement", "case_type") and comp.source == "values")


def _num(x: float) -> str:
    """A DOUBLE literal that round-trips exactly (a plain decimal is a DECIMAL in DuckDB)."""
    return Lit(x, True).sql()


def _log_ratio(lr: np.ndarray) -> Callable[[int], Formula]:
    """Outcome of each level: the model's log ratio of it."""
    return lambda level: Lit(float(lr[level]), True)


def _same_column(comp: Comparison) -> str:
    return comp.name + "__lr_same"


def level_ratio_sql(comp: Comparison, lr: np.ndarray, given: str | None = None) -> str:
    """SQL (over aliases ``a``, ``b``) of the exact log ratio of a cheap comparison's level.

    The comparison's own level declaration
    (:meth:`caselink.linkage.comparisons.Comparison.level_formula`) over its
    own formulas, each level giving its log ratio; so the SQL and numpy agree
    level for level (tested). ``given`` is the comparison's value already
    computed by the same formula (e.g. the distance a blocking rule computed).
    """
    if not is_cheap(comp):
        raise ValueError(f"comparison {comp.name!r} needs a join; it has only an upper bound")
    if comp.kind in ("closeness", "binary"):
        first = Sql(given) if given else comp.columns[0][1]
        return comp.level_formula([first], _log_ratio(lr)).sql()
    # A cheap agreement or case-type comparison reads single-valued columns
    # (``is_cheap``); the log ratio of sharing a case's own value is a column
    # of the case (bounded_cases_sql): one equality test per pair, no EXP/LN.
    values = [f for _, f in comp.columns]
    shared = Col("a", _same_column(comp))
    return comp.level_formula(values, _log_ratio(lr), shared).sql()


def bounded_cases_sql(comparisons: Sequence[Comparison], weights: AdditiveWeights) -> str:
    """SELECT of ``cases`` plus, per single-valued attribute, the log ratio of
    sharing the case's own value (by the rarity class of its share, computed
    as :meth:`~caselink.linkage.comparisons.Comparison.levels` does)."""
    extra = []
    for comp, lr in zip(comparisons, weights.log_ratios, strict=True):
        if comp.kind in ("agreement", "case_type") and comp.source == "columns":
            rarity = -fn("LN", Sql(q(comp.name + "_share")))
            same = comp.rarity_class_formula(rarity, _log_ratio(lr)).sql()
            extra.append(f"{same} AS {q(_same_column(comp))}")
    return "SELECT *" + "".join(f",\n  {e}" for e in extra) + "\nFROM cases"


def ceiling_sql(comp: Comparison, lr: np.ndarray) -> str:
    """SQL of the largest log ratio a joined comparison can reach for the pair.

    ``missing`` (level 0) when either case lacks the attribute or text (known
    from its own row); otherwise the largest of the other levels.
    """
    top = _num(float(np.max(lr[1:])))
    if comp.kind == "similarity":
        missing = f"a.{q(comp.name + '_norm')} IS NULL OR b.{q(comp.name + '_norm')} IS NULL"
    elif comp.kind == "agreement":
        missing = f"a.{q(comp.name + '_n')} = 0 OR b.{q(comp.name + '_n')} = 0"
    else:
        return _num(float(np.max(lr)))
    return f"CASE WHEN {missing} THEN {_num(lr[0])} ELSE {top} END"


def bound_sql(
    comparisons: Sequence[Comparison],
    weights: AdditiveWeights,
    given: Mapping[str, str] | None = None,
) -> str:
    """SQL of an upper bound of the pair's raw log-odds (prior + Σ log ratios).

    Exact for the cheap comparisons, the ceiling for the joined ones.
    ``given`` maps a closeness comparison's name to SQL of its value already
    computed with the comparison's own expression (see :func:`level_ratio_sql`).
    """
    given = given or {}
    if len(comparisons) != len(weights.log_ratios):
        raise ValueError(
            f"the model has {len(weights.log_ratios)} comparisons, "
            f"the data {len(comparisons)}: they must be the model's own"
        )
    terms = [
        level_ratio_sql(c, lr, given.get(c.name)) if is_cheap(c) else ceiling_sql(c, lr)
        for c, lr in zip(comparisons, weights.log_ratios, strict=True)
    ]
    return f"({_num(weights.prior_log_odds)}\n   + " + "\n   + ".join(terms) + ")"


def needed_raw_score(estimator: LinkageModelBase, min_probability: float) -> float | None:
    """The raw log-odds a pair needs to reach ``min_probability``, or ``None``
    when no pair can be ruled out (a model without additive weights, a
    threshold of 0 or 1, a non-positive calibration slope)."""
    if not 0 < min_probability < 1:
        return None
    weights = additive_weights(estimator)
    if weights is None or not weights.slope > 0:
        return None
    # an isotonic recalibration is monotone: the final probability reaches
    # the threshold exactly when the Platt probability reaches its preimage
    platt = estimator.platt_probability_needed(min_probability)
    if not 0 < platt < 1:
        return None
    logit = math.log(platt / (1 - platt))
    return (logit - weights.intercept) / weights.slope - SLACK


def reach_parts(
    comparisons: Sequence[Comparison],
    estimator: LinkageModelBase,
    min_probability: float,
    given: Mapping[str, str] | None = None,
) -> tuple[str, str] | None:
    """The bound's SQL (aliases ``a``, ``b`` of :data:`BOUNDED_CASES`; ``given``
    as in :func:`bound_sql`) and the literal it must reach for
    ``min_probability``; ``None`` when no pair can be ruled out (see
    :func:`needed_raw_score`)."""
    needed = needed_raw_score(estimator, min_probability)
    weights = additive_weights(estimator)
    if needed is None or weights is None:
        return None
    return bound_sql(comparisons, weights, given), _num(needed)


def reach_condition(
    comparisons: Sequence[Comparison],
    estimator: LinkageModelBase,
    min_probability: float,
) -> str | None:
    """A SQL condition (aliases ``a``, ``b`` of :data:`BOUNDED_CASES`) true for
    every pair that can reach ``min_probability``; ``None`` when no pair can be
    ruled out (see :func:`needed_raw_score`)."""
    parts = reach_parts(comparisons, estimator, min_probability)
    return None if parts is None else f"{parts[0]} >= {parts[1]}"
