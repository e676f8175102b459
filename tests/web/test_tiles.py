"""A force's optional tile source: its users' maps use it, and only their pages' CSP allows it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from caselink.cli.main import app
from caselink.service import audit
from caselink.service.tiles import TileSourceError, origin_of, set_tiles, tiles_of
from caselink.web.security import CSP
from tests.web.conftest import ROLES, Site
from tests.web.html import parse

TILES = "https://tiles.north.example.org/osm/{z}/{x}/{y}.png"
PAGES = ("/cases", "/cases/N1", "/alerts", "/account", "/import", "/compare?ids=N1,N2")


def csp_of(site: Site, user: str, path: str) -> str:
    response = site.client(user).get(path)
    assert response.status_code in (200, 403, 404), (user, path, response.status_code)
    return response.headers["content-security-policy"]


def test_without_a_tile_source_every_page_keeps_the_strict_csp(site: Site) -> None:
    for role in ROLES:
        for path in (*PAGES, "/api/cases", "/static/app.js", "/login"):
            assert csp_of(site, role, path) == CSP, (role, path)
    assert "img-src 'self' data:;" in CSP
    doc = parse(site.client("analyst").get("/cases/N1").text)
    assert "data-tiles-url" not in doc.by_id("case-map").attrs
    assert "no map tiles are fetched" in site.client("analyst").get("/cases/N1").text


def test_a_forces_tile_source_widens_only_its_users_pages(site: Site) -> None:
    set_tiles(site.store, "north", TILES, "© OpenStreetMap contributors", by="test")
    widened = CSP.replace(
        "img-src 'self' data:;", "img-src 'self' data: https://tiles.north.example.org;"
    )
    for path in PAGES:
        assert csp_of(site, "analyst", path) == widened, path
        assert csp_of(site, "analyst-south", path) == CSP, path  # another force: strict
        assert csp_of(site, "oversight", path) in (CSP, widened)
    assert csp_of(site, "analyst", "/api/cases") == CSP  # JSON draws no map
    doc = parse(site.client("analyst").get("/cases/N1").text)
    box = doc.by_id("case-map")
    assert box.attrs["data-tiles-url"] == TILES
    assert box.attrs["data-tiles-attribution"] == "© OpenStreetMap contributors"
    south = parse(site.client("reviewer-south").get("/cases/S1").text).by_id("case-map")
    assert "data-tiles-url" not in south.attrs


def test_the_attribution_is_text_not_markup(site: Site) -> None:
    set_tiles(site.store, "north", TILES, '<img src=x onerror="alert(1)">', by="test")
    page = site.client("analyst").get("/cases/N1").text
    assert "<img src=x" not in page
    assert parse(page).by_id("case-map").attrs["data-tiles-attribution"].startswith("<img")


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"),
        (
            "https://maps.force.police.uk:8443/t/{z}/{x}/{y}?key=abc",
            "https://maps.force.police.uk:8443",
        ),
        ("http://127.0.0.1:8081/{z}/{x}/{y}.png", "http://127.0.0.1:8081"),
    ],
)
def test_origin_of_a_good_template(url: str, origin: str) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://tiles.example.org/{z}/{x}/{y}.png", "loopback"),
        ("ftp://tiles.example.org/{z}/{x}/{y}.png", "https://"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "{s}"),
        ("https://tiles.example.org/{z}/{x}.png", "{y} is missing"),
        ("https://tiles.example.org/{z}/{x}/{y}.png; script-src *", "no spaces"),
        ("https://tiles.example.org/{z}/{x}/{y}.png;script-src", "';'"),
        ("https://x'/{z}/{x}/{y}", "quotes"),
        ("https://user:pw@tiles.example.org/{z}/{x}/{y}", "password"),
        ("https://*.example.org/{z}/{x}/{y}", "plain name"),
        ("https://tiles.example.org/{z}/{x}/{y}#frag", "path"),
    ],
)
def test_a_template_that_could_loosen_the_csp_is_refused(url: str, says: str) -> None:
    with pytest.raises(TileSourceError, match="tile URL") as caught:
        origin_of(url)
    assert says in str(caught.value)


def test_the_commands_set_list_and_clear_a_forces_tiles(site: Site) -> None:
    runner = CliRunner()
    db = ["--db", str(site.store.engine.url)]
    result = runner.invoke(
        app, ["forces", "set-tiles", "north", TILES, "--attribution", "© OSM", *db]
    )
    assert result.exit_code == 0, result.output
    assert "https://tiles.north.example.org" in result.output
    tiles = tiles_of(site.store, "north")
    assert tiles is not None and tiles.attribution == "© OSM"
    listed = runner.invoke(app, ["forces", "list", *db])
    assert "north" in listed.output and "© OSM" in listed.output
    refused = runner.invoke(
        app,
        [
            "forces",
            "set-tiles",
            "south",
            "https://{s}.t.org/{z}/{x}/{y}",
            "--attribution",
            "x",
            *db,
        ],
    )
    assert refused.exit_code == 1 and "{s}" in refused.output
    assert tiles_of(site.store, "south") is None
    cleared = runner.invoke(app, ["forces", "clear-tiles", "north", *db])
    assert cleared.exit_code == 0 and tiles_of(site.store, "north") is None
    assert runner.invoke(app, ["forces", "clear-tiles", "north", *db]).exit_code == 1
    actions = [e.action for e in audit.entries(site.store) if e.action.startswith("forces.")]
    assert actions == ["forces.set_tiles", "forces.clear_tiles"]


def test_an_empty_attribution_is_refused(site: Site) -> None:
    with pytest.raises(TileSourceError, match="attribution"):
        set_tiles(site.store, "north", TILES, "  ", by="test")
