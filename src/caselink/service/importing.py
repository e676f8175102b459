"""Import: store the open CSV files, then raise the new cases' alerts (or mark them compared).

The one import workflow behind ``caselink import``, the web's import page and
``POST /api/import``. The alert policy lives here: a bulk (at least 50 pending
cases and a large share of the store) is compared with the store by one batch
link run; a few cases are scored one by one on arrival. Both raise the same
alerts (``alerts.bulk``). Without alerts, the cases are marked compared
(``scored``, with a note that no alerts were raised) so that every case added
later is compared with them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from caselink.alerts import AddReport, rescore_pending
from caselink.alerts.bulk import NO_ALERT_NOTE, pending_share, prefers_batch, raise_bulk_alerts
from caselink.alerts.ledger import mark_cases
from caselink.records.errors import CaselinkError
from caselink.store import Store
from caselink.store.importer import ImportReport

Progress = Callable[[str, int, int], None]
"""``progress(description, done, total)``; ``total`` 0 when unknown."""


class AlertsNotRaisedError(CaselinkError):
    """The cases are stored (pending), but their alerts could not be raised."""

    code = "alerts_not_raised"


@dataclass(frozen=True)
class Imported:
    """What an import stored and the alerts it raised (``None`` when asked for none)."""

    report: ImportReport
    alerts: AddReport | None


def _no_progress(description: str, done: int, total: int) -> None:
    return None


def raise_import_alerts(store: Store, progress: Progress = _no_progress) -> AddReport:
    """The alerts of the store's pending cases: one batch link for a bulk, else case by case.

    Raises
    ------
    AlertsNotRaisedError
        When scoring fails; the cases stay stored and pending (``rescore-pending``).
    """
    pending, stored = pending_share(store)
    try:
        if not prefers_batch(pending, stored):
            progress("comparing the imported cases with the store", 0, 0)
            return rescore_pending(store)
        label = f"linking {pending:,} imported case(s) in batch"
        progress(label, 0, 0)
        return raise_bulk_alerts(store, progress=lambda done, total: progress(label, done, total))
    except (CaselinkError, ValueError) as exc:
        message = exc.message if isinstance(exc, CaselinkError) else str(exc)
        raise AlertsNotRaisedError(
            f"the cases are stored (pending); alerts not raised: {message}"
        ) from exc


def import_files(
    store: Store,
    cases: Path,
    people: Path | None = None,
    actions: Path | None = None,
    schema: Path | None = None,
    skip_invalid: Path | None = None,
    *,
    replace: bool = False,
    force: str | None = None,
    alert: bool = True,
    progress: Progress = _no_progress,
) -> Imported:
    """Import the files in one transaction, then raise their alerts (or mark them compared).

    Raises
    ------
    caselink.records.errors.InvalidInputError
        Every invalid row; nothing written.
    AlertsNotRaisedError
        The cases are stored but scoring failed.
    """
    report = store.import_files(
        cases,
        people,
        actions,
        schema,
        skip_invalid,
        lambda stage, done, total: progress(f"writing {stage}", done, total),
        replace=replace,
        force=force,
    )
    if not alert:
        with store.transaction() as conn:
            mark_cases(conn, report.case_ids, "scored", NO_ALERT_NOTE)
        return Imported(report, None)
    return Imported(report, raise_import_alerts(store, progress))
