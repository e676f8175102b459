"""SQL text of the comparisons and blocking rules, per engine.

The SQL is written once in DuckDB's dialect using only portable constructs
(joins, GROUP BY, CASE, arithmetic, LN/ASIN/SQRT) and transpiled with sqlglot
for other engines (``dialect="spark"`` for Spark SQL). It reads the tables of
:mod:`caselink.linkage.tables` and a ``pairs(case_a, case_b)`` table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlglot

from caselink.linkage.comparisons import Comparison, q

SUPPORTED_DIALECTS = ("duckdb", "spark")


def to_dialect(sql: str, dialect: str) -> str:
    """Transpile DuckDB SQL to ``dialect`` (``duckdb`` returns it unchanged)."""
    if dialect not in SUPPORTED_DIALECTS:
        raise ValueError(f"dialect must be one of {SUPPORTED_DIALECTS}, got {dialect!r}")
    if dialect == "duckdb":
        return sql
    return ";\n".join(sqlglot.transpile(sql, read="duckdb", write=dialect, pretty=True))


def value_attributes_of(comparisons: Sequence[Comparison]) -> list[str]:
    """Attributes compared through the ``case_values`` join (multi-valued ones)."""
    return [
        c.name for c in comparisons if c.kind in ("agreement", "case_type") and c.source == "values"
    ]


def text_fields_of(comparisons: Sequence[Comparison]) -> list[str]:
    """Text fields compared through ``case_tokens``."""
    return [c.name for c in comparisons if c.kind == "similarity"]


def comparison_sql(
    comparisons: Sequence[Comparison], dialect: str = "duckdb", pairs: str = "pairs"
) -> str:
    """The SELECT that computes every comparison column for each row of ``pairs``.

    Parameters
    ----------
    comparisons
        The declared comparisons (:func:`caselink.linkage.comparisons.build_comparisons`).
    dialect
        ``"duckdb"`` or ``"spark"``.
    pairs
        Name of the table (or view) of pairs with columns ``case_a``, ``case_b``.

    Returns
    -------
    str
        One SELECT statement producing ``case_a``, ``case_b`` and the columns.
    """
    attrs = value_attributes_of(comparisons)
    fields = text_fields_of(comparisons)
    ctes: list[str] = []
    joins: list[str] = []
    if attrs:
        listed = ", ".join("'" + a.replace("'", "''") + "'" for a in attrs)
        pivot = ",\n    ".join(
            f"MAX(CASE WHEN attr = '{a}' THEN n_shared END) AS {q(a + '_shared')},\n    "
            f"MAX(CASE WHEN attr = '{a}' THEN min_share END) AS {q(a + '_share')}"
            for a in attrs
        )
        ctes.append(
            "shared AS (\n"
            "  SELECT p.case_a, p.case_b, va.attr,\n"
            "    COUNT(*) AS n_shared, MIN(va.share) AS min_share\n"
            f"  FROM {pairs} p\n"
            "  JOIN case_values va ON va.case_id = p.case_a\n"
            "  JOIN case_values vb ON vb.case_id = p.case_b AND vb.attr = va.attr"
            " AND vb.value = va.value\n"
            f"  WHERE va.attr IN ({listed})\n"
            "  GROUP BY p.case_a, p.case_b, va.attr\n)"
        )
        ctes.append(
            f"shared_wide AS (\n  SELECT case_a, case_b,\n    {pivot}\n"
            "  FROM shared GROUP BY case_a, case_b\n)"
        )
        joins.append("LEFT JOIN shared_wide s ON s.case_a = p.case_a AND s.case_b = p.case_b")
    if fields:
        pivot = ",\n    ".join(
            f"MAX(CASE WHEN field = '{f}' THEN dot END) AS {q(f + '_dot')}" for f in fields
        )
        ctes.append(
            "tokens AS (\n"
            "  SELECT p.case_a, p.case_b, ta.field, SUM(ta.idf * tb.idf) AS dot\n"
            f"  FROM {pairs} p\n"
            "  JOIN case_tokens ta ON ta.case_id = p.case_a\n"
            "  JOIN case_tokens tb ON tb.case_id = p.case_b AND tb.field = ta.field"
            " AND tb.token = ta.token\n"
            "  GROUP BY p.case_a, p.case_b, ta.field\n)"
        )
        ctes.append(
            f"tokens_wide AS (\n  SELECT case_a, case_b,\n    {pivot}\n"
            "  FROM tokens GROUP BY case_a, case_b\n)"
        )
        joins.append("LEFT JOIN tokens_wide t ON t.case_a = p.case_a AND t.case_b = p.case_b")
    selects = ",\n  ".join(
        f"CAST({expr} AS DOUBLE) AS {q(col)}"
        for comp in comparisons
        for col, expr in comp.sql_columns()
    )
    with_clause = ("WITH " + ",\n".join(ctes) + "\n") if ctes else ""
    sql = (
        f"{with_clause}SELECT p.case_a, p.case_b,\n  {selects}\n"
        f"FROM {pairs} p\n"
        "JOIN cases a ON a.case_id = p.case_a\n"
        "JOIN cases b ON b.case_id = p.case_b\n" + "\n".join(joins)
    )
    return to_dialect(sql, dialect)
