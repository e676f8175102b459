"""Person resolution on every source in one run: FEBRL3, FEBRL4, synthetic designs A and B.

Each change to the person model is judged on all four in the same run (two
of them no one here designed), beside plain Splink on FEBRL in that run:
``entities_febrl.run`` for FEBRL3 and FEBRL4 (caselink and plain Splink,
P/R/F1 and seconds), ``entities_person_resolution.run`` for the synthetic
designs (P/R/F1, seconds, and on design B the twin and father/son pairs
wrongly merged), and on each source the F1 with each contradiction a hard veto.

Usage::

    nice -n 10 .venv/bin/python benchmarks/entities_compare.py [--mentions 50000] [--seed 11]

Writes ``benchmarks/results/entities_compare.json`` (with the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import entities_febrl
import entities_person_resolution
from machine import describe

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mentions", type=int, default=50_000, help="synthetic mentions")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--sets", default="febrl3,febrl4,A,B")
    parser.add_argument("--out", type=Path, default=RESULTS / "entities_compare.json")
    args = parser.parse_args()
    runs: list[dict[str, Any]] = []
    for name in args.sets.split(","):
        if name.startswith("febrl"):
            row = entities_febrl.run(name)
        else:
            synth = entities_person_resolution.arguments().parse_args(
                [
                    *("--mentions", str(args.mentions), "--seed", str(args.seed)),
                    *("--design", name, "--vetoes"),
                ]
            )
            row = entities_person_resolution.run(synth)
            row.pop("machine", None)
        row["load_average"] = [round(x, 1) for x in os.getloadavg()]
        runs.append(row)
        print(json.dumps(row), flush=True)
    result = {"machine": describe(), "shared": "machine shared with other jobs", "runs": runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
