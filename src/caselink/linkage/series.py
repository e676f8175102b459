"""Series: clusters of the link graph, with stable ids and summaries.

Linkage criterion (stated): links with probability >= ``threshold`` form a
graph; each connected component of three or more cases is split by
average-linkage agglomerative clustering on the distance 1 - p (pairs never
scored count as distance 1), cut at 1 - ``threshold``; so every series has an
average within-series link probability of at least ``threshold``, and one weak
bridge does not merge two series. A series id is ``S-`` plus the case_id of
its earliest member (by ``occurred_from``, then ``case_id``), so re-runs on the
same data give the same ids and a series keeps its id as later cases join.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from caselink.linkage.tables import value_attributes
from caselink.records.model import AttributeSchema
from caselink.settings import LINK_THRESHOLD


@dataclass
class SeriesResult:
    """Members (``case_id, series_id``) and one summary row per series."""

    members: pd.DataFrame
    summary: pd.DataFrame


def cluster_links(links: pd.DataFrame, threshold: float = LINK_THRESHOLD) -> list[list[str]]:
    """Groups of two or more case_ids under the stated linkage criterion."""
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
    strong = links[links["probability"] >= threshold]
    graph = nx.Graph()
    graph.add_weighted_edges_from(
        zip(strong["case_a"], strong["case_b"], strong["probability"], strict=True)
    )
    prob = {
        (a, b) if a < b else (b, a): p
        for a, b, p in zip(links["case_a"], links["case_b"], links["probability"], strict=True)
    }
    groups: list[list[str]] = []
    for component in nx.connected_components(graph):
        nodes = sorted(component)
        if len(nodes) == 2:
            groups.append(nodes)
            continue
        n = len(nodes)
        dist = np.ones((n, n))
        np.fill_diagonal(dist, 0.0)
        pos = {c: i for i, c in enumerate(nodes)}
        sub = links[links["case_a"].isin(pos) & links["case_b"].isin(pos)]
        for a, b in zip(sub["case_a"], sub["case_b"], strict=True):
            key = (a, b) if a < b else (b, a)
            d = 1.0 - prob[key]
            dist[pos[a], pos[b]] = dist[pos[b], pos[a]] = d
        tree = linkage(squareform(dist, checks=False), method="average")
        labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
        for lab in np.unique(labels):
            members = [nodes[i] for i in np.flatnonzero(labels == lab)]
            if len(members) >= 2:
                groups.append(sorted(members))
    return groups


def find_series(
    links: pd.DataFrame,
    cases: pd.DataFrame,
    schema: AttributeSchema,
    threshold: float = LINK_THRESHOLD,
) -> SeriesResult:
    """Series of the link graph with stable ids and per-series summaries.

    Parameters
    ----------
    links
        ``case_a, case_b, probability``.
    cases
        The cases frame (for times, places and MO values).
    schema
        MO attributes summarised as shared MO.
    threshold
        Link probability at which cases join a series.

    Returns
    -------
    SeriesResult
        ``members``: ``case_id, series_id`` for every case in a series of two
        or more, in series then time order; ``summary``: ``series_id, size,
        first, last, span_days, centroid_a, centroid_b`` (lat/lon, or x/y),
        ``members`` (case ids in time order), ``shared_mo`` (values held by at
        least half the members, with counts).
    """
    groups = cluster_links(links, threshold)
    by_id = cases.set_index("case_id", drop=False).rename_axis(index=None)
    planar = "x" in cases.columns and "lat" not in cases.columns
    pos_cols = ("x", "y") if planar else ("lat", "lon")
    rows: list[dict[str, object]] = []
    members: list[dict[str, str]] = []
    attrs = [a for a in value_attributes(schema) if a in cases.columns]
    for group in groups:
        frame = by_id.loc[group].sort_values(["occurred_from", "case_id"], kind="stable")
        ids = frame["case_id"].tolist()
        series_id = f"S-{ids[0]}"
        shared = []
        for attr in attrs:
            counts: Counter[str] = Counter()
            for v in frame[attr]:
                if isinstance(v, tuple | list):
                    counts.update(str(x) for x in v)
                elif v is not None and v == v:
                    counts[str(v)] += 1
            for value, c in counts.most_common():
                if c >= max(2, (len(ids) + 1) // 2):
                    shared.append(f"{attr}={value} ({c}/{len(ids)})")
        first, last = frame["occurred_from"].min(), frame["occurred_to"].max()
        rows.append(
            {
                "series_id": series_id,
                "size": len(ids),
                "first": first,
                "last": last,
                "span_days": float((last - first) / pd.Timedelta(days=1)),
                "centroid_a": float(frame[pos_cols[0]].mean()),
                "centroid_b": float(frame[pos_cols[1]].mean()),
                "members": " ".join(ids),
                "shared_mo": "; ".join(shared),
            }
        )
        members.extend({"case_id": c, "series_id": series_id} for c in ids)
    summary = pd.DataFrame(
        rows,
        columns=[
            "series_id",
            "size",
            "first",
            "last",
            "span_days",
            "centroid_a",
            "centroid_b",
            "members",
            "shared_mo",
        ],
    )
    member_frame = pd.DataFrame(members, columns=["case_id", "series_id"])
    if len(summary):
        summary = summary.sort_values(["first", "series_id"], kind="stable").reset_index(drop=True)
    return SeriesResult(member_frame, summary)
