"""Linkage models (scikit-learn estimators over comparison frames)."""

from caselink.linkage.models.boosted import BoostedLinkage
from caselink.linkage.models.default import PriorLinkage
from caselink.linkage.models.ensemble import EnsembleLinkage
from caselink.linkage.models.logistic import LogisticLinkage
from caselink.linkage.models.naive_bayes import NaiveBayesLinkage

__all__ = [
    "BoostedLinkage",
    "EnsembleLinkage",
    "LogisticLinkage",
    "NaiveBayesLinkage",
    "PriorLinkage",
]
