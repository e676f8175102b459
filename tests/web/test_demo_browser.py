"""The demo series in Debian's chromium (Playwright), on the demo borough as ``caselink serve
--demo`` loads it (alerts raised, people resolved, the replay walked):

* the series page's map shows the 4 deaths and the profile's bands (with the km² of the
  top 1/5/10%), the timeline the replay's alert dates 2014-08-28 and 2014-09-20, and the
  link chart the dog walker who found both churchyard deaths;
* the replay slider at 2014-08-27 shows no link between the deaths, and one step on, at
  2014-08-28, the first;
* the disparity and calibration charts render (Vega with ``ast: true``);
* no console error under the strict CSP, no request off 127.0.0.1.

Building the demo store takes minutes (the day-by-day walk above all): marked slow.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from caselink.service.accounts import Accounts
from caselink.store import Store
from caselink.web.app import create_app
from caselink.web.demo import load_demo
from caselink.web.security import WebSettings
from tests.web.conftest import FAST, SECRET
from tests.web.test_browser import (  # noqa: F401  (fixtures)
    SHOTS,
    browser_type_launch_args,
    guard,
    pytestmark,
)

DEATHS = ["C00896", "C01040", "C01072", "C01666"]
"""The planted series: four deaths (the demo's README); C01040 and C01072 in the churchyard."""
SERIES = "S-C00896"


@pytest.fixture(scope="module")
def demo_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The demo store served on a free loopback port; (base URL, demo-reviewer's password)."""
    root = tmp_path_factory.mktemp("demo")
    store = Store.open(f"sqlite:///{root / 'demo.db'}")
    users = load_demo(Accounts(store, SECRET, FAST), lambda _text: None)
    password = next(pw for name, _role, pw in users if name == "demo-reviewer")
    app = create_app(store, WebSettings(secret=SECRET, policy=FAST))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", password
    server.should_exit = True
    thread.join(timeout=10)
    store.close()


FINDER_OF_BOTH = """() => {
  const cy = document.getElementById('series-chart').cytoscape;
  return cy.nodes("[kind = 'person']").filter((n) => {
    const found = n.connectedEdges("[label = 'finder']").connectedNodes("[kind = 'case']")
      .map((c) => c.id());
    return found.includes('case:C01040') && found.includes('case:C01072');
  }).map((n) => n.id());
}"""


def deaths_linked(page: Any) -> list[tuple[str, str]]:
    """Pairs of deaths among the replay page's alerts."""
    pairs = []
    for row in page.locator("#replay-alerts tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        if len(cells) == 4 and cells[1] in DEATHS and cells[2] in DEATHS:
            pairs.append((cells[1], cells[2]))
    return pairs


@pytest.mark.slow
def test_the_demo_series_in_the_browser(demo_live: tuple[str, str], page: Any) -> None:
    base, password = demo_live
    left, errors = guard(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{base}/login?next=/series/{SERIES}")
    page.fill("input[name=name]", "demo-reviewer")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/series/{SERIES}")

    # the map: the four deaths, the series' outline, the profile's five bands and their km²
    page.wait_for_selector("#series-map path.profile-band")
    assert sorted(page.locator("#series-map .case-label").all_inner_texts()) == DEATHS
    assert page.locator("#series-map path.case-marker").count() == 4
    assert page.locator("#series-map path.profile-band").count() == 5
    areas = page.locator("#profile-areas").inner_text()
    assert areas.count("km²") == 3

    # the timeline: the day each link would have been raised (the replay)
    page.wait_for_selector("#series-timeline .vis-item.tl-replay")
    replayed = " ".join(page.locator("#series-timeline .vis-item.tl-replay").all_inner_texts())
    assert "2014-08-28 C01040~C00896" in replayed
    assert "2014-09-20 C01072~C01040" in replayed

    # the link chart: one person found both churchyard deaths
    page.wait_for_selector("#series-chart canvas")
    finders = page.evaluate(FINDER_OF_BOTH)
    assert len(finders) == 1, finders
    page.screenshot(path=str(SHOTS / "series_demo.png"), full_page=True)

    # the replay: nothing between the deaths on 2014-08-27; one step on, the first link
    page.goto(f"{base}/replay?day=2014-08-27")
    assert page.locator("#replay-day").inner_text().endswith("2014-08-27")
    assert "default model (no labels)" in page.locator("#replay-model").inner_text()
    assert deaths_linked(page) == []
    page.locator("#replay-slider").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.getElementById('replay-day').textContent.endsWith('2014-08-28')"
    )
    assert deaths_linked(page) == [("C01040", "C00896")]
    page.screenshot(path=str(SHOTS / "replay.png"), full_page=True)

    # the oversight views render their Vega charts under the CSP
    page.goto(f"{base}/disparity")
    for name in ("completion", "ratios"):
        page.wait_for_selector(f"#chart-{name}[data-rendered]")
        assert page.get_attribute(f"#chart-{name}", "data-rendered") == "yes"
    page.screenshot(path=str(SHOTS / "disparity.png"), full_page=True)
    page.goto(f"{base}/calibration")
    for name in ("reliability", "tradeoff"):
        page.wait_for_selector(f"#chart-{name}[data-rendered]")
        assert page.get_attribute(f"#chart-{name}", "data-rendered") == "yes"
    page.screenshot(path=str(SHOTS / "calibration.png"), full_page=True)

    person = finders[0].removeprefix("person:")
    page.goto(f"{base}/persons/{person}")
    assert page.locator("#person-mentions tbody tr").count() >= 2
    page.screenshot(path=str(SHOTS / "person.png"), full_page=True)

    assert left == [], f"requests left 127.0.0.1: {left}"
    assert errors == [], f"console errors (CSP?): {errors}"
