"""The comparisons of a candidate pair, declared once.

Each :class:`Comparison` names its output columns and the formula of each
(:mod:`caselink.linkage.formulas`, over the aliases ``a``/``b`` for the two
cases, ``s`` for the values they share and ``t`` for their shared text
tokens), and how its raw values fall into the discrete *levels* that the
naive Bayes models weigh and the explanations name. The formula is the one
declaration both scoring paths read: the batch path renders it as SQL
(:mod:`caselink.linkage.sqlgen`), the one-case path evaluates it on the arrays
of :class:`caselink.linkage.case_index.CaseIndex`.

Kinds of comparison:

``closeness``
    one non-negative number where smaller means closer (distance in km, days
    apart, hours apart in time of day, age difference, numeric MO difference);
    levels: missing, then one per bin of ``edges``.
``similarity``
    one number in [0, 1] where larger means more alike (TF-IDF cosine of text);
    levels: missing, then one per bin of ``edges``.
``agreement``
    a categorical or multi-valued attribute: ``<name>_overlap`` (Jaccard
    similarity of the value sets; 1/0 for a categorical) and
    ``<name>_rarity`` (-ln of the share of cases that have the rarest shared
    value); levels: missing, no shared value, shares a common / uncommon /
    rare value. The rarity levels are the term-frequency adjustment.
``binary``
    same / different (victim sex); levels: missing, different, same.
``case_type``
    levels: different family, same family but different type, same type
    (common / uncommon / rare type).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from caselink.linkage.config import LinkageConfig
from caselink.linkage.formulas import (
    NULL,
    Case,
    Coalesce,
    Col,
    Columns,
    Compare,
    Double,
    Formula,
    IsNull,
    Lit,
    eq,
    fn,
    quote,
    when,
)
from caselink.linkage.tables import text_fields
from caselink.records.geodesy import EARTH_RADIUS_KM
from caselink.records.model import AttributeKind, AttributeSchema

ComparisonKind = Literal["closeness", "similarity", "agreement", "binary", "case_type"]

AGREEMENT_LEVELS = ("missing", "no shared value", "common", "uncommon", "rare")
CASE_TYPE_LEVELS = ("different family", "same family", "common", "uncommon", "rare")
BINARY_LEVELS = ("missing", "different", "same")


q = quote
"""A quoted SQL identifier (MO attribute names may be SQL keywords)."""


@dataclass(frozen=True)
class Comparison:
    """One comparison: its SQL columns and its levels.

    Attributes
    ----------
    name
        Comparison name (``distance``, ``days``, an MO attribute name, ...).
    kind
        See the module docstring.
    columns
        ``(column, formula)`` pairs (:class:`~caselink.linkage.formulas.Formula`:
        rendered as SQL by the batch path, evaluated on arrays by the one-case
        path); the first column drives the levels of
        ``closeness``/``similarity``/``binary`` comparisons.
    edges
        Bin edges of ``closeness``/``similarity`` levels; for ``agreement`` and
        ``case_type`` the (rare, uncommon) share thresholds.
    label
        The analyst's word for what is compared.
    """

    name: str
    kind: ComparisonKind
    columns: tuple[tuple[str, Formula], ...]
    edges: tuple[float, ...] = ()
    label: str = ""
    source: Literal["values", "columns"] = "values"
    """Where an ``agreement``/``case_type`` comparison finds its values: the
    ``case_values`` join (multi-valued attributes), or the ``<name>_value`` and
    ``<name>_share`` columns of ``cases`` (single-valued ones; no join, same
    numbers)."""

    def sql_columns(self) -> list[tuple[str, str]]:
        """``(column, SQL expression)`` of each output column (aliases a, b, s, t)."""
        return [(c, f.sql()) for c, f in self.columns]

    def evaluate(self, columns: Columns) -> dict[str, np.ndarray]:
        """Each output column computed on arrays (see :mod:`caselink.linkage.formulas`)."""
        return {c: f.evaluate(columns) for c, f in self.columns}

    @property
    def column_names(self) -> list[str]:
        """Names of the output columns."""
        return [c for c, _ in self.columns]

    @property
    def n_levels(self) -> int:
        """Number of levels (missing included)."""
        if self.kind in ("closeness", "similarity"):
            return len(self.edges) + 2
        if self.kind == "binary":
            return 3
        return 5

    def level_names(self) -> list[str]:
        """Names of the levels, for reports."""
        if self.kind in ("closeness", "similarity"):
            bounds = (
                [0.0, *self.edges, float("inf")]
                if self.kind == "closeness"
                else [
                    0.0,
                    *self.edges,
                    1.0,
                ]
            )
            return ["missing"] + [f"[{lo:g}, {hi:g})" for lo, hi in itertools.pairwise(bounds)]
        if self.kind == "binary":
            return list(BINARY_LEVELS)
        if self.kind == "case_type":
            return list(CASE_TYPE_LEVELS)
        return list(AGREEMENT_LEVELS)

    def levels(self, frame: pd.DataFrame) -> np.ndarray:
        """The level (0..n_levels-1) of each row of a comparison frame."""
        values = [Col("frame", c) for c in self.column_names]
        level = self.level_formula(values).evaluate(
            lambda _alias, name: frame[name].to_numpy(dtype=float)
        )
        return np.broadcast_to(level, len(frame)).astype(np.int64)

    def level_formula(
        self,
        values: Sequence[Formula],
        outcome: Callable[[int], Formula] = Lit,
        shared: Formula | None = None,
    ) -> Formula:
        """How the comparison's values fall into levels: the one declaration of its levels.

        Parameters
        ----------
        values
            A formula of each output column (the columns of a comparison
            frame, or the comparison's own formulas in SQL).
        outcome
            What each level gives: the level number (default), or e.g. the
            model's log ratio of the level (the bound's SQL,
            :mod:`caselink.linkage.bounds`).
        shared
            For ``agreement``/``case_type``: what sharing a value gives, when
            it is known otherwise (a column holding the outcome of the
            value's rarity class); default :meth:`rarity_class_formula`.
        """
        first = values[0]
        if self.kind in ("closeness", "similarity"):
            bins = [
                (Compare("<", first, Lit(e, True)), outcome(i + 1))
                for i, e in enumerate(self.edges)
            ]
            return Case(((IsNull(first), outcome(0)), *bins), outcome(len(self.edges) + 1))
        if self.kind == "binary":
            return when((IsNull(first), outcome(0)), (Compare(">", first, Lit(0.5)), outcome(2)),
                        otherwise=outcome(1))  # fmt: skip
        rarity = shared if shared is not None else self.rarity_class_formula(values[1], outcome)
        if self.kind == "case_type":
            same_type, same_family = (
                Compare(">", first, Lit(0.5)),
                Compare(">", values[2], Lit(0.5)),
            )
            return when((same_type, rarity), (same_family, outcome(1)), otherwise=outcome(0))
        return when((IsNull(first), outcome(0)), (Compare(">", first, Lit(0)), rarity),
                    otherwise=outcome(1))  # fmt: skip

    def rarity_class_formula(
        self, rarity: Formula, outcome: Callable[[int], Formula] = Lit
    ) -> Formula:
        """Level of sharing a value by its rarity (-ln share): rare 4, uncommon 3, common 2."""
        rare, uncommon = self.edges
        share = fn("EXP", -rarity)
        return when(
            (Compare("<=", share, Lit(rare + 1e-12, True)), outcome(4)),
            (Compare("<=", share, Lit(uncommon + 1e-12, True)), outcome(3)),
            otherwise=outcome(2),
        )


def distance_formula(config: LinkageConfig) -> Formula:
    """Distance in km between ``a`` and ``b`` (great-circle or planar)."""
    if config.geometry == "planar":
        dx, dy = Col("a", "x") - Col("b", "x"), Col("a", "y") - Col("b", "y")
        return fn("SQRT", fn("POWER", dx, 2) + fn("POWER", dy, 2)) / 1000.0
    lat_a, lat_b, lon_a, lon_b = Col("a", "lat"), Col("b", "lat"), Col("a", "lon"), Col("b", "lon")
    h = fn("POWER", fn("SIN", fn("RADIANS", lat_b - lat_a) / 2.0), 2) + fn(
        "COS", fn("RADIANS", lat_a)
    ) * fn("COS", fn("RADIANS", lat_b)) * fn(
        "POWER", fn("SIN", fn("RADIANS", lon_b - lon_a) / 2.0), 2
    )
    return 2.0 * Lit(EARTH_RADIUS_KM) * fn("ASIN", fn("LEAST", 1.0, fn("SQRT", h)))


def distance_sql(config: LinkageConfig) -> str:
    """SQL of the distance in km between ``a`` and ``b`` (great-circle or planar)."""
    return distance_formula(config).sql()


DAYS = fn(
    "GREATEST",
    0.0,
    fn("GREATEST", Col("a", "t_from"), Col("b", "t_from"))
    - fn("LEAST", Col("a", "t_to"), Col("b", "t_to")),
)
"""Days between the two time windows (0 when they overlap)."""
DAYS_SQL = DAYS.sql()


def _agreement_columns(name: str, single: bool = False) -> tuple[tuple[str, Formula], ...]:
    """Overlap (Jaccard) and rarity columns of an attribute.

    A single-valued attribute is compared on the ``cases`` columns
    ``<name>_value``/``<name>_share`` (overlap 1 or 0; rarity of the shared
    value): the same numbers the ``case_values`` join gives, without the join
    and its GROUP BY, which dominate the cost at scale.
    """
    n_a, n_b = Col("a", name + "_n"), Col("b", name + "_n")
    either_empty = eq(n_a, 0) | eq(n_b, 0)
    if single:
        same = eq(Col("a", name + "_value"), Col("b", name + "_value"))
        return (
            (f"{name}_overlap", when((either_empty, NULL), (same, 1.0), otherwise=0.0)),
            (f"{name}_rarity", when((same, -fn("LN", Col("a", name + "_share"))))),
        )
    shared = Coalesce(Col("s", name + "_shared"), Lit(0))
    return (
        (
            f"{name}_overlap",
            when((either_empty, NULL), otherwise=Double(shared) / (n_a + n_b - shared)),
        ),
        (
            f"{name}_rarity",
            when((Compare(">", shared, Lit(0)), -fn("LN", Col("s", name + "_share")))),
        ),
    )


def build_comparisons(
    schema: AttributeSchema,
    config: LinkageConfig,
    frame: pd.DataFrame | None = None,
) -> list[Comparison]:
    """All comparisons for a data set with MO attributes ``schema``.

    Parameters
    ----------
    schema
        MO attributes; each gets the comparison of its kind.
    config
        Geometry and level edges.
    frame
        Cases frame used to choose the level edges of numeric MO attributes
        (quartiles of the absolute difference over pairs of cases); without
        it, edges at 1, 2 and 4 units are used.
    """
    rare_uncommon = (config.rare_value_share, config.uncommon_value_share)
    tod_a, tod_b = Col("a", "tod"), Col("b", "tod")
    sex_a, sex_b = Col("a", "victim_sex"), Col("b", "victim_sex")
    comps = [
        Comparison(
            "distance",
            "closeness",
            (("distance_km", distance_formula(config)),),
            config.distance_edges_km,
            "km apart",
        ),
        Comparison("days", "closeness", (("days_apart", DAYS),), config.days_edges, "days"),
        Comparison(
            "time_of_day",
            "closeness",
            (
                (
                    "tod_gap_h",
                    when(
                        (IsNull(tod_a) | IsNull(tod_b), NULL),
                        otherwise=fn(
                            "LEAST", fn("ABS", tod_a - tod_b), 24.0 - fn("ABS", tod_a - tod_b)
                        ),
                    ),
                ),
            ),
            config.tod_edges_h,
            "hours apart in time of day",
        ),
        Comparison(
            "case_type",
            "case_type",
            (
                *_agreement_columns("case_type", single=True),
                (
                    "same_family",
                    when((eq(Col("a", "family"), Col("b", "family")), 1.0), otherwise=0.0),
                ),
            ),
            rare_uncommon,
            "case type",
            "columns",
        ),
        Comparison(
            "victim_age",
            "closeness",
            (("victim_age_gap", fn("ABS", Col("a", "victim_age") - Col("b", "victim_age"))),),
            config.age_edges,
            "victims' ages",
        ),
        Comparison(
            "victim_sex",
            "binary",
            (
                (
                    "victim_same_sex",
                    when(
                        (IsNull(sex_a) | IsNull(sex_b), NULL),
                        (eq(sex_a, sex_b), 1.0),
                        otherwise=0.0,
                    ),
                ),
            ),
            (),
            "victims' sex",
        ),
        Comparison(
            "victim_group",
            "agreement",
            _agreement_columns("victim_group", single=True),
            rare_uncommon,
            "victim group",
            "columns",
        ),
    ]
    for spec in schema.attributes:
        label = spec.name.replace("_", " ")
        if spec.kind in (AttributeKind.CATEGORICAL, AttributeKind.MULTI):
            single = spec.kind is AttributeKind.CATEGORICAL
            comps.append(
                Comparison(
                    spec.name,
                    "agreement",
                    _agreement_columns(spec.name, single),
                    rare_uncommon,
                    label,
                    "columns" if single else "values",
                )
            )
        elif spec.kind is AttributeKind.NUMERIC:
            edges = _numeric_edges(frame[spec.name] if frame is not None else None)
            comps.append(
                Comparison(
                    spec.name,
                    "closeness",
                    ((f"{spec.name}_diff", fn("ABS", Col("a", spec.name) - Col("b", spec.name))),),
                    edges,
                    label,
                )
            )
    for fld in text_fields(schema):
        norm_a, norm_b = Col("a", fld + "_norm"), Col("b", fld + "_norm")
        dot = Coalesce(Col("t", fld + "_dot"), Lit(0.0))
        comps.append(
            Comparison(
                fld,
                "similarity",
                (
                    (
                        f"{fld}_cosine",
                        when(
                            (IsNull(norm_a) | IsNull(norm_b), NULL),
                            otherwise=fn("LEAST", 1.0, dot / (norm_a * norm_b)),
                        ),
                    ),
                ),
                config.similarity_edges,
                fld.replace("_", " "),
            )
        )
    return comps


def comparison_columns(comparisons: Sequence[Comparison]) -> list[str]:
    """All output columns of ``comparisons`` in order."""
    return [c for comp in comparisons for c in comp.column_names]


def _numeric_edges(values: pd.Series | None) -> tuple[float, ...]:
    if values is None:
        return (1.0, 2.0, 4.0)
    x = pd.to_numeric(values).dropna().to_numpy(dtype=float)
    if len(x) < 10:
        return (1.0, 2.0, 4.0)
    rng = np.random.default_rng(0)
    i = rng.integers(0, len(x), 20_000)
    j = rng.integers(0, len(x), 20_000)
    diffs = np.abs(x[i] - x[j])
    edges = sorted({float(v) for v in np.quantile(diffs, [0.25, 0.5, 0.75]) if v > 0})
    return tuple(edges) or (1.0,)
