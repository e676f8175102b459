"""Write docs/cli.md, the command-line reference, from the commands' own --help.

    .venv/bin/python scripts/cli_reference.py

``tests/docs/test_docs.py`` fails when a command or an option is missing from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from caselink.cli.main import app

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command (subgroups' too) with its path of names, in order."""
    if hasattr(group, "commands"):
        for name in sorted(group.commands):
            yield from commands(group.commands[name], (*path, name))
    else:
        yield path, group


def options(command: Any) -> list[str]:
    """Every option name of a command (``--db``, ``--out``, ...), not ``--help``."""
    return sorted(
        name
        for param in command.params
        for name in [*param.opts, *param.secondary_opts]
        if name.startswith("-")
    )


def help_text(path: tuple[str, ...]) -> str:
    """The command's ``--help`` as it prints (100 columns, no colour)."""
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"})
    return "\n".join(line.rstrip() for line in result.output.splitlines()).strip("\n")


def reference() -> str:
    """The whole reference: one section per command, its --help verbatim."""
    root = typer.main.get_command(app)
    parts = [
        "# caselink command reference",
        "",
        "Generated from each command's `--help` by `scripts/cli_reference.py`;",
        "`tests/docs/test_docs.py` fails when a command or option is missing here.",
        "",
    ]
    for path, _ in commands(root):
        parts += [f"## caselink {' '.join(path)}", "", "```", help_text(path), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    DOC.write_text(reference(), encoding="utf-8")
    print(f"wrote {DOC}")
