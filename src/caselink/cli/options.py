"""Options and helpers shared by every command group."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer
from rich.console import Console

from caselink.records.errors import CaselinkError
from caselink.store import Store

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="CASELINK_DB",
        help="Store URL (SQLAlchemy) or SQLite file path. Default: ./caselink.db",
        show_default=False,
    ),
]


def open_store(db: str | None) -> Store:
    """Open the store named by ``--db`` (or ``$CASELINK_DB``), exiting cleanly on failure."""
    try:
        return Store.open(db)
    except CaselinkError as exc:
        fail(str(exc))
    except Exception as exc:  # a driver's or migration's own error: show it, not a traceback
        fail(f"cannot open the store {db or ''}: {exc}")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error to stderr and exit non-zero."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)
