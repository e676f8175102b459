"""Case linkage: which cases were probably committed by the same person, and why.

Flow: cases frame -> SQL tables (:mod:`.tables`) -> candidate pairs by blocking
rules (:mod:`.blocking`, SQL on DuckDB) -> comparisons (:mod:`.comparisons`,
SQL from :mod:`.sqlgen`) -> model (:mod:`.models`) -> links, series
(:mod:`.series`) and explanations (:mod:`.explain`). :class:`LinkageEngine`
ties them together, including scoring one new case against the store.
"""

from caselink.linkage.blocking import BlockingRule, blocking_recall, default_rules
from caselink.linkage.comparisons import Comparison, build_comparisons
from caselink.linkage.config import LinkageConfig
from caselink.linkage.engine import LinkageEngine, NotEnoughLabelsError
from caselink.linkage.persistence import ModelSchemaError, SavedModel, load_model, save_model
from caselink.linkage.sqlgen import comparison_sql

__all__ = [
    "BlockingRule",
    "Comparison",
    "LinkageConfig",
    "LinkageEngine",
    "ModelSchemaError",
    "NotEnoughLabelsError",
    "SavedModel",
    "blocking_recall",
    "build_comparisons",
    "comparison_sql",
    "default_rules",
    "load_model",
    "save_model",
]
