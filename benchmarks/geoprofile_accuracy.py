"""Hit score, search area and error distance of every method on solved series.

Run: .venv/bin/python benchmarks/geoprofile_accuracy.py [--cases 6000] [--seed 7] [--cells 200]

Sections:

A. series simulated by :func:`caselink.geoprofile.simulation.simulate_series`
   (gamma journey distances, shape 2, scale 1 km; 40 series of 10 crimes);
B. the true series of the synthetic city (:func:`caselink.synth.generate`),
   all cases of each series with >= 3 cases, homes from ``truth_offenders``,
   split by series size (Rossmo advises >= 5 sites);
C. CGT's exponents f = g = 1.2 against 1.9 on B;
D. the true series of the shipped demo data set (``caselink/demo``).

Fitted methods (jtc, bayes, bayes-cgt) are fitted leave-one-series-out.
Rossmo's published CGT figures (Rossmo 2000, Table 10.1) are printed beside.
"""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

import pandas as pd

from caselink.geoprofile.evaluation import evaluate_series, markdown_summary
from caselink.geoprofile.simulation import simulate_series
from caselink.synth import SynthData, generate

ROSSMO_TABLE_10_1 = """Rossmo (2000), Geographic Profiling, Table 10.1 (CGT, SFU serial murder data):
| series | crime sites | hunting area | CGT hit score | search area |
|---|---|---|---|---|
| Chase | 5 | 8.0 km² | 1.7% | 0.1 km² |
| Berkowitz | 10 | 816 km² | 4.7% | 38.2 km² |
| Ramirez | 21 | 6,393 km² | 9.8% | 625 km² |
| DeSalvo | 14 | 1,256 km² | 17.8% | 223 km² |"""


def demo_true_series(
    cases: pd.DataFrame, truth_cases: pd.DataFrame, truth_offenders: pd.DataFrame
) -> pd.DataFrame:
    """True series (all their cases) with their offenders' homes, as a solved-series frame."""
    truth = truth_cases[["case_id", "series_id", "offender_id"]].dropna(subset=["series_id"])
    frame = (
        cases[["case_id", "lat", "lon"]]
        .merge(truth, on="case_id")
        .merge(truth_offenders[["offender_id", "home_lat", "home_lon"]], on="offender_id")
    )
    return frame[["series_id", "case_id", "lat", "lon", "home_lat", "home_lon"]]


def synth_true_series(data: SynthData) -> pd.DataFrame:
    """True series of a generated synthetic city."""
    return demo_true_series(data.cases, data.truth_cases, data.truth_offenders)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cells", type=int, default=200)
    args = parser.parse_args()

    def report(results: pd.DataFrame, title: str) -> None:
        print("\n" + markdown_summary(results, title))

    sim = simulate_series(40, 10, seed=1)
    report(evaluate_series(sim, cells=args.cells), "A. simulated gamma(2, 1 km), 10 crimes each")

    synth = synth_true_series(generate(args.cases, seed=args.seed))
    res = evaluate_series(synth, cells=args.cells, min_crimes=3)
    sizes = res.groupby("series_id")["n_crimes"].first()
    report(res, f"B. synthetic city ({args.cases} cases, seed {args.seed}): true series, 3+ cases")
    report(res[res["series_id"].isin(sizes[sizes >= 5].index)], "B5. the same, 5+ cases")

    f19 = evaluate_series(synth, ["cgt"], cells=args.cells, params={"cgt": {"f": 1.9, "g": 1.9}})
    f19["method"] = "cgt f=g=1.9"
    report(pd.concat([res[res["method"] == "cgt"], f19]), "C. CGT exponents on B")

    demo = Path(str(resources.files("caselink") / "demo"))
    if (demo / "truth_cases.csv").exists():
        frames = {
            name: pd.read_csv(demo / f"{name}.csv", dtype={"case_id": str, "offender_id": str})
            for name in ("cases", "truth_cases", "truth_offenders")
        }
        dres = evaluate_series(demo_true_series(**frames), cells=args.cells, min_crimes=3)
        report(dres, "D. demo data set: true series, 3+ cases")

    print("\n" + ROSSMO_TABLE_10_1)


if __name__ == "__main__":
    main()
