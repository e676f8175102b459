"""A large link chart's nodes are placed on the server: every node of a chart of more than
LARGE_CHART elements gets a finite position, a small chart none; connected components do
not overlap, no two nodes sit on top of each other, and a case's mentions sit around it.
The threshold is the one series.js uses to switch to its large mode."""

from __future__ import annotations

import math
import random
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.spatial import KDTree

from caselink.service import chart_layout
from caselink.service.chart_layout import LARGE_CHART, MIN_DISTANCE, positions, with_positions

SERIES_JS = Path(chart_layout.__file__).parents[1] / "web" / "static" / "series.js"
KINDS = ("person", "address", "phone", "vehicle")


def part(name: str, cases: int, entities: int, seed: int) -> list[dict[str, Any]]:
    """One connected part of a series' chart: cases joined by links (a random tree), each
    entity mentioned in one case, every fifth in two."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = [
        {"data": {"id": f"case:{name}{i}", "label": f"{name}{i}", "kind": "case"}}
        for i in range(cases)
    ]
    for i in range(1, cases):
        j = rng.randrange(i)
        out.append(
            {
                "data": {
                    "id": f"link:{name}{i}",
                    "source": f"case:{name}{i}",
                    "target": f"case:{name}{j}",
                    "kind": "link",
                    "p": 0.8,
                }
            }
        )
    for k in range(entities):
        entity = f"{KINDS[k % 4]}:{name}{k}"
        out.append({"data": {"id": entity, "label": entity, "kind": KINDS[k % 4]}})
        for c in sorted({rng.randrange(cases) for _ in range(1 + (k % 5 == 0))}):
            out.append(
                {
                    "data": {
                        "id": f"{entity}~{c}",
                        "source": entity,
                        "target": f"case:{name}{c}",
                        "kind": "mention",
                    }
                }
            )
    return out


def large_chart() -> list[dict[str, Any]]:
    """Parts of 60, 25, 6 and 1 cases (with their mentions), and three lone entities."""
    out = part("A", 60, 330, 1) + part("B", 25, 120, 2) + part("C", 6, 20, 3) + part("D", 1, 4, 4)
    out += [{"data": {"id": f"phone:lone{i}", "label": "x", "kind": "phone"}} for i in range(3)]
    return out


@pytest.fixture(scope="module")
def chart() -> list[dict[str, Any]]:
    elements = large_chart()
    assert len(elements) > LARGE_CHART
    return elements


@pytest.fixture(scope="module")
def placed(chart: list[dict[str, Any]]) -> dict[str, tuple[float, float]]:
    return positions(chart)


def nodes_of(chart: list[dict[str, Any]]) -> list[str]:
    return [e["data"]["id"] for e in chart if "source" not in e["data"]]


def test_a_large_chart_gets_a_finite_position_for_every_node_and_none_for_edges(
    chart: list[dict[str, Any]],
) -> None:
    out = with_positions(chart)
    assert [e["data"] for e in out] == [e["data"] for e in chart]  # same elements, same order
    for element in out:
        if "source" in element["data"]:
            assert "position" not in element
        else:
            x, y = element["position"]["x"], element["position"]["y"]
            assert math.isfinite(x) and math.isfinite(y)
    assert all("position" not in e for e in chart)  # the input is left as it was


def test_a_small_chart_gets_no_positions() -> None:
    small = part("S", 12, 60, 5)
    assert len(small) <= LARGE_CHART
    assert with_positions(small) == small
    assert all("position" not in e for e in with_positions(small))


def test_the_threshold_is_the_one_series_js_switches_to_its_large_mode_at() -> None:
    found = re.search(r"^const LARGE_CHART = (\d+);", SERIES_JS.read_text(), re.MULTILINE)
    assert found is not None, "series.js no longer declares LARGE_CHART"
    assert int(found.group(1)) == LARGE_CHART
    assert chart_layout.is_large([{}] * (LARGE_CHART + 1))
    assert not chart_layout.is_large([{}] * LARGE_CHART)


def test_components_do_not_overlap(placed: dict[str, tuple[float, float]]) -> None:
    def part_of(node: str) -> str:  # "case:A7" -> "A"; each lone entity is a part of its own
        name = node.split(":", 1)[1]
        return node if name.startswith("lone") else name[0]

    boxes = []
    for name in sorted({part_of(n) for n in placed}):
        xy = np.array([placed[n] for n in placed if part_of(n) == name])
        boxes.append((name, *xy.min(axis=0), *xy.max(axis=0)))
    assert len(boxes) == 4 + 3
    for i, (a, ax0, ay0, ax1, ay1) in enumerate(boxes):
        for b, bx0, by0, bx1, by1 in boxes[i + 1 :]:
            apart = ax1 < bx0 or bx1 < ax0 or ay1 < by0 or by1 < ay0
            assert apart, f"parts {a} and {b} overlap"


def test_no_two_nodes_sit_on_top_of_each_other(placed: dict[str, tuple[float, float]]) -> None:
    xy = np.array(list(placed.values()))
    nearest = KDTree(xy).query(xy, k=2)[0][:, 1]
    assert nearest.min() >= MIN_DISTANCE - 1.0  # an entity is 18 px wide, a case 34 x 22


def test_a_cases_mentions_sit_around_it(
    chart: list[dict[str, Any]], placed: dict[str, tuple[float, float]]
) -> None:
    cases = [n for n in nodes_of(chart) if n.startswith("case:")]
    tree = KDTree(np.array([placed[c] for c in cases]))
    ends: dict[str, list[str]] = {}
    for e in chart:
        if e["data"].get("kind") == "mention":
            ends.setdefault(e["data"]["source"], []).append(e["data"]["target"])
    once = {entity: c[0] for entity, c in ends.items() if len(c) == 1}
    nearest_is_own = 0
    for entity, case in once.items():
        x, y = placed[entity]
        cx, cy = placed[case]
        assert math.hypot(x - cx, y - cy) < 3 * chart_layout.LEAF_RADIUS
        nearest_is_own += cases[tree.query((x, y))[1]] == case
    assert nearest_is_own >= 0.85 * len(once)


def test_the_placement_is_deterministic(
    chart: list[dict[str, Any]], placed: dict[str, tuple[float, float]]
) -> None:
    assert positions(chart) == placed


def test_an_edge_to_an_unknown_node_is_refused() -> None:
    chart = [
        {"data": {"id": "case:A", "kind": "case"}},
        {"data": {"id": "m", "source": "person:x", "target": "case:A", "kind": "mention"}},
    ]
    with pytest.raises(ValueError, match="'m' joins an unknown node 'person:x'"):
        positions(chart)
