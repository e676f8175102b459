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

The boosted model (:class:`~caselink.linkage.models.boosted.BoostedLinkage`)
is bounded the same way, tree by tree (:func:`tree_bound_sql`): its log-odds
is the sum of the leaves the pair reaches, and the largest leaf a tree can
reach when only the cheap columns are known bounds that tree's leaf. At a
split on a cheap column the pair goes the way it goes; at a split on a
joined column (multi-valued MO overlap and rarity, narrative similarity) it
goes both ways and the larger side counts, except where the column is known
to be missing from the cases' own rows (then it goes the missing-value way).
The sum over trees of those maxima is never below the pair's score.

The ensemble (:class:`~caselink.linkage.models.ensemble.EnsembleLinkage`)
is bounded by the sum of its members' bounds (:class:`EnsembleBound`): the
naive Bayes member's SQL bound, the boosted member's tree bound, and the
logistic member scored with every joined comparison at its best case (shared,
at the attribute's rarest value, overlap 1; narrative cosine 1) where the
cases' rows do not show it missing. That is a bound because the logistic
member's coefficients are sign-bounded: sharing, rarity, overlap and
similarity never lower its score, and a pooled MO feature is largest when
every recorded attribute is shared. The two linear members' bounds are SQL
(:func:`logistic_bound_sql` renders the logistic member's features); the
trees' are read in Python, so the whole has no single SQL condition.

A logistic model alone is bounded by that SQL too (its calibrated log-odds
at the best case). :func:`reach_condition` gives one SQL condition for the
naive Bayes and boosted models only (the logistic bound needs each
attribute's rarest value from the data); where it gives ``None`` and no
bound applies, every candidate is scored.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from caselink.linkage.comparisons import Comparison, q
from caselink.linkage.formulas import Coalesce, Col, Formula, Lit, Sql, fn
from caselink.linkage.models.base import LinkageModelBase
from caselink.linkage.models.boosted import BoostedLinkage, TreeArrays, tree_reaches
from caselink.linkage.models.default import PriorLinkage
from caselink.linkage.models.ensemble import EnsembleLinkage
from caselink.linkage.models.logistic import LogisticLinkage
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


def bound_weights(estimator: LinkageModelBase) -> AdditiveWeights | None:
    """The naive Bayes weights a model's SQL bound reads: the model's own
    (:func:`additive_weights`) or its naive Bayes member's (an ensemble)."""
    if isinstance(estimator, EnsembleLinkage):
        return additive_weights(estimator.naive_bayes_)
    return additive_weights(estimator)


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


@dataclass(frozen=True)
class TreeFeature:
    """What the bound knows of one feature of the trees, for a pair.

    ``value`` is SQL of the feature's exact value (a cheap column: the
    comparison's own formula), or ``None`` for a column that needs a join,
    whose value is free; of a free column, ``missing`` is SQL true when the
    cases' own rows show it is NULL (e.g. one case has no narrative).
    """

    value: str | None
    missing: str | None = None


def _missing_sql(comp: Comparison) -> str | None:
    """SQL (aliases ``a``, ``b``) true when a joined comparison is surely
    missing, from the cases' own rows (as :func:`ceiling_sql` reads it)."""
    if comp.kind == "similarity":
        return f"a.{q(comp.name + '_norm')} IS NULL OR b.{q(comp.name + '_norm')} IS NULL"
    if comp.kind == "agreement":
        return f"a.{q(comp.name + '_n')} = 0 OR b.{q(comp.name + '_n')} = 0"
    return None


def tree_features(
    comparisons: Sequence[Comparison],
    used_columns: Sequence[int] | np.ndarray,
    given: Mapping[str, str] | None = None,
) -> list[TreeFeature]:
    """The :class:`TreeFeature` of each column the trees read (``used_columns``
    of the comparison columns, in order). ``given`` maps a one-column
    comparison's name (``distance``, ``days``) to SQL of its value already
    computed with the comparison's own expression."""
    given = given or {}
    every: list[TreeFeature] = []
    for comp in comparisons:
        if is_cheap(comp):
            values = [formula.sql() for _, formula in comp.columns]
            if comp.name in given and len(values) == 1:
                values = [given[comp.name]]
            every.extend(TreeFeature(v) for v in values)
            continue
        every.extend(TreeFeature(None, _missing_sql(comp)) for _ in comp.columns)
    return [every[int(i)] for i in used_columns]


Node = float | tuple[int, float, bool, "Node", "Node"]
"""A tree as nested values: a leaf's value, or (feature, threshold,
missing_left, left, right)."""


def _nested(trees: TreeArrays, i: int) -> Node:
    if trees.is_leaf[i]:
        return float(trees.value[i])
    return (
        int(trees.feature[i]),
        float(trees.threshold[i]),
        bool(trees.missing_left[i]),
        _nested(trees, int(trees.left[i])),
        _nested(trees, int(trees.right[i])),
    )


def _join(feature: int, threshold: float, missing_left: bool, left: Node, right: Node) -> Node:
    if isinstance(left, float) and isinstance(right, float) and left == right:
        return left
    return (feature, threshold, missing_left, left, right)


def _larger(x: Node, y: Node) -> Node:
    """A tree whose leaf is, for every input, the larger of the leaves of ``x`` and ``y``."""
    if isinstance(x, float) and isinstance(y, float):
        return max(x, y)
    if isinstance(x, float):
        x, y = y, x
    assert not isinstance(x, float)
    f, thr, missing_left, left, right = x
    return _join(f, thr, missing_left, _larger(left, y), _larger(right, y))


@dataclass(frozen=True)
class TreeBound:
    """An upper bound of a tree ensemble as trees over known inputs.

    ``trees`` reads input ``k`` as SQL ``inputs[k]`` (over aliases ``a``,
    ``b`` and any given columns): the known features and, for each free
    feature that the cases' rows can show missing, a flag (1.0 when it is
    missing). For every pair, the leaves these trees reach sum to at least
    the model's log-odds (:func:`tree_bound`).
    """

    trees: TreeArrays
    inputs: tuple[str, ...]


def tree_bound(trees: TreeArrays, features: Sequence[TreeFeature]) -> TreeBound:
    """The bound of ``trees`` given what is known of their ``features``.

    A split on a known feature stays; a split on a free feature is replaced
    by the larger of its two sides (:func:`_larger`, a tree again), behind a
    test of the feature's missing flag where there is one (then the
    missing-value side only). Each tree's leaf is then the largest leaf the
    model's tree can reach for the pair.
    """
    if int(np.max(trees.feature[~trees.is_leaf], initial=-1)) >= len(features):
        raise ValueError("the trees read more features than are described")
    inputs: dict[str, int] = {}

    def column(sql: str) -> int:
        return inputs.setdefault(sql, len(inputs))

    def bound(node: Node) -> Node:
        if isinstance(node, float):
            return node
        f, thr, missing_left, left, right = node
        low, high = bound(left), bound(right)
        feat = features[f]
        if feat.value is not None:
            return _join(column(feat.value), thr, missing_left, low, high)
        free = _larger(low, high)
        if feat.missing is None:
            return free
        flag = column(f"COALESCE(CAST(({feat.missing}) AS DOUBLE), 1.0)")
        # flag <= 0.5 (not missing): either side; else the missing-value side
        return _join(flag, 0.5, False, free, low if missing_left else high)

    nested = [bound(_nested(trees, int(r))) for r in trees.roots]
    return TreeBound(_flatten(nested, trees.baseline), tuple(inputs))


def _flatten(nested: Sequence[Node], baseline: float) -> TreeArrays:
    """Nested trees as :class:`TreeArrays` (each tree contiguous, preorder)."""
    feature: list[int] = []
    threshold: list[float] = []
    missing_left: list[bool] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    roots: list[int] = []

    def add(node: Node) -> int:
        i = len(feature)
        feature.append(0)
        threshold.append(0.0)
        missing_left.append(False)
        left.append(-1)
        right.append(-1)
        value.append(0.0)
        if isinstance(node, float):
            value[i] = node
            return i
        f, thr, ml, lo, hi = node
        feature[i], threshold[i], missing_left[i] = f, thr, ml
        left[i] = add(lo)
        right[i] = add(hi)
        return i

    for tree in nested:
        roots.append(add(tree))
    return TreeArrays(
        feature=np.asarray(feature, dtype=np.int64),
        threshold=np.asarray(threshold, dtype=float),
        missing_left=np.asarray(missing_left, dtype=bool),
        left=np.asarray(left, dtype=np.int64),
        right=np.asarray(right, dtype=np.int64),
        is_leaf=np.asarray(left, dtype=np.int64) < 0,
        value=np.asarray(value, dtype=float),
        roots=np.asarray(roots, dtype=np.int64),
        baseline=float(baseline),
    )


def trees_sql(trees: TreeArrays, inputs: Sequence[str]) -> str:
    """SQL of the trees' sum (baseline plus the leaves reached), reading input
    ``k`` as SQL ``inputs[k]``: each split a ``CASE`` that sends NULL the
    ``missing_left`` way, as :func:`~caselink.linkage.models.boosted.tree_log_odds` does."""

    def node(i: int) -> str:
        if trees.is_leaf[i]:
            return _num(float(trees.value[i]))
        x = f"({inputs[int(trees.feature[i])]})"
        thr = float(trees.threshold[i])
        low, high = node(int(trees.left[i])), node(int(trees.right[i]))
        if trees.missing_left[i]:
            # NULL fails any test and must go left: test for the right side
            test = {math.inf: "FALSE", -math.inf: f"{x} IS NOT NULL"}.get(thr, f"{x} > {_num(thr)}")
            return f"CASE WHEN {test} THEN {high} ELSE {low} END"
        test = {math.inf: f"{x} IS NOT NULL", -math.inf: "FALSE"}.get(thr, f"{x} <= {_num(thr)}")
        return f"CASE WHEN {test} THEN {low} ELSE {high} END"

    terms = [_num(trees.baseline)]
    for root in trees.roots:
        terms.append(node(int(root)))
    return "(" + "\n   + ".join(terms) + ")"


def tree_bound_sql(trees: TreeArrays, features: Sequence[TreeFeature]) -> str:
    """SQL of an upper bound of the trees' log-odds (:func:`tree_bound`) as
    one expression."""
    b = tree_bound(trees, features)
    return trees_sql(b.trees, b.inputs)


def has_bound(estimator: LinkageModelBase) -> bool:
    """True for the models :mod:`caselink.linkage.bounds` can bound (naive
    Bayes, logistic, boosted, their ensemble)."""
    return isinstance(
        estimator,
        PriorLinkage | NaiveBayesLinkage | LogisticLinkage | BoostedLinkage | EnsembleLinkage,
    )


def _platt_logit_needed(estimator: LinkageModelBase, min_probability: float) -> float | None:
    """The Platt log-odds whose final probability reaches ``min_probability``
    (an isotonic recalibration is monotone: the final probability reaches the
    threshold exactly when the Platt probability reaches its preimage), or
    ``None`` when every or no probability does."""
    platt = estimator.platt_probability_needed(min_probability)
    if not 0 < platt < 1:
        return None
    return math.log(platt / (1 - platt))


def needed_raw_score(estimator: LinkageModelBase, min_probability: float) -> float | None:
    """The raw log-odds a pair needs to reach ``min_probability`` (for an
    ensemble, the sum of its members' calibrated log-odds), or ``None`` when
    no pair can be ruled out (a model without a bound, a threshold of 0 or 1,
    a non-positive calibration slope)."""
    if not 0 < min_probability < 1 or not has_bound(estimator):
        return None
    if isinstance(estimator, PriorLinkage | NaiveBayesLinkage):
        weights = additive_weights(estimator)
        assert weights is not None
        slope, intercept = weights.slope, weights.intercept
    else:
        slope, intercept = (float(v) for v in estimator.calibration_)
    if not slope > 0:
        return None
    logit = _platt_logit_needed(estimator, min_probability)
    if logit is None:
        return None
    if isinstance(estimator, EnsembleLinkage):
        if not all(float(m.calibration_[0]) > 0 for m in estimator.members()):
            return None  # a member whose log-odds fall as its raw score rises
        return estimator.members_sum_needed(min_probability) - SLACK
    if isinstance(estimator, LogisticLinkage):
        return logit - SLACK  # its bound (logistic_bound_sql) is of the calibrated log-odds
    return (logit - intercept) / slope - SLACK


@dataclass(frozen=True)
class EnsembleBound:
    """An upper bound of the ensemble's members' summed calibrated log-odds.

    ``members`` is SQL (over ``a``, ``b`` of :data:`BOUNDED_CASES`) of the
    naive Bayes and logistic members' bounds summed (their calibrated
    log-odds; :func:`bound_sql`, :func:`logistic_bound_sql`); the boosted
    member's bound is its ``trees`` (a :class:`TreeBound`) on its calibration
    ``tree_calibration`` (slope, intercept), read in Python.
    """

    members: str
    trees: TreeBound
    tree_calibration: tuple[float, float]

    def trees_needed(self, members: np.ndarray, needed: float) -> np.ndarray:
        """The raw tree score each pair needs, given its ``members`` bound."""
        slope, intercept = self.tree_calibration
        return (needed - np.asarray(members, dtype=float) - intercept) / slope

    def members_needed(self, needed: float) -> float:
        """The ``members`` bound below which a pair cannot reach ``needed``
        whatever its trees: ``needed`` less the trees' largest calibrated sum."""
        t = self.trees.trees
        ends = [*t.roots[1:].tolist(), len(t.value)]
        top = t.baseline + sum(
            float(np.max(t.value[r:e][t.is_leaf[r:e]])) for r, e in zip(t.roots, ends, strict=True)
        )
        slope, intercept = self.tree_calibration
        return needed - (slope * top + intercept) - SLACK

    def reaches(self, members: np.ndarray, trees: np.ndarray, needed: float) -> np.ndarray:
        """True for each pair whose bound reaches ``needed``, given its
        ``members`` bound and its tree-bound inputs ``trees``: the trees are
        read (by their cascade) against what the other two members leave."""
        return tree_reaches(self.trees.trees, trees, self.trees_needed(members, needed))


def logistic_best_case(
    comparisons: Sequence[Comparison],
    rarest: Mapping[str, float],
    given: Mapping[str, str] | None = None,
) -> tuple[tuple[str, str], ...] | None:
    """(column, SQL over ``a``, ``b``) of every comparison column at the
    logistic model's best case: a cheap column's exact value; a joined one
    NULL where the cases' rows show it missing, else its best value
    (similarity 1; an MO attribute shared, overlap 1, at the rarity of its
    rarest value, ``rarest[name]``). ``None`` when a joined comparison is of
    a kind with no known best case."""
    given = given or {}
    out: list[tuple[str, str]] = []
    for comp in comparisons:
        if is_cheap(comp):
            for column, formula in comp.columns:
                sql = given[comp.name] if comp.name in given and len(comp.columns) == 1 else None
                out.append((column, sql or formula.sql()))
            continue
        missing = _missing_sql(comp)
        if missing is None or comp.kind not in ("similarity", "agreement"):
            return None
        best = [1.0] if comp.kind == "similarity" else [1.0, float(rarest.get(comp.name, 0.0))]
        if len(best) != len(comp.columns):
            return None
        for (column, _), value in zip(comp.columns, best, strict=True):
            out.append((column, f"CASE WHEN {missing} THEN NULL ELSE {_num(value)} END"))
    return tuple(out)


def _rarity_level(comp: Comparison, rarity: float) -> int:
    """The level of sharing a value of ``rarity`` (-ln share): rare 4, uncommon 3, common 2."""
    level = comp.rarity_class_formula(Lit(rarity, True)).evaluate(lambda _a, _n: np.zeros(1))
    return int(np.asarray(level).ravel()[0])


def _outcomes(
    comp: Comparison, values: Sequence[Formula], table: Sequence[float], gated: Mapping[str, float]
) -> Formula:
    """The comparison's level declaration with ``table[level]`` as each
    level's outcome, plus, for a shared value, ``gated`` coefficients times
    its rarity (and overlap)."""
    zero = Lit(0.0, True)

    def outcome(level: int) -> Formula:
        out: Formula = Lit(float(table[level]), True)
        if comp.kind in ("case_type", "agreement") and level >= 2:
            out = out + gated["rarity"] * Coalesce(values[1], zero)
            if comp.kind == "agreement":
                out = out + gated["overlap"] * Coalesce(values[0], zero)
        return out

    return comp.level_formula(values, outcome)


def logistic_bound_sql(
    comparisons: Sequence[Comparison],
    logistic: LogisticLinkage,
    rarest: Mapping[str, float],
    given: Mapping[str, str] | None = None,
) -> str | None:
    """SQL (over ``a``, ``b``) of a logistic model's calibrated log-odds at
    its best case (:func:`logistic_best_case`): an upper bound of its score.

    The model's features (:func:`caselink.linkage.models.logistic.design`)
    rendered per comparison: the coefficients of its level indicators as one
    outcome per level of the comparison's own level declaration, plus its
    smooth, rarity and overlap terms; the pooled MO features summed over the
    attributes, the share of recorded values shared as their quotient.
    ``None`` when a feature of the model is not rendered here (then there is
    no bound, not a wrong one).
    """
    given = given or {}
    comps = list(comparisons)
    if len(comps) != len(logistic._comparisons()):
        raise ValueError("the comparisons must be the model's own")
    table = logistic.coefficients()
    coef = dict(zip(table["feature"], table["coefficient"].astype(float), strict=True))
    if len(coef) != len(table):
        return None
    used: set[str] = set()

    def c(name: str) -> float:
        used.add(name)
        return float(coef.get(name, 0.0))

    pooled = any(comp.kind == "agreement" and comp.name != "victim_group" for comp in comps)
    ps, pr, pd_ = (
        (c("MO:values shared"), c("MO:rarity of shared values"), c("MO:values differing"))
        if pooled
        else (0.0, 0.0, 0.0)
    )
    terms: list[str] = [_num(float(logistic.intercept_))]
    gated: dict[str, float] = {}
    smooth = 0.0
    shared: list[str] = []  # per MO attribute: 1 when a value is shared
    recorded: list[str] = []  # per MO attribute: 1 when shared or differing
    for comp in comps:
        n, kind = comp.name, comp.kind
        mo = kind == "agreement" and n != "victim_group"
        if kind in ("closeness", "similarity"):
            steps = [c(f"{n}:level>={k}") for k in range(2, comp.n_levels)]
            table_ = [c(f"{n}:missing")] + [
                sum(steps[: max(0, lv - 1)]) for lv in range(1, comp.n_levels)
            ]
            smooth = c(f"{n}:log1p" if kind == "closeness" else n)
        elif kind == "binary":
            table_ = [c(f"{n}:missing"), 0.0, c(f"{n}:same")]
        elif kind == "case_type":
            steps = [c(f"{n}:same family"), c(f"{n}:same type"), c(f"{n}:uncommon type")]
            table_ = [sum(steps[:lv]) for lv in range(comp.n_levels)]
            gated = {"rarity": c(f"{n}:rarity")}
        else:
            steps = [c(f"{n}:shared"), c(f"{n}:shared uncommon"), c(f"{n}:shared rare")]
            table_ = [c(f"{n}:missing"), pd_ if mo else 0.0] + [
                sum(steps[: lv - 1]) + (ps if mo else 0.0) for lv in range(2, comp.n_levels)
            ]
            gated = {"rarity": c(f"{n}:rarity") + (pr if mo else 0.0), "overlap": c(f"{n}:overlap")}
        if is_cheap(comp):
            values: list[Formula] = [f for _, f in comp.columns]
            if n in given and len(values) == 1:
                values = [Sql(given[n])]
            terms.append(_outcomes(comp, values, table_, gated).sql())
            if kind in ("closeness", "similarity") and smooth != 0.0:
                raw = Coalesce(values[0], Lit(0.0, True))
                term = fn("LN", fn("GREATEST", raw, 0.0) + 1.0) if kind == "closeness" else raw
                terms.append((smooth * term).sql())
            if mo:
                shared.append(comp.level_formula(values, lambda lv: Lit(float(lv >= 2))).sql())
                recorded.append(comp.level_formula(values, lambda lv: Lit(float(lv >= 1))).sql())
            continue
        missing = _missing_sql(comp)
        if missing is None or kind not in ("similarity", "agreement"):
            return None
        if kind == "similarity":
            best = table_[-1] + smooth * 1.0
        else:
            top = float(rarest.get(n, 0.0))
            best = table_[_rarity_level(comp, top)] + gated["rarity"] * top + gated["overlap"]
        terms.append(f"CASE WHEN {missing} THEN {_num(table_[0])} ELSE {_num(best)} END")
        if mo:
            flag = f"CASE WHEN {missing} THEN 0.0 ELSE 1.0 END"
            shared.append(flag)
            recorded.append(flag)
    if shared:
        share = c("MO:share of recorded values shared")
        terms.append(
            f"{_num(share)} * ({' + '.join(shared)}) / GREATEST({' + '.join(recorded)}, 1.0)"
        )
    if any(v != 0.0 for k, v in coef.items() if k not in used):
        return None  # a feature this rendering does not know
    a, b = (float(v) for v in logistic.calibration_)
    return f"({_num(a)} * (" + "\n   + ".join(terms) + f") + {_num(b)})"


@dataclass(frozen=True)
class Reach:
    """A model's bound, for the engine's staged blocking.

    Per pair of ``rule_pairs r`` joined to ``cases_table a`` and ``b``: either
    ``bound``, SQL over ``a``, ``b``, ``r`` (the naive Bayes models), or
    ``trees`` (a :class:`TreeBound`, whose inputs are computed in SQL and its
    trees evaluated on them by the compiled predictor), or ``ensemble`` (an
    :class:`EnsembleBound`). A pair whose bound is below ``needed`` cannot
    reach the threshold.
    """

    cases_table: str
    needed: float
    bound: str | None = None
    trees: TreeBound | None = None
    ensemble: EnsembleBound | None = None

    def bound_sql(self) -> str | None:
        """The bound as one SQL expression (over ``a``, ``b`` and given
        columns); ``None`` for the ensemble's, read partly in Python."""
        if self.bound is not None:
            return self.bound
        if self.trees is not None:
            return trees_sql(self.trees.trees, self.trees.inputs)
        return None

    def reachable_sql(self, joined: str) -> str:
        """SELECT case_a, case_b of the pairs of ``joined`` (``FROM rule_pairs
        r JOIN ... a JOIN ... b``) whose SQL bound (:attr:`bound`) reaches
        :attr:`needed`: the bound computed as a column behind a materialised
        CTE, then filtered (DuckDB evaluates it several times slower as a
        filter pushed into the join)."""
        if self.bound is None:
            raise ValueError("only a bound given as SQL (naive Bayes, logistic) is read in SQL")
        return (
            "WITH scored AS MATERIALIZED (\n"
            f"SELECT r.case_a, r.case_b, {self.bound} AS bound {joined}\n)\n"
            f"SELECT case_a, case_b FROM scored WHERE bound >= {_num(self.needed)}"
        )


def model_reach(
    comparisons: Sequence[Comparison],
    estimator: LinkageModelBase,
    min_probability: float,
    given: Mapping[str, str] | None = None,
    rarest: Mapping[str, float] | None = None,
) -> Reach | None:
    """The model's :class:`Reach` for ``min_probability``; ``None`` when no
    pair can be ruled out (see :func:`needed_raw_score`). A logistic model's
    and an ensemble's need ``rarest``: the rarity (-ln share) of each
    multi-valued MO attribute's rarest value (without it, no bound)."""
    needed = needed_raw_score(estimator, min_probability)
    if needed is None:
        return None
    weights = additive_weights(estimator)
    if weights is not None:
        return Reach(BOUNDED_CASES, needed, bound=bound_sql(comparisons, weights, given))
    if isinstance(estimator, EnsembleLinkage):
        return _ensemble_reach(comparisons, estimator, needed, given, rarest)
    if isinstance(estimator, LogisticLinkage):
        linear = (
            None if rarest is None else logistic_bound_sql(comparisons, estimator, rarest, given)
        )
        return None if linear is None else Reach("cases", needed, bound=linear)
    assert isinstance(estimator, BoostedLinkage)
    if len(comparisons) != len(estimator._comparisons()):
        raise ValueError("the comparisons must be the model's own")
    features = tree_features(comparisons, estimator.used_columns_, given)
    return Reach("cases", needed, trees=tree_bound(estimator.trees_, features))


def _ensemble_reach(
    comparisons: Sequence[Comparison],
    estimator: EnsembleLinkage,
    needed: float,
    given: Mapping[str, str] | None,
    rarest: Mapping[str, float] | None,
) -> Reach | None:
    naive_bayes, logistic, boosted = estimator.members()
    weights = additive_weights(naive_bayes)
    if (
        weights is None
        or rarest is None
        or not isinstance(logistic, LogisticLinkage)
        or not isinstance(boosted, BoostedLinkage)
    ):
        return None
    if len(comparisons) != len(boosted._comparisons()):
        raise ValueError("the comparisons must be the model's own")
    linear = logistic_bound_sql(comparisons, logistic, rarest, given)
    if linear is None:
        return None
    raw = bound_sql(comparisons, weights, given)
    slope, intercept = (float(v) for v in boosted.calibration_)
    features = tree_features(comparisons, boosted.used_columns_, given)
    bound = EnsembleBound(
        members=f"({_num(weights.slope)} * {raw} + {_num(weights.intercept)}\n   + {linear})",
        trees=tree_bound(boosted.trees_, features),
        tree_calibration=(slope, intercept),
    )
    return Reach(BOUNDED_CASES, needed, ensemble=bound)


def reach_parts(
    comparisons: Sequence[Comparison],
    estimator: LinkageModelBase,
    min_probability: float,
    given: Mapping[str, str] | None = None,
) -> tuple[str, str] | None:
    """The bound's SQL (aliases ``a``, ``b`` of :func:`reach_cases_table`;
    ``given`` as in :func:`bound_sql`) and the literal it must reach for
    ``min_probability``; ``None`` when no pair can be ruled out (see
    :func:`needed_raw_score`)."""
    reach = model_reach(comparisons, estimator, min_probability, given)
    sql = None if reach is None else reach.bound_sql()
    return None if reach is None or sql is None else (sql, _num(reach.needed))


def reach_cases_table(estimator: LinkageModelBase) -> str:
    """The table the bound's ``a`` and ``b`` are rows of: :data:`BOUNDED_CASES`
    for the models with a naive Bayes part (see :func:`bounded_cases_sql`),
    else ``cases``."""
    return BOUNDED_CASES if bound_weights(estimator) is not None else "cases"


def reach_condition(
    comparisons: Sequence[Comparison],
    estimator: LinkageModelBase,
    min_probability: float,
) -> str | None:
    """A SQL condition (aliases ``a``, ``b`` of :func:`reach_cases_table`) true
    for every pair that can reach ``min_probability``; ``None`` when no pair
    can be ruled out (see :func:`needed_raw_score`)."""
    parts = reach_parts(comparisons, estimator, min_probability)
    return None if parts is None else f"{parts[0]} >= {parts[1]}"
