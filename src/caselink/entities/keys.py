"""Addresses, phones and vehicles: resolved by exact normalised keys, not by a model.

Why keys and not Splink for these three: each is an *identifier*. Two phone
numbers one digit apart are two phones, ``12 Cooke Street`` and ``14 Cooke
Street`` two homes, ``LD64 XKP`` and ``LD64 XKR`` two cars; a fuzzy match
would merge exactly the neighbours an analyst must keep apart. What varies
between records is the *writing* (``07700 900123`` / ``+44 7700 900123``,
``St`` / ``Street``, ``ig118aa`` / ``IG11 8AA``, ``ld64xkp``), and that is
removed by normalisation (:mod:`caselink.entities.normalise`). Slips in the
digits of a phone or house number are the person model's business: there a
near-miss is one piece of evidence among several, weighted by the data.

An address key is ``flat number street|POSTCODE``. When the postcode is
missing, and the same line is recorded elsewhere with exactly one postcode,
that postcode is used; otherwise the key keeps an empty postcode.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from caselink.entities.normalise import (
    normalise_phone,
    normalise_postcode,
    normalise_vehicle,
    parse_address,
)

KEY_KINDS: tuple[str, ...] = ("address", "phone", "vehicle")
"""Entity kinds resolved by exact keys."""

_MAX_ID = 120  # the store keeps entity ids of up to 128 characters


def _entity_id(kind: str, key: str) -> str:
    entity = f"{kind}:{key}"
    if len(entity) <= _MAX_ID:
        return entity
    digest = hashlib.sha1(key.encode()).hexdigest()[:12]
    return f"{entity[: _MAX_ID - 14]}#{digest}"


def address_keys(mentions: pd.DataFrame) -> pd.Series:
    """The address key of each mention (None without house number or street).

    Parameters
    ----------
    mentions : pandas.DataFrame
        A mentions frame.

    Returns
    -------
    pandas.Series
        Indexed like ``mentions``.
    """
    lines = [parse_address(a).line if a is not None else None for a in mentions["address"]]
    codes = [normalise_postcode(p) for p in mentions["postcode"]]
    frame = pd.DataFrame({"line": lines, "postcode": codes}, index=mentions.index)
    known = frame.dropna()
    postcodes_of_line = known.groupby("line")["postcode"].unique()
    only = postcodes_of_line[postcodes_of_line.map(len) == 1].map(lambda a: a[0])
    filled = frame["postcode"].where(
        frame["postcode"].notna(), frame["line"].map(only) if len(only) else None
    )
    keys = [
        None if line is None else f"{line}|{code if isinstance(code, str) else ''}"
        for line, code in zip(frame["line"], filled, strict=True)
    ]
    return pd.Series(keys, index=mentions.index, dtype=object)


def resolve_keys(mentions: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Resolve the addresses, phones or vehicles of mentions by exact normalised key.

    Parameters
    ----------
    mentions : pandas.DataFrame
        A mentions frame.
    kind : {"address", "phone", "vehicle"}
        Which entity.

    Returns
    -------
    pandas.DataFrame
        ``mention_id, entity_id, match_weight, evidence`` for the mentions
        that record this entity; ``entity_id`` is ``"<kind>:<key>"``;
        ``match_weight`` is NaN (an exact key has no weight) and the evidence
        says what was written and what it normalised to.

    Raises
    ------
    ValueError
        For an unknown ``kind``.
    """
    if kind not in KEY_KINDS:
        raise ValueError(f"kind must be one of {', '.join(KEY_KINDS)}, got {kind!r}")
    if kind == "address":
        keys = address_keys(mentions)
        written = mentions["address"].astype(object) + " " + mentions["postcode"].fillna("")
    elif kind == "phone":
        keys = mentions["phone"].map(normalise_phone, na_action="ignore")
        written = mentions["phone"]
    else:
        keys = mentions["vehicle"].map(normalise_vehicle, na_action="ignore")
        written = mentions["vehicle"]
    has = keys.notna().to_numpy()
    ids = mentions["mention_id"].to_numpy(dtype=np.int64)[has]
    key_values = keys[has].astype(str).tolist()
    written_values = written[has].astype(str).str.strip().tolist()
    return pd.DataFrame(
        {
            "mention_id": ids,
            "entity_id": [_entity_id(kind, k) for k in key_values],
            "match_weight": np.full(len(ids), np.nan),
            "evidence": [
                f"same normalised {kind} {k.replace('|', ' ')} (written {w!r})"
                for k, w in zip(key_values, written_values, strict=True)
            ],
        }
    )
