"""Accounts: users and roles, argon2id passwords, lockout, TOTP, sessions and API tokens.

Library only (no HTTP): the web app's security layer and the ``caselink
users`` / ``sessions`` commands call it. Session and API tokens are 256-bit
values from :mod:`secrets`; the store keeps only their HMAC-SHA256 under the
server secret, so a copy of the database holds no usable token.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from caselink.service import audit
from caselink.service.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    WeakPasswordError,
)
from caselink.service.scope import Scope
from caselink.store import Store
from caselink.store.access import ApiTokenRow, SessionRow, UserRow

ROLES = ("viewer", "analyst", "reviewer", "oversight", "admin")
"""Roles, least to most privileged on cases (admin manages users and sees no case)."""
DEVELOPMENT_SECRET = "caselink-development-secret-do-not-use-in-production"
MIN_PASSWORD = 12
_COMMON = Path(__file__).with_name("common-passwords.txt.gz")


@dataclass(frozen=True)
class Policy:
    """Login and session limits (ASVS V6.3, V7.3)."""

    idle_timeout: timedelta = timedelta(minutes=30)
    absolute_timeout: timedelta = timedelta(hours=12)
    max_failures: int = 5
    """Consecutive failed logins of one account before it is locked."""
    lockout: timedelta = timedelta(minutes=15)
    address_failures: int = 20
    """Failed logins from one address within ``address_window`` before it is refused."""
    address_window: timedelta = timedelta(minutes=15)
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    """argon2id cost (RFC 9106's low-memory profile by default; tests use a cheaper one)."""
    argon2_parallelism: int = 4


@dataclass(frozen=True)
class User:
    """An account as the app sees it."""

    pk: int
    name: str
    role: str
    force: str | None
    disabled: bool
    has_totp: bool
    locked_until: datetime | None

    def scope(self) -> Scope:
        """The cases this user sees: their force (oversight: every force; admin: none)."""
        if self.role == "admin":
            return Scope.nothing()
        if self.role == "oversight":
            return Scope(forces=None, user_pk=self.pk, hide_victims=True)
        return Scope(forces=frozenset({self.force}), user_pk=self.pk)


@dataclass(frozen=True)
class SessionInfo:
    """A login session (its token is never kept)."""

    pk: int
    user: User
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    address: str | None
    user_agent: str | None
    ended_at: datetime | None
    end_reason: str | None


def utcnow() -> datetime:
    """Now, naive UTC (as the store keeps times)."""
    return datetime.now(UTC).replace(tzinfo=None)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common and breached passwords (lower case)."""
    with gzip.open(_COMMON, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip().lower() for line in fh if line.strip())


def check_password(password: str, name: str = "") -> None:
    """Refuse a password that is short, common/breached or contains the user's name."""
    if len(password) < MIN_PASSWORD:
        raise WeakPasswordError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise WeakPasswordError("a password may have at most 1024 characters")
    if password.lower() in common_passwords():
        raise WeakPasswordError("this password is on the list of common or breached passwords")
    if name and name.lower() in password.lower():
        raise WeakPasswordError("a password may not contain the user's name")


class Accounts:
    """Users, logins and sessions over one store."""

    def __init__(self, store: Store, secret: str, policy: Policy | None = None) -> None:
        if not secret:
            raise ValueError("the server secret must not be empty")
        self.store = store
        self._key = secret.encode()
        self.policy = policy or Policy()
        self._by_address: dict[str, deque[float]] = {}
        self._address_lock = threading.Lock()
        self._hasher = PasswordHasher(
            time_cost=self.policy.argon2_time_cost,
            memory_cost=self.policy.argon2_memory_kib,
            parallelism=self.policy.argon2_parallelism,
        )  # argon2id
        self._dummy_hash = self._hasher.hash("caselink dummy password for equal timing")

    # ------------------------------------------------------------ users

    def _token_hash(self, token: str) -> str:
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def _user(row: UserRow) -> User:
        return User(
            row.pk,
            row.name,
            row.role,
            row.force,
            bool(row.disabled),
            row.totp_secret is not None,
            row.locked_until,
        )

    def _row(self, name: str) -> UserRow:
        with Session(self.store.engine) as conn:
            row = conn.execute(select(UserRow).where(UserRow.name == name)).scalar_one_or_none()
        if row is None:
            raise NotFoundError(f"no user {name!r}")
        return row

    def user(self, name: str) -> User:
        """The user called ``name`` (NotFoundError when none)."""
        return self._user(self._row(name))

    def users(self) -> list[User]:
        """Every user, by name."""
        with Session(self.store.engine) as conn:
            rows = conn.execute(select(UserRow).order_by(UserRow.name)).scalars().all()
        return [self._user(r) for r in rows]

    def add_user(
        self, name: str, role: str, force: str | None, password: str, by: str = "cli"
    ) -> User:
        """Create an account (audited)."""
        name = name.strip()
        if not name or len(name) > 128:
            raise ValueError("a user name needs 1 to 128 characters")
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        check_password(password, name)
        with self.store.transaction() as conn:
            taken = conn.execute(select(UserRow.pk).where(UserRow.name == name)).first()
            if taken is not None:
                raise ConflictError(f"a user {name!r} already exists")
            conn.execute(
                insert(UserRow).values(
                    name=name,
                    role=role,
                    force=force,
                    password_hash=self._hasher.hash(password),
                    disabled=False,
                    failed_logins=0,
                    created_at=utcnow(),
                )
            )
        audit.record(self.store, by, "user.add", name, role=role, force=force)
        return self.user(name)

    def disable(self, name: str, by: str = "cli") -> int:
        """Disable an account: its sessions end and its API tokens are revoked at once."""
        user = self.user(name)
        at = utcnow()
        with self.store.transaction() as conn:
            conn.execute(update(UserRow).where(UserRow.pk == user.pk).values(disabled=True))
            ended = conn.execute(
                update(SessionRow)
                .where(SessionRow.user_pk == user.pk, SessionRow.ended_at.is_(None))
                .values(ended_at=at, end_reason="account disabled")
            ).rowcount
            conn.execute(
                update(ApiTokenRow)
                .where(ApiTokenRow.user_pk == user.pk, ApiTokenRow.revoked_at.is_(None))
                .values(revoked_at=at)
            )
        audit.record(self.store, by, "user.disable", name, sessions_ended=ended)
        return int(ended)

    def reset_password(self, name: str, password: str, by: str = "cli") -> None:
        """Set a new password, unlock the account and end its sessions."""
        user = self.user(name)
        check_password(password, name)
        with self.store.transaction() as conn:
            conn.execute(
                update(UserRow)
                .where(UserRow.pk == user.pk)
                .values(
                    password_hash=self._hasher.hash(password), failed_logins=0, locked_until=None
                )
            )
            conn.execute(
                update(SessionRow)
                .where(SessionRow.user_pk == user.pk, SessionRow.ended_at.is_(None))
                .values(ended_at=utcnow(), end_reason="password reset")
            )
        audit.record(self.store, by, "user.reset_password", name)

    def change_password(self, user: User, current: str, new: str) -> None:
        """The user's own change: the current password is checked first."""
        row = self._row(user.name)
        try:
            self._hasher.verify(row.password_hash, current)
        except (VerificationError, InvalidHashError) as exc:
            audit.record(self.store, user.name, "account.password", user.name, "denied")
            raise AuthenticationError("the current password is wrong") from exc
        check_password(new, user.name)
        with self.store.transaction() as conn:
            conn.execute(
                update(UserRow)
                .where(UserRow.pk == user.pk)
                .values(password_hash=self._hasher.hash(new))
            )
        audit.record(self.store, user.name, "account.password", user.name)

    def new_totp_secret(self) -> str:
        """A fresh base32 TOTP secret (enable it with :meth:`enable_totp`)."""
        return pyotp.random_base32()

    def enable_totp(self, user: User, secret: str, code: str) -> None:
        """Require a TOTP code at login from now on, once the user proves they hold it."""
        if not pyotp.TOTP(secret).verify(code.strip(), valid_window=1):
            raise AuthenticationError("the code does not match; check the device's clock")
        with self.store.transaction() as conn:
            conn.execute(update(UserRow).where(UserRow.pk == user.pk).values(totp_secret=secret))
        audit.record(self.store, user.name, "account.totp_enabled", user.name)

    # ------------------------------------------------------------ login

    def _address_blocked(self, address: str) -> bool:
        window = self.policy.address_window.total_seconds()
        with self._address_lock:
            hits = self._by_address.setdefault(address, deque())
            cutoff = time.monotonic() - window
            while hits and hits[0] < cutoff:
                hits.popleft()
            return len(hits) >= self.policy.address_failures

    def _address_failed(self, address: str) -> None:
        with self._address_lock:
            self._by_address.setdefault(address, deque()).append(time.monotonic())

    def authenticate(
        self, name: str, password: str, code: str | None, address: str = "unknown"
    ) -> User:
        """The user if name, password (and TOTP code when enabled) are right.

        Failures count per account (locked for ``policy.lockout`` after
        ``policy.max_failures``) and per address; every outcome is audited.
        The message never says which part was wrong.
        """
        refused = AuthenticationError("wrong name, password or code, or the account is locked")
        if self._address_blocked(address):
            audit.record(
                self.store, name[:128], "login", name[:128], "rate_limited", address=address
            )
            raise refused
        try:
            row = self._row(name)
        except NotFoundError:
            with contextlib.suppress(VerificationError):
                self._hasher.verify(self._dummy_hash, password)  # same time as a real check
            self._address_failed(address)
            audit.record(self.store, name[:128], "login", name[:128], "failed", address=address)
            raise refused from None
        now = utcnow()
        reason = None
        if row.disabled:
            reason = "disabled"
        elif row.locked_until is not None and row.locked_until > now:
            reason = "locked"
        else:
            try:
                self._hasher.verify(row.password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                reason = "bad password"
            totp = pyotp.TOTP(row.totp_secret) if row.totp_secret else None
            if reason is None and totp and not (code and totp.verify(code.strip(), valid_window=1)):
                reason = "bad code"
        if reason is not None:
            self._address_failed(address)
            self._failed(row, now, reason)
            audit.record(self.store, name, "login", name, "failed", address=address, reason=reason)
            raise refused
        with self.store.transaction() as conn:
            conn.execute(
                update(UserRow)
                .where(UserRow.pk == row.pk)
                .values(failed_logins=0, locked_until=None)
            )
        if self._hasher.check_needs_rehash(row.password_hash):
            with self.store.transaction() as conn:
                conn.execute(
                    update(UserRow)
                    .where(UserRow.pk == row.pk)
                    .values(password_hash=self._hasher.hash(password))
                )
        return self.user(name)

    def _failed(self, row: UserRow, now: datetime, reason: str) -> None:
        if reason in ("disabled", "locked"):
            return
        failures = row.failed_logins + 1
        locked = now + self.policy.lockout if failures >= self.policy.max_failures else None
        with self.store.transaction() as conn:
            conn.execute(
                update(UserRow)
                .where(UserRow.pk == row.pk)
                .values(
                    failed_logins=0 if locked else failures,
                    locked_until=locked if locked else row.locked_until,
                )
            )
        if locked:
            audit.record(self.store, row.name, "user.locked", row.name, until=locked.isoformat())

    # ------------------------------------------------------------ sessions

    def start_session(self, user: User, address: str | None, user_agent: str | None) -> str:
        """A new session for ``user``; returns its token (for the cookie, shown once)."""
        token = secrets.token_urlsafe(32)
        now = utcnow()
        with self.store.transaction() as conn:
            conn.execute(
                insert(SessionRow).values(
                    token_hash=self._token_hash(token),
                    user_pk=user.pk,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=now,
                    last_seen_at=now,
                    address=(address or "")[:64] or None,
                    user_agent=(user_agent or "")[:256] or None,
                )
            )
        audit.record(self.store, user.name, "login", user.name, "ok", address=address)
        return token

    def session(self, token: str) -> SessionInfo | None:
        """The live session of a token, touched; None if unknown, ended, idle or too old."""
        now = utcnow()
        with Session(self.store.engine) as conn:
            found = conn.execute(
                select(SessionRow, UserRow)
                .join(UserRow, UserRow.pk == SessionRow.user_pk)
                .where(SessionRow.token_hash == self._token_hash(token))
            ).first()
        if found is None:
            return None
        row, user_row = found
        if row.ended_at is not None or user_row.disabled:
            return None
        expired = None
        if now - row.last_seen_at > self.policy.idle_timeout:
            expired = "idle timeout"
        elif now - row.created_at > self.policy.absolute_timeout:
            expired = "absolute timeout"
        if expired:
            self._end(row.pk, expired)
            return None
        if now - row.last_seen_at > timedelta(seconds=30):
            with self.store.transaction() as conn:
                conn.execute(
                    update(SessionRow).where(SessionRow.pk == row.pk).values(last_seen_at=now)
                )
        return self._info(row, user_row)

    def _info(self, row: SessionRow, user_row: UserRow) -> SessionInfo:
        return SessionInfo(
            row.pk,
            self._user(user_row),
            row.csrf_token,
            row.created_at,
            row.last_seen_at,
            row.address,
            row.user_agent,
            row.ended_at,
            row.end_reason,
        )

    def _end(self, session_pk: int, reason: str) -> bool:
        with self.store.transaction() as conn:
            return bool(
                conn.execute(
                    update(SessionRow)
                    .where(SessionRow.pk == session_pk, SessionRow.ended_at.is_(None))
                    .values(ended_at=utcnow(), end_reason=reason)
                ).rowcount
            )

    def end_session(self, session_pk: int, by: str, reason: str = "logout") -> bool:
        """End a session (logout or revocation); audited. False if it had already ended."""
        ended = self._end(session_pk, reason)
        if ended:
            audit.record(self.store, by, f"session.{reason.split()[0]}", str(session_pk))
        return ended

    def sessions(self, user: User | None = None, live_only: bool = True) -> list[SessionInfo]:
        """Sessions (of one user, or everyone's), newest first."""
        q = select(SessionRow, UserRow).join(UserRow, UserRow.pk == SessionRow.user_pk)
        if user is not None:
            q = q.where(SessionRow.user_pk == user.pk)
        if live_only:
            q = q.where(SessionRow.ended_at.is_(None))
        with Session(self.store.engine) as conn:
            rows = conn.execute(q.order_by(SessionRow.created_at.desc(), SessionRow.pk.desc()))
            return [self._info(s, u) for s, u in rows]

    # ------------------------------------------------------------ API tokens

    def new_api_token(self, name: str, by: str = "cli") -> str:
        """A new API token for the user (earlier ones stay valid); returned once, stored hashed."""
        user = self.user(name)
        token = "cl_" + secrets.token_urlsafe(32)
        with self.store.transaction() as conn:
            conn.execute(
                insert(ApiTokenRow).values(
                    token_hash=self._token_hash(token), user_pk=user.pk, created_at=utcnow()
                )
            )
        audit.record(self.store, by, "user.token", name)
        return token

    def user_of_token(self, token: str) -> User | None:
        """The active user an API token belongs to (None for unknown, revoked or disabled)."""
        with Session(self.store.engine) as conn:
            row = conn.execute(
                select(UserRow)
                .join(ApiTokenRow, ApiTokenRow.user_pk == UserRow.pk)
                .where(
                    ApiTokenRow.token_hash == self._token_hash(token),
                    ApiTokenRow.revoked_at.is_(None),
                    UserRow.disabled.is_(False),
                )
            ).scalar_one_or_none()
        return None if row is None else self._user(row)
