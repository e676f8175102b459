"""Server time of the replay page for one day on the demo store (p50/p95 over the days asked),
and how long the one walk of the store that the page reads takes.

Run:  nice -n 10 .venv/bin/python benchmarks/web_replay_day.py [--db demo.db] [--days 60]
Writes benchmarks/results/web_replay_day.json.

Without ``--db`` the demo borough is built as ``caselink serve --demo`` builds
it (import, alerts, people, the day-by-day walk: minutes, timed); with ``--db``
an already loaded demo store is used (its walk is computed if missing). Days
are drawn evenly over the store's recorded span and asked through the page
(in-process, a reviewer with no force, as on the demo), by slider offset; the
figure is the app's ``Server-Timing``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fastapi.testclient import TestClient

from caselink.service.accounts import Accounts, Policy
from caselink.service.replay_store import compute_run, latest_run, store_state
from caselink.store import Store
from caselink.web.app import create_app
from caselink.web.demo import load_demo
from caselink.web.security import SESSION_COOKIE, WebSettings
from machine import describe
from web_pages import SECRET


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(__file__).parent / "results" / "web_replay_day.json"
    result: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "demo.db"
        store = Store.open(f"sqlite:///{path}")
        accounts = Accounts(store, SECRET, Policy())
        started = time.perf_counter()
        if args.db is None:
            load_demo(accounts, lambda text: print(text, flush=True))
            result["demo_build_seconds"] = round(time.perf_counter() - started, 1)
        run = latest_run(store)
        if run is None or run.store_state != store_state(store):
            started = time.perf_counter()
            run = compute_run(store)
            result["walk_seconds"] = round(time.perf_counter() - started, 1)
        result["walk_cases"] = run.cases
        result["model"] = run.provenance
        known = {u.name for u in accounts.users()}
        if "bench-rev" not in known:
            accounts.add_user("bench-rev", "reviewer", None, "benchmark passphrase 1", by="b")
        user = accounts.user("bench-rev")
        client = TestClient(create_app(store, WebSettings(secret=SECRET)), base_url="https://t")
        client.cookies.set(SESSION_COOKIE, accounts.start_session(user, "bench", "bench"))
        first = client.get("/replay?i=0")
        span = int(first.text.split('id="replay-slider"', 1)[1].split('max="', 1)[1].split('"')[0])
        times = []
        for k in range(args.days):
            response = client.get(f"/replay?i={k * span // max(args.days - 1, 1)}")
            assert response.status_code == 200 and "Walked once" in response.text
            times.append(float(response.headers["server-timing"].split("dur=")[1]))
        times.sort()
        result["days_asked"] = args.days
        result["replay_day_ms"] = {
            "p50": round(statistics.median(times), 1),
            "p95": round(times[max(int(0.95 * len(times)) - 1, 0)], 1),
            "max": round(times[-1], 1),
        }
        result["target_ms"] = 500
        result["under_target_p95"] = result["replay_day_ms"]["p95"] < 500  # type: ignore[index]
        store.close()
    result["machine"] = describe()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
