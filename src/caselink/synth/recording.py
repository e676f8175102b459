"""How a person is written down in a case: the recording noise of each mention.

Rates are per mention and independent between mentions of the same person
(what entity resolution has to undo). ``RATES`` documents them; victims,
suspects and offenders are recorded more completely than reporters, finders
and witnesses (``FULL_ROLES``).
"""

from __future__ import annotations

import random
from typing import Final

import numpy as np
import pandas as pd

from caselink.synth.population import NICKNAMES, STREET_KIND_ABBREVIATIONS

RATES: Final[dict[str, float]] = {
    "name_missing": 0.02,
    "name_variant": 0.12,  # nickname or spelling variant of the first name, when one exists
    "name_typo": 0.07,  # one substitution, deletion or doubling in first or last name
    "name_transposition": 0.03,  # two adjacent letters swapped
    "name_last_first": 0.06,  # "Smith John"
    "name_comma": 0.04,  # "SMITH, John"
    "name_initial": 0.03,  # "J. Smith"
    "name_upper": 0.05,  # "JOHN SMITH"
    "dob_missing_full": 0.10,
    "dob_missing_other": 0.45,
    "dob_day_month_swap": 0.03,
    "dob_year_off": 0.02,
    "sex_missing": 0.05,
    "address_missing_full": 0.12,
    "address_missing_other": 0.30,
    "address_abbreviated": 0.35,  # Road -> Rd, Street -> St ...
    "address_upper": 0.08,
    "address_flat_dropped": 0.3,  # "Flat 3, " dropped, of those with a flat
    "address_number_typo": 0.04,
    "postcode_missing": 0.15,  # among mentions with an address
    "postcode_no_space": 0.25,
    "postcode_lower": 0.15,
    "phone_recorded_full": 0.75,
    "phone_recorded_other": 0.5,
    "phone_typo": 0.03,
    "vehicle_recorded": 0.45,
    "vehicle_no_space": 0.2,
    "vehicle_lower": 0.1,
}
"""Per-mention recording noise rates."""

FULL_ROLES: Final[frozenset[str]] = frozenset({"victim", "suspect", "offender"})

_KEYBOARD_NEIGHBOURS: Final[dict[str, str]] = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh",
    "h": "gj", "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm",
    "o": "ip", "p": "o", "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi",
    "v": "cb", "w": "qe", "x": "zc", "y": "tu", "z": "x",
}  # fmt: skip


def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip in ``word``: a neighbour key, a dropped or a doubled letter."""
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word))
    kind = rng.randrange(3)
    ch = word[i]
    if kind == 0 and ch.lower() in _KEYBOARD_NEIGHBOURS:
        options = _KEYBOARD_NEIGHBOURS[ch.lower()]
        sub = options[rng.randrange(len(options))]
        return word[:i] + (sub.upper() if ch.isupper() else sub) + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + ch + word[i:]


def transpose(word: str, rng: random.Random) -> str:
    """Swap two adjacent letters of ``word`` (not the first)."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _subset(rng: np.random.Generator, n: int, p: float | np.ndarray) -> np.ndarray:
    return np.flatnonzero(rng.random(n) < p)


def record_names(rng: np.random.Generator, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Names as written in mentions (object array, None when missing)."""
    n = len(first)
    py = random.Random(int(rng.integers(2**62)))
    first = first.copy()
    last = last.copy()
    variant_rows = _subset(rng, n, RATES["name_variant"])
    for i in variant_rows:
        options = NICKNAMES.get(first[i])
        if options:
            first[i] = options[py.randrange(len(options))]
    for rows, fn in (
        (_subset(rng, n, RATES["name_typo"]), typo),
        (_subset(rng, n, RATES["name_transposition"]), transpose),
    ):
        in_last = rng.random(len(rows)) < 0.6
        for i, use_last in zip(rows, in_last, strict=True):
            if use_last:
                last[i] = fn(last[i], py)
            else:
                first[i] = fn(first[i], py)
    name = first + " " + last
    style = rng.random(n)
    edges = np.cumsum(
        [
            RATES["name_last_first"],
            RATES["name_comma"],
            RATES["name_initial"],
            RATES["name_upper"],
        ]
    )
    rows = np.flatnonzero(style < edges[0])
    name[rows] = last[rows] + " " + first[rows]
    rows = np.flatnonzero((style >= edges[0]) & (style < edges[1]))
    name[rows] = np.array([s.upper() for s in last[rows]], dtype=object) + ", " + first[rows]
    rows = np.flatnonzero((style >= edges[1]) & (style < edges[2]))
    name[rows] = np.array([s[0] + "." for s in first[rows]], dtype=object) + " " + last[rows]
    rows = np.flatnonzero((style >= edges[2]) & (style < edges[3]))
    name[rows] = np.array([s.upper() for s in name[rows]], dtype=object)
    name[_subset(rng, n, RATES["name_missing"])] = None
    return np.asarray(name, dtype=object)


def record_dobs(rng: np.random.Generator, dob: np.ndarray, full: np.ndarray) -> np.ndarray:
    """Dates of birth as recorded (datetime64[D], NaT when missing)."""
    n = len(dob)
    out = dob.astype("datetime64[D]").copy()
    years = out.astype("datetime64[Y]").astype(np.int64) + 1970
    months = out.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (out - out.astype("datetime64[M]")).astype(np.int64) + 1
    swap = (rng.random(n) < RATES["dob_day_month_swap"]) & (days <= 12) & (days != months)
    off = (rng.random(n) < RATES["dob_year_off"]) & ~swap
    y = years + np.where(off, rng.choice(np.array([-1, 1]), n), 0)
    m = np.where(swap, days, months)
    d = np.where(swap, months, days)
    changed = np.flatnonzero(swap | off)
    for i in changed:
        dd = min(int(d[i]), 28)
        out[i] = np.datetime64(f"{int(y[i]):04d}-{int(m[i]):02d}-{dd:02d}")
    p_missing = np.where(full, RATES["dob_missing_full"], RATES["dob_missing_other"])
    out[rng.random(n) < p_missing] = np.datetime64("NaT")
    return out


def record_addresses(
    rng: np.random.Generator,
    house: np.ndarray,
    stem: np.ndarray,
    kind: np.ndarray,
    postcode: np.ndarray,
    full: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Address text, postcode and a mask of mentions whose address was recorded."""
    n = len(house)
    house = house.copy()
    flat_rows = np.flatnonzero(
        np.array([h.startswith("Flat") for h in house])
        & (rng.random(n) < RATES["address_flat_dropped"])
    )
    for i in flat_rows:
        house[i] = house[i].split(", ", 1)[1]
    for i in _subset(rng, n, RATES["address_number_typo"]):
        head, _, number = house[i].rpartition(" ")
        if number.isdigit():
            number = str(max(1, int(number) + int(rng.choice([-2, -1, 1, 10]))))
            house[i] = f"{head} {number}".strip()
    kind = kind.copy()
    abbreviate = _subset(rng, n, RATES["address_abbreviated"])
    kind[abbreviate] = np.array(
        [STREET_KIND_ABBREVIATIONS.get(k, k) for k in kind[abbreviate]], dtype=object
    )
    address = house + " " + stem + " " + kind
    upper = _subset(rng, n, RATES["address_upper"])
    address[upper] = np.array([a.upper() for a in address[upper]], dtype=object)
    code = postcode.copy()
    nospace = _subset(rng, n, RATES["postcode_no_space"])
    code[nospace] = np.array([c.replace(" ", "") for c in code[nospace]], dtype=object)
    lower = _subset(rng, n, RATES["postcode_lower"])
    code[lower] = np.array([c.lower() for c in code[lower]], dtype=object)
    p_missing = np.where(full, RATES["address_missing_full"], RATES["address_missing_other"])
    present = rng.random(n) >= p_missing
    address[~present] = None
    code_missing = ~present | (rng.random(n) < RATES["postcode_missing"])
    # a postcode is sometimes recorded without the address
    code_missing &= ~(~present & (rng.random(n) < 0.2))
    code[code_missing] = None
    return address, code, present


def record_phones(rng: np.random.Generator, phone: np.ndarray, full: np.ndarray) -> np.ndarray:
    """Phones as written: 07… with or without spaces, +44, occasional digit slips."""
    n = len(phone)
    out = np.empty(n, dtype=object)
    p_rec = np.where(full, RATES["phone_recorded_full"], RATES["phone_recorded_other"])
    has = np.array([isinstance(p, str) for p in phone]) & (rng.random(n) < p_rec)
    style = rng.random(n)
    slip = rng.random(n) < RATES["phone_typo"]
    for i in np.flatnonzero(has):
        digits: str = phone[i]
        if slip[i]:
            j = int(rng.integers(2, 11))
            digits = digits[:j] + str(int(rng.integers(0, 10))) + digits[j + 1 :]
        s = style[i]
        if s < 0.45:
            out[i] = f"{digits[:5]} {digits[5:]}"
        elif s < 0.70:
            out[i] = digits
        elif s < 0.85:
            out[i] = f"+44 {digits[1:5]} {digits[5:]}"
        elif s < 0.95:
            out[i] = f"+44{digits[1:]}"
        else:
            out[i] = f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return out


def record_vehicles(rng: np.random.Generator, plate: np.ndarray) -> np.ndarray:
    """Vehicle registrations as written: spacing and case vary, often not recorded."""
    n = len(plate)
    out = np.empty(n, dtype=object)
    has = np.array([isinstance(p, str) for p in plate]) & (
        rng.random(n) < RATES["vehicle_recorded"]
    )
    style = rng.random(n)
    for i in np.flatnonzero(has):
        p: str = plate[i]
        if style[i] < RATES["vehicle_no_space"]:
            p = p.replace(" ", "")
        elif style[i] < RATES["vehicle_no_space"] + RATES["vehicle_lower"]:
            p = p.lower()
        out[i] = p
    return out


def record_mentions(
    rng: np.random.Generator, persons: pd.DataFrame, person_row: np.ndarray, roles: np.ndarray
) -> pd.DataFrame:
    """The recorded fields of mentions of ``persons.iloc[person_row]`` in ``roles``.

    Parameters
    ----------
    rng
        Random generator.
    persons
        True identities (see :func:`caselink.synth.generator.generate`,
        ``SynthData.persons``) with ``first_name, last_name, sex, dob,
        house_number, street_stem, street_kind, postcode, lat, lon, phone,
        vehicle``.
    person_row
        Row of ``persons`` for each mention.
    roles
        Role of each mention (object array of str).

    Returns
    -------
    pandas.DataFrame
        Columns ``name, dob, sex, address, postcode, phone, vehicle,
        address_lat, address_lon``, one row per mention.
    """
    n = len(person_row)
    full = np.isin(roles, list(FULL_ROLES))

    def col(name: str) -> np.ndarray:
        return np.asarray(persons[name].to_numpy(dtype=object)[person_row], dtype=object)

    name = record_names(rng, col("first_name"), col("last_name"))
    dob = record_dobs(rng, persons["dob"].to_numpy().astype("datetime64[D]")[person_row], full)
    sex = col("sex")
    sex[rng.random(n) < RATES["sex_missing"]] = None
    address, postcode, present = record_addresses(
        rng, col("house_number"), col("street_stem"), col("street_kind"), col("postcode"), full
    )
    lat = persons["lat"].to_numpy()[person_row].copy()
    lon = persons["lon"].to_numpy()[person_row].copy()
    lat[~present] = np.nan
    lon[~present] = np.nan
    phone = record_phones(rng, col("phone"), full)
    vehicle = record_vehicles(rng, col("vehicle"))
    return pd.DataFrame(
        {
            "name": pd.Series(name, dtype=object),
            "dob": dob.astype("datetime64[us]"),
            "sex": pd.Series(sex, dtype=object),
            "address": pd.Series(address, dtype=object),
            "postcode": pd.Series(postcode, dtype=object),
            "phone": pd.Series(phone, dtype=object),
            "vehicle": pd.Series(vehicle, dtype=object),
            "address_lat": lat,
            "address_lon": lon,
        }
    )
