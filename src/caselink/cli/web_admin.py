"""Administration of the web app's site: a force's map tiles, the audit log's DB privileges."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.table import Table

from caselink.cli.options import DbOption, console, fail, open_store
from caselink.records.errors import CaselinkError
from caselink.service import audit
from caselink.service.tiles import all_tiles, clear_tiles, set_tiles
from caselink.store.privileges import lock_audit_log

forces_app = typer.Typer(
    help="Settings of each force (the web app's tenants).", no_args_is_help=True
)
store_app = typer.Typer(help="Administration of the store's database.", no_args_is_help=True)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


@forces_app.command("set-tiles")
def forces_set_tiles(
    force: str,
    url: Annotated[
        str,
        typer.Argument(
            help="Leaflet tile URL template, e.g. https://tiles.example.org/{z}/{x}/{y}.png"
        ),
    ],
    attribution: Annotated[
        str, typer.Option(help="The attribution the tiles' licence requires (shown as text).")
    ],
    db: DbOption = None,
) -> None:
    """Draw the force's maps on this tile server; its users' pages then allow its origin."""
    store = open_store(db)
    try:
        tiles = set_tiles(store, force, url, attribution, by=_actor())
    except CaselinkError as exc:
        fail(exc)
    console.print(f"{tiles.force}: tiles from {tiles.origin} (img-src widened for its users only)")


@forces_app.command("clear-tiles")
def forces_clear_tiles(force: str, db: DbOption = None) -> None:
    """Remove the force's tile source: its maps fetch nothing again."""
    if not clear_tiles(open_store(db), force, by=_actor()):
        fail(f"force {force!r} has no tile source")
    console.print(f"{force}: no tiles")


@forces_app.command("list")
def forces_list(db: DbOption = None) -> None:
    """The forces with a tile source."""
    table = Table("force", "tile URL template", "attribution")
    for tiles in all_tiles(open_store(db)):
        table.add_row(tiles.force, tiles.url_template, tiles.attribution)
    console.print(table)


@store_app.command("lock-audit")
def store_lock_audit(
    app_role: Annotated[
        str, typer.Option("--app-role", help="The PostgreSQL role the web app connects as.")
    ],
    db: DbOption = None,
) -> None:
    """REVOKE UPDATE, DELETE, TRUNCATE on audit_log from the app's role (PostgreSQL)."""
    store = open_store(db)
    try:
        lock = lock_audit_log(store.engine, app_role)
    except CaselinkError as exc:
        fail(exc)
    audit.record(store, _actor(), "store.lock_audit", app_role, privileges=lock.privileges)
    held = ", ".join(p for p, ok in lock.privileges.items() if ok)
    console.print(f"audit_log is append-only for {app_role}: it holds {held} only")


def register(app: typer.Typer) -> None:
    """Add ``forces`` and ``store`` to the root command."""
    app.add_typer(forces_app, name="forces")
    app.add_typer(store_app, name="store")
