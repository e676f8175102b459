"""No MO attribute name can collide with a column the linkage makes (issue 14 item 3).

An attribute becomes a column of the cases frame, of the linkage tables and of
the compared pairs, next to the columns caselink derives. The names a user may
give are checked against ``records.names``; this test finds every column the
linkage actually makes, for both synthetic designs, and fails when one of them
could be an attribute's name: a new derived column must be reserved there.
"""

from __future__ import annotations

import pytest

from caselink.linkage.engine import LinkageEngine
from caselink.records.names import name_problem
from caselink.synth import generate


@pytest.mark.parametrize("design", ["A", "B"])
def test_every_column_the_linkage_makes_is_an_attribute_or_a_name_no_attribute_may_take(
    design: str,
) -> None:
    data = generate(300, seed=1, design=design)
    frame = data.cases
    attributes = {a.name.lower() for a in data.schema.attributes}
    engine = LinkageEngine(frame, data.schema)
    pairs = engine.candidates().head(200)[["case_a", "case_b"]]
    compared = engine.compare(pairs)
    # (case_values is a long table: attribute names are its values, never its columns)
    made = set(frame.columns) | set(engine.tables.cases.columns) | set(compared.columns)
    free = sorted(c for c in made if c.lower() not in attributes and name_problem(c) is None)
    assert free == [], f"columns an MO attribute could be named (reserve them): {free}"


def test_a_comparison_column_is_refused_as_an_attribute_name() -> None:
    for name in (
        "distance_km",
        "Days_Apart",
        "victim_age_gap",
        "tod_gap_h",
        "drugs_n",
        "weapon__lr_same",  # the bound's per-case log ratio column (linkage.bounds)
        "bound",
    ):
        assert name_problem(name) is not None
