"""Hit score of every geographic-profiling method, ``auto`` and the residential prior.

Run: nice -n 10 .venv/bin/python benchmarks/geoprofile_accuracy.py [--cases 6000] [--seed 7]
     [--cells 200] [--out benchmarks/results/geoprofile_accuracy.json]

Sources (every series with >= 3 cases, homes from the truth files):

- ``simulated``: :func:`caselink.geoprofile.simulation.simulate_series`
  (gamma journeys, shape 2, scale 1 km; 40 series of 10 crimes; homes uniform
  in a disc, so there is no residential prior);
- ``design A``: the synthetic city of ``caselink synth`` (design A);
- ``design B``: ``caselink synth --design B``, a city written independently
  (centred density with parks and industrial estates, offenders living where
  people live, marauders and commuters);
- ``demo``: the shipped demo borough (``caselink/demo``).

The residential prior of each city is built from its own people file, as
``caselink geoprofile`` builds it from the store (offender/suspect mentions
left out). Fitted methods are fitted leave-one-series-out. ``auto`` scores, on
each series, the method with the best median hit score on all *other*
series (:func:`caselink.geoprofile.selection.leave_one_out_auto`). A home
outside the study area counts as 100 %. The default used when a store has
fewer than 3 solved series is chosen here, on all sources together: the
method needing no solved series with the lowest mean, over the sources, of
its median hit score. No real data set with offenders' homes is available
here (crimelinkage records no homes), so Rossmo's published figures are
printed beside.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from caselink.geoprofile.evaluation import evaluate_series
from caselink.geoprofile.methods import FITTED_METHODS, METHODS, PRIOR_METHODS
from caselink.geoprofile.residential import ResidentialDensity, from_mentions
from caselink.geoprofile.selection import leave_one_out_auto
from caselink.geoprofile.simulation import simulate_series
from caselink.synth import SynthData, generate
from machine import describe

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


def stats(results: pd.DataFrame) -> pd.DataFrame:
    """Per method: series, homes outside, quartiles and mean of the hit score, km² searched."""
    r = results.assign(
        hit=results["hit_score_pct"].where(results["home_in_area"], 100.0),
        area=results["search_area_km2"].where(results["home_in_area"], results["hunting_area_km2"]),
    )
    rows = []
    for method, g in r.groupby("method", sort=False):
        q1, q2, q3 = np.percentile(g["hit"], [25, 50, 75])
        rows.append(
            {
                "method": method,
                "series": int(g["series_id"].nunique()),
                "homes_outside": int((~g["home_in_area"].astype(bool)).sum()),
                "q1_hit_pct": float(q1),
                "median_hit_pct": float(q2),
                "q3_hit_pct": float(q3),
                "mean_hit_pct": float(g["hit"].mean()),
                "median_search_km2": float(g["area"].median()),
                "median_hunting_km2": float(g["hunting_area_km2"].median()),
                "median_error_km": float(g["error_distance_km"].median()),
            }
        )
    return pd.DataFrame(rows)


def evaluate_source(
    name: str, solved: pd.DataFrame, prior: ResidentialDensity | None, cells: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every method that can run, and auto, on one source."""
    t0 = time.perf_counter()
    res = evaluate_series(solved, prior=prior, cells=cells, min_crimes=3)
    auto = leave_one_out_auto(res)
    table = stats(pd.concat([res, auto.drop(columns="chosen")], ignore_index=True))
    table.insert(0, "source", name)
    info = {
        "source": name,
        "prior": prior.describe() if prior is not None else None,
        "auto_chose": auto["chosen"].value_counts().to_dict(),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    return table, info


def markdown(table: pd.DataFrame, info: dict[str, Any]) -> str:
    """One source's table."""
    lines = [
        f"### {info['source']} ({table['series'].iloc[0]} series; median hunting area "
        f"{table['median_hunting_km2'].iloc[0]:.1f} km²)",
        "",
        f"prior: {info['prior'] or 'none'}; auto chose {info['auto_chose']}",
        "",
        "| method | median hit % | quartiles | mean hit % | median search km² "
        "| median error km | homes outside |",
        "|---|---|---|---|---|---|---|",
    ]
    for _, r in table.iterrows():
        lines.append(
            f"| {r['method']} | {r['median_hit_pct']:.1f} | {r['q1_hit_pct']:.1f}–"
            f"{r['q3_hit_pct']:.1f} | {r['mean_hit_pct']:.1f} | {r['median_search_km2']:.2f} "
            f"| {r['median_error_km']:.2f} | {r['homes_outside']} |"
        )
    return "\n".join(lines)


def fallback_defaults(all_tables: pd.DataFrame) -> dict[str, Any]:
    """Methods needing no solved series ranked by the mean over sources of their median."""
    no_fit = all_tables[~all_tables["method"].isin(FITTED_METHODS | {"auto"})]
    out: dict[str, Any] = {}
    for label, pool in (
        ("with_prior", no_fit[no_fit["source"].isin(_sources_with(all_tables, "normal-res"))]),
        ("without_prior", no_fit[~no_fit["method"].isin(PRIOR_METHODS)]),
    ):
        mean = pool.groupby("method")["median_hit_pct"].mean().sort_values()
        out[label] = {
            "sources": sorted(pool["source"].unique()),
            "mean_of_medians": {m: round(float(v), 2) for m, v in mean.items()},
            "choice": str(mean.index[0]),
        }
    return out


def _sources_with(table: pd.DataFrame, method: str) -> list[str]:
    return sorted(table.loc[table["method"] == method, "source"].unique())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/geoprofile_accuracy.json")
    )
    args = parser.parse_args()
    started = time.perf_counter()
    sources: list[tuple[str, pd.DataFrame, ResidentialDensity | None]] = [
        ("simulated gamma(2, 1 km), 10 crimes", simulate_series(40, 10, seed=1), None)
    ]
    for design in ("A", "B"):
        data = generate(args.cases, seed=args.seed, design=design)
        sources.append(
            (
                f"design {design} ({args.cases} cases, seed {args.seed})",
                synth_true_series(data),
                from_mentions(data.people),
            )
        )
    demo = Path(str(resources.files("caselink") / "demo"))
    frames = {
        name: pd.read_csv(demo / f"{name}.csv", dtype={"case_id": str, "offender_id": str})
        for name in ("cases", "truth_cases", "truth_offenders")
    }
    people = pd.read_csv(demo / "people.csv", dtype={"case_id": str})
    people.insert(0, "mention_id", np.arange(len(people)))
    sources.append(("demo borough", demo_true_series(**frames), from_mentions(people)))

    tables, infos = [], []
    for name, solved, prior in sources:
        table, info = evaluate_source(name, solved, prior, args.cells)
        tables.append(table)
        infos.append(info)
        print("\n" + markdown(table, info), flush=True)
    everything = pd.concat(tables, ignore_index=True)
    defaults = fallback_defaults(everything)
    print("\nDefault when fewer than 3 solved series (mean over sources of the median hit %):")
    for label, d in defaults.items():
        print(f"- {label} ({', '.join(d['sources'])}): {d['mean_of_medians']} -> {d['choice']}")
    gaps = []
    for source, g in everything.groupby("source", sort=False):
        single = g[g["method"] != "auto"]
        best = single.sort_values("median_hit_pct").iloc[0]
        auto = g[g["method"] == "auto"].iloc[0]
        gaps.append(
            {
                "source": source,
                "best_single": str(best["method"]),
                "best_single_median": float(best["median_hit_pct"]),
                "auto_median": float(auto["median_hit_pct"]),
                "auto_minus_best_pp": float(auto["median_hit_pct"] - best["median_hit_pct"]),
            }
        )
    print("\nauto against the best single method (percentage points of median hit score):")
    for gp in gaps:
        print(
            f"- {gp['source']}: auto {gp['auto_median']:.1f}% vs {gp['best_single']} "
            f"{gp['best_single_median']:.1f}% ({gp['auto_minus_best_pp']:+.1f} pp)"
        )
    print("\n" + ROSSMO_TABLE_10_1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "command": " ".join(sys.argv),
                "machine": describe(),
                "note": "machine shared with other jobs",
                "cells": args.cells,
                "methods": list(METHODS),
                "sources": infos,
                "results": everything.round(3).to_dict(orient="records"),
                "fallback_defaults": defaults,
                "auto_vs_best_single": gaps,
                "seconds": round(time.perf_counter() - started, 1),
            },
            indent=2,
        )
    )
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
