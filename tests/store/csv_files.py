"""Small canonical CSV files (fictional people) used by the store tests."""

from __future__ import annotations

from pathlib import Path

CASES = """\
case_id,case_type,occurred_from,occurred_to,reported_at,lat,lon,victim_age,victim_sex,victim_group,status,offender_id,narrative,drugs,location_type,hour
D1,drug_related_death,2014-06-19T03:00:00,2014-06-19T06:00:00,2014-06-19T06:10:00,51.54,0.077,23,M,lgbt,non_suspicious,,"Found collapsed at the entrance of a block of flats, GHB suspected",ghb,dwelling,4
D2,drug_related_death,2014-08-28T00:00:00,,2014-08-28T07:00:00,51.5357,0.0757,22,M,lgbt,,,Found propped against the churchyard wall,ghb|alcohol,churchyard,
T1,theft,2015-01-02T10:00:00,2015-01-02T12:30:00,2015-01-03T09:00:00,51.55,0.08,,,general,open,O7,Bicycle taken from outside a shop,,street,11.5
"""
PEOPLE = """\
case_id,role,name,dob,sex,address,postcode,phone,vehicle,address_lat,address_lon
D1,reporter,Gareth Fenwick,1975-03-12,M,62 Cooke Street,IG11 7XX,07700 900123,,51.5401,0.0771
D1,victim,Tomasz Ilic,1991-01-05,M,,,,,,
D2,finder,Maureen Oduya,,F,4 Abbey Road,IG11 7AA,,,51.536,0.078
D2,victim,Lewis Brand,1992-02-02,M,,,,,,
T1,victim,Priya Shah,,F,,,07700 900999,LB07 ABC,,
"""
ACTIONS = """\
case_id,action,status,raised_at,completed_at,note
D1,toxicology,done,2014-06-19T08:00:00,2014-06-25T00:00:00,
D1,reporter_background,not_done,,,
D2,forensic_submission,pending,2014-08-28T09:00:00,,bedsheet not yet sent
"""
SCHEMA = """\
attributes:
- name: drugs
  kind: multi
  description: Drugs found or suspected
- name: location_type
  kind: categorical
  description: Kind of place
- name: hour
  kind: numeric
  description: Hour of day
"""


def write(folder: Path, **overrides: str) -> dict[str, Path]:
    """Write the canonical files (or overridden texts) and return their paths."""
    texts = {"cases": CASES, "people": PEOPLE, "actions": ACTIONS, "schema": SCHEMA}
    texts.update(overrides)
    paths = {}
    for name, body in texts.items():
        suffix = ".yaml" if name == "schema" else ".csv"
        path = folder / f"{name}{suffix}"
        path.write_text(body, encoding="utf-8")
        paths[name] = path
    return paths
