"""caselink linkage on the crimelinkage data (Porter & Reich), beside the R package.

Run: .venv/bin/python benchmarks/linkage_crimelinkage.py [DATA_DIR]

1. The vignette protocol: train on the vignette's training pairs, score its
   exact test pairs (75 linked / 3,204 unlinked), unweighted ROC AUC (as the
   peer reports) and average precision; the peer's own test scores
   (peer_test_scores.csv) are scored with the same functions.
2. Offender-grouped 5-fold CV over every pair of solved crimes at most 365 days
   apart (no offender's crimes on both sides of a split).
Distances are planar (X, Y metres); windows from DATE/TIME; MO1-MO3 categorical.
"""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from caselink.linkage import LinkageConfig, LinkageEngine
from caselink.linkage.calibration import expected_calibration_error
from caselink.linkage.evaluation import precision_at_k
from caselink.linkage.models import EnsembleLinkage
from caselink.linkage.selection import cross_validate, ensemble_cv, model_factories
from caselink.records.model import AttributeKind, AttributeSchema, AttributeSpec

DATA = Path(
    sys.argv[1]
    if len(sys.argv) > 1
    else Path(__file__).resolve().parents[2] / "shared" / "data" / "crimelinkage"
)
SCHEMA = AttributeSchema(
    attributes=tuple(
        AttributeSpec(name=n, kind=AttributeKind.CATEGORICAL) for n in ("MO1", "MO2", "MO3")
    )
)


def _time(date: pd.Series, hhmm: pd.Series) -> pd.Series:
    t = hhmm.fillna("0000").str.zfill(4)
    minutes = t.str[:2].astype(int) * 60 + t.str[2:].astype(int)  # "2400" = next midnight
    return pd.to_datetime(date) + pd.to_timedelta(minutes, unit="min")


def crimes_frame() -> pd.DataFrame:
    """The crimes as a cases frame with planar x, y (metres)."""
    c = pd.read_csv(DATA / "crimes.csv", dtype=str)
    start, end = _time(c["DATE_FROM"], c["TIME_FROM"]), _time(c["DATE_TO"], c["TIME_TO"])
    end = end.fillna(start)
    frame = pd.DataFrame(
        {
            "case_id": c["crimeID"],
            "case_type": "burglary",
            "occurred_from": start.astype("datetime64[us]"),
            "occurred_to": np.maximum(start, end).astype("datetime64[us]"),
            "x": c["X"].astype(float),
            "y": c["Y"].astype(float),
            "victim_age": np.nan,
            "victim_sex": None,
            "victim_group": None,
            "narrative": None,
            "offender_id": None,
        }
    )
    for mo in ("MO1", "MO2", "MO3"):
        frame[mo] = c[mo].where(c[mo].notna(), None).astype(object)
    return frame


def offender_groups(crime_ids: set[str]) -> dict[str, str]:
    """Crime -> offender group (co-offenders joined into one group) for solved crimes."""
    off = pd.read_csv(DATA / "offenders.csv")
    graph = nx.Graph()
    for o, c in zip(off["offenderID"], off["crimeID"], strict=True):
        graph.add_edge("o:" + o, "c:" + c)
    groups = {}
    for comp in nx.connected_components(graph):
        name = min(n for n in comp if n.startswith("o:"))
        for n in comp:
            if n.startswith("c:") and n[2:] in crime_ids:
                groups[n[2:]] = name
    return groups


def measures(y: np.ndarray, score: np.ndarray) -> str:
    return (
        f"{roc_auc_score(y, score):.3f} | {average_precision_score(y, score):.3f} | "
        f"{precision_at_k(y, score, 25):.2f}"
    )


def main() -> None:
    frame = crimes_frame()
    engine = LinkageEngine(
        frame, SCHEMA, config=LinkageConfig(geometry="planar", block_attribute=None)
    )
    comps = engine.comparisons
    vp = pd.read_csv(DATA / "vignette_pairs.csv").rename(columns={"i1": "case_a", "i2": "case_b"})
    cmp_vig = engine.compare(vp)
    y = (vp["type"] == "linked").to_numpy().astype(int)
    train = (vp["split"] == "train").to_numpy()
    test = ~train
    print(
        f"vignette pairs: {len(vp)} ({y.sum()} linked); test {test.sum()} ({y[test].sum()} linked)"
    )
    print("\n### Vignette split (exact test pairs)\n")
    print("| model | test ROC AUC | test average precision | precision@25 |")
    print("|---|---|---|---|")
    peer = pd.read_csv(DATA / "peer_test_scores.csv")
    for name in ("logisticstep", "nb", "gbm"):
        print(
            f"| crimelinkage {name} (peer, R) | {measures(peer['Y'].to_numpy(), peer[name].to_numpy())} |"
        )
    prior = engine.model.estimator  # default model: no labels used
    # the models `caselink train` offers (naive Bayes shrunk toward the default model)
    factories = model_factories(prior.log_ratio_)
    for name in ("naive_bayes", "logistic", "boosted"):
        model = factories[name](comps).fit(cmp_vig[train], y[train])
        p = model.predict_proba(cmp_vig[test])[:, 1]
        print(f"| caselink {name.replace('_', ' ')} | {measures(y[test], p)} |")
    ens = EnsembleLinkage(comps, target_log_ratio=prior.log_ratio_).fit(cmp_vig[train], y[train])
    p = ens.predict_proba(cmp_vig[test])[:, 1]
    print(f"| caselink ensemble (average) | {measures(y[test], p)} |")
    print(
        f"| caselink default (no labels) | {measures(y[test], prior.predict_proba(cmp_vig[test])[:, 1])} |"
    )
    base = -(cmp_vig["distance_km"] + cmp_vig["days_apart"] / 30.0).to_numpy()
    print(f"| distance-time baseline | {measures(y[test], base[test])} |")

    # Offender-grouped CV over all pairs of solved crimes <= 365 days apart.
    groups = offender_groups(set(frame["case_id"]))
    solved = sorted(groups)
    ia, ib = np.triu_indices(len(solved), k=1)
    pairs = pd.DataFrame({"case_a": np.array(solved)[ia], "case_b": np.array(solved)[ib]})
    cmp_all = engine.compare(pairs)
    keep = (cmp_all["days_apart"] <= 365).to_numpy()
    cmp_all = cmp_all.loc[keep].reset_index(drop=True)
    g = np.column_stack([cmp_all["case_a"].map(groups), cmp_all["case_b"].map(groups)]).astype(
        object
    )
    yall = (g[:, 0] == g[:, 1]).astype(int)
    print(
        f"\n### Offender-grouped 5-fold CV: {len(yall)} pairs <= 365 days ({yall.sum()} linked)\n"
    )
    print("| model | ROC AUC | average precision | precision@25 | ECE |")
    print("|---|---|---|---|---|")
    results = {}
    for name in ("naive_bayes", "logistic", "boosted"):
        results[name] = cv = cross_validate(factories[name], comps, cmp_all, yall, g, 5, name=name)
        ece = expected_calibration_error(cv.y, cv.probability)
        print(
            f"| caselink {name.replace('_', ' ')} | {measures(cv.y, cv.probability)} | {ece:.4f} |"
        )
        if name == "naive_bayes":
            idx = cv.index
    # the average of the three (caselink train's default choice), from their folds
    cv, _platt = ensemble_cv(results)
    ece = expected_calibration_error(cv.y, cv.probability)
    print(f"| caselink ensemble (average) | {measures(cv.y, cv.probability)} | {ece:.4f} |")
    base = -(cmp_all["distance_km"] + cmp_all["days_apart"] / 30.0).to_numpy()[idx]
    print(f"| distance-time baseline (same pairs) | {measures(yall[idx], base)} | n/a |")
    from machine import describe

    print(f"\nmachine: {describe()} (shared with other jobs)")


if __name__ == "__main__":
    main()
