"""The series and replay pages in Debian's chromium (Playwright): the map draws the cases and
the profile's bands, the timeline the alert dates, the link chart its cases and links with a
working probability slider; no console error under the CSP; no request leaves 127.0.0.1.
Screenshots go where ``test_browser.SHOTS`` says (``make screenshots``: docs/screenshots/)."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import PASSWORD, Site
from tests.web.test_browser import (  # noqa: F401  (fixtures)
    SHOTS,
    browser_type_launch_args,
    guard,
    live,
    pytestmark,
)


def test_series_and_replay_pages_in_the_browser(
    live: tuple[str, Site],  # noqa: F811  (the fixture imported above)
    page: Any,
) -> None:
    base, _site = live
    left, errors = guard(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{base}/login?next=/series/S-N1")
    page.fill("input[name=name]", "reviewer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/series/S-N1")

    page.wait_for_selector("#series-map path.profile-band")
    assert page.locator("#series-map path.case-marker").count() == 3
    assert page.locator("#series-map path.profile-band").count() == 5
    assert page.locator("#series-map path.series-outline").count() == 1
    labels = page.locator("#series-map .case-label").all_inner_texts()
    assert sorted(labels) == ["N1", "N2", "N3"]

    page.wait_for_selector("#series-timeline .vis-item.tl-alert")
    alerts = page.locator("#series-timeline .vis-item.tl-alert").all_inner_texts()
    assert any("2014-09-20" in a and "N2~N1" in a for a in alerts)

    page.wait_for_selector("#series-chart canvas")
    count = "(k) => document.getElementById('series-chart').cytoscape.elements(k).length"
    assert page.evaluate(count, "node[kind = 'case']") == 3
    visible = "() => document.getElementById('series-chart').cytoscape.edges(\"[kind = 'link']\").filter((e) => e.visible()).length"
    assert page.evaluate(visible) == 2
    page.locator("#p-slider").fill("0.95")
    page.locator("#p-slider").dispatch_event("input")
    assert page.locator("#p-value").inner_text() == "0.95"
    # cytoscape redraws on its own clock: wait (at most 5 s) for the edge below 0.95 to go
    page.wait_for_function(f"() => ({visible})() === 1", timeout=5000)  # only N2~N1 (0.97)
    page.screenshot(path=str(SHOTS / "series.png"), full_page=True)

    # a normal chart keeps its look (curved edges); clicking N1 opens the focus view on N1's
    # neighbourhood, which keeps the slider's threshold; "Show all" closes it
    chart = "document.getElementById('series-chart')"
    assert page.evaluate(f"() => {chart}.dataset.size") == "normal"
    assert page.evaluate(f"() => {chart}.cytoscape.edges()[0].style('curve-style')") == "bezier"
    at = page.evaluate(
        f"""() => {{
      const p = {chart}.cytoscape.getElementById('case:N1').renderedPosition();
      const r = {chart}.getBoundingClientRect();
      return [r.left + p.x, r.top + p.y];
    }}"""
    )
    page.mouse.click(at[0], at[1])
    page.wait_for_function(f"() => {chart}.focusView() !== null", timeout=5000)
    focus = page.evaluate(
        f"""() => {{
      const f = {chart}.focusView();
      return {{
        cases: f.nodes("[kind = 'case']").map((n) => n.id()).sort(),
        links: f.edges("[kind = 'link']").map((e) => e.visible()),
      }};
    }}"""
    )
    assert focus["cases"] == ["case:N1", "case:N2", "case:N3"]
    assert sorted(focus["links"]) == [False, True]  # N3~N1 (0.91) is under the slider's 0.95
    assert page.locator("#series-chart .chart-focus").is_visible()
    page.click("#chart-reset")
    assert page.evaluate(f"() => {chart}.focusView()") is None
    assert not page.locator("#series-chart .chart-focus").is_visible()

    page.goto(f"{base}/replay?day=2014-06-20")
    page.wait_for_selector("#replay-results")
    assert "2014-06-20" in page.locator("#replay-day").inner_text()
    assert "Model:" in page.locator("#replay-model").inner_text()
    page.screenshot(path=str(SHOTS / "replay.png"), full_page=True)

    assert left == [], f"requests left 127.0.0.1: {left}"
    assert errors == [], f"console errors (CSP?): {errors}"
