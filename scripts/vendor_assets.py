"""Copy the pinned npm packages' browser files and licences into the web app's static folder.

Run after ``npm ci --ignore-scripts`` (which installs exactly what
``package-lock.json`` pins). The copies are committed, so running caselink and
its CI need neither npm nor a network. Each package's version is checked
against ``package.json`` so a stray ``npm install`` (htmx 4, say) cannot slip in.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "src" / "caselink" / "web" / "static" / "vendor"

FILES: dict[str, list[str]] = {
    "htmx.org": ["dist/htmx.min.js", "LICENSE"],
    "leaflet": [
        "dist/leaflet.js",
        "dist/leaflet.css",
        "dist/images/marker-icon.png",
        "dist/images/marker-icon-2x.png",
        "dist/images/marker-shadow.png",
        "dist/images/layers.png",
        "dist/images/layers-2x.png",
        "LICENSE",
    ],
    "cytoscape": ["dist/cytoscape.min.js", "LICENSE"],
    "layout-base": ["layout-base.js", "LICENSE"],
    "cose-base": ["cose-base.js", "LICENSE"],
    "cytoscape-fcose": ["cytoscape-fcose.js", "LICENSE"],
    "vis-timeline": [
        "standalone/umd/vis-timeline-graph2d.min.js",
        "styles/vis-timeline-graph2d.min.css",
        "LICENSE.md",
        "LICENSE.Apache-2.0.txt",
        "LICENSE.MIT.txt",
    ],
    # Vega-Lite charts compiled to Vega and rendered by vega-embed with {ast: true}: the
    # expressions are interpreted, never eval'd, so the CSP needs no 'unsafe-eval'.
    "vega": ["build/vega.min.js", "LICENSE"],
    "vega-lite": ["build/vega-lite.min.js", "LICENSE"],
    "vega-embed": ["build/vega-embed.min.js", "LICENSE"],
    # vega-embed.min.js bundles vega-interpreter (its `expressionInterpreter`); the package's
    # own build is an ES module importing vega-util by bare name, so only its licence is copied.
    "vega-interpreter": ["LICENSE"],
}


PATCHES: dict[str, list[tuple[str, str]]] = {
    # vis-timeline's standalone build injects its CSS as <style> elements, which the strict
    # CSP (style-src 'self') blocks with a console error each; the same CSS is loaded from
    # vis-timeline-graph2d.min.css, so the injector is switched off.
    "vis-timeline-graph2d.min.js": [
        (
            'var i=e.insertAt;if(t&&"undefined"!=typeof document){',
            "var i=e.insertAt;if(!1){",
        )
    ],
}
"""Exact replacements in copied files (each must match exactly once, or the copy fails)."""


def _patch(dest: Path) -> str | None:
    """Apply :data:`PATCHES` to ``dest``; an error message if a patch no longer matches."""
    text = dest.read_text(encoding="utf-8")
    for old, new in PATCHES.get(dest.name, []):
        if text.count(old) != 1:
            return f"{dest.name}: patch target found {text.count(old)} times, expected once"
        text = text.replace(old, new)
    dest.write_text(text, encoding="utf-8")
    return None


def _flat(name: str) -> str:
    """Where a file goes: ``dist/``, ``standalone/umd/``, ``styles/``, ``build/`` dropped."""
    for prefix in ("dist/", "standalone/umd/", "styles/", "build/"):
        name = name.removeprefix(prefix)
    return name


def main() -> int:
    """Copy every listed file; exit non-zero naming a missing file or a wrong version."""
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for package, files in FILES.items():
        installed = json.loads((MODULES / package / "package.json").read_text())["version"]
        if installed != pinned[package]:
            print(f"{package}: installed {installed}, package.json pins {pinned[package]}")
            return 1
        target = VENDOR / package
        for name in files:
            source = MODULES / package / name
            if not source.is_file():
                print(f"{package}: {name} is missing; run npm ci --ignore-scripts first")
                return 1
            dest = target / _flat(name)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
            if dest.name in PATCHES and (problem := _patch(dest)):
                print(problem)
                return 1
        (target / "VERSION").write_text(f"{package} {installed} (npm)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
