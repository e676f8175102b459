"""Commands of the web app: serve, users, sessions, audit-log."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from caselink.cli.options import DbOption, console, fail, open_store
from caselink.records.errors import CaselinkError
from caselink.service import audit
from caselink.service.accounts import ROLES, Accounts
from caselink.service.serving import refusal, web_secret

users_app = typer.Typer(help="Accounts of the web app.", no_args_is_help=True)
sessions_app = typer.Typer(help="Login sessions of the web app.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


def _accounts(db: str | None, create: bool = False) -> Accounts:
    """The accounts of the store; ``create`` for ``users add``, which may set up a new site."""
    return Accounts(open_store(db, create=create), web_secret())


def _password_from_stdin(flag: bool) -> str:
    if not flag:
        fail("give the password on standard input with --password-stdin (never as an argument)")
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        fail("no password on standard input")
    return password


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Addresses of the TLS-terminating proxy whose X-Forwarded-* headers are trusted "
            "(required on a non-loopback host).",
        ),
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Load the demo borough into an empty store, create one user per role and "
            "print their passwords.",
        ),
    ] = False,
) -> None:
    """Start the analysts' web app (uvicorn). Secret from $CASELINK_WEB_SECRET."""
    import uvicorn

    from caselink.web.app import create_app
    from caselink.web.security import WebSettings

    secret = web_secret()
    why = refusal(host, secret, forwarded_allow_ips)
    if why:
        fail(why)
    store = open_store(db)
    if demo:
        _load_demo(store, Accounts(store, secret))
    settings = WebSettings(secret=secret, https=bool(forwarded_allow_ips))
    console.print(f"caselink web app on http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(
        create_app(store, settings),
        host=host,
        port=port,
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        log_level="info",
    )


def _load_demo(store: object, accounts: Accounts) -> None:
    from caselink.web.demo import load_demo

    try:
        created = load_demo(accounts, lambda text: console.print(text))
    except CaselinkError as exc:
        fail(str(exc))
    table = Table("user", "role", "password", title="demo users (passwords shown once)")
    for name, role, password in created:
        table.add_row(name, role, password)
    console.print(table)


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")],
    db: DbOption = None,
    force: Annotated[str | None, typer.Option(help="The force whose cases the user sees.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a user."""
    password = _password_from_stdin(password_stdin)
    try:
        user = _accounts(db, create=True).add_user(name, role, force, password, by=_actor())
    except (CaselinkError, ValueError) as exc:
        fail(str(exc))
    console.print(f"added {user.name} ({user.role}{', ' + user.force if user.force else ''})")


@users_app.command("list")
def users_list(db: DbOption = None) -> None:
    """List users."""
    table = Table("name", "role", "force", "state", "two-factor")
    for u in _accounts(db).users():
        state = "disabled" if u.disabled else ("locked" if u.locked_until else "active")
        table.add_row(u.name, u.role, u.force or "", state, "on" if u.has_totp else "off")
    console.print(table)


@users_app.command("disable")
def users_disable(name: str, db: DbOption = None) -> None:
    """Disable a user: their sessions end and API tokens stop working at once."""
    try:
        ended = _accounts(db).disable(name, by=_actor())
    except CaselinkError as exc:
        fail(str(exc))
    console.print(f"disabled {name}; {ended} session(s) ended")


@users_app.command("reset-password")
def users_reset_password(
    name: str,
    db: DbOption = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a user's password (unlocks the account, ends its sessions)."""
    password = _password_from_stdin(password_stdin)
    try:
        _accounts(db).reset_password(name, password, by=_actor())
    except CaselinkError as exc:
        fail(str(exc))
    console.print(f"password of {name} reset; their sessions ended")


@users_app.command("token")
def users_token(name: str, db: DbOption = None) -> None:
    """Print a new API token for the user (shown once; send it as Authorization: Bearer)."""
    try:
        token = _accounts(db).new_api_token(name, by=_actor())
    except CaselinkError as exc:
        fail(str(exc))
    print(token)


@sessions_app.command("list")
def sessions_list(
    db: DbOption = None,
    user: Annotated[str | None, typer.Option(help="Only this user's sessions.")] = None,
) -> None:
    """List live sessions."""
    accounts = _accounts(db)
    try:
        who = accounts.user(user) if user else None
    except CaselinkError as exc:
        fail(str(exc))
    table = Table("id", "user", "started (UTC)", "last seen", "address")
    for s in accounts.sessions(who):
        table.add_row(
            str(s.pk),
            s.user.name,
            f"{s.created_at:%Y-%m-%d %H:%M}",
            f"{s.last_seen_at:%Y-%m-%d %H:%M}",
            s.address or "",
        )
    console.print(table)


@sessions_app.command("revoke")
def sessions_revoke(session_id: int, db: DbOption = None) -> None:
    """End a session now."""
    if not _accounts(db).end_session(session_id, _actor(), "revoked by admin"):
        fail(f"no live session {session_id}")
    console.print(f"session {session_id} ended")


@audit_app.command("verify")
def audit_verify(db: DbOption = None) -> None:
    """Check the hash chain; exit 1 naming the first broken entry."""
    result = audit.verify(open_store(db))
    if not result.ok:
        fail(f"audit log broken at entry {result.first_broken}: {result.reason}")
    seq, digest = audit.head(open_store(db))
    console.print(f"audit log intact: {result.entries} entries; head {seq} {digest}")


@audit_app.command("export")
def audit_export(
    db: DbOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", dir_okay=False, help="JSON lines file (default stdout).")
    ] = None,
) -> None:
    """Write every entry as JSON lines (with its hashes, for checking elsewhere)."""
    store = open_store(db)
    lines = (json.dumps(e.as_json(), sort_keys=True) + "\n" for e in audit.entries(store))
    if out is None:
        sys.stdout.writelines(lines)
        return
    with out.open("w", encoding="utf-8") as fh:
        fh.writelines(lines)
    audit.record(store, _actor(), "audit.export", str(out))
    console.print(f"wrote {audit.count(store)} entries to {out}")


def register(app: typer.Typer) -> None:
    """Add the web commands to the root command."""
    app.command("serve")(serve)
    app.add_typer(users_app, name="users")
    app.add_typer(sessions_app, name="sessions")
    app.add_typer(audit_app, name="audit-log")
