"""Reading YAML configuration files (schemas, standards, code maps) as plain data.

``yaml.safe_load`` never runs code, but a few hundred bytes of nested aliases
(a "billion laughs" document) expand to gigabytes. caselink's files need no
aliases, so a document holding one is refused, as is a file over
:data:`MAX_YAML_BYTES`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import Node

from caselink.records.errors import InvalidInputError, ResourceLimitError, RowError

MAX_YAML_BYTES = 1_000_000
"""Largest configuration file read (1 MB; the shipped standard is under 20 kB)."""


class _NoAliasLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses aliases (``*name``), so nothing expands."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases (*name) are not allowed in caselink files; write the values out",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text as data (no aliases, at most :data:`MAX_YAML_BYTES`).

    Raises
    ------
    InvalidInputError
        Not YAML, or holding an alias; names the file and line.
    ResourceLimitError
        The text is larger than :data:`MAX_YAML_BYTES`.
    """
    size = len(text.encode("utf-8"))
    if size > MAX_YAML_BYTES:
        raise ResourceLimitError(
            [RowError(name, 0, "", str(size), f"file is over {MAX_YAML_BYTES:,} bytes")]
        )
    try:
        return yaml.load(text, Loader=_NoAliasLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidInputError(
            [RowError(name, line, "", "", f"not valid YAML (line {line}): {problem}")]
        ) from None


def read_yaml(path: Path) -> Any:
    """Read a YAML file as data: see :func:`parse_yaml`; unreadable files are input errors."""
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise ResourceLimitError(
                [RowError(name, 0, "", str(size), f"file is over {MAX_YAML_BYTES:,} bytes")]
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError([RowError(name, 0, "", "", f"cannot read: {exc}")]) from exc
    return parse_yaml(text, name)
