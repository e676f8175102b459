"""The link chart's large mode in Debian's chromium (Playwright): above 1,000 elements the
series page's chart (``web/static/series.js``) draws with its large-graph settings, where
the server placed its nodes (cytoscape's preset layout; fcose only for a large chart sent
without positions), the probability slider hides only the links under it, and clicking a
node opens the focus view on that node's neighbourhood without touching the overview,
which "Show all" returns to as it opened. The page is served from the live app's loopback
address, with its static files."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from caselink.service.chart_layout import with_positions
from caselink.web.rendering import CHART_SCRIPTS
from tests.web.conftest import Site
from tests.web.test_browser import (  # noqa: F401  (fixtures)
    browser_type_launch_args,
    guard,
    live,
    pytestmark,
)

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>chart</title>
{scripts}</head><body>
<input id="p-slider" type="range" min="0" max="1" step="0.01" value="0"><output id="p-value"></output>
<button id="chart-reset" type="button">Show all</button>
<div id="series-chart" style="width:1000px;height:700px"></div>
<script type="application/json" id="series-data">{data}</script>
</body></html>"""
CHART = "document.getElementById('series-chart')"


def big_chart(n_cases: int = 150, n_entities: int = 400, seed: int = 3) -> list[dict[str, Any]]:
    """Cases in a chain of links (with chords), entities each mentioned in one or two cases."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = [
        {"data": {"id": f"case:C{i}", "label": f"C{i}", "kind": "case"}} for i in range(n_cases)
    ]
    out += [
        {"data": {"id": f"e{i}", "label": f"entity {i}", "kind": "person"}}
        for i in range(n_entities)
    ]
    pairs = [(i + 1, i) for i in range(n_cases - 1)]
    pairs += [(rng.randrange(n_cases), rng.randrange(n_cases)) for _ in range(n_cases // 2)]
    for k, (a, b) in enumerate(p for p in pairs if p[0] != p[1]):
        p = round(rng.uniform(0.05, 1.0), 2)
        out.append(
            {
                "data": {
                    "id": f"link:{k}",
                    "source": f"case:C{a}",
                    "target": f"case:C{b}",
                    "kind": "link",
                    "p": p,
                    "label": f"{p:.2f}",
                }
            }
        )
    for i in range(n_entities):
        for c in {rng.randrange(n_cases) for _ in range(1 + i % 2)}:
            out.append(
                {
                    "data": {
                        "id": f"m{i}-{c}",
                        "source": f"e{i}",
                        "target": f"case:C{c}",
                        "kind": "mention",
                        "label": "witness",
                    }
                }
            )
    return out


@pytest.mark.parametrize("placed", [True, False], ids=["placed-by-server", "fcose"])
def test_a_chart_of_over_1000_elements_in_its_large_mode(
    live: tuple[str, Site],  # noqa: F811  (the fixture imported above)
    page: Any,
    placed: bool,
) -> None:
    base, _site = live
    left, errors = guard(page)
    elements = with_positions(big_chart()) if placed else big_chart()
    assert len(elements) > 1000
    assert all("position" in e for e in elements if "source" not in e["data"]) == placed
    tags = "\n".join(f'<script src="/static/{s}" defer></script>' for s in CHART_SCRIPTS)
    html = PAGE.format(
        scripts=tags, data=json.dumps({"series_id": "S-big", "members": [], "chart": elements})
    )
    page.route(
        f"{base}/chart-test",
        lambda route: route.fulfill(status=200, content_type="text/html", body=html),
    )
    page.goto(f"{base}/chart-test")
    page.wait_for_function(f"() => {CHART}.cytoscape !== undefined", timeout=60_000)

    # the large-graph settings; the server's positions drawn as they are, all in view
    assert page.evaluate(f"() => {CHART}.dataset.size") == "large"
    assert page.evaluate(f"() => {CHART}.dataset.layout") == ("preset" if placed else "fcose")
    if placed:
        drawn = page.evaluate(
            f"""() => {{
          const cy = {CHART}.cytoscape, box = cy.extent();
          return {{
            at: Object.fromEntries(cy.nodes().map((n) => [n.id(), n.position()])),
            outside: cy.nodes().filter((n) => {{
              const p = n.position();
              return p.x < box.x1 || p.x > box.x2 || p.y < box.y1 || p.y > box.y2;
            }}).length,
          }};
        }}"""
        )
        given = {e["data"]["id"]: e["position"] for e in elements if "position" in e}
        assert drawn["at"] == given
        assert drawn["outside"] == 0
    style = page.evaluate(
        f"""() => {{
      const cy = {CHART}.cytoscape;
      return {{
        curve: cy.edges()[0].style('curve-style'),
        mention_label: cy.edges("[kind = 'mention']")[0].style('label'),
        case_label: cy.nodes("[kind = 'case']")[0].style('label'),
        elements: cy.elements().length,
      }};
    }}"""
    )
    assert style == {
        "curve": "haystack",
        "mention_label": "",
        "case_label": "C0",
        "elements": len(elements),
    }
    home = page.evaluate(f"() => [{CHART}.cytoscape.zoom(), {CHART}.cytoscape.pan()]")

    # the slider hides exactly the links under it
    links = [e["data"] for e in elements if e["data"].get("kind") == "link"]
    page.locator("#p-slider").fill("0.5")
    page.locator("#p-slider").dispatch_event("input")
    hidden = (
        f"() => {CHART}.cytoscape.edges(\"[kind = 'link']\").filter((e) => !e.visible()).length"
    )
    page.wait_for_function(f"() => ({hidden})() === {sum(d['p'] < 0.5 for d in links)}")

    # clicking (tapping) a case opens the focus view on its neighbourhood, labelled in full
    # (a block body: emit returns the element, which Playwright would serialise with the
    # whole graph it references, gigabytes of renderer heap)
    page.evaluate(f"() => {{ {CHART}.cytoscape.getElementById('case:C7').emit('tap'); }}")
    focus = page.evaluate(
        f"""() => {{
      const f = {CHART}.focusView();
      return {{
        nodes: f.nodes().map((n) => n.id()).sort(),
        hidden_links: f.edges("[kind = 'link']").filter((e) => !e.visible()).map((e) => e.id()).sort(),
        labels: f.edges("[kind = 'mention']").map((e) => e.style('label')),
        curve: f.edges()[0].style('curve-style'),
      }};
    }}"""
    )
    touching = [
        e["data"]
        for e in elements
        if "case:C7" in (e["data"].get("source"), e["data"].get("target"))
    ]
    expected = {"case:C7"} | {d["source"] for d in touching} | {d["target"] for d in touching}
    assert focus["nodes"] == sorted(expected)
    assert focus["hidden_links"] == sorted(
        d["id"] for d in touching if d["kind"] == "link" and d["p"] < 0.5
    )
    assert focus["labels"] and set(focus["labels"]) == {"witness"}
    assert focus["curve"] == "bezier"
    # the overview underneath is untouched: every element but the links under 0.5 still shown
    shown = page.evaluate(f"() => {CHART}.cytoscape.elements(':visible').length")
    assert shown == len(elements) - sum(d["p"] < 0.5 for d in links)

    # a second tap inside the focus view moves it to that node's neighbourhood
    page.evaluate(f"() => {{ {CHART}.focusView().getElementById('case:C8').emit('tap'); }}")
    assert page.evaluate(f"() => {CHART}.focusView().getElementById('case:C9').length") == 1

    # "Show all" closes the focus view and returns to the overview as it opened
    page.click("#chart-reset")
    assert page.evaluate(f"() => {CHART}.focusView()") is None
    assert page.evaluate(f"() => [{CHART}.cytoscape.zoom(), {CHART}.cytoscape.pan()]") == home
    # ... also once the analyst has zoomed and panned the overview
    page.evaluate(
        f"() => {{ {CHART}.cytoscape.zoom(1.3); {CHART}.cytoscape.panBy({{x: 90, y: -40}}); }}"
    )
    page.click("#chart-reset")
    zoom, pan = page.evaluate(f"() => [{CHART}.cytoscape.zoom(), {CHART}.cytoscape.pan()]")
    assert zoom == pytest.approx(home[0], rel=1e-6)
    assert pan["x"] == pytest.approx(home[1]["x"], abs=0.5)
    assert pan["y"] == pytest.approx(home[1]["y"], abs=0.5)

    assert left == [], f"requests left 127.0.0.1: {left}"
    assert errors == [], f"console or page errors: {errors}"
