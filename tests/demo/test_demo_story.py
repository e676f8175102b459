"""The demo, end to end: what `make demo` shows is what the library finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from caselink.demo.story import run_demo, summary_rows
from caselink.store import Store


@pytest.mark.slow
def test_demo_links_the_deaths_flags_them_on_arrival_and_lists_missed_checks(
    tmp_path: Path,
) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'demo.db'}")
    said: list[str] = []
    findings = run_demo(store, tmp_path / "out", said.append)
    d1, d2, d3 = (findings.planted[k] for k in ("d1", "d2", "d3"))

    # the two churchyard deaths are linked, with the evidence spelled out
    prob, evidence = findings.explanations[(d2, d3)]
    assert prob > 0.5
    assert any("churchyard" in e for e in evidence)
    assert any("ghb" in e for e in evidence)

    # replayed, the second death is linked to an earlier death the day it was recorded
    by_case = {f["case_id"]: f for f in findings.replay_flags}
    assert by_case[d2]["alerted_at"] == "2014-08-28"
    assert by_case[d3]["alerted_at"] == "2014-09-20"

    # and on that day the man who reported the first death, living near the second, stands out
    reporter = [
        p
        for p in findings.persons_of_interest_in_time
        if (p["role"], p["case_id"], p["near_case_id"]) == ("reporter", d1, d2)
    ]
    assert reporter, findings.persons_of_interest_in_time
    assert reporter[0]["date"] == "2014-08-28"
    assert reporter[0]["distance_m"] < 1000

    # the checks the inquest found missing are listed as not done
    missed = {r["death"]: r["missed"] for r in summary_rows(findings)}
    assert "reporter_background" in missed["d1"]
    assert "note_handwriting" in missed["d3"]
    assert "cctv" in missed["d4"]
    # and the links raise new prompts on the deaths
    assert {d1, d2, d3} <= set(findings.prompts["case_id"])

    # the same dog walker found d2 and d3: resolved as one person and flagged
    assert findings.flags["roles"].str.contains(f"{d2}:finder").any()
    assert any(
        f"{d2}:finder" in roles and f"{d3}:finder" in roles for roles in findings.flags["roles"]
    )
    assert {p.name for p in findings.files} >= {"links.csv", "series.csv", "missing.csv"}
