"""Blocking derived from a naive Bayes model: the pairs that share enough, at any distance.

Rules (:mod:`caselink.linkage.blocking`) stage every pair within their km
and days, and the bound (:mod:`caselink.linkage.bounds`) then keeps the few
that can reach the threshold: at a million cases most of the link's time
goes on pairs that never could. This module finds the pairs that can reach
it directly from the model's weights, the *prefix filter* of similarity
joins (Chaudhuri, Ganti and Kaushik 2006; Xiao et al. 2008, "ppjoin"):

* every comparison that reads one shared value (case type, victim group,
  location type, single- and multi-valued MO attributes) gives each case
  one *token* per value it holds, weighing its *gain*: the log ratio of
  sharing that value (its rarity class) less the larger of the
  comparison's "missing" and "different" levels. Sharing several values of
  one attribute counts once in the model but every gain here: an upper
  bound still;
* the other comparisons but distance and days (time of day, age, sex, hour,
  narrative) count at their largest log ratio (``rest``);
* a pair at distance level ``i`` and days level ``j`` (a *tier*) can reach
  the needed log-odds only if the gains of the values the two cases share
  reach ``tau = needed - prior - D[i] - G[j] - rest``;
* with each case's tokens in one order (rarest first), two cases whose
  shared gains reach ``tau`` share a token that lies in both their
  *prefixes* — the tokens from which the gain still to come is at least
  ``tau`` (the first token they share has all the shared gain at or after
  it) — so joining the prefixes on the token, within the tier's km and
  days (grid cells and time slices, as the rules join), misses no pair the
  model can link, at any distance or gap. Far tiers need much gain, so few
  cases have a prefix there at all.

The pairs are then bounded and compared as the rules' pairs are
(:meth:`caselink.linkage.engine.LinkageEngine.count_linkable`): the links
are exactly those of scoring every pair of the store (tested). Every case
has a place and a date (:func:`caselink.linkage.tables.check_frame`), so
every pair falls in one tier.

Only the additive (naive Bayes) models have the weights this reads
(:func:`caselink.linkage.bounds.additive_weights`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from caselink.linkage.bounds import AdditiveWeights
from caselink.linkage.comparisons import DAYS_SQL, Comparison, distance_sql, q
from caselink.linkage.config import LinkageConfig
from caselink.linkage.formulas import Lit

TOKENS = "prefix_tokens"
"""The DuckDB table of every case's tokens: ``case_id, tok, share, gain,
suffix`` (``suffix``: the gain of this token and of every token after it,
rarest first)."""

PLAIN_FROM_TOKENS_PER_CASE = 2.0
"""When the cases of a tier hold this many prefix tokens each on average
(a small ``tau``: most of their values), the tier is joined on the grid
alone, every pair of its cells (a superset, so still exact): DuckDB's token
join was then slower than the plain one (measured at 10,000 cases: 1.2 s
against 0.01 s per tier at 3.7 tokens per case, 0.3 s at 1.9)."""

MARGIN = 1.05
"""Grid cells are this much wider than a tier's km, as the near rules'
(the local projection's error)."""


@dataclass(frozen=True)
class Tier:
    """Pairs at a distance in ``[km_from, km_to)`` and a gap in ``[days_from,
    days_to)`` (``inf`` for the open last level), and the gain they must share."""

    km_from: float
    km_to: float
    days_from: float
    days_to: float
    tau: float


@dataclass(frozen=True)
class PrefixPlan:
    """The tokens' SQL and the tiers of one model at one threshold."""

    tokens_sql: str
    tiers: tuple[Tier, ...]


def _is_token(comp: Comparison) -> bool:
    return comp.kind in ("agreement", "case_type")


def plan(
    comparisons: Sequence[Comparison],
    weights: AdditiveWeights,
    needed: float,
) -> PrefixPlan:
    """The tokens and tiers for a model's ``weights`` and the raw log-odds
    ``needed`` (prior plus log ratios, before calibration:
    :func:`caselink.linkage.bounds.needed_raw_score`).

    Raises
    ------
    ValueError
        When the comparisons have no ``distance`` or ``days`` comparison,
        or the weights are not the comparisons' own.
    """
    if len(comparisons) != len(weights.log_ratios):
        raise ValueError(
            f"the model has {len(weights.log_ratios)} comparisons, "
            f"the data {len(comparisons)}: they must be the model's own"
        )
    rest = 0.0
    parts: list[str] = []
    by_name: dict[str, np.ndarray] = {}
    edges: dict[str, list[float]] = {}
    for comp, lr in zip(comparisons, weights.log_ratios, strict=True):
        ratios = np.asarray(lr, dtype=float)
        if comp.name in ("distance", "days") and comp.kind == "closeness":
            by_name[comp.name] = ratios
            edges[comp.name] = [0.0, *comp.edges, math.inf]  # level i + 1 is [edge i, edge i + 1)
        elif _is_token(comp):
            base = float(max(ratios[0], ratios[1]))
            rest += base
            parts.append(_tokens_of(comp, ratios, base))
        else:
            rest += float(ratios.max())
    if "distance" not in by_name or "days" not in by_name:
        raise ValueError("the prefix filter needs the distance and days comparisons")
    start = needed - weights.prior_log_odds - rest
    km, days = edges["distance"], edges["days"]
    tiers = tuple(
        Tier(
            km[i],
            km[i + 1],
            days[j],
            days[j + 1],
            float(start - by_name["distance"][i + 1] - by_name["days"][j + 1]),
        )
        for i in range(len(km) - 1)
        for j in range(len(days) - 1)
    )
    body = " UNION ALL ".join(parts) if parts else _NO_TOKENS
    tokens = (
        "SELECT case_id, tok, share, gain, SUM(gain) OVER (PARTITION BY case_id "
        "ORDER BY share DESC, tok DESC ROWS UNBOUNDED PRECEDING) AS suffix\n"
        f"FROM ({body}) WHERE gain > 0"
    )
    return PrefixPlan(tokens, tiers)


_NO_TOKENS = (
    "SELECT CAST(NULL AS VARCHAR) AS case_id, CAST(NULL AS VARCHAR) AS tok, "
    "CAST(NULL AS DOUBLE) AS share, CAST(NULL AS DOUBLE) AS gain WHERE FALSE"
)


def _num(x: float) -> str:
    """A DOUBLE literal that round-trips exactly, as the bound's SQL writes them."""
    return Lit(float(x), True).sql()


def _tokens_of(comp: Comparison, ratios: np.ndarray, base: float) -> str:
    """SQL of one comparison's tokens: ``case_id, tok, share, gain``."""
    rare, uncommon = comp.edges
    gain = (
        f"CASE WHEN share <= {_num(rare + 1e-12)} THEN {_num(ratios[4] - base)} "
        f"WHEN share <= {_num(uncommon + 1e-12)} THEN {_num(ratios[3] - base)} "
        f"ELSE {_num(ratios[2] - base)} END"
    )
    name = comp.name.replace("'", "''")
    if comp.source == "columns":
        source = (
            f"SELECT case_id, '{name}=' || {q(comp.name + '_value')} AS tok, "
            f"{q(comp.name + '_share')} AS share FROM cases "
            f"WHERE {q(comp.name + '_value')} IS NOT NULL"
        )
    else:
        source = (
            f"SELECT case_id, '{name}=' || value AS tok, share "
            f"FROM case_values WHERE attr = '{name}'"
        )
    return f"SELECT case_id, tok, share, {gain} AS gain FROM ({source})"


def _cases_sql(tau: float | None, extra: str) -> str:
    """The cases (``case_id, tok`` and ``extra`` columns over ``c``) that
    take part at ``tau``: each prefix token's case, or, when ``tau`` is
    ``None`` or not positive (a pair sharing nothing may reach the
    threshold), every case once."""
    if tau is not None and tau > 0:
        return (
            f"SELECT t.case_id, t.tok, {extra}\n"
            f"  FROM {TOKENS} t JOIN cases c ON c.case_id = t.case_id\n"
            f"  WHERE t.suffix >= {_num(tau)}"
        )
    return f"SELECT c.case_id, '' AS tok, {extra}\n  FROM cases c"


def tier_sql(
    tier: Tier, config: LinkageConfig, longest_window: float, by_token: bool = True
) -> str:
    """SELECT ``case_a, case_b, distance_km, days_apart`` of the tier's pairs
    that share a token of both prefixes (every pair of the tier when its
    ``tau`` is not positive, or without ``by_token``).

    ``longest_window`` is the longest ``t_to - t_from`` of any case (two
    cases within ``days`` have starts at most that much further apart).
    """
    size = tier.km_to * MARGIN if math.isfinite(tier.km_to) else None
    span = tier.days_to + longest_window if math.isfinite(tier.days_to) else None
    gx = f"CAST(FLOOR(c.x_km / {size!r}) AS BIGINT)" if size else "0"
    gy = f"CAST(FLOOR(c.y_km / {size!r}) AS BIGINT)" if size else "0"
    gt = f"CAST(FLOOR(c.t_from / {span!r}) AS BIGINT)" if span else "0"
    steps_xy = (-1, 0, 1) if size else (0,)
    steps_t = (-1, 0, 1) if span else (0,)
    offsets = ", ".join(f"({x}, {y}, {t})" for x in steps_xy for y in steps_xy for t in steps_t)
    within_days = [f"days_apart >= {tier.days_from!r}"]
    if math.isfinite(tier.days_to):
        within_days.append(f"days_apart < {tier.days_to!r}")
    within_km = [f"distance_km >= {tier.km_from!r}"]
    if math.isfinite(tier.km_to):
        within_km.append(f"distance_km < {tier.km_to!r}")
    place = "c.x, c.y" if config.geometry == "planar" else "c.lat, c.lon"
    columns = f"{gx} AS gx, {gy} AS gy, {gt} AS gt, {place}, c.t_from, c.t_to"
    days_ok = " AND ".join(within_days).replace("days_apart", f"({DAYS_SQL})")
    # the pairs' own columns carried through the join (no lookup of cases
    # again); the distance only for pairs within the days, as the rules do
    return (
        "WITH p AS MATERIALIZED (\n"
        f"  {_cases_sql(tier.tau if by_token else None, columns)}\n"
        "),\n"
        "joined AS MATERIALIZED (\n"
        "  SELECT a.case_id AS case_a, b.case_id AS case_b,\n"
        f"    {DAYS_SQL} AS days_apart,\n"
        f"    CASE WHEN {days_ok} THEN {distance_sql(config)} END AS distance_km\n"
        f"  FROM p a CROSS JOIN (VALUES {offsets}) AS o(dx, dy, dt)\n"
        "  JOIN p b ON b.tok = a.tok AND b.gx = a.gx + o.dx AND b.gy = a.gy + o.dy\n"
        "   AND b.gt = a.gt + o.dt\n"
        "  WHERE a.case_id < b.case_id\n"
        ")\n"
        "SELECT DISTINCT case_a, case_b, distance_km, days_apart FROM joined\n"
        f"WHERE {' AND '.join([*within_days, *within_km])}"
    )
