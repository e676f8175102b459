"""Which pairs of mentions the person model scores at all (its blocking rules).

A key many people share (a date of birth, a full name) pairs mentions
across the whole city, so each such rule also asks for one piece of
corroboration: an initial, a nearby case (same or touching 2 km square),
a shared postcode, part of the dob. A place that is not recorded is no
evidence against a pair.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pandas as pd

from caselink.entities.features import AREA_KM, person_features
from caselink.entities.person_model import prediction_blocking_sql
from caselink.records.frames import mentions_frame

KM_PER_DEGREE_LAT = 111.32
FAR_KM = 10 * AREA_KM
"""North of the first case: ten squares away, never touching."""


def _candidates(rows: list[dict[str, Any]], north_km: list[float] | None) -> bool:
    """Whether the two mentions ``rows`` make a candidate pair under any blocking rule.

    ``north_km`` places each mention's case that far north of one point (None:
    no cases at all, people-only input).
    """
    mentions = mentions_frame([{**row, "case_id": f"C{i}"} for i, row in enumerate(rows)])
    cases = (
        None
        if north_km is None
        else pd.DataFrame(
            {
                "case_id": [f"C{i}" for i in range(len(rows))],
                "lat": [51.5 + km / KM_PER_DEGREE_LAT for km in north_km],
                "lon": [0.1 for _ in rows],
            }
        )
    )
    con = duckdb.connect()
    con.register("m", person_features(mentions, cases))
    where = " OR ".join(f"coalesce(({rule}), false)" for rule in prediction_blocking_sql())
    (count,) = con.execute(
        f"SELECT count(*) FROM m AS l JOIN m AS r ON l.mention_id < r.mention_id WHERE {where}"
    ).fetchone() or (0,)
    return bool(count)


def _witness(name: str, **fields: Any) -> dict[str, Any]:
    return {"role": "witness", "name": name, **fields}


def test_a_shared_dob_alone_does_not_pair_strangers_across_the_city() -> None:
    rows = [
        _witness("Alan Price", dob=date(1980, 5, 1), postcode="E6 1AA"),
        _witness("Olu Yusuf", dob=date(1980, 5, 1), postcode="N1 9ZZ"),
    ]
    assert not _candidates(rows, [0.0, FAR_KM])


def test_a_shared_dob_pairs_mentions_whose_cases_are_nearby() -> None:
    rows = [
        _witness("Alan Price", dob=date(1980, 5, 1), postcode="E6 1AA"),
        _witness("Olu Yusuf", dob=date(1980, 5, 1), postcode="N1 9ZZ"),
    ]
    assert _candidates(rows, [0.0, 0.5 * AREA_KM])
    assert _candidates(rows, [0.0, 1.5 * AREA_KM])  # the next square north touches


def test_a_shared_dob_pairs_a_mention_whose_name_is_missing() -> None:
    rows = [
        _witness("Alan Price", dob=date(1980, 5, 1)),
        {"role": "witness", "name": None, "dob": date(1980, 5, 1)},
    ]
    assert _candidates(rows, [0.0, FAR_KM])


def test_a_place_not_recorded_is_no_evidence_against_a_pair() -> None:
    rows = [
        _witness("Alan Price", dob=date(1980, 5, 1), postcode="E6 1AA"),
        _witness("Olu Yusuf", dob=date(1980, 5, 1), postcode="N1 9ZZ"),
    ]
    assert _candidates(rows, None)


def test_one_full_name_far_apart_needs_part_of_the_dob_or_a_missing_one() -> None:
    far = [0.0, FAR_KM]
    base = _witness("John Smith", dob=date(1960, 6, 26), address="4 Elm Walk", postcode="E6 1AA")
    other = {"address": "9 Oak Road", "postcode": "N1 9ZZ"}
    assert not _candidates([base, _witness("John Smith", dob=date(1985, 2, 3), **other)], far)
    assert _candidates([base, _witness("John Smith", dob=date(1959, 6, 26), **other)], far)
    assert _candidates([base, _witness("John Smith", dob=date(1960, 2, 3), **other)], far)
    assert _candidates([base, _witness("John Smith", **other)], far)


def test_swapped_names_pair_when_nearby_or_with_one_dob() -> None:
    a = _witness("Kerry Gordon", postcode="E6 1AA")
    assert not _candidates([a, _witness("Gordon Kerry", postcode="N1 9ZZ")], [0.0, FAR_KM])
    assert _candidates([a, _witness("Gordon Kerry", postcode="N1 9ZZ")], [0.0, 0.5])
    dob = date(1982, 6, 5)
    assert _candidates(
        [{**a, "dob": dob}, _witness("Gordon Kerry", dob=dob, postcode="N1 9ZZ")],
        [0.0, FAR_KM],
    )


def test_a_name_written_surname_comma_given_is_the_same_name_not_a_swap() -> None:
    a = _witness("Kerry Gordon", postcode="E6 1AA")
    b = _witness("Gordon, Kerry", postcode="N1 9ZZ")
    assert _candidates([a, b], [0.0, FAR_KM])  # one full name, no dob on either
