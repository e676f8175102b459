"""Is the series page's link chart still interactive at 2,000 elements? (Debian's chromium)

Run: .venv/bin/python benchmarks/web_chart_elements.py [--elements 2000] [--repeats 20]
     [--browser-layout]
Writes benchmarks/results/web_chart_elements_<elements>.json (``..._browser_layout.json``
with ``--browser-layout``).

The chart is the app's own code (``web/static/series.js``, ``drawSeriesChart``)
with the vendored cytoscape + fcose, loaded from a local page (nothing fetched)
with a chart of the shape the series page draws: cases joined by links of
random probability, and the persons, addresses, phones and vehicles mentioned
in them joined to their cases, about 45 % nodes and 55 % edges, ``--elements``
in all. A chart of more than 1,000 elements comes with its nodes' positions, computed by
the service layer's own function (``caselink.service.chart_layout.with_positions``, as
the series page does; its time is measured on its own, ``server_layout_ms``), so the
browser draws it with cytoscape's ``preset`` layout; ``--browser-layout`` leaves the
positions out, and the browser lays the chart out with fcose as it did before. Measured in
the browser (``performance.now``, each through the next two animation frames so the
redraw is counted):

- layout: from page start until the chart is drawn (the *opening* in the browser);
- slider: moving the probability slider (hides links below it), per move;
- expand: tapping a case (its neighbourhood shown, the rest hidden, fitted);
- reset: showing everything again.

"Interactive" means every interaction's p95 under 100 ms (the RAIL model's
budget for a response to input) and an opening under 2 s, server layout included
(``opening_ms`` = ``server_layout_ms`` p50 + ``layout_ms``).

The chart has more than 1,000 elements, so ``series.js`` draws it in its large
mode (haystack edges, no role labels on mentions in the overview; without positions,
fcose from a spectral start with a shorter refinement) and opens a node's neighbourhood
in a focus view laid over the overview. The load average before and after the run is
recorded: on a shared machine, compare figures only from runs under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import sync_playwright

from caselink.service.chart_layout import with_positions
from caselink.web.rendering import CHART_SCRIPTS as SCRIPTS
from machine import describe

STATIC = Path(__file__).resolve().parents[1] / "src" / "caselink" / "web" / "static"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
KINDS = ("person", "address", "phone", "vehicle")


def chart(n_elements: int, seed: int) -> list[dict[str, Any]]:
    """Elements shaped like the series page's chart, ``n_elements`` in all."""
    rng = random.Random(seed)
    n_cases = max(2, n_elements // 8)
    n_entities = max(1, int(n_elements * 0.45) - n_cases)
    out: list[dict[str, Any]] = [
        {"data": {"id": f"case:C{i}", "label": f"C{i}", "kind": "case"}} for i in range(n_cases)
    ]
    out += [
        {"data": {"id": f"e{i}", "label": f"entity {i}", "kind": KINDS[i % len(KINDS)]}}
        for i in range(n_entities)
    ]
    n_links = n_cases - 1 + (n_cases // 2)
    for i in range(n_links):  # a chain through every case, then chords
        a = i + 1 if i < n_cases - 1 else rng.randrange(n_cases)
        b = i if i < n_cases - 1 else rng.randrange(n_cases)
        p = round(rng.uniform(0.05, 1.0), 3)
        out.append(
            {
                "data": {
                    "id": f"link:{i}",
                    "source": f"case:C{a}",
                    "target": f"case:C{b}",
                    "kind": "link",
                    "p": p,
                    "label": f"{p:.2f}",
                }
            }
        )
    i = 0
    while len(out) < n_elements:  # mentions: each entity in one or more cases
        out.append(
            {
                "data": {
                    "id": f"m{i}",
                    "source": f"e{i % n_entities}",
                    "target": f"case:C{rng.randrange(n_cases)}",
                    "kind": "mention",
                    "label": "witness",
                }
            }
        )
        i += 1
    return out


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>chart</title>
{scripts}</head><body>
<input id="p-slider" type="range" min="0" max="1" step="0.01" value="0"><span id="p-value"></span>
<button id="chart-reset" type="button">reset</button>
<div id="series-chart" style="width:1100px;height:800px"></div>
<script type="application/json" id="series-data">{data}</script>
</body></html>"""

MEASURE = """async ([action, arg]) => {
  const cy = document.getElementById('series-chart').cytoscape;
  const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const t0 = performance.now();
  if (action === 'slider') {
    const s = document.getElementById('p-slider');
    s.value = String(arg);
    s.dispatchEvent(new Event('input'));
  } else if (action === 'expand') {
    cy.nodes("[kind = 'case']")[arg].emit('tap');
  } else {
    document.getElementById('chart-reset').click();
  }
  await frames();
  return performance.now() - t0;
}"""


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elements", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--browser-layout",
        action="store_true",
        help="send no positions: the browser lays the chart out (fcose), as before",
    )
    args = parser.parse_args()
    elements = chart(args.elements, args.seed)
    server_ms: list[float] = []
    if not args.browser_layout:
        for _ in range(5):  # the series page's own function, timed on its own
            start = time.perf_counter()
            placed = with_positions(elements)
            server_ms.append((time.perf_counter() - start) * 1000.0)
        elements = placed
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="caselink-chart-") as tmp:
        root = Path(tmp)
        for script in SCRIPTS:
            (root / script).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(STATIC / script, root / script)
        tags = "\n".join(f'<script src="{s}" defer></script>' for s in SCRIPTS)
        data = json.dumps({"series_id": "S-bench", "members": [], "chart": elements})
        (root / "index.html").write_text(PAGE.format(scripts=tags, data=data), encoding="utf-8")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto((root / "index.html").as_uri())
            try:
                page.wait_for_function(
                    "() => document.getElementById('series-chart').cytoscape !== undefined",
                    timeout=60_000,
                )
            except Exception:
                raise SystemExit(f"the chart was not drawn; page errors: {errors}") from None
            layout_ms = page.evaluate(
                "() => new Promise((r) => requestAnimationFrame(() => r(performance.now())))"
            )
            count = page.evaluate(
                "() => document.getElementById('series-chart').cytoscape.elements().length"
            )
            layout_name = page.evaluate(
                "() => document.getElementById('series-chart').dataset.layout"
            )
            rng = random.Random(args.seed)
            timings: dict[str, list[float]] = {"slider": [], "expand": [], "reset": []}
            for _ in range(args.repeats):
                timings["slider"].append(page.evaluate(MEASURE, ["slider", round(rng.random(), 2)]))
                case = rng.randrange(max(2, args.elements // 8))
                timings["expand"].append(page.evaluate(MEASURE, ["expand", case]))
                timings["reset"].append(page.evaluate(MEASURE, ["reset", 0]))
            browser.close()
    summary = {
        name: {"p50_ms": round(statistics.median(v), 1), "p95_ms": round(p95(v), 1)}
        for name, v in timings.items()
    }
    server_p50 = statistics.median(server_ms) if server_ms else 0.0
    opening_ms = server_p50 + layout_ms
    interactive = all(s["p95_ms"] < 100.0 for s in summary.values()) and opening_ms < 2000.0
    report = {
        "command": " ".join(sys.argv),
        "machine": describe(),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "elements": count,
        "positions": "browser (fcose)" if args.browser_layout else "server (preset)",
        "browser_layout": layout_name,
        "server_layout_ms": {
            "first": round(server_ms[0], 1) if server_ms else None,
            "p50": round(server_p50, 1) if server_ms else None,
            "runs": len(server_ms),
        },
        "layout_ms": round(layout_ms, 1),
        "opening_ms": round(opening_ms, 1),
        "interactions": summary,
        "repeats": args.repeats,
        "page_errors": errors,
        "interactive": interactive,
    }
    suffix = "_browser_layout" if args.browser_layout else ""
    default = f"benchmarks/results/web_chart_elements_{args.elements}{suffix}.json"
    out = args.out or Path(default)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
