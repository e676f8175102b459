"""DuckDB and Spark run the same generated SQL and model and give the same links."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from caselink.linkage.engine import LinkageEngine
from caselink.synth import generate

pytestmark = [
    pytest.mark.spark,
    # pyspark 4 warns about pandas 3; this test is the check that the results agree.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    pytest.importorskip("pyspark")
    from caselink.scale import spark_session

    session = spark_session("local[2]", shuffle_partitions=4)
    yield session
    session.stop()


def test_duckdb_and_spark_give_the_same_links_and_probabilities(spark: object) -> None:
    from caselink.scale import link_on_spark

    data = generate(600, seed=21, area_side_km=12)
    engine = LinkageEngine(data.cases, data.schema)
    model = engine.model
    duck = engine.link()
    sparked = link_on_spark(spark, data.cases, data.schema, model, tables=engine.tables)  # type: ignore[arg-type]
    assert len(duck) > 1000
    d = {
        (a, b): p
        for a, b, p in zip(duck["case_a"], duck["case_b"], duck["probability"], strict=True)
    }
    s = {
        (a, b): p
        for a, b, p in zip(
            sparked["case_a"], sparked["case_b"], sparked["probability"], strict=True
        )
    }
    assert set(s) == set(d)
    assert max(abs(s[k] - d[k]) for k in d) < 1e-9


def test_spark_prunes_with_the_same_bound_and_finds_the_same_links(spark: object) -> None:
    from caselink.scale import link_on_spark
    from caselink.scale.spark import candidates_on_spark

    data = generate(600, seed=21, area_side_km=12)
    engine = LinkageEngine(data.cases, data.schema)
    model = engine.model
    duck = engine.link(0.5)
    sparked = link_on_spark(
        spark,  # type: ignore[arg-type]
        data.cases,
        data.schema,
        model,
        tables=engine.tables,
        min_probability=0.5,
    )
    assert len(duck) > 20
    d = dict(
        zip(zip(duck["case_a"], duck["case_b"], strict=True), duck["probability"], strict=True)
    )
    s = dict(
        zip(
            zip(sparked["case_a"], sparked["case_b"], strict=True),
            sparked["probability"],
            strict=True,
        )
    )
    assert set(s) == set(d)
    assert max(abs(s[k] - d[k]) for k in d) < 1e-9
    # Spark compared only the pairs that can reach the threshold, as DuckDB did
    assert candidates_on_spark(spark, model, 0.5).count() == engine.count_linkable(0.5)  # type: ignore[arg-type]
