"""Properties: every score is symmetric in the two cases and a probability."""

from __future__ import annotations

from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caselink.linkage import LinkageEngine
from caselink.records.frames import cases_frame
from tests.linkage.conftest import SCHEMA, case

DRUGS = ["alcohol", "ghb", "cocaine"]
PLACES = ["street", "churchyard", None]


@st.composite
def case_sets(draw: Any) -> pd.DataFrame:
    n = draw(st.integers(3, 6))
    rows = []
    for i in range(n):
        rows.append(
            case(
                f"C{i}",
                lat=51.5 + draw(st.floats(0, 0.05)),
                lon=0.05 + draw(st.floats(0, 0.05)),
                occurred_from=f"2014-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 9))} 10:00",
                victim_age=draw(st.one_of(st.none(), st.integers(15, 60))),
                victim_sex=draw(st.sampled_from(["M", "F", None])),
                case_type=draw(st.sampled_from(["drugging", "theft", "drug_related_death"])),
                location_type=draw(st.sampled_from(PLACES)),
                drugs=draw(st.lists(st.sampled_from(DRUGS), max_size=2)),
                narrative=draw(st.sampled_from(["found in the churchyard", "phone stolen", None])),
            )
        )
    return cases_frame(rows, SCHEMA)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=case_sets(), i=st.integers(0, 5), j=st.integers(0, 5))
def test_scores_are_symmetric_and_probabilities(frame: pd.DataFrame, i: int, j: int) -> None:
    ids = frame["case_id"].tolist()
    a, b = ids[i % len(ids)], ids[j % len(ids)]
    if a == b:
        b = ids[(i + 1) % len(ids)]
    engine = LinkageEngine(frame, SCHEMA)
    scored = engine.score(pd.DataFrame({"case_a": [a, b], "case_b": [b, a]}))
    p_ab, p_ba = scored["probability"]
    assert p_ab == p_ba
    assert 0.0 <= p_ab <= 1.0
