"""One case against the store: the case index evaluates the comparisons' own formulas."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from caselink.linkage.case_index import CaseIndex, UnsupportedComparisonError
from caselink.linkage.comparisons import Comparison
from caselink.linkage.engine import LinkageEngine
from caselink.linkage.formulas import NULL, Col, IsNull, Lit, eq, fn, when
from caselink.records.errors import CaselinkError, NotScorableError
from caselink.synth import generate


@pytest.fixture(scope="module")
def city() -> tuple[LinkageEngine, CaseIndex]:
    data = generate(600, seed=5)
    engine = LinkageEngine(data.cases, data.schema)
    model = engine.model
    index = CaseIndex.from_frame(
        data.cases, data.schema, model.config, model.rules, model.comparisons
    )
    return engine, index


def test_every_comparison_column_equals_the_batch_sql(
    city: tuple[LinkageEngine, CaseIndex],
) -> None:
    engine, index = city
    pairs = 0
    for case_id in engine.cases["case_id"].astype(str).iloc[::11]:
        pos = index.position[case_id]
        mine = index.compare(pos, index.candidates(pos))
        batch = engine.compare(mine[["case_a", "case_b"]])
        for col in mine.columns[2:]:
            a, b = mine[col].to_numpy(), batch[col].to_numpy()
            assert (np.isnan(a) == np.isnan(b)).all(), (case_id, col)
            assert np.allclose(a[~np.isnan(a)], b[~np.isnan(b)], rtol=0, atol=1e-9), col
        pairs += len(mine)
    assert pairs > 1000


def test_a_formula_gives_the_same_numbers_in_sql_and_on_arrays_nulls_included() -> None:
    x, y = Col("a", "x"), Col("b", "y")
    formulas = [
        fn("LEAST", x, y),  # skips NULL, as SQL does
        fn("GREATEST", 0.0, x - y),
        when((IsNull(x) | IsNull(y), NULL), (eq(x, y), 1.0), otherwise=0.0),
        when((eq(x, y), -fn("LN", y))),  # NULL = anything is not true
        fn("ABS", x - y) / (x + y + 1.0),
        2.0 * fn("ASIN", fn("LEAST", 1.0, fn("SQRT", fn("POWER", fn("SIN", x), 2)))),
    ]
    xs = np.array([1.0, np.nan, 0.5, 2.0, np.nan, 3.0])
    ys = np.array([1.0, 2.0, np.nan, 0.25, np.nan, 3.0])
    con = duckdb.connect()
    con.register("a", pd.DataFrame({"x": xs}).reset_index())
    con.register("b", pd.DataFrame({"y": ys}).reset_index())
    for f in formulas:
        sql = con.execute(
            f"SELECT CAST({f.sql()} AS DOUBLE) FROM a JOIN b USING (index) ORDER BY index"
        ).fetchnumpy()
        want = np.asarray(np.ma.filled(next(iter(sql.values())), np.nan), dtype=float)
        got = np.broadcast_to(f.evaluate(lambda alias, _n: xs if alias == "a" else ys), len(xs))
        np.testing.assert_allclose(got, want, equal_nan=True, err_msg=f.sql())


def test_cases_that_cannot_be_scored_name_every_case_and_reason(
    city: tuple[LinkageEngine, CaseIndex],
) -> None:
    engine, index = city
    bad = engine.cases.iloc[:3].copy()
    bad["case_id"] = ["N1", "N2", "N3"]
    bad.loc[0, "lat"] = np.nan
    bad.loc[0, "occurred_from"] = pd.NaT
    bad.loc[1, "case_type"] = None
    n = len(index)
    with pytest.raises(NotScorableError) as caught:
        index.add(bad)
    assert caught.value.reasons == {
        "N1": [
            "lat is not recorded (the model needs it)",
            "occurred_from is not recorded (the model needs it)",
        ],
        "N2": ["case_type is not recorded (the model needs it)"],
    }
    assert isinstance(caught.value, CaselinkError) and len(index) == n  # nothing indexed
    shape = caught.value.to_dict()
    assert shape["code"] == "not_scorable"
    assert [(e["value"], e["message"]) for e in shape["errors"]] == [
        ("N1", "lat is not recorded (the model needs it)"),
        ("N1", "occurred_from is not recorded (the model needs it)"),
        ("N2", "case_type is not recorded (the model needs it)"),
    ]
    with pytest.raises(NotScorableError) as again:
        index.add(engine.cases.iloc[:1])
    assert again.value.reasons == {str(engine.cases["case_id"].iloc[0]): ["already indexed"]}


def test_a_comparison_reading_a_column_the_index_lacks_is_refused(
    city: tuple[LinkageEngine, CaseIndex],
) -> None:
    engine, index = city
    odd = Comparison(
        "height", "closeness", (("height_gap", fn("ABS", Col("a", "height") - Lit(1))),)
    )
    with pytest.raises(UnsupportedComparisonError, match=r"a\.height"):
        index.use(index.rules, [*engine.comparisons, odd])


def test_an_attribute_no_case_has_recorded_yet_compares_as_missing() -> None:
    # replay's first cases: no one has recorded a weapon yet, so the index
    # holds no weapon value at all; comparing them must not fail
    data = generate(60, seed=5)
    model = LinkageEngine(data.cases, data.schema).model
    first = data.cases.head(3).assign(weapon=None).reset_index(drop=True)
    index = CaseIndex(data.schema, model.config, model.rules, model.comparisons)
    index.add(first)
    compared = index.compare(2, np.array([0, 1]))
    assert compared["weapon_rarity"].isna().all()
    assert compared["weapon_overlap"].isna().all()


def test_cases_held_uncounted_then_counted_one_by_one_compare_as_if_added_one_by_one() -> None:
    # replay holds every case from the start and counts each on arrival; what
    # a case is compared with, and how, must be what an index filled one case
    # at a time gives
    data = generate(300, seed=7)
    model = LinkageEngine(data.cases, data.schema).model
    cases = data.cases.reset_index(drop=True)
    args = (data.schema, model.config, model.rules, model.comparisons)
    grown, held = CaseIndex(*args), CaseIndex(*args)
    held.add(cases, counted=False)
    compared = 0
    for i in range(len(cases)):
        grown.add(cases.iloc[i : i + 1].reset_index(drop=True))
        held.count_through(i)
        expected = grown.candidates(i, before=i)
        assert held.candidates(i, before=i).tolist() == expected.tolist()
        pd.testing.assert_frame_equal(held.compare(i, expected), grown.compare(i, expected))
        compared += len(expected)
    assert compared > 1000


def test_adding_counted_cases_after_uncounted_ones_is_refused() -> None:
    data = generate(60, seed=5)
    model = LinkageEngine(data.cases, data.schema).model
    index = CaseIndex(data.schema, model.config, model.rules, model.comparisons)
    index.add(data.cases.head(10), counted=False)
    with pytest.raises(ValueError, match="count_through"):
        index.add(data.cases.iloc[10:12])
    index.count_through(9)
    assert len(index.add(data.cases.iloc[10:12])) == 2
