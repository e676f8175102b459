"""The demo of the web app: the demo borough in the store and one user per role."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from caselink.alerts import pending_case_ids, rescore_pending
from caselink.entities import KEY_KINDS, PersonResolver, resolve_keys
from caselink.service.accounts import ROLES, Accounts
from caselink.service.person_review import store_resolution
from caselink.service.replay_store import compute_run, latest_run, store_state

DEMO = Path(__file__).resolve().parent.parent / "demo"


def load_demo(accounts: Accounts, say: Callable[[str], None]) -> list[tuple[str, str, str]]:
    """Import the demo borough into an empty store (alerts raised), resolve its people unless
    resolved, walk it day by day for the replay page (stored), add one user per role.

    Returns (name, role, password) of each user created; an existing user is
    left as it is (and not returned).
    """
    store = accounts.store
    if store.count_cases() == 0:
        say("importing the demo borough (2,410 cases)...")
        store.import_files(
            DEMO / "cases.csv",
            people=DEMO / "people.csv",
            actions=DEMO / "actions.csv",
            schema=DEMO / "schema.yaml",
        )
    if pending_case_ids(store):  # e.g. after `make demo`, which stores the cases only
        say("comparing each case with the others to raise the alerts (about a minute)...")
        report = rescore_pending(store)
        say(f"{len(report.alerts)} alert(s) raised")
    if store.resolution_frame("person").empty:  # `make demo` has resolved them already
        say("resolving the people across cases (persons, addresses, phones, vehicles)...")
        mentions, cases = store.mentions_frame(), store.cases_frame()
        resolved = PersonResolver().fit(mentions, cases).resolve(mentions, cases)
        store_resolution(store, resolved.assignments)
        for kind in KEY_KINDS:
            store.replace_resolution(kind, resolve_keys(mentions, kind))
    run = latest_run(store)
    if run is None or run.store_state != store_state(store):
        say("replaying the store day by day for the replay page (a few minutes, once)...")
        run = compute_run(store)
        say(f"replay stored: {run.provenance}")
    known = {u.name for u in accounts.users()}
    created = []
    for role in ROLES:
        name = f"demo-{role}"
        if name in known:
            continue
        password = secrets.token_urlsafe(12)
        accounts.add_user(name, role, None, password, by="demo")
        created.append((name, role, password))
    return created
