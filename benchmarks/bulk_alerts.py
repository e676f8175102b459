"""Alerts for a bulk import: one batch link run against scoring the cases one by one.

For each size N: a synthetic city of N cases is imported into an empty SQLite
store and its alerts raised twice, by scoring every case one by one on arrival
(`rescore_pending`, what `caselink import` did before) and by one batch link
run (`raise_bulk_alerts`, what it does now for a bulk). The alerts must be
equal (checked: pairs, probabilities, explanations, series); the times are
compared. Scoring one by one is skipped above --max-one-by-one cases.

Run:  nice -n 10 .venv/bin/python benchmarks/bulk_alerts.py 2000 10000
Writes benchmarks/results/bulk_alerts.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from caselink import synth
from caselink.alerts import forget_warm_state, list_alerts, rescore_pending
from caselink.alerts.bulk import raise_bulk_alerts
from caselink.store import Store
from machine import describe

COLUMNS = ["case_id", "linked_case_id", "series_id", "explanation"]


def _alerts(store: Store) -> list[tuple[object, ...]]:
    frame = list_alerts(store).sort_values("alert_id")
    rows = frame[COLUMNS].itertuples(index=False, name=None)
    return [(*r, round(float(p), 9)) for r, p in zip(rows, frame["probability"], strict=True)]


def _run(folder: Path, name: str, data: Path, how: str) -> tuple[float, list[tuple[object, ...]]]:
    forget_warm_state()
    store = Store.open(f"sqlite:///{folder / name}.db")
    store.import_files(data / "cases.csv", schema=data / "schema.yaml")
    start = time.perf_counter()
    if how == "batch":
        raise_bulk_alerts(store)
    else:
        rescore_pending(store)
    seconds = time.perf_counter() - start
    return seconds, _alerts(store)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--max-one-by-one", type=int, default=20_000)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "bulk_alerts.json"
    )
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            synth.write(synth.generate(n, args.seed), folder / "data")
            batch_s, batch = _run(folder, "batch", folder / "data", "batch")
            row: dict[str, object] = {
                "cases": n,
                "alerts": len(batch),
                "batch_seconds": round(batch_s, 1),
            }
            if n <= args.max_one_by_one:
                one_s, one = _run(folder, "one", folder / "data", "one_by_one")
                row.update(
                    one_by_one_seconds=round(one_s, 1),
                    speedup=round(one_s / batch_s, 1),
                    equal_alerts=batch == one,
                )
            rows.append(row)
            print(json.dumps(row), flush=True)
    result = {
        "what": "alerts of a bulk import of N synthetic cases into an empty SQLite store: "
        "one batch link run against one-by-one scoring (default model, threshold 0.5)",
        "runs": rows,
        "load_average": os.getloadavg(),
        "machine": describe() + "; shared with other jobs",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
