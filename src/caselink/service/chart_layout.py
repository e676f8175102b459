"""Node positions for a large link chart, computed once on the server.

The series page draws its link chart with cytoscape.js. A small chart is laid out in the
browser (fcose); above :data:`LARGE_CHART` elements that layout costs the analyst about a
second at every opening, so the server places the nodes here and the browser draws them
where they are (cytoscape's ``preset`` layout). The placement:

1. each connected component on its own;
2. its *core* (nodes with two or more neighbours: the cases, and entities mentioned in
   several cases) by Fruchterman-Reingold (rustworkx's ``spring_layout``, in Rust),
   scaled so that neighbouring core nodes are about :data:`CORE_GAP` pixels apart;
3. its *leaves* (nodes with one neighbour: mostly persons, addresses, phones and
   vehicles mentioned in one case) fanned around that neighbour, in the widest gap
   between its core edges and the core nodes near it, on rings :data:`LEAF_RADIUS` +
   k * :data:`LEAF_STEP` pixels out, so a case's mentions sit together around it;
4. nodes still closer than :data:`MIN_DISTANCE` pushed apart, a few rounds;
5. the components packed in rows, :data:`COMPONENT_GAP` pixels apart, largest first, so
   no two overlap.

Folding the leaves keeps the force-directed step to the core (about a third of the nodes
of a series' chart), which is what makes this cheap; the result is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import rustworkx as rx
from scipy.spatial import KDTree

LARGE_CHART = 1000
"""Above this many elements (nodes and edges) a chart is *large*: the server places its
nodes and the browser draws them in its large mode. Mirrored as ``LARGE_CHART`` in
``web/static/series.js`` (``tests/service/test_chart_layout.py`` checks they agree)."""
CORE_GAP = 85.0
"""Median distance (px) from a core node to its nearest core node."""
LEAF_RADIUS = 40.0
"""Distance (px) from a node to the first ring of its leaves."""
LEAF_STEP = 24.0
"""Spacing (px) between neighbouring leaves on a ring, and between rings."""
CROWD = 2 * LEAF_RADIUS + LEAF_STEP
"""Core nodes nearer a node than this (px) are kept out of its leaves' fan."""
MIN_DISTANCE = 24.0
"""Nearest two node centres may be (px) once placed (an entity is 18 px wide)."""
SPREAD_ROUNDS = 20
"""At most this many rounds of pushing apart nodes closer than :data:`MIN_DISTANCE`."""
COMPONENT_GAP = 60.0
"""Space (px) left between the bounding boxes of two components."""
MARGIN = 20.0
"""Half the widest node (px): added around a component's node centres for its box."""
ITERATIONS = 60
"""Fruchterman-Reingold iterations on a component's core."""
SEED = 7
"""The force-directed step's random start: the same chart is always drawn the same way."""

Point = tuple[float, float]


def is_large(elements: Sequence[dict[str, Any]]) -> bool:
    """Whether a chart of these elements is large (more than :data:`LARGE_CHART`)."""
    return len(elements) > LARGE_CHART


def with_positions(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chart's elements, each node with its ``position`` (px) when the chart is large;
    a small chart is returned as it is (the browser lays it out)."""
    if not is_large(elements):
        return elements
    placed = positions(elements)
    out = []
    for element in elements:
        data = element["data"]
        if "source" in data:
            out.append(element)
        else:
            x, y = placed[data["id"]]
            out.append({**element, "position": {"x": x, "y": y}})
    return out


def positions(elements: Sequence[dict[str, Any]]) -> dict[str, Point]:
    """A position (px, rounded to 0.1) for every node of cytoscape ``elements``.

    Raises
    ------
    ValueError
        An edge names a node that is not among the elements.
    """
    ids = [e["data"]["id"] for e in elements if "source" not in e["data"]]
    index = {node: i for i, node in enumerate(ids)}
    graph: rx.PyGraph[int, None] = rx.PyGraph(multigraph=False)
    graph.add_nodes_from(range(len(ids)))
    for element in elements:
        data = element["data"]
        if "source" not in data:
            continue
        ends = []
        for end in (data["source"], data["target"]):
            if end not in index:
                raise ValueError(f"chart edge {data['id']!r} joins an unknown node {end!r}")
            ends.append(index[end])
        if ends[0] != ends[1]:
            graph.add_edge(ends[0], ends[1], None)
    components = sorted(
        (sorted(c) for c in rx.connected_components(graph)), key=lambda c: (-len(c), c[0])
    )
    laid = [_component(graph, nodes) for nodes in components]
    out: dict[str, Point] = {}
    for local, (dx, dy) in zip(laid, _pack([_box(p) for p in laid]), strict=True):
        for node, (x, y) in local.items():
            out[ids[node]] = (round(x + dx, 1), round(y + dy, 1))
    return out


def _component(graph: rx.PyGraph[int, None], nodes: list[int]) -> dict[int, Point]:
    """Positions (px) of one connected component's nodes, around the origin."""
    # one node, or two (the second is the first's leaf), or those with 2+ neighbours
    core = nodes[:1] if len(nodes) <= 2 else [v for v in nodes if graph.degree(v) >= 2]
    at = _core(graph, core)
    leaves: dict[int, list[int]] = {}
    for v in nodes:
        if v not in at:
            leaves.setdefault(graph.neighbors(v)[0], []).append(v)
    out = dict(at)
    hubs = sorted(at)
    tree = KDTree(np.array([at[v] for v in hubs], dtype=np.float64))
    for hub, fan in leaves.items():
        hx, hy = at[hub]
        # the directions to avoid: its core edges, and core nodes near enough to crowd a fan
        near = {hubs[i] for i in tree.query_ball_point((hx, hy), CROWD)} - {hub}
        near |= {n for n in graph.neighbors(hub) if n in at}
        angles = [math.atan2(at[n][1] - hy, at[n][0] - hx) for n in sorted(near)]
        for leaf, (angle, radius) in zip(sorted(fan), _fan(len(fan), angles), strict=True):
            out[leaf] = (hx + radius * math.cos(angle), hy + radius * math.sin(angle))
    order = sorted(out)
    xy = _spread(np.array([out[v] for v in order], dtype=np.float64))
    return {v: (float(x), float(y)) for v, (x, y) in zip(order, xy, strict=True)}


def _spread(xy: np.ndarray) -> np.ndarray:
    """The points, pairs closer than :data:`MIN_DISTANCE` pushed apart along the line
    joining them (each by half of what is missing), for up to :data:`SPREAD_ROUNDS`
    rounds; points on top of each other part along a direction set by their index."""
    xy = xy.copy()
    for _ in range(SPREAD_ROUNDS):
        pairs = KDTree(xy).query_pairs(MIN_DISTANCE, output_type="ndarray")
        if len(pairs) == 0:
            break
        a, b = pairs[:, 0], pairs[:, 1]
        gap = xy[b] - xy[a]
        dist = np.hypot(gap[:, 0], gap[:, 1])
        stacked = dist < 1e-6
        turn = a[stacked] * 2.399963  # the golden angle: distinct directions
        gap[stacked] = np.column_stack([np.cos(turn), np.sin(turn)])
        dist[stacked] = 1.0
        missing = MIN_DISTANCE - np.where(stacked, 0.0, dist)
        push = gap / dist[:, None] * (missing / 2)[:, None]
        np.add.at(xy, a, -push)
        np.add.at(xy, b, push)
    return xy


def _core(graph: rx.PyGraph[int, None], core: list[int]) -> dict[int, Point]:
    """Force-directed positions (px) of a component's core nodes."""
    if len(core) == 1:
        return {core[0]: (0.0, 0.0)}
    sub = graph.subgraph(core)  # renumbered 0..n-1; payloads are the original indices
    laid = rx.spring_layout(sub, num_iter=ITERATIONS, seed=SEED)
    xy = np.array([laid[i] for i in sub.node_indices()], dtype=np.float64)
    nearest = KDTree(xy).query(xy, k=2)[0][:, 1]
    spread = float(np.median(nearest))
    xy *= CORE_GAP / spread if spread > 0 else CORE_GAP
    return {sub[i]: (float(x), float(y)) for i, (x, y) in zip(sub.node_indices(), xy, strict=True)}


def _fan(count: int, taken: list[float]) -> list[tuple[float, float]]:
    """(angle, radius) for ``count`` leaves around a node whose other edges leave at the
    angles ``taken``: in the widest free gap when two rings there hold them, else all
    round; rings from :data:`LEAF_RADIUS` outwards, :data:`LEAF_STEP` apart."""
    start, span = 0.0, 2 * math.pi
    if taken:
        ordered = sorted(taken)
        after_each = [*ordered[1:], ordered[0] + 2 * math.pi]
        gaps = [(b - a, a) for a, b in zip(ordered, after_each, strict=True)]
        width, after = max(gaps)
        margin = min(0.25 * width, 0.35)
        if _ring_capacity(width - 2 * margin, 2) >= count:
            start, span = after + margin, width - 2 * margin
        else:  # all round, starting opposite the widest gap's middle
            start = after + width / 2 + math.pi
    out: list[tuple[float, float]] = []
    ring = 0
    while len(out) < count:
        radius = LEAF_RADIUS + ring * LEAF_STEP
        room = _ring_capacity(span, 1, radius)
        here = min(room, count - len(out))
        full = span >= 2 * math.pi - 1e-9
        for j in range(here):
            share = (j + 0.5) / here if not full else j / here
            out.append((start + share * span + (0.5 * ring if full else 0.0), radius))
        ring += 1
    return out


def _ring_capacity(span: float, rings: int, first: float = LEAF_RADIUS) -> int:
    """How many leaves ``rings`` rings from radius ``first`` hold over an arc of ``span``."""
    return sum(max(1, int(span * (first + r * LEAF_STEP) / LEAF_STEP)) for r in range(rings))


def _box(points: dict[int, Point]) -> tuple[float, float, float, float]:
    """A component's bounding box (x0, y0, x1, y1), node centres plus :data:`MARGIN`."""
    xs = [p[0] for p in points.values()]
    ys = [p[1] for p in points.values()]
    return min(xs) - MARGIN, min(ys) - MARGIN, max(xs) + MARGIN, max(ys) + MARGIN


def _pack(boxes: list[tuple[float, float, float, float]]) -> list[Point]:
    """Offsets that put the boxes in rows (shelves), in order, :data:`COMPONENT_GAP`
    apart: rows as wide as the widest box or a 4:3 page of their total area."""
    if not boxes:
        return []
    area = sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in boxes)
    width = max(max(x1 - x0 for x0, _, x1, _ in boxes), math.sqrt(area * 4 / 3))
    out: list[Point] = []
    x = y = row = 0.0
    for x0, y0, x1, y1 in boxes:
        w, h = x1 - x0, y1 - y0
        if x > 0 and x + w > width:
            x, y, row = 0.0, y + row + COMPONENT_GAP, 0.0
        out.append((x - x0, y - y0))
        x += w + COMPONENT_GAP
        row = max(row, h)
    return out
