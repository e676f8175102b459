"""The optional map tile source of a force, and the one origin it adds to the CSP.

By default the case maps fetch nothing (points, a ring and a scale bar). An
administrator may give a force a tile server (``caselink forces set-tiles
FORCE URL --attribution TEXT``): its users' maps then draw those tiles, and
only their pages' Content-Security-Policy allows images from that one origin.
The template is checked strictly because its origin goes into a header: an
https URL (http only on loopback) with ``{z}``, ``{x}`` and ``{y}``, a plain
host name (no ``{s}`` subdomains, which would need a wildcard origin), and no
character that could end a CSP directive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from caselink.alerts.ledger import now
from caselink.records.errors import InputError
from caselink.service import audit
from caselink.store import Store
from caselink.store.access import ForceTilesRow

_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
_PATH = re.compile(r"^[A-Za-z0-9._~/{}%=&@+:,-]*$")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]"})
MAX_ATTRIBUTION = 300


class TileSourceError(InputError):
    """A tile URL template or attribution that cannot be used (the message says why)."""


@dataclass(frozen=True)
class TileSource:
    """A force's tile server: the Leaflet URL template and the attribution it requires."""

    force: str
    url_template: str
    attribution: str

    @property
    def origin(self) -> str:
        """``scheme://host[:port]``: what the CSP's ``img-src`` must allow."""
        return origin_of(self.url_template)


def origin_of(url_template: str) -> str:
    """The origin of a tile URL template, checked (see the module's rules).

    Raises
    ------
    TileSourceError
        Naming what is wrong with the template.
    """
    url = url_template.strip()
    if any(c.isspace() or c in "\"';,\\<>" for c in url) or len(url) > 512:
        raise TileSourceError(
            f"tile URL {url_template!r}: no spaces, quotes, ';', ',', '\\', '<' or '>' allowed"
        )
    parts = urlsplit(url)
    host = parts.hostname or ""
    shown_host = f"[{host}]" if ":" in host else host
    if parts.scheme not in ("https", "http"):
        raise TileSourceError(f"tile URL {url_template!r}: must start with https://")
    if parts.scheme == "http" and shown_host not in LOOPBACK:
        raise TileSourceError(f"tile URL {url_template!r}: http is allowed on loopback only")
    if parts.username or parts.password:
        raise TileSourceError(f"tile URL {url_template!r}: no user name or password in the URL")
    if "{" in parts.netloc or not (_HOST.match(host) or shown_host in LOOPBACK):
        raise TileSourceError(
            f"tile URL {url_template!r}: the host must be a plain name (no {{s}} subdomains)"
        )
    if parts.fragment or not _PATH.match(parts.path + parts.query):
        raise TileSourceError(f"tile URL {url_template!r}: unexpected characters in the path")
    for placeholder in ("{z}", "{x}", "{y}"):
        if placeholder not in parts.path + parts.query:
            raise TileSourceError(f"tile URL {url_template!r}: {placeholder} is missing")
    try:
        port = parts.port
    except ValueError:
        raise TileSourceError(f"tile URL {url_template!r}: bad port") from None
    return f"{parts.scheme}://{shown_host}" + (f":{port}" if port else "")


def tiles_of(store: Store, force: str | None) -> TileSource | None:
    """The tile source configured for ``force`` (None: no tiles)."""
    if force is None:
        return None
    with Session(store.engine) as conn:
        row = conn.get(ForceTilesRow, force)
        return None if row is None else TileSource(row.force, row.url_template, row.attribution)


def all_tiles(store: Store) -> list[TileSource]:
    """Every configured tile source, by force."""
    with Session(store.engine) as conn:
        rows = conn.scalars(select(ForceTilesRow).order_by(ForceTilesRow.force))
        return [TileSource(r.force, r.url_template, r.attribution) for r in rows]


def set_tiles(store: Store, force: str, url_template: str, attribution: str, by: str) -> TileSource:
    """Give ``force`` this tile source (replacing any), audited as ``forces.set_tiles``.

    Raises
    ------
    TileSourceError
        A template that fails :func:`origin_of`, or an empty or overlong attribution.
    """
    force, url_template, attribution = force.strip(), url_template.strip(), attribution.strip()
    if not force:
        raise TileSourceError("name the force whose maps get the tiles")
    origin = origin_of(url_template)
    if not attribution or len(attribution) > MAX_ATTRIBUTION:
        raise TileSourceError(
            f"attribution must be 1..{MAX_ATTRIBUTION} characters (tile licences require one)"
        )
    with store.transaction() as conn:
        conn.execute(delete(ForceTilesRow).where(ForceTilesRow.force == force))
        conn.execute(
            insert(ForceTilesRow).values(
                force=force,
                url_template=url_template,
                attribution=attribution,
                set_by=by,
                set_at=now(),
            )
        )
    audit.record(store, by, "forces.set_tiles", force, url=url_template, origin=origin)
    return TileSource(force, url_template, attribution)


def clear_tiles(store: Store, force: str, by: str) -> bool:
    """Remove ``force``'s tile source (its maps fetch nothing again); whether one was set."""
    with store.transaction() as conn:
        removed = conn.execute(delete(ForceTilesRow).where(ForceTilesRow.force == force)).rowcount
    if removed:
        audit.record(store, by, "forces.clear_tiles", force)
    return bool(removed)
