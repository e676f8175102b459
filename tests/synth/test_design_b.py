"""Design B (``caselink synth --design B``): an independent second city with known truth.

Specification: issue 12 item 4, issue 19 item 5, issue 18 item 5 (denser).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from caselink.cli import synth as synth_cli
from caselink.records.frames import ACTION_COLUMNS, CASE_COLUMNS, MENTION_COLUMNS
from caselink.store import Store
from caselink.synth import SCHEMA, SynthData, generate, write
from caselink.synth import vocabulary_b as voc
from caselink.synth.catalogue import CASE_TYPES, FAMILY_OF, VICTIM_GROUPS
from caselink.synth.city_b import EMPTY_SHARE, City
from caselink.synth.geography import KM_PER_DEGREE_LAT


@pytest.fixture(scope="module")
def city_b() -> SynthData:
    """A 3,000-case design-B city."""
    return generate(3000, seed=11, design="B")


def _files(tmp: Path, data: SynthData) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in write(data, tmp)}


def test_same_seed_same_files_other_seed_other_data(tmp_path: Path) -> None:
    a = _files(tmp_path / "a", generate(600, seed=5, design="B"))
    b = _files(tmp_path / "b", generate(600, seed=5, design="B"))
    assert a == b
    c = _files(tmp_path / "c", generate(600, seed=6, design="B"))
    assert a["cases.csv"] != c["cases.csv"]
    design_a = _files(tmp_path / "d", generate(600, seed=5))
    assert design_a["cases.csv"] != a["cases.csv"]


def test_same_files_and_columns_as_design_a(city_b: SynthData, tmp_path: Path) -> None:
    assert list(city_b.cases.columns) == [*CASE_COLUMNS, *voc.SCHEMA_B.names()]
    assert list(city_b.people.columns) == list(MENTION_COLUMNS)
    assert list(city_b.actions.columns) == list(ACTION_COLUMNS)
    assert (city_b.cases["occurred_to"] >= city_b.cases["occurred_from"]).all()
    assert (city_b.cases["reported_at"] >= city_b.cases["occurred_to"]).all()
    assert city_b.cases["reported_at"].is_monotonic_increasing
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    write(generate(300, seed=1), a_dir)
    write(city_b, b_dir)
    assert sorted(p.name for p in a_dir.iterdir()) == sorted(p.name for p in b_dir.iterdir())
    for name in ("people.csv", "actions.csv", "truth_cases.csv", "truth_offenders.csv"):
        head_a = pd.read_csv(a_dir / name, nrows=1).columns.tolist()
        assert pd.read_csv(b_dir / name, nrows=1).columns.tolist() == head_a, name
    truth_people = pd.read_csv(b_dir / "truth_people.csv", dtype=str)
    assert truth_people.columns.tolist()[:2] == ["mention_id", "person_id"]
    assert "kin_of" in truth_people.columns


def test_imports_into_the_store_without_errors(city_b: SynthData, tmp_path: Path) -> None:
    write(city_b, tmp_path)
    store = Store.open(f"sqlite:///{tmp_path}/t.db")
    report = store.import_files(
        tmp_path / "cases.csv",
        tmp_path / "people.csv",
        tmp_path / "actions.csv",
        tmp_path / "schema.yaml",
    )
    assert report.cases_inserted == len(city_b.cases)
    assert report.mentions == len(city_b.people)
    assert report.actions == len(city_b.actions)
    assert set(store.cases_frame().columns) >= set(voc.SCHEMA_B.names())


def _app() -> typer.Typer:
    app = typer.Typer()
    synth_cli.register(app)
    return app


def test_cli_design_b_writes_and_loads(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/t.db"
    out = tmp_path / "out"
    args = ["synth", str(out), "--cases", "300", "--seed", "3", "--design", "B"]
    result = CliRunner().invoke(_app(), [*args, "--load", "--db", db])
    assert result.exit_code == 0, result.output
    assert "premises" in (out / "schema.yaml").read_text()
    assert len(Store.open(db).cases_frame()) == 300
    bad = CliRunner().invoke(_app(), ["synth", str(tmp_path / "x"), "--design", "C"])
    assert bad.exit_code != 0
    with pytest.raises(ValueError, match="design must be 'A' or 'B'"):
        generate(10, seed=1, design="C")


def test_vocabulary_differs_from_design_a(city_b: SynthData) -> None:
    a_names, b_names = set(SCHEMA.names()), set(voc.SCHEMA_B.names())
    # only the fields the shipped assurance standard conditions on are shared
    assert a_names & b_names == {"drugs", "note_found"}
    assert len(b_names - a_names) >= 6
    a = generate(3000, seed=11)
    a_drugs = {d for t in a.cases["drugs"] for d in t}
    b_drugs = {d for t in city_b.cases["drugs"] for d in t}
    assert len(b_drugs - a_drugs) >= 5
    assert set(city_b.cases["case_type"]) == set(CASE_TYPES)  # the standard case types
    assert set(city_b.cases["victim_group"].dropna()) <= set(VICTIM_GROUPS)
    mix_a = a.cases["case_type"].value_counts(normalize=True)
    mix_b = city_b.cases["case_type"].value_counts(normalize=True)
    assert mix_b.index[0] == "violence" and mix_a.index[0] == "theft"  # a different mix
    assert len({len(v) for v in voc.CATEGORICAL_B.values()}) >= 5
    assert len(set(voc.ZIPF_B.values())) >= 5


def test_about_thirty_percent_of_applicable_mo_fields_are_blank(city_b: SynthData) -> None:
    blank = total = 0
    for attr, by_type in voc.APPLIES.items():
        always = [t for t, p in by_type.items() if p == 1.0]
        col = city_b.cases.loc[city_b.cases["case_type"].isin(always), attr]
        empty = col.map(lambda v: v is None or v == () or (isinstance(v, float) and np.isnan(v)))
        blank += int(empty.sum())
        total += len(col)
    assert total > 3000
    assert 0.27 <= blank / total <= 0.33


def test_values_are_written_as_synonyms(city_b: SynthData) -> None:
    entry = set(city_b.cases["point_of_entry"].dropna())
    assert {"rear door", "back door"} <= entry
    weapons = set(city_b.cases["weapon_used"].dropna())
    assert {"knife", "bladed article"} <= weapons
    items = {i for t in city_b.cases["items_stolen"] for i in t}
    assert {"mobile phone", "phone"} <= items
    # every surface form names exactly one canonical value of its attribute
    for attr, values in {**voc.CATEGORICAL_B, **voc.MULTI_B}.items():
        written = [f for v in values for f in voc.forms(v)]
        assert len(written) == len(set(written)), attr


def test_narratives_share_boilerplate_and_name_recorded_facts(city_b: SynthData) -> None:
    text = city_b.cases["narrative"]
    boiler = text.str.contains("No further lines of enquiry at this time.", regex=False)
    assert 0.1 < boiler.mean() < 0.9
    row = city_b.cases.dropna(subset=["point_of_entry"]).iloc[0]
    assert f"Entry: {row['point_of_entry']}." in row["narrative"]


def test_time_windows_are_exact_hours_days_or_weeks(city_b: SynthData) -> None:
    width = (city_b.cases["occurred_to"] - city_b.cases["occurred_from"]).dt.total_seconds()
    assert (width == 0).mean() > 0.2
    assert ((width > 0) & (width < 86400)).mean() > 0.2
    assert (width >= 86400).mean() > 0.05
    assert (width >= 7 * 86400).mean() > 0.01
    hour = city_b.cases["hour_recorded"]
    assert hour[width >= 86400].isna().all()
    known = width < 86400
    assert (hour[known] == city_b.cases.loc[known, "occurred_from"].dt.hour).all()


def test_series_offenders_cross_case_types_families_and_victim_groups(
    city_b: SynthData,
) -> None:
    m = city_b.cases.merge(city_b.truth_cases[["case_id", "series_id"]], on="case_id")
    series = m.dropna(subset=["series_id"]).groupby("series_id")
    n_types = series["case_type"].nunique()
    families = series["case_type"].agg(lambda s: len({FAMILY_OF[t] for t in s}))
    groups = series["victim_group"].nunique()
    assert (n_types > 1).mean() > 0.3
    assert (families > 1).sum() > 10  # crossings beyond design A's families
    assert (groups > 1).mean() > 0.2


def test_signatures_drift_along_a_series(city_b: SynthData) -> None:
    """Consecutive crimes agree more often than a series' first and last crimes."""
    m = city_b.cases.merge(city_b.truth_cases[["case_id", "series_id"]], on="case_id")
    m = m.dropna(subset=["series_id"]).sort_values(["series_id", "occurred_from"])
    next_same = first_last_same = 0
    n_next = n_first_last = 0
    canonical = voc.canonical_of()["premises"]
    for _, s in m.groupby("series_id"):
        v = [canonical.get(x) if isinstance(x, str) else None for x in s["premises"]]
        if len(v) < 4:
            continue
        pairs = [(a, b) for a, b in itertools.pairwise(v) if a and b]
        n_next += len(pairs)
        next_same += sum(a == b for a, b in pairs)
        if v[0] and v[-1]:
            n_first_last += 1
            first_last_same += v[0] == v[-1]
    assert n_next > 100 and n_first_last > 20
    assert first_last_same / n_first_last < next_same / n_next


def _within_km(data: SynthData, km: float) -> int:
    lat0, lon0 = data.params["centre"]
    dy = (data.cases["lat"] - lat0) * KM_PER_DEGREE_LAT
    dx = (data.cases["lon"] - lon0) * KM_PER_DEGREE_LAT * np.cos(np.radians(lat0))
    return int((np.hypot(dx, dy) <= km).sum())


def test_denser_centre_than_design_a_at_equal_n(city_b: SynthData) -> None:
    a = generate(3000, seed=11)
    # cases within 1 km of the city centre, same number of cases in the whole city
    assert _within_km(city_b, 1.0) >= 2 * _within_km(a, 1.0)
    assert city_b.params["area_side_km"] < a.params["area_side_km"]
    # strongly centred: the central 1 km holds a clear share of the city's crime
    assert _within_km(city_b, 1.0) / len(city_b.cases) > 0.15


def test_people_live_where_people_live_not_in_empty_areas() -> None:
    city = City.draw(np.random.default_rng(3), 12.0)
    x, y = city.homes(np.random.default_rng(4), 20000)
    assert not city.is_empty(x, y).any()
    assert abs(city.empty.mean() - EMPTY_SHARE) < 0.05
    inner = np.hypot(x, y) < 2.0
    assert inner.mean() > 3 * (np.pi * 4.0) / (12.0 * 12.0)  # far above a uniform spread


def _persons_in_pairs(data: SynthData, kind: str) -> pd.DataFrame:
    p = data.persons
    pairs = p[(p["kin_type"] == kind) & (p["person_id"] < p["kin_of"])]
    return pairs.merge(p, left_on="kin_of", right_on="person_id", suffixes=("", "_kin"))


def test_twins_share_surname_dob_and_address_but_are_two_persons(city_b: SynthData) -> None:
    twins = _persons_in_pairs(city_b, "twin")
    assert len(twins) >= 20
    assert (twins["last_name"] == twins["last_name_kin"]).all()
    assert (twins["dob"] == twins["dob_kin"]).all()
    assert (twins["address"] == twins["address_kin"]).all()
    assert (twins["first_name"] != twins["first_name_kin"]).all()
    assert (twins["person_id"] != twins["person_id_kin"]).all()


def test_fathers_and_sons_share_address_and_surname_dobs_apart(city_b: SynthData) -> None:
    pairs = _persons_in_pairs(city_b, "father_son")
    assert len(pairs) >= 30
    assert (pairs["last_name"] == pairs["last_name_kin"]).all()
    assert (pairs["address"] == pairs["address_kin"]).all()
    years = (pairs["dob"] - pairs["dob_kin"]).abs().dt.days / 365.25
    assert years.between(24.9, 35.1).all()
    assert (pairs["sex"] == "M").all() and (pairs["sex_kin"] == "M").all()
    assert (pairs["first_name"] == pairs["first_name_kin"]).mean() > 0.3  # same full name


def test_both_members_of_every_kin_pair_are_mentioned(city_b: SynthData) -> None:
    t = city_b.truth_people
    kin = t.dropna(subset=["kin_of"])
    mentioned = set(t["person_id"])
    assert set(kin["kin_of"]) <= mentioned
    assert (kin["kin_of"] != kin["person_id"]).all()
    assert set(kin["kin_type"]) == {"twin", "father_son"}
    assert t["kin_of"].isna().mean() > 0.8


def test_names_carry_police_record_noise(city_b: SynthData) -> None:
    names = city_b.people["name"].dropna()
    assert names.str.contains(r"^[A-Z'\-]+, ", regex=True).mean() > 0.02  # "SMITH, John"
    assert (~names.str.contains(" ")).mean() > 0.01  # lone given name
    assert names.str.contains(r"^[A-Z]\.? ", regex=True).mean() > 0.01  # initials
    multi = ("van ", "de la ", "da ", "dos ", "El ", "Le ", "del ")
    assert names.map(lambda s: any(p in s for p in multi)).sum() > 20
    # alias surnames: one person recorded under two surnames
    m = city_b.people.merge(city_b.truth_people, on="mention_id").merge(
        city_b.persons[["person_id", "alias_surname"]], on="person_id"
    )
    aliased = m.dropna(subset=["alias_surname", "name"])
    uses_alias = aliased.apply(lambda r: r["alias_surname"].lower() in r["name"].lower(), axis=1)
    assert 0.2 < uses_alias.mean() < 0.8


def test_fields_are_missing_at_realistic_rates(city_b: SynthData) -> None:
    people = city_b.people
    a = generate(3000, seed=11).people
    for column in ("dob", "phone", "address"):
        assert people[column].isna().mean() > a[column].isna().mean(), column
        assert 0.15 < people[column].isna().mean() < 0.8, column


@pytest.mark.parametrize("n", [1, 2, 10, 50])
def test_tiny_cities_generate(n: int) -> None:
    data = generate(n, seed=3, design="B")
    assert len(data.cases) == n
    assert set(data.truth_people["mention_id"]) == set(data.people["mention_id"])


def test_parameters_are_passed_through() -> None:
    data = generate(
        200,
        seed=3,
        design="B",
        start="2020-01-01",
        end="2020-06-30",
        series_fraction=0.5,
        max_series_size=4,
        area_side_km=3.0,
        solved_fraction=0.1,
    )
    assert data.params["area_side_km"] == 3.0
    assert data.truth_cases["series_id"].value_counts().max() <= 4
    assert data.cases["offender_id"].notna().sum() == 20
    # the true moment lies in the period; a recorded window may open before it
    assert data.cases["occurred_to"].min() >= pd.Timestamp("2020-01-01")
    assert data.cases["occurred_from"].max() <= pd.Timestamp("2020-07-01")
