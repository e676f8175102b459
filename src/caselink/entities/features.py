"""The comparison columns of a person mention, derived once from the mentions frame.

Splink compares columns, so every normal form the person model needs is
computed here, in Python, once per distinct raw value (names and addresses
repeat a great deal, so this stays fast at a million mentions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd

from caselink.entities.nicknames import canonical_given_name
from caselink.entities.normalise import (
    PersonName,
    normalise_phone,
    normalise_postcode,
    normalise_vehicle,
    parse_address,
    parse_name,
    parse_name_parts,
)
from caselink.records.frames import require_columns

PERSON_FEATURE_COLUMNS: tuple[str, ...] = (
    "mention_id",
    "first_name",
    "surname",
    "first_canon",
    "surname_canon",
    "full_name",
    "canon_name",
    "dob",
    "dob_str",
    "sex",
    "postcode",
    "phone",
    "address_line",
    "address_number",
    "address_street",
    "vehicle",
    "area",
    "area_row",
    "area_col",
    "case_lat",
    "case_lon",
    "home_lat",
    "home_lon",
    "role_kind",
)
"""Columns of :func:`person_features`, in order."""

NUMERIC_FEATURES: frozenset[str] = frozenset(
    {"mention_id", "dob", "area_row", "area_col", "case_lat", "case_lon", "home_lat", "home_lon"}
)
"""Columns kept in their own dtype; every other is an object column, None where missing."""

ROLE_KINDS: dict[str, str] = {
    "victim": "victim",
    "reporter": "bystander",
    "finder": "bystander",
    "witness": "bystander",
    "suspect": "accused",
    "offender": "accused",
    "associate": "accused",
}
"""Role -> kind of role the person model compares: victims, bystanders, the accused.

Victims are mostly seen once; the people who report, find and witness
are the neighbourhood's regulars and recur; the model learns how much.
"""

DEATH_TYPES: frozenset[str] = frozenset({"drug_related_death", "unexplained_death"})
"""Case types that are deaths: their victim is recorded as the kind ``deceased``.

The dead do not report, find or witness later cases, and seldom recur at
all; the person model learns how seldom.
"""

_REQUIRED = ("mention_id", "name", "dob", "sex", "address", "postcode", "phone")
T = TypeVar("T")

AREA_KM: float = 2.0
"""Side of the grid squares of :func:`area_cells` (km).

The people who report, find and witness are picked from those living
within about a kilometre of the case; a 2 km square holds most of one
person's cases while admitting few pairs of mentions to compare.
"""

_KM_PER_DEGREE = 111.195


def area_grid(
    lat: np.ndarray, lon: np.ndarray, km: float = AREA_KM
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row and column of the ``km`` grid square holding each point, and whether it is known.

    Columns are ``km`` wide at the row's own latitude band, so squares are
    square anywhere; neighbouring squares differ by at most 1 in row and
    column (what the person model's blocking reads as "nearby").
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    known = np.isfinite(lat) & np.isfinite(lon)
    row = np.floor(np.where(known, lat, 0.0) * _KM_PER_DEGREE / km)
    # the width of a degree of longitude at the centre of the row, so a row's columns align
    centre = (row + 0.5) * km / _KM_PER_DEGREE
    col = np.floor(np.where(known, lon, 0.0) * _KM_PER_DEGREE * np.cos(np.radians(centre)) / km)
    return row.astype(np.int64), col.astype(np.int64), known


def area_cells(lat: np.ndarray, lon: np.ndarray, km: float = AREA_KM) -> list[str | None]:
    """The ``km`` grid square (``"row:col"``) holding each point, None where unknown.

    A blocking key: a mention whose name was written with a slip can still
    be compared with the mentions of similar names in cases nearby
    (:func:`area_grid` gives the square's row and column).
    """
    return _cell_names(*area_grid(lat, lon, km))


def _cell_names(row: np.ndarray, col: np.ndarray, known: np.ndarray) -> list[str | None]:
    """``"row:col"`` of each square from :func:`area_grid`, None where unknown."""
    return [
        f"{r}:{c}" if k else None
        for r, c, k in zip(row.tolist(), col.tolist(), known.tolist(), strict=True)
    ]


def _by_value(column: pd.Series, fn: Callable[[str | None], T]) -> list[T]:
    """Apply ``fn`` once per distinct value of ``column``."""
    values = column.where(column.notna(), None)
    cache: dict[str | None, T] = {}
    out: list[T] = []
    for value in values.tolist():
        key = None if value is None else str(value)
        if key not in cache:
            cache[key] = fn(key)
        out.append(cache[key])
    return out


def _names(mentions: pd.DataFrame) -> list[PersonName]:
    """Each mention's parsed name: from ``given_name``/``surname`` where recorded, else ``name``."""
    from_name = _by_value(mentions["name"], parse_name)
    if not any(c in mentions.columns for c in ("given_name", "surname")):
        return from_name
    none = pd.Series([None] * len(mentions), index=mentions.index, dtype=object)
    given = mentions["given_name"] if "given_name" in mentions.columns else none
    surname = mentions["surname"] if "surname" in mentions.columns else none
    given_list = given.where(given.notna(), None).tolist()
    surname_list = surname.where(surname.notna(), None).tolist()
    cache: dict[tuple[str | None, str | None], PersonName] = {}
    out = []
    for parsed, g, s in zip(from_name, given_list, surname_list, strict=True):
        if g is None and s is None:
            out.append(parsed)
            continue
        key = (str(g) if g is not None else None, str(s) if s is not None else None)
        if key not in cache:
            cache[key] = parse_name_parts(*key)
        out.append(cache[key])
    return out


def person_features(mentions: pd.DataFrame, cases: pd.DataFrame | None = None) -> pd.DataFrame:
    """The columns the person model compares, one row per mention.

    Parameters
    ----------
    mentions : pandas.DataFrame
        A mentions frame (:func:`caselink.records.frames.mentions_frame`).
    cases : pandas.DataFrame, optional
        A cases frame; its ``lat, lon`` become the mention's ``case_lat,
        case_lon`` (NaN without it, or for a case it does not hold).

    Returns
    -------
    pandas.DataFrame
        :data:`PERSON_FEATURE_COLUMNS`: parsed and nickname-canonicalised
        given name, surname, ``dob`` (datetime) and ``dob_str``
        (``YYYY-MM-DD``, for digit-level comparisons), sex (``U`` read as
        unknown), normalised postcode, E.164 phone and address line,
        normalised vehicle registration (None when the frame has no
        ``vehicle``), the 2 km square of the case (:func:`area_cells`; its
        ``area_row, area_col`` from :func:`area_grid`), the case's location,
        the recorded home location (``address_lat, address_lon`` when the
        frame has them) and the kind of role
        (:data:`ROLE_KINDS`; ``deceased`` for the victim of a death, when the
        cases frame gives ``case_type``). ``surname_canon`` is the surname read as a
        given name through the nickname table (for "Pearce Tomek" written
        surname first); ``canon_name`` is canonical given name and surname,
        whose frequency weighs a name agreement.

    Raises
    ------
    ValueError
        When a required column is missing (the message names it), or
        ``mention_id`` repeats.
    """
    require_columns(mentions, _REQUIRED, "mentions frame")
    if mentions["mention_id"].duplicated().any():
        dup = mentions.loc[mentions["mention_id"].duplicated(), "mention_id"].iloc[0]
        raise ValueError(f"mention_id {dup} appears more than once")
    names = _names(mentions)
    addresses = _by_value(mentions["address"], parse_address)
    dob = pd.to_datetime(mentions["dob"]).astype("datetime64[us]")
    sex = mentions["sex"].where(mentions["sex"].isin(["M", "F"]), None)
    out = pd.DataFrame(
        {
            "mention_id": mentions["mention_id"].astype("int64").to_numpy(),
            "first_name": [n.first for n in names],
            "surname": [n.surname for n in names],
            "first_canon": [n.first_canonical for n in names],
            "surname_canon": [canonical_given_name(n.surname) for n in names],
            "full_name": [n.full for n in names],
            "canon_name": [
                f"{n.first_canonical} {n.surname}" if n.first and n.surname else n.full
                for n in names
            ],
            "dob": dob.to_numpy(),
            "dob_str": dob.dt.strftime("%Y-%m-%d").where(dob.notna(), None).to_numpy(),
            "sex": sex.to_numpy(),
            "postcode": _by_value(mentions["postcode"], normalise_postcode),
            "phone": _by_value(mentions["phone"], normalise_phone),
            "address_line": [a.line for a in addresses],
            "address_number": [a.number for a in addresses],
            "address_street": [a.street for a in addresses],
            "vehicle": (
                _by_value(mentions["vehicle"], normalise_vehicle)
                if "vehicle" in mentions.columns
                else [None] * len(mentions)
            ),
        }
    )
    if cases is not None:
        located = cases.drop_duplicates("case_id").set_index("case_id")
        out["case_lat"] = mentions["case_id"].map(located["lat"]).astype("float64").to_numpy()
        out["case_lon"] = mentions["case_id"].map(located["lon"]).astype("float64").to_numpy()
    else:
        out["case_lat"] = np.full(len(out), np.nan)
        out["case_lon"] = np.full(len(out), np.nan)
    square_row, square_col, known = area_grid(
        out["case_lat"].to_numpy(), out["case_lon"].to_numpy()
    )
    out["area"] = _cell_names(square_row, square_col, known)
    out["area_row"] = pd.arrays.IntegerArray(square_row, ~known)
    out["area_col"] = pd.arrays.IntegerArray(square_col, ~known)
    for col in ("home_lat", "home_lon"):
        source = f"address_{col[5:]}"
        out[col] = (
            pd.to_numeric(mentions[source]).astype("float64").to_numpy()
            if source in mentions.columns
            else np.full(len(out), np.nan)
        )
    out["role_kind"] = (
        mentions["role"].map(ROLE_KINDS).to_numpy() if "role" in mentions.columns else None
    )
    if cases is not None and "role" in mentions.columns and "case_type" in cases.columns:
        case_type = mentions["case_id"].map(located["case_type"])
        dead = (mentions["role"] == "victim") & case_type.isin(DEATH_TYPES)
        out.loc[dead.to_numpy(), "role_kind"] = "deceased"
    for col in PERSON_FEATURE_COLUMNS:
        if col not in NUMERIC_FEATURES:
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out.loc[:, list(PERSON_FEATURE_COLUMNS)]
