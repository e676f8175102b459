"""Profile the demo's hidden Barking-like series and rank the persons in the store.

Run: .venv/bin/python benchmarks/geoprofile_demo.py [--png map.png] [--cells 200]

Imports the shipped demo (``caselink/demo``) into a temporary SQLite store,
takes the largest true series containing a drug-related death (from
``truth_cases.csv``: the series the demo hides), and for each method reports
the hit score, search area and error distance of the offender's true home
(``truth_offenders.csv``), and the rank of the offender among all persons in
the store with a known address (persons = mentions, or resolved entities if
the store has a person resolution), ranked by the surface. The prior methods
use the residential density of the store's persons. Last, what ``caselink
geoprofile --method auto`` does: the method chosen on the store's own solved
series (homes from offender/suspect addresses), and the first persons of
interest with their roles in the series.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from caselink.geoprofile.mapping import draw_profile
from caselink.geoprofile.methods import FITTED_METHODS, METHODS, geoprofile
from caselink.geoprofile.persons import candidate_persons, rank_persons
from caselink.geoprofile.profile import profile_series
from caselink.geoprofile.residential import from_mentions
from caselink.geoprofile.solved import read_homes, solved_series
from caselink.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", type=Path, default=None)
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/geoprofile_demo.md"))
    args = parser.parse_args()
    lines: list[str] = [f"machine: {describe()} (shared with other jobs)", ""]

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    demo = Path(str(resources.files("caselink") / "demo"))
    truth_cases = pd.read_csv(demo / "truth_cases.csv", dtype=str)
    truth_people = pd.read_csv(demo / "truth_people.csv", dtype={"person_id": str})
    offenders = pd.read_csv(demo / "truth_offenders.csv", dtype=str)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{tmp}/demo.db")
        store.import_files(
            demo / "cases.csv", demo / "people.csv", demo / "actions.csv", demo / "schema.yaml"
        )
        cases, mentions = store.cases_frame(), store.mentions_frame()
        resolution = store.resolution_frame("person")
        store.close()
    typed = truth_cases.merge(cases[["case_id", "case_type"]], on="case_id")
    deaths = typed[typed["case_type"] == "drug_related_death"].dropna(subset=["series_id"])
    sizes = typed[typed["series_id"].isin(deaths["series_id"])].groupby("series_id").size()
    sid = str(sizes.idxmax())
    ids = typed.loc[typed["series_id"] == sid, "case_id"].tolist()
    crimes = cases[cases["case_id"].isin(ids)]
    oid = str(typed.loc[typed["series_id"] == sid, "offender_id"].iloc[0])
    home = offenders[offenders["offender_id"] == oid].iloc[0]
    offender_person = str(home["person_id"])
    offender_mentions = set(
        truth_people.loc[truth_people["person_id"] == offender_person, "mention_id"].astype(int)
    )
    solved = solved_series(cases, mentions, read_homes(str(demo / "truth_offenders.csv"))).frame
    solved = solved[~solved["case_id"].isin(ids)]
    people = candidate_persons(mentions, resolution)
    prior = from_mentions(mentions, resolution)
    say(
        f"series {sid}: {len(crimes)} cases ({', '.join(sorted(crimes['case_type'].unique()))}); "
        f"offender {oid}; {len(people)} persons with a known address in the store; "
        f"fitted methods use {solved['series_id'].nunique()} other solved series"
    )
    say(
        "\n| method | hunting area km² | hit score % | search area km² | error km "
        "| offender's best rank among persons |"
    )
    say("|---|---|---|---|---|---|")
    for method in METHODS:
        s = geoprofile(
            crimes["lat"],
            crimes["lon"],
            method,
            solved=solved if method in FITTED_METHODS else None,
            cells=args.cells,
            prior=prior,
        )
        cost = s.search_cost_latlon(float(home["home_lat"]), float(home["home_lon"]))
        px, py = s.point_xy
        hx, hy = s.grid.projection.to_xy(float(home["home_lat"]), float(home["home_lon"]))
        ranked = rank_persons(s, people)
        is_offender = ranked["person_id"].isin({f"m{m}" for m in offender_mentions})
        ranks = ranked.loc[is_offender, "rank"].dropna()
        best = f"{int(ranks.min())} of {int(ranked['rank'].notna().sum())}" if len(ranks) else "-"
        say(
            f"| {method} | {s.grid.area_km2:.2f} | {cost.hit_score_pct[0]:.3f} "
            f"| {cost.area_km2[0]:.3f} | {float(np.hypot(px - hx, py - hy)):.2f} | {best} |"
        )
        if args.png is not None and method == "cgt":
            draw_profile(s, crimes, args.png, persons=ranked.head(10))
    auto = profile_series(cases, mentions, ids, resolution=resolution, cells=args.cells)
    offender_ids = {f"m{m}" for m in offender_mentions}
    mine = auto.ranked[auto.ranked["person_id"].isin(offender_ids)]
    say(f"\nauto: {auto.choice.method} — {auto.choice.reason}")
    say(f"prior: {auto.prior.describe() if auto.prior is not None else 'none'}")
    areas = "; ".join(f"first {a.pct:g}% = {a.area_km2:.3f} km²" for a in auto.search_areas)
    say(f"search areas: {areas}")
    spread = auto.choice.spread()
    if spread is not None:
        say(
            f"{auto.choice.method} on the solved series: hit score median {spread[1]:.1f}%, "
            f"quartiles {spread[0]:.1f}–{spread[2]:.1f}%"
        )
    if len(mine):
        best = mine.iloc[0]
        say(
            f"offender (as {best['label']}): rank {best['rank']} of "
            f"{int(auto.ranked['rank'].notna().sum())} persons with a known home in the area, "
            f"hit score {best['hit_score_pct']:.3f}%"
        )
    say("first persons of interest:")
    for _, p in auto.interest.head(5).iterrows():
        say(f"  {p['rank']}. {p['label']} {p['hit_score_pct']:.3f}% {p['roles']}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
