"""Measuring linkage on solved cases: ranked-list and calibration measures, plots.

Everything is out-of-fold: models are trained on the pairs of some offenders
and scored on the pairs of others (:mod:`caselink.linkage.models.splits`).
Average precision and precision at K describe what an analyst sees reading
alerts from the top; ROC AUC over all pairs is reported too but flatters every
method, because almost all pairs are obviously unrelated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    adjusted_rand_score,
    average_precision_score,
    brier_score_loss,
    completeness_score,
    homogeneity_score,
    roc_auc_score,
    roc_curve,
)

from caselink.linkage.engine import LinkageEngine
from caselink.linkage.selection import MODEL_FACTORIES, cross_validate
from caselink.linkage.series import cluster_links
from caselink.settings import LINK_THRESHOLD

PRECISION_AT = (10, 50, 100, 500)


def precision_at_k(y: np.ndarray, score: np.ndarray, k: int) -> float:
    """Share of true links among the ``k`` highest-scored pairs (ties by order)."""
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
    order = np.argsort(-np.asarray(score), kind="stable")[:k]
    return float(np.asarray(y)[order].mean()) if len(order) else float("nan")


def ranking_measures(
    y: np.ndarray, score: np.ndarray, ks: Sequence[int] = PRECISION_AT
) -> dict[str, float]:
    """ROC AUC, average precision and precision at each K."""
    both = len(np.unique(y)) == 2
    out = {
        "pairs": float(len(y)),
        "linked": float(np.sum(y)),
        "roc_auc": float(roc_auc_score(y, score)) if both else float("nan"),
        "average_precision": float(average_precision_score(y, score)) if both else float("nan"),
    }
    for k in ks:
        out[f"precision_at_{k}"] = precision_at_k(y, score, k) if len(y) >= k else float("nan")
    return out


def series_measures(
    case_ids: Sequence[str], offenders: Sequence[str], links: pd.DataFrame, threshold: float
) -> dict[str, float]:
    """Series found from ``links`` against the true offenders of ``case_ids``.

    Cases in no series count as singletons. Purity = homogeneity (each found
    series holds one offender's cases), completeness = each offender's cases
    in one series; adjusted Rand index of the partition.
    """
    found = {c: i for i, group in enumerate(cluster_links(links, threshold)) for c in group}
    labels_pred = [f"s{found[c]}" if c in found else f"single:{c}" for c in case_ids]
    labels_true = list(offenders)
    return {
        "series_found": float(len({v for v in labels_pred if v.startswith("s")})),
        "purity": float(homogeneity_score(labels_true, labels_pred)),
        "completeness": float(completeness_score(labels_true, labels_pred)),
        "adjusted_rand": float(adjusted_rand_score(labels_true, labels_pred)),
    }


@dataclass
class EvaluationReport:
    """Out-of-fold evaluation of each model on the solved cases of a store."""

    measures: pd.DataFrame
    chosen: str
    threshold: float
    at_threshold: dict[str, float]
    series: dict[str, float]
    reliability: pd.DataFrame
    figures: list[Path] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "chosen": self.chosen,
            "threshold": self.threshold,
            "at_threshold": self.at_threshold,
            "series": self.series,
            "models": self.measures.to_dict(orient="index"),
            "figures": [str(p) for p in self.figures],
        }


def evaluate(
    engine: LinkageEngine,
    label: str = "offender_id",
    models: Sequence[str] = ("naive_bayes", "logistic", "boosted"),
    n_splits: int = 5,
    threshold: float = LINK_THRESHOLD,
    out_dir: str | Path | None = None,
) -> EvaluationReport:
    """Offender-grouped cross-validated evaluation on the solved cases.

    Parameters
    ----------
    engine
        Engine over the store's cases (candidates come from its blocking).
    label
        Column naming the offender of solved cases.
    models
        Models to compare (names of :data:`~caselink.linkage.selection.MODEL_FACTORIES`)
        plus a distance–time baseline (minus km minus days/30, no training).
    n_splits
        Offender-grouped folds.
    threshold
        Probability at which precision/recall and series are reported.
    out_dir
        Where to write ``roc.png`` and ``reliability.png`` (not written if None).
    """
    X, y, groups = engine.labelled_pairs(label)
    if y.sum() == 0 or y.sum() == len(y):
        raise ValueError(
            f"cannot evaluate on {label!r}: {int(y.sum())} linked and "
            f"{int(len(y) - y.sum())} unlinked candidate pairs of solved cases"
        )
    rows, results = {}, {}
    for name in models:
        if name not in MODEL_FACTORIES:
            raise ValueError(f"models must be among {sorted(MODEL_FACTORIES)}, got {name!r}")
        cv = cross_validate(
            MODEL_FACTORIES[name], engine.comparisons, X, y, groups, n_splits, name=name
        )
        results[name] = cv
        rows[name] = {**ranking_measures(cv.y, cv.probability), "ece": cv.ece}
    # The baseline is scored on the same out-of-fold pairs as the first model.
    first = results[models[0]]
    base = -(X["distance_km"].to_numpy() + X["days_apart"].to_numpy() / 30.0)[first.index]
    rows["distance_time_baseline"] = {**ranking_measures(first.y, base), "ece": float("nan")}
    measures = pd.DataFrame.from_dict(rows, orient="index")
    chosen = max(results, key=lambda n: np.nan_to_num(results[n].average_precision, nan=-1))
    cv = results[chosen]
    pred = cv.probability >= threshold
    tp = float(np.sum(pred & (cv.y == 1)))
    at = {
        "precision": tp / max(float(pred.sum()), 1.0),
        "recall": tp / max(float(cv.y.sum()), 1.0),
        "brier": float(brier_score_loss(cv.y, cv.probability)),
    }
    frac, mean = calibration_curve(cv.y, cv.probability, n_bins=10, strategy="quantile")
    reliability = pd.DataFrame({"mean_predicted": mean, "observed_share": frac})
    pairs = X.iloc[cv.index][["case_a", "case_b"]].reset_index(drop=True)
    pairs["probability"] = cv.probability
    off = engine.cases.set_index("case_id")[label]
    solved = [c for c in engine.cases["case_id"] if isinstance(off[c], str) and off[c]]
    series = series_measures(solved, [str(off[c]) for c in solved], pairs, threshold)
    report = EvaluationReport(measures, chosen, threshold, at, series, reliability)
    if out_dir is not None:
        report.figures = _plots(Path(out_dir), results, first, base, reliability, chosen)
    return report


def _plots(
    out_dir: Path,
    results: dict[str, Any],
    first: Any,
    baseline: np.ndarray,
    reliability: pd.DataFrame,
    chosen: str,
) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(5, 5))
    for name, cv in results.items():
        fpr, tpr, _ = roc_curve(cv.y, cv.probability)
        ax.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(cv.y, cv.probability):.3f})")
    fpr, tpr, _ = roc_curve(first.y, baseline)
    ax.plot(fpr, tpr, "--", label=f"distance-time (AUC {roc_auc_score(first.y, baseline):.3f})")
    ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.set(
        xlabel="false positive rate", ylabel="true positive rate", title="Link ROC (out-of-fold)"
    )
    ax.legend(loc="lower right", fontsize=8)
    roc_path = out_dir / "roc.png"
    fig.savefig(roc_path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot(reliability["mean_predicted"], reliability["observed_share"], "o-", label=chosen)
    ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.set(
        xlabel="predicted link probability",
        ylabel="observed share linked",
        title="Reliability (out-of-fold)",
    )
    ax.legend(loc="upper left", fontsize=8)
    rel_path = out_dir / "reliability.png"
    fig.savefig(rel_path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return [roc_path, rel_path]
