"""How fast caselink.synth generates and writes a synthetic city.

Usage: .venv/bin/python benchmarks/synth_speed.py [N ...]   (default: 10000 100000 1000000)

Prints, per N: seconds to generate, seconds to write the CSVs, total, rows
written (cases, people, actions) and MB on disk.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from caselink.synth import generate, write


def measure(n: int, seed: int = 1) -> dict[str, float]:
    """Generate and write ``n`` cases into a temporary directory; return timings and sizes."""
    t0 = time.perf_counter()
    data = generate(n, seed=seed)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write(data, Path(tmp))
        t2 = time.perf_counter()
        size = sum(p.stat().st_size for p in paths) / 1e6
    return {
        "cases": n,
        "generate_s": t1 - t0,
        "write_s": t2 - t1,
        "total_s": t2 - t0,
        "people": len(data.people),
        "actions": len(data.actions),
        "mb": size,
    }


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [10_000, 100_000, 1_000_000]
    print(
        f"{'cases':>9} {'generate s':>10} {'write s':>8} {'total s':>8} {'people':>9} {'actions':>9} {'MB':>7}"
    )
    for n in sizes:
        r = measure(n)
        print(
            f"{r['cases']:>9,} {r['generate_s']:>10.1f} {r['write_s']:>8.1f} {r['total_s']:>8.1f} "
            f"{r['people']:>9,} {r['actions']:>9,} {r['mb']:>7.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
