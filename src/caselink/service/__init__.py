"""The service layer: the one implementation of caselink's use cases that front doors call.

>>> from caselink.service import Caselink, Scope           # doctest: +SKIP
>>> page = Caselink(store).cases(Scope.everything(), limit=20)  # doctest: +SKIP
"""

from caselink.service.caselink import Caselink
from caselink.service.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PolicyError,
    WeakPasswordError,
)
from caselink.service.results import CaseDetail, CaseFilter, CaseSummary, LinkView, Page
from caselink.service.scope import Scope, scoped

__all__ = [
    "AuthenticationError",
    "CaseDetail",
    "CaseFilter",
    "CaseSummary",
    "Caselink",
    "ConflictError",
    "LinkView",
    "NotFoundError",
    "Page",
    "PolicyError",
    "Scope",
    "WeakPasswordError",
    "scoped",
]
