"""The generator: determinism, parameters, the column contract and record validity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from caselink.records.frames import ACTION_COLUMNS, CASE_COLUMNS, MENTION_COLUMNS
from caselink.records.model import Action, AttributeKind, Case, Mention
from caselink.synth import SCHEMA, SynthData, generate, write
from caselink.synth.catalogue import CASE_TYPES, DEATH_TYPES, VICTIM_GROUPS
from caselink.synth.generator import series_sizes


def _frames_equal(a: SynthData, b: SynthData) -> None:
    for name in ("cases", "people", "actions", "truth_cases", "truth_people", "truth_offenders"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


def test_same_seed_same_data_and_same_files(tmp_path: Path) -> None:
    a, b = generate(600, seed=5), generate(600, seed=5)
    _frames_equal(a, b)
    write(a, tmp_path / "a")
    write(b, tmp_path / "b")
    for f in sorted((tmp_path / "a").iterdir()):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name


def test_another_seed_other_data() -> None:
    a, b = generate(300, seed=1), generate(300, seed=2)
    assert not a.cases["lat"].equals(b.cases["lat"])


def test_frames_follow_the_column_contract(borough: SynthData) -> None:
    assert list(borough.cases.columns) == [*CASE_COLUMNS, *SCHEMA.names()]
    assert list(borough.people.columns) == list(MENTION_COLUMNS)
    assert list(borough.actions.columns) == list(ACTION_COLUMNS)
    assert borough.cases["case_id"].is_monotonic_increasing
    assert borough.cases["reported_at"].is_monotonic_increasing
    assert borough.cases["occurred_from"].dtype == "datetime64[us]"
    assert (borough.cases["occurred_to"] >= borough.cases["occurred_from"]).all()
    assert (borough.cases["reported_at"] >= borough.cases["occurred_to"]).all()
    assert borough.people["mention_id"].tolist() == list(range(len(borough.people)))
    for name in SCHEMA.of_kind(AttributeKind.MULTI):
        assert all(isinstance(v, tuple) and list(v) == sorted(v) for v in borough.cases[name])
    hours = borough.cases["time_of_day_hour"]
    assert hours.between(0, 23).all()
    assert (hours == borough.cases["occurred_from"].dt.hour).all()


def _clean(row: dict[str, object]) -> dict[str, object]:
    """A frame row with missing values as None and timestamps as Python datetimes."""
    out: dict[str, object] = {}
    for k, v in row.items():
        if v is None or (not isinstance(v, tuple | str) and pd.isna(v)):  # type: ignore[call-overload]
            out[k] = None
        elif isinstance(v, pd.Timestamp):
            out[k] = v.to_pydatetime()
        else:
            out[k] = v
    return out


def test_every_row_validates_as_a_record() -> None:
    data = generate(400, seed=9)
    for row in data.cases.to_dict("records"):
        clean = _clean(row)
        attrs = {n: clean.pop(n) for n in SCHEMA.names()}
        if clean["victim_age"] is not None:
            clean["victim_age"] = int(clean["victim_age"])  # type: ignore[call-overload]
        Case(**clean, attributes=attrs)  # type: ignore[arg-type]
    for row in data.people.drop(columns="mention_id").to_dict("records"):
        clean = _clean(row)
        if clean["dob"] is not None:
            clean["dob"] = clean["dob"].date()  # type: ignore[attr-defined]
        Mention(**clean)  # type: ignore[arg-type]
    for row in data.actions.drop(columns=["action_id", "source", "reason"]).to_dict("records"):
        Action(**_clean(row))  # type: ignore[arg-type]


def test_case_types_and_groups_are_the_vocabulary(borough: SynthData) -> None:
    assert set(borough.cases["case_type"]) == set(CASE_TYPES)
    assert set(borough.cases["victim_group"].dropna()) <= set(VICTIM_GROUPS)
    shares = borough.cases["case_type"].value_counts(normalize=True)
    assert shares.index[0] == "theft"  # volume crime dominates
    per_year = borough.cases["case_type"].value_counts() / 4
    assert 15 <= per_year["drug_related_death"] <= 45  # a few dozen a year per borough
    assert 8 <= per_year["unexplained_death"] <= 30


def test_solved_fraction_is_exact_and_matches_truth(borough: SynthData) -> None:
    solved = borough.cases["offender_id"].notna()
    assert solved.sum() == round(0.3 * len(borough.cases))
    assert (borough.cases.loc[solved, "status"] == "solved").all()
    truth = borough.truth_cases.set_index("case_id")["offender_id"]
    ids = borough.cases.loc[solved].set_index("case_id")["offender_id"]
    assert (truth.loc[ids.index] == ids).all()
    deaths = borough.cases["case_type"].isin(list(DEATH_TYPES))
    assert set(borough.cases.loc[deaths, "status"]) == {"suspicious", "non_suspicious"}
    assert borough.truth_cases["offender_id"].notna().all()


def test_mentions_per_case_about_two_and_a_half(borough: SynthData) -> None:
    assert 2.2 <= len(borough.people) / len(borough.cases) <= 2.8


def test_area_scales_with_the_number_of_cases() -> None:
    small = generate(200, seed=1).params["area_side_km"]
    large = generate(20000, seed=1).params["area_side_km"]
    assert small < 6.0 < large


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"n_cases": 0}, "n_cases"),
        ({"solved_fraction": 1.5}, "solved_fraction"),
        ({"check_bias": {"gay": 0.5}}, "unknown victim group 'gay'"),
        ({"check_bias": {"lgbt": -1.0}}, "positive"),
        ({"start": "2016-01-01", "end": "2015-01-01"}, "must be before end"),
        ({"start": "not a date"}, "start: not a date"),
    ],
)
def test_bad_parameters_are_named(kwargs: dict[str, object], fragment: str) -> None:
    args: dict[str, object] = {"n_cases": 10, "seed": 1, **kwargs}
    with pytest.raises(ValueError, match=fragment):
        generate(**args)  # type: ignore[arg-type]


def test_series_sizes_cover_the_target_and_stay_in_range() -> None:
    rng = np.random.default_rng(0)
    sizes = series_sizes(rng, 5000, max_size=15)
    assert sizes.sum() == 5000
    assert sizes.min() >= 2 and sizes.max() <= 15
    # heavy tail: pairs are the commonest size, a few large series exist
    counts = np.bincount(sizes)
    assert counts[2] == counts.max()
    assert (sizes >= 10).sum() > 0
