"""The audit log: an append-only, hash-chained record of who did and saw what, and when.

Every entry's ``hash`` is ``sha256(prev_hash || canonical JSON of the entry)``
(keys sorted, no spaces, UTF-8; times in UTC), so changing, removing or
reordering any entry breaks every later hash; :func:`verify` finds the first
broken one. Triggers refuse UPDATE and DELETE (migration 0003); the chain is
what shows a change made around them. Ship :func:`head` off the box daily.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from caselink.store import Store
from caselink.store.access import AuditRow

GENESIS = "0" * 64
_lock = threading.Lock()


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the audit log."""

    seq: int
    at: datetime
    actor: str
    action: str
    target: str | None
    outcome: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    def as_json(self) -> dict[str, Any]:
        """The entry as JSON-ready values (time as ISO 8601 UTC)."""
        return {
            "seq": self.seq,
            "at": self.at.isoformat() + "Z",
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "outcome": self.outcome,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


@dataclass(frozen=True)
class Verification:
    """What :func:`verify` found."""

    entries: int
    first_broken: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        """Whether every entry's hash chains to the one before."""
        return self.first_broken is None


def canonical(
    seq: int, at: datetime, actor: str, action: str, target: str | None, outcome: str, detail: str
) -> bytes:
    """The canonical JSON bytes of an entry that its hash covers."""
    body = {
        "seq": seq,
        "at": at.isoformat(),
        "actor": actor,
        "action": action,
        "target": target,
        "outcome": outcome,
        "detail": json.loads(detail),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(prev_hash: str, body: bytes) -> str:
    """sha256(prev_hash || body) as hex."""
    return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def record(
    store: Store,
    actor: str,
    action: str,
    target: str | None = None,
    outcome: str = "ok",
    /,
    **detail: Any,
) -> int:
    """Append one entry (its own transaction) and return its sequence number."""
    detail_text = json.dumps(detail, sort_keys=True, separators=(",", ":"), default=str)
    for _attempt in range(20):
        with _lock:
            try:
                return _append(store, actor, action, target, outcome, detail_text)
            except IntegrityError:  # another process took this seq: read the head again
                continue
    raise RuntimeError("could not append to the audit log after 20 attempts")


def _append(
    store: Store, actor: str, action: str, target: str | None, outcome: str, detail: str
) -> int:
    with store.transaction() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(727274)"))
        last = conn.execute(
            select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
        ).first()
        seq, prev = (1, GENESIS) if last is None else (int(last[0]) + 1, str(last[1]))
        at = _utc_now()
        digest = chain_hash(prev, canonical(seq, at, actor, action, target, outcome, detail))
        conn.execute(
            insert(AuditRow).values(
                seq=seq,
                at=at,
                actor=actor,
                action=action,
                target=target,
                outcome=outcome,
                detail=detail,
                prev_hash=prev,
                hash=digest,
            )
        )
    return seq


def entries(
    store: Store,
    action: str | None = None,
    target: str | None = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> Iterator[AuditEntry]:
    """Entries of the log, optionally only one action and/or target."""
    q = select(AuditRow)
    if action is not None:
        q = q.where(AuditRow.action == action)
    if target is not None:
        q = q.where(AuditRow.target == target)
    q = q.order_by(AuditRow.seq.desc() if newest_first else AuditRow.seq)
    if limit is not None:
        q = q.limit(limit)
    with Session(store.engine) as conn:
        for row in conn.execute(q).scalars():
            yield AuditEntry(
                row.seq,
                row.at,
                row.actor,
                row.action,
                row.target,
                row.outcome,
                json.loads(row.detail),
                row.prev_hash,
                row.hash,
            )


def verify(store: Store) -> Verification:
    """Walk the chain from the first entry; name the first whose hash does not follow."""
    prev, expected_seq, n = GENESIS, 1, 0
    with Session(store.engine) as conn:
        rows = conn.execute(select(AuditRow).order_by(AuditRow.seq)).scalars()
        for row in rows:
            n += 1
            if row.seq != expected_seq:
                return Verification(n, row.seq, f"entry {expected_seq} is missing")
            if row.prev_hash != prev:
                return Verification(n, row.seq, "its prev_hash is not the previous entry's hash")
            try:
                body = canonical(
                    row.seq, row.at, row.actor, row.action, row.target, row.outcome, row.detail
                )
            except ValueError:
                return Verification(n, row.seq, "its detail is not valid JSON")
            if chain_hash(prev, body) != row.hash:
                return Verification(n, row.seq, "its content does not match its hash")
            prev, expected_seq = row.hash, expected_seq + 1
    return Verification(n, None, None)


def head(store: Store) -> tuple[int, str]:
    """(sequence number, hash) of the newest entry: what to ship off the box."""
    with Session(store.engine) as conn:
        row = conn.execute(
            select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
        ).first()
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


def count(store: Store) -> int:
    """How many entries the log holds."""
    with Session(store.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(AuditRow)).scalar() or 0)


def viewed_by(store: Store, case_id: str, limit: int = 20) -> list[tuple[str, datetime]]:
    """Who opened a case's page, newest first (shown to reviewers and oversight)."""
    return [
        (e.actor, e.at)
        for e in entries(store, action="case.read", target=case_id, limit=limit, newest_first=True)
    ]
