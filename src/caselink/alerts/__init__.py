"""Alerts the moment a case links: alert on arrival, alert ledger and review, events.

>>> from caselink.alerts import add_case, events          # doctest: +SKIP
>>> events.subscribe(print)                               # doctest: +SKIP
>>> alerts = add_case(store, case)                        # doctest: +SKIP
"""

from caselink.alerts.alerting import (
    DEFAULT_THRESHOLD,
    AddReport,
    Alert,
    Alerter,
    add_case,
    add_cases,
    forget_warm_state,
    rescore_pending,
    warm_alerter,
)
from caselink.alerts.ledger import (
    linkage_states,
    list_alerts,
    pending_case_ids,
    review_alert,
)
from caselink.linkage.case_index import CaseIndex, UnsupportedComparisonError
from caselink.records.errors import NotScorableError

__all__ = [
    "DEFAULT_THRESHOLD",
    "AddReport",
    "Alert",
    "Alerter",
    "CaseIndex",
    "NotScorableError",
    "UnsupportedComparisonError",
    "add_case",
    "add_cases",
    "forget_warm_state",
    "linkage_states",
    "list_alerts",
    "pending_case_ids",
    "rescore_pending",
    "review_alert",
    "warm_alerter",
]
