"""The missed-checks board: states per required check over the caller's cases, the cases
list's filters plus victim age and state, prompts with their reasons, audited."""

from __future__ import annotations

from caselink.service import audit
from tests.web.conftest import Site
from tests.web.html import parse


def test_board_counts_states_of_the_callers_cases(shared_site: Site) -> None:
    doc = parse(shared_site.client("analyst").get("/checks?type=drug_related_death").text)
    assert "3 case(s)" in doc.by_id("checks-count").text  # N1-N3; south's deaths not counted
    counts = {r[0]: r[1:] for r in doc.by_id("checks-counts").rows()}
    # overdue, not done, missing, pending, done, total
    assert counts["cctv"] == ["0", "0", "2", "0", "1", "3"]  # N1's CCTV was done
    assert counts["toxicology"] == ["0", "0", "3", "0", "0", "3"]
    rows = doc.by_id("checks-rows").rows()
    assert {r[0] for r in rows} == {"N1", "N2", "N3"}
    assert ["N1", "drug related death", "lgbt", "cctv", "missing"] not in rows


def test_board_filters_by_state_age_and_force_scope(shared_site: Site) -> None:
    client = shared_site.client("viewer")
    older = parse(client.get("/checks?age_min=30").text)
    assert "1 case(s)" in older.by_id("checks-count").text  # N4 (40); S-cases are south's
    assert {r[0] for r in older.by_id("checks-rows").rows()} == {"N4"}
    pending = parse(client.get("/checks?check_state=pending").text)
    assert "Nothing missed" in pending.by_id("checks-rows").text
    assert client.get("/checks?check_state=whatever").status_code == 400
    south = parse(shared_site.client("viewer-south").get("/checks").text)
    assert {r[0] for r in south.by_id("checks-rows").rows()} <= {"S1", "S2", "S3"}


def test_raised_actions_show_with_their_reason_and_reads_are_audited(site: Site) -> None:
    client = site.client("analyst")
    client.post(
        "/cases/N2/actions",
        data={"action": "toxicology", "note": "GHB?"},
        headers=site.csrf(client),
    )
    doc = parse(client.get("/checks").text)
    prompts = doc.by_id("checks-prompts").rows()
    assert prompts[0][:3] == ["N2", "toxicology", "pending"]
    assert prompts[0][4] == "raised by analyst"
    # raised today for a 2014 death: the standard's deadline has long passed
    overdue = parse(client.get("/checks?check_state=overdue").text).by_id("checks-rows").rows()
    assert overdue == [["N2", "drug related death", "lgbt", "toxicology", "overdue"]]
    reads = list(audit.entries(site.store, action="checks.read"))
    assert reads and reads[-1].actor == "analyst"
