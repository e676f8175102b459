"""What `caselink link` writes: the links at a floor, explained once, with rules that follow the size."""

from __future__ import annotations

import pandas as pd
import pytest

from caselink.linkage.blocking import (
    NATIONAL_FROM_CASES,
    named_rules,
    national_rules,
    rules_for_size,
    wide_rules,
)
from caselink.linkage.config import LinkageConfig
from caselink.linkage.engine import LinkageEngine
from caselink.linkage.memory import (
    LinkageMemoryError,
    default_memory_limit,
    parse_memory_limit,
    physical_ram_bytes,
)
from caselink.records.model import AttributeKind, AttributeSchema, AttributeSpec

from .conftest import SCHEMA


def test_explained_links_are_the_links_with_the_words_of_explain(city: LinkageEngine) -> None:
    plain = city.link(min_probability=0.2)
    explained = city.link(min_probability=0.2, explain=True)
    assert list(explained.columns) == ["case_a", "case_b", "probability", "explanation"]
    pd.testing.assert_frame_equal(explained[plain.columns], plain)
    for row in explained.head(5).itertuples():
        prob, evidence = city.explain(row.case_a, row.case_b)
        assert prob == pytest.approx(row.probability, abs=1e-9)
        assert row.explanation == "; ".join(str(e) for e in evidence)


def test_nothing_above_the_floor_gives_an_empty_explained_frame(city: LinkageEngine) -> None:
    links = city.link(min_probability=1.0, explain=True)
    assert list(links.columns) == ["case_a", "case_b", "probability", "explanation"]
    assert (links["probability"] >= 1.0).all()


def test_the_rule_set_follows_the_number_of_cases() -> None:
    config = LinkageConfig()
    small = rules_for_size(NATIONAL_FROM_CASES - 1, config, SCHEMA)
    large = rules_for_size(NATIONAL_FROM_CASES, config, SCHEMA)
    assert small == wide_rules(config, SCHEMA)
    assert large == national_rules(config, SCHEMA)
    assert named_rules("auto", config, SCHEMA, 5000) == small
    with pytest.raises(ValueError, match="give n_cases"):
        named_rules("auto", config, SCHEMA)


def test_the_engine_uses_the_rules_of_its_size(city: LinkageEngine) -> None:
    assert city.rules_name == "wide"
    assert city.rules == wide_rules(city.config, city.schema)


def test_national_rules_leave_out_location_type_when_the_schema_has_none() -> None:
    schema = AttributeSchema(attributes=(AttributeSpec(name="drugs", kind=AttributeKind.MULTI),))
    rules = national_rules(LinkageConfig(), schema)
    assert rules and all("location_type" not in r.same for r in rules)
    assert all(not r.uncommon or r.uncommon[0][0] != "location_type" for r in rules)
    assert len(national_rules(LinkageConfig(), SCHEMA)) == len(rules) + 2


def test_memory_limits_are_sizes_and_the_default_is_a_share_of_the_ram() -> None:
    assert parse_memory_limit("4GB") == 4 * 1000**3
    assert parse_memory_limit("512MiB") == 512 * 1024**2
    assert parse_memory_limit("2.5 GiB") == int(2.5 * 1024**3)
    for bad in ("lots", "-1GB", "0MB", "4 parsecs"):
        with pytest.raises(LinkageMemoryError, match="memory limit must be"):
            parse_memory_limit(bad)
    limit = parse_memory_limit(default_memory_limit())
    ram = physical_ram_bytes()
    assert limit >= 1024**3
    if ram is not None and ram >= 8 * 1024**3:
        assert limit <= ram / 2


def test_the_engine_spills_to_its_own_directory_and_names_the_step_out_of_memory() -> None:
    from caselink.synth import generate

    data = generate(300, seed=5)
    engine = LinkageEngine(data.cases, data.schema, memory_limit="1MB")
    assert engine.memory.memory_limit == "1MB"
    with pytest.raises(LinkageMemoryError, match=r"out of memory while .*--memory-limit"):
        engine.link(min_probability=0.05)
