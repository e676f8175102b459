"""schemathesis over /api/openapi.json: no generated request makes the API fail (no 5xx).

Runs as a reviewer with a Bearer token, so every operation (including the
triage decision) is reached past authentication.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.web.conftest import build_site

SITE = build_site(Path(tempfile.mkdtemp(prefix="caselink-schema-")))
TOKEN = SITE.accounts.new_api_token("reviewer")
schema = schemathesis.openapi.from_asgi("/api/openapi.json", SITE.app)


def test_html_routes_stay_out_of_the_schema() -> None:
    paths = set(SITE.client().get("/api/openapi.json").json()["paths"])
    assert paths == {
        "/api/cases",
        "/api/cases/{case_id}",
        "/api/cases/{case_id}/links",
        "/api/alerts",
        "/api/alerts/{alert_id}/decision",
        "/api/import",
    }


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_api_fail(case: Any) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"}, checks=[not_a_server_error]
    )
