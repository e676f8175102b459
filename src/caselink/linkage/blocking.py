"""Candidate pairs: blocking rules an analyst can read, run as SQL.

No all-pairs loop: each rule is an equi-join (neighbouring grid cells; equal
case family and MO value; equal rare values; equal victim group and case
family) followed by an exact distance/time filter, so it runs in DuckDB here
and on a distributed SQL engine later.
A pair is a candidate when any rule keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import duckdb
import pandas as pd

from caselink.linkage.comparisons import DAYS_SQL, distance_sql, q
from caselink.linkage.config import SERIOUS_TYPES, LinkageConfig
from caselink.linkage.sqlgen import to_dialect
from caselink.records.model import AttributeKind, AttributeSchema

RuleKind = Literal["near", "rare_value", "victim_group"]
SAME_COLUMNS = frozenset({"case_type", "family", "victim_group", "victim_sex"})


@dataclass(frozen=True)
class BlockingRule:
    """One blocking rule.

    Attributes
    ----------
    kind
        ``near``: within ``km`` and ``days`` (and, with ``same``, equal on
        those columns, e.g. case family and location type; with ``types``,
        both cases of those case types); ``rare_value``: share a value of any
        categorical/multi attribute held by at most ``max_cases`` cases (an
        absolute count, not a share: a share of a national data set is
        hundreds of thousands of cases and would pair them all);
        ``victim_group``: same victim group (other than ``general``) and same
        case family within ``days``.
    groups_only
        ``near`` rules only: both victims in a named group (not ``general``);
        with ``same=("victim_group",)`` this is "same victim group, nearby".
    uncommon
        ``near`` rules only: ``(attribute, share)`` pairs; each case's value
        of that single-valued attribute (case type, victim group, a
        categorical MO attribute) must be held by at most that share of the
        cases. With ``same`` on the attribute this is "share an uncommon
        value": such a rule can reach far in space and time, because few
        cases hold the value, and sharing it is strong evidence.
    """

    kind: RuleKind
    km: float = 0.0
    days: float = 0.0
    max_cases: int = 0
    same: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    groups_only: bool = False
    uncommon: tuple[tuple[str, float], ...] = ()

    def describe(self) -> str:
        """The rule in an analyst's words."""
        if self.kind == "near":
            text = f"within {self.km:g} km and {self.days:g} days"
            if self.same:
                text = "same " + " and ".join(s.replace("_", " ") for s in self.same) + ", " + text
            if self.types:
                text = "both " + "/".join(self.types) + ": " + text
            if self.groups_only:
                text = "victims in a named group (not general), " + text
            for attr, share in self.uncommon:
                text += f", {attr.replace('_', ' ')} held by at most {share:.0%} of cases"
            return text
        if self.kind == "rare_value":
            return f"share an MO value held by at most {self.max_cases} cases"
        return f"same victim group (not general) and same case family within {self.days:g} days"

    def _near_parts(self, cases_table: str) -> tuple[str, list[str]]:
        """A near rule's grid join (``FROM ... JOIN ... ON``) and its tests
        beyond distance and days (case types, named groups) over ``a``, ``b``."""
        # Neighbouring cells of side km (5% margin for the local projection)
        # and neighbouring time slices, joined on the ``same`` columns too:
        # every rule is a local join, so pairs grow with local density, never
        # with the square of a case family or of the years held. Two cases
        # within ``days`` have starts at most ``days`` plus the longest time
        # window apart, so slices of that length lose no pair.
        size = self.km * 1.05
        span = f"({self.days!r} + (SELECT MAX(t_to - t_from) FROM cases))"
        held = " AND ".join(f"{q(attr + '_share')} <= {share!r}" for attr, share in self.uncommon)
        cells = (
            f"SELECT *, CAST(FLOOR(x_km / {size!r}) AS BIGINT) AS gx, "
            f"CAST(FLOOR(y_km / {size!r}) AS BIGINT) AS gy, "
            f"CAST(FLOOR(t_from / {span}) AS BIGINT) AS gt FROM {cases_table}"
            + (f" WHERE {held}" if held else "")
        )
        steps = (-1, 0, 1)
        offsets = ", ".join(f"({dx}, {dy}, {dt})" for dx in steps for dy in steps for dt in steps)
        on = "".join(f" AND b.{q(c)} = a.{q(c)}" for c in self.same)
        join = (
            f"FROM ({cells}) a\n"
            f"CROSS JOIN (VALUES {offsets}) AS o(dx, dy, dt)\n"
            f"JOIN ({cells}) b ON b.gx = a.gx + o.dx AND b.gy = a.gy + o.dy"
            f" AND b.gt = a.gt + o.dt{on}\n"
        )
        tests = []
        if self.types:
            listed = ", ".join("'" + t.replace("'", "''") + "'" for t in self.types)
            tests.append(f"a.case_type IN ({listed}) AND b.case_type IN ({listed})")
        if self.groups_only:
            tests.append("a.victim_group <> 'general' AND b.victim_group <> 'general'")
        return join, tests

    def raw_pairs_sql(self, cases_table: str = "cases") -> str | None:
        """COUNT of the pairs a near rule's grid join yields before its exact
        test (what :meth:`staged_sql` holds at once); ``None`` for other rules."""
        if self.kind != "near":
            return None
        join, tests = self._near_parts(cases_table)
        where = " AND ".join(["a.case_id < b.case_id", *tests])
        return f"SELECT COUNT(*)\n{join}WHERE {where}"

    def staged_sql(
        self,
        config: LinkageConfig,
        part: tuple[int, int] | None = None,
        cases_table: str = "cases",
    ) -> str:
        """The pairs of :meth:`sql` with their ``distance_km`` and ``days_apart``
        (the comparisons' own expressions), for DuckDB: the exact test computed
        as columns of the grid join held in a materialised CTE, then filtered.

        DuckDB evaluates a test pushed into a join several times slower than
        the same expression computed as a column (measured: 4.4 s against
        1.8 s for 34 M grid pairs); the CTE stops the push, and the distance
        is computed only for pairs within the days. With ``part = (p, n)``,
        only the pairs whose first case hashes to ``p`` of ``n``, so that the
        CTE holds a bounded number of rows. ``cases_table`` (a table with the
        columns of ``cases``, e.g. the solved cases only) restricts both cases.
        """
        distance, days = distance_sql(config), DAYS_SQL
        if self.kind != "near":
            return (
                "SELECT r.case_a, r.case_b, "
                f"{distance} AS distance_km, {days} AS days_apart\n"
                f"FROM ({self.sql(config, cases_table=cases_table)}) r\n"
                f"JOIN {cases_table} a ON a.case_id = r.case_a\n"
                f"JOIN {cases_table} b ON b.case_id = r.case_b"
            )
        join, tests = self._near_parts(cases_table)
        # the case-type and named-group tests stay in WHERE: they read one
        # case each, so DuckDB pushes them into the scans before the join
        split = [f"HASH(a.case_id) % {part[1]} = {part[0]}"] if part else []
        where = " AND ".join(["a.case_id < b.case_id", *tests, *split])
        return (
            "WITH raw AS MATERIALIZED (\n"
            f"SELECT a.case_id AS case_a, b.case_id AS case_b, {days} AS days_apart,\n"
            f"  CASE WHEN {days} <= {self.days!r} THEN {distance} END AS distance_km\n"
            f"{join}WHERE {where}\n)\n"
            "SELECT case_a, case_b, distance_km, days_apart FROM raw\n"
            f"WHERE days_apart <= {self.days!r} AND distance_km <= {self.km!r}"
        )

    def sql(
        self,
        config: LinkageConfig,
        focus: str | None = None,
        where: str | None = None,
        cases_table: str = "cases",
    ) -> str:
        """SELECT case_a, case_b of the pairs this rule keeps (DuckDB dialect).

        With ``focus``, only the pairs of that case (``case_a`` is the focus).
        With ``where``, a further condition over the two cases' rows (aliases
        ``a`` and ``b`` of the ``cases`` table), applied inside the rule's join
        (e.g. :func:`caselink.linkage.bounds.reach_condition`), which may read
        the extra columns of ``cases_table`` (a view of ``cases``).
        """
        extra = f"\n  AND ({where})" if where else ""
        if focus is None:
            pair = "{a} < {b}"
        else:
            lit = "'" + focus.replace("'", "''") + "'"
            pair = "{a} = " + lit + " AND {b} <> " + lit
        if self.kind == "near":
            join, tests = self._near_parts(cases_table)
            near = [f"{distance_sql(config)} <= {self.km!r}", f"{DAYS_SQL} <= {self.days!r}"]
            conditions = "\n  AND ".join([pair.format(a="a.case_id", b="b.case_id"), *near, *tests])
            return (
                f"SELECT a.case_id AS case_a, b.case_id AS case_b\n{join}WHERE {conditions}{extra}"
            )
        if self.kind == "rare_value":
            shared = (
                "SELECT DISTINCT va.case_id AS case_a, vb.case_id AS case_b\n"
                "FROM (SELECT attr, value FROM case_values GROUP BY attr, value\n"
                f"      HAVING COUNT(*) <= {int(self.max_cases)}) rare\n"
                "JOIN case_values va ON va.attr = rare.attr AND va.value = rare.value\n"
                "JOIN case_values vb ON vb.attr = va.attr AND vb.value = va.value\n"
                f"WHERE {pair.format(a='va.case_id', b='vb.case_id')}"
            )
            if not where:
                return shared
            return (
                "SELECT r.case_a, r.case_b\n"
                f"FROM ({shared}) r\n"
                f"JOIN {cases_table} a ON a.case_id = r.case_a\n"
                f"JOIN {cases_table} b ON b.case_id = r.case_b\n"
                f"WHERE {where}"
            )
        return (
            "SELECT a.case_id AS case_a, b.case_id AS case_b\n"
            f"FROM {cases_table} a\n"
            f"JOIN {cases_table} b ON b.victim_group = a.victim_group AND b.family = a.family\n"
            f"WHERE {pair.format(a='a.case_id', b='b.case_id')}"
            " AND a.victim_group <> 'general'\n"
            f"  AND {DAYS_SQL} <= {self.days!r}{extra}"
        )


def default_rules(
    config: LinkageConfig, schema: AttributeSchema | None = None
) -> list[BlockingRule]:
    """The six rules of the ``default`` set (settings in
    :class:`~caselink.linkage.config.LinkageConfig`; what the engine uses
    unless told otherwise is :func:`rules_for_size`, which extends them):

    1. any two cases within ``near_km`` and ``near_days`` (cross-type links);
    2. same case family within ``family_km`` and ``family_days``;
    3. same case family and same ``block_attribute`` value (e.g. location
       type) within ``block_km`` and ``block_days``;
    4. both of the serious types, same family, within ``block_km`` and
       ``block_days``;
    5. sharing an MO value held by at most ``rare_block_max_cases`` cases;
    6. same non-general victim group and same family within ``group_block_days``.

    Rule 3 is left out when ``schema`` has no categorical ``block_attribute``.
    """
    rules = [
        BlockingRule("near", km=config.near_km, days=config.near_days),
        BlockingRule("near", km=config.family_km, days=config.family_days, same=("family",)),
    ]
    attribute = config.block_attribute
    if (
        attribute
        and schema is not None
        and attribute not in schema.of_kind(AttributeKind.CATEGORICAL)
    ):
        attribute = None
    if attribute:
        rules.append(
            BlockingRule(
                "near",
                km=config.block_km,
                days=config.block_days,
                same=("family", attribute),
            )
        )
    rules += [
        BlockingRule(
            "near",
            km=config.block_km,
            days=config.block_days,
            same=("family",),
            types=SERIOUS_TYPES,
        ),
        BlockingRule("rare_value", max_cases=config.rare_block_max_cases),
        BlockingRule("victim_group", days=config.group_block_days),
    ]
    return rules


def wide_rules(config: LinkageConfig, schema: AttributeSchema | None = None) -> list[BlockingRule]:
    """The default rules plus two for links that the default rules miss:

    7. same case type within ``wide_type_km`` and ``wide_type_days``
       (a series working one kind of place across a district);
    8. same named victim group (not ``general``), any case family, within
       ``block_km`` and ``wide_group_days``.

    For when losing a link the model would make costs more than scoring more
    pairs; ``benchmarks/scale_link.py --rules wide --exhaustive`` measures
    what each set loses against scoring every pair.
    """
    return [
        *default_rules(config, schema),
        BlockingRule(
            "near", km=config.wide_type_km, days=config.wide_type_days, same=("case_type",)
        ),
        BlockingRule(
            "near",
            km=config.block_km,
            days=config.wide_group_days,
            same=("victim_group",),
            groups_only=True,
        ),
    ]


def lean_rules(config: LinkageConfig) -> list[BlockingRule]:
    """Rules for national scale, where the default rules make too many pairs.

    1. same case type within 1 km and 90 days;
    2. both of the serious types and same case family within 2 km and 180 days;
    3. sharing an MO value held by at most ``rare_block_max_cases`` cases.

    About 15-20 candidate pairs per case on the synthetic city at 20,000
    cases (the default rules: about 500); pair recall of true series pairs
    falls accordingly (measured in ``benchmarks/linkage_blocking.py``).
    """
    return [
        BlockingRule("near", km=1.0, days=90.0, same=("case_type",)),
        BlockingRule("near", km=2.0, days=180.0, same=("family",), types=SERIOUS_TYPES),
        BlockingRule("rare_value", max_cases=config.rare_block_max_cases),
    ]


def national_rules(
    config: LinkageConfig, schema: AttributeSchema | None = None
) -> list[BlockingRule]:
    """Rules for a national data set that keep the links the model makes.

    At a million cases the prior odds of a link are so low that the model
    links two cases kilometres or months apart only when they share something
    uncommon, so these rules reach far only for such pairs:

    1. same case type within 1 km and 90 days;
    2. same location type, held by at most 10% of cases, within 5 km and 365 days;
    3. same victim group, held by at most 10% of cases, within 7 km and 730 days;
    4. same case type, held by at most 10% of cases, within 7 km and 365 days;
    5. same case type and same location type, held by at most 30% of cases,
       within 5 km and 365 days;
    6. sharing an MO value held by at most ``rare_block_max_cases`` cases.

    Chosen as the fewest pairs (counted at 100,000 cases) that keep 99% of the
    true series pairs the default model links at 0.5 when every true pair is
    scored directly, on two synthetic cities of 1,000,000 cases (seeds 1 and
    2); measured on a third (seed 3) and at 10,000 cases against scoring every
    pair (``benchmarks/scale_link.py``, docs/scale.md).

    Rules 2 and 5 read ``location_type``; they are left out when ``schema``
    is given and has no categorical ``location_type`` attribute.
    """
    rules = [
        BlockingRule("near", km=1.0, days=90.0, same=("case_type",)),
        BlockingRule(
            "near",
            km=5.0,
            days=365.0,
            same=("location_type",),
            uncommon=(("location_type", 0.1),),
        ),
        BlockingRule(
            "near", km=7.0, days=730.0, same=("victim_group",), uncommon=(("victim_group", 0.1),)
        ),
        BlockingRule(
            "near", km=7.0, days=365.0, same=("case_type",), uncommon=(("case_type", 0.1),)
        ),
        BlockingRule(
            "near",
            km=5.0,
            days=365.0,
            same=("case_type", "location_type"),
            uncommon=(("location_type", 0.3),),
        ),
        BlockingRule("rare_value", max_cases=config.rare_block_max_cases),
    ]
    if schema is not None and "location_type" not in schema.of_kind(AttributeKind.CATEGORICAL):
        rules = [r for r in rules if "location_type" not in r.same]
    return rules


NATIONAL_FROM_CASES = 100_000
"""From this many cases :func:`rules_for_size` uses the national rules, below
it the wide rules. Below 100k the wide rules keep every link (10k) or 99.7%
(100k) of what comparing every pair links, where the six default rules keep
97.6% at 10k; from 100k the wide rules' pairs grow too costly (82 s at 100k
against 17 s) and the national rules keep 99.2% at 1M (docs/scale.md)."""


def rule_set_for_size(n_cases: int) -> str:
    """The name of the rule set :func:`rules_for_size` uses for ``n_cases``."""
    return "wide" if n_cases < NATIONAL_FROM_CASES else "national"


def rules_for_size(
    n_cases: int, config: LinkageConfig, schema: AttributeSchema | None = None
) -> list[BlockingRule]:
    """The rule set that follows the data's size (what ``--rules auto`` and the
    engine use when no rules are named): :func:`wide_rules` below
    :data:`NATIONAL_FROM_CASES` cases, :func:`national_rules` from it."""
    if rule_set_for_size(n_cases) == "wide":
        return wide_rules(config, schema)
    return national_rules(config, schema)


RULE_SETS = ("auto", "default", "wide", "lean", "national")


def named_rules(
    name: str,
    config: LinkageConfig,
    schema: AttributeSchema | None = None,
    n_cases: int | None = None,
) -> list[BlockingRule]:
    """A rule set by name: ``auto`` (by the data's size, :func:`rules_for_size`;
    needs ``n_cases``), ``default``, ``wide``, ``lean`` or ``national`` (see each function)."""
    if name == "auto":
        if n_cases is None:
            raise ValueError("the auto rules follow the number of cases: give n_cases")
        return rules_for_size(n_cases, config, schema)
    if name == "default":
        return default_rules(config, schema)
    if name == "wide":
        return wide_rules(config, schema)
    if name == "lean":
        return lean_rules(config)
    if name == "national":
        return national_rules(config, schema)
    raise ValueError(f"rules must be one of {', '.join(RULE_SETS)}, got {name!r}")


DEFAULT_CANDIDATES_PER_CASE = 1000.0
"""The default budget of :func:`fit_reach` (``--candidates-per-case``): candidate
pairs per case, counted per rule (a pair two rules keep counts twice). Above
what the wide rules make on the 10,000-case cities of designs A and B, so
there they keep every link they kept; a denser force has its near rules'
reach shortened instead of its pairs multiplied (docs/scale.md)."""
REACH_SAMPLE_CASES = 5_000
"""Cases :func:`rule_pairs_per_case` counts pairs among (a uniform hash sample)."""
MIN_REACH_SCALE = 0.05
"""The least share of the declared pairs :func:`fit_reach` scales a rule set to
(near rules' km times sqrt(0.05) = 0.22)."""
REACH_SAMPLE_TABLE = "reach_sample"
REACH_ROUNDS = 6
"""Rounds of scaling and counting again :func:`fit_reach` makes at most: pairs
grow more slowly than the square of the reach where a rule reaches across
the city, so one round undershoots the cut."""
REACH_TOLERANCE = 1.05
"""Estimated pairs per case within this factor of the budget count as within it."""


def _raw_part_count(con: duckdb.DuckDBPyConnection, rule: BlockingRule, table: str) -> int:
    raw_sql = rule.raw_pairs_sql(table)
    return int(con.execute(raw_sql).fetchall()[0][0]) if raw_sql else 0


def rule_pairs_per_case(
    con: duckdb.DuckDBPyConnection,
    rules: Sequence[BlockingRule],
    config: LinkageConfig,
    sample_cases: int = REACH_SAMPLE_CASES,
    max_raw_pairs: int = 20_000_000,
) -> list[float]:
    """Each rule's pairs per case, estimated from the pairs among a uniform
    hash sample of about ``sample_cases`` of the ``cases`` table's cases: a
    pair is among them with chance ``share**2``, so the count over ``share**2``
    estimates the rule's pairs (exact when every case is sampled). Counts run
    in DuckDB, in parts of at most ``max_raw_pairs`` grid pairs."""
    n = int(con.execute("SELECT COUNT(*) FROM cases").fetchall()[0][0])
    if n < 2:
        return [0.0 for _ in rules]
    k = max(1, -(-n // sample_cases))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {REACH_SAMPLE_TABLE} AS SELECT * FROM cases"
        + (f" WHERE hash(case_id) % {k} = 0" if k > 1 else "")
    )
    m = int(con.execute(f"SELECT COUNT(*) FROM {REACH_SAMPLE_TABLE}").fetchall()[0][0])
    share = m / n
    out = []
    for rule in rules:
        parts = max(1, -(-_raw_part_count(con, rule, REACH_SAMPLE_TABLE) // max_raw_pairs))
        pairs = 0
        for p in range(parts):
            staged = rule.staged_sql(config, (p, parts) if parts > 1 else None, REACH_SAMPLE_TABLE)
            pairs += int(con.execute(f"SELECT COUNT(*) FROM ({staged})").fetchall()[0][0])
        out.append(pairs / share**2 / n if share > 0 else 0.0)
    con.execute(f"DROP TABLE IF EXISTS {REACH_SAMPLE_TABLE}")
    return out


def scaled_rules(rules: Sequence[BlockingRule], scale: float) -> list[BlockingRule]:
    """``rules`` with their density-bound pairs scaled by ``scale`` (<= 1): each
    near rule's ``km`` times sqrt(scale) (pairs within a radius grow with its
    square where cases are locally uniform), each victim-group rule's ``days``
    times ``scale`` (it pairs a whole city's cases of a group). Days of near
    rules and rare-value rules are kept: a series spreads over time whatever
    the density, and rare values are few by definition."""
    out = []
    for rule in rules:
        if rule.kind == "near":
            out.append(replace(rule, km=round(rule.km * scale**0.5, 4)))
        elif rule.kind == "victim_group":
            out.append(replace(rule, days=round(rule.days * scale, 2)))
        else:
            out.append(rule)
    return out


@dataclass(frozen=True)
class ReachChoice:
    """What :func:`fit_reach` chose: the budget, the rules' pairs per case
    before and after (estimated, counted per rule) and the scale applied."""

    budget: float
    per_case_declared: float
    per_case: float
    scale: float
    rules: tuple[BlockingRule, ...]

    @property
    def within_budget(self) -> bool:
        """Whether the chosen rules' estimated pairs per case fit the budget."""
        return self.per_case <= self.budget * REACH_TOLERANCE

    def describe(self) -> str:
        """One line for ``caselink link``/``train``."""
        if self.scale >= 1.0:
            return (
                f"candidates per case: about {self.per_case:,.0f} (budget {self.budget:,.0f}; "
                "counted per rule), the rules' declared reach"
            )
        text = (
            f"candidates per case: about {self.per_case:,.0f} (budget {self.budget:,.0f}; "
            f"counted per rule); the declared reach would make {self.per_case_declared:,.0f}, "
            f"so near rules reach x{self.scale**0.5:.2f} as far"
        )
        return text if self.within_budget else text + " (the least reach allowed: over budget)"


def fit_reach(
    con: duckdb.DuckDBPyConnection,
    rules: Sequence[BlockingRule],
    config: LinkageConfig,
    budget: float = DEFAULT_CANDIDATES_PER_CASE,
    sample_cases: int = REACH_SAMPLE_CASES,
) -> ReachChoice:
    """The rules' reach chosen from the data's own density so that candidate
    pairs per case (per rule, summed) stay within ``budget``.

    Each rule's pairs per case are estimated (:func:`rule_pairs_per_case`);
    within the budget the rules are kept as declared. Otherwise the
    density-bound rules (near, victim group) are scaled (:func:`scaled_rules`)
    by the share that would bring the sum to the budget, counted again, and
    scaled again while still over (at most :data:`REACH_ROUNDS` rounds; never
    below :data:`MIN_REACH_SCALE`). Twice the
    density thus gives about the same pairs per case, not twice as many. The
    rules stay plain :class:`BlockingRule` values (km, days), so every user of
    rules (the alert index included) honours them unchanged.
    """
    if budget <= 0:
        raise ValueError(f"candidates per case must be > 0, got {budget!r}")
    declared = rule_pairs_per_case(con, rules, config, sample_cases)
    scale, chosen, current = 1.0, list(rules), declared
    for _ in range(REACH_ROUNDS):
        if sum(current) <= budget * REACH_TOLERANCE or scale <= MIN_REACH_SCALE:
            break
        fixed = sum(c for r, c in zip(rules, current, strict=True) if r.kind == "rare_value")
        bound = sum(current) - fixed
        if bound <= 0:
            break
        scale = max(MIN_REACH_SCALE, scale * max(budget - fixed, 0.0) / bound)
        chosen = scaled_rules(rules, scale)
        current = rule_pairs_per_case(con, chosen, config, sample_cases)
    return ReachChoice(float(budget), sum(declared), sum(current), scale, tuple(chosen))


def blocking_sql(
    rules: Sequence[BlockingRule],
    config: LinkageConfig,
    focus: str | None = None,
    dialect: str = "duckdb",
    where: str | None = None,
    cases_table: str = "cases",
) -> str:
    """One SELECT of the distinct candidate pairs (``case_a`` < ``case_b``) of all rules.

    ``where`` is a further condition over the two cases, read from
    ``cases_table`` (see :meth:`BlockingRule.sql`).
    """
    if not rules:
        raise ValueError("rules must name at least one blocking rule, got none")
    union = "\nUNION ALL\n".join(
        f"SELECT case_a, case_b FROM (\n{r.sql(config, focus, where, cases_table)}\n)"
        for r in rules
    )
    sql = (
        "SELECT DISTINCT LEAST(case_a, case_b) AS case_a, GREATEST(case_a, case_b) AS case_b\n"
        f"FROM (\n{union}\n) AS candidates"
    )
    return to_dialect(sql, dialect)


def candidate_pairs(
    con: duckdb.DuckDBPyConnection,
    rules: Sequence[BlockingRule],
    config: LinkageConfig,
    focus: str | None = None,
) -> pd.DataFrame:
    """Run the blocking SQL on a connection holding the linkage tables.

    Returns a frame ``case_a, case_b`` ordered by both.
    """
    sql = blocking_sql(rules, config, focus)
    frame = con.execute(sql + "\nORDER BY case_a, case_b").df()
    return frame.astype({"case_a": object, "case_b": object})


def pair_keys(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Unordered pairs as (smaller id, larger id)."""
    return {(a, b) if a < b else (b, a) for a, b in pairs}


def blocking_recall(candidates: pd.DataFrame, true_pairs: Iterable[tuple[str, str]]) -> float:
    """Share of the true link pairs that the candidates keep (recall against
    exhaustive comparison, which keeps them all)."""
    truth = pair_keys(true_pairs)
    if not truth:
        raise ValueError("true_pairs is empty: recall is undefined")
    kept = pair_keys(zip(candidates["case_a"], candidates["case_b"], strict=True))
    return len(truth & kept) / len(truth)
