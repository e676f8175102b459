"""Person resolution on synthetic data with known identities: pairwise P/R/F1 and time.

Generates a synthetic city with ``caselink.synth.generate`` (which records
each mention's true person in ``truth_people``), trains the person model on
the mentions, resolves them, and scores the clustering pairwise against the
truth. Also runs the untuned baseline (Splink's out-of-the-box comparisons on
the raw, un-normalised fields) with ``--baseline``.

Usage::

    .venv/bin/python benchmarks/entities_person_resolution.py --mentions 250000
    .venv/bin/python benchmarks/entities_person_resolution.py --mentions 1000000
    .venv/bin/python benchmarks/entities_person_resolution.py --mentions 250000 --baseline

Prints one JSON line of figures (and appends it to ``--log`` if given).
``--analyse`` adds an error analysis: the false-positive and false-negative
pairs counted by which identifying fields both mentions record, the kinds
of their roles, the link probability of the pair, the frequency of the
name and the size of the true person (tune on a seed you do not report).
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from caselink.entities import PersonResolver, pairwise_scores
from caselink.entities.features import person_features
from caselink.synth import generate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe

MENTIONS_PER_CASE = 2.52  # measured: generate(20000, seed=3) gives 50,317 mentions


def _peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def baseline(mentions: pd.DataFrame, seed: int) -> pd.DataFrame:
    """A plain Splink model: library comparisons on the fields as written, no tuning."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    frame = pd.DataFrame(
        {
            "mention_id": mentions["mention_id"].to_numpy(),
            "name": mentions["name"].str.lower(),
            "first_name": mentions["name"].str.lower().str.split().str[0],
            "surname": mentions["name"].str.lower().str.split().str[-1],
            "dob": mentions["dob"].dt.strftime("%Y-%m-%d"),
            "sex": mentions["sex"],
            "postcode": mentions["postcode"],
            "phone": mentions["phone"],
            "address": mentions["address"],
        }
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="mention_id",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("phone"),
            cl.LevenshteinAtThresholds("address", 2),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("dob"),
            block_on("phone"),
        ],
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    for rule in (block_on("dob"), block_on("first_name", "surname")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=2e6)
    pred = linker.inference.predict(threshold_match_probability=0.9)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.9)
    out = clusters.as_pandas_dataframe()[["mention_id", "cluster_id"]]
    return out.rename(columns={"cluster_id": "entity_id"})


def run(args: argparse.Namespace) -> dict[str, Any]:
    n_cases = max(10, round(args.mentions / MENTIONS_PER_CASE))
    t0 = time.perf_counter()
    data = generate(n_cases, seed=args.seed, design=args.design)
    mentions = data.people
    truth = data.truth_people
    t1 = time.perf_counter()
    result: dict[str, Any] = {
        "mentions": len(mentions),
        "true_persons": int(truth["person_id"].nunique()),
        "cases": n_cases,
        "seed": args.seed,
        "design": args.design,
        "generate_s": round(t1 - t0, 1),
        "machine": describe(),
    }
    if args.reachable:
        from caselink.entities.person_model import prediction_blocking_sql

        feats = person_features(mentions, data.cases).set_index("mention_id")
        true = truth.set_index("mention_id")["person_id"]
        rules = prediction_blocking_sql()
        result["reachable_recall"] = _reachable(feats, true, rules)
        result["reachable_recall_rules_before"] = _reachable(feats, true, list(OLD_BLOCKING_RULES))
        return result
    if args.baseline:
        assignments = baseline(mentions, args.seed)
        t2 = t3 = time.perf_counter()
        result["model"] = "baseline: plain Splink, library comparisons, raw fields"
    else:
        resolver = PersonResolver(
            threshold=args.threshold,
            u_max_pairs=args.u_max_pairs,
            em_max_pairs=args.em_max_pairs,
            seed=args.seed,
            threads=args.threads,
        ).fit(mentions, data.cases)
        t2 = time.perf_counter()
        if args.sweep:
            _sweep(resolver, mentions, data.cases, truth, args.sweep, result)
        resolution = resolver.resolve(mentions, data.cases)
        t3 = time.perf_counter()
        if args.analyse:
            _analyse(
                mentions,
                person_features(mentions, data.cases),
                truth,
                resolution.assignments,
                resolver.score(mentions, data.cases, threshold=min(0.01, args.threshold)),
                result,
            )
            if hasattr(resolver, "disagreement_weights"):
                result["disagreement_weights"] = {
                    k: round(v, 2) for k, v in resolver.disagreement_weights().items()
                }
            result["place_weights"] = _level_weights(resolver.model_["splink"], "place")
        if args.vetoes:
            result["vetoes"] = _veto_costs(resolver, mentions, data.cases, resolution.links, truth)
        assignments = resolution.assignments
        result["model"] = "caselink PersonResolver"
        result["threshold"] = args.threshold
        result["links"] = len(resolution.links)
    scores = pairwise_scores(
        assignments[["mention_id", "entity_id"]].itertuples(index=False, name=None),
        truth[["mention_id", "person_id"]].itertuples(index=False, name=None),
    )
    result.update({k: round(v, 4) if isinstance(v, float) else v for k, v in scores.items()})
    result.update(
        {
            "predicted_persons": int(assignments["entity_id"].nunique()),
            "fit_s": round(t2 - t1, 1),
            "resolve_s": round(t3 - t2, 1),
            "total_s": round(t3 - t1, 1),
            "peak_rss_gib": round(_peak_rss_gib(), 2),
        }
    )
    if "kin_of" in truth.columns:
        result.update(_kin_merges(assignments, truth))
    if args.errors:
        _print_errors(mentions, truth, assignments, args.errors)
    return result


def _veto_costs(
    resolver: PersonResolver,
    mentions: pd.DataFrame,
    cases: pd.DataFrame,
    links: pd.DataFrame,
    truth: pd.DataFrame,
) -> dict[str, dict[str, float]]:
    """P, R, F1 of the same links clustered with each contradiction as a hard veto.

    ``none`` is the default (every contradiction weighed as evidence);
    ``all`` is the rule of caselink 0.1.0 (sex, dob and name all vetoes).
    """
    features = person_features(mentions, cases)
    ids = features["mention_id"].to_numpy(dtype=np.int64)
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
        s = pairwise_scores(
            zip(ids.tolist(), labels.tolist(), strict=True),
            truth[["mention_id", "person_id"]].itertuples(index=False, name=None),
        )
        out[name] = {k: round(s[k], 4) for k in ("precision", "recall", "f1")}
        print(json.dumps({"hard_vetoes": name, **out[name]}), file=sys.stderr)
    resolver.hard_vetoes = ()
    return out


def _sweep(
    resolver: PersonResolver,
    mentions: pd.DataFrame,
    cases: pd.DataFrame,
    truth: pd.DataFrame,
    thresholds: str,
    result: dict[str, Any],
) -> None:
    """F1 at several thresholds from one scoring (for choosing the threshold on a tuning seed)."""
    values = sorted(float(t) for t in thresholds.split(","))
    links = resolver.score(mentions, cases, threshold=values[0])
    features = person_features(mentions, cases)
    ids = features["mention_id"].to_numpy(dtype=np.int64)
    sweep = {}
    for thr in values:
        labels = resolver.cluster(features, links, threshold=thr)
        s = pairwise_scores(
            zip(ids.tolist(), labels.tolist(), strict=True),
            truth[["mention_id", "person_id"]].itertuples(index=False, name=None),
        )
        sweep[str(thr)] = {k: round(s[k], 4) for k in ("precision", "recall", "f1")}
        print(json.dumps({"threshold": thr, **sweep[str(thr)]}), file=sys.stderr)
    result["sweep"] = sweep


def _pairs(labels: pd.Series) -> pd.DataFrame:
    """Every pair of mentions sharing a label (``a < b``)."""
    frame = pd.DataFrame({"m": labels.index.to_numpy(), "g": labels.to_numpy()})
    sizes = frame.groupby("g")["m"].transform("size")
    frame = frame[sizes > 1]
    pairs = frame.merge(frame, on="g")
    pairs = pairs[pairs["m_x"] < pairs["m_y"]]
    return pd.DataFrame(
        {"a": pairs["m_x"].to_numpy(dtype=np.int64), "b": pairs["m_y"].to_numpy(dtype=np.int64)}
    )


def _analyse(
    mentions: pd.DataFrame,
    features: pd.DataFrame,
    truth: pd.DataFrame,
    assignments: pd.DataFrame,
    links: pd.DataFrame,
    result: dict[str, Any],
) -> None:
    """Categorise the wrongly joined and wrongly split pairs (``result["errors"]``)."""
    feats = features.set_index("mention_id")
    true = truth.set_index("mention_id")["person_id"].reindex(feats.index)
    pred = assignments.set_index("mention_id")["entity_id"].reindex(feats.index)
    tp, pp = _pairs(true), _pairs(pred)
    key_t = tp["a"] * 10**9 + tp["b"]
    key_p = pp["a"] * 10**9 + pp["b"]
    missed = tp[~key_t.isin(key_p)]
    wrong = pp[~key_p.isin(key_t)]
    vehicle = (
        mentions.set_index("mention_id")["vehicle"].reindex(feats.index)
        if "vehicle" in mentions.columns
        else pd.Series(None, index=feats.index, dtype=object)
    )
    has = {
        "phone": feats["phone"].notna(),
        "dob": feats["dob_str"].notna(),
        "address": feats["address_line"].notna(),
        "vehicle": vehicle.notna(),
        "postcode": feats["postcode"].notna(),
    }
    # how common the name is ("canon_name" before nicknames; older models: as written)
    names = feats["canon_name"] if "canon_name" in feats.columns else feats["full_name"]
    name_count = names.map(names.value_counts())
    true_size = true.map(true.value_counts())
    prob = links.set_index(
        links["mention_id_l"].astype("int64") * 10**9 + links["mention_id_r"].astype("int64")
    )["match_probability"]
    out: dict[str, Any] = {}
    la = links["mention_id_l"].to_numpy(dtype=np.int64)
    lb = links["mention_id_r"].to_numpy(dtype=np.int64)
    shared = np.zeros(len(links), dtype=bool)
    for flag in has.values():
        shared |= flag.reindex(la).to_numpy() & flag.reindex(lb).to_numpy()
    out["name_only_links"] = _density_calibration(feats, true, links, ~shared)
    if "area" in feats.columns:  # the blocking rules of this version of the model
        from caselink.entities.person_model import prediction_blocking_sql

        rules = prediction_blocking_sql()
        out["reachable_recall"] = _reachable(feats, true, rules)
    out["reachable_recall_rules_before"] = _reachable(feats, true, list(OLD_BLOCKING_RULES))
    links_true = links.loc[
        true.reindex(la).to_numpy() == true.reindex(lb).to_numpy(),
        ["mention_id_l", "mention_id_r"],
    ]
    out["recall_ceiling_true_links_ge_floor"] = _links_recall(feats, true, links_true)
    for label, pairs in (("false_negative", missed), ("false_positive", wrong)):
        a, b = pairs["a"].to_numpy(), pairs["b"].to_numpy()
        field = np.full(len(pairs), "name only", dtype=object)
        for name in ("postcode", "vehicle", "address", "dob", "phone"):  # strongest last wins
            both = has[name].reindex(a).to_numpy() & has[name].reindex(b).to_numpy()
            field[both] = name
        kinds = np.sort(
            np.stack(
                [
                    feats["role_kind"].reindex(a).astype(str).to_numpy(),
                    feats["role_kind"].reindex(b).astype(str).to_numpy(),
                ]
            ),
            axis=0,
        )
        roles = pd.Series(kinds[0]) + "/" + pd.Series(kinds[1])
        p = prob.reindex(a * 10**9 + b).fillna(0.0).to_numpy()
        count = np.minimum(name_count.reindex(a).to_numpy(), name_count.reindex(b).to_numpy())
        size = true_size.reindex(a).to_numpy()

        def bands(values: np.ndarray, edges: list[float]) -> dict[str, int]:
            cut = pd.cut(values, edges)
            return {str(k): int(v) for k, v in pd.Series(cut).value_counts(sort=False).items()}

        out[label] = {
            "pairs": len(pairs),
            "strongest_field_both_record": pd.Series(field).value_counts().to_dict(),
            "role_kinds": roles.value_counts().head(8).to_dict(),
            "link_probability": bands(p, [-0.01, 0.01, 0.1, 0.2, 0.4, 0.7, 1.0]),
            "fewest_mentions_of_the_name": bands(count, [0, 1, 3, 10, 30, 100, 1e9]),
            "true_person_size": bands(size.astype(float), [0, 2, 3, 5, 10, 20, 1e9]),
        }
        print(json.dumps({label: out[label]}), file=sys.stderr)
    result["errors"] = out


OLD_BLOCKING_RULES: tuple[str, ...] = (
    'l."phone" = r."phone"',
    'l."dob_str" = r."dob_str"',
    'l."surname" = r."surname" AND l."first_canon" = r."first_canon"',
    "l.first_name = r.surname AND l.surname = r.first_name",
    'l."postcode" = r."postcode" AND substr(l.first_canon, 1, 1) = substr(r.first_canon, 1, 1)',
    'l."address_line" = r."address_line" AND l."postcode" = r."postcode"',
)
"""The prediction blocking rules before issue 5 (for the reachability figure)."""


def _reachable(features: pd.DataFrame, truth: pd.Series, rules: list[str]) -> float:
    """Pairwise recall of the best clustering the blocking allows.

    The true pairs that some rule compares, closed under chains (a person
    whose mentions are joined by a chain of compared true pairs is
    reachable whole): recall of the connected components of that graph.
    """
    import duckdb
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    frame = features.reset_index()
    frame["person_id"] = truth.reindex(frame["mention_id"]).to_numpy()
    con = duckdb.connect()
    con.register("f", frame)
    cond = " OR ".join(f"coalesce(({r}), false)" for r in rules)
    pairs = con.execute(
        "SELECT l.mention_id AS a, r.mention_id AS b FROM f l JOIN f r"
        f" ON l.person_id = r.person_id AND l.mention_id < r.mention_id WHERE {cond}"
    ).df()
    position = pd.Series(np.arange(len(frame)), index=frame["mention_id"].to_numpy())
    graph = coo_matrix(
        (
            np.ones(len(pairs)),
            (position.reindex(pairs["a"]).to_numpy(), position.reindex(pairs["b"]).to_numpy()),
        ),
        shape=(len(frame), len(frame)),
    )
    _, labels = connected_components(graph, directed=False)
    scores = pairwise_scores(
        zip(frame["mention_id"].tolist(), labels.tolist(), strict=True),
        zip(frame["mention_id"].tolist(), frame["person_id"].tolist(), strict=True),
    )
    return round(scores["recall"], 4)


def _links_recall(features: pd.DataFrame, truth: pd.Series, links: pd.DataFrame) -> float:
    """Recall of the connected components of the given (true) links: a ceiling."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ids = features.index.to_numpy()
    position = pd.Series(np.arange(len(ids)), index=ids)
    graph = coo_matrix(
        (
            np.ones(len(links)),
            (
                position.reindex(links["mention_id_l"]).to_numpy(),
                position.reindex(links["mention_id_r"]).to_numpy(),
            ),
        ),
        shape=(len(ids), len(ids)),
    )
    _, labels = connected_components(graph, directed=False)
    scores = pairwise_scores(
        zip(ids.tolist(), labels.tolist(), strict=True),
        zip(ids.tolist(), truth.reindex(ids).tolist(), strict=True),
    )
    return round(scores["recall"], 4)


def _level_weights(settings: dict[str, Any], comparison: str) -> dict[str, float]:
    """The trained match weight, log2(m/u), of each level of one comparison."""
    out: dict[str, float] = {}
    for c in settings["comparisons"]:
        if c["output_column_name"] != comparison:
            continue
        for level in c["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            if m and u:
                out[level["label_for_charts"]] = round(float(np.log2(m / u)), 2)
    return out


def _density_calibration(
    features: pd.DataFrame, truth: pd.Series, links: pd.DataFrame, name_only: np.ndarray
) -> dict[str, Any]:
    """Share of name-only links scored 0.2-0.4 that are true, by how crowded the area is.

    Density: mentions in the 2 km square of the case (the busier of the
    two), in quartiles of the links.
    """
    km = 2.0
    lat = features["case_lat"].to_numpy(dtype=np.float64)
    lon = features["case_lon"].to_numpy(dtype=np.float64)
    row = np.floor(lat * 111.195 / km)
    col = np.floor(lon * 111.195 * np.cos(np.radians(lat)) / km)
    square = pd.Series(row * 100_000 + col, index=features.index)
    crowd = square.map(square.value_counts())
    a = links["mention_id_l"].to_numpy(dtype=np.int64)
    b = links["mention_id_r"].to_numpy(dtype=np.int64)
    p = links["match_probability"].to_numpy()
    keep = name_only & (p >= 0.2) & (p < 0.4)
    dens = np.maximum(crowd.reindex(a).to_numpy(), crowd.reindex(b).to_numpy())[keep]
    same = (truth.reindex(a).to_numpy() == truth.reindex(b).to_numpy())[keep]
    quartile = pd.qcut(pd.Series(dens), 4, labels=False, duplicates="drop")
    share = pd.Series(same).groupby(quartile.to_numpy()).mean()
    return {
        "links": int(keep.sum()),
        "true_share_by_density_quartile": [round(float(v), 3) for v in share.tolist()],
    }


def _kin_merges(assignments: pd.DataFrame, truth: pd.DataFrame) -> dict[str, Any]:
    """How many twin and father/son pairs (design B's ``kin_of``) were merged into one person.

    A pair counts as merged when some mention of one and some mention of
    the other share a predicted person.
    """
    person_of = truth.set_index("mention_id")["person_id"]
    predicted = assignments.set_index("mention_id")["entity_id"]
    entities = (
        pd.DataFrame({"person_id": person_of, "entity_id": predicted.reindex(person_of.index)})
        .groupby("person_id")["entity_id"]
        .agg(set)
    )
    kin = truth.loc[truth["kin_of"].notna() & (truth["kin_of"].astype(str) != "")]
    kin = kin.drop_duplicates("person_id")
    out: dict[str, Any] = {}
    for kind, rows in kin.groupby("kin_type"):
        pairs = {
            tuple(sorted((str(a), str(b))))
            for a, b in zip(rows["person_id"], rows["kin_of"], strict=True)
        }
        merged = sum(
            1
            for a, b in pairs
            if a in entities.index and b in entities.index and entities[a] & entities[b]
        )
        out[f"kin_{kind}_pairs"] = len(pairs)
        out[f"kin_{kind}_merged"] = merged
    return out


def _print_errors(
    mentions: pd.DataFrame, truth: pd.DataFrame, assignments: pd.DataFrame, n: int
) -> None:
    """Show a few split and merged true persons (for tuning)."""
    both = truth.merge(assignments, on="mention_id")
    split = both.groupby("person_id")["entity_id"].nunique()
    merged = both.groupby("entity_id")["person_id"].nunique()
    cols = ["mention_id", "role", "name", "dob", "sex", "address", "postcode", "phone"]
    rng = np.random.default_rng(0)
    for label, ids, key in (
        ("SPLIT", split[split > 1].index, "person_id"),
        ("MERGED", merged[merged > 1].index, "entity_id"),
    ):
        print(f"--- {label}: {len(ids)}", file=sys.stderr)
        for pid in rng.choice(np.asarray(ids), size=min(n, len(ids)), replace=False):
            rows = both[both[key] == pid].merge(mentions[cols], on="mention_id")
            print(rows[[*cols, "person_id", "entity_id"]].to_string(index=False), file=sys.stderr)


def arguments() -> argparse.ArgumentParser:
    """The command line (also used by ``entities_compare.py`` to build a run)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mentions", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--design", choices=["A", "B"], default="A", help="synthetic design")
    parser.add_argument("--threshold", type=float, default=0.35)
    parser.add_argument(
        "--sweep", default=None, help="comma-separated thresholds to score (tuning seed only)"
    )
    parser.add_argument("--u-max-pairs", type=float, default=5e6)
    parser.add_argument("--em-max-pairs", type=float, default=2e6)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--errors", type=int, default=0, help="print N split/merged examples")
    parser.add_argument(
        "--analyse", action="store_true", help="categorise the false-positive/negative pairs"
    )
    parser.add_argument(
        "--reachable",
        action="store_true",
        help="only: share of true pairs the blocking rules reach (now and before), no model",
    )
    parser.add_argument(
        "--vetoes",
        action="store_true",
        help="also cluster the same links with each contradiction (sex, dob, name) a hard veto",
    )
    parser.add_argument("--log", default=None, help="append the JSON line to this file")
    return parser


def main() -> None:
    args = arguments().parse_args()
    result = run(args)
    line = json.dumps(result)
    print(line)
    if args.log:
        with open(args.log, "a", encoding="utf-8") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
