"""Writing output files without losing data: path checks and atomic replacement.

An output path that is the store, one of the command's inputs, or a
directory is refused before anything is computed or written; a file is
written to a temporary file beside it and renamed over the target, so a
crash or an error never leaves half a file (or destroys the old one).
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd

from caselink.records.errors import InputError


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return a.samefile(b)
    except OSError:
        return False
    return a.resolve() == b.resolve()


def check_output_path(
    path: Path,
    option: str,
    inputs: Iterable[Path | None] = (),
    store_file: Path | None = None,
) -> Path:
    """Refuse an output path that would destroy data; return it unchanged when it is safe.

    Parameters
    ----------
    path
        Where the command will write.
    option
        The option naming it (``--out``), for the message.
    inputs
        The files the command reads.
    store_file
        The store's file (SQLite), if it has one; its ``-wal``/``-shm``/
        ``-journal`` companions are refused too.

    Raises
    ------
    InputError
        The path is a directory, the store (or a companion file) or an input.
    """
    p = Path(path)
    if p.is_dir():
        raise InputError(
            f"{option} {p} is a directory; give a file name", field=option, value=str(p)
        )
    if store_file is not None:
        companions = [store_file, *(Path(f"{store_file}{s}") for s in ("-wal", "-shm", "-journal"))]
        if any(_same_file(p, c) for c in companions):
            raise InputError(
                f"{option} {p} is the store itself; writing there would destroy it",
                field=option,
                value=str(p),
            )
    for given in inputs:
        if given is not None and _same_file(p, Path(given)):
            raise InputError(
                f"{option} {p} is also an input of this command; writing there would destroy it",
                field=option,
                value=str(p),
            )
    if not p.parent.exists():
        raise InputError(
            f"{option} {p}: the folder {p.parent} does not exist", field=option, value=str(p)
        )
    return p


@contextmanager
def atomic_output(path: Path, mode: str = "w", newline: str | None = "") -> Iterator[IO[str]]:
    """A text file that replaces ``path`` only once fully written (temp file + rename)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, mode, encoding="utf-8", newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` for a writer that takes a path (plots, parquet).

    The temporary file keeps ``path``'s suffix (writers choose the format by
    it) and is renamed over ``path`` when the block ends without error.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection)."""


def spreadsheet_safe(value: object) -> object:
    """A cell a spreadsheet shows as text: a formula-like string gets a leading ``'``.

    Numbers (and strings that are plain numbers, like ``-0.5``) are unchanged.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def write_report_csv(frame: pd.DataFrame, path: Path, **to_csv: Any) -> None:
    """Write a frame that people open in spreadsheets: neutralised cells, atomically.

    Every text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or CR is
    prefixed with ``'`` (:func:`spreadsheet_safe`); ``to_csv`` takes pandas'
    ``DataFrame.to_csv`` options (``index`` defaults to False).
    """
    safe = frame.copy()
    has_cr = False
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(spreadsheet_safe)
            has_cr = has_cr or bool(safe[col].map(lambda v: isinstance(v, str) and "\r" in v).any())
    to_csv.setdefault("index", False)
    if has_cr:  # minimal quoting leaves a lone CR bare, which splits the row when read back
        to_csv.setdefault("quoting", csv.QUOTE_NONNUMERIC)
    with atomic_output(Path(path)) as fh:
        safe.to_csv(fh, **to_csv)
