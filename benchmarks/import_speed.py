"""How long a bulk import takes: N synthetic cases (about 2.5 people rows each) into SQLite.

Run:  .venv/bin/python benchmarks/import_speed.py --cases 100000
Writes benchmarks/results/import_speed.json and prints a table row.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from caselink import synth
from caselink.store import Store
from machine import describe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "import_speed.json"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = synth.generate(args.cases, args.seed)
        synth.write(data, folder / "data")
        store = Store.open(f"sqlite:///{folder / 'store.db'}")
        d = folder / "data"
        start = time.perf_counter()
        report = store.import_files(
            d / "cases.csv", d / "people.csv", d / "actions.csv", d / "schema.yaml"
        )
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        again = store.import_files(
            d / "cases.csv", d / "people.csv", d / "actions.csv", d / "schema.yaml"
        )
        reimport = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    result = {
        "cases": report.cases_inserted,
        "people_rows": report.mentions,
        "actions": report.actions,
        "import_seconds": round(seconds, 2),
        "reimport_seconds": round(reimport, 2),
        "reimport_updated": again.cases_updated,
        "cases_per_second": round(report.cases_inserted / seconds),
        "peak_rss_gib": round(peak, 2),
        "machine": describe(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
