"""Investigative assurance: standards, missed checks, prompts, disparity audit, death clusters.

The inquest into the Barking deaths found basic checks not done, evidence not
sent for examination and no professional curiosity; the families believe who
the victims were made the difference. This package makes the standard
visible (:mod:`~caselink.assurance.standard`), shows what was missed
(:mod:`~caselink.assurance.checks`), raises the checks that links make
necessary (:mod:`~caselink.assurance.prompts`), measures whether some victims
got less (:mod:`~caselink.assurance.audit`) and flags clusters of deaths
(:mod:`~caselink.assurance.clusters`).
"""

from caselink.assurance.audit import AuditReport, disparity_audit
from caselink.assurance.checks import CHECK_STATES, check_states, missing_checks
from caselink.assurance.clusters import scan_death_clusters, select_deaths
from caselink.assurance.prompts import (
    Prompt,
    prompts_frame,
    raise_prompts,
    recurrences_from_flags,
)
from caselink.assurance.standard import (
    Requirement,
    Standard,
    StandardError,
    default_standard,
    load_standard,
)

__all__ = [
    "CHECK_STATES",
    "AuditReport",
    "Prompt",
    "Requirement",
    "Standard",
    "StandardError",
    "check_states",
    "default_standard",
    "disparity_audit",
    "load_standard",
    "missing_checks",
    "prompts_frame",
    "raise_prompts",
    "recurrences_from_flags",
    "scan_death_clusters",
    "select_deaths",
]
