"""The replay page: the chosen day, the model named, alerts and series as they stood, scoped
to the caller's cases and audited."""

from __future__ import annotations

from caselink.service import audit
from tests.web.conftest import Site
from tests.web.html import parse


def test_replay_page_names_the_model_and_the_day(shared_site: Site) -> None:
    doc = parse(shared_site.client("viewer").get("/replay?day=2014-08-27").text)
    assert doc.by_id("replay-day").text == "As it stood at the end of 2014-08-27"
    model = doc.by_id("replay-model").text
    assert "Model:" in model
    assert "default model (no labels) re-fitted at each month's start" in model
    # north's cases recorded by then: N1 (06-19), N4 (07-01); N2 is recorded on 08-28
    assert "2 case(s) recorded by then" in doc.by_id("replay-known").text
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
