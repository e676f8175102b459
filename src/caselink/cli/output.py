"""Where commands write: output paths checked before any work, reports written safely.

Every ``--out``-like option goes through :func:`checked_output` before the
command computes or stores anything (a path that is the store, an input or a
directory is refused), and every CSV a person opens in a spreadsheet is written
by :func:`write_report` (formula-like cells neutralised, temp file + rename).
The interchange ``export`` does not use it: its files stay byte-exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.progress import Progress
from typer.core import TyperGroup

from caselink.cli.options import OPENED, console, fail
from caselink.records.errors import CaselinkError
from caselink.records.outputs import check_output_path, write_report_csv
from caselink.store import Store
from caselink.store.facade import resolve_url, sqlite_file
from caselink.store.locks import busy_error


def store_file(db: str | Store | None) -> Path | None:
    """The SQLite file of a store or ``--db`` value (None for a server database)."""
    if isinstance(db, Store):
        return db.file
    return sqlite_file(resolve_url(db))


def checked_output(
    path: Path | None,
    db: str | Store | None,
    inputs: Iterable[Path | None] = (),
    option: str = "--out",
) -> Path | None:
    """``path`` if it is safe to write (see :func:`check_output_path`), else exit with the error."""
    if path is None:
        return None
    try:
        return check_output_path(path, option, inputs, store_file(db))
    except CaselinkError as exc:
        fail(exc)


def write_report(frame: Any, path: Path, **to_csv: Any) -> None:
    """Write a report CSV (links, series, checks, flags, people, prompts, alerts)."""
    write_report_csv(frame, path, **to_csv)


class CaselinkGroup(TyperGroup):
    """The root command group: renders every caselink error in one place, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command; a :class:`CaselinkError` or a locked store becomes a clean error."""
        OPENED.clear()
        try:
            return super().invoke(ctx)
        except CaselinkError as exc:
            fail(exc)
        except Exception as exc:
            busy = busy_error(exc, _db_file(ctx))
            if busy is None:
                raise
            fail(busy)


def _db_file(ctx: Any) -> Path | None:
    """The file of the store the failed command opened (else the one ``--db`` names)."""
    if OPENED:
        return OPENED[-1].file
    return store_file(ctx.params.get("db") if hasattr(ctx, "params") else None)


@contextmanager
def progress_bar(description: str) -> Iterator[tuple[Progress, Callable[[int, int], None]]]:
    """A transient progress bar and its ``advance(done, total)`` callback (the
    service layer's progress signature; ``total`` 0 or None while unknown)."""
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield bar, advance
