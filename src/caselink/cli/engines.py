"""Building the linkage engine from CLI options, shared by every command that needs links."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from caselink.cli.options import fail
from caselink.linkage.blocking import named_rules
from caselink.linkage.config import LinkageConfig
from caselink.linkage.engine import LinkageEngine
from caselink.linkage.persistence import ModelSchemaError, load_model
from caselink.linkage.tables import LinkageDataError
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
        help="Blocking rules: default, wide (more pairs, fewer lost links), lean "
        "(fewest pairs) or national (a million cases and more: reach far only for "
        "shared uncommon values). Default: the model's rules, else default.",
    ),
]


def linkage_engine(store: Store, model: Path | None, rules: str | None = None) -> LinkageEngine:
    """The engine over every stored case, with a saved model or the default one."""
    schema = store.attribute_schema()
    cases = store.cases_frame()
    if len(cases) < 2:
        fail(f"the store holds {len(cases)} case(s); linkage needs at least two")
    try:
        saved = load_model(model, schema) if model is not None else None
        config = saved.config if saved is not None else LinkageConfig()
        chosen = named_rules(rules, config, schema) if rules is not None else None
        return LinkageEngine(cases, schema, model=saved, rules=chosen)
    except (ModelSchemaError, LinkageDataError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))
