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
def later_ids(city: Path, city_cases: list[Case]) -> list[str]:
    """The 12 cases that arrive later: the last cases with a true, found link.

    Each has an earlier case of the same offender (by the synthetic truth)
    that stays in the store and that the default model links to it at
    p >= 0.5 on the whole city, so the alerter has a true link to raise. The
    last 12 cases by id are all first offences in this city: with a calibrated
    model they raise no alert (and should not).
    """
    from caselink.linkage import LinkageEngine
    from caselink.records.schema_file import load_schema
    from caselink.synth import generate

    with (city / "truth_cases.csv").open(newline="", encoding="utf-8") as f:
        offender = {row["case_id"]: row["offender_id"] for row in csv.DictReader(f)}
    data = generate(N_CASES, seed=11, area_side_km=12)
    links = LinkageEngine(data.cases, load_schema(city / "schema.yaml")).link(min_probability=0.5)
    found = [
        (a, b) if a > b else (b, a)
        for a, b in zip(links["case_a"], links["case_b"], strict=True)
        if offender[a] == offender[b]
    ]
    chosen: list[str] = []
    kept: set[str] = set()
    for case in reversed(city_cases):
        if len(chosen) == N_LATER:
            break
        earlier = [b for a, b in found if a == case.case_id and b not in chosen]
        if earlier and case.case_id not in kept:
            chosen.append(case.case_id)
            kept.update(earlier)
    return sorted(chosen)


@pytest.fixture(scope="session")
def base_db(tmp_path_factory: pytest.TempPathFactory, city: Path, later_ids: list[str]) -> Path:
    """A SQLite store holding all but the last 12 cases, every one scored."""
    from caselink.alerts import rescore_pending

    folder = tmp_path_factory.mktemp("base")
    path = folder / "base.db"
    store = Store.open(f"sqlite:///{path}")
    store.import_files(
        without_later(city / "cases.csv", folder / "cases.csv", set(later_ids)),
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
def later(city_cases: list[Case], later_ids: list[str]) -> list[Case]:
    """The 12 cases that arrive after the store was filled (see ``later_ids``)."""
    wanted = set(later_ids)
    return [c for c in city_cases if c.case_id in wanted]
