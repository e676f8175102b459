"""The docs under test: the architecture's arrows are the imports; the CLI reference
names every command and option.

Regenerate with ``scripts/architecture.py --write`` and ``scripts/cli_reference.py``.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


architecture = _script("architecture")
cli_reference = _script("cli_reference")


def _doc_arrows() -> dict[str, set[str]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split(architecture.BEGIN, 1)[1].split(architecture.END, 1)[0]
    graph: dict[str, set[str]] = {}
    for line in block.splitlines():
        if "->" in line:
            source, targets = line.split("->")
            graph[source.strip()] = {t.strip() for t in targets.split(",")}
    return graph


def test_the_architecture_arrows_are_the_package_imports() -> None:
    drawn = _doc_arrows()
    assert len(drawn) >= 10
    assert drawn == architecture.package_graph()


def test_no_package_imports_one_that_imports_it_back() -> None:
    graph = nx.DiGraph(
        (src, dst) for src, dsts in architecture.package_graph().items() for dst in dsts
    )
    assert list(nx.simple_cycles(graph)) == []


def test_no_module_import_cycle() -> None:
    paths = {architecture.module_name(p): p for p in architecture.SRC.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(paths)
    for name, path in paths.items():
        for target in architecture.imports(path, top_level_only=True):
            if target in paths and target != name:
                graph.add_edge(name, target)
    assert list(nx.simple_cycles(graph)) == []


def test_the_import_scan_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from caselink.linkage import engine\n")
    assert "caselink.linkage.engine" in architecture.imports(module)
    assert architecture.imports(module, top_level_only=True) == set()


REFERENCE = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
COMMANDS = list(cli_reference.commands(cli_reference.typer.main.get_command(cli_reference.app)))


def _section(path: tuple[str, ...]) -> str:
    heading = f"## caselink {' '.join(path)}\n"
    assert heading in REFERENCE, f"docs/cli.md has no section for `caselink {' '.join(path)}`"
    return REFERENCE.split(heading, 1)[1].split("\n## ", 1)[0]


def test_the_reference_covers_the_commands() -> None:
    assert len(COMMANDS) >= 30


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_and_option_is_in_the_cli_reference(
    path: tuple[str, ...], command: object
) -> None:
    section = _section(path)
    for option in cli_reference.options(command):
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", section), (
            f"`caselink {' '.join(path)} {option}` is not in docs/cli.md: "
            "run scripts/cli_reference.py"
        )
