"""The linkage options shared by every command that needs links (the engine is built in
:func:`caselink.service.linking.open_engine`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
