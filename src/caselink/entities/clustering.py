"""Persons from scored links: greedy clustering that refuses contradictions.

Connected components of the links at a threshold chain one wrong link into
a wrong merge: the father and son at one address who share a surname, or two
John Smiths in one ward, become one person through a single mention written
with a name and nothing else. Here links are taken strongest first and two
groups of mentions are joined only if no mention of one *contradicts* a
mention of the other (cannot-link constraints):

* both record a sex, and they differ;
* both record a date of birth, and the two are not within what recording
  slips explain (one digit or transposition, day and month swapped, within
  a year);
* both record a given name (more than an initial), and neither a slip
  (Damerau-Levenshtein <= 2, or <= 3 in names of six letters or more:
  each of two mentions may carry a slip and a transposition), nor a
  nickname (shared group, or one name the start of the other), nor a
  first/last swap explains the difference; likewise for the surname.

The outcome depends only on the links inside each connected component of
the threshold graph (ties are broken by mention ids), which is what lets an
incremental run re-cluster just the components that new mentions touch and
still agree with a full run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz.distance import DamerauLevenshtein

from caselink.entities.nicknames import given_name_forms, given_name_groups

PROFILE_COLUMNS: tuple[str, ...] = ("first_name", "surname", "dob_str", "sex")
"""Feature columns the cannot-link rules read (see :func:`person_features`)."""


@dataclass(frozen=True)
class Profile:
    """What a mention says about who it is, as far as contradictions go."""

    first: str | None
    surname: str | None
    dob: str | None
    sex: str | None


def _close(a: str, b: str) -> bool:
    """Within the slips of two mentions: two edits, three in names of six letters or more.

    Each mention may carry a typing slip and a transposition, so two
    writings of one name can be several edits apart; a familiar form is
    often the start of the full one (``chris`` / ``christopher``).
    """
    if a == b or a.startswith(b) or b.startswith(a):
        return True
    allowed = 3 if min(len(a), len(b)) >= 6 else 2
    return DamerauLevenshtein.distance(a, b, score_cutoff=allowed + 1) <= allowed


@lru_cache(maxsize=1 << 18)
def _given_compatible(a: str | None, b: str | None) -> bool:
    """Whether two written given names may be one person's (slip, nickname, initial)."""
    if a is None or b is None:
        return True
    if len(a) == 1 or len(b) == 1:
        initial, name = (a, b) if len(a) == 1 else (b, a)
        return any(form[0] == initial[0] for form in given_name_forms(name))
    if _close(a, b) or given_name_groups(a) & given_name_groups(b):
        return True
    # a slip in a nickname of the other ("Richqrd" / "Richie")
    return any(_close(a, form) for form in given_name_forms(b)) or any(
        _close(b, form) for form in given_name_forms(a)
    )


def _names_compatible(x: Profile, y: Profile) -> bool:
    in_order = _given_compatible(x.first, y.first) and _given_compatible(x.surname, y.surname)
    if in_order:
        return True
    # "Smith John" (no comma) parses as given name Smith: try the swap
    return (
        x.first is not None
        and y.first is not None
        and x.surname is not None
        and y.surname is not None
        and _given_compatible(x.first, y.surname)
        and _given_compatible(x.surname, y.first)
    )


def _dobs_compatible(a: str | None, b: str | None) -> bool:
    if a is None or b is None or a == b:
        return True
    if DamerauLevenshtein.distance(a, b, score_cutoff=2) <= 1:
        return True
    da, db = date.fromisoformat(a), date.fromisoformat(b)
    if da.year == db.year and da.month == db.day and da.day == db.month:
        return True
    # a year out (the day sometimes clipped to a valid one): same month, next year
    return abs((da - db).days) <= 366 or (da.month == db.month and abs(da.year - db.year) == 1)


@lru_cache(maxsize=1 << 20)
def contradicts(x: Profile, y: Profile) -> bool:
    """Whether two mentions cannot be one person (the rules in the module docstring).

    Examples
    --------
    >>> contradicts(Profile("steve", "smith", None, "M"), Profile("stephen", "smith", None, "M"))
    False
    >>> contradicts(Profile("john", "smith", None, "M"), Profile("peter", "smith", None, "M"))
    True
    """
    if x.sex is not None and y.sex is not None and x.sex != y.sex:
        return True
    if not _dobs_compatible(x.dob, y.dob):
        return True
    return not _names_compatible(x, y)


def profiles(features: pd.DataFrame) -> list[Profile]:
    """One :class:`Profile` per row of a person-features frame."""
    cols = [features[c].to_numpy(dtype=object) for c in PROFILE_COLUMNS]
    return [
        Profile(*(None if v is None or v != v else str(v) for v in row))  # v != v: NaN
        for row in zip(*cols, strict=True)
    ]


def constrained_clusters(
    ids: np.ndarray,
    mention_profiles: Sequence[Profile],
    links: pd.DataFrame,
) -> np.ndarray:
    """Cluster mentions by their links, strongest first, never joining contradictions.

    Parameters
    ----------
    ids : numpy.ndarray
        ``mention_id`` of each mention (int64, unique).
    mention_profiles : sequence of Profile
        The profile of each mention, aligned with ``ids``.
    links : pandas.DataFrame
        ``mention_id_l, mention_id_r, match_weight`` of the links to consider.

    Returns
    -------
    numpy.ndarray
        For each mention (aligned with ``ids``), the lowest ``mention_id`` of
        its cluster.

    Raises
    ------
    ValueError
        When a link names a mention that is not in ``ids``, or the lengths of
        ``ids`` and ``mention_profiles`` differ.
    """
    n = len(ids)
    if len(mention_profiles) != n:
        raise ValueError(
            f"mention_profiles has {len(mention_profiles)} rows, ids has {n}: they must align"
        )
    position = pd.Series(np.arange(n), index=ids)
    left = position.reindex(links["mention_id_l"].to_numpy()).to_numpy()
    right = position.reindex(links["mention_id_r"].to_numpy()).to_numpy()
    if np.isnan(left).any() or np.isnan(right).any():
        raise ValueError("a link names a mention_id that is not among the mentions")
    # strongest first; ties by the mention ids, so the order is the same in any batch
    lo = np.minimum(links["mention_id_l"].to_numpy(), links["mention_id_r"].to_numpy())
    hi = np.maximum(links["mention_id_l"].to_numpy(), links["mention_id_r"].to_numpy())
    order = np.lexsort((hi, lo, -links["match_weight"].to_numpy(dtype=np.float64)))
    left_i = left.astype(np.int64)[order].tolist()
    right_i = right.astype(np.int64)[order].tolist()

    parent = list(range(n))
    # each root keeps the distinct profiles of its members
    kinds: dict[int, set[Profile]] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in zip(left_i, right_i, strict=True):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ka = kinds.get(ra) or {mention_profiles[ra]}
        kb = kinds.get(rb) or {mention_profiles[rb]}
        if any(contradicts(x, y) for x in ka for y in kb if x != y):
            continue
        if len(ka) < len(kb):
            ra, rb, ka, kb = rb, ra, kb, ka
        parent[rb] = ra
        kinds[ra] = ka | kb
        kinds.pop(rb, None)
    roots = np.fromiter((find(i) for i in range(n)), dtype=np.int64, count=n)
    return np.asarray(pd.Series(ids).groupby(roots).transform("min").to_numpy(), dtype=np.int64)
