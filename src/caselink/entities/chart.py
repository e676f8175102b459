"""The link chart: cases, persons, addresses, phones and vehicles as one graph.

Nodes are ``case:<id>``, ``person:<id>``, ``address:<key>``, ``phone:<key>``
and ``vehicle:<key>`` (each with ``kind`` and ``label`` attributes). A
mention joins its case to its person (edge attribute ``roles``), and both
the case and the person to the address, phone and vehicle it records. So a
case's two-hop neighbourhood holds its people, their other cases, and the
other cases that share an address, phone or vehicle with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
from matplotlib.lines import Line2D

NODE_COLOURS: dict[str, str] = {
    "case": "#c0392b",
    "person": "#2471a3",
    "address": "#239b56",
    "phone": "#b9770e",
    "vehicle": "#7d3c98",
}
"""Node colour by kind in rendered charts."""

CHART_SUFFIXES: tuple[str, ...] = (".png", ".svg", ".graphml")
"""File types :func:`write_chart` writes."""


def _node(kind: str, entity_id: str) -> str:
    prefix = f"{kind}:"
    return entity_id if entity_id.startswith(prefix) else f"{prefix}{entity_id}"


def link_graph(
    mentions: pd.DataFrame,
    cases: pd.DataFrame,
    resolutions: Mapping[str, pd.DataFrame],
) -> nx.Graph:
    """Build the link chart graph.

    Parameters
    ----------
    mentions : pandas.DataFrame
        A mentions frame.
    cases : pandas.DataFrame
        A cases frame (``case_id, case_type`` used).
    resolutions : mapping of str to pandas.DataFrame
        Resolution frames by kind (``person``, ``address``, ``phone``,
        ``vehicle``); a mention without a person resolution becomes a
        person node of its own (``person:M<mention_id>``).

    Returns
    -------
    networkx.Graph
    """
    graph = nx.Graph()
    for row in cases[["case_id", "case_type"]].itertuples(index=False):
        graph.add_node(f"case:{row.case_id}", kind="case", label=f"{row.case_id}\n{row.case_type}")
    person = resolutions.get("person")
    person_of = (
        dict(zip(person["mention_id"], person["entity_id"], strict=True))
        if person is not None
        else {}
    )
    labels = mentions.set_index("mention_id")["name"]
    key_of = {
        kind: dict(
            zip(frame["mention_id"].astype(int), frame["entity_id"].astype(str), strict=True)
        )
        for kind, frame in resolutions.items()
        if kind in ("address", "phone", "vehicle")
    }
    for mention_id, case_id, role in zip(
        mentions["mention_id"].astype(int), mentions["case_id"], mentions["role"], strict=True
    ):
        pid = _node("person", str(person_of.get(mention_id, f"M{mention_id}")))
        if pid not in graph:
            name = labels.get(mention_id)
            graph.add_node(pid, kind="person", label=f"{name or '(no name)'}\n{pid[7:]}")
        case_node = f"case:{case_id}"
        if case_node not in graph:
            graph.add_node(case_node, kind="case", label=str(case_id))
        roles = {str(role)}
        if graph.has_edge(case_node, pid):
            roles |= set(graph.edges[case_node, pid]["roles"].split("/"))
        graph.add_edge(case_node, pid, roles="/".join(sorted(roles)))
        for kind, keys in key_of.items():
            entity = keys.get(mention_id)
            if entity is None:
                continue
            node = _node(kind, entity)
            if node not in graph:
                graph.add_node(node, kind=kind, label=node.split(":", 1)[1].replace("|", " "))
            graph.add_edge(pid, node, roles=str(role))
            graph.add_edge(case_node, node, roles=str(role))
    return graph


def neighbourhood(graph: nx.Graph, case_id: str, hops: int = 2) -> nx.Graph:
    """The subgraph within ``hops`` edges of a case.

    Raises
    ------
    KeyError
        When the case is not in the graph (the message names it).
    """
    node = f"case:{case_id}"
    if node not in graph:
        raise KeyError(f"case_id {case_id!r} is not in the link chart")
    return nx.ego_graph(graph, node, radius=hops)


def render(graph: nx.Graph, path: Path, title: str | None = None) -> Path:
    """Draw a (small) graph to a PNG or SVG file with matplotlib's Agg backend."""
    fig, ax = plt.subplots(figsize=(11, 8.5))
    try:
        pos = nx.spring_layout(graph, seed=7, k=1.2 / max(1, graph.number_of_nodes()) ** 0.5)
        colours = [NODE_COLOURS.get(graph.nodes[n].get("kind", ""), "#888888") for n in graph]
        sizes = [900 if graph.nodes[n].get("kind") == "case" else 500 for n in graph]
        nx.draw_networkx_edges(graph, pos, ax=ax, alpha=0.5)
        nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colours, node_size=sizes)
        nx.draw_networkx_labels(
            graph,
            pos,
            ax=ax,
            labels={n: graph.nodes[n].get("label", n) for n in graph},
            font_size=7,
        )
        edge_labels = {
            (u, v): d.get("roles", "")
            for u, v, d in graph.edges(data=True)
            if "case" in (graph.nodes[u].get("kind"), graph.nodes[v].get("kind"))
            and "person" in (graph.nodes[u].get("kind"), graph.nodes[v].get("kind"))
        }
        nx.draw_networkx_edge_labels(graph, pos, edge_labels=edge_labels, ax=ax, font_size=6)
        handles = [
            Line2D([], [], marker="o", linestyle="", color=c, label=k)
            for k, c in NODE_COLOURS.items()
        ]
        ax.legend(handles=handles, loc="lower left", fontsize=8)
        if title:
            ax.set_title(title)
        ax.set_axis_off()
        fig.savefig(path, format=path.suffix.lstrip("."), bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


def write_chart(graph: nx.Graph, case_id: str, out: Path | str, hops: int = 2) -> Path:
    """Write a case's neighbourhood as PNG, SVG or GraphML, chosen by the file suffix.

    Raises
    ------
    ValueError
        For a suffix other than ``.png``, ``.svg`` or ``.graphml``.
    KeyError
        When the case is not in the graph.
    """
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in CHART_SUFFIXES:
        raise ValueError(f"out must end in {', '.join(CHART_SUFFIXES)}, got {path.name!r}")
    sub = neighbourhood(graph, case_id, hops)
    if suffix == ".graphml":
        nx.write_graphml(sub, path)
        return path
    return render(sub, path, title=f"Case {case_id}: {hops}-hop link chart")
