"""The command line is a thin door: it parses options and renders what the service returns.

Every workflow lives in ``caselink.service``; so no module of ``caselink.cli``
imports a data-processing library (pandas, DuckDB, SQLAlchemy, Splink), at the
top or inside a function, and none grows past 250 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import caselink.cli

CLI = Path(caselink.cli.__file__).parent
MODULES = sorted(CLI.glob("*.py"))
FORBIDDEN = {"pandas", "duckdb", "sqlalchemy", "splink", "numpy"}
MAX_LINES = 250


def imported_packages(path: Path) -> set[str]:
    """Top-level names of every package a module imports, anywhere in it."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_there_are_cli_modules_to_check() -> None:
    assert len(MODULES) >= 10


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_cli_module_imports_a_data_library(path: Path) -> None:
    assert imported_packages(path) & FORBIDDEN == set()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_cli_module_is_longer_than_250_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines"


def test_the_import_scan_finds_what_a_module_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\ndef f():\n    import pandas as pd\n    from duckdb import x\n")
    assert imported_packages(module) == {"os", "pandas", "duckdb"}
