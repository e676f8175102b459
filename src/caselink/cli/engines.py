"""Building the linkage engine from CLI options, shared by every command that needs links."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from caselink.cli.options import fail
from caselink.linkage.blocking import DEFAULT_CANDIDATES_PER_CASE, named_rules
from caselink.linkage.config import LinkageConfig
from caselink.linkage.engine import LinkageEngine
from caselink.linkage.persistence import ModelSchemaError, load_model
from caselink.linkage.tables import LinkageDataError
from caselink.records.errors import CaselinkError
from caselink.store import Store

ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        dir_okay=False,
        help="Model file from `caselink train` (default: prior-knowledge model).",
    ),
]


RulesOption = Annotated[
    str | None,
    typer.Option(
        "--rules",
        help="Blocking rules: auto (wide below 100,000 cases, national from 100,000), "
        "default (six rules), wide (more pairs, fewer lost links), lean "
        "(fewest pairs) or national (a million cases and more: reach far only for "
        "shared uncommon values). Default: the model's rules, else auto.",
    ),
]


MemoryLimitOption = Annotated[
    str | None,
    typer.Option(
        "--memory-limit",
        help="DuckDB's memory limit, e.g. 4GB or 512MiB (default: a quarter of the RAM); "
        "beyond it DuckDB spills to a temporary directory.",
    ),
]


CandidatesPerCaseOption = Annotated[
    float,
    typer.Option(
        "--candidates-per-case",
        min=1.0,
        help="Budget of candidate pairs per case (counted per rule): the rules' reach "
        "is shortened from the data's own density to stay within it.",
    ),
]
CANDIDATES_PER_CASE = DEFAULT_CANDIDATES_PER_CASE


def linkage_engine(
    store: Store,
    model: Path | None,
    rules: str | None = None,
    memory_limit: str | None = None,
    candidates_per_case: float | None = None,
) -> LinkageEngine:
    """The engine over every stored case, with a saved model or the default one."""
    schema = store.attribute_schema()
    cases = store.cases_frame()
    if len(cases) < 2:
        fail(f"the store holds {len(cases)} case(s); linkage needs at least two")
    try:
        saved = load_model(model, schema) if model is not None else None
        config = saved.config if saved is not None else LinkageConfig()
        chosen = named_rules(rules, config, schema, len(cases)) if rules is not None else None
        return LinkageEngine(
            cases,
            schema,
            model=saved,
            rules=chosen,
            memory_limit=memory_limit,
            candidates_per_case=candidates_per_case,
        )
    except (
        ModelSchemaError,
        LinkageDataError,
        FileNotFoundError,
        ValueError,
        CaselinkError,
    ) as exc:
        fail(str(exc))
