"""A throwaway PostgreSQL server for the test session, from the Debian server binaries.

PostgreSQL refuses to run as root, so as root the server runs as the
``postgres`` system user (``runuser``); as anyone else it runs as that user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def find_bindir() -> Path:
    """The folder holding initdb and pg_ctl (Debian puts them under /usr/lib/postgresql)."""
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise RuntimeError(
        "PostgreSQL server binaries not found (initdb, pg_ctl). "
        "Install Debian's postgresql package: .ci/run does this."
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server on a free loopback port; yield its SQLAlchemy URL; stop it."""
    bindir = find_bindir()
    root = os.geteuid() == 0
    workdir = Path(tempfile.mkdtemp(prefix="caselink-pg-"))
    data = workdir / "data"
    port = _free_port()
    prefix = ["runuser", "-u", "postgres", "--"] if root else []
    if root:
        shutil.chown(workdir, "postgres", "postgres")
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "caselink",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    opts = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-l",
            str(workdir / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                capture_output=True,
            )
            if ready.returncode == 0:
                break
            time.sleep(0.2)
        yield f"postgresql+psycopg://caselink@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            env=env,
        )
        shutil.rmtree(workdir, ignore_errors=True)
