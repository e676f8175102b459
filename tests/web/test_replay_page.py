"""The replay page: the chosen day, the model named, alerts and series as they stood, scoped
to the caller's cases and audited."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from caselink.replay import recording_order, replay
from caselink.service import audit
from caselink.service.caselink import Caselink
from caselink.service.replay_store import ReplayModel, compute_run, latest_run, store_state
from caselink.service.replay_view import ReplayService
from caselink.service.scope import Scope
from caselink.store import Store
from caselink.synth import generate
from caselink.synth.files import write
from tests.web.conftest import Site
from tests.web.html import parse


@pytest.fixture(autouse=True)
def walked(shared_site: Site) -> None:
    """The site's replay is stored (as ``serve --demo`` or the first visit computes it)."""
    run = latest_run(shared_site.store)
    if run is None or run.store_state != store_state(shared_site.store):
        compute_run(shared_site.store)


def test_replay_page_names_the_model_and_the_day(shared_site: Site) -> None:
    doc = parse(shared_site.client("viewer").get("/replay?day=2014-08-27").text)
    assert doc.by_id("replay-day").text == "As it stood at the end of 2014-08-27"
    model = doc.by_id("replay-model").text
    assert "Model:" in model
    assert "default model (no labels) re-fitted at each month's start" in model
    # north's cases recorded by then: N1 (06-19), N4 (07-01); N2 is recorded on 08-28
    assert "2 case(s) recorded by then" in doc.by_id("replay-known").text
    assert "Walked once over the 7 case(s) stored" in doc.by_id("replay-status").text
    # with fewer than 50 cases known the default model raises nothing (the replay says so)
    assert "No link raised by then" in doc.by_id("replay-alerts").text
    slider = doc.by_id("replay-slider")
    assert slider.attrs["min"] == "0" and slider.attrs["max"] == "93"  # 2014-06-19 to 2014-09-20
    assert slider.attrs["value"] == "69"  # 2014-08-27 is 69 days after 2014-06-19


def test_replay_slider_offset_and_clamping(shared_site: Site) -> None:
    client = shared_site.client("analyst")
    by_offset = parse(client.get("/replay?i=70").text)
    assert by_offset.by_id("replay-day").text.endswith("2014-08-28")
    assert "3 case(s) recorded by then" in by_offset.by_id("replay-known").text
    late = parse(client.get("/replay?day=2020-01-01").text)
    assert late.by_id("replay-day").text.endswith("2014-09-20")  # the last recording
    assert client.get("/replay?day=not-a-day").status_code == 400


def test_replay_walks_only_the_callers_cases_and_is_audited(shared_site: Site) -> None:
    south = parse(shared_site.client("viewer-south").get("/replay").text)
    assert south.by_id("replay-day").text.endswith("2014-06-02")  # S3, south's last case
    assert "3 case(s) recorded by then" in south.by_id("replay-known").text
    reads = list(audit.entries(shared_site.store, action="replay.read"))
    assert reads and reads[-1].actor == "viewer-south" and reads[-1].target == "2014-06-02"
    admin = shared_site.client("admin").get("/replay")
    assert admin.status_code == 403


def test_a_store_without_a_stored_walk_says_it_is_being_computed(site: Site) -> None:
    doc = parse(site.client("viewer").get("/replay").text)
    status = doc.by_id("replay-status").text
    assert "being computed" in status or "Walked once" in status  # the walk may be that quick
    assert "Model:" in doc.by_id("replay-model").text


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """160 synthetic cases over four months, stored, with their walk stored."""
    root = tmp_path_factory.mktemp("city")
    data = generate(160, seed=5, start="2014-01-01", end="2014-04-30", area_side_km=6)
    write(data, root, truth=False)
    store = Store.open(f"sqlite:///{root / 'city.db'}")
    store.import_files(
        root / "cases.csv", root / "people.csv", root / "actions.csv", root / "schema.yaml"
    )
    compute_run(store, ReplayModel(min_cases=30))
    yield store
    store.close()


def test_a_day_read_from_the_stored_walk_is_a_walk_that_ends_that_day(city: Store) -> None:
    """No information from the future: for each day, the alerts read from the stored walk
    of the whole store are exactly those of a walk over the cases recorded by that day."""
    frame = city.cases_frame()
    model = ReplayModel(min_cases=30)
    days = [date(2014, 3, 10), date(2014, 4, 20)]
    service = ReplayService(Caselink(city), model)
    seen = 0
    for day in days:
        shown = service.day(Scope.everything(), day)
        assert shown.current and shown.day == day
        cut = datetime.combine(day, time.max)
        known = frame[
            recording_order(frame)
            .set_index("case_id")
            .loc[frame["case_id"], "recorded_at"]
            .to_numpy()
            <= cut
        ]
        alone = replay(known, city.attribute_schema(), min_cases=30)
        expected = [
            (str(a), str(b), round(float(p), 9))
            for a, b, p in zip(
                alone.alerts["case_id"],
                alone.alerts["linked_case_id"],
                alone.alerts["probability"],
                strict=True,
            )
        ]
        got = [(a.case_id, a.linked_case_id, round(a.probability, 9)) for a in shown.alerts]
        assert sorted(got) == sorted(expected)
        assert shown.cases_known == len(known)
        seen += len(got)
    assert seen > 0  # the check compared alerts, not two empty lists
