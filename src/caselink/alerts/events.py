"""The in-process alert event: subscribe a callback, get every alert as it is stored.

A web app pushes alerts to analysts' browsers by subscribing once at start-up::

    from caselink.alerts import events
    unsubscribe = events.subscribe(lambda alert: queue.put_nowait(alert))

Callbacks run in the thread that stored the alert, after the transaction
that stored it has committed (so an alert seen here is in the store). A
callback that raises is logged and does not stop the others or the import.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from caselink.alerts.alerting import Alert

Listener = Callable[["Alert"], None]

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_listeners: list[Listener] = []


def subscribe(callback: Listener) -> Callable[[], None]:
    """Call ``callback(alert)`` for every alert stored from now on; returns an unsubscribe."""
    if not callable(callback):
        raise TypeError(f"callback must be callable, got {callback!r}")
    with _lock:
        _listeners.append(callback)
    return lambda: unsubscribe(callback)


def unsubscribe(callback: Listener) -> None:
    """Stop calling ``callback`` (no error if it was not subscribed)."""
    with _lock:
        if callback in _listeners:
            _listeners.remove(callback)


def publish(alerts: Iterable[Alert]) -> None:
    """Hand each alert to every subscriber (errors are logged, not raised)."""
    with _lock:
        listeners = list(_listeners)
    for alert in alerts:
        for callback in listeners:
            try:
                callback(alert)
            except Exception:  # a subscriber's bug must not break storing cases
                _log.exception("alert subscriber %r failed on %s", callback, alert.pair)
