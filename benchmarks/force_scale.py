"""The whole pipeline on one force's synthetic city: wall time and peak RSS per step.

Draws a city of N cases (`caselink synth --design A|B`), then runs each step
as its own `caselink` process, as an analyst would, against one SQLite store:

  import (with alerts) -> train -> link -> series -> resolve -> replay ->
  checks -> audit -> geoprofile of the largest series

and measures each step's wall time, CPU time (the child's user + system
time: on a shared machine the wall time also counts the waits for a core)
and peak resident memory (the child's ``ru_maxrss`` from ``wait4``; a watchdog polls its RSS and stops it above
--max-rss-gib, recorded as a failure, so the shared machine is never put at
risk). A step that fails or times out is recorded with its error and the
next steps still run where they can.

Run:  nice -n 10 .venv/bin/python benchmarks/force_scale.py 10000 --design A
Writes benchmarks/results/force_scale_<design>_<N>.json and .md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe

RESULTS = Path(__file__).parent / "results"
CASELINK = str(Path(sys.executable).with_name("caselink"))
GIB = 2**30
TARGETS_100K = {"import": 300.0, "train": 180.0, "link": 180.0, "resolve": 300.0}
"""Issue 18's wall-time targets (seconds) at 100,000 cases; every step < 8 GiB."""
STEPS = ("import", "train", "link", "series", "resolve", "replay", "checks", "audit", "geoprofile")


def _rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def run_step(name: str, args: list[str], log: Path, timeout: float, max_rss: int) -> dict[str, Any]:
    """Run one caselink command; its wall time, peak RSS, exit code and last lines."""
    start = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [CASELINK, *args], stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        stopped: list[str] = []

        def watch() -> None:
            while proc.poll() is None:
                if _rss_bytes(proc.pid) > max_rss:
                    stopped.append(f"stopped: RSS above {max_rss / GIB:.0f} GiB")
                    os.killpg(proc.pid, signal.SIGKILL)
                    return
                if time.perf_counter() - start > timeout:
                    stopped.append(f"stopped: still running after {timeout:.0f} s")
                    os.killpg(proc.pid, signal.SIGKILL)
                    return
                time.sleep(0.5)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        watcher.join()
    seconds = time.perf_counter() - start
    tail = log.read_text(errors="replace").strip().splitlines()[-3:]
    row = {
        "step": name,
        "command": "caselink " + " ".join(args),
        "seconds": round(seconds, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_gib": round(usage.ru_maxrss * 1024 / GIB, 2),
        "exit_code": proc.returncode,
        "ok": proc.returncode == 0 and not stopped,
        "note": stopped[0] if stopped else "",
        "output_tail": tail,
    }
    print(
        f"{name:>10}: {row['seconds']:8.1f} s (CPU {row['cpu_s']:7.1f} s)  "
        f"{row['peak_rss_gib']:5.2f} GiB  "
        f"{'ok' if row['ok'] else 'FAILED ' + row['note']}",
        flush=True,
    )
    return row


def largest_series(path: Path) -> tuple[str, list[str]]:
    """The largest series of a series.csv (members), its id and case ids."""
    members: dict[str, list[str]] = {}
    with path.open() as handle:
        for row in csv.DictReader(handle):
            members.setdefault(row["series_id"], []).append(row["case_id"])
    if not members:
        return "", []
    sid = max(members, key=lambda s: (len(members[s]), s))
    return sid, members[sid]


def table(rows: list[dict[str, Any]]) -> str:
    """The markdown table of one run."""
    lines = [
        "| step | wall time | CPU time (user+sys) | peak RSS | result |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        result = "ok" if r["ok"] else (r["note"] or f"exit {r['exit_code']}")
        lines.append(
            f"| {r['step']} | {r['seconds']:,.1f} s | {r.get('cpu_s', 0.0):,.1f} s "
            f"| {r['peak_rss_gib']:.2f} GiB | {result} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("cases", type=int)
    parser.add_argument("--design", choices=("A", "B"), default="A")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per step")
    parser.add_argument("--max-rss-gib", type=float, default=8.0)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--steps",
        default=",".join(STEPS),
        help="comma-separated steps to run after synth (default: all); a step "
        "left out is recorded as not run",
    )
    args = parser.parse_args()
    chosen = set(args.steps.split(","))
    unknown = chosen - set(STEPS)
    if unknown:
        parser.error(f"unknown steps {sorted(unknown)}; known: {', '.join(STEPS)}")
    out = args.out or RESULTS / f"force_scale_{args.design}_{args.cases}.json"
    work = args.workdir or Path(tempfile.mkdtemp(prefix="caselink-force-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / "city"
    db = f"sqlite:///{work / 'store.db'}"
    max_rss = int(args.max_rss_gib * GIB)
    load = os.getloadavg()

    rows: list[dict[str, Any]] = []
    synth: dict[str, Any] = {}

    def save() -> None:
        """Write the result so far (a run stopped midway keeps its finished steps)."""
        result = {
            "benchmark": "force_scale",
            "cases": args.cases,
            "design": args.design,
            "seed": args.seed,
            "machine": describe(),
            "shared": "the machine was shared with other jobs (load average before: "
            + ", ".join(f"{x:.1f}" for x in load)
            + ")",
            "load_average_before": load,
            "load_average_after": os.getloadavg(),
            "max_rss_gib_allowed": args.max_rss_gib,
            "timeout_s": args.timeout,
            "synth": synth,
            "steps": rows,
            "targets_100k_s": TARGETS_100K,
            "workdir": str(work),
        }
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        md = (
            f"Design {args.design}, {args.cases:,} cases (seed {args.seed}); {describe()}; "
            f"{result['shared']}.\n\n{table(rows)}\n"
        )
        out.with_suffix(".md").write_text(md)

    def step(name: str, *cmd: str) -> dict[str, Any]:
        if name != "synth" and name not in chosen:
            row = {"step": name, "command": "caselink " + " ".join(cmd), "seconds": 0.0,
                   "cpu_s": 0.0, "peak_rss_gib": 0.0, "exit_code": None, "ok": False, "note": "not run",
                   "output_tail": []}  # fmt: skip
            rows.append(row)
            save()
            return row
        row = run_step(name, list(cmd), work / f"{name}.log", args.timeout, max_rss)
        if name != "synth":
            rows.append(row)
            save()
        return row

    synth.update(
        step(
            "synth",
            "synth",
            str(data),
            "--cases",
            str(args.cases),
            "--seed",
            str(args.seed),
            "--design",
            args.design,
        )
    )
    step(
        "import",
        "import",
        str(data / "cases.csv"),
        "--people",
        str(data / "people.csv"),
        "--actions",
        str(data / "actions.csv"),
        "--schema",
        str(data / "schema.yaml"),
        "--db",
        db,
    )
    step("train", "train", "--db", db, "--model", str(work / "model.json"))
    model = ["--model", str(work / "model.json")] if (work / "model.json").exists() else []
    step("link", "link", "--db", db, *model, "--out", str(work / "links.csv"))
    step("series", "series", "--db", db, *model, "--out", str(work / "series.csv"))
    step("resolve", "resolve", "--db", db)
    step("replay", "replay", "--db", db, *model, "--out", str(work / "alerts.csv"))
    step("checks", "checks", "--db", db, "--out", str(work / "missing.csv"))
    step("audit", "audit", "--db", db, "--group", "victim_group", "--out", str(work / "a.json"))
    done = rows[3]["ok"] and (work / "series.csv").exists()
    sid, members = largest_series(work / "series.csv") if done else ("", [])
    if members or "geoprofile" not in chosen:
        geo = step(
            "geoprofile",
            "geoprofile",
            "--db",
            db,
            "--cases",
            ",".join(members),
            "--out",
            str(work / "surface.csv"),
        )
        geo["series"] = {"series_id": sid, "cases": len(members)}
        save()
    save()
    print(out.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
