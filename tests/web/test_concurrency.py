"""Reviewers deciding at once: one decision per alert wins, the others are told; none is lost."""

from __future__ import annotations

import threading

from caselink.service.errors import ConflictError
from tests.web.conftest import Site


def test_concurrent_decisions_are_never_lost_or_overwritten(site: Site) -> None:
    scope = site.users["reviewer"].scope()
    alerts = [site.alerts["north"], site.alerts["north2"]]
    won: list[tuple[int, str]] = []
    refused: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def decide(i: int) -> None:
        alert = alerts[i % 2]
        who = f"reviewer{i}"
        start.wait()
        try:
            site.service.decide_alert(scope, alert, "dismiss", who, f"note of {who}")
            with lock:
                won.append((alert, who))
        except ConflictError:
            with lock:
                refused.append((alert, who))
        except BaseException as exc:  # any other failure fails the test
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(a for a, _ in won) == sorted(alerts)  # exactly one winner per alert
    assert len(refused) == 14
    for alert, who in won:
        stored = site.service.alert(scope, alert)
        assert (stored.status, stored.reviewed_by, stored.review_note) == (
            "dismissed",
            who,
            f"note of {who}",
        )
