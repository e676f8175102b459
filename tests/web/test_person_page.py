"""The person page: a resolved person's mentions across the caller's cases and roles with the
evidence of each merge; victims' identifying fields withheld from oversight; audited."""

from __future__ import annotations

import json

import pandas as pd

from caselink.service import audit
from caselink.service.person_review import store_resolution
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


def one_person(site: Site) -> None:
    """The model's resolution: Walgate (N1's victim) and Corrigan (N1's reporter) wrongly one
    person P-n1, Flat (S1) another."""
    frame = pd.DataFrame(
        {
            "mention_id": [0, 1, 2],
            "entity_id": ["P-n1", "P-n1", "P-samuel"],
            "match_weight": [None, 3.0, None],
            "evidence": [None, "same address (x8)", None],
        }
    )
    site.store.replace_resolution("person", frame)


def mention_pk(site: Site, person_id: str, name: str) -> str:
    doc = parse(site.client("reviewer").get(f"/persons/{person_id}").text)
    for row in doc.by_id("person-mentions").find_all("tr"):
        if name in row.text:
            return str(row.find_all("input")[0].attrs["value"])
    raise AssertionError(f"{name} is not a mention of {person_id}")


def test_a_reviewers_split_is_audited_and_kept_on_re_resolution(site: Site) -> None:
    one_person(site)
    client = site.client("reviewer")
    corrigan = mention_pk(site, "P-n1", "Dean Corrigan")
    response = client.post(
        "/persons/P-n1/split",
        data={"mention": corrigan, "note": "the reporter, not the victim"},
        headers=site.csrf(client),
        follow_redirects=False,
    )
    assert response.status_code == 303
    moved = response.headers["location"].rsplit("/", 1)[1]
    assert moved.startswith("P-n1-split")
    page = parse(client.get(f"/persons/{moved}").text)
    rows = page.by_id("person-mentions").rows()
    assert [r[4] for r in rows] == ["reporter"]
    assert "split off by reviewer reviewer" in rows[0][9]
    assert "the reporter, not the victim" in page.by_id("person-decisions").text
    assert [
        r[4] for r in parse(client.get("/persons/P-n1").text).by_id("person-mentions").rows()
    ] == ["victim"]
    entry = list(audit.entries(site.store, action="person.split", target="P-n1"))[-1]
    assert entry.actor == "reviewer" and entry.detail["note"] == "the reporter, not the victim"
    # the model resolves them into one person again: the split is kept
    one_person(site)  # (what a re-resolution computes) ...
    stored = store_resolution(site.store, site.store.resolution_frame("person"))
    assert stored["entity_id"].tolist() == ["P-n1", moved, "P-samuel"]


def test_a_reviewers_merge_joins_two_persons_with_the_reason_in_words(site: Site) -> None:
    resolve_people(site)
    client = site.client("reviewer")
    response = client.post(
        "/persons/P-walgate/merge",
        data={"other": "P-dean", "note": "same man, two roles"},
        headers=site.csrf(client),
        follow_redirects=False,
    )
    assert response.status_code == 303
    rows = parse(client.get("/persons/P-walgate").text).by_id("person-mentions").rows()
    assert sorted(r[4] for r in rows) == ["reporter", "victim"]
    assert any("merged by reviewer reviewer" in r[9] for r in rows)
    assert client.get("/persons/P-dean").status_code == 404  # merged away
    assert list(audit.entries(site.store, action="person.merge", target="P-walgate"))
    # re-resolution with the model's three persons keeps the merge
    resolved = site.store.resolution_frame("person").assign(
        entity_id=["P-walgate", "P-dean", "P-samuel"]
    )
    assert store_resolution(site.store, resolved)["entity_id"].tolist()[:2] == ["P-walgate"] * 2


def test_only_reviewers_decide_on_persons_they_may_see_and_must_say_why(site: Site) -> None:
    resolve_people(site)
    analyst = site.client("analyst")
    form = {"other": "P-walgate", "note": "x"}
    assert (
        analyst.post("/persons/P-dean/merge", data=form, headers=site.csrf(analyst)).status_code
        == 403
    )
    south = site.client("reviewer-south")
    assert (
        south.post("/persons/P-dean/merge", data=form, headers=site.csrf(south)).status_code == 404
    )
    reviewer = site.client("reviewer")
    headers = site.csrf(reviewer)
    samuel = {"other": "P-samuel", "note": "x"}  # south's person: not visible to north
    assert reviewer.post("/persons/P-dean/merge", data=samuel, headers=headers).status_code == 404
    no_note = {"other": "P-walgate", "note": " "}
    assert reviewer.post("/persons/P-dean/merge", data=no_note, headers=headers).status_code == 400
    assert (
        reviewer.post("/persons/P-dean/split", data={"note": "x"}, headers=headers).status_code
        == 400
    )
    assert site.store.resolution_frame("person")["entity_id"].tolist() == [
        "P-walgate",
        "P-dean",
        "P-samuel",
    ]
