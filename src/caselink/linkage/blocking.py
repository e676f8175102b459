"""Candidate pairs: blocking rules an analyst can read, run as SQL.

No all-pairs loop: each rule is an equi-join (neighbouring grid cells and time
buckets; equal rare values; equal victim group and case family) followed by an
exact filter, so it runs in DuckDB here and on a distributed SQL engine later.
A pair is a candidate when any rule keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import duckdb
import pandas as pd

from caselink.linkage.comparisons import DAYS_SQL, distance_sql
from caselink.linkage.config import LinkageConfig
from caselink.linkage.sqlgen import to_dialect

RuleKind = Literal["near", "rare_value", "victim_group"]


@dataclass(frozen=True)
class BlockingRule:
    """One blocking rule.

    Attributes
    ----------
    kind
        ``near``: within ``km`` and ``days``; ``rare_value``: share a value of
        any categorical/multi attribute held by at most ``share`` of cases;
        ``victim_group``: same victim group (other than ``general``) and same
        case family within ``days``.
    """

    kind: RuleKind
    km: float = 0.0
    days: float = 0.0
    share: float = 0.0

    def describe(self) -> str:
        """The rule in an analyst's words."""
        if self.kind == "near":
            return f"within {self.km:g} km and {self.days:g} days"
        if self.kind == "rare_value":
            return f"share an MO value held by at most {self.share:.1%} of cases"
        return f"same victim group (not general) and same case family within {self.days:g} days"

    def sql(self, config: LinkageConfig, focus: str | None = None) -> str:
        """SELECT case_a, case_b of the pairs this rule keeps (DuckDB dialect).

        With ``focus``, only the pairs of that case (``case_a`` is the focus).
        """
        if focus is None:
            pair = "{a} < {b}"
        else:
            lit = "'" + focus.replace("'", "''") + "'"
            pair = "{a} = " + lit + " AND {b} <> " + lit
        if self.kind == "near":
            offsets = ", ".join(
                f"({dx}, {dy}, {dt})" for dx in (-1, 0, 1) for dy in (-1, 0, 1) for dt in (-1, 0, 1)
            )
            return (
                "SELECT DISTINCT ca.case_id AS case_a, cb.case_id AS case_b\n"
                "FROM case_cells ca\n"
                f"CROSS JOIN (VALUES {offsets}) AS o(dx, dy, dt)\n"
                "JOIN case_cells cb ON cb.gx = ca.gx + o.dx AND cb.gy = ca.gy + o.dy"
                " AND cb.tb = ca.tb + o.dt\n"
                "JOIN cases a ON a.case_id = ca.case_id\n"
                "JOIN cases b ON b.case_id = cb.case_id\n"
                f"WHERE {pair.format(a='ca.case_id', b='cb.case_id')}\n"
                f"  AND {distance_sql(config)} <= {self.km!r}\n"
                f"  AND {DAYS_SQL} <= {self.days!r}"
            )
        if self.kind == "rare_value":
            return (
                "SELECT DISTINCT va.case_id AS case_a, vb.case_id AS case_b\n"
                "FROM case_values va\n"
                "JOIN case_values vb ON vb.attr = va.attr AND vb.value = va.value\n"
                f"WHERE {pair.format(a='va.case_id', b='vb.case_id')}"
                f" AND va.share <= {self.share!r}"
            )
        return (
            "SELECT a.case_id AS case_a, b.case_id AS case_b\n"
            "FROM cases a\n"
            "JOIN cases b ON b.victim_group = a.victim_group AND b.family = a.family\n"
            f"WHERE {pair.format(a='a.case_id', b='b.case_id')}"
            " AND a.victim_group <> 'general'\n"
            f"  AND {DAYS_SQL} <= {self.days!r}"
        )


def default_rules(config: LinkageConfig) -> list[BlockingRule]:
    """The default rules: near in space and time; a shared rare value; same
    vulnerable victim group and case family."""
    return [
        BlockingRule("near", km=config.block_km, days=config.block_days),
        BlockingRule("rare_value", share=config.rare_block_max_share),
        BlockingRule("victim_group", days=config.group_block_days),
    ]


def blocking_sql(
    rules: Sequence[BlockingRule],
    config: LinkageConfig,
    focus: str | None = None,
    dialect: str = "duckdb",
) -> str:
    """One SELECT of the distinct candidate pairs (``case_a`` < ``case_b``) of all rules."""
    if not rules:
        raise ValueError("rules must name at least one blocking rule, got none")
    union = "\nUNION ALL\n".join(
        f"SELECT case_a, case_b FROM (\n{r.sql(config, focus)}\n)" for r in rules
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
