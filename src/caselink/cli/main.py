"""The root ``caselink`` command: registers each command group."""

from __future__ import annotations

import typer

from caselink.cli import (
    alerts,
    assurance,
    demo,
    entities,
    geoprofile,
    linkage,
    records,
    report,
    synth,
    web,
    web_admin,
)
from caselink.cli.output import CaselinkGroup

app = typer.Typer(
    name="caselink",
    cls=CaselinkGroup,
    help=(
        "Find the crimes and unexplained deaths probably committed by the same person, and say why."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for group in (records, synth, linkage, alerts, entities, assurance, geoprofile, demo, web, report):
    group.register(app)
web_admin.register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
