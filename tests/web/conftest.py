"""A small two-force store, its users and logged-in clients for the web app's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from caselink.alerts.alerting import Alert
from caselink.alerts.ledger import write_alerts
from caselink.service.accounts import Accounts, Policy, User
from caselink.service.caselink import Caselink
from caselink.store import Store
from caselink.web.app import create_app
from caselink.web.security import SESSION_COOKIE, WebSettings

PASSWORD = "correct horse battery staple 7"
SECRET = "test-secret-" + "x" * 40
ROLES = ("viewer", "analyst", "reviewer", "oversight", "admin")
FAST = Policy(argon2_time_cost=1, argon2_memory_kib=8192, argon2_parallelism=1)
"""argon2id still, at a cost that keeps the tests quick on a shared machine."""

CASES = """case_id,case_type,occurred_from,occurred_to,reported_at,lat,lon,victim_age,victim_sex,victim_group,status,offender_id,narrative,location_type,drugs
N1,drug_related_death,2014-06-19T03:00:00,,2014-06-19T08:00:00,51.5390,0.0810,23,M,lgbt,open,,Found dead in a doorway; GHB suspected.,doorway,ghb
N2,drug_related_death,2014-08-28T02:00:00,,2014-08-28T09:00:00,51.5372,0.0801,22,M,lgbt,open,,Found in a churchyard; GHB in toxicology.,churchyard,ghb
N3,drug_related_death,2014-09-20T05:00:00,,2014-09-20T10:00:00,51.5373,0.0802,25,M,lgbt,open,,Found in the same churchyard with a note.,churchyard,ghb
N4,robbery,2014-07-01T22:00:00,,2014-07-01T23:00:00,51.5500,0.1000,40,F,general,closed,,Bag snatched at the bus stop.,street,
S1,drug_related_death,2014-05-01T03:00:00,,2014-05-01T09:00:00,51.4000,-0.3000,30,M,lgbt,open,,Found dead at a flat; GHB.,dwelling,ghb
S2,drug_related_death,2014-05-20T03:00:00,,2014-05-20T09:00:00,51.4010,-0.3010,31,M,lgbt,open,,Second death at a flat nearby; GHB.,dwelling,ghb
S3,burglary,2014-06-02T12:00:00,,2014-06-02T13:00:00,51.4100,-0.3100,60,F,general,open,,Window forced; jewellery taken.,dwelling,
"""
PEOPLE = """case_id,role,name,dob,sex,address,postcode,phone,vehicle,address_lat,address_lon
N1,victim,Anthony Walgate,1991-01-01,M,1 Cooke Street,IG11,,,51.54,0.08
N1,reporter,Dean Corrigan,1970-02-02,M,2 Church Road,IG11,07700900001,,51.538,0.081
S1,victim,Samuel Flat,1984-03-03,M,9 River Lane,TW1,,,51.40,-0.30
"""
ACTIONS = """case_id,action,status,raised_at,completed_at,note
N1,cctv,done,2014-06-19T09:00:00,2014-06-20T09:00:00,
"""


@dataclass
class Site:
    """The app under test and what the tests need to drive it."""

    app: FastAPI
    store: Store
    accounts: Accounts
    service: Caselink
    users: dict[str, User]
    """``{role}`` (force north) and ``{role}-south``."""
    alerts: dict[str, int]
    """alert ids by pair name: ``north`` (N2~N1), ``north2`` (N3~N1), ``south`` (S2~S1), ``cross`` (N4~S1)."""

    def client(self, user: str | None = None) -> TestClient:
        """A client over HTTPS, logged in as ``user`` (a fresh session, no password check)."""
        client = TestClient(self.app, base_url="https://testserver")
        if user is not None:
            token = self.accounts.start_session(self.users[user], "testclient", "pytest")
            client.cookies.set(SESSION_COOKIE, token)
        return client

    def csrf(self, client: TestClient) -> dict[str, str]:
        """The CSRF header of the client's session (read from a page, as a browser would)."""
        page = client.get("/account")
        marker = '"X-CSRF-Token": "'
        start = page.text.index(marker) + len(marker)
        return {"X-CSRF-Token": page.text[start : page.text.index('"', start)]}


def build_site(root: Path, policy: Policy | None = None) -> Site:
    """A store with cases of two forces, alerts within and across them, users of each role."""
    store = Store.open(f"sqlite:///{root / 'web.db'}")
    for name, text in (("cases", CASES), ("people", PEOPLE), ("actions", ACTIONS)):
        (root / f"{name}.csv").write_text(text)
    report = store.import_files(
        root / "cases.csv", people=root / "people.csv", actions=root / "actions.csv"
    )
    service = Caselink(store)
    service.assign_force([c for c in report.case_ids if c.startswith("N")], "north")
    service.assign_force([c for c in report.case_ids if c.startswith("S")], "south")
    raised = datetime(2014, 9, 20, 12, 0)
    pairs = {
        "north": (
            "N2",
            "N1",
            0.97,
            "both victims lgbt (x17); both drugs ghb (x4.2); 0.2 km apart (x5.4)",
        ),
        "north2": ("N3", "N1", 0.91, "both location type churchyard (x14); 23 days apart (x3.2)"),
        "south": ("S2", "S1", 0.88, "both drugs ghb (x4.2); 0.1 km apart (x6.0)"),
        "cross": ("N4", "S1", 0.61, "both victims male (x1.5); 30 km apart (x0.2)"),
    }
    with store.transaction() as conn:
        written = write_alerts(
            conn,
            [Alert(a, b, p, text, f"S-{b}", "starts", raised) for a, b, p, text in pairs.values()],
        )
    alert_ids = {
        key: next(w.alert_id for w in written if w.case_id == pair[0])
        for key, pair in pairs.items()
    }
    policy = policy or FAST
    accounts = Accounts(store, SECRET, policy)
    users = {}
    for role in ROLES:
        users[role] = accounts.add_user(role, role, "north", PASSWORD, by="test")
        users[f"{role}-south"] = accounts.add_user(
            f"{role}-south", role, "south", PASSWORD, by="test"
        )
    app = create_app(store, WebSettings(secret=SECRET, policy=policy))
    return Site(
        app,
        store,
        accounts,
        service,
        {k: accounts.user(v.name) for k, v in users.items()},
        alert_ids,
    )  # type: ignore[arg-type]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """A fresh site per test (tests change state: decisions, lockouts, sessions)."""
    built = build_site(tmp_path)
    yield built
    built.store.close()


@pytest.fixture(scope="module")
def shared_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One site for a whole module of read-mostly tests."""
    built = build_site(tmp_path_factory.mktemp("site"))
    yield built
    built.store.close()


Login = Callable[[str], TestClient]
