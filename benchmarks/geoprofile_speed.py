"""Time one surface per method on a 500 x 500 grid for a 10-crime series.

Run: .venv/bin/python benchmarks/geoprofile_speed.py
The solved data for the fitted methods are 40 simulated series of 10 crimes
(400 offence-to-home distances). Reports the median of 7 runs after a warm-up.
"""

from __future__ import annotations

import statistics
import time

from caselink.geoprofile.methods import METHODS, geoprofile
from caselink.geoprofile.simulation import simulate_series


def main() -> None:
    sim = simulate_series(41, 10, seed=4)
    series = sim[sim["series_id"] == "S000"]
    solved = sim[sim["series_id"] != "S000"]
    print("method      median_s  (500x500 grid, 10 crimes, fitted on 400 solved crimes)")
    for method in METHODS:
        geoprofile(series["lat"], series["lon"], method, solved=solved, cells=50)
        times = []
        for _ in range(7):
            t = time.perf_counter()
            geoprofile(series["lat"], series["lon"], method, solved=solved, cells=500)
            times.append(time.perf_counter() - t)
        print(f"{method:<11} {statistics.median(times):8.3f}")


if __name__ == "__main__":
    main()
