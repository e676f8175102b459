"""Fixtures: a synthetic city written in the open CSV format and split into
cases already stored and cases that arrive later."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from caselink.records.csv_format import read_cases
from caselink.records.model import Case
from caselink.store import Store
from caselink.synth import generate, write

N_CASES = 400
N_LATER = 12


@pytest.fixture(scope="session")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic city of 400 cases (folder with cases.csv, schema.yaml, truth)."""
    folder = tmp_path_factory.mktemp("city")
    write(generate(N_CASES, seed=11, area_side_km=12), folder)
    return folder


@pytest.fixture(scope="session")
def city_cases(city: Path) -> list[Case]:
    """The city's cases as validated records, in case_id (= reporting) order."""
    from caselink.records.schema_file import load_schema

    parsed, _, _ = read_cases(city / "cases.csv", load_schema(city / "schema.yaml"))
    return sorted(parsed.records, key=lambda c: c.case_id)


def without_later(source: Path, target: Path, later: set[str]) -> Path:
    """Copy of a cases.csv without the rows of the ``later`` case ids."""
    with (
        source.open(newline="", encoding="utf-8") as fin,
        target.open("w", newline="", encoding="utf-8") as fout,
    ):
        reader = csv.reader(fin)
        writer = csv.writer(fout)
        writer.writerow(next(reader))
        writer.writerows(row for row in reader if row[0] not in later)
    return target


@pytest.fixture(scope="session")
def base_db(tmp_path_factory: pytest.TempPathFactory, city: Path, city_cases: list[Case]) -> Path:
    """A SQLite store holding all but the last 12 cases, every one scored."""
    from caselink.alerts import rescore_pending

    folder = tmp_path_factory.mktemp("base")
    path = folder / "base.db"
    store = Store.open(f"sqlite:///{path}")
    store.import_files(
        without_later(
            city / "cases.csv", folder / "cases.csv", {c.case_id for c in city_cases[-N_LATER:]}
        ),
        schema=city / "schema.yaml",
    )
    rescore_pending(store)
    store.close()
    return path


@pytest.fixture
def store(tmp_path: Path, base_db: Path) -> Store:
    """A fresh copy of the base store (each test may write to it)."""
    from caselink.alerts import forget_warm_state

    forget_warm_state()
    path = tmp_path / "t.db"
    shutil.copy(base_db, path)
    return Store.open(f"sqlite:///{path}")


@pytest.fixture
def later(city_cases: list[Case]) -> list[Case]:
    """The 12 cases that arrive after the store was filled."""
    return city_cases[-N_LATER:]
