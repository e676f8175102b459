"""Options and helpers shared by every command group: the store, the consoles, errors.

Data is printed as data: the consoles never interpret Rich markup or emoji
codes in what they print, and strip control characters (ESC sequences,
carriage returns, bidirectional overrides), so a case id like ``[/]`` or a
narrative holding ``[link=...]`` or a terminal escape reaches the terminal as
plain text. Styles are given with ``style=`` instead of markup.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from caselink.records.errors import CaselinkError
from caselink.store import Store

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Control characters (all but newline and tab) and bidirectional overrides."""


def clean(text: str) -> str:
    """``text`` without control characters (terminal escapes, CR, bidi overrides)."""
    return _CONTROL.sub("", text)


class DataConsole(Console):
    """A Rich console that prints strings as data: no markup, no emoji codes, no escapes."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        kwargs.setdefault("emoji", False)
        super().__init__(**kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        """Strip control characters and render without markup (whatever the caller asks)."""
        kwargs["markup"] = False
        kwargs["emoji"] = False
        return super().render_str(clean(text), **kwargs)


OPENED: list[Store] = []
"""Stores opened by the running command (to name a locked store in its error)."""

console = DataConsole()
err_console = DataConsole(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="CASELINK_DB",
        help="Store URL (SQLAlchemy) or SQLite file path. Default: ./caselink.db",
        show_default=False,
    ),
]


def open_store(db: str | None, create: bool = False) -> Store:
    """Open the store named by ``--db`` (or ``$CASELINK_DB``), exiting cleanly on failure.

    Only commands that store something new (``import``, ``add``, ``demo``,
    ``synth --load``, ``users add``) pass ``create=True``; every other command
    refuses a missing SQLite store rather than silently creating an empty one.
    """
    try:
        store = Store.open(db) if create else Store.open_existing(db)
        OPENED.append(store)
        return store
    except CaselinkError as exc:
        fail(exc)
    except Exception as exc:  # a driver's or migration's own error: show it, not a traceback
        fail(f"cannot open the store {db or ''}: {exc}")


def render_error(error: CaselinkError | str) -> str:
    """The text of an error for a terminal: its message (which names file, row, field, value)."""
    if isinstance(error, str):
        return error
    shape = error.to_dict()
    message = str(shape["message"]) or type(error).__name__
    where = [
        f"{label} {shape[key]}"
        for label, key in (("file", "file"), ("row", "row"), ("field", "field"))
        if shape[key] and str(shape[key]) not in message
    ]
    return message + (f" ({', '.join(where)})" if where and not shape["errors"] else "")


def fail(message: CaselinkError | str, code: int = 1) -> NoReturn:
    """Print an error (a message, or any :class:`CaselinkError`) to stderr and exit non-zero."""
    err_console.print(
        Text.assemble(("error: ", "bold red"), clean(render_error(message))),
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(code)


def probability(value: float) -> float:
    """Option callback: a link probability strictly between 0 and 1, checked before any work."""
    if not 0.0 < value < 1.0:
        raise typer.BadParameter(f"must be a probability in (0, 1), got {value}")
    return value
