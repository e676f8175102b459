"""Every route × every role × own/other force answers exactly what the policy allows.

The cases are generated from the app's route table, so a new route without a
declared action, or with a path parameter this test cannot fill, fails here.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from caselink.alerts.alerting import Alert
from caselink.alerts.ledger import write_alerts
from caselink.store.tables import AlertRow
from caselink.web.policy import ACTIONS, PUBLIC, action_of
from tests.web.conftest import ROLES, Site, build_site
from tests.web.test_person_page import resolve_people

OBJECT_PARAMS = {"case_id", "alert_id", "session_pk", "series_id", "person_id"}
"""Path parameters naming an object that belongs to a force (or, for sessions, a user)."""


def routes(site: Site) -> list[tuple[str, str, str]]:
    """(method, path, action) of every route of the app, HTML and API."""
    out = []
    for route in site.app.routes:
        if not isinstance(route, APIRoute):
            continue
        action = action_of(route.endpoint)
        assert action is not None, f"{route.path} declares no action"
        assert action in ACTIONS
        for method in sorted(route.methods or ()):
            out.append((method, route.path, action))
    return out


@pytest.fixture(scope="module")
def matrix_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return build_site(tmp_path_factory.mktemp("matrix"))


def fill(site: Site, path: str, role: str, which: str) -> tuple[str, bool]:
    """The concrete URL for ``path`` as ``role`` (a north user) reaching its own or another
    force's object; and whether the URL names an object at all."""
    params = set(re.findall(r"{(\w+)}", path))
    unknown = params - OBJECT_PARAMS - {"after"}
    assert not unknown, f"the access matrix cannot fill {unknown} of {path}: teach it"
    url = path.replace("{after}", "0")
    own = which == "own"
    url = url.replace("{case_id}", "N1" if own else "S1")
    url = url.replace("{alert_id}", str(site.alerts["north"] if own else site.alerts["south"]))
    if "{person_id}" in url:
        resolve_people(site)
        url = url.replace("{person_id}", "P-dean" if own else "P-samuel")
    if "{series_id}" in url:
        url = url.replace("{series_id}", "S-N1" if own else south_only_series(site))
    if "{session_pk}" in url:
        holder = site.users[role] if own else site.users["viewer-south"]
        site.accounts.start_session(holder, "matrix", "pytest")
        pk = site.accounts.sessions(holder)[0].pk
        url = url.replace("{session_pk}", str(pk))
    if path == "/compare":
        url += "?ids=N1,N2" if own else "?ids=N1,S1"
        return url, True
    return url, bool(params & OBJECT_PARAMS)


def south_only_series(site: Site) -> str:
    """A series all of whose cases belong to the south force (S-S1 also holds north's N4)."""
    series_id = "S-S3-south"
    with site.store.transaction() as conn:
        if not conn.execute(select(AlertRow.pk).where(AlertRow.series_id == series_id)).first():
            when = datetime(2014, 6, 3)
            write_alerts(
                conn, [Alert("S3", "S2", 0.7, "0.5 km apart (x3)", series_id, "starts", when)]
            )
    return series_id


def test_every_route_declares_a_known_action(shared_site: Site) -> None:
    found = routes(shared_site)
    assert len(found) >= 25
    assert {a for _m, _p, a in found} <= set(ACTIONS)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(matrix_site: Site, role: str) -> None:
    """For each route: 403 when the role may not act, 404 for another force's object,
    otherwise neither (nor a 5xx)."""
    site = matrix_site
    failures = []
    for method, path, action in routes(site):
        for which in ("own", "other"):
            url, names_object = fill(site, path, role, which)
            if which == "other" and not names_object:
                continue
            client = site.client(role)
            headers = site.csrf(client) if method == "POST" else {}
            body: dict[str, Any] = {}
            if path.endswith("/decision"):  # a valid decision, so only scope can refuse it
                decision = {"decision": "dismiss", "note": "access matrix"}
                body = {"json": decision} if path.startswith("/api/") else {"data": decision}
            response = client.request(method, url, headers=headers, follow_redirects=False, **body)
            status = response.status_code
            if action == PUBLIC:
                expected = "public"
            elif role not in ACTIONS[action]:
                expected = "403"
            elif which == "other" and (role != "oversight" or "{session_pk}" in path):
                expected = "404"
            else:
                expected = "allowed"
            ok = (
                status == 403
                if expected == "403"
                else status == 404
                if expected == "404"
                else status < 500 and status != 403
                if expected == "public"
                else status < 500 and status not in (401, 403, 404)
            )
            if not ok:
                failures.append(
                    f"{role} {method} {url} ({action}, {which}): {status}, expected {expected}"
                )
    assert not failures, "\n".join(failures)


def test_every_guarded_route_needs_a_login(shared_site: Site) -> None:
    """No session or token: pages go to the login page, the API answers 401."""
    client = shared_site.client()
    for method, path, action in routes(shared_site):
        if action == PUBLIC:
            continue
        url, _ = fill(shared_site, path, "viewer", "own")
        response = client.request(method, url, data={}, follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, url
            assert response.headers["www-authenticate"] == "Bearer"
        else:
            assert response.status_code == 303, url
            assert response.headers["location"].startswith("/login")
