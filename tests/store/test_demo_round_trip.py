"""The shipped demo data set is in canonical form: import then export gives the same bytes."""

from __future__ import annotations

from pathlib import Path

from caselink.store import Store
from caselink.store.exporter import export_store
from caselink.synth.demo import demo_dir


def test_demo_files_round_trip_exactly(store: Store, tmp_path: Path) -> None:
    demo = demo_dir()
    store.import_files(
        demo / "cases.csv", demo / "people.csv", demo / "actions.csv", demo / "schema.yaml"
    )
    export_store(store, tmp_path)
    for name in ("cases.csv", "people.csv", "actions.csv", "schema.yaml"):
        assert (tmp_path / name).read_bytes() == (demo / name).read_bytes(), name
