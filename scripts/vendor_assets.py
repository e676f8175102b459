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
}


def _flat(name: str) -> str:
    """Where a package file goes: ``dist/``, ``standalone/umd/`` and ``styles/`` dropped."""
    for prefix in ("dist/", "standalone/umd/", "styles/"):
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
        (target / "VERSION").write_text(f"{package} {installed} (npm)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
