"""From pairs to comparison frames and model inputs.

:func:`compare` runs the comparison SQL in DuckDB for a table of pairs;
:func:`level_matrix` turns a comparison frame into the discrete levels the
naive Bayes models weigh; :func:`numeric_matrix` gives the raw comparison
values to the boosted model.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

from caselink.linkage.comparisons import Comparison, comparison_columns
from caselink.linkage.sqlgen import comparison_sql
from caselink.linkage.tables import LinkageTables
from caselink.records.frames import require_columns

TABLE_NAMES = ("cases", "case_values", "case_tokens")


def connect(tables: LinkageTables) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection holding the linkage tables."""
    con = duckdb.connect(":memory:")
    for name in TABLE_NAMES:
        frame = getattr(tables, name)
        con.register(f"{name}_df", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_df")
        con.unregister(f"{name}_df")
    return con


def compare(
    con: duckdb.DuckDBPyConnection,
    comparisons: Sequence[Comparison],
    pairs: pd.DataFrame,
) -> pd.DataFrame:
    """Comparison columns for each pair, in the order of ``pairs``.

    Parameters
    ----------
    con
        Connection from :func:`connect`.
    comparisons
        The declared comparisons.
    pairs
        Frame with ``case_a``, ``case_b`` (any order within a pair; every
        comparison is symmetric).

    Returns
    -------
    pandas.DataFrame
        ``case_a``, ``case_b`` and one float column per comparison column.
    """
    require_columns(pairs, ("case_a", "case_b"), "pairs frame")
    order = pd.DataFrame(
        {
            "case_a": pairs["case_a"].astype(str).to_numpy(),
            "case_b": pairs["case_b"].astype(str).to_numpy(),
        }
    )
    unique = order.drop_duplicates(ignore_index=True)
    con.register("pairs_df", unique)
    try:
        computed = compare_table(con, comparisons, "SELECT case_a, case_b FROM pairs_df")
    finally:
        con.unregister("pairs_df")
    if len(computed) != len(unique):
        known = set(con.execute("SELECT case_id FROM cases").df()["case_id"])
        unknown = sorted(set(order["case_a"]).union(order["case_b"]) - known)
        raise ValueError(f"pairs name cases that are not in the cases table: {unknown[:5]}")
    out = order.merge(computed, on=["case_a", "case_b"], how="left", validate="many_to_one")
    out["case_a"] = out["case_a"].astype(object)
    out["case_b"] = out["case_b"].astype(object)
    for col in comparison_columns(comparisons):
        out[col] = out[col].astype("float64")
    return out


def compare_table(
    con: duckdb.DuckDBPyConnection,
    comparisons: Sequence[Comparison],
    pairs_sql: str,
) -> pd.DataFrame:
    """Comparison columns of the pairs a SELECT (``case_a, case_b``) returns,
    computed and fetched column-wise (no pandas merge); rows in no set order.

    The batch path: the pairs never leave DuckDB.
    """
    con.execute(f"CREATE OR REPLACE TEMP TABLE pairs AS {pairs_sql}")
    columns = con.execute(comparison_sql(comparisons)).fetchnumpy()
    out = pd.DataFrame(
        {
            "case_a": np.asarray(columns["case_a"], dtype=object),
            "case_b": np.asarray(columns["case_b"], dtype=object),
        }
    )
    for col in comparison_columns(comparisons):
        values = columns[col]
        if isinstance(values, np.ma.MaskedArray):
            values = values.filled(np.nan)
        out[col] = np.asarray(values, dtype="float64")
    return out


def check_columns(frame: pd.DataFrame, comparisons: Sequence[Comparison]) -> None:
    """Raise MissingColumnsError (a ValueError) naming every comparison column ``frame`` lacks."""
    require_columns(frame, comparison_columns(comparisons), "comparison frame")


def level_matrix(frame: pd.DataFrame, comparisons: Sequence[Comparison]) -> np.ndarray:
    """Levels of every comparison, shape (n_pairs, n_comparisons), int64."""
    check_columns(frame, comparisons)
    if not comparisons:
        return np.zeros((len(frame), 0), dtype=np.int64)
    out = np.empty((len(frame), len(comparisons)), dtype=np.int64)
    for j, comp in enumerate(comparisons):
        out[:, j] = comp.levels(frame)
    return out


def numeric_matrix(frame: pd.DataFrame, comparisons: Sequence[Comparison]) -> np.ndarray:
    """Raw comparison values (NaN where not recorded), shape (n_pairs, n_columns)."""
    check_columns(frame, comparisons)
    return frame[comparison_columns(comparisons)].to_numpy(dtype=float)
