"""POST /api/import: the import page's upload over the API, with the same rules."""

from __future__ import annotations

from caselink.service import Scope, audit
from tests.web.conftest import Site

HEADER = "case_id,case_type,occurred_from,lat,lon,narrative\n"
GOOD = "N9,robbery,2014-10-02T21:00:00,51.5501,0.1001,Bag snatched at the bus stop again.\n"
BAD = "N8,robbery,the second of october,51.55,0.10,\n"


def bearer(site: Site, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {site.accounts.new_api_token(site.users[user].name)}"}


def cases_file(text: str) -> dict[str, tuple[str, bytes, str]]:
    return {"cases": ("cases.csv", text.encode(), "text/csv")}


def stored(site: Site) -> set[str]:
    return {c.case_id for c in site.service.cases(Scope.everything(), limit=500).items}


def test_an_analyst_imports_with_a_token_and_the_cases_join_their_force(site: Site) -> None:
    client = site.client()
    response = client.post(
        "/api/import", files=cases_file(HEADER + GOOD), headers=bearer(site, "analyst")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["cases_inserted"], body["cases_updated"], body["rejected"]) == (1, 0, [])
    assert isinstance(body["alert_ids"], list)
    case = client.get("/api/cases/N9", headers=bearer(site, "viewer")).json()
    assert case["force"] == "north"  # the importer's force, as on the import page
    south = client.get("/api/cases/N9", headers=bearer(site, "viewer-south"))
    assert south.status_code == 404
    entry = list(audit.entries(site.store, action="case.import"))[-1]
    assert entry.actor == "analyst" and entry.outcome == "ok"
    assert entry.detail["via"] == "api" and entry.detail["inserted"] == 1


def test_a_row_error_writes_nothing_and_names_file_row_column_value(site: Site) -> None:
    before = stored(site)
    response = site.client().post(
        "/api/import", files=cases_file(HEADER + GOOD + BAD), headers=bearer(site, "analyst")
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid input"
    [row] = body["rows"]
    assert (row["file"], row["row"], row["column"], row["value"]) == (
        "cases.csv",
        2,
        "occurred_from",
        "the second of october",
    )
    assert row["message"]
    assert stored(site) == before  # not even the valid first row
    entry = list(audit.entries(site.store, action="case.import"))[-1]
    assert entry.outcome == "rejected" and entry.detail["errors"] == 1


def test_skip_invalid_imports_the_valid_rows_and_lists_the_others(site: Site) -> None:
    response = site.client().post(
        "/api/import",
        files=cases_file(HEADER + GOOD + BAD),
        data={"skip_invalid": "true"},
        headers=bearer(site, "reviewer"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["cases_inserted"] == 1
    assert [(r["row"], r["column"]) for r in body["rejected"]] == [(2, "occurred_from")]
    assert "N9" in stored(site) and "N8" not in stored(site)


def test_a_session_caller_needs_the_csrf_header_a_token_caller_does_not(site: Site) -> None:
    client = site.client("analyst")
    refused = client.post("/api/import", files=cases_file(HEADER + GOOD))
    assert refused.status_code == 403
    assert "N9" not in stored(site)
    accepted = client.post(
        "/api/import", files=cases_file(HEADER + GOOD), headers=site.csrf(client)
    )
    assert accepted.status_code == 200


def test_readers_may_not_import_and_strangers_get_401(site: Site) -> None:
    for role in ("viewer", "oversight", "admin"):
        response = site.client().post(
            "/api/import", files=cases_file(HEADER + GOOD), headers=bearer(site, role)
        )
        assert response.status_code == 403, role
    assert site.client().post("/api/import", files=cases_file(HEADER + GOOD)).status_code == 401
    assert "N9" not in stored(site)


def test_the_endpoint_is_in_the_openapi_schema_as_multipart(site: Site) -> None:
    schema = site.client().get("/api/openapi.json").json()
    body = schema["paths"]["/api/import"]["post"]["requestBody"]
    form = body["content"]["multipart/form-data"]["schema"]
    ref = form["$ref"].rsplit("/", 1)[1]
    fields = schema["components"]["schemas"][ref]["properties"]
    assert {"cases", "people", "actions", "skip_invalid"} <= set(fields)
    assert "422" in schema["paths"]["/api/import"]["post"]["responses"]
