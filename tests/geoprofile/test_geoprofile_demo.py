"""The demo's hidden series: the reporter of the first death is the first person to look at."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from caselink.geoprofile.profile import profile_series
from caselink.store import Store

DEMO = Path(str(resources.files("caselink") / "demo"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    tmp = tmp_path_factory.mktemp("demo")
    store = Store.open(f"sqlite:///{tmp}/demo.db")
    store.import_files(
        DEMO / "cases.csv", DEMO / "people.csv", DEMO / "actions.csv", DEMO / "schema.yaml"
    )
    frames = {
        "cases": store.cases_frame(),
        "mentions": store.mentions_frame(),
        "resolution": store.resolution_frame("person"),
    }
    store.close()
    return frames


def test_reporter_of_the_first_death_is_ranked_first(demo: dict[str, pd.DataFrame]) -> None:
    cases, mentions = demo["cases"], demo["mentions"]
    truth = pd.read_csv(DEMO / "truth_cases.csv", dtype=str).merge(
        cases[["case_id", "case_type", "occurred_from"]], on="case_id"
    )
    deaths = truth[truth["case_type"] == "drug_related_death"].dropna(subset=["series_id"])
    series = deaths["series_id"].value_counts().index[0]
    ids = truth.loc[truth["series_id"] == series, "case_id"].tolist()
    first_death = deaths[deaths["series_id"] == series].sort_values("occurred_from")
    first_id = str(first_death["case_id"].iloc[0])

    profile = profile_series(cases, mentions, ids, resolution=demo["resolution"])  # auto

    people = pd.read_csv(DEMO / "truth_people.csv", dtype={"person_id": str})
    offender = pd.read_csv(DEMO / "truth_offenders.csv", dtype=str)
    him = offender.loc[offender["offender_id"] == first_death["offender_id"].iloc[0]]
    his_mentions = people.loc[people["person_id"] == him["person_id"].iloc[0], "mention_id"]
    his_ids = {f"m{m}" for m in his_mentions}
    top = profile.interest.iloc[0]
    assert top["person_id"] in his_ids, profile.interest.head()
    assert f"reporter of {first_id}" in top["roles"]
    assert top["hit_score_pct"] <= 5.0
    assert top["rank"] == 1  # first of everyone with a known home, not only of the series
    assert "solved series" in profile.choice.reason
