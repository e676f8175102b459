"""Series as an analyst reads them: members, links, the bridge link, the profile, the link chart.

A series is the set of cases joined by alerts carrying its ``series_id``.
Every query goes through :func:`caselink.service.scope.scoped`: a caller sees
the members they may see and the links between two of them; a series with no
visible member does not exist for them (:class:`NotFoundError`, as any
object out of scope). Reviewers decide a series by deciding its links with
:meth:`caselink.service.caselink.Caselink.decide_alert` (one implementation
of a decision); a *split* dismisses the bridge link, and the series is then
shown as its parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

import networkx as nx
import numpy as np
import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from caselink.geoprofile.methods import geoprofile
from caselink.geoprofile.persons import rank_persons
from caselink.geoprofile.surface import Surface
from caselink.service.caselink import Caselink
from caselink.service.chart_layout import with_positions
from caselink.service.errors import NotFoundError
from caselink.service.results import Factor, factors_of
from caselink.service.scope import Scope, scoped
from caselink.store.tables import AlertRow, CaseRow, MentionRow, ResolvedEntity

SeriesDecision = Literal["confirm", "dismiss", "split"]
BANDS = (1.0, 5.0, 10.0, 25.0, 50.0)
"""Contour bands of the profile: the first 1, 5, 10, 25 and 50 % of the area searched."""
TOP = (1.0, 5.0, 10.0)
"""The search areas whose km² the page states."""
FEW_CASES = 5
"""Below this many cases a geographic profile is unreliable (the page warns)."""


@dataclass(frozen=True)
class Member:
    """One visible case of a series."""

    case_id: str
    case_type: str
    occurred_from: datetime
    occurred_to: datetime | None
    recorded_at: datetime
    lat: float
    lon: float
    victim_group: str | None
    status: str | None
    force: str | None


@dataclass(frozen=True)
class SeriesLink:
    """A link between two visible members: the alert that raised it and its review."""

    alert_id: int
    case_id: str
    linked_case_id: str
    probability: float
    explanation: str | None
    raised_at: datetime
    linkable_at: datetime
    """When both cases were on record: the earliest the link could have been raised."""
    status: str
    reviewed_by: str | None
    review_note: str | None

    @property
    def factors(self) -> list[Factor]:
        """The explanation as factors (for the words of each multiplier)."""
        return factors_of(self.explanation)

    @property
    def delay_days(self) -> float:
        """Days between 'could have been linked' and 'was linked'."""
        return (self.raised_at - self.linkable_at).total_seconds() / 86400.0


@dataclass(frozen=True)
class Bridge:
    """The weakest link whose removal splits the series, and the parts it leaves."""

    link: SeriesLink
    parts: list[list[str]]


@dataclass(frozen=True)
class ProfileView:
    """The geographic profile of a series as map layers (computed here, drawn by Leaflet)."""

    method: str
    bands: list[dict[str, Any]]
    """GeoJSON features, one per band (``pct``: the share of the area searched first)."""
    top_km2: dict[float, float]
    """km² of the first 1/5/10 % of the search."""
    peak: tuple[float, float]
    cell_km2: float
    warning: str | None
    persons: list[dict[str, Any]] = field(default_factory=list)
    """Resolved persons of interest with a known home, ranked by the profile."""


@dataclass(frozen=True)
class SeriesDetail:
    """Everything the series page shows that the caller may see."""

    series_id: str
    members: list[Member]
    links: list[SeriesLink]
    bridge: Bridge | None
    parts: list[list[str]]
    """Connected parts over the links not dismissed (one part unless split)."""
    hidden: int
    """Members the caller may not see (counted, never named)."""

    @property
    def case_ids(self) -> list[str]:
        """Visible members' case ids."""
        return [m.case_id for m in self.members]


@dataclass(frozen=True)
class SeriesSummary:
    """A row of the series list."""

    series_id: str
    members: int
    links: int
    top_probability: float
    first_alert: datetime
    open_links: int


class SeriesService:
    """Scoped reads and reviewers' decisions on series (over part 1's service)."""

    def __init__(self, service: Caselink) -> None:
        self.service = service
        self.store = service.store

    # ------------------------------------------------------------ reads

    def _visible_links(self, scope: Scope) -> Any:
        """alerts whose two cases are both visible, with both case ids."""
        a, b = aliased(CaseRow), aliased(CaseRow)
        stmt = (
            select(AlertRow, a.case_id.label("a_id"), b.case_id.label("b_id"))
            .join(a, a.pk == AlertRow.case_pk)
            .join(b, b.pk == AlertRow.linked_case_pk)
            .where(AlertRow.series_id.is_not(None))
        )
        return scoped(scope, scoped(scope, stmt, a), b)

    def summaries(self, scope: Scope, limit: int = 50, offset: int = 0) -> list[SeriesSummary]:
        """Series with at least one link the caller can see, most recently alerted first."""
        inner = self._visible_links(scope).subquery()
        stmt = (
            select(
                inner.c.series_id,
                func.count(),
                func.max(inner.c.probability),
                func.min(inner.c.raised_at),
                func.sum((inner.c.status == "new").cast(AlertRow.pk.type)),
            )
            .group_by(inner.c.series_id)
            .order_by(func.max(inner.c.raised_at).desc(), inner.c.series_id)
            .limit(limit)
            .offset(offset)
        )
        with self.store.engine.connect() as conn:
            rows = conn.execute(stmt).all()
            out = []
            for sid, n_links, top, first, open_links in rows:
                members = self._member_rows(conn, scope, str(sid))
                out.append(
                    SeriesSummary(
                        str(sid),
                        len(members),
                        int(n_links),
                        float(top),
                        first,
                        int(open_links or 0),
                    )
                )
        return out

    def _member_rows(self, conn: Any, scope: Scope, series_id: str) -> list[Any]:
        member_pks = (
            select(AlertRow.case_pk)
            .where(AlertRow.series_id == series_id)
            .union(select(AlertRow.linked_case_pk).where(AlertRow.series_id == series_id))
        )
        stmt = scoped(scope, select(CaseRow).where(CaseRow.pk.in_(member_pks)))
        return list(conn.execute(stmt.order_by(CaseRow.occurred_from, CaseRow.case_id)).all())

    def series(self, scope: Scope, series_id: str) -> SeriesDetail:
        """One series as the caller may see it.

        Raises
        ------
        NotFoundError
            No member of the series is visible to the caller (or no such series).
        """
        with self.store.engine.connect() as conn:
            rows = self._member_rows(conn, scope, series_id)
            if not rows:
                raise NotFoundError(f"no series {series_id!r}")
            everyone = conn.execute(
                select(func.count()).select_from(
                    select(AlertRow.case_pk)
                    .where(AlertRow.series_id == series_id)
                    .union(select(AlertRow.linked_case_pk).where(AlertRow.series_id == series_id))
                    .subquery()
                )
            ).scalar_one()
            link_rows = conn.execute(
                self._visible_links(scope)
                .where(AlertRow.series_id == series_id)
                .order_by(AlertRow.raised_at, AlertRow.pk)
            ).all()
        members = [_member(r) for r in rows]
        recorded = {m.case_id: m.recorded_at for m in members}
        links = [
            SeriesLink(
                alert_id=row.pk,
                case_id=str(row.a_id),
                linked_case_id=str(row.b_id),
                probability=float(row.probability),
                explanation=row.explanation,
                raised_at=row.raised_at,
                linkable_at=max(recorded[str(row.a_id)], recorded[str(row.b_id)]),
                status=row.status,
                reviewed_by=row.reviewed_by,
                review_note=row.review_note,
            )
            for row in link_rows
        ]
        return SeriesDetail(
            series_id,
            members,
            links,
            bridge_of(members, links),
            parts_of(members, links),
            int(everyone) - len(members),
        )

    def profile(self, scope: Scope, detail: SeriesDetail, cells: int = 120) -> ProfileView | None:
        """The series' geographic profile (Rossmo's CGT) as contour bands; None below 2 cases."""
        if len(detail.members) < 2:
            return None
        lat = np.array([m.lat for m in detail.members])
        lon = np.array([m.lon for m in detail.members])
        surface = geoprofile(lat, lon, "cgt", cells=cells)
        warning = (
            f"Only {len(detail.members)} cases: a geographic profile of fewer than "
            f"{FEW_CASES} cases is unreliable; read it as a rough guide."
            if len(detail.members) < FEW_CASES
            else None
        )
        total = surface.grid.cell_area_km2 * surface.scores.size
        return ProfileView(
            method="Rossmo CGT",
            bands=contour_bands(surface),
            top_km2={p: total * p / 100.0 for p in TOP},
            peak=surface.point_latlon,
            cell_km2=surface.grid.cell_area_km2,
            warning=warning,
            persons=self._persons(scope, detail, surface),
        )

    def _persons(
        self, scope: Scope, detail: SeriesDetail, surface: Surface
    ) -> list[dict[str, Any]]:
        """Non-victim persons mentioned in the visible members, homes ranked by the profile."""
        stmt = (
            select(
                MentionRow.pk,
                MentionRow.name,
                MentionRow.role,
                MentionRow.address_lat,
                MentionRow.address_lon,
                CaseRow.case_id,
                ResolvedEntity.entity_id,
            )
            .join(CaseRow, CaseRow.pk == MentionRow.case_pk)
            .outerjoin(
                ResolvedEntity,
                (ResolvedEntity.mention_pk == MentionRow.pk) & (ResolvedEntity.kind == "person"),
            )
            .where(
                CaseRow.case_id.in_(detail.case_ids),
                MentionRow.role != "victim",
                MentionRow.address_lat.is_not(None),
                MentionRow.address_lon.is_not(None),
            )
        )
        with self.store.engine.connect() as conn:
            rows = conn.execute(scoped(scope, stmt)).all()
        if not rows:
            return []
        people: dict[str, dict[str, Any]] = {}
        for pk, name, role, plat, plon, case_id, entity in rows:
            pid = str(entity) if entity else f"m{pk}"
            person = people.setdefault(
                pid,
                {
                    "person_id": pid,
                    "lat": plat,
                    "lon": plon,
                    "name": name or "(unnamed)",
                    "roles": [],
                },
            )
            person["roles"].append(f"{role} in {case_id}")
        frame = pd.DataFrame(
            [
                {"person_id": p["person_id"], "lat": p["lat"], "lon": p["lon"], "label": p["name"]}
                for p in people.values()
            ]
        )
        ranked = rank_persons(surface, frame)
        out = []
        for pid, score in zip(ranked["person_id"], ranked["hit_score_pct"], strict=True):
            person = people[str(pid)]
            hit = float(score)
            out.append(
                {
                    **person,
                    "hit_score_pct": None if np.isnan(hit) else round(hit, 2),
                    "roles": "; ".join(person["roles"]),
                }
            )
        return out

    @staticmethod
    def outline(detail: SeriesDetail) -> list[list[float]]:
        """The convex hull of the members' places as (lat, lon) (the series' outline)."""
        points = sorted({(m.lon, m.lat) for m in detail.members})
        if len(points) < 3:
            return [[lat, lon] for lon, lat in points]

        def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
            return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

        hull: list[tuple[float, float]] = []
        for sweep in (points, list(reversed(points))):  # Andrew's monotone chain
            start = len(hull)
            for p in sweep:
                while len(hull) >= start + 2 and cross(hull[-2], hull[-1], p) <= 0:
                    hull.pop()
                hull.append(p)
            hull.pop()
        return [[lat, lon] for lon, lat in hull]

    def chart(
        self, scope: Scope, detail: SeriesDetail, *, placed: bool = True
    ) -> list[dict[str, Any]]:
        """Cytoscape elements: cases, the links between them, and the resolved persons,
        addresses, phones and vehicles mentioned in them (victims' names withheld when the
        scope hides victims). With ``placed``, a large chart's nodes come with their
        positions (:func:`caselink.service.chart_layout.with_positions`: the browser then
        skips its own layout); a small chart never does."""
        elements: list[dict[str, Any]] = [
            {
                "data": {
                    "id": f"case:{m.case_id}",
                    "label": m.case_id,
                    "kind": "case",
                    "href": f"/cases/{m.case_id}",
                }
            }
            for m in detail.members
        ]
        for link in detail.links:
            elements.append(
                {
                    "data": {
                        "id": f"link:{link.alert_id}",
                        "source": f"case:{link.case_id}",
                        "target": f"case:{link.linked_case_id}",
                        "kind": "link",
                        "p": round(link.probability, 4),
                        "label": f"{link.probability:.2f}",
                        "status": link.status,
                    }
                }
            )
        stmt = (
            select(
                MentionRow.role,
                MentionRow.name,
                CaseRow.case_id,
                ResolvedEntity.kind,
                ResolvedEntity.entity_id,
                MentionRow.address,
                MentionRow.phone,
                MentionRow.vehicle,
            )
            .join(CaseRow, CaseRow.pk == MentionRow.case_pk)
            .join(ResolvedEntity, ResolvedEntity.mention_pk == MentionRow.pk)
            .where(CaseRow.case_id.in_(detail.case_ids))
        )
        with self.store.engine.connect() as conn:
            rows = conn.execute(scoped(scope, stmt)).all()
        seen: set[str] = set()
        for role, name, case_id, kind, entity, address, phone, vehicle in rows:
            node = f"{kind}:{entity}"
            hidden = scope.hide_victims and role == "victim"
            if node not in seen:
                seen.add(node)
                shown = {"person": name, "address": address, "phone": phone, "vehicle": vehicle}
                label = "victim (withheld)" if hidden else str(shown.get(kind) or entity)
                data = {"id": node, "label": label, "kind": kind}
                if kind == "person":
                    data["href"] = f"/persons/{quote(str(entity), safe='')}"
                elements.append({"data": data})
            edge = f"{node}~{case_id}~{role}"
            if edge not in seen:
                seen.add(edge)
                elements.append(
                    {
                        "data": {
                            "id": edge,
                            "source": node,
                            "target": f"case:{case_id}",
                            "kind": "mention",
                            "label": role,
                        }
                    }
                )
        return with_positions(elements) if placed else elements

    # ------------------------------------------------------------ decisions

    def decide(
        self,
        scope: Scope,
        series_id: str,
        decision: SeriesDecision,
        by: str,
        note: str,
    ) -> list[int]:
        """A reviewer's decision on a series; returns the alert ids decided.

        ``confirm`` confirms every undecided visible link, ``dismiss`` dismisses
        them, ``split`` dismisses the bridge link (the series is then shown as
        its parts). Each link goes through the one decision of part 1's
        service (who, when, why; never overwritten).

        Raises
        ------
        NotFoundError
            The series is not visible to the caller.
        ValueError
            An unknown decision, an empty note, nothing left to decide, or a
            series with no bridge to split at.
        """
        detail = self.series(scope, series_id)
        if decision not in ("confirm", "dismiss", "split"):
            raise ValueError(f"decision must be confirm, split or dismiss, got {decision!r}")
        if not note.strip():
            raise ValueError("a decision on a series needs a reason (note)")
        if decision == "split":
            if detail.bridge is None:
                raise ValueError(f"series {series_id} has no bridge link to split at")
            targets = [detail.bridge.link]
        else:
            targets = [link for link in detail.links if link.status == "new"]
        if not targets:
            raise ValueError(f"series {series_id} has no undecided link left")
        link_decision: Literal["confirm", "dismiss"] = (
            "confirm" if decision == "confirm" else "dismiss"
        )
        text = f"series {decision}: {note.strip()}"
        decided = []
        for link in targets:
            self.service.decide_alert(scope, link.alert_id, link_decision, by, text)
            decided.append(link.alert_id)
        return decided


def _member(row: Any) -> Member:
    recorded = row.reported_at or row.occurred_to or row.occurred_from
    return Member(
        row.case_id,
        row.case_type,
        row.occurred_from,
        row.occurred_to,
        recorded,
        float(row.lat),
        float(row.lon),
        row.victim_group,
        row.status,
        row.force,
    )


def _graph(members: Sequence[Member], links: Sequence[SeriesLink]) -> nx.Graph:
    graph: nx.Graph = nx.Graph()
    graph.add_nodes_from(m.case_id for m in members)
    for link in links:
        if link.status != "dismissed":
            graph.add_edge(link.case_id, link.linked_case_id, link=link)
    return graph


def parts_of(members: Sequence[Member], links: Sequence[SeriesLink]) -> list[list[str]]:
    """Connected parts of the series over its links not dismissed, largest first."""
    parts = [sorted(p) for p in nx.connected_components(_graph(members, links))]
    return sorted(parts, key=lambda p: (-len(p), p[0]))


def bridge_of(members: Sequence[Member], links: Sequence[SeriesLink]) -> Bridge | None:
    """The weakest link (lowest probability) whose removal splits the series; None when
    every link has a detour (no bridge) or there is no link."""
    graph = _graph(members, links)
    bridges = [graph.edges[u, v]["link"] for u, v in nx.bridges(graph)]
    if not bridges:
        return None
    weakest: SeriesLink = min(bridges, key=lambda link: (link.probability, link.alert_id))
    graph.remove_edge(weakest.case_id, weakest.linked_case_id)
    parts = [sorted(p) for p in nx.connected_components(graph)]
    return Bridge(weakest, sorted(parts, key=lambda p: (-len(p), p[0])))


def contour_bands(surface: Surface) -> list[dict[str, Any]]:
    """The profile as bands: the cells reached within the first 1, 1-5, 5-10, 10-25, 25-50 %
    of the search, each as rings of (lat, lon) to fill even-odd (so holes stay holes).

    Contours are traced by matplotlib on the surface's percentile map (cell
    centres, km), then converted to degrees. Smallest band last, to draw on top.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    pct = surface.percentile_map()
    grid = surface.grid
    xx, yy = np.meshgrid(grid.x, grid.y)
    fig, ax = plt.subplots()
    try:
        filled = ax.contourf(xx, yy, pct, levels=[0.0, *BANDS])
        bands = []
        for top, path in zip(BANDS, filled.get_paths(), strict=False):
            rings = []
            for polygon in path.to_polygons():
                ring = np.asarray(polygon, dtype=np.float64)
                if len(ring) < 3:
                    continue
                lat, lon = grid.projection.to_latlon(ring[:, 0], ring[:, 1])
                rings.append(
                    [
                        [round(float(a), 6), round(float(o), 6)]
                        for a, o in zip(lat, lon, strict=True)
                    ]
                )
            if rings:
                bands.append({"pct": top, "rings": rings})
    finally:
        plt.close(fig)
    return list(reversed(bands))


def series_with_case(service: Caselink, scope: Scope, case_id: str) -> list[str]:
    """Series ids with a visible link touching ``case_id`` (for the case page's links)."""
    a, b = aliased(CaseRow), aliased(CaseRow)
    stmt = (
        select(AlertRow.series_id)
        .join(a, a.pk == AlertRow.case_pk)
        .join(b, b.pk == AlertRow.linked_case_pk)
        .where(AlertRow.series_id.is_not(None), or_(a.case_id == case_id, b.case_id == case_id))
        .distinct()
    )
    with service.store.engine.connect() as conn:
        return [str(s) for (s,) in conn.execute(scoped(scope, scoped(scope, stmt, a), b))]
