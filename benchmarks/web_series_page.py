"""Server time of the series page (map with profile, timeline, link chart) for a 12-case
series at N cases, and of the demo series' review pack (PDF).

Run:  nice -n 10 .venv/bin/python benchmarks/web_series_page.py --cases 20000 --requests 30
Writes benchmarks/results/web_series_page_<cases>.json.

The store is ``web_pages.build`` (the synthetic city split between two forces,
``--alerts`` placeholder alerts for load), plus one series of 12 north cases
joined by 11 alerts, the mentions' addresses, phones and vehicles resolved by
key (:func:`caselink.entities.resolve_keys`) and each mention a person of its
own (Splink resolution of 100k cases' people is not what is measured here):
so the link chart holds the 12 cases, their links, their people and the keys
they share. The figure is the app's own time from its ``Server-Timing``
header (in-process requests as a north reviewer), i.e. the service's SQL, the
geographic profile, the chart's elements and the template.

``--pack`` also builds the demo borough as ``caselink serve --demo`` does
(alerts, people, replay: minutes) and times the review pack of its series
(``GET /series/S-C00896/pack.pdf``, WeasyPrint) from the client's side.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from caselink.entities import KEY_KINDS, resolve_keys
from caselink.service.accounts import Accounts, Policy
from caselink.store import Store
from caselink.store.tables import AlertRow, CaseRow
from caselink.web.app import create_app
from caselink.web.demo import load_demo
from caselink.web.security import SESSION_COOKIE, WebSettings
from machine import describe
from web_pages import SECRET, build

SERIES = "S-BENCH12"


def add_series(store: Store, seed: int) -> list[str]:
    """12 north cases near the first one, joined in a chain of alerts; returns their ids."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(CaseRow.pk, CaseRow.case_id, CaseRow.lat, CaseRow.lon)
            .where(CaseRow.force == "north")
            .order_by(func.random())
            .limit(2000)
        ).all()
    rng = random.Random(seed)
    first = rng.choice(rows)
    near = sorted(rows, key=lambda r: (r.lat - first.lat) ** 2 + (r.lon - first.lon) ** 2)[:12]
    start = datetime(2016, 6, 1)
    with store.transaction() as conn:
        for i in range(1, len(near)):
            exists = conn.execute(
                select(AlertRow.pk).where(
                    ((AlertRow.case_pk == near[i].pk) & (AlertRow.linked_case_pk == near[i - 1].pk))
                    | (
                        (AlertRow.case_pk == near[i - 1].pk)
                        & (AlertRow.linked_case_pk == near[i].pk)
                    )
                )
            ).first()
            if exists:
                continue
            conn.execute(
                insert(AlertRow).values(
                    raised_at=start + timedelta(days=i),
                    case_pk=near[i].pk,
                    linked_case_pk=near[i - 1].pk,
                    probability=round(rng.uniform(0.6, 0.99), 3),
                    explanation="both drugs ghb (x4.2); 0.3 km apart (x5.4); 12 days apart (x2.1)",
                    series_id=SERIES,
                    status="new",
                )
            )
    return [str(r.case_id) for r in near]


def resolve(store: Store) -> None:
    mentions = store.mentions_frame()
    own = pd.DataFrame(
        {
            "mention_id": range(len(mentions)),
            "entity_id": [f"P{i}" for i in range(len(mentions))],
            "match_weight": float("nan"),
            "evidence": None,
        }
    )
    store.replace_resolution("person", own)
    for kind in KEY_KINDS:
        store.replace_resolution(kind, resolve_keys(mentions, kind))


def timed(client: TestClient, url: str, n: int) -> dict[str, float]:
    times = []
    for _ in range(n):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times.append(float(response.headers["server-timing"].split("dur=")[1]))
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(int(0.95 * len(times)) - 1, 0)], 1),
        "max_ms": round(times[-1], 1),
    }


def pack_time(folder: Path) -> dict[str, float | int | str]:
    store = Store.open(f"sqlite:///{folder / 'demo.db'}")
    started = time.perf_counter()
    accounts = Accounts(store, SECRET, Policy())
    users = load_demo(accounts, lambda text: print(text, flush=True))
    built = time.perf_counter() - started
    password = next(pw for name, _role, pw in users if name == "demo-reviewer")
    del password  # sessions are started directly below
    user = accounts.user("demo-reviewer")
    client = TestClient(
        create_app(store, WebSettings(secret=SECRET)), base_url="https://testserver"
    )
    client.cookies.set(SESSION_COOKIE, accounts.start_session(user, "bench", "bench"))
    times = []
    size = 0
    for _ in range(3):
        t = time.perf_counter()
        response = client.get("/series/S-C00896/pack.pdf")
        times.append(time.perf_counter() - t)
        assert response.status_code == 200, response.status_code
        size = len(response.content)
    store.close()
    return {
        "series": "S-C00896",
        "demo_build_seconds": round(built, 1),
        "pack_seconds_each": [round(t, 2) for t in times],
        "pack_seconds_max": round(max(times), 2),
        "pdf_bytes": size,
        "target_seconds": 10,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--alerts", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pack", action="store_true", help="Also time the demo review pack.")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(__file__).parent / "results" / f"web_series_page_{args.cases}.json"
    result: dict[str, object] = {"cases": args.cases, "requests": args.requests}
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        store = build(Path(tmp), args.cases, args.seed, args.alerts)
        members = add_series(store, args.seed)
        resolve(store)
        result["build_seconds"] = round(time.perf_counter() - started, 1)
        accounts = Accounts(store, SECRET, Policy())
        user = accounts.add_user("rev", "reviewer", "north", "benchmark passphrase 1", by="bench")
        client = TestClient(
            create_app(store, WebSettings(secret=SECRET)), base_url="https://testserver"
        )
        client.cookies.set(SESSION_COOKIE, accounts.start_session(user, "bench", "bench"))
        page = client.get(f"/series/{SERIES}")
        data = page.text.split('id="series-data">', 1)[1].split("</script>", 1)[0]
        chart = json.loads(data)["chart"]
        result["series_cases"] = len(members)
        result["chart_elements"] = len(chart)
        result["series_page"] = timed(client, f"/series/{SERIES}", args.requests)
        result["target_p95_ms"] = 500
        result["under_target"] = result["series_page"]["p95_ms"] < 500  # type: ignore[index]
        print(json.dumps(result, indent=2), flush=True)
        store.close()
        if args.pack:
            result["review_pack"] = pack_time(Path(tmp))
    result["machine"] = describe()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
