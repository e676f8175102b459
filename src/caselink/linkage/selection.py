"""Labelled pairs from solved cases, and choosing a model by offender-grouped CV.

Candidates: naive Bayes (shrunk toward the default model's factors, monotone),
regularised sign-bounded logistic and boosted trees (monotone in distance and
time), and, when all three are trained, their average
(:class:`~caselink.linkage.models.ensemble.EnsembleLinkage`), whose
out-of-fold scores are the average of theirs (same folds), so it costs no
further fitting. The average is chosen unless a single model's
offender-grouped out-of-fold average precision is higher by more than one
standard error of the per-fold differences (the one-standard-error rule:
with a hundred or two linked pairs, CV's ranking of single models is mostly
noise, and the average varies least). The chosen model is refitted on all
pairs; its out-of-fold probabilities then decide whether isotonic
recalibration helps (:mod:`caselink.linkage.calibration`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.metrics import average_precision_score, roc_auc_score

from caselink.linkage.calibration import (
    CalibrationChoice,
    choose_calibration,
    expected_calibration_error,
)
from caselink.linkage.comparisons import Comparison
from caselink.linkage.models.base import LinkageModelBase
from caselink.linkage.models.boosted import BoostedLinkage
from caselink.linkage.models.ensemble import MEMBERS, EnsembleLinkage
from caselink.linkage.models.logistic import LogisticLinkage
from caselink.linkage.models.naive_bayes import NaiveBayesLinkage
from caselink.linkage.models.splits import (
    check_binary_labels,
    fit_platt,
    offender_pair_folds,
    sigmoid,
)

ModelFactory = Callable[[Sequence[Comparison]], LinkageModelBase]


def model_factories(
    target_log_ratio: Sequence[np.ndarray] | None = None,
) -> dict[str, ModelFactory]:
    """The trainable models, by name; naive Bayes shrinks toward ``target_log_ratio``
    (the default model's factors) when given."""
    return {
        "naive_bayes": lambda comps: NaiveBayesLinkage(comps, target_log_ratio=target_log_ratio),
        "logistic": lambda comps: LogisticLinkage(comps),
        "boosted": lambda comps: BoostedLinkage(comps),
    }


MODEL_FACTORIES: dict[str, ModelFactory] = model_factories()
"""The trainable models offered, by name (naive Bayes shrinks toward no evidence;
:meth:`caselink.linkage.engine.LinkageEngine.train` shrinks toward the default model)."""


def label_pairs(
    pairs: pd.DataFrame, cases: pd.DataFrame, label: str = "offender_id"
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Keep the pairs whose two cases both carry ``label``; 1 when the labels are equal.

    Returns
    -------
    (pairs, y, groups)
        The kept pairs, their 0/1 labels and the (n, 2) offender groups.
    """
    if label not in cases.columns:
        raise ValueError(f"cases have no column {label!r} to learn links from")
    known = cases.set_index("case_id")[label]
    known = known[known.notna() & (known.astype(str) != "")].astype(str)
    ga = pairs["case_a"].map(known)
    gb = pairs["case_b"].map(known)
    keep = (ga.notna() & gb.notna()).to_numpy()
    kept = pairs.loc[keep].reset_index(drop=True)
    groups = np.column_stack([ga[keep].to_numpy(), gb[keep].to_numpy()]).astype(object)
    y = (groups[:, 0] == groups[:, 1]).astype(np.int64)
    return kept, y, groups


@dataclass
class CrossValidation:
    """Out-of-fold probabilities of one model and its summary measures."""

    name: str
    index: np.ndarray
    probability: np.ndarray
    y: np.ndarray
    roc_auc: float
    average_precision: float
    fold: np.ndarray
    """The fold of each out-of-fold pair (for cross-fitted recalibration)."""

    @property
    def ece(self) -> float:
        """Expected calibration error of the out-of-fold probabilities."""
        return expected_calibration_error(self.y, self.probability)


def cross_validate(
    factory: ModelFactory,
    comparisons: Sequence[Comparison],
    X: pd.DataFrame,
    y: ArrayLike,
    groups: ArrayLike,
    n_splits: int = 5,
    random_state: int = 0,
    name: str = "",
) -> CrossValidation:
    """Offender-grouped cross-validated link probabilities of one model."""
    labels = check_binary_labels(y)
    g = np.asarray(groups, dtype=object)
    idx_parts, prob_parts, fold_parts = [], [], []
    for k, (train, test) in enumerate(offender_pair_folds(g, n_splits, random_state)):
        if len(test) == 0 or len(np.unique(labels[train])) < 2:
            continue
        model = factory(comparisons)
        model.fit(X.iloc[train], labels[train], groups=g[train])
        idx_parts.append(test)
        prob_parts.append(model.predict_proba(X.iloc[test])[:, 1])
        fold_parts.append(np.full(len(test), k))
    if not idx_parts:
        raise ValueError("no fold had both linked and unlinked training pairs")
    index = np.concatenate(idx_parts)
    prob = np.concatenate(prob_parts)
    yy = labels[index]
    both = len(np.unique(yy)) == 2
    return CrossValidation(
        name,
        index,
        prob,
        yy,
        float(roc_auc_score(yy, prob)) if both else float("nan"),
        float(average_precision_score(yy, prob)) if both else float("nan"),
        np.concatenate(fold_parts),
    )


ENSEMBLE = "ensemble"
"""The name of the averaged model among the candidates."""


def ensemble_cv(
    results: Mapping[str, CrossValidation],
) -> tuple[CrossValidation, tuple[float, float]]:
    """Out-of-fold results of the average of :data:`MEMBERS` (from theirs, on the
    same folds) and the Platt scaling of the average fitted to them."""
    first = results[MEMBERS[0]]
    for name in MEMBERS[1:]:
        if not np.array_equal(results[name].index, first.index):
            raise ValueError("the members were not cross-validated on the same folds")
    score = np.mean([_logit(results[m].probability) for m in MEMBERS], axis=0)
    platt = fit_platt(score, first.y)
    prob = sigmoid(platt[0] * score + platt[1])
    both = len(np.unique(first.y)) == 2
    cv = CrossValidation(
        ENSEMBLE,
        first.index,
        prob,
        first.y,
        float(roc_auc_score(first.y, prob)) if both else float("nan"),
        float(average_precision_score(first.y, prob)) if both else float("nan"),
        first.fold,
    )
    return cv, platt


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=float), 1e-15, 1 - 1e-15)
    return np.asarray(np.log(q / (1 - q)))


def fold_ap_gain(better: CrossValidation, than: CrossValidation) -> tuple[float, float]:
    """Mean and standard error of the per-fold difference in average precision
    (``better`` minus ``than``; same folds), over folds with both labels."""
    diffs = []
    for f in np.unique(than.fold):
        sel = than.fold == f
        y = than.y[sel]
        if len(np.unique(y)) == 2:
            diffs.append(
                average_precision_score(y, better.probability[sel])
                - average_precision_score(y, than.probability[sel])
            )
    if len(diffs) < 2:
        return float("nan"), float("nan")
    d = np.asarray(diffs)
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))


def choose(results: Mapping[str, CrossValidation]) -> str:
    """The chosen candidate: the ensemble unless a single model beats it on CV
    average precision by more than one standard error; else the best by CV AP."""
    best = max(results, key=lambda n: np.nan_to_num(results[n].average_precision, nan=-1.0))
    if ENSEMBLE not in results or best == ENSEMBLE:
        return best
    gain, se = fold_ap_gain(results[best], results[ENSEMBLE])
    return best if gain == gain and se == se and gain > se else ENSEMBLE


def select_model(
    comparisons: Sequence[Comparison],
    X: pd.DataFrame,
    y: ArrayLike,
    groups: ArrayLike,
    factories: Mapping[str, ModelFactory] | None = None,
    n_splits: int = 5,
    recalibrate: bool = True,
    ensemble: bool = True,
) -> tuple[str, LinkageModelBase, dict[str, CrossValidation], CalibrationChoice]:
    """Cross-validate each model by offender groups and choose (module docstring:
    the average of the three when they are all offered and ``ensemble``, unless
    one beats it by more than a standard error); refit the choice on all pairs;
    add isotonic recalibration when, cross-fitted on its out-of-fold
    probabilities, it lowers their expected calibration error (``recalibrate``).
    """
    factories = dict(factories or MODEL_FACTORIES)
    labels = check_binary_labels(y)
    g = np.asarray(groups, dtype=object)
    results = {
        name: cross_validate(f, comparisons, X, labels, groups, n_splits, name=name)
        for name, f in factories.items()
    }
    platt: tuple[float, float] | None = None
    if ensemble and all(m in results for m in MEMBERS):
        results[ENSEMBLE], platt = ensemble_cv(results)
    best = choose(results)
    model: LinkageModelBase
    if best == ENSEMBLE:
        assert platt is not None
        members = {m: factories[m](comparisons).fit(X, labels, groups=g) for m in MEMBERS}
        target = getattr(members["naive_bayes"], "target_log_ratio", None)
        model = EnsembleLinkage.from_members(members, platt, target)
    else:
        model = factories[best](comparisons).fit(X, labels, groups=g)
    cv = results[best]
    choice = choose_calibration(cv.y, cv.probability, cv.fold)
    if recalibrate and choice.isotonic is not None:
        model.isotonic_ = choice.isotonic
    elif choice.isotonic is not None:
        choice = CalibrationChoice(choice.ece, choice.ece_isotonic, None)
    return best, model, results, choice
