"""The demo: load the Barking-like borough and show, chapter by chapter, what caselink finds.

This is the end of the data flow (records -> store -> linkage -> entities ->
assurance -> geoprofile -> views); it calls each library in turn and keeps
what an analyst would read. The hidden series is named from the demo's
ground truth only to say whether caselink found it, never to find it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from caselink.assurance import default_standard, missing_checks, raise_prompts
from caselink.assurance.prompts import prompts_frame, recurrences_from_flags
from caselink.entities import KEY_KINDS, PersonResolver, recurrence_flags, resolve_keys
from caselink.geoprofile.methods import geoprofile
from caselink.geoprofile.persons import candidate_persons, rank_persons
from caselink.linkage.engine import LinkageEngine, NotEnoughLabelsError
from caselink.records.geodesy import haversine_km
from caselink.replay import replay
from caselink.service.person_review import store_resolution
from caselink.settings import LINK_THRESHOLD
from caselink.store import Store
from caselink.synth.demo import demo_dir, read_planted

Say = Callable[[str], None]
REPLAY_FROM = datetime(2014, 1, 1)
REPLAY_TO = datetime(2015, 12, 31)
"""The replay covers the deaths (every earlier case is still known, none later)."""


@dataclass
class DemoFindings:
    """What the demo found, for the CLI to print and the tests to check."""

    planted: dict[str, str]
    model: str
    links_between_deaths: pd.DataFrame
    explanations: dict[tuple[str, str], tuple[float, list[str]]]
    series_of_deaths: dict[str, str | None]
    series_members: list[str]
    flags: pd.DataFrame
    missed_checks: pd.DataFrame
    prompts: pd.DataFrame
    offender_home_rank: int | None
    offender_home_hit_pct: float | None
    replay_flags: list[dict[str, Any]] = field(default_factory=list)
    """Death-to-death alerts of the day-by-day replay: when, which pair, why."""
    replay_provenance: str = ""
    persons_of_interest_in_time: list[dict[str, Any]] = field(default_factory=list)
    """Reporters/finders of a linked death living near the other death, on the alert's date."""
    files: list[Path] = field(default_factory=list)


def _death_keys(planted: dict[str, str]) -> list[str]:
    return [planted[k] for k in ("d1", "d2", "d3", "d4")]


def load_demo(store: Store) -> None:
    """Import the shipped demo files into ``store``."""
    folder = demo_dir()
    store.import_files(
        folder / "cases.csv", folder / "people.csv", folder / "actions.csv", folder / "schema.yaml"
    )


def run_demo(store: Store, outdir: Path, say: Say) -> DemoFindings:
    """Load the demo borough, then link, resolve, check and profile it."""
    outdir.mkdir(parents=True, exist_ok=True)
    planted = read_planted()  # shipped with the data: nothing is regenerated
    deaths = _death_keys(planted)
    say("Loading the demo borough (2013-2016) into the store")
    load_demo(store)
    cases = store.cases_frame()
    schema = store.attribute_schema()
    say(f"  {len(cases):,} cases, {len(store.mentions_frame()):,} people rows")

    say("Case linkage: training on solved cases (offender-grouped cross-validation)")
    engine = LinkageEngine(cases, schema)
    try:
        saved = engine.train()
        model = f"{saved.name} (trained on {saved.summary.get('linked_pairs')} linked pairs)"
    except NotEnoughLabelsError:
        model = "default (literature priors, no labels)"
    links = engine.link(min_probability=0.05)
    links.to_csv(outdir / "links.csv", index=False)
    series = engine.series(threshold=LINK_THRESHOLD, links=links)
    series.members.to_csv(outdir / "series.csv", index=False)
    between = links[links["case_a"].isin(deaths) & links["case_b"].isin(deaths)].reset_index(
        drop=True
    )
    explanations: dict[tuple[str, str], tuple[float, list[str]]] = {}
    for a, b in pairwise(deaths):
        prob, evidence = engine.explain(a, b)
        explanations[(a, b)] = (prob, [str(e) for e in evidence])
    member_of = dict(zip(series.members["case_id"], series.members["series_id"], strict=True))
    series_of_deaths: dict[str, str | None] = {d: member_of.get(d) for d in deaths}
    found = {s for s in series_of_deaths.values() if s is not None}
    members = sorted(series.members.loc[series.members["series_id"].isin(found), "case_id"])

    say("Entity resolution: the same people across cases (Splink on DuckDB)")
    mentions = store.mentions_frame()
    resolver = PersonResolver().fit(mentions, cases)
    persons = resolver.resolve(mentions, cases)
    resolutions = {"person": store_resolution(store, persons.assignments)}
    for kind in KEY_KINDS:
        resolutions[kind] = resolve_keys(mentions, kind)
        store.replace_resolution(kind, resolutions[kind])
    flags = recurrence_flags(mentions, cases, resolutions, series.members)
    flags.to_csv(outdir / "flags.csv", index=False)
    touching = flags[flags["cases"].astype(str).str.contains("|".join(deaths))]

    say("Investigative assurance: missed checks and the prompts the links raise")
    standard = default_standard()
    actions = store.actions_frame()
    missed = missing_checks(cases, actions, standard, as_of="2017-01-01")
    missed.to_csv(outdir / "missing.csv", index=False)
    raised = raise_prompts(
        cases,
        actions,
        links=links,
        series=series.members,
        recurrences=recurrences_from_flags(touching),
    )
    prompts = prompts_frame(raised)
    prompts.to_csv(outdir / "prompts.csv", index=False)

    say("Geographic profiling of the series found (Rossmo CGT)")
    rank: int | None = None
    hit: float | None = None
    if members:
        crimes = cases[cases["case_id"].isin(members)]
        surface = geoprofile(crimes["lat"], crimes["lon"], "cgt")
        surface.to_frame().to_csv(outdir / "surface.csv", index=False)
        people = candidate_persons(mentions, persons.assignments)
        ranked = rank_persons(surface, people)
        offenders = pd.read_csv(demo_dir() / "truth_offenders.csv", dtype=str)
        offender_person = offenders.set_index("offender_id").loc[
            planted["offender_id"], "person_id"
        ]
        truth = pd.read_csv(demo_dir() / "truth_people.csv", dtype={"person_id": str})
        his_mentions = truth.loc[truth["person_id"] == offender_person, "mention_id"].tolist()
        his_persons = set(
            persons.assignments.loc[
                persons.assignments["mention_id"].isin(his_mentions), "entity_id"
            ]
        )
        mine = ranked[ranked["person_id"].isin(his_persons)]
        if len(mine):
            best = mine.sort_values("rank").iloc[0]
            rank, hit = int(best["rank"]), float(best["hit_score_pct"])
    say("Replay, day by day: when would each death have been linked to an earlier one?")
    replayed = replay(cases, schema, start=REPLAY_FROM, end=REPLAY_TO)
    replayed.alerts.drop(columns=["explanation"], errors="ignore").to_csv(
        outdir / "replay_alerts.csv", index=False
    )
    alerts = replayed.alerts
    flags_in_time = []
    for death in deaths[1:]:
        hits = alerts[(alerts["case_id"] == death) & alerts["linked_case_id"].isin(deaths)]
        if len(hits):
            first = hits.sort_values("probability", ascending=False).iloc[0]
            flags_in_time.append(
                {
                    "alerted_at": str(first["alerted_at"])[:10],
                    "case_id": death,
                    "linked_case_id": str(first["linked_case_id"]),
                    "probability": float(first["probability"]),
                    "why": replayed.explain(death, str(first["linked_case_id"])),
                }
            )
    return DemoFindings(
        planted=planted,
        model=model,
        links_between_deaths=between,
        explanations=explanations,
        series_of_deaths=series_of_deaths,
        series_members=members,
        flags=touching.reset_index(drop=True),
        missed_checks=missed[missed["case_id"].isin(deaths)].reset_index(drop=True),
        prompts=prompts[prompts["case_id"].isin(deaths)].reset_index(drop=True),
        offender_home_rank=rank,
        offender_home_hit_pct=hit,
        replay_flags=flags_in_time,
        replay_provenance=replayed.provenance,
        persons_of_interest_in_time=reporters_near_linked_deaths(flags_in_time, cases, mentions),
        files=sorted(outdir.iterdir()),
    )


def reporters_near_linked_deaths(
    flags_in_time: list[dict[str, Any]],
    cases: pd.DataFrame,
    mentions: pd.DataFrame,
    within_km: float = 1.0,
) -> list[dict[str, Any]]:
    """On the day two deaths are linked, who reported or found one and lives near the other.

    Uses only what the two linked cases record (the people of each case and
    where the other body was found), so it is known on the alert's date.
    """
    where = cases.set_index("case_id")[["lat", "lon"]]
    reporting = mentions[
        mentions["role"].isin(["reporter", "finder"]) & mentions["address_lat"].notna()
    ]
    found = []
    for flag in flags_in_time:
        pair = (flag["case_id"], flag["linked_case_id"])
        for own, other in (pair, pair[::-1]):
            people = reporting[reporting["case_id"] == own]
            if people.empty:
                continue
            km = haversine_km(
                people["address_lat"].to_numpy(),
                people["address_lon"].to_numpy(),
                np.full(len(people), where.at[other, "lat"]),
                np.full(len(people), where.at[other, "lon"]),
            )
            for person, dist in zip(people.itertuples(), km, strict=True):
                if dist <= within_km:
                    found.append(
                        {
                            "date": flag["alerted_at"],
                            "name": person.name,
                            "role": person.role,
                            "case_id": own,
                            "near_case_id": other,
                            "distance_m": round(float(dist) * 1000),
                        }
                    )
    return found


def summary_rows(findings: DemoFindings) -> list[dict[str, Any]]:
    """One row per death: the series caselink put it in, its missed checks and prompts."""
    rows = []
    for key in ("d1", "d2", "d3", "d4"):
        case_id = findings.planted[key]
        rows.append(
            {
                "death": key,
                "case_id": case_id,
                "series": findings.series_of_deaths.get(case_id) or "",
                "missed": ", ".join(
                    findings.missed_checks.loc[
                        findings.missed_checks["case_id"] == case_id, "action"
                    ]
                ),
                "prompts": int((findings.prompts["case_id"] == case_id).sum()),
            }
        )
    return rows
