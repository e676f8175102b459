"""The series pages, asserted on their elements: members, links, bridge, map data with the
profile's bands, timeline data, link chart, a reviewer's decisions, scoping and audit."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime

import numpy as np
import pytest
from matplotlib.path import Path as MplPath

from caselink.geoprofile.methods import geoprofile
from caselink.service import audit, chart_layout
from caselink.service.series import SeriesLink, bridge_of, contour_bands, parts_of
from caselink.web.rendering import CHART_SCRIPTS
from tests.web.conftest import Site
from tests.web.html import parse


def page_data(html: str) -> dict:  # type: ignore[type-arg]
    """The JSON data block the page's script draws from."""
    return json.loads(parse(html).by_id("series-data").text)


def test_series_list_is_scoped(shared_site: Site) -> None:
    rows = parse(shared_site.client("viewer").get("/series").text).by_id("series-list").rows()
    ids = [r[0] for r in rows]
    assert "S-N1" in ids
    n1 = next(r for r in rows if r[0] == "S-N1")
    assert n1[1:5] == ["3", "2", "2", "0.97"]  # members, links, undecided, strongest
    south = parse(shared_site.client("viewer-south").get("/series").text).by_id("series-list")
    assert "S-N1" not in [r[0] for r in south.rows()]


def test_series_page_members_links_bridge(shared_site: Site) -> None:
    doc = parse(shared_site.client("reviewer").get("/series/S-N1").text)
    assert doc.by_id("series-title").text.startswith("Series S-N1")
    assert [r[0] for r in doc.by_id("series-members").rows()] == ["N1", "N2", "N3"]
    links = doc.by_id("series-links").rows()
    assert [(r[0], r[1]) for r in links] == [("N2 ~ N1", "0.97"), ("N3 ~ N1 bridge", "0.91")]
    assert links[0][3] == "2014-09-20 12:00"  # the alert as raised
    assert links[1][2] == "2014-09-20 10:00"  # could have been raised once N3 was recorded
    assert "both victims lgbt" in links[0][5]
    bridge = doc.by_id("series-bridge").text
    assert "N3 ~ N1" in bridge and "N1, N2" in bridge and "N3" in bridge
    assert doc.has_id("series-decision")  # a reviewer may decide
    assert doc.has_id("series-map") and doc.has_id("series-timeline")
    assert doc.has_id("series-chart") and doc.has_id("p-slider")


def test_series_map_data_has_cases_outline_and_profile_bands(shared_site: Site) -> None:
    html = shared_site.client("analyst").get("/series/S-N1").text
    data = page_data(html)
    assert [m["id"] for m in data["members"]] == ["N1", "N2", "N3"]
    assert len(data["outline"]) == 3
    assert [b["pct"] for b in data["bands"]] == [50.0, 25.0, 10.0, 5.0, 1.0]
    assert all(len(ring) >= 3 for b in data["bands"] for ring in b["rings"])
    doc = parse(html)
    areas = doc.by_id("profile-areas").text
    assert "1% of the search covers" in areas and "km²" in areas
    assert "fewer than 5 cases" in doc.by_id("profile-warning").text


def test_series_timeline_and_chart_data(shared_site: Site) -> None:
    data = page_data(shared_site.client("viewer").get("/series/S-N1").text)
    assert {m["recorded"][:10] for m in data["members"]} == {
        "2014-06-19",
        "2014-08-28",
        "2014-09-20",
    }
    assert [(link["a"], link["b"], link["raised"][:10]) for link in data["links"]] == [
        ("N2", "N1", "2014-09-20"),
        ("N3", "N1", "2014-09-20"),
    ]
    kinds = [e["data"]["kind"] for e in data["chart"]]
    assert kinds.count("case") == 3 and kinds.count("link") == 2
    edge = next(e["data"] for e in data["chart"] if e["data"]["kind"] == "link")
    assert edge["p"] == 0.97 and edge["source"] == "case:N2" and edge["target"] == "case:N1"
    # a small chart: the browser lays it out (no positions sent)
    assert all("position" not in e for e in data["chart"])


def test_a_large_charts_nodes_come_placed(
    shared_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chart_layout, "LARGE_CHART", 3)  # S-N1's chart counts as large
    chart = page_data(shared_site.client("viewer").get("/series/S-N1").text)["chart"]
    assert len(chart) > 3
    nodes = [e for e in chart if "source" not in e["data"]]
    edges = [e for e in chart if "source" in e["data"]]
    assert nodes and all(set(e["position"]) == {"x", "y"} for e in nodes)
    assert all("position" not in e for e in edges)


def test_the_series_page_loads_the_charts_scripts_in_order(shared_site: Site) -> None:
    html = shared_site.client("viewer").get("/series/S-N1").text
    loaded = [s.removeprefix("/static/") for s in re.findall(r'<script src="([^"]+)"', html)]
    assert [s for s in loaded if s in CHART_SCRIPTS] == list(CHART_SCRIPTS)


def test_series_reads_are_scoped_and_audited(site: Site) -> None:
    north = parse(site.client("viewer").get("/series/S-S1").text)
    # S-S1 joins S1, S2 (south) and N4 (north): a north viewer sees N4 only, no link
    assert [r[0] for r in north.by_id("series-members").rows()] == ["N4"]
    assert "2 member(s) belong to another force" in north.by_id("series-hidden").text
    assert "No link" in north.by_id("series-links").text
    south = parse(site.client("viewer-south").get("/series/S-N1").text)
    assert "No such page" in south.text
    assert site.client("viewer-south").get("/series/S-N1").status_code == 404
    reads = list(audit.entries(site.store, action="series.read", target="S-S1"))
    assert reads and reads[-1].actor == "viewer"
    denied = list(audit.entries(site.store, action="object.not_found"))
    assert any(e.target == "/series/S-N1" for e in denied)
    oversight = parse(site.client("oversight").get("/series/S-S1").text)
    members = [r[0] for r in oversight.by_id("series-members").rows()]
    assert members == ["S1", "S2", "N4"]  # oversight sees every force, in date order


def test_reviewer_splits_then_confirms_a_series(site: Site) -> None:
    client = site.client("reviewer")
    headers = site.csrf(client)
    empty = client.post(
        "/series/S-N1/decision", data={"decision": "split", "note": " "}, headers=headers
    )
    assert empty.status_code == 400  # a decision needs a reason
    split = client.post(
        "/series/S-N1/decision",
        data={"decision": "split", "note": "N3 is a different pattern"},
        headers=headers,
    )
    assert split.status_code == 200
    doc = parse(split.text)
    assert "1 link(s) decided" in doc.text
    assert "2 parts" in doc.by_id("series-parts").text
    assert site.service.alert(site.users["reviewer"].scope(), site.alerts["north2"]).status == (
        "dismissed"
    )
    confirm = client.post(
        "/series/S-N1/decision",
        data={"decision": "confirm", "note": "same supplier of GHB"},
        headers=headers,
    )
    assert "1 link(s) decided" in parse(confirm.text).text
    confirmed = site.service.alert(site.users["reviewer"].scope(), site.alerts["north"])
    assert confirmed.status == "reviewed" and confirmed.reviewed_by == "reviewer"
    again = client.post(
        "/series/S-N1/decision", data={"decision": "dismiss", "note": "x"}, headers=headers
    )
    assert again.status_code == 400  # nothing left undecided; decisions are never overwritten
    decisions = [e.action for e in audit.entries(site.store, target="S-N1")]
    assert "series.split" in decisions and "series.confirm" in decisions


def test_series_decisions_need_a_reviewer_and_csrf(site: Site) -> None:
    analyst = site.client("analyst")
    refused = analyst.post(
        "/series/S-N1/decision",
        data={"decision": "confirm", "note": "x"},
        headers=site.csrf(analyst),
    )
    assert refused.status_code == 403
    reviewer = site.client("reviewer")
    no_token = reviewer.post("/series/S-N1/decision", data={"decision": "confirm", "note": "x"})
    assert no_token.status_code == 403
    assert site.service.alert(site.users["reviewer"].scope(), site.alerts["north"]).status == "new"


def test_link_chart_exports_graphml(shared_site: Site) -> None:
    response = shared_site.client("analyst").get("/series/S-N1/chart.graphml")
    assert response.headers["content-type"].startswith("application/graphml+xml")
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    graph = ET.fromstring(response.text)
    nodes = {n.get("id") for n in graph.iterfind(".//g:node", ns)}
    assert {"case:N1", "case:N2", "case:N3"} <= nodes
    edges = [(e.get("source"), e.get("target")) for e in graph.iterfind(".//g:edge", ns)]
    assert ("case:N2", "case:N1") in edges
    exports = list(audit.entries(shared_site.store, action="series.export"))
    assert exports and exports[-1].target == "S-N1"


def _link(i: int, a: str, b: str, p: float, status: str = "new") -> SeriesLink:
    when = datetime(2014, 1, 1)
    return SeriesLink(i, a, b, p, None, when, when, status, None, None)


class _M:
    def __init__(self, case_id: str) -> None:
        self.case_id = case_id


def test_bridge_is_the_weakest_link_that_splits() -> None:
    members = [_M(c) for c in "ABCD"]
    chain = [_link(1, "A", "B", 0.9), _link(2, "B", "C", 0.6), _link(3, "C", "D", 0.8)]
    bridge = bridge_of(members, chain)  # type: ignore[arg-type]
    assert bridge is not None and bridge.link.alert_id == 2
    assert bridge.parts == [["A", "B"], ["C", "D"]]
    triangle = [_link(1, "A", "B", 0.9), _link(2, "B", "C", 0.6), _link(3, "C", "A", 0.8)]
    assert bridge_of(members[:3], triangle) is None  # type: ignore[arg-type]
    dismissed = [*chain[:1], _link(2, "B", "C", 0.6, "dismissed"), chain[2]]
    assert parts_of(members, dismissed) == [["A", "B"], ["C", "D"]]  # type: ignore[arg-type]


def test_profile_bands_hold_the_peak_and_grow_outwards() -> None:
    lat = np.array([51.539, 51.5372, 51.5373, 51.545, 51.53])
    lon = np.array([0.081, 0.0801, 0.0802, 0.07, 0.09])
    surface = geoprofile(lat, lon, "cgt", cells=80)
    bands = {b["pct"]: b["rings"] for b in contour_bands(surface)}
    assert set(bands) == {1.0, 5.0, 10.0, 25.0, 50.0}

    def inside(pct: float, point: tuple[float, float]) -> bool:
        hits = sum(MplPath(np.array(r)).contains_point(point) for r in bands[pct])
        return hits % 2 == 1  # even-odd: a ring inside a ring is a hole

    peak = surface.point_latlon
    assert inside(1.0, peak)
    assert not inside(50.0, peak)  # bands are disjoint: the 25-50 % band is further out
    corner = surface.grid.projection.to_latlon(surface.grid.x[0], surface.grid.y[0])
    assert not any(inside(p, (float(corner[0]), float(corner[1]))) for p in bands)
