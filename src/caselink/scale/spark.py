"""Run the linkage engine's SQL on Apache Spark: the same blocking and comparison
SQL (generated once by :mod:`caselink.linkage.sqlgen` / :mod:`caselink.linkage.blocking`
in DuckDB's dialect, transpiled by sqlglot to Spark SQL) over the same input
tables (:func:`caselink.linkage.tables.build_tables`), scored by the same model
inside Spark (``mapInPandas``), the way Splink runs one model on several engines.

``local[2]`` here; a cluster in production::

    spark = spark_session("spark://host:7077")      # or "yarn", "k8s://..."
    links = link_on_spark(spark, cases, schema, model)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

import caselink
from caselink.linkage.blocking import blocking_sql
from caselink.linkage.bounds import (
    BOUNDED_CASES,
    additive_weights,
    bounded_cases_sql,
    reach_condition,
)
from caselink.linkage.features import TABLE_NAMES
from caselink.linkage.persistence import SavedModel
from caselink.linkage.sqlgen import comparison_sql, to_dialect
from caselink.linkage.tables import LinkageTables, build_tables
from caselink.records.model import AttributeSchema

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def spark_session(
    master: str = "local[2]",
    app_name: str = "caselink",
    shuffle_partitions: int = 8,
    driver_memory: str = "2g",
) -> SparkSession:
    """A SparkSession for linkage (UI off, few shuffle partitions for small machines).

    Parameters
    ----------
    master
        ``local[2]``, or a cluster URL (``spark://host:7077``, ``yarn``, ``k8s://...``).
    shuffle_partitions
        ``spark.sql.shuffle.partitions``; raise it on a cluster (2-4 x cores).
    driver_memory
        ``spark.driver.memory``: in ``local`` mode the executors live in the
        driver's JVM, so this is all the memory Spark has.
    """
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    if master.startswith("local"):
        # workers must import caselink (the model is unpickled there): use this
        # interpreter; on a cluster ship a wheel and set PYSPARK_PYTHON instead.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        root = str(Path(caselink.__file__).resolve().parent.parent)
        builder = builder.config("spark.pyspark.python", sys.executable).config(
            "spark.executorEnv.PYTHONPATH",
            os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p),
        )
    return (
        builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", driver_memory)
        .getOrCreate()
    )


def register_tables(spark: SparkSession, tables: LinkageTables) -> None:
    """Register the four linkage tables as Spark temp views of the same names."""
    for name in TABLE_NAMES:
        frame: pd.DataFrame = getattr(tables, name)
        spark.createDataFrame(frame).createOrReplaceTempView(name)


def candidates_on_spark(
    spark: SparkSession, model: SavedModel, min_probability: float = 0.0
) -> DataFrame:
    """Candidate pairs of the model's blocking rules (Spark SQL from the generated SQL).

    With ``min_probability``, only the pairs whose bound under the model can
    reach it (:mod:`caselink.linkage.bounds`; the same SQL as on DuckDB).
    """
    condition = reach_condition(model.comparisons, model.estimator, min_probability)
    weights = additive_weights(model.estimator)
    if condition is None or weights is None:
        return spark.sql(blocking_sql(model.rules, model.config, dialect="spark"))
    bounded = to_dialect(bounded_cases_sql(model.comparisons, weights), "spark")
    spark.sql(bounded).createOrReplaceTempView(BOUNDED_CASES)
    return spark.sql(
        blocking_sql(
            model.rules,
            model.config,
            dialect="spark",
            where=condition,
            cases_table=BOUNDED_CASES,
        )
    )


def compare_on_spark(spark: SparkSession, model: SavedModel, pairs: DataFrame) -> DataFrame:
    """The comparison columns of ``pairs`` (Spark SQL from the generated SQL)."""
    pairs.createOrReplaceTempView("pairs")
    return spark.sql(comparison_sql(model.comparisons, dialect="spark", pairs="pairs"))


def link_on_spark(
    spark: SparkSession,
    cases: pd.DataFrame,
    schema: AttributeSchema,
    model: SavedModel,
    tables: LinkageTables | None = None,
    min_probability: float = 0.0,
) -> pd.DataFrame:
    """``case_a, case_b, probability`` of every candidate pair, computed on Spark.

    Parameters
    ----------
    spark
        The session (:func:`spark_session`).
    cases, schema
        The cases frame and MO attributes.
    model
        The saved model: its rules, comparisons and estimator are used.
    tables
        Pre-built input tables (default: built from ``cases`` as the DuckDB
        engine builds them, so both engines read identical inputs).
    min_probability
        Keep pairs at or above this probability; pairs whose bound cannot
        reach it are dropped before they are compared (naive Bayes models).
    """
    tables = tables or build_tables(cases, schema, model.config)
    register_tables(spark, tables)
    pairs = candidates_on_spark(spark, model, min_probability)
    compared = compare_on_spark(spark, model, pairs)
    estimator = model.estimator
    cutoff = float(min_probability)

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            p: Any = estimator.predict_proba(batch)[:, 1] if len(batch) else []
            out = pd.DataFrame(
                {"case_a": batch["case_a"], "case_b": batch["case_b"], "probability": p}
            )
            yield out[out["probability"] >= cutoff]

    scored = compared.mapInPandas(score, "case_a string, case_b string, probability double")
    out: pd.DataFrame = scored.toPandas()
    return out.sort_values(
        ["probability", "case_a", "case_b"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


def explain_plan(spark: SparkSession, model: SavedModel) -> Any:
    """Spark's physical plan of the blocking query (to check it is equi-joins, not a scan)."""
    return candidates_on_spark(spark, model)._jdf.queryExecution().toString()
