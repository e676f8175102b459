"""The analysts' pages, asserted on their elements (not snapshots)."""

from __future__ import annotations

from caselink.service import audit
from tests.web.conftest import Site
from tests.web.html import parse


def test_cases_list_facets_search_and_paging(shared_site: Site) -> None:
    client = shared_site.client("viewer")
    doc = parse(client.get("/cases").text)
    rows = doc.by_id("cases-table").rows()
    assert [r[0] for r in rows] == ["N3", "N2", "N4", "N1"]  # newest first
    assert "4 case(s)" in doc.by_id("case-count").text
    facets = doc.by_id("facets").text
    assert "drug related death 3" in facets.replace("_", " ") or "drug_related_death 3" in facets
    assert "S1" not in doc.by_id("cases-table").text  # another force's case is not listed
    searched = parse(client.get("/cases?q=churchyard").text).by_id("cases-table").rows()
    assert sorted(r[0] for r in searched) == ["N2", "N3"]
    typed = parse(client.get("/cases?type=robbery").text).by_id("cases-table").rows()
    assert [r[0] for r in typed] == ["N4"]
    dated = parse(client.get("/cases?since=2014-08-01&until=2014-09-01").text)
    assert [r[0] for r in dated.by_id("cases-table").rows()] == ["N2"]
    open_alerts = parse(client.get("/cases?open_alerts=1").text).by_id("cases-table").rows()
    assert sorted(r[0] for r in open_alerts) == ["N1", "N2", "N3"]


def test_cases_export_is_scoped_and_audited(shared_site: Site) -> None:
    client = shared_site.client("analyst")
    response = client.get("/cases/export.csv?type=drug_related_death")
    lines = response.text.strip().splitlines()
    assert lines[0].startswith("case_id,case_type")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["N1", "N2", "N3"]
    exports = list(audit.entries(shared_site.store, action="case.export"))
    assert (
        exports
        and exports[-1].actor == "analyst"
        and "drug_related_death" in str(exports[-1].detail)
    )


def test_case_page_shows_everything_known(shared_site: Site) -> None:
    client = shared_site.client("reviewer")
    doc = parse(client.get("/cases/N1").text)
    assert doc.by_id("case-title").text.startswith("N1")
    assert "lgbt" in doc.by_id("case-fields").text
    assert ["drugs", "ghb"] in doc.by_id("case-mo").rows()
    assert "GHB suspected" in doc.by_id("case-narrative").text
    mapbox = doc.by_id("case-map")
    assert mapbox.attrs["data-lat"] == "51.539" and mapbox.attrs["data-lon"] == "0.081"
    people = doc.by_id("case-people").rows()
    assert people[0][:2] == ["victim", "Anthony Walgate"]
    checks = dict((r[0], r[1]) for r in doc.by_id("case-checks").rows())
    assert checks["cctv"] == "done"
    assert "missing" in checks.values()
    links = doc.by_id("case-links").find_all("li", class_="link-item")
    assert [li.find_all("a")[0].text for li in links] == ["N2", "N3"]  # most probable first
    waterfall = links[0].find_all("table", class_="waterfall")[0].rows()
    assert waterfall[0][0] == "prior: the model's odds before any evidence"
    assert waterfall[1][:2] == ["both victims lgbt", "×17"]
    assert waterfall[2][2] == "×71.4"  # running odds: 17 × 4.2
    assert "no evidence" in waterfall[-1][0] or "carried no evidence" in waterfall[-1][0]
    assert "1 link(s) to cases of another force are not shown" not in doc.text
    assert doc.has_id("viewed-by") and "reviewer" in doc.by_id("viewed-by").text
    assert doc.has_id("raise-action")


def test_case_page_counts_links_it_cannot_show(shared_site: Site) -> None:
    doc = parse(shared_site.client("viewer-south").get("/cases/S1").text)
    assert "1 link(s) to cases of another force are not shown" in doc.text
    assert [
        li.find_all("a")[0].text
        for li in doc.by_id("case-links").find_all("li", class_="link-item")
    ] == ["S2"]
    assert not doc.has_id("viewed-by")  # viewers do not see who viewed
    assert not doc.has_id("raise-action")  # viewers cannot raise actions


def test_case_read_is_audited(shared_site: Site) -> None:
    shared_site.client("analyst").get("/cases/N3")
    reads = [e for e in audit.entries(shared_site.store, action="case.read", target="N3")]
    assert reads and reads[-1].actor == "analyst"


def test_compare_marks_agreement(shared_site: Site) -> None:
    doc = parse(shared_site.client("viewer").get("/compare?ids=N2,N3").text)
    rows = {r[0]: r for r in doc.by_id("compare-table").rows()}
    assert rows["case type"][-1] == "agree"
    assert rows["victim age"][-1] == "disagree"
    assert rows["MO: location type"][1:] == ["churchyard", "churchyard", "agree"]
    assert rows["place"][-1] == "agree"
    assert "both location type churchyard" not in doc.text  # N2~N3 has no stored link
    assert "No link was raised" in doc.text
    linked = parse(shared_site.client("viewer").get("/compare?ids=N1,N2,N4").text)
    assert "both victims lgbt" in linked.text and "MO: drugs" in linked.text
    assert {r[-1] for r in linked.by_id("compare-table").rows() if r[0] == "MO: drugs"} == {
        "missing"
    }


def test_alerts_inbox_and_triage(site: Site) -> None:
    client = site.client("reviewer")
    doc = parse(client.get("/alerts").text)
    cards = doc.by_id("alert-list").find_all("article")
    assert [c.attrs["id"] for c in cards] == [
        f"alert-{site.alerts[k]}" for k in ("north2", "north")
    ]
    assert doc.has_id("alert-poller")
    headers = site.csrf(client)
    alert = site.alerts["north"]
    empty = client.post(
        f"/alerts/{alert}/decision", data={"decision": "dismiss", "note": ""}, headers=headers
    )
    assert empty.status_code == 422 and "reason" in empty.text
    done = client.post(
        f"/alerts/{alert}/decision",
        data={"decision": "dismiss", "note": "different offender in custody"},
        headers=headers,
    )
    card = parse(done.text).by_id(f"alert-{alert}")
    assert "dismissed by reviewer" in card.text and "different offender in custody" in card.text
    assert [e.target for e in audit.entries(site.store, action="alert.dismiss")] == [str(alert)]
    remaining = parse(client.get("/alerts").text).by_id("alert-list").find_all("article")
    assert [c.attrs["id"] for c in remaining] == [f"alert-{site.alerts['north2']}"]
    analyst = parse(site.client("analyst").get("/alerts").text)
    assert not analyst.find_all("form", class_="triage")  # only reviewers decide links


def test_inbox_poll_brings_new_alerts(site: Site) -> None:
    from datetime import datetime

    from caselink.alerts.alerting import Alert
    from caselink.alerts.ledger import write_alerts

    client = site.client("analyst")
    newest = max(site.alerts["north"], site.alerts["north2"])
    quiet = parse(client.get(f"/alerts/since/{newest}").text)
    assert quiet.by_id("alert-poller").attrs["hx-get"] == f"/alerts/since/{newest}"
    with site.store.transaction() as conn:
        [fresh] = write_alerts(
            conn,
            [
                Alert(
                    "N4",
                    "N2",
                    0.7,
                    "both victims male (x2)",
                    "S-N2",
                    "joins",
                    datetime(2014, 9, 21),
                )
            ],
        )
    polled = parse(client.get(f"/alerts/since/{newest}").text)
    assert polled.by_id("alert-poller").attrs["hx-get"] == f"/alerts/since/{fresh.alert_id}"
    assert polled.has_id(f"alert-{fresh.alert_id}")


def test_import_shows_row_errors_and_writes_nothing(site: Site) -> None:
    client = site.client("analyst")
    bad = "case_id,case_type,occurred_from,lat,lon\nN9,assault,2014-13-01,51.5,0.1\nN10,assault,2014-10-01,95,0.1\n"
    response = client.post(
        "/import", files={"cases": ("cases.csv", bad, "text/csv")}, headers=site.csrf(client)
    )
    assert response.status_code == 422
    doc = parse(response.text)
    rows = doc.by_id("row-errors").rows()
    assert {(r[0], r[1], r[2]) for r in rows} >= {
        ("cases.csv", "1", "occurred_from"),
        ("cases.csv", "2", "lat"),
    }
    assert "nothing was written" in doc.text
    assert site.service.can_see(site.users["analyst"].scope(), "N9") is False
    good = "case_id,case_type,occurred_from,lat,lon\nN9,assault,2014-10-01,51.5,0.1\n"
    response = client.post(
        "/import", files={"cases": ("cases.csv", good, "text/csv")}, headers=site.csrf(client)
    )
    assert response.status_code == 200
    assert "Imported 1 new" in parse(response.text).by_id("import-result").text
    assert site.client("analyst").get("/cases/N9").status_code == 200  # the importer's force
    assert site.client("viewer-south").get("/cases/N9").status_code == 404


def test_import_skip_invalid_keeps_the_valid_rows(site: Site) -> None:
    client = site.client("analyst")
    mixed = "case_id,case_type,occurred_from,lat,lon\nN9,assault,2014-10-01,51.5,0.1\nN10,assault,nope,51.5,0.1\n"
    response = client.post(
        "/import",
        files={"cases": ("cases.csv", mixed, "text/csv")},
        data={"skip_invalid": "1"},
        headers=site.csrf(client),
    )
    doc = parse(response.text)
    assert "Imported 1 new" in doc.by_id("import-result").text
    assert [r[1] for r in doc.by_id("row-errors").rows()] == ["2"]


def test_add_a_case_validates_and_stores(site: Site) -> None:
    client = site.client("analyst")
    headers = site.csrf(client)
    form = {
        "case_id": "N20",
        "case_type": "drug_related_death",
        "occurred_from": "2014-10-01T03:00",
        "lat": "200",
        "lon": "0.08",
    }
    refused = client.post("/cases/new", data=form, headers=headers)
    assert refused.status_code == 422 and "lat" in parse(refused.text).by_id("row-errors").text
    assert site.client("analyst").get("/cases/N20").status_code == 404
    form["lat"] = "51.537"
    form["attr_drugs"] = "ghb"
    added = client.post("/cases/new", data=form, headers=headers)
    assert added.status_code == 200 and "Stored N20" in parse(added.text).by_id("added").text
    page = parse(site.client("analyst").get("/cases/N20").text)
    assert page.by_id("case-fields").text.count("north") == 1
    assert any(e.target == "N20" for e in audit.entries(site.store, action="case.add"))


def test_account_lists_and_ends_sessions(site: Site) -> None:
    client = site.client("viewer")
    other = site.client("viewer")
    other.get("/cases")
    doc = parse(client.get("/account").text)
    assert len(doc.by_id("sessions").rows()) == 2
    mine = {s.pk for s in site.accounts.sessions(site.users["viewer"])}
    current = site.accounts.session(client.cookies["__Host-caselink-session"])
    assert current is not None
    (victim,) = mine - {current.pk}
    response = client.post(f"/account/sessions/{victim}/revoke", headers=site.csrf(client))
    assert response.status_code == 200 and len(parse(response.text).by_id("sessions").rows()) == 1
    assert other.get("/cases", follow_redirects=False).status_code == 303
    site.client("analyst")
    theirs = site.accounts.sessions(site.users["analyst"])[0].pk
    assert (
        client.post(f"/account/sessions/{theirs}/revoke", headers=site.csrf(client)).status_code
        == 404
    )


def test_audit_page_for_oversight_shows_the_chain(shared_site: Site) -> None:
    doc = parse(shared_site.client("oversight").get("/audit").text)
    assert doc.by_id("audit-check").text.startswith("Chain intact")
    assert doc.by_id("audit-table").rows()
    assert shared_site.client("analyst").get("/audit").status_code == 403
