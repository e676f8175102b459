"""Saying who holds a store that is locked by another writer.

SQLite lets one writer at a time; a second waits for the busy timeout
(:data:`caselink.store.facade.BUSY_TIMEOUT_S`) and then fails with "database
is locked". :func:`busy_error` turns that failure into a
:class:`~caselink.records.errors.StoreBusyError` that names the processes
that have the store open (read from ``/proc`` on Linux), so the analyst knows
what to wait for or stop.
"""

from __future__ import annotations

import os
from pathlib import Path

from caselink.records.errors import StoreBusyError


def processes_holding(path: Path) -> list[tuple[int, str]]:
    """``(pid, command line)`` of other processes with ``path`` (or its -wal/-shm) open.

    Empty where ``/proc`` cannot be read (not Linux, or no permission).
    """
    try:
        targets = {str(Path(f"{path}{s}").resolve()) for s in ("", "-wal", "-shm", "-journal")}
    except OSError:
        return []
    found: list[tuple[int, str]] = []
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    me = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in targets:
                    raw = (entry / "cmdline").read_bytes()
                    found.append((int(entry.name), raw.replace(b"\0", b" ").decode().strip()))
                    break
            except OSError:
                continue
    return sorted(found)


def is_lock_error(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "database is locked" (after the busy timeout)."""
    return "database is locked" in str(exc)


def busy_error(exc: BaseException, path: Path | None) -> StoreBusyError | None:
    """The :class:`StoreBusyError` for a lock failure on the store at ``path`` (else None)."""
    if not is_lock_error(exc):
        return None
    holders = processes_holding(path) if path is not None else []
    who = (
        "; held by " + ", ".join(f"pid {pid} ({cmd or '?'})" for pid, cmd in holders)
        if holders
        else ""
    )
    return StoreBusyError(
        f"the store {path or ''} is locked by another writer and stayed locked past the "
        f"busy timeout{who}; wait for it to finish, then run the command again",
        file=str(path or ""),
    )
