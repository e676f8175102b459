"""Plain properties of the two synthetic designs side by side, and how fast each generates.

Usage: .venv/bin/python benchmarks/synth_designs.py [N ...] [--seed S]   (default N: 3000 100000)

For each N and design (A, B) at the same seed, measured directly on the
generated frames (no caselink model involved): seconds to generate and to
write the CSVs; the area's side; cases per km² over the whole area and within
1 km of the centre; the share of cases within 1 km of the centre; the blank
share of MO fields that apply to every case of a type (design B's APPLIES ==
1.0; design A's attributes recorded for the type); hidden series and the share
of series with 2+ case types; twins and father/son pairs; and the share of
mentions with no dob / phone / address. Writes
``benchmarks/results/synth_designs.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from caselink.synth import SynthData, generate, write
from caselink.synth import catalogue as cat
from caselink.synth import vocabulary_b as voc
from caselink.synth.geography import KM_PER_DEGREE_LAT
from machine import describe


def _distance_to_centre(data: SynthData) -> np.ndarray:
    lat0, lon0 = data.params["centre"]
    dy = (data.cases["lat"].to_numpy() - lat0) * KM_PER_DEGREE_LAT
    dx = (data.cases["lon"].to_numpy() - lon0) * KM_PER_DEGREE_LAT * np.cos(np.radians(lat0))
    return np.asarray(np.hypot(dx, dy))


def _always_applies(design: str) -> dict[str, list[str]]:
    if design == "B":
        return {a: [t for t, p in m.items() if p == 1.0] for a, m in voc.APPLIES.items()}
    out = {a: [t for t, p in m.items() if p > 0] for a, m in cat.CATEGORICAL_RECORDED.items()}
    out.update(
        {a: [t for t, (p, _) in m.items() if p > 0.5] for a, m in cat.MULTI_RECORDED.items()}
    )
    return out


def _blank_share(data: SynthData, design: str) -> float:
    blank = total = 0
    for attr, types in _always_applies(design).items():
        col = data.cases.loc[data.cases["case_type"].isin(types), attr]
        blank += int(col.map(lambda v: v is None or v == ()).sum())
        total += len(col)
    return blank / total


def measure(n: int, seed: int, design: str) -> dict[str, Any]:
    """Generate and write one city; return its plain properties."""
    t0 = time.perf_counter()
    data = generate(n, seed=seed, design=design)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        write(data, Path(tmp))
    t2 = time.perf_counter()
    side = float(data.params["area_side_km"])
    d = _distance_to_centre(data)
    m = data.cases.merge(data.truth_cases[["case_id", "series_id"]], on="case_id")
    series = m.dropna(subset=["series_id"]).groupby("series_id")["case_type"].nunique()
    kin = data.persons.get("kin_type")
    pairs = {} if kin is None else (kin.value_counts() // 2).to_dict()
    return {
        "design": design,
        "cases": n,
        "seed": seed,
        "generate_s": round(t1 - t0, 2),
        "write_s": round(t2 - t1, 2),
        "side_km": round(side, 2),
        "cases_per_km2": round(n / side**2, 1),
        "cases_per_km2_within_1km": round(float((d <= 1.0).sum()) / np.pi, 1),
        "share_within_1km": round(float((d <= 1.0).mean()), 4),
        "mo_blank_share": round(_blank_share(data, design), 3),
        "series": len(series),
        "series_crossing_types": round(float((series > 1).mean()), 3),
        "twin_pairs": int(pairs.get("twin", 0)),
        "father_son_pairs": int(pairs.get("father_son", 0)),
        "mentions": len(data.people),
        **{
            f"no_{c}": round(float(data.people[c].isna().mean()), 3)
            for c in ("dob", "phone", "address")
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[3000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "synth_designs.json"
    )
    args = parser.parse_args()
    rows = [measure(n, args.seed, d) for n in args.sizes for d in ("A", "B")]
    keys = list(rows[0])
    print(" | ".join(keys))
    for r in rows:
        print(" | ".join(str(r[k]) for k in keys), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"machine": describe(), "shared_machine": True, "rows": rows}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
