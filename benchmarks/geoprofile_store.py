"""Evaluate geographic profiling through a store, as `caselink evaluate-geoprofile` does.

Run: .venv/bin/python benchmarks/geoprofile_store.py [--cases 6000] [--seed 7] [--demo DIR]

Writes a synthetic city with :func:`caselink.synth.write`, imports it into a
temporary SQLite store, takes the solved series (cases with ``offender_id``,
3+ cases) with homes from ``truth_offenders.csv`` (the ``--homes`` option),
and also with homes from offender/suspect addresses only (no truth file).
With ``--demo DIR`` (a folder holding the demo's cases.csv, people.csv and,
if present, truth_offenders.csv) the demo data set is evaluated the same way.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from caselink.geoprofile.evaluation import evaluate_series, markdown_summary
from caselink.geoprofile.solved import read_homes, solved_series
from caselink.store import Store
from caselink.synth import generate, write


def evaluate_folder(folder: Path, db: str, label: str, cells: int) -> None:
    """Import a folder of CSVs into a store and evaluate its solved series."""
    store = Store.open(db)
    people = folder / "people.csv"
    actions = folder / "actions.csv"
    schema = folder / "schema.yaml"
    store.import_files(
        folder / "cases.csv",
        people if people.exists() else None,
        actions if actions.exists() else None,
        schema if schema.exists() else None,
    )
    cases, mentions = store.cases_frame(), store.mentions_frame()
    truth = folder / "truth_offenders.csv"
    homes = read_homes(str(truth)) if truth.exists() else None
    for source, table in (("truth homes", homes), ("offender/suspect addresses", None)):
        if source == "truth homes" and table is None:
            continue
        solved = solved_series(cases, mentions, table, min_crimes=3)
        n = solved.frame["series_id"].nunique()
        if n < 2:
            print(f"\n{label}, {source}: {n} solved series with a known home; skipped")
            continue
        res = evaluate_series(solved.frame, cells=cells, min_crimes=3)
        print(
            "\n"
            + markdown_summary(res, f"{label}: solved series in the store, homes from {source}")
        )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--demo", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "synth"
        write(generate(args.cases, seed=args.seed), out)
        evaluate_folder(
            out, f"sqlite:///{tmp}/synth.db", f"synthetic city ({args.cases} cases)", args.cells
        )
        if args.demo is not None:
            evaluate_folder(args.demo, f"sqlite:///{tmp}/demo.db", "demo", args.cells)


if __name__ == "__main__":
    main()
