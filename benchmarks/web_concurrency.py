"""50 concurrent analysts for 60 s on loopback: open cases and triage alerts; count errors and
lost decisions.

Run:  nice -n 10 .venv/bin/python benchmarks/web_concurrency.py --users 50 --seconds 60
Writes benchmarks/results/web_concurrency.json.

The app runs under uvicorn on 127.0.0.1 (one process, as ``caselink serve``)
over a SQLite store: the synthetic city (``--cases``) with ``--alerts`` new
alerts between cases of one force (load only; their words are placeholders).
Each simulated reviewer has its own session and loops: open the inbox, open
one of the listed cases, then confirm or dismiss one listed alert with a note
naming the user and a serial. An error is a 5xx, a refused request other than
409 (two reviewers deciding the same alert: the second is told, never
overwrites) or a transport failure. A decision the server answered 200 is
lost if the store does not hold exactly that reviewer and note afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
import uvicorn
from sqlalchemy import select

from caselink.service.accounts import Accounts, Policy
from caselink.store.tables import AlertRow
from caselink.web.app import create_app
from caselink.web.security import SESSION_COOKIE, WebSettings
from machine import describe
from web_pages import SECRET, build

ALERT = re.compile(r'id="alert-(\d+)"')
CASE = re.compile(r'href="/cases/([A-Za-z0-9_-]+)"')
CSRF = re.compile(r'"X-CSRF-Token": "([^"]+)"')


async def reviewer(
    base: str, token: str, name: str, until: float, stats: dict, decided: list, rng: random.Random
) -> None:
    async with httpx.AsyncClient(
        base_url=base, cookies={SESSION_COOKIE: token}, timeout=60
    ) as client:
        serial = 0
        csrf = None
        while time.monotonic() < until:
            try:
                t = time.perf_counter()
                inbox = await client.get("/alerts")
                stats["latency"].append(time.perf_counter() - t)
                if inbox.status_code != 200:
                    stats["errors"].append(f"inbox {inbox.status_code}")
                    continue
                csrf = csrf or CSRF.search(inbox.text).group(1)  # type: ignore[union-attr]
                cases = CASE.findall(inbox.text)
                if cases:
                    t = time.perf_counter()
                    page = await client.get(f"/cases/{rng.choice(cases)}")
                    stats["latency"].append(time.perf_counter() - t)
                    if page.status_code != 200:
                        stats["errors"].append(f"case {page.status_code}")
                alerts = ALERT.findall(inbox.text)
                if not alerts:
                    continue
                alert = rng.choice(alerts[:20])
                serial += 1
                note = f"{name} decision {serial}"
                decision = rng.choice(["confirm", "dismiss"])
                t = time.perf_counter()
                answer = await client.post(
                    f"/alerts/{alert}/decision",
                    data={"decision": decision, "note": note},
                    headers={"X-CSRF-Token": csrf, "Origin": base},
                )
                stats["latency"].append(time.perf_counter() - t)
                if answer.status_code == 200:
                    decided.append((int(alert), name, note, decision))
                elif answer.status_code == 409:
                    stats["conflicts"] += 1
                else:
                    stats["errors"].append(f"decision {answer.status_code}")
            except Exception as exc:  # transport failures are errors, counted
                stats["errors"].append(f"{type(exc).__name__}: {exc}")


async def run(base: str, tokens: dict[str, str], seconds: float, seed: int) -> tuple[dict, list]:
    stats: dict = {"errors": [], "conflicts": 0, "latency": []}
    decided: list = []
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(
            reviewer(base, token, name, until, stats, decided, random.Random(seed + i))
            for i, (name, token) in enumerate(tokens.items())
        )
    )
    return stats, decided


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--alerts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "web_concurrency.json"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = build(Path(tmp), args.cases, args.seed, args.alerts)
        policy = Policy(argon2_time_cost=1, argon2_memory_kib=8192, argon2_parallelism=1)
        accounts = Accounts(store, SECRET, policy)
        tokens = {}
        for i in range(args.users):
            user = accounts.add_user(
                f"reviewer{i:02d}", "reviewer", "north", "benchmark passphrase 1", by="bench"
            )
            tokens[user.name] = accounts.start_session(user, "127.0.0.1", "bench")
        app = create_app(store, WebSettings(secret=SECRET, policy=policy))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        # a client over plain http to 127.0.0.1: the __Host- cookie is sent as a browser would
        base = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        stats, decided = asyncio.run(run(base, tokens, args.seconds, args.seed))
        elapsed = time.perf_counter() - started
        server.should_exit = True
        thread.join(timeout=30)
        with store.engine.connect() as conn:
            stored = {
                int(pk): (by, note)
                for pk, by, note in conn.execute(
                    select(AlertRow.pk, AlertRow.reviewed_by, AlertRow.review_note).where(
                        AlertRow.status != "new"
                    )
                )
            }
        lost = [
            d
            for d in decided
            if stored.get(d[0]) != (d[1], f"confirmed: {d[2]}" if d[3] == "confirm" else d[2])
        ]
        store.close()
    latency = sorted(stats["latency"])
    result = {
        "users": args.users,
        "seconds": round(elapsed, 1),
        "cases": args.cases,
        "requests": len(latency),
        "decisions_accepted": len(decided),
        "decisions_refused_as_already_decided": stats["conflicts"],
        "errors": len(stats["errors"]),
        "error_examples": stats["errors"][:5],
        "lost_decisions": len(lost),
        "latency_p50_ms": round(statistics.median(latency) * 1000, 1) if latency else None,
        "latency_p95_ms": round(latency[int(0.95 * len(latency)) - 1] * 1000, 1)
        if latency
        else None,
        "machine": describe(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
