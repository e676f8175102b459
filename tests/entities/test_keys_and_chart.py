"""Addresses, phones, vehicles by exact normalised key; the link chart."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from caselink.entities import link_graph, neighbourhood, resolve_keys, write_chart
from caselink.records.frames import cases_frame, mentions_frame
from caselink.records.model import AttributeSchema

ROWS = [
    {
        "case_id": "C1",
        "role": "reporter",
        "name": "Steve Smith",
        "address": "12 Cooke St",
        "postcode": "ig117aa",
        "phone": "07700 900123",
        "vehicle": "ld64 xkp",
    },
    {
        "case_id": "C2",
        "role": "witness",
        "name": "Stephen Smith",
        "address": "12 COOKE STREET",
        "postcode": "IG11 7AA",
        "phone": "+44 7700 900123",
        "vehicle": "LD64XKP",
    },
    {
        "case_id": "C3",
        "role": "victim",
        "name": "Ann Lee",
        "address": "14 Cooke Street",
        "postcode": None,
        "phone": "07700 900124",
        "vehicle": None,
    },
    {
        "case_id": "C3",
        "role": "witness",
        "name": "Bob Lee",
        "address": "12 Cooke Street",
        "postcode": None,
        "phone": None,
        "vehicle": None,
    },
]


@pytest.fixture()
def mentions() -> pd.DataFrame:
    return mentions_frame(ROWS)


def test_phone_formats_resolve_to_one_phone_and_a_digit_apart_to_another(
    mentions: pd.DataFrame,
) -> None:
    phones = resolve_keys(mentions, "phone")
    assert phones["entity_id"].tolist() == [
        "phone:+447700900123",
        "phone:+447700900123",
        "phone:+447700900124",
    ]
    assert "written '07700 900123'" in phones["evidence"].iloc[0]


def test_addresses_normalise_and_borrow_an_unambiguous_postcode(mentions: pd.DataFrame) -> None:
    addresses = resolve_keys(mentions, "address").set_index("mention_id")["entity_id"]
    assert addresses[0] == addresses[1] == "address:12 cooke street|IG11 7AA"
    # mention 3 wrote no postcode; its line is known elsewhere with one postcode only
    assert addresses[3] == addresses[0]
    # the neighbour at number 14 is another address
    assert addresses[2] == "address:14 cooke street|"


def test_vehicles_and_unknown_kind(mentions: pd.DataFrame) -> None:
    vehicles = resolve_keys(mentions, "vehicle")
    assert vehicles["entity_id"].tolist() == ["vehicle:LD64XKP", "vehicle:LD64XKP"]
    with pytest.raises(ValueError, match="kind must be one of"):
        resolve_keys(mentions, "email")


def _graph(mentions: pd.DataFrame) -> nx.Graph:
    cases = cases_frame(
        [
            {
                "case_id": c,
                "case_type": "robbery",
                "occurred_from": "2014-06-19",
                "lat": 51.54,
                "lon": 0.077,
            }
            for c in ("C1", "C2", "C3", "C4")
        ],
        AttributeSchema(),
    )
    persons = pd.DataFrame(
        {
            "mention_id": [0, 1, 2, 3],
            "entity_id": ["P0", "P0", "P2", "P3"],
            "match_weight": [12.0, 12.0, None, None],
            "evidence": ["", "", "", ""],
        }
    )
    resolutions = {"person": persons}
    for kind in ("address", "phone", "vehicle"):
        resolutions[kind] = resolve_keys(mentions, kind)
    return link_graph(mentions, cases, resolutions)


def test_graph_joins_cases_through_persons_and_shared_things(mentions: pd.DataFrame) -> None:
    graph = _graph(mentions)
    assert graph.edges["case:C1", "person:P0"]["roles"] == "reporter"
    assert graph.has_edge("person:P0", "phone:+447700900123")
    two_hops = neighbourhood(graph, "C1")
    # C2 through the person; C3 through the shared address 12 Cooke Street
    assert {"case:C2", "case:C3"} <= set(two_hops)
    assert "case:C4" not in two_hops
    with pytest.raises(KeyError, match="C9"):
        neighbourhood(graph, "C9")


@pytest.mark.parametrize("suffix", [".png", ".svg", ".graphml"])
def test_chart_files(mentions: pd.DataFrame, tmp_path: Path, suffix: str) -> None:
    path = write_chart(_graph(mentions), "C1", tmp_path / f"chart{suffix}")
    assert path.stat().st_size > 0
    if suffix == ".graphml":
        assert "case:C2" in nx.read_graphml(path)
    with pytest.raises(ValueError, match="out must end in"):
        write_chart(_graph(mentions), "C1", tmp_path / "chart.pdf")
