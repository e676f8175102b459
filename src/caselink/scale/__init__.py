"""National scale: the linkage SQL on Apache Spark (pyspark), same SQL and model as DuckDB."""

from caselink.scale.spark import (
    candidates_on_spark,
    compare_on_spark,
    link_on_spark,
    register_tables,
    spark_session,
)

__all__ = [
    "candidates_on_spark",
    "compare_on_spark",
    "link_on_spark",
    "register_tables",
    "spark_session",
]
