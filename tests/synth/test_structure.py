"""The hidden structure: journeys to crime, MO consistency, time clustering, people, noise."""

from __future__ import annotations

import numpy as np
import pandas as pd

from caselink.records.geodesy import haversine_km
from caselink.synth import SynthData, generate
from caselink.synth.geography import JOURNEY_MEDIAN_KM


def _with_homes(data: SynthData) -> pd.DataFrame:
    t = data.truth_cases.merge(data.truth_offenders, on="offender_id")
    t = t.merge(data.cases, on="case_id", suffixes=("", "_case"))
    t["distance_km"] = haversine_km(
        t["lat"].to_numpy(), t["lon"].to_numpy(), t["home_lat"].to_numpy(), t["home_lon"].to_numpy()
    )
    t["ratio"] = t["distance_km"] / t["case_type"].map(JOURNEY_MEDIAN_KM)
    return t


def test_journey_to_crime_follows_the_documented_decay(borough: SynthData) -> None:
    t = _with_homes(borough)
    series = t[t["series_id"].notna()]
    oneoff = t[t["series_id"].isna()]
    # one-off journeys are unconstrained: the median is the documented median
    assert 0.9 <= oneoff["ratio"].median() <= 1.1
    # series journeys are kept inside the 6 km borough, which shortens them a little
    assert 0.7 <= series["ratio"].median() <= 1.05
    # buffer zone: few crimes right at the home; decay: few far away
    assert (series["ratio"] < 0.15).mean() < 0.03
    assert (oneoff["ratio"] > 3.0).mean() < 0.05


def test_series_share_and_sizes(borough: SynthData) -> None:
    sizes = borough.truth_cases["series_id"].value_counts()
    assert sizes.sum() == round(0.2 * len(borough.cases))
    assert sizes.min() >= 2 and sizes.max() <= 15


def _pairs_agree(frame: pd.DataFrame, column: str, same: bool) -> float:
    rng = np.random.default_rng(0)
    frame = frame[frame[column].notna()]
    if same:
        groups = [g[column].to_numpy() for _, g in frame.groupby("series_id")]
        hits = [a[i] == a[j] for a in groups for i in range(len(a)) for j in range(i + 1, len(a))]
        return float(np.mean(hits))
    values = frame[column].to_numpy()
    i, j = rng.integers(0, len(values), (2, 20000))
    return float(np.mean(values[i] == values[j]))


def test_series_keep_their_signature(borough: SynthData) -> None:
    t = borough.truth_cases.merge(borough.cases, on="case_id")
    series = t[t["series_id"].notna()]
    for column in ("location_type", "weapon", "entry_method"):
        within = _pairs_agree(series, column, same=True)
        between = _pairs_agree(t[t["case_type"].isin(series["case_type"])], column, same=False)
        assert within > between + 0.2, (column, within, between)


def test_series_are_clustered_in_time_and_cross_types(borough: SynthData) -> None:
    t = borough.truth_cases.merge(borough.cases, on="case_id")
    series = t[t["series_id"].notna()]
    spans = series.groupby("series_id")["occurred_from"].agg(lambda s: s.max() - s.min())
    sizes = series.groupby("series_id").size()
    # a series of k crimes spans much less than k random dates in four years would
    assert spans[sizes == 2].median() < pd.Timedelta(days=120)
    types_per_series = series.groupby("series_id")["case_type"].nunique()
    assert (types_per_series > 1).any()
    predatory = {"drugging", "sexual_offence", "drug_related_death"}
    mixed = series.groupby("series_id")["case_type"].agg(lambda s: len(set(s) & predatory))
    assert (mixed >= 2).any()


def test_ordinary_crime_is_clustered_not_uniform(borough: SynthData) -> None:
    lat = borough.cases["lat"].to_numpy()
    lon = borough.cases["lon"].to_numpy()
    counts, _, _ = np.histogram2d(lat, lon, bins=12)
    # under a uniform law the 144 cells would hold ~21 +- 5 cases each
    assert counts.max() > 4 * counts.mean()


def test_people_recur_across_cases_and_roles(borough: SynthData) -> None:
    m = borough.people.merge(borough.truth_people, on="mention_id")
    per_person = m.groupby("person_id").agg(cases=("case_id", "nunique"), roles=("role", "nunique"))
    assert (per_person["cases"] >= 2).sum() > 100
    assert (per_person["roles"] >= 2).sum() > 50
    assert per_person["cases"].max() >= 5  # frequent flyers


def test_offender_mentions_are_the_true_offender(borough: SynthData) -> None:
    m = borough.people.merge(borough.truth_people, on="mention_id")
    offenders = m[m["role"] == "offender"].merge(borough.truth_cases, on="case_id")
    truth = offenders.merge(borough.truth_offenders, on="offender_id", suffixes=("", "_true"))
    assert len(truth) == borough.cases["offender_id"].notna().sum()
    assert (truth["person_id"] == truth["person_id_true"]).all()


def test_recording_noise_is_present_but_truth_consistent(borough: SynthData) -> None:
    m = borough.people.merge(borough.truth_people, on="mention_id").merge(
        borough.persons, on="person_id", suffixes=("", "_true")
    )
    exact = m["name"] == m["first_name"] + " " + m["last_name"]
    assert 0.55 < exact.mean() < 0.9  # most names as the person's, many not
    # the surname survives (up to case and one slip) in most mentions
    last = m["last_name"].str.lower()
    assert (
        np.mean([str(a).lower().find(b[:3]) >= 0 for a, b in zip(m["name"], last, strict=True)])
        > 0.9
    )
    with_address = m["address_lat"].notna()
    assert np.allclose(m.loc[with_address, "address_lat"], m.loc[with_address, "lat"].round(6))
    assert m["phone"].str.startswith("+44").any() and m["phone"].str.contains(" ").any()
    assert m["postcode"].dropna().str.islower().any()
    abbreviated = m["address"].dropna().str.contains(r" (?:Rd|St|Ave)$")
    assert abbreviated.any()
    plates = m["vehicle"].dropna()
    assert plates.str.fullmatch(r"[A-Za-z]{2}\d{2} ?[A-Za-z]{3}").all()
    dob_known = m["dob"].notna()
    assert (m.loc[dob_known, "dob"] == m.loc[dob_known, "dob_true"]).mean() > 0.9


def test_series_offender_sometimes_reports_his_own_victim() -> None:
    data = generate(20000, seed=4, series_fraction=0.4)
    m = data.people.merge(data.truth_people, on="mention_id")
    m = m[m["role"].isin(["reporter", "finder"])].merge(data.truth_cases, on="case_id")
    m = m.merge(data.truth_offenders, on="offender_id", suffixes=("", "_offender"))
    own = m[m["series_id"].notna() & (m["person_id"] == m["person_id_offender"])]
    assert len(own) > 0
