"""The review pack of a series: one HTML document, and the same as a PDF (WeasyPrint).

It holds the series summary, the map with the geographic profile, the
timeline and the link chart (SVG drawn by matplotlib: a PDF runs no
JavaScript), each link's explanation, the missed checks of each member, the
persons of interest, the model and data provenance, and when and by whom it
was produced. Everything is read through the scoped services, and producing
a pack is audited (by the caller: the web route or ``caselink report``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib
import networkx as nx
import numpy as np
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

import caselink
from caselink.geoprofile.methods import geoprofile
from caselink.service.caselink import Caselink
from caselink.service.results import CaseDetail
from caselink.service.scope import Scope
from caselink.service.series import ProfileView, SeriesDetail, SeriesService

matplotlib.use("Agg")
from matplotlib import dates as mdates
from matplotlib import pyplot as plt

TEMPLATES = Path(__file__).parent / "templates"
BAND_COLOURS = {1.0: "#7f0000", 5.0: "#d7301f", 10.0: "#fc8d59", 25.0: "#fdcc8a", 50.0: "#fef0d9"}


@dataclass(frozen=True)
class ReviewPack:
    """A built pack: its HTML and what it covers."""

    series_id: str
    html: str
    case_ids: list[str]
    model: str


def model_statement(service: Caselink) -> str:
    """The model behind the stored alerts, with caselink's version."""
    return (
        f"caselink {caselink.__version__}; alerts raised by the default linkage model "
        "(prior knowledge, no labels) fitted on the stored cases when each case was added"
    )


def build(service: Caselink, scope: Scope, series_id: str, by: str) -> ReviewPack:
    """The review pack of ``series_id`` as ``by`` may see it (NotFoundError out of scope)."""
    series = SeriesService(service)
    detail = series.series(scope, series_id)
    profile = series.profile(scope, detail)
    cases = [service.case(scope, cid) for cid in detail.case_ids]
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"])
    )
    env.filters["t"] = lambda v: "" if v is None else f"{v:%Y-%m-%d %H:%M}"
    model = model_statement(service)
    html = env.get_template("review_pack.html").render(
        s=detail,
        profile=profile,
        cases=cases,
        missed=_missed(cases),
        map_svg=Markup(_map_svg(detail, profile)),
        timeline_svg=Markup(_timeline_svg(detail)),
        chart_svg=Markup(_chart_svg(detail)),
        model=model,
        data=f"{service.store.count_cases()} case(s) in the store; members as of production",
        produced_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        produced_by=by,
    )
    return ReviewPack(series_id, html, detail.case_ids, model)


def to_pdf(pack: ReviewPack) -> bytes:
    """The pack as PDF (WeasyPrint: needs Debian's Pango; fonts from fonts-dejavu-core)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=pack.html, base_url=str(TEMPLATES)).write_pdf()
    return pdf


def _missed(cases: list[CaseDetail]) -> list[tuple[str, str, str]]:
    out = []
    for case in cases:
        for check in case.checks:
            if check.state != "done":
                out.append((case.case_id, check.action, check.state))
    return out


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _map_svg(detail: SeriesDetail, profile: ProfileView | None) -> str:
    fig, ax = plt.subplots(figsize=(6.5, 5))
    lat = np.array([m.lat for m in detail.members])
    lon = np.array([m.lon for m in detail.members])
    if len(detail.members) >= 2:
        surface = geoprofile(lat, lon, "cgt", cells=120)
        g = surface.grid
        glat, glon = g.latlon()
        pct = surface.percentile_map()
        levels = [0.0, 1.0, 5.0, 10.0, 25.0, 50.0]
        ax.contourf(
            glon, glat, pct, levels=levels, colors=[BAND_COLOURS[p] for p in levels[1:]], alpha=0.7
        )
    ax.scatter(lon, lat, c="white", edgecolors="#16213a", s=40, zorder=3)
    for m in detail.members:
        ax.annotate(
            m.case_id, (m.lon, m.lat), xytext=(4, 4), textcoords="offset points", fontsize=8
        )
    for p in profile.persons if profile else []:
        ax.scatter([p["lon"]], [p["lat"]], marker="^", c="#1e7a3c", s=30, zorder=3)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_aspect(1 / np.cos(np.radians(float(lat.mean()))))
    ax.set_title("Cases and geographic profile (first 1/5/10/25/50 % of the search)", fontsize=9)
    return _svg(fig)


def _timeline_svg(detail: SeriesDetail) -> str:
    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.35 * (len(detail.members) + len(detail.links))))
    rows = []
    for m in detail.members:
        rows.append(m.case_id)
        y = len(rows)
        end = m.occurred_to or m.occurred_from
        ax.plot([_day(m.occurred_from), _day(end)], [y, y], color="#1f4e9e", lw=4)
        ax.plot([_day(m.recorded_at)], [y], "k|", ms=10)
    for link in detail.links:
        rows.append(f"{link.case_id}~{link.linked_case_id}")
        y = len(rows)
        ax.plot([_day(link.linkable_at)], [y], "o", color="#9a6400")
        ax.plot([_day(link.raised_at)], [y], "D", color="#a33a2b")
        ax.annotate(f"alert {link.raised_at:%Y-%m-%d}", (_day(link.raised_at), y), fontsize=7)
    ax.set_yticks(range(1, len(rows) + 1), rows, fontsize=7)
    ax.invert_yaxis()
    ax.set_title(
        "Windows (bar), recorded (|), could have been linked (o), alert raised (◆)", fontsize=9
    )
    ax.xaxis_date()
    fig.autofmt_xdate()
    return _svg(fig)


def _day(when: datetime) -> float:
    """A time as matplotlib's date number (days)."""
    return float(mdates.date2num(when))  # type: ignore[no-untyped-call]


def _chart_svg(detail: SeriesDetail) -> str:
    graph: nx.Graph = nx.Graph()
    graph.add_nodes_from(detail.case_ids)
    for link in detail.links:
        graph.add_edge(link.case_id, link.linked_case_id, p=link.probability)
    pos = nx.spring_layout(graph, seed=1)
    fig, ax = plt.subplots(figsize=(5, 4))
    widths = [1 + 6 * graph.edges[e]["p"] for e in graph.edges]
    nx.draw_networkx(
        graph, pos, ax=ax, node_color="#d8e3f7", edge_color="#a33a2b", width=widths, font_size=8
    )
    nx.draw_networkx_edge_labels(
        graph,
        pos,
        ax=ax,
        edge_labels={e: f"{graph.edges[e]['p']:.2f}" for e in graph.edges},
        font_size=7,
    )
    ax.set_axis_off()
    return _svg(fig)
