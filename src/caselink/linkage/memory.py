"""Memory of the linkage engine: bounded by design, and a clear error when it is not enough.

DuckDB, left alone, lets itself use 80% of the machine's RAM; with Python's
own frames on top an analyst's laptop is killed rather than slowed. Every
:class:`~caselink.linkage.engine.LinkageEngine` connection therefore gets

* a memory limit: :data:`DEFAULT_RAM_SHARE` of the physical RAM by default
  (at least :data:`MIN_LIMIT_MIB`), or what ``--memory-limit`` says;
* a temporary directory of its own to spill to (removed with the engine),

and every step that runs SQL on it is wrapped in :func:`step`, which turns an
out-of-memory condition (DuckDB's, or Python's ``MemoryError``) into a
:class:`LinkageMemoryError` naming the step, the limit and what to change.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb

from caselink.records.errors import CaselinkError

DEFAULT_RAM_SHARE = 0.25
"""Share of the physical RAM DuckDB may use by default: a quarter leaves room
for Python's frames, the store and whatever else runs on an analyst's machine."""
MIN_LIMIT_MIB = 1024
"""The default limit is never below this (a machine whose RAM cannot be read gets it)."""
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|KIB|MB|MIB|GB|GIB|TB|TIB)?\s*$", re.IGNORECASE)
_UNITS = {
    "B": 1,
    "KB": 1000,
    "KIB": 1024,
    "MB": 1000**2,
    "MIB": 1024**2,
    "GB": 1000**3,
    "GIB": 1024**3,
    "TB": 1000**4,
    "TIB": 1024**4,
}


class LinkageMemoryError(CaselinkError):
    """A linkage step ran out of memory (names the step, the limit and what to change)."""


def physical_ram_bytes() -> int | None:
    """The machine's physical RAM in bytes, or None where the OS does not say."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def default_memory_limit() -> str:
    """:data:`DEFAULT_RAM_SHARE` of the physical RAM, at least :data:`MIN_LIMIT_MIB`, in MiB."""
    ram = physical_ram_bytes()
    mib = MIN_LIMIT_MIB if ram is None else int(ram * DEFAULT_RAM_SHARE / 1024**2)
    return f"{max(mib, MIN_LIMIT_MIB)}MiB"


def parse_memory_limit(text: str) -> int:
    """Bytes of a size such as ``4GB``, ``512MiB`` or ``2.5GiB``.

    Raises
    ------
    LinkageMemoryError
        When ``text`` is not a size (the message names the value).
    """
    match = _SIZE.match(str(text))
    if match is None:
        raise LinkageMemoryError(
            f"memory limit must be a size such as 4GB, 512MiB or 2.5GiB, got {text!r}"
        )
    number, unit = match.groups()
    size = int(float(number) * _UNITS[(unit or "B").upper()])
    if size <= 0:
        raise LinkageMemoryError(f"memory limit must be positive, got {text!r}")
    return size


@dataclass
class MemorySettings:
    """What a connection was given: the limit (as set) and where it spills."""

    memory_limit: str
    temp_directory: str
    owns_directory: bool

    def close(self) -> None:
        """Remove the spill directory if this engine made it."""
        if self.owns_directory:
            shutil.rmtree(self.temp_directory, ignore_errors=True)


def configure(
    con: duckdb.DuckDBPyConnection,
    memory_limit: str | None = None,
    temp_directory: str | None = None,
) -> MemorySettings:
    """Give ``con`` a memory limit (default :func:`default_memory_limit`) and a
    directory to spill to (default: a fresh one under the system's temp dir)."""
    limit = memory_limit if memory_limit is not None else default_memory_limit()
    parse_memory_limit(limit)  # a clear error before DuckDB's own
    owns = temp_directory is None
    folder = temp_directory or tempfile.mkdtemp(prefix="caselink-duckdb-")
    con.execute("SET temp_directory = ?", [folder])
    con.execute("SET memory_limit = ?", [limit])
    return MemorySettings(limit, folder, owns)


def out_of_memory_message(step_name: str, settings: MemorySettings | None) -> str:
    """The message of :class:`LinkageMemoryError` for ``step_name``."""
    limit = settings.memory_limit if settings is not None else "the default"
    spill = f", spilling to {settings.temp_directory}" if settings is not None else ""
    return (
        f"out of memory while {step_name} (DuckDB memory limit {limit}{spill}). "
        "Raise the limit (--memory-limit, e.g. --memory-limit 8GB), "
        "or make fewer candidate pairs (--rules national or --rules lean), "
        "or free disk space in the spill directory (TMPDIR)."
    )


@contextmanager
def step(step_name: str, settings: MemorySettings | None) -> Iterator[None]:
    """Run a step; an out-of-memory condition becomes a :class:`LinkageMemoryError`."""
    try:
        yield
    except duckdb.OutOfMemoryException as exc:
        raise LinkageMemoryError(out_of_memory_message(step_name, settings)) from exc
    except MemoryError as exc:
        raise LinkageMemoryError(out_of_memory_message(step_name, settings)) from exc
