"""The series pages: the list, one series (members, links, bridge, map with profile,
timeline, link chart), a reviewer's decision on it, and the link chart as GraphML.

Same mechanisms as part 1's pages: every route declares its action
(:mod:`caselink.web.policy`), reads through the scoped service
(:mod:`caselink.service.series`) and is audited (:mod:`caselink.service.audit`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import quoteattr

from fastapi import Request
from fastapi.responses import Response

from caselink.service import audit
from caselink.service.replay_view import ReplayAlert, replayed_between
from caselink.service.series import SeriesDecision, SeriesDetail, SeriesService
from caselink.web import review_pack
from caselink.web.rendering import render
from caselink.web.routing import Routes
from caselink.web.security import caller, state


def series_service(request: Request) -> SeriesService:
    """The series service over the app's one :class:`~caselink.service.caselink.Caselink`."""
    return SeriesService(state(request).service)


def register(routes: Routes) -> None:
    """Add the series pages to ``routes``."""

    @routes.get("/series", "series.read")
    def series_list(request: Request, page: int = 1) -> Response:
        who = caller(request)
        page = max(1, page)
        rows = series_service(request).summaries(who.user.scope(), 50, (page - 1) * 50)
        return render(request, "series_list.html", rows=rows, page=page)

    @routes.get("/series/{series_id}", "series.read")
    def series_page(request: Request, series_id: str) -> Response:
        return _series_page(request, series_id)

    @routes.post("/series/{series_id}/decision", "link.decide")
    async def decide(request: Request, series_id: str) -> Response:
        app, who = state(request), caller(request)
        service = series_service(request)
        service.series(who.user.scope(), series_id)  # out of scope: 404 before anything else
        form = await request.form()
        raw = str(form.get("decision") or "")
        if raw not in ("confirm", "split", "dismiss"):
            raise ValueError("decision must be confirm, split or dismiss")
        decision: SeriesDecision = raw  # type: ignore[assignment]
        note = str(form.get("note") or "")
        decided = service.decide(who.user.scope(), series_id, decision, who.user.name, note)
        audit.record(
            app.service.store,
            who.user.name,
            f"series.{decision}",
            series_id,
            note=note,
            alerts=decided,
        )
        return _series_page(
            request, series_id, message=f"Series {decision}: {len(decided)} link(s) decided."
        )

    @routes.get("/series/{series_id}/pack.pdf", "case.export")
    def pack_pdf(request: Request, series_id: str) -> Response:
        return _pack(request, series_id, "pdf")

    @routes.get("/series/{series_id}/pack.html", "case.export")
    def pack_html(request: Request, series_id: str) -> Response:
        return _pack(request, series_id, "html")

    @routes.get("/series/{series_id}/chart.graphml", "case.export")
    def graphml(request: Request, series_id: str) -> Response:
        app, who = state(request), caller(request)
        service = series_service(request)
        scope = who.user.scope()
        detail = service.series(scope, series_id)
        elements = service.chart(scope, detail, placed=False)  # GraphML has no positions
        audit.record(app.service.store, who.user.name, "series.export", series_id, format="graphml")
        return Response(
            to_graphml(elements),
            media_type="application/graphml+xml",
            headers={"Content-Disposition": f'attachment; filename="{series_id}.graphml"'},
        )


def _pack(request: Request, series_id: str, kind: str) -> Response:
    app, who = state(request), caller(request)
    pack = review_pack.build(app.service, who.user.scope(), series_id, who.user.name)
    audit.record(app.service.store, who.user.name, "series.report", series_id, format=kind)
    if kind == "pdf":
        body: str | bytes = review_pack.to_pdf(pack)
        media = "application/pdf"
    else:
        body, media = pack.html, "text/html"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="review-pack-{series_id}.{kind}"'},
    )


def _series_page(request: Request, series_id: str, message: str | None = None) -> Response:
    app, who = state(request), caller(request)
    service = series_service(request)
    scope = who.user.scope()
    detail = service.series(scope, series_id)
    audit.record(app.service.store, who.user.name, "series.read", series_id)
    profile = service.profile(scope, detail)
    return render(
        request,
        "series.html",
        s=detail,
        profile=profile,
        data=page_data(
            detail,
            profile,
            service.outline(detail),
            service.chart(scope, detail),
            replayed_between(app.service, scope, detail.case_ids),
        ),
        message=message,
    )


def page_data(
    detail: SeriesDetail,
    profile: Any,
    outline: list[list[float]],
    chart: list[dict[str, Any]],
    replayed: Sequence[ReplayAlert] = (),
) -> dict[str, Any]:
    """What series.js draws (JSON in a data block: no inline script); ``replayed``: the
    stored replay's alerts between members (the day each link would have been raised)."""
    return {
        "series_id": detail.series_id,
        "members": [
            {
                "id": m.case_id,
                "type": m.case_type,
                "lat": m.lat,
                "lon": m.lon,
                "from": m.occurred_from.isoformat(),
                "to": m.occurred_to.isoformat() if m.occurred_to else None,
                "recorded": m.recorded_at.isoformat(),
            }
            for m in detail.members
        ],
        "links": [
            {
                "id": link.alert_id,
                "a": link.case_id,
                "b": link.linked_case_id,
                "p": link.probability,
                "raised": link.raised_at.isoformat(),
                "linkable": link.linkable_at.isoformat(),
                "status": link.status,
            }
            for link in detail.links
        ],
        "replayed": [
            {
                "a": r.case_id,
                "b": r.linked_case_id,
                "p": r.probability,
                "at": r.alerted_at.isoformat(),
            }
            for r in replayed
        ],
        "outline": outline,
        "bands": profile.bands if profile else [],
        "peak": list(profile.peak) if profile else None,
        "persons": [
            {"name": p["name"], "lat": p["lat"], "lon": p["lon"], "hit": p["hit_score_pct"]}
            for p in (profile.persons if profile else [])
        ],
        "chart": chart,
    }


def to_graphml(elements: list[dict[str, Any]]) -> str:
    """Cytoscape elements as GraphML (nodes with kind/label, edges with kind/label/p)."""
    keys = [
        ('<key id="kind" for="all" attr.name="kind" attr.type="string"/>'),
        ('<key id="label" for="all" attr.name="label" attr.type="string"/>'),
        ('<key id="p" for="edge" attr.name="probability" attr.type="double"/>'),
    ]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        *keys,
        '<graph id="series" edgedefault="undirected">',
    ]
    for element in elements:
        d = element["data"]
        body = (
            f'<data key="kind">{_text(d["kind"])}</data>'
            f'<data key="label">{_text(d.get("label", ""))}</data>'
        )
        if "source" in d:
            if "p" in d:
                body += f'<data key="p">{float(d["p"])}</data>'
            lines.append(
                f"<edge id={quoteattr(d['id'])} source={quoteattr(d['source'])} "
                f"target={quoteattr(d['target'])}>{body}</edge>"
            )
        else:
            lines.append(f"<node id={quoteattr(d['id'])}>{body}</node>")
    lines += ["</graph>", "</graphml>"]
    return "\n".join(lines) + "\n"


def _text(value: Any) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
