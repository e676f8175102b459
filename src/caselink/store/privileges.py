"""PostgreSQL privileges of the app's database role: the audit log is append-only for it.

Migration 0003's trigger refuses UPDATE, DELETE and TRUNCATE on ``audit_log``
for everyone, but a role that may change the table's triggers could drop it.
:func:`lock_audit_log` removes the app's role's right to change the log at
all: it REVOKEs UPDATE, DELETE and TRUNCATE (from the role and from PUBLIC),
GRANTs the SELECT and INSERT that appending needs, and then reads the
privileges back. It refuses a role that would keep the power to undo it: the
table's owner (an owner may grant itself anything again) or a superuser (who
bypasses privileges). Run migrations as an owner role, and the app as another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine, text

from caselink.records.errors import CaselinkError

_ROLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_$-]{0,62}$")
TABLE = "audit_log"
DENIED = ("UPDATE", "DELETE", "TRUNCATE")
GRANTED = ("SELECT", "INSERT")


class PrivilegeError(CaselinkError):
    """The audit log cannot be locked for this role (the message says why)."""


@dataclass(frozen=True)
class AuditLock:
    """What the app's role may do to the audit log after locking (read back from PostgreSQL)."""

    role: str
    privileges: dict[str, bool]

    @property
    def append_only(self) -> bool:
        """SELECT and INSERT granted; UPDATE, DELETE and TRUNCATE not."""
        return all(self.privileges[p] for p in GRANTED) and not any(
            self.privileges[p] for p in DENIED
        )


def audit_privileges(engine: Engine, role: str) -> AuditLock:
    """The role's privileges on the audit log (PostgreSQL's ``has_table_privilege``)."""
    with engine.connect() as conn:
        found = {
            p: bool(
                conn.execute(
                    text("SELECT has_table_privilege(:role, :table, :privilege)"),
                    {"role": role, "table": TABLE, "privilege": p},
                ).scalar()
            )
            for p in (*GRANTED, *DENIED)
        }
    return AuditLock(role, found)


def lock_audit_log(engine: Engine, role: str) -> AuditLock:
    """Make the audit log append-only for ``role`` (PostgreSQL) and return its privileges then.

    Raises
    ------
    PrivilegeError
        Not PostgreSQL; no such role; a malformed role name; the role owns the
        table or is a superuser; or the privileges read back are not append-only.
    """
    if engine.dialect.name != "postgresql":
        raise PrivilegeError(
            f"{engine.dialect.name} has no database roles: there the triggers of migration 0003 "
            "are what refuses changes to the audit log"
        )
    if not _ROLE.match(role):
        raise PrivilegeError(f"role {role!r} is not a plain PostgreSQL role name")
    with engine.begin() as conn:
        found = conn.execute(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}
        ).first()
        if found is None:
            raise PrivilegeError(f"no PostgreSQL role {role!r}")
        if found[0]:
            raise PrivilegeError(
                f"role {role!r} is a superuser and bypasses privileges: run the app as another role"
            )
        owner = conn.execute(
            text("SELECT tableowner FROM pg_tables WHERE tablename = :table"), {"table": TABLE}
        ).scalar()
        if owner is None:
            raise PrivilegeError("this database has no audit_log table (is the store migrated?)")
        if owner == role:
            raise PrivilegeError(
                f"role {role!r} owns {TABLE} and could grant itself UPDATE again: run migrations "
                "as an owner role and the app as another"
            )
        quoted = conn.dialect.identifier_preparer.quote(role)
        conn.execute(text(f"REVOKE {', '.join(DENIED)} ON {TABLE} FROM PUBLIC"))
        conn.execute(text(f"REVOKE {', '.join(DENIED)} ON {TABLE} FROM {quoted}"))
        conn.execute(text(f"GRANT {', '.join(GRANTED)} ON {TABLE} TO {quoted}"))
    lock = audit_privileges(engine, role)
    if not lock.append_only:
        held = ", ".join(p for p in DENIED if lock.privileges[p])
        raise PrivilegeError(
            f"role {role!r} still holds {held} on {TABLE} (through another role it is a member of?)"
        )
    return lock
