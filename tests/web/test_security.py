"""Sessions, CSRF, lockout, timeouts, revocation, IDOR, headers and API authentication."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from caselink.service import audit
from caselink.service.accounts import Policy, check_password, utcnow
from caselink.service.errors import WeakPasswordError
from caselink.store.access import SessionRow
from caselink.web.security import CSP, SESSION_COOKIE
from tests.web.conftest import FAST, PASSWORD, Site, build_site


def login(site: Site, name: str, password: str = PASSWORD, **headers: str):  # type: ignore[no-untyped-def]
    client = site.client()
    response = client.post(
        "/login", data={"name": name, "password": password}, headers=headers, follow_redirects=False
    )
    return client, response


def test_security_headers_on_every_page(site: Site) -> None:
    for path in ("/login", "/cases", "/static/app.css"):
        response = site.client("viewer").get(path)
        assert response.headers["content-security-policy"] == CSP
        assert "script-src 'self';" in CSP and "unsafe" not in CSP
        assert "frame-ancestors 'none'" in CSP and "object-src 'none'" in CSP
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-frame-options"] == "DENY"
    assert site.client("viewer").get("/cases").headers["cache-control"] == "no-store"


def test_login_sets_a_host_only_secure_cookie(site: Site) -> None:
    client, response = login(site, "analyst")
    assert response.status_code == 303 and response.headers["location"] == "/cases"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    lowered = cookie.lower()
    for part in ("secure", "httponly", "samesite=lax", "path=/"):
        assert part in lowered
    assert "domain=" not in lowered
    token = cookie.split(";")[0].split("=", 1)[1]
    assert len(token) >= 43  # 256 bits, url-safe base64
    assert client.get("/cases").status_code == 200


def test_wrong_password_is_refused_and_audited(site: Site) -> None:
    _client, response = login(site, "analyst", "not the password at all")
    assert response.status_code == 401
    assert "wrong name, password or code" in response.text
    failed = [e for e in audit.entries(site.store, action="login") if e.outcome == "failed"]
    assert failed and failed[-1].actor == "analyst"


def test_login_gives_a_fresh_token_and_ends_a_planted_one(site: Site) -> None:
    """Session fixation: a token the browser brings is never adopted, and is ended."""
    planted = site.accounts.start_session(site.users["viewer"], "attacker", "x")
    client = site.client()
    client.cookies.set(SESSION_COOKIE, planted)
    response = client.post(
        "/login", data={"name": "analyst", "password": PASSWORD}, follow_redirects=False
    )
    fresh = response.cookies[SESSION_COOKIE]
    assert fresh != planted
    assert site.accounts.session(planted) is None
    assert site.accounts.session(fresh) is not None
    unknown = site.client()
    unknown.cookies.set(SESSION_COOKIE, "chosen-by-attacker")
    response = unknown.post(
        "/login", data={"name": "analyst", "password": PASSWORD}, follow_redirects=False
    )
    assert response.cookies[SESSION_COOKIE] != "chosen-by-attacker"


def test_state_change_needs_the_session_csrf_token(site: Site) -> None:
    client = site.client("analyst")
    url, data = "/cases/N1/actions", {"action": "ask_the_vicar", "note": "csrf test"}
    assert client.post(url, data=data).status_code == 403
    assert client.post(url, data=data, headers={"X-CSRF-Token": "forged"}).status_code == 403
    other = site.csrf(site.client("analyst"))  # a real token of another session
    assert client.post(url, data=data, headers=other).status_code == 403
    assert "ask the vicar" not in client.get("/cases/N1").text
    ok = client.post(url, data=data, headers=site.csrf(client))
    assert ok.status_code == 200 and "ask the vicar" in ok.text
    denied = [e for e in audit.entries(site.store) if e.outcome == "denied"]
    assert any("CSRF" in e.detail.get("reason", "") for e in denied)


def test_cross_origin_requests_are_refused_even_with_the_token(site: Site) -> None:
    client = site.client("analyst")
    headers = site.csrf(client)
    data = {"action": "cctv", "note": ""}
    evil = {**headers, "Origin": "https://evil.example"}
    assert client.post("/cases/N1/actions", data=data, headers=evil).status_code == 403
    cross = {**headers, "Sec-Fetch-Site": "cross-site"}
    assert client.post("/cases/N1/actions", data=data, headers=cross).status_code == 403
    same = {**headers, "Origin": "https://testserver", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/cases/N1/actions", data=data, headers=same).status_code == 200
    _c, response = login(site, "analyst", Origin="https://evil.example")
    assert response.status_code == 403


def test_no_state_change_on_get(site: Site) -> None:
    client = site.client("reviewer")
    assert client.get(f"/alerts/{site.alerts['north']}/decision").status_code == 405
    assert client.get("/logout").status_code == 405


def test_logout_ends_the_session_on_the_server(site: Site) -> None:
    client = site.client("viewer")
    token = client.cookies[SESSION_COOKIE]
    response = client.post("/logout", headers=site.csrf(client))
    assert response.status_code == 204 and response.headers["hx-redirect"] == "/login"
    replay = site.client()
    replay.cookies.set(SESSION_COOKIE, token)
    assert replay.get("/cases", follow_redirects=False).status_code == 303


def test_idle_and_absolute_timeouts(site: Site) -> None:
    idle = site.client("viewer")
    absolute = site.client("analyst")
    now = utcnow()
    with site.store.transaction() as conn:
        for user, column, age in (
            ("viewer", "last_seen_at", timedelta(minutes=31)),
            ("analyst", "created_at", timedelta(hours=12, minutes=1)),
        ):
            conn.execute(
                update(SessionRow)
                .where(SessionRow.user_pk == site.users[user].pk)
                .values({column: now - age})
            )
    for client, reason in ((idle, "idle timeout"), (absolute, "absolute timeout")):
        response = client.get("/cases", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
        assert reason in {s.end_reason for s in site.accounts.sessions(live_only=False)}


def test_revoked_session_is_refused_at_once(site: Site) -> None:
    victim = site.client("reviewer")
    assert victim.get("/cases").status_code == 200
    session = site.accounts.sessions(site.users["reviewer"])[0]
    site.accounts.end_session(session.pk, "admin", "revoked by admin")
    assert victim.get("/cases", follow_redirects=False).status_code == 303


def test_disable_ends_sessions_and_tokens(site: Site) -> None:
    browser = site.client("analyst")
    token = site.accounts.new_api_token("analyst")
    api = site.client()
    assert api.get("/api/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert site.accounts.disable("analyst") == 1
    assert browser.get("/cases", follow_redirects=False).status_code == 303
    assert api.get("/api/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    _c, response = login(site, "analyst")
    assert response.status_code == 401


def test_lockout_after_repeated_failures(site: Site) -> None:
    for _ in range(FAST.max_failures):
        assert login(site, "viewer", "wrong password here")[1].status_code == 401
    _c, response = login(site, "viewer")  # the right password, but locked
    assert response.status_code == 401
    assert site.accounts.user("viewer").locked_until is not None
    assert any(e.action == "user.locked" for e in audit.entries(site.store))
    site.accounts.reset_password("viewer", "a brand new long passphrase")
    assert login(site, "viewer", "a brand new long passphrase")[1].status_code == 303


def test_rate_limit_per_address(tmp_path) -> None:  # type: ignore[no-untyped-def]
    site = build_site(
        tmp_path,
        Policy(
            argon2_time_cost=1, argon2_memory_kib=8192, argon2_parallelism=1, address_failures=3
        ),
    )
    for name in ("nobody1", "nobody2", "nobody3"):
        assert login(site, name, "guess guess guess")[1].status_code == 401
    _c, response = login(site, "analyst")  # right password, but from a guessing address
    assert response.status_code == 401
    assert any(e.outcome == "rate_limited" for e in audit.entries(site.store, action="login"))


def test_out_of_scope_ids_are_404_like_missing_ones_and_logged(site: Site) -> None:
    client = site.client("viewer")
    other_force = client.get("/cases/S1")
    missing = client.get("/cases/NO-SUCH-CASE")
    assert other_force.status_code == missing.status_code == 404
    assert other_force.text == missing.text
    api = client.get("/api/cases/S1")
    assert api.status_code == 404 and api.json() == {"error": "not found"}
    attempts = [e for e in audit.entries(site.store, action="object.not_found")]
    assert {e.target for e in attempts} >= {"/cases/S1", "/api/cases/S1"}
    assert all(e.actor == "viewer" for e in attempts)
    assert client.get("/api/cases/N1/links").json()[0]["other_case_id"] in {"N2", "N3"}


def test_cases_list_is_scoped_in_sql(site: Site) -> None:
    north = site.client("viewer").get("/api/cases?limit=500").json()
    assert {c["case_id"] for c in north["items"]} == {"N1", "N2", "N3", "N4"}
    south = site.client("viewer-south").get("/api/cases").json()
    assert {c["case_id"] for c in south["items"]} == {"S1", "S2", "S3"}
    everything = site.client("oversight").get("/api/cases").json()
    assert everything["total"] == 7
    assert site.client("admin").get("/api/cases").status_code == 403


def test_a_grant_opens_one_case_of_another_force(site: Site) -> None:
    from sqlalchemy import insert, select

    from caselink.store.access import GrantRow
    from caselink.store.tables import CaseRow

    with site.store.transaction() as conn:
        pk = conn.execute(select(CaseRow.pk).where(CaseRow.case_id == "S3")).scalar_one()
        conn.execute(
            insert(GrantRow).values(
                user_pk=site.users["viewer"].pk,
                case_pk=pk,
                granted_by="reviewer-south",
                granted_at=utcnow(),
            )
        )
    client = site.client("viewer")
    assert client.get("/cases/S3").status_code == 200
    assert client.get("/cases/S2").status_code == 404
    assert site.client("analyst").get("/cases/S3").status_code == 404


def test_oversight_sees_victims_withheld(site: Site) -> None:
    assert "Anthony Walgate" in site.client("viewer").get("/cases/N1").text
    page = site.client("oversight").get("/cases/N1").text
    assert "Anthony Walgate" not in page and "withheld" in page
    assert "Dean Corrigan" in page  # only victims' identifying fields are hidden
    person = site.client("oversight").get("/api/cases/N1").json()["people"]
    assert [p["name"] for p in person if p["role"] == "victim"] == [None]


def test_api_needs_a_token_or_session(site: Site) -> None:
    client = site.client()
    assert client.get("/api/cases").status_code == 401
    assert client.get("/api/cases", headers={"Authorization": "Bearer nope"}).status_code == 401
    token = site.accounts.new_api_token("reviewer")
    bearer = {"Authorization": f"Bearer {token}"}
    page = client.get("/api/cases?limit=2", headers=bearer).json()
    assert page["total"] == 4 and len(page["items"]) == 2 and "case_id" in page["items"][0]
    decided = client.post(
        f"/api/alerts/{site.alerts['north']}/decision",
        json={"decision": "confirm", "note": "same churchyard"},
        headers=bearer,
    )
    assert decided.status_code == 200 and decided.json()["status"] == "reviewed"
    again = client.post(
        f"/api/alerts/{site.alerts['north']}/decision",
        json={"decision": "dismiss", "note": "second thoughts"},
        headers=bearer,
    )
    assert again.status_code == 409  # decisions are never silently overwritten
    # a Bearer token is only for the API, never for pages
    assert client.get("/cases", headers=bearer, follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short", "at least 12"),
        ("Q1w2e3r4t5y6", "common or breached"),
        ("analyst-is-my-password", "user's name"),
    ],
)
def test_weak_passwords_are_refused(password: str, why: str) -> None:
    with pytest.raises(WeakPasswordError, match=why):
        check_password(password, "analyst")


def test_login_redirect_stays_on_this_site(site: Site) -> None:
    client = site.client()
    response = client.post(
        "/login",
        data={"name": "viewer", "password": PASSWORD, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/cases"
    for sneaky in ("/\t/evil.example", "/\\evil.example", "https://evil.example", "/ok\n"):
        response = site.client().post(
            "/login",
            data={"name": "viewer", "password": PASSWORD, "next": sneaky},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/cases", sneaky


def test_totp_second_factor(site: Site) -> None:
    import pyotp

    user = site.users["analyst"]
    secret = site.accounts.new_totp_secret()
    with pytest.raises(Exception, match="code does not match"):
        site.accounts.enable_totp(user, secret, "000000")
    site.accounts.enable_totp(user, secret, pyotp.TOTP(secret).now())
    assert login(site, "analyst")[1].status_code == 401
    client = site.client()
    response = client.post(
        "/login",
        data={"name": "analyst", "password": PASSWORD, "code": pyotp.TOTP(secret).now()},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_a_reviewer_shares_a_case_of_their_force(site: Site) -> None:
    client = site.client("reviewer-south")
    headers = site.csrf(client)
    assert site.client("viewer").get("/cases/S3").status_code == 404
    shared = client.post("/cases/S3/grants", data={"user": "viewer"}, headers=headers)
    assert shared.status_code == 200 and "Shared S3 with viewer" in shared.text
    assert site.client("viewer").get("/cases/S3").status_code == 200
    assert site.client("analyst").get("/cases/S3").status_code == 404  # only the grantee
    assert [e.target for e in audit.entries(site.store, action="grant.case")] == ["S3"]
    # a granted case cannot be passed on: the grantee's force does not own it
    north = site.client("reviewer")
    site.service.grant_case(
        site.users["reviewer-south"].scope(), "south", "S2", site.users["reviewer"].pk, "t"
    )
    passed = north.post("/cases/S2/grants", data={"user": "analyst"}, headers=site.csrf(north))
    assert passed.status_code == 409 and site.client("analyst").get("/cases/S2").status_code == 404


def test_a_series_grant_opens_every_case_of_the_series(site: Site) -> None:
    from sqlalchemy import insert

    from caselink.store.access import GrantRow

    with site.store.transaction() as conn:
        conn.execute(
            insert(GrantRow).values(
                user_pk=site.users["viewer"].pk,
                series_id="S-S1",
                granted_by="reviewer-south",
                granted_at=utcnow(),
            )
        )
    client = site.client("viewer")
    assert client.get("/cases/S1").status_code == 200 and client.get("/cases/S2").status_code == 200
    assert client.get("/cases/S3").status_code == 404  # not in the series


@pytest.mark.parametrize("alert_id", [0, -1, 2**63, 10**30])
def test_an_alert_id_no_row_can_have_is_not_found(site: Site, alert_id: int) -> None:
    """Ids beyond a 64-bit key are 404 like any unknown id, never a driver overflow (500)."""
    client = site.client()
    bearer = {"Authorization": f"Bearer {site.accounts.new_api_token('reviewer')}"}
    decided = client.post(
        f"/api/alerts/{alert_id}/decision",
        json={"decision": "confirm", "note": "same churchyard"},
        headers=bearer,
    )
    assert decided.status_code == 404
