"""Noisy person mentions with known identities, built by code for the entity tests.

Each true person gets one to four mentions in different cases and roles,
each mention written with the kinds of noise police records carry:
nicknames, typing errors, transposed dob digits, phone number formats,
missing fields, swapped first and last names.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from caselink.records.frames import mentions_frame

FIRST_M = [
    "stephen",
    "william",
    "robert",
    "james",
    "michael",
    "david",
    "thomas",
    "richard",
    "daniel",
    "joseph",
    "christopher",
    "andrew",
    "peter",
    "paul",
    "mark",
    "kevin",
    "jason",
    "lee",
    "gary",
    "wayne",
    "darren",
    "craig",
    "ryan",
    "adam",
    "luke",
]
FIRST_F = [
    "elizabeth",
    "margaret",
    "susan",
    "sarah",
    "catherine",
    "rebecca",
    "emma",
    "laura",
    "rachel",
    "claire",
    "nicola",
    "karen",
    "lisa",
    "amy",
    "hannah",
    "jessica",
    "victoria",
]
SURNAMES = [
    "smith",
    "jones",
    "taylor",
    "brown",
    "williams",
    "wilson",
    "johnson",
    "davies",
    "robinson",
    "wright",
    "thompson",
    "evans",
    "walker",
    "white",
    "roberts",
    "green",
    "hall",
    "wood",
    "jackson",
    "clarke",
    "patel",
    "khan",
    "begum",
    "ahmed",
    "okafor",
    "adeyemi",
    "kowalski",
    "nowak",
    "murphy",
    "kelly",
    "obrien",
    "campbell",
    "stewart",
    "hughes",
    "edwards",
    "lewis",
    "harris",
    "martin",
    "cooper",
    "king",
    "lee",
    "baker",
]
NICKS = {
    "stephen": ["steve", "steven"],
    "william": ["bill", "will", "billy"],
    "robert": ["bob", "rob"],
    "james": ["jim", "jimmy"],
    "michael": ["mike", "mick"],
    "david": ["dave"],
    "thomas": ["tom"],
    "richard": ["rick", "dick"],
    "daniel": ["dan"],
    "joseph": ["joe"],
    "christopher": ["chris"],
    "andrew": ["andy"],
    "peter": ["pete"],
    "elizabeth": ["liz", "beth"],
    "margaret": ["maggie", "peggy"],
    "susan": ["sue"],
    "catherine": ["kate", "cathy"],
    "rebecca": ["becky"],
    "victoria": ["vicky"],
}
STREETS = [
    "Cooke Street",
    "Ripple Road",
    "Longbridge Road",
    "Abbey Road",
    "North Street",
    "East Street",
    "Linton Road",
    "Axe Street",
    "Station Parade",
    "Wakering Road",
    "Gascoigne Road",
    "Upney Lane",
    "Movers Lane",
    "Church Road",
    "Park Avenue",
]
ROLES = ["victim", "reporter", "finder", "witness", "suspect", "associate"]


def _typo(rng: np.random.Generator, word: str) -> str:
    if len(word) < 3:
        return word
    i = int(rng.integers(1, len(word) - 1))
    kind = rng.integers(3)
    if kind == 0:  # transpose
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:  # drop
        return word[:i] + word[i + 1 :]
    return word[:i] + "aeiou"[int(rng.integers(5))] + word[i + 1 :]


def _phone_format(rng: np.random.Generator, national: str) -> str:
    forms = [
        "0" + national,
        f"0{national[:4]} {national[4:]}",
        f"+44 {national[:4]} {national[4:]}",
        f"+44 (0){national}",
        f"0044{national}",
    ]
    return forms[int(rng.integers(len(forms)))]


def noisy_mentions(
    n_people: int, seed: int = 0, noise: float = 0.3
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A mentions frame and its truth (``mention_id, person_id``).

    Parameters
    ----------
    n_people : int
        Number of true persons.
    seed : int
        Random seed.
    noise : float
        Probability of each kind of noise on each mention.
    """
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    truth: list[tuple[int, str]] = []
    case_no = 0
    for p in range(n_people):
        sex = "M" if rng.random() < 0.6 else "F"
        first = str(rng.choice(FIRST_M if sex == "M" else FIRST_F))
        surname = str(rng.choice(SURNAMES))
        dob = date(1950, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 50)))
        national = "7" + "".join(str(d) for d in rng.integers(0, 10, 9))
        number = int(rng.integers(1, 200))
        street = str(rng.choice(STREETS))
        postcode = f"IG11 {int(rng.integers(1, 10))}{rng.choice(list('ABDEFGHJ'))}{rng.choice(list('LNPQRSTU'))}"
        lat, lon = 51.53 + rng.random() * 0.02, 0.07 + rng.random() * 0.03
        n_mentions = int(rng.choice([1, 1, 2, 2, 3, 4]))
        for _ in range(n_mentions):
            case_no += int(rng.integers(1, 3))
            f = first
            s = surname
            if f in NICKS and rng.random() < noise:
                f = str(rng.choice(NICKS[f]))
            if rng.random() < noise / 2:
                s = _typo(rng, s)
            if rng.random() < noise / 3:
                f = _typo(rng, f)
            name = f"{f.title()} {s.title()}"
            if rng.random() < noise / 4:
                name = f"{s.title()} {f.title()}"  # swapped, no comma
            elif rng.random() < noise / 3:
                name = f"{s.upper()}, {f.title()}"
            d: date | None = dob
            if rng.random() < noise / 3:
                text = dob.isoformat()
                i = int(rng.choice([2, 3, 5, 8]))
                swapped = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
                try:
                    d = date.fromisoformat(swapped)
                except ValueError:
                    d = dob
            if rng.random() < noise / 2:
                d = None
            phone = _phone_format(rng, national) if rng.random() > noise else None
            addr = f"{number} {street}"
            if rng.random() < noise / 2:
                addr = addr.replace("Street", "St").replace("Road", "Rd").replace("Lane", "Ln")
            pc: str | None = postcode if rng.random() > noise / 2 else None
            if pc is not None and rng.random() < noise:
                pc = pc.replace(" ", "").lower()
            has_addr = rng.random() > noise / 2
            rows.append(
                {
                    "case_id": f"C{case_no:05d}",
                    "role": str(rng.choice(ROLES)),
                    "name": name,
                    "dob": d,
                    "sex": sex if rng.random() > noise / 3 else None,
                    "address": addr if has_addr else None,
                    "postcode": pc,
                    "phone": phone,
                    "vehicle": None,
                    "address_lat": lat if has_addr else None,
                    "address_lon": lon if has_addr else None,
                }
            )
            truth.append((len(rows) - 1, f"T{p}"))
    frame = mentions_frame(rows)
    return frame, pd.DataFrame(truth, columns=["mention_id", "person_id"])
