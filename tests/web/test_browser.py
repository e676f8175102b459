"""The app in Debian's chromium (Playwright): log in, open a case, compare, triage, import.

Never runs ``playwright install``: the browser is /usr/bin/chromium (``.ci/run``
installs it). Every request that does not go to 127.0.0.1 is aborted and fails
the test; so does any console error (a CSP violation is one). Screenshots of
each page go to ``docs/screenshots/`` with ``CASELINK_SCREENSHOTS=1`` (``make
screenshots``), else to a temporary folder, so that ``make test`` leaves the
work tree as it was.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import uvicorn

from tests.web.conftest import PASSWORD, Site, build_site

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("CASELINK_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "caselink-screenshots"
)

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Debian's chromium, never a downloaded one."""
    return {
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Site]]:
    """The app served by uvicorn on a free loopback port, in a thread."""
    site = build_site(tmp_path_factory.mktemp("live"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(site.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", site
    server.should_exit = True
    thread.join(timeout=10)
    site.store.close()


def guard(page: Any) -> tuple[list[str], list[str]]:
    """Abort (and record) every request off 127.0.0.1; record console and page errors."""
    left: list[str] = []
    errors: list[str] = []

    def only_loopback(route: Any) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_loopback)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": 900})
    return left, errors


def test_an_analysts_session_in_the_browser(
    live: tuple[str, Site], page: Any, tmp_path: Path
) -> None:
    base, site = live
    left, errors = guard(page)
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{base}/login")
    page.screenshot(path=str(SHOTS / "login.png"))
    page.fill("input[name=name]", "reviewer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cases")
    assert page.locator("#cases-table tbody tr").count() == 4
    page.screenshot(path=str(SHOTS / "cases.png"), full_page=True)

    page.click("#cases-table a:text('N1')")
    page.wait_for_url(f"{base}/cases/N1")
    page.wait_for_selector("#case-map.leaflet-container path.leaflet-interactive")
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator("#case-links .link-item").count() == 2
    page.screenshot(path=str(SHOTS / "case.png"), full_page=True)

    page.fill("#raise-action input[name=action]", "ask_the_vicar")
    page.click("#raise-action button")
    page.wait_for_selector("#actions-box p.ok")
    assert "ask the vicar" in page.locator("#case-actions").inner_text()

    page.click("#case-links .link-item >> nth=0 >> a.compare")
    page.wait_for_url(f"{base}/compare?ids=N1,N2")
    assert page.locator("#compare-table tr.mark-agree").count() >= 3
    page.screenshot(path=str(SHOTS / "compare.png"), full_page=True)

    page.goto(f"{base}/alerts")
    card = page.locator(f"#alert-{site.alerts['north']}")
    card.locator("input[name=note]").fill("same churchyard, same drug")
    card.locator("button[value=confirm]").click()
    page.wait_for_selector(f"#alert-{site.alerts['north']} p.decided")
    assert "reviewed by reviewer" in page.locator(f"#alert-{site.alerts['north']}").inner_text()
    page.screenshot(path=str(SHOTS / "alerts.png"), full_page=True)

    bad = tmp_path / "cases.csv"
    bad.write_text("case_id,case_type,occurred_from,lat,lon\nN9,assault,2014-13-01,51.5,0.1\n")
    page.goto(f"{base}/import")
    page.set_input_files("input[name=cases]", str(bad))
    page.click("#import-form button")
    page.wait_for_selector("#row-errors")
    assert "occurred_from" in page.locator("#row-errors").inner_text()
    page.screenshot(path=str(SHOTS / "import.png"), full_page=True)

    page.goto(f"{base}/cases/new")
    page.screenshot(path=str(SHOTS / "add_case.png"), full_page=True)
    page.goto(f"{base}/account")
    page.screenshot(path=str(SHOTS / "account.png"), full_page=True)

    page.click("header button.link")  # log out
    page.wait_for_url(f"{base}/login")
    page.goto(f"{base}/cases")
    page.wait_for_url(f"{base}/login?next=%2Fcases")

    assert left == [], f"requests left 127.0.0.1: {left}"
    # the refused import answers 422, which chromium reports as a failed load; nothing else
    refused = [e for e in errors if "status of 422" in e]
    assert len(refused) == 1
    assert [e for e in errors if e not in refused] == [], f"console errors (CSP?): {errors}"
