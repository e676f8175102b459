"""Where and how the web app may be served: the secret and the listening policy.

On a loopback address anything goes (a development machine); anywhere else the
app refuses to start with the development secret or without a TLS-terminating
proxy in front of it.
"""

from __future__ import annotations

import ipaddress
import os

from caselink.service.accounts import DEVELOPMENT_SECRET

SECRET_ENV = "CASELINK_WEB_SECRET"
"""The environment variable holding the web app's secret (sessions, CSRF, TOTP)."""


def web_secret() -> str:
    """``$CASELINK_WEB_SECRET``, else the development secret (loopback only)."""
    return os.environ.get(SECRET_ENV) or DEVELOPMENT_SECRET


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refusal(host: str, secret: str, forwarded_allow_ips: str | None) -> str | None:
    """Why the app must not start on ``host`` (None when it may)."""
    if is_loopback(host):
        return None
    problems = []
    if secret == DEVELOPMENT_SECRET:
        problems.append(
            f"the development secret is in use: set {SECRET_ENV} to a long random value"
        )
    if not forwarded_allow_ips:
        problems.append(
            "no TLS-terminating proxy is configured: put the app behind one and give "
            "--forwarded-allow-ips with the proxy's address"
        )
    if problems:
        return f"refusing to listen on non-loopback host {host}: " + "; ".join(problems)
    return None
