"""Options shared by several commands: linkage (model, rules, memory) and geoprofiling.

The engine itself is built in :func:`caselink.service.linking.open_engine`.
"""

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


CandidatesPerCaseOption = Annotated[
    float,
    typer.Option(
        "--candidates-per-case",
        min=1.0,
        help="Budget of candidate pairs per case (counted per rule): the rules' reach "
        "is shortened from the data's own density to stay within it.",
    ),
]
PrefixFilterOption = Annotated[
    bool,
    typer.Option(
        "--prefix-filter",
        help="Find the pairs the model can link from its own weights: every pair of "
        "the store that shares enough to reach --min-probability, at any distance or "
        "gap, instead of the rules' pairs (naive Bayes models, the default among them; "
        "other models keep the rules).",
    ),
]
HomesOption = Annotated[
    Path | None,
    typer.Option(
        "--homes",
        exists=True,
        dir_okay=False,
        help="offender_id,home_lat,home_lon of solved series (e.g. truth_offenders.csv); "
        "default: offender/suspect addresses in the store.",
    ),
]
CellsOption = Annotated[int, typer.Option("--cells", help="Grid cells along each axis.")]
PopulationOption = Annotated[
    Path | None,
    typer.Option(
        "--population",
        exists=True,
        dir_okay=False,
        help="Population grid lat,lon,weight as the prior of where offenders can live; "
        "default: the home addresses of the persons in the store.",
    ),
]
NoPriorOption = Annotated[
    bool, typer.Option("--no-prior", help="Do not build a prior from the persons in the store.")
]
MarginOption = Annotated[
    float | None,
    typer.Option("--margin-km", help="Widen the crimes' box by this (default: Rossmo's rule)."),
]
