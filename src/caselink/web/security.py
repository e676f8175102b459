"""HTTP security of the web app: headers, who is calling, CSRF, policy checks, audit of refusals.

Every route runs :func:`guard` with its declared action before its body:

1. the caller is found from the ``__Host-`` session cookie (pages and API) or
   an ``Authorization: Bearer`` API token (``/api/`` only);
2. a state-changing request on a session must carry the session's CSRF token
   in the ``X-CSRF-Token`` header and come from this origin (Origin /
   Sec-Fetch-Site); a Bearer request carries no ambient credential and needs
   neither;
3. the role must be allowed the action (:mod:`caselink.web.policy`).

Refusals are audited (ASVS 16.3.2). Object-level scoping is SQL in the
service; a case out of scope is a 404 like a case that does not exist.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from fastapi import Request
from starlette.responses import Response

from caselink.service import audit
from caselink.service.accounts import DEVELOPMENT_SECRET, Accounts, Policy, SessionInfo, User
from caselink.service.caselink import Caselink
from caselink.web.policy import PUBLIC, allowed

SESSION_COOKIE = "__Host-caselink-session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def content_security_policy(img_origins: tuple[str, ...] = ()) -> str:
    """The CSP; ``img_origins`` widens ``img-src`` (a force's configured tile server only)."""
    images = " ".join(("'self'", "data:", *img_origins))
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src {images}; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    )


CSP = content_security_policy()
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


@dataclass(frozen=True)
class WebSettings:
    """Settings of one running app.

    Attributes
    ----------
    secret
        Keys the HMAC of session and API tokens; the development secret is
        refused on a non-loopback host (see ``caselink serve``).
    https
        Whether browsers reach the app over HTTPS (directly or through a
        TLS-terminating proxy): adds HSTS. The session cookie is always
        ``Secure``; browsers accept that on http://127.0.0.1 and localhost.
    """

    secret: str = DEVELOPMENT_SECRET
    policy: Policy = field(default_factory=Policy)
    https: bool = False
    poll_seconds: int = 5


@dataclass(frozen=True)
class Caller:
    """Who is calling and how."""

    user: User
    via: Literal["session", "token"]
    session: SessionInfo | None = None

    @property
    def csrf_token(self) -> str:
        """The session's CSRF token ("" for API tokens)."""
        return self.session.csrf_token if self.session else ""


class LoginRequiredError(Exception):
    """No valid session or token: pages redirect to the login page, the API answers 401."""


class RefusedError(Exception):
    """The caller may not do this (403): a policy, CSRF or origin refusal."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class AppState:
    """What every request handler needs: the service, accounts and settings."""

    service: Caselink
    accounts: Accounts
    settings: WebSettings


def state(request: Request) -> AppState:
    """The app's shared state."""
    found: AppState = request.app.state.caselink
    return found


def address(request: Request) -> str:
    """The client's address (the proxy-reported one when uvicorn trusts the proxy)."""
    return request.client.host if request.client else "unknown"


def caller(request: Request) -> Caller:
    """The authenticated caller of a guarded route."""
    found: Caller = request.state.caller
    return found


def current_caller(request: Request) -> Caller | None:
    """The caller if the request carries a valid session or (on /api/) token, else None."""
    app = state(request)
    header = request.headers.get("authorization", "")
    if request.url.path.startswith("/api/") and header[:7].lower() == "bearer ":
        user = app.accounts.user_of_token(header[7:].strip())
        return Caller(user, "token") if user else None
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    session = app.accounts.session(token)
    return Caller(session.user, "session", session) if session else None


def same_origin(request: Request) -> bool:
    """Whether a browser request comes from this app's own origin.

    Sec-Fetch-Site decides when the browser sends it (every current browser
    does); otherwise the Origin header, when present, must be this origin.
    Clients that send neither (scripts, the API) pass: they carry no ambient
    credential a third-party page could borrow, and session requests still
    need the CSRF token.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is not None:
        own = f"{request.url.scheme}://{request.url.netloc}"
        forwarded = request.headers.get("x-forwarded-host")
        return origin == own or (forwarded is not None and origin == f"https://{forwarded}")
    return True


def guard(action: str) -> Callable[[Request], None]:
    """The dependency that authenticates, checks CSRF and origin, and applies the policy."""

    def check(request: Request) -> None:
        if action == PUBLIC:
            return
        app = state(request)
        who = current_caller(request)
        if who is None:
            raise LoginRequiredError()
        request.state.caller = who
        if request.method not in SAFE_METHODS and who.via == "session":
            sent = request.headers.get(CSRF_HEADER, "")
            if not same_origin(request):
                _refuse(app, who, action, request, "cross-origin request")
            if not sent or not hmac.compare_digest(sent, who.csrf_token):
                _refuse(app, who, action, request, "missing or wrong CSRF token")
        if not allowed(who.user.role, action):
            _refuse(app, who, action, request, f"role {who.user.role} may not {action}")

    return check


def _refuse(app: AppState, who: Caller, action: str, request: Request, reason: str) -> None:
    audit.record(
        app.service.store,
        who.user.name,
        action,
        request.url.path,
        "denied",
        reason=reason,
        method=request.method,
    )
    raise RefusedError(reason)


async def security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Add the CSP and the other security headers to every response; no caching of data."""
    started = time.perf_counter()
    response = await call_next(request)
    elapsed = (time.perf_counter() - started) * 1000
    response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.url.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    if state(request).settings.https:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response
