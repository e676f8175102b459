"""The replay of the whole store, computed once per store state and model and kept in the store.

Walking 2,400 cases day by day (:func:`caselink.replay.replay`: the model
re-fitted each month on the cases recorded before it, every case compared
with the earlier ones) takes minutes; a replay page that walked the store on
each request could not follow a slider. The walk is the same whatever day is
asked for: an alert of day *d* comes only from cases recorded up to *d* and a
model fitted on cases recorded before *d*'s month, so the alerts a walk
ending on *d* raises are exactly the whole walk's alerts up to *d* (tested in
``tests/replay``). So the walk runs once per store state (how many cases,
the newest import) and model, and its alerts are stored in ``replay_alerts``
with the day each would have been raised; a day's page is then a SQL query.

The walk covers every case of the store, as live alerting does; the page
shows only the alerts between two cases the caller may see.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import delete, func, insert, select

from caselink.alerts.ledger import case_pks, now
from caselink.alerts.workload import DEFAULT_ALERTS_PER_1000
from caselink.replay import replay
from caselink.store import Store
from caselink.store.reviewed import ReplayAlertRow, ReplayRunRow
from caselink.store.tables import CaseRow

_LOG = logging.getLogger(__name__)

MIN_CASES = 50
"""No alerts before this many cases are known (the replay's default)."""


@dataclass(frozen=True)
class ReplayModel:
    """The model a replay uses: the default model re-fitted monthly, at a workload."""

    alerts_per_1000: float = DEFAULT_ALERTS_PER_1000
    min_cases: int = MIN_CASES

    @property
    def key(self) -> str:
        """How the runs of this model are found again."""
        return (
            f"default-monthly;alerts_per_1000={self.alerts_per_1000:g};min_cases={self.min_cases}"
        )


@dataclass(frozen=True)
class ReplayRun:
    """A stored replay: which store state it walked, with which model, when."""

    pk: int
    store_state: str
    provenance: str
    cases: int
    finished_at: datetime
    summary: str | None = None
    """JSON (:func:`caselink.service.calibration_view.calibration_summary`)."""


def store_state(store: Store) -> str:
    """``<cases>:<highest import_seq>``: changes whenever a case is stored."""
    with store.engine.connect() as conn:
        n, seq = conn.execute(select(func.count(), func.max(CaseRow.import_seq))).one()
    return f"{int(n or 0)}:{int(seq or 0)}"


def latest_run(store: Store, model: ReplayModel | None = None) -> ReplayRun | None:
    """The newest finished replay of ``model`` (of any store state), or None."""
    model = model or ReplayModel()
    stmt = (
        select(
            ReplayRunRow.pk,
            ReplayRunRow.store_state,
            ReplayRunRow.provenance,
            ReplayRunRow.cases,
            ReplayRunRow.finished_at,
            ReplayRunRow.summary,
        )
        .where(ReplayRunRow.model_key == model.key, ReplayRunRow.status == "done")
        .order_by(ReplayRunRow.pk.desc())
        .limit(1)
    )
    with store.engine.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        return None
    pk, state, provenance, cases, finished, summary = row
    return ReplayRun(
        int(pk), str(state), str(provenance), int(cases), finished or datetime.min, summary
    )


def compute_run(store: Store, model: ReplayModel | None = None) -> ReplayRun:
    """Walk the whole store day by day with ``model`` and keep the alerts (replacing the
    model's older runs)."""
    model = model or ReplayModel()
    started = now()
    state = store_state(store)
    frame = store.cases_frame()
    if frame.empty:
        raise ValueError("the store holds no case: nothing to replay")
    result = replay(
        frame,
        store.attribute_schema(),
        min_cases=model.min_cases,
        alerts_per_1000=model.alerts_per_1000,
    )
    # the calibration page's figures come from this same walk (imported here: that module
    # reads the runs this one writes)
    from caselink.service.calibration_view import calibration_summary

    summary = json.dumps(calibration_summary(result, frame))
    alerts = result.alerts
    with store.transaction() as conn:
        pks = case_pks(conn, [*alerts["case_id"], *alerts["linked_case_id"]])
        run_pk = conn.execute(
            insert(ReplayRunRow)
            .values(
                store_state=state,
                model_key=model.key,
                provenance=result.provenance,
                status="done",
                cases=len(frame),
                started_at=started,
                finished_at=now(),
                note=f"{len(alerts)} alert(s); {len(result.not_scored)} case(s) not scored",
                summary=summary,
            )
            .returning(ReplayRunRow.pk)
        ).scalar_one()
        rows = [
            {
                "run_pk": run_pk,
                "case_pk": pks[str(a)],
                "linked_case_pk": pks[str(b)],
                "alerted_at": pd.Timestamp(when).to_pydatetime(),
                "probability": float(p),
            }
            for when, a, b, p in zip(
                alerts["alerted_at"],
                alerts["case_id"],
                alerts["linked_case_id"],
                alerts["probability"],
                strict=True,
            )
        ]
        for start in range(0, len(rows), 5000):
            conn.execute(insert(ReplayAlertRow), rows[start : start + 5000])
        conn.execute(
            delete(ReplayRunRow).where(
                ReplayRunRow.model_key == model.key, ReplayRunRow.pk != run_pk
            )
        )
    run = latest_run(store, model)
    assert run is not None
    return run


_RUNNING: set[tuple[str, str]] = set()
_FAILED: dict[tuple[str, str], tuple[str, str]] = {}
"""(url, model key) -> (store state, error) of a walk that failed: not retried on that state."""
_LOCK = threading.Lock()


def failure(store: Store, model: ReplayModel | None = None) -> str | None:
    """Why this process's last walk of the current store state failed (None: it did not)."""
    with _LOCK:
        failed = _FAILED.get((str(store.engine.url), (model or ReplayModel()).key))
    return failed[1] if failed and failed[0] == store_state(store) else None


def computing(store: Store, model: ReplayModel | None = None) -> bool:
    """Whether this process is computing a replay of the store with ``model``."""
    with _LOCK:
        return (str(store.engine.url), (model or ReplayModel()).key) in _RUNNING


def ensure_current(store: Store, model: ReplayModel | None = None) -> bool:
    """Start computing the replay of the current store state in a background thread unless
    it is stored or being computed; True when the stored run is current."""
    model = model or ReplayModel()
    run = latest_run(store, model)
    if run is not None and run.store_state == store_state(store):
        return True
    key = (str(store.engine.url), model.key)
    state = store_state(store)
    with _LOCK:
        if key in _RUNNING or _FAILED.get(key, ("", ""))[0] == state:
            return False
        _RUNNING.add(key)

    def work() -> None:
        try:
            compute_run(store, model)
        except Exception as exc:  # a failed walk must not take the app down; the page says so
            _LOG.exception("the replay of %s failed", key[0])
            with _LOCK:
                _FAILED[key] = (state, f"{type(exc).__name__}: {exc}")
        finally:
            with _LOCK:
                _RUNNING.discard(key)

    threading.Thread(target=work, name="caselink-replay", daemon=True).start()
    return False
