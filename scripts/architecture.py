"""The import graph of caselink's packages, as docs/architecture.md draws it.

    .venv/bin/python scripts/architecture.py          # print the arrows
    .venv/bin/python scripts/architecture.py --write  # rewrite them in docs/architecture.md

``tests/docs/test_docs.py`` fails when the doc's arrows and the imports differ.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "caselink"
DOC = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- imports:begin -->", "<!-- imports:end -->"


def module_name(path: Path) -> str:
    """``caselink.a.b`` of ``src/caselink/a/b.py`` (a package is its ``__init__``)."""
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_of(module: str) -> str:
    """The first-level part of caselink a module belongs to (``caselink`` for the root)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "caselink"


def is_module(name: str) -> bool:
    """Whether ``caselink.a.b`` is a module or package of the source tree."""
    base = SRC.parent.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports(path: Path, top_level_only: bool = False) -> set[str]:
    """The caselink modules a file imports (anywhere, or only at module level).

    ``from caselink.a import b`` imports the module ``caselink.a.b`` when there is
    one, else names of ``caselink.a``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("caselink"))
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.startswith("caselink")
        ):
            subs = {f"{node.module}.{a.name}" for a in node.names}
            found.update(m for m in subs if is_module(m))
            if not all(is_module(m) for m in subs):
                found.add(node.module)
    return found


def package_graph() -> dict[str, set[str]]:
    """Which package imports which (every import, in functions too)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        source = package_of(module_name(path))
        for target in imports(path):
            dest = package_of(target)
            if dest != source and dest != "caselink":
                graph.setdefault(source, set()).add(dest)
    return graph


def arrows(graph: dict[str, set[str]]) -> str:
    """One line per package: ``pkg -> dep, dep``."""
    return "\n".join(f"{src} -> {', '.join(sorted(dst))}" for src, dst in sorted(graph.items()))


def main() -> None:
    text = arrows(package_graph())
    if "--write" not in sys.argv[1:]:
        print(text)
        return
    doc = DOC.read_text(encoding="utf-8")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n```\n{text}\n```\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
