"""The shipped demo data set: a Barking-like borough, 2013-2016, with a hidden series.

An anonymised series modelled on the public facts of the Barking deaths of
2014-15 (``/work/shared/facts/barking-2014-15.md``; no real names, invented
streets for people's addresses) is hidden among a generated borough's
ordinary crimes and deaths (:func:`caselink.synth.generate`, 6 x 6 km around
51.54 N 0.08 E, ``check_bias={"lgbt": 0.6}``):

* four GHB deaths of young men (21-25, not local, found propped or sitting
  outdoors) on 2014-06-19, 2014-08-28, 2014-09-20 and 2015-09-14 at the
  given coordinates, all classified ``non_suspicious`` and unsolved;
* #1 reported by the offender (his address is the flat beside #1);
* #2 and #3 found in the same churchyard by the same dog walker, recorded
  under a spelling variant of her name the second time;
* #3 with a note (``note_found=yes``) and a bedsheet;
* six non-fatal druggings and sexual offences of young men at the
  offender's flat, 2013-2015, unsolved, two naming a suspect "Dean" with the
  offender's phone;
* the missed checks of the inquest as actions: bedsheet not sent for
  forensic examination, note's handwriting not examined, reporter's
  background not checked, CCTV not gathered for #4; toxicology done.

``build_demo()`` is deterministic; ``write_demo(path)`` writes the files that
ship in ``caselink/demo/`` (``python -m caselink.synth.demo`` regenerates them).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from caselink.records.frames import ACTION_COLUMNS, CASE_COLUMNS, MENTION_COLUMNS
from caselink.synth.catalogue import SCHEMA
from caselink.synth.files import write
from caselink.synth.generator import ROLE_ORDER, SynthData, generate

DEMO_SEED: Final[int] = 20140619
DEMO_BACKGROUND_CASES: Final[int] = 2400
DEMO_CENTRE: Final[tuple[float, float]] = (51.54, 0.08)
DEMO_SIDE_KM: Final[float] = 6.0
DEMO_CHECK_BIAS: Final[dict[str, float]] = {"lgbt": 0.6}
DEMO_START: Final[str] = "2013-01-01"
DEMO_END: Final[str] = "2016-12-31"

OFFENDER_HOME: Final[tuple[float, float]] = (51.54004, 0.07708)
"""The offender's flat, beside where death #1 was found."""

DEATH_SITES: Final[tuple[tuple[float, float], ...]] = (
    (51.5400, 0.0770),
    (51.5357, 0.0757),
    (51.53572, 0.07574),
    (51.5352, 0.0763),
)
DEATH_DATES: Final[tuple[str, ...]] = ("2014-06-19", "2014-08-28", "2014-09-20", "2015-09-14")


@dataclass(frozen=True)
class _Person:
    key: str
    first: str
    last: str
    sex: str
    dob: str
    house: str
    stem: str
    kind: str
    postcode: str
    lat: float
    lon: float
    phone: str | None = None
    vehicle: str | None = None


_PEOPLE: Final[tuple[_Person, ...]] = (
    _Person("offender", "Dean", "Corrigan", "M", "1975-02-11", "Flat 4, 62", "Corder", "Street",
            "IG11 7QD", 51.54004, 0.07708, "07723418906", "EK08 RWU"),
    _Person("dogwalker", "Barbara", "Denholm", "F", "1958-07-03", "27", "Abbey", "Lane",
            "IG11 7BN", 51.53490, 0.07810, "07961240377"),
    _Person("passerby", "Kwame", "Asante", "M", "1981-12-19", "9", "Gascoigne", "Road",
            "IG11 7LS", 51.53330, 0.07940, "07459811204"),
    _Person("v1", "Luke", "Fenwick", "M", "1991-03-02", "14", "Brookfield", "Road",
            "HU5 2PJ", 53.7705, -0.3790, "07840112934"),
    _Person("v2", "Marek", "Dobos", "M", "1992-05-17", "Flat 2, 31", "Elmhurst", "Avenue",
            "N15 4RT", 51.5830, -0.0760, "07522960188"),
    _Person("v3", "Owen", "Radcliffe", "M", "1993-01-08", "6", "Mill", "Close",
            "ME14 5QA", 51.2790, 0.5290, "07937004215"),
    _Person("v4", "Jordan", "Pike", "M", "1990-04-26", "41", "Heath", "Way",
            "RM8 2XD", 51.5560, 0.1290, "07888310542"),
    _Person("n1", "Ryan", "Mercer", "M", "1991-10-30", "18", "Station", "Road",
            "E17 9HD", 51.5840, -0.0200, "07403221790"),
    _Person("n2", "Adam", "Szabo", "M", "1994-06-12", "Flat 9, 3", "Lark", "Court",
            "SE15 3NB", 51.4710, -0.0640, "07578193305"),
    _Person("n3", "Callum", "Reeve", "M", "1989-09-05", "72", "Cedar", "Grove",
            "CM1 4TW", 51.7360, 0.4690, "07714660821"),
    _Person("n4", "Josh", "Whitmore", "M", "1993-02-21", "5", "Orchard", "Walk",
            "SS1 2LP", 51.5420, 0.7110, "07955402678"),
    _Person("n5", "Samuel", "Okello", "M", "1992-11-14", "110", "Victoria", "Road",
            "E13 9PA", 51.5300, 0.0240, "07861550973"),
    _Person("n6", "Nathan", "Bristow", "M", "1995-08-01", "23", "Hazel", "Gardens",
            "CR0 6DS", 51.3770, -0.0980, "07490337126"),
)  # fmt: skip


@dataclass(frozen=True)
class _Case:
    key: str
    case_type: str
    occurred_from: str
    occurred_to: str
    reported_at: str
    lat: float
    lon: float
    victim: str
    age: int
    location_type: str
    drugs: tuple[str, ...]
    body_position: str | None
    note_found: str | None
    narrative: str
    status: str
    mentions: tuple[tuple[str, str, dict[str, Any]], ...]
    actions: tuple[tuple[str, str, str | None], ...]


_DEATH_CHECKS_DONE: Final[tuple[tuple[str, str, str | None], ...]] = (
    ("post_mortem", "done", None),
    ("toxicology", "done", "positive: ghb"),
    ("next_of_kin", "done", None),
)

_CASES: Final[tuple[_Case, ...]] = (
    _Case(
        "nf1",
        "drugging",
        "2013-03-09T22:30:00",
        "2013-03-10T09:00:00",
        "2013-03-12T15:20:00",
        51.54021,
        0.07689,
        "n1",
        21,
        "dwelling",
        ("alcohol", "ghb"),
        None,
        None,
        "Victim met a man online and went to his flat near the station; drink tasted salty, "
        "woke up next morning with no memory. Possible spiking.",
        "open",
        (("victim", "n1", {}),),
        (
            ("victim_statement", "done", None),
            ("toxicology", "not_done", "too late for sample"),
            ("medical_examination", "not_done", None),
            ("cctv", "not_done", "not requested"),
            ("witness_statements", "not_done", None),
        ),
    ),
    _Case(
        "nf2",
        "sexual_offence",
        "2013-11-23T23:00:00",
        "2013-11-24T08:00:00",
        "2013-11-25T11:05:00",
        51.53987,
        0.07731,
        "n2",
        19,
        "dwelling",
        ("ghb",),
        None,
        None,
        "Vic reports being given a drink at a man's flat in Barking, passed out and believes "
        "he was sexually assaulted. Suspect named as Dean, gave mobile number.",
        "open",
        (
            ("victim", "n2", {}),
            (
                "suspect",
                "offender",
                {
                    "name": "Dean",
                    "dob": None,
                    "address": None,
                    "postcode": None,
                    "phone": "07723 418906",
                    "vehicle": None,
                    "sex": "M",
                },
            ),
        ),
        (
            ("victim_statement", "done", None),
            ("medical_examination", "done", None),
            ("forensic_submission", "not_done", "not pursued"),
            ("cctv", "not_done", None),
            ("witness_statements", "not_done", None),
            ("house_to_house", "not_done", None),
            ("phone_download", "not_done", "not requested"),
        ),
    ),
    _Case(
        "nf3",
        "drugging",
        "2014-03-15T21:45:00",
        "2014-03-16T07:30:00",
        "2014-03-16T19:10:00",
        51.54012,
        0.07702,
        "n3",
        24,
        "dwelling",
        ("ghb",),
        None,
        None,
        "Woke up at an address off the high street with no memory of the night. GHB suspected.",
        "open",
        (("victim", "n3", {}),),
        (
            ("victim_statement", "done", None),
            ("toxicology", "done", "negative"),
            ("medical_examination", "done", None),
            ("cctv", "not_done", None),
            ("witness_statements", "not_done", None),
        ),
    ),
    _Case(
        "d1",
        "drug_related_death",
        "2014-06-18T23:30:00",
        "2014-06-19T04:05:00",
        "2014-06-19T04:11:00",
        DEATH_SITES[0][0],
        DEATH_SITES[0][1],
        "v1",
        23,
        "street",
        ("ghb",),
        "sitting",
        "no",
        "Male aged 23 found sitting unresponsive at the entrance to a block of flats. Caller "
        "states he found him collapsed outside. Possible G overdose.",
        "non_suspicious",
        (
            ("victim", "v1", {}),
            (
                "reporter",
                "offender",
                {
                    "name": "Dean Corrigan",
                    "dob": "1975-02-11",
                    "address": "Flat 4, 62 Corder St",
                    "postcode": "IG11 7QD",
                    "phone": "07723418906",
                    "vehicle": None,
                    "sex": "M",
                },
            ),
        ),
        (
            ("scene_examination", "not_done", "death not suspicious"),
            *_DEATH_CHECKS_DONE,
            ("forensic_submission", "not_done", None),
            ("cctv", "not_done", "not requested"),
            ("house_to_house", "not_done", None),
            ("reporter_background", "not_done", "caller's account not checked"),
            ("previous_incidents", "not_done", None),
            ("phone_download", "not_done", None),
        ),
    ),
    _Case(
        "nf4",
        "sexual_offence",
        "2014-07-26T22:00:00",
        "2014-07-27T10:00:00",
        "2014-07-30T12:40:00",
        51.53996,
        0.07719,
        "n4",
        22,
        "dwelling",
        ("alcohol", "ghb"),
        None,
        None,
        "Victim reports sexual assault at a flat in Barking after being given a drink by a man "
        "called Dean he met on an app.",
        "open",
        (
            ("victim", "n4", {}),
            (
                "suspect",
                "offender",
                {
                    "name": "DEAN",
                    "dob": None,
                    "address": None,
                    "postcode": "IG117QD",
                    "phone": "+44 7723 418906",
                    "vehicle": None,
                    "sex": "M",
                },
            ),
        ),
        (
            ("victim_statement", "done", None),
            ("medical_examination", "not_done", None),
            ("forensic_submission", "not_done", None),
            ("cctv", "not_done", None),
            ("witness_statements", "not_done", None),
            ("house_to_house", "not_done", None),
            ("phone_download", "not_done", None),
        ),
    ),
    _Case(
        "d2",
        "drug_related_death",
        "2014-08-27T22:00:00",
        "2014-08-28T07:25:00",
        "2014-08-28T07:34:00",
        DEATH_SITES[1][0],
        DEATH_SITES[1][1],
        "v2",
        22,
        "churchyard",
        ("ghb",),
        "propped",
        "no",
        "Male aged 22 found propped against the churchyard wall by a woman walking her dog. "
        "GHB suspected.",
        "non_suspicious",
        (
            ("victim", "v2", {}),
            (
                "finder",
                "dogwalker",
                {
                    "name": "Barbara Denholm",
                    "dob": "1958-07-03",
                    "address": "27 Abbey Lane",
                    "postcode": "IG11 7BN",
                    "phone": "07961 240377",
                    "vehicle": None,
                    "sex": "F",
                },
            ),
        ),
        (
            ("scene_examination", "done", None),
            *_DEATH_CHECKS_DONE,
            ("forensic_submission", "not_done", None),
            ("cctv", "not_done", None),
            ("house_to_house", "not_done", None),
            ("reporter_background", "not_done", None),
            ("previous_incidents", "not_done", None),
            ("phone_download", "not_done", None),
        ),
    ),
    _Case(
        "d3",
        "drug_related_death",
        "2014-09-19T23:00:00",
        "2014-09-20T07:10:00",
        "2014-09-20T07:18:00",
        DEATH_SITES[2][0],
        DEATH_SITES[2][1],
        "v3",
        21,
        "churchyard",
        ("ghb",),
        "sitting",
        "yes",
        "Male aged 21 found sitting against the church wall in the churchyard, covered with a "
        "bedsheet. A handwritten note was found with the body. possible G overdose.",
        "non_suspicious",
        (
            ("victim", "v3", {}),
            (
                "finder",
                "dogwalker",
                {
                    "name": "Barbra Denholme",
                    "dob": None,
                    "address": "27 ABBEY LN",
                    "postcode": "ig11 7bn",
                    "phone": "+44 7961 240377",
                    "vehicle": None,
                    "sex": "F",
                },
            ),
        ),
        (
            ("scene_examination", "done", None),
            *_DEATH_CHECKS_DONE,
            ("forensic_submission", "not_done", "bedsheet not submitted for forensic examination"),
            ("note_handwriting", "not_done", "note accepted as written by the deceased"),
            ("cctv", "not_done", None),
            ("house_to_house", "not_done", None),
            ("reporter_background", "not_done", None),
            ("previous_incidents", "not_done", "link to earlier death in churchyard not pursued"),
            ("phone_download", "not_done", None),
        ),
    ),
    _Case(
        "nf5",
        "drugging",
        "2015-01-17T21:00:00",
        "2015-01-18T06:00:00",
        "2015-01-19T10:30:00",
        51.54031,
        0.07662,
        "n5",
        23,
        "dwelling",
        ("ghb",),
        None,
        None,
        "Suspected spiking at a flat near Barking station; woke up with no memory of the night.",
        "open",
        (("victim", "n5", {}),),
        (
            ("victim_statement", "done", None),
            ("toxicology", "not_done", None),
            ("medical_examination", "not_done", None),
            ("cctv", "not_done", None),
            ("witness_statements", "not_done", None),
        ),
    ),
    _Case(
        "nf6",
        "sexual_offence",
        "2015-06-06T22:15:00",
        "2015-06-07T09:00:00",
        "2015-06-08T16:45:00",
        51.54008,
        0.07745,
        "n6",
        20,
        "dwelling",
        ("ghb",),
        None,
        None,
        "Victim woke at a man's flat with no memory, believes assaulted. GHB suspected.",
        "open",
        (("victim", "n6", {}),),
        (
            ("victim_statement", "done", None),
            ("medical_examination", "done", None),
            ("forensic_submission", "pending", None),
            ("cctv", "not_done", None),
            ("witness_statements", "not_done", None),
            ("house_to_house", "not_done", None),
            ("phone_download", "not_done", None),
        ),
    ),
    _Case(
        "d4",
        "drug_related_death",
        "2015-09-13T21:00:00",
        "2015-09-14T06:40:00",
        "2015-09-14T06:52:00",
        DEATH_SITES[3][0],
        DEATH_SITES[3][1],
        "v4",
        25,
        "park",
        ("ghb",),
        "propped",
        "no",
        "Male aged 25 found propped up sitting against a tree on the green beside the "
        "churchyard by a passer-by. GHB suspected.",
        "non_suspicious",
        (("victim", "v4", {}), ("finder", "passerby", {}), ("reporter", "passerby", {})),
        (
            ("scene_examination", "done", None),
            *_DEATH_CHECKS_DONE,
            ("forensic_submission", "not_done", None),
            ("cctv", "not_done", "not requested; station CCTV later found by the family"),
            ("house_to_house", "not_done", None),
            ("reporter_background", "not_done", None),
            ("previous_incidents", "not_done", None),
            ("phone_download", "not_done", None),
        ),
    ),
)
SERIES_CASE_KEYS: Final[tuple[str, ...]] = tuple(c.key for c in _CASES)
DEATH_KEYS: Final[tuple[str, ...]] = ("d1", "d2", "d3", "d4")


def _planted(background: SynthData) -> tuple[SynthData, dict[str, str]]:
    """The planted series as a SynthData with temporary case ids ``X:<key>``."""
    n_off = len(background.truth_offenders)
    n_persons = len(background.persons)
    n_series = background.truth_cases["series_id"].nunique()
    offender_id = f"O{n_off + 1:05d}"
    series_id = f"S{n_series + 1:05d}"
    person_id = {p.key: f"P{n_persons + i + 1:05d}" for i, p in enumerate(_PEOPLE)}
    by_key = {p.key: p for p in _PEOPLE}
    persons = pd.DataFrame(
        {
            "person_id": pd.Series([person_id[p.key] for p in _PEOPLE], dtype=object),
            "first_name": pd.Series([p.first for p in _PEOPLE], dtype=object),
            "last_name": pd.Series([p.last for p in _PEOPLE], dtype=object),
            "sex": pd.Series([p.sex for p in _PEOPLE], dtype=object),
            "dob": pd.to_datetime([p.dob for p in _PEOPLE]).astype("datetime64[us]"),
            "house_number": pd.Series([p.house for p in _PEOPLE], dtype=object),
            "street": pd.Series([f"{p.stem} {p.kind}" for p in _PEOPLE], dtype=object),
            "street_stem": pd.Series([p.stem for p in _PEOPLE], dtype=object),
            "street_kind": pd.Series([p.kind for p in _PEOPLE], dtype=object),
            "postcode": pd.Series([p.postcode for p in _PEOPLE], dtype=object),
            "address": pd.Series([f"{p.house} {p.stem} {p.kind}" for p in _PEOPLE], dtype=object),
            "lat": [p.lat for p in _PEOPLE],
            "lon": [p.lon for p in _PEOPLE],
            "phone": pd.Series([p.phone for p in _PEOPLE], dtype=object),
            "vehicle": pd.Series([p.vehicle for p in _PEOPLE], dtype=object),
        }
    )
    case_rows: list[dict[str, Any]] = []
    mention_rows: list[dict[str, Any]] = []
    truth_mentions: list[str] = []
    action_rows: list[dict[str, Any]] = []
    for c in _CASES:
        cid = f"X:{c.key}"
        victim = by_key[c.victim]
        reported = pd.Timestamp(c.reported_at)
        case_rows.append(
            {
                "case_id": cid,
                "case_type": c.case_type,
                "occurred_from": pd.Timestamp(c.occurred_from),
                "occurred_to": pd.Timestamp(c.occurred_to),
                "reported_at": reported,
                "lat": c.lat,
                "lon": c.lon,
                "victim_age": float(c.age),
                "victim_sex": victim.sex,
                "victim_group": "lgbt",
                "status": c.status,
                "offender_id": None,
                "narrative": c.narrative,
                "location_type": c.location_type,
                "drugs": tuple(sorted(c.drugs)),
                "entry_method": None,
                "weapon": "noxious_substance" if c.case_type != "drug_related_death" else None,
                "property_taken": (),
                "body_position": c.body_position,
                "note_found": c.note_found,
                "victim_local": "no",
                "time_of_day_hour": float(pd.Timestamp(c.occurred_from).hour),
            }
        )
        for role, who, override in c.mentions:
            p = by_key[who]
            row: dict[str, Any] = {
                "case_id": cid,
                "role": role,
                "name": f"{p.first} {p.last}",
                "dob": p.dob,
                "sex": p.sex,
                "address": f"{p.house} {p.stem} {p.kind}",
                "postcode": p.postcode,
                "phone": None if p.phone is None else f"{p.phone[:5]} {p.phone[5:]}",
                "vehicle": None,
            }
            row.update(override)
            has_address = row["address"] is not None
            row["address_lat"] = p.lat if has_address else None
            row["address_lon"] = p.lon if has_address else None
            mention_rows.append(row)
            truth_mentions.append(person_id[who])
        for i, (action, status, note) in enumerate(c.actions):
            raised = reported + pd.Timedelta(hours=1 + i)
            took = pd.Timedelta(days=35 if action == "toxicology" else 2)
            action_rows.append(
                {
                    "case_id": cid,
                    "action": action,
                    "status": status,
                    "raised_at": raised,
                    "completed_at": raised + took if status == "done" else None,
                    "note": note,
                }
            )
    cases = pd.DataFrame(case_rows)
    for col in ("occurred_from", "occurred_to", "reported_at"):
        cases[col] = cases[col].astype("datetime64[us]")
    for col in cases.columns:
        if cases[col].dtype != np.float64 and not col.startswith(("occurred", "reported")):
            cases[col] = cases[col].astype(object)
    people = pd.DataFrame(mention_rows)
    people.insert(0, "mention_id", np.arange(len(people), dtype=np.int64))
    people["dob"] = pd.to_datetime(people["dob"]).astype("datetime64[us]")
    for col in ("address_lat", "address_lon"):
        people[col] = people[col].astype(np.float64)
    for col in ("case_id", "role", "name", "sex", "address", "postcode", "phone", "vehicle"):
        people[col] = people[col].astype(object).where(people[col].notna(), None)
    actions = pd.DataFrame(action_rows)
    actions.insert(0, "action_id", np.arange(len(actions), dtype=np.int64))
    for col in ("raised_at", "completed_at"):
        actions[col] = pd.to_datetime(actions[col]).astype("datetime64[us]")
    for col in ("case_id", "action", "status", "note"):
        actions[col] = actions[col].astype(object).where(actions[col].notna(), None)
    actions["source"] = pd.Series(["import"] * len(actions), dtype=object)
    actions["reason"] = pd.Series([None] * len(actions), dtype=object)
    home = by_key["offender"]
    planted = SynthData(
        cases=cases[[*CASE_COLUMNS, *SCHEMA.names()]],
        people=people[list(MENTION_COLUMNS)],
        actions=actions[list(ACTION_COLUMNS)],
        schema=SCHEMA,
        truth_cases=pd.DataFrame(
            {
                "case_id": pd.Series(cases["case_id"], dtype=object),
                "series_id": pd.Series([series_id] * len(cases), dtype=object),
                "offender_id": pd.Series([offender_id] * len(cases), dtype=object),
            }
        ),
        truth_people=pd.DataFrame(
            {
                "mention_id": people["mention_id"],
                "person_id": pd.Series(truth_mentions, dtype=object),
            }
        ),
        truth_offenders=pd.DataFrame(
            {
                "offender_id": pd.Series([offender_id], dtype=object),
                "home_lat": [home.lat],
                "home_lon": [home.lon],
                "person_id": pd.Series([person_id["offender"]], dtype=object),
            }
        ),
        persons=persons,
    )
    return planted, {"series_id": series_id, "offender_id": offender_id}


def merge(background: SynthData, extra: SynthData) -> SynthData:
    """Two data sets as one, case ids reassigned in order of ``reported_at``.

    The case ids of both inputs are replaced (``C00001``... by report time, the
    background first on ties); mentions and actions follow their cases (the
    mention order within a case is by role), and the truth frames are remapped.
    Offender, series and person ids must already be distinct.
    """
    return _merge(background, extra)[0]


def _merge(background: SynthData, extra: SynthData) -> tuple[SynthData, dict[str, str]]:
    cases = pd.concat([background.cases, extra.cases], ignore_index=True)
    order = np.lexsort((np.arange(len(cases)), cases["reported_at"].to_numpy()))
    width = max(5, len(str(len(cases))))
    new_ids = np.array([f"C{i + 1:0{width}d}" for i in range(len(cases))], dtype=object)
    old_ids = cases["case_id"].to_numpy(dtype=object)[order]
    mapping = dict(zip(old_ids, new_ids, strict=True))
    position = {cid: i for i, cid in enumerate(new_ids)}
    cases = cases.iloc[order].reset_index(drop=True)
    cases["case_id"] = pd.Series(new_ids, dtype=object)

    people = pd.concat([background.people, extra.people], ignore_index=True)
    people_truth = pd.concat(
        [background.truth_people["person_id"], extra.truth_people["person_id"]], ignore_index=True
    )
    people["case_id"] = pd.Series([mapping[c] for c in people["case_id"]], dtype=object)
    role_rank = {r: i for i, r in enumerate(ROLE_ORDER)}
    m_order = np.lexsort(
        (
            np.arange(len(people)),
            np.array([role_rank.get(r, len(ROLE_ORDER)) for r in people["role"]]),
            np.array([position[c] for c in people["case_id"]]),
        )
    )
    people = people.iloc[m_order].reset_index(drop=True)
    people["mention_id"] = np.arange(len(people), dtype=np.int64)
    truth_people = pd.DataFrame(
        {
            "mention_id": people["mention_id"].to_numpy(),
            "person_id": pd.Series(people_truth.to_numpy(dtype=object)[m_order], dtype=object),
        }
    )

    actions = pd.concat([background.actions, extra.actions], ignore_index=True)
    actions["case_id"] = pd.Series([mapping[c] for c in actions["case_id"]], dtype=object)
    a_order = np.lexsort(
        (np.arange(len(actions)), np.array([position[c] for c in actions["case_id"]]))
    )
    actions = actions.iloc[a_order].reset_index(drop=True)
    actions["action_id"] = np.arange(len(actions), dtype=np.int64)

    truth_cases = pd.concat([background.truth_cases, extra.truth_cases], ignore_index=True)
    truth_cases["case_id"] = pd.Series([mapping[c] for c in truth_cases["case_id"]], dtype=object)
    truth_cases = truth_cases.iloc[
        np.argsort([position[c] for c in truth_cases["case_id"]], kind="stable")
    ].reset_index(drop=True)
    cases, people, actions = (_nones(f) for f in (cases, people, actions))
    merged = SynthData(
        cases=cases,
        people=people,
        actions=actions,
        schema=background.schema,
        truth_cases=truth_cases,
        truth_people=truth_people,
        truth_offenders=pd.concat(
            [background.truth_offenders, extra.truth_offenders], ignore_index=True
        ),
        persons=pd.concat([background.persons, extra.persons], ignore_index=True),
        params={**background.params, "merged": len(extra.cases)},
    )
    return merged, mapping


def _nones(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values of object columns as None (concatenation may leave NaN)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            values = out[col].to_numpy(dtype=object).copy()
            missing = np.array([v is None or (isinstance(v, float) and v != v) for v in values])
            values[missing] = None
            out[col] = pd.Series(values, dtype=object)
    return out


def build_demo() -> SynthData:
    """The demo data set (deterministic): a generated borough plus the planted series.

    Returns
    -------
    SynthData
        ``params["planted"]`` maps ``series_id``, ``offender_id`` and each
        planted case key (``d1``..``d4`` deaths, ``nf1``..``nf6`` non-fatal) to
        its id.
    """
    background = generate(
        DEMO_BACKGROUND_CASES,
        DEMO_SEED,
        start=DEMO_START,
        end=DEMO_END,
        centre=DEMO_CENTRE,
        solved_fraction=0.3,
        check_bias=DEMO_CHECK_BIAS,
        area_side_km=DEMO_SIDE_KM,
    )
    planted, ids = _planted(background)
    merged, mapping = _merge(background, planted)
    keys = {key: mapping[f"X:{key}"] for key in SERIES_CASE_KEYS}
    params = {**merged.params, "planted": {**ids, **keys}, "demo": True}
    return SynthData(
        cases=merged.cases,
        people=merged.people,
        actions=merged.actions,
        schema=merged.schema,
        truth_cases=merged.truth_cases,
        truth_people=merged.truth_people,
        truth_offenders=merged.truth_offenders,
        persons=merged.persons,
        params=params,
    )


def demo_dir() -> Path:
    """The directory of the shipped demo files (``caselink/demo``)."""
    return Path(str(resources.files("caselink") / "demo"))


PLANTED_FILE = "planted.json"
"""The shipped ids of the planted series (its cases by key, its series and offender)."""


def planted_ids(data: SynthData) -> dict[str, str]:
    """The planted series' ids of a demo data set: ``d1``..``d4``, ``nf1``..``nf6``,
    ``series_id``, ``offender_id``."""
    return {str(k): str(v) for k, v in data.params["planted"].items()}


def read_planted(folder: Path | None = None) -> dict[str, str]:
    """The shipped planted ids (no regeneration: the demo story reads them)."""
    text = ((folder or demo_dir()) / PLANTED_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    return {str(k): str(v) for k, v in data.items()}


def write_demo(outdir: str | Path | None = None) -> list[Path]:
    """Write the demo data set (default: over the shipped files in ``caselink/demo``)
    and the planted ids beside it."""
    data = build_demo()
    folder = demo_dir() if outdir is None else Path(outdir)
    paths = write(data, folder)
    planted = folder / PLANTED_FILE
    planted.write_text(json.dumps(planted_ids(data), indent=2, sort_keys=True) + "\n")
    return [*paths, planted]


if __name__ == "__main__":
    for path in write_demo(sys.argv[1] if len(sys.argv) > 1 else None):
        print(path)
