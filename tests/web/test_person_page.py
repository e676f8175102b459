"""The person page: a resolved person's mentions across the caller's cases and roles with the
evidence of each merge; victims' identifying fields withheld from oversight; audited."""

from __future__ import annotations

import json

import pandas as pd

from caselink.service import audit
from tests.web.conftest import Site
from tests.web.html import parse


def resolve_people(site: Site) -> None:
    """Person resolution over the test store's three mentions: one person each (Dean
    Corrigan, reporter in N1, with his merge evidence; the two victims)."""
    if not site.store.resolution_frame("person").empty:
        return
    # mention ids are the rank of each people.csv row: 0 Walgate (N1), 1 Corrigan (N1), 2 Flat (S1)
    frame = pd.DataFrame(
        {
            "mention_id": [0, 1, 2],
            "entity_id": ["P-walgate", "P-dean", "P-samuel"],
            "match_weight": [None, 9.5, None],
            "evidence": [None, "same name and date of birth (x140); same phone (x30)", None],
        }
    )
    site.store.replace_resolution("person", frame)


def test_person_page_shows_mentions_roles_and_evidence(site: Site) -> None:
    resolve_people(site)
    doc = parse(site.client("analyst").get("/persons/P-dean").text)
    assert doc.by_id("person-title").text == "Person P-dean"
    rows = doc.by_id("person-mentions").rows()
    assert rows[0][:5] == [
        "N1",
        "drug related death",
        "2014-06-19 03:00",
        "reporter",
        "Dean Corrigan",
    ]
    assert rows[0][7] == "9.5" and "same phone" in rows[0][8]
    assert "reporter × 1" in doc.by_id("person-roles").text
    reads = list(audit.entries(site.store, action="person.read", target="P-dean"))
    assert reads and reads[-1].actor == "analyst"


def test_person_page_is_scoped_and_hides_victims_from_oversight(site: Site) -> None:
    resolve_people(site)
    assert site.client("analyst-south").get("/persons/P-dean").status_code == 404
    assert site.client("analyst").get("/persons/P-samuel").status_code == 404
    oversight = parse(site.client("oversight").get("/persons/P-walgate").text)
    row = oversight.by_id("person-mentions").rows()[0]
    assert row[3] == "victim" and "withheld" in row[4]
    assert "Walgate" not in oversight.text
    assert "Anthony Walgate" in site.client("analyst").get("/persons/P-walgate").text


def test_series_link_chart_shows_resolved_persons_and_links_to_them(site: Site) -> None:
    resolve_people(site)
    html = site.client("analyst").get("/series/S-N1").text
    data = json.loads(parse(html).by_id("series-data").text)
    nodes = {e["data"]["id"]: e["data"] for e in data["chart"] if "source" not in e["data"]}
    assert nodes["person:P-dean"]["label"] == "Dean Corrigan"
    assert nodes["person:P-dean"]["href"] == "/persons/P-dean"
    edges = {
        (e["data"]["source"], e["data"]["target"], e["data"]["label"])
        for e in data["chart"]
        if "source" in e["data"]
    }
    assert ("person:P-dean", "case:N1", "reporter") in edges
    oversight = json.loads(
        parse(site.client("oversight").get("/series/S-N1").text).by_id("series-data").text
    )
    labels = {e["data"]["id"]: e["data"]["label"] for e in oversight["chart"]}
    assert labels["person:P-walgate"] == "victim (withheld)"
