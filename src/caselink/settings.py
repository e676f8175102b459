"""Settings read once, from the environment and the command line: one object, one place.

The database URL (``--db``, else ``$CASELINK_DB``, else ``./caselink.db``), the
link probability at which two cases join a series (0.5), the alert workload,
who runs a command (recorded with what it stores) and where outputs go are
declared here and nowhere else; front doors pass overrides from their options.
This module imports nothing from caselink, so every layer may read it.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

DB_ENV = "CASELINK_DB"
"""The environment variable naming the store when ``--db`` is not given."""
DEFAULT_DB_URL = "sqlite:///caselink.db"
"""The store when neither ``--db`` nor ``$CASELINK_DB`` names one."""
LINK_THRESHOLD = 0.5
"""Link probability at which two cases join a series (and links keep their factors)."""
DEFAULT_ALERTS_PER_1000 = 40.0
"""The default workload: 40 alerts per 1,000 cases recorded (a borough recording 600
cases a year reads about two alerts a month). Chosen from
``benchmarks/alerts_workload_demo.py`` and ``benchmarks/alerts_workload.py``
(docs/alerts.md): the largest workload measured at which alert precision stays at
or above 0.30 on the demo and on designs A and B (B falls to 0.28 at 80), and the
smallest at which the demo links its second death to the first the day it is
recorded."""
USER_ENV = "CASELINK_USER"
"""Who runs commands (recorded with stored runs); default: the login name."""


def database_url(db: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The database URL: ``db``, else ``$CASELINK_DB``, else ``./caselink.db``.

    A bare file path is taken as a SQLite file.
    """
    env = os.environ if env is None else env
    url = db or env.get(DB_ENV) or DEFAULT_DB_URL
    if "://" not in url:
        url = f"sqlite:///{url}"
    return url


def _user(env: Mapping[str, str]) -> str:
    if env.get(USER_ENV):
        return env[USER_ENV]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "unknown"


@dataclass(frozen=True)
class Settings:
    """What every use case may need to know about where and how it runs."""

    db_url: str = DEFAULT_DB_URL
    link_threshold: float = LINK_THRESHOLD
    alerts_per_1000: float = DEFAULT_ALERTS_PER_1000
    user: str = "unknown"
    out_dir: Path = Path(".")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from the environment, then ``overrides`` (a front door's options; None
        values are ignored, so an option not given keeps the environment's value)."""
        env = os.environ if env is None else env
        base = cls(db_url=database_url(None, env), user=_user(env))
        given = {k: v for k, v in overrides.items() if v is not None}
        if "db_url" in given:
            given["db_url"] = database_url(given["db_url"], env)
        return replace(base, **given)
