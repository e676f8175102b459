"""Alert on arrival: the same links as the batch engine, stored once, reviewable, pushed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert

from caselink.alerts import (
    DEFAULT_THRESHOLD,
    Alert,
    add_case,
    add_cases,
    events,
    linkage_states,
    list_alerts,
    review_alert,
    warm_alerter,
)
from caselink.alerts.ledger import now, write_alerts
from caselink.linkage.engine import LinkageEngine
from caselink.records.model import Case
from caselink.store import Store
from caselink.store.tables import AlertRow


def test_alerts_are_the_batch_links_of_the_new_case_above_the_threshold(
    store: Store, later: list[Case]
) -> None:
    model = warm_alerter(store).model
    new = later[0]
    alerts = add_case(store, new, model=model, threshold=DEFAULT_THRESHOLD)
    # batch engine over the store as it now is, with the same model
    engine = LinkageEngine(store.cases_frame(), store.attribute_schema(), model=model)
    batch = engine.link(min_probability=DEFAULT_THRESHOLD)
    mine = batch[(batch["case_a"] == new.case_id) | (batch["case_b"] == new.case_id)]
    expected = {
        (b if a == new.case_id else a): p
        for a, b, p in zip(mine["case_a"], mine["case_b"], mine["probability"], strict=True)
    }
    got = {a.linked_case_id: a.probability for a in alerts}
    assert set(got) == set(expected)
    assert len(got) > 0
    for other, p in got.items():
        assert p == pytest.approx(expected[other], abs=1e-9)
    assert all(a.case_id == new.case_id and a.explanation for a in alerts)
    assert all(a.series_id.startswith("S-") for a in alerts)


def test_a_pair_is_never_alerted_twice_in_either_order(store: Store, later: list[Case]) -> None:
    first = add_case(store, later[1], threshold=DEFAULT_THRESHOLD)
    assert first
    again = add_case(
        store, later[1], threshold=DEFAULT_THRESHOLD
    )  # the same case recorded again (an update)
    assert again == []
    pair = first[0]
    reverse = Alert(
        pair.linked_case_id, pair.case_id, 0.9, "reversed", pair.series_id, "joins", now()
    )
    with store.transaction() as conn:
        assert write_alerts(conn, [reverse]) == []
    stored = list_alerts(store)
    keys = {frozenset(p) for p in zip(stored["case_id"], stored["linked_case_id"], strict=True)}
    assert len(keys) == len(stored)


def test_the_store_refuses_a_duplicate_pair_in_the_same_order(store: Store) -> None:
    stored = list_alerts(store).iloc[0]
    with pytest.raises(Exception, match="UNIQUE"), store.transaction() as conn:
        pks = dict(
            conn.exec_driver_sql(
                "SELECT case_id, pk FROM cases WHERE case_id IN (?, ?)",
                (stored["case_id"], stored["linked_case_id"]),
            ).all()
        )
        conn.execute(
            insert(AlertRow).values(
                raised_at=now(),
                case_pk=pks[stored["case_id"]],
                linked_case_pk=pks[stored["linked_case_id"]],
                probability=0.5,
            )
        )


def test_review_records_who_and_why_and_filters_by_status(store: Store, later: list[Case]) -> None:
    alerts = add_case(store, later[2], threshold=DEFAULT_THRESHOLD)
    assert alerts[0].alert_id is not None
    review_alert(store, alerts[0].alert_id, "dismissed", "DS Khan", "different offender, CCTV")
    frame = list_alerts(store)
    row = frame[frame["alert_id"] == alerts[0].alert_id].iloc[0]
    assert (row["status"], row["reviewed_by"], row["review_note"]) == (
        "dismissed",
        "DS Khan",
        "different offender, CCTV",
    )
    assert pd.notna(row["reviewed_at"])
    assert alerts[0].alert_id not in set(list_alerts(store, status="new")["alert_id"])
    with pytest.raises(ValueError, match="reviewed_by must name who"):
        review_alert(store, alerts[0].alert_id, "reviewed", " ", "ok")
    with pytest.raises(ValueError, match="status must be one of reviewed, dismissed"):
        review_alert(store, alerts[0].alert_id, "closed", "DS Khan", "ok")
    with pytest.raises(KeyError, match="no alert with alert_id 999999"):
        review_alert(store, 999_999, "reviewed", "DS Khan", "ok")
    with pytest.raises(ValueError, match="status must be one of new, reviewed, dismissed"):
        list_alerts(store, status="open")


def test_subscribers_get_each_stored_alert_after_commit(store: Store, later: list[Case]) -> None:
    seen: list[tuple[Alert, bool]] = []

    def on_alert(alert: Alert) -> None:
        ids = set(list_alerts(store)["alert_id"])  # committed: visible to a new connection
        seen.append((alert, alert.alert_id in ids))

    def broken(alert: Alert) -> None:
        raise RuntimeError("a subscriber's bug")

    stop = events.subscribe(on_alert)
    stop_broken = events.subscribe(broken)
    try:
        alerts = add_case(store, later[3], threshold=DEFAULT_THRESHOLD)
    finally:
        stop()
        stop_broken()
    assert [a for a, _ in seen] == alerts
    assert all(visible for _, visible in seen)
    add_case(store, later[4], threshold=DEFAULT_THRESHOLD)
    assert len(seen) == len(alerts)  # unsubscribed


def test_a_case_that_cannot_be_scored_is_stored_with_the_reason_and_blocks_no_other(
    store: Store, later: list[Case]
) -> None:
    no_age = later[5].model_copy(update={"victim_age": None})
    report = add_cases(store, [no_age, later[6]], required_fields=("victim_age",))
    states = linkage_states(store).set_index("case_id")
    assert states.at[no_age.case_id, "linkage_state"] == "not_scored"
    assert "victim_age is not recorded" in states.at[no_age.case_id, "linkage_note"]
    assert states.at[later[6].case_id, "linkage_state"] == "scored"
    assert set(report.not_scored) == {no_age.case_id}
    assert all(no_age.case_id not in a.pair for a in report.alerts)
    assert (states["linkage_state"] != "pending").all()


def test_series_ids_follow_the_earliest_member(store: Store, later: list[Case]) -> None:
    alerts = add_case(store, later[7], threshold=DEFAULT_THRESHOLD)
    frame = store.cases_frame().set_index("case_id")
    for a in alerts:
        first = a.series_id.removeprefix("S-")
        assert frame.at[first, "occurred_from"] <= min(
            frame.at[a.case_id, "occurred_from"], frame.at[a.linked_case_id, "occurred_from"]
        )
    assert {a.series_event for a in alerts} <= {"starts", "joins", "merges"}
    assert np.isfinite([a.probability for a in alerts]).all()
