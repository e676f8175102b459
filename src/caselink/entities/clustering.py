"""Persons from scored links: greedy clustering that refuses contradictions.

Connected components of the links at a threshold chain one wrong link into
a wrong merge: the father and son at one address who share a surname, or two
John Smiths in one ward, become one person through a single mention written
with a name and nothing else. Here links are taken strongest first, and a
*contradiction* between the two groups a link would join counts against
it: as the model's weight for that field differing (the person resolver's
default: evidence, so that a changed surname or a badly written dob does
not forbid a merge the rest of the evidence makes), or as a hard refusal
for the fields named in ``hard`` (cannot-link constraints; the function's
default, all of them). Two mentions contradict when

* both record a sex, and they differ;
* both record a date of birth, and the two are not within what recording
  slips explain (one digit or transposition, day and month swapped, within
  a year);
* both record a given name (more than an initial), and neither a slip
  (Damerau-Levenshtein <= 2, or <= 3 in names of six letters or more:
  each of two mentions may carry a slip and a transposition), nor a
  nickname (shared group, or one name the start of the other), nor a
  first/last swap explains the difference; likewise for the surname.

Two groups contradict when they record different sexes, when some date of
birth recorded in one agrees with none recorded in the other, or when no
name recorded in one agrees with any recorded in the other. Names differ
from dates of birth there: one person may carry several (an alias, a
married surname beside the maiden one), so a group holding "Mary Jones"
and "Mary Smith" does not contradict "Mary Smith"; a person has one date
of birth, so another one recorded is evidence against the join.
A weighed contradiction counts once per record corroborating it: the
smaller of the two groups' numbers of mentions recording the field (a dob
written wrong once is a slip; the same other dob on three records is
another person).
Not every pair across the groups need agree: in a person seen ten times,
"Aex Ali" (a slip in "Alex") and "Aleaxnder Ali" are each a slip from
"Alexander Ali" but two slips from each other, and requiring every pair to
agree split the people seen most often, who weigh most in pairwise
scores.

Identifiers that differ are evidence too, but not proof (people change
phones and move): when two groups would be joined and each records a
phone, an address line or a vehicle, none of one's explained by a slip in
one of the other's, the model's weight for that identifier *differing*
(learnt by Splink, e.g. -6 for phones) is added to the weight of the
joining link, once per identifier, unless the joining pair itself already
compared it. The join is made only if the sum still reaches the threshold
weight. A name-only mention thus no longer joins the John Smith of one
phone to the John Smith of another.

The outcome depends only on the links inside each connected component of
the threshold graph (ties are broken by mention ids), which is what lets an
incremental run re-cluster just the components that new mentions touch and
still agree with a full run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TypeVar

import numpy as np
import pandas as pd
from rapidfuzz.distance import DamerauLevenshtein

from caselink.entities.nicknames import given_name_forms, given_name_groups
from caselink.entities.normalise import parse_address

_T = TypeVar("_T")

PROFILE_COLUMNS: tuple[str, ...] = (
    "first_name",
    "surname",
    "dob_str",
    "sex",
    "phone",
    "address_line",
    "vehicle",
)
"""Feature columns the clustering reads (see :func:`person_features`)."""

IDENTIFIERS: tuple[str, ...] = ("phone", "address", "vehicle")
"""Identifiers whose disagreement between two groups counts against joining them."""

CONTRADICTIONS: tuple[str, ...] = ("sex", "dob", "name")
"""Fields on which two groups may contradict (see :func:`groups_contradict_on`).

Each is a hard veto (``hard``) or, as in :class:`caselink.entities.PersonResolver`,
weighed evidence: the model's weight for that field differing.
"""


@dataclass(frozen=True)
class Profile:
    """What a mention says about who it is, as far as contradictions and disagreements go."""

    first: str | None
    surname: str | None
    dob: str | None
    sex: str | None
    phone: str | None = None
    address: str | None = None
    vehicle: str | None = None

    def identifier(self, field: str) -> str | None:
        """The value of one of :data:`IDENTIFIERS`."""
        value: str | None = getattr(self, field)
        return value


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


@lru_cache(maxsize=1 << 20)
def _name_pair_compatible(
    x: tuple[str | None, str | None], y: tuple[str | None, str | None]
) -> bool:
    return _names_compatible(Profile(x[0], x[1], None, None), Profile(y[0], y[1], None, None))


@lru_cache(maxsize=1 << 20)
def _dob_pair_compatible(a: str, b: str) -> bool:
    return _dobs_compatible(a, b)


def _each_agrees(xs: set[_T], ys: set[_T], agree: Callable[[_T, _T], bool]) -> bool:
    """Every value of ``xs`` agrees with some value of ``ys`` and vice versa."""
    if not xs or not ys or xs == ys:
        return True
    return all(any(agree(x, y) for y in ys) for x in xs) and all(
        any(agree(x, y) for x in xs) for y in ys
    )


def _any_agrees(xs: set[_T], ys: set[_T], agree: Callable[[_T, _T], bool]) -> bool:
    """Some value of ``xs`` agrees with some value of ``ys`` (or either records none)."""
    if not xs or not ys or xs & ys:
        return True
    return any(agree(x, y) for x in xs for y in ys)


def _names(group: set[Profile]) -> set[tuple[str | None, str | None]]:
    return {(p.first, p.surname) for p in group if p.first is not None or p.surname is not None}


def groups_contradict(xs: set[Profile], ys: set[Profile]) -> bool:
    """Whether two groups of mentions cannot be one person (see the module docstring).

    Examples
    --------
    >>> alexander = Profile("alexander", "ali", None, "M")
    >>> groups_contradict({Profile("aex", "ali", None, "M"), alexander},
    ...                   {Profile("aleaxnder", "ali", None, "M"), alexander})
    False
    >>> groups_contradict({Profile("john", "ali", None, "M")}, {Profile("pete", "ali", None, None)})
    True
    """
    sexes = {p.sex for p in xs if p.sex is not None} | {p.sex for p in ys if p.sex is not None}
    if len(sexes) > 1:
        return True
    dobs_x = {p.dob for p in xs if p.dob is not None}
    dobs_y = {p.dob for p in ys if p.dob is not None}
    if not _each_agrees(dobs_x, dobs_y, _dob_pair_compatible):
        return True
    return not _any_agrees(_names(xs), _names(ys), _name_pair_compatible)


def groups_contradict_on(field: str, xs: set[Profile], ys: set[Profile]) -> bool:
    """Whether two groups contradict on one of :data:`CONTRADICTIONS`.

    ``sex``: both record a sex and they differ; ``dob``: some date recorded
    in one agrees with none recorded in the other; ``name``: no name recorded
    in one agrees with any recorded in the other (slips, nicknames and swaps
    allowed, as in :func:`contradicts`; one person may carry several names).
    """
    if field == "sex":
        return len({p.sex for p in xs | ys if p.sex is not None}) > 1
    if field == "dob":
        dobs_x = {p.dob for p in xs if p.dob is not None}
        dobs_y = {p.dob for p in ys if p.dob is not None}
        return not _each_agrees(dobs_x, dobs_y, _dob_pair_compatible)
    if field == "name":
        return not _any_agrees(_names(xs), _names(ys), _name_pair_compatible)
    raise ValueError(f"unknown field {field!r}: expected one of {', '.join(CONTRADICTIONS)}")


def _compared(field: str, a: Profile, b: Profile) -> bool:
    """Whether the person model compared ``field`` for the pair (neither null).

    The name comparison is null when either surname is missing.
    """
    if field == "name":
        return a.surname is not None and b.surname is not None
    if field == "dob":
        return a.dob is not None and b.dob is not None
    if field == "sex":
        return a.sex is not None and b.sex is not None
    return a.identifier(field) is not None and b.identifier(field) is not None


def _records(field: str, p: Profile) -> bool:
    """Whether a mention records one of :data:`CONTRADICTIONS`."""
    if field == "name":
        return p.first is not None or p.surname is not None
    if field == "dob":
        return p.dob is not None
    return p.sex is not None


@lru_cache(maxsize=1 << 18)
def same_identifier(field: str, a: str, b: str) -> bool:
    """Whether two recorded values of an identifier may be one (equal, or a slip apart).

    A phone or a registration one character out is a slip; an address line
    with a flat number dropped ends with the other, one with a locality
    written after the street (or a space typed inside a word) starts with
    the other once spaces are closed up, one with a building or estate name
    before the street has the same number and ends with the other's street,
    and a house number mistyped is at most two edits from it.

    Examples
    --------
    >>> same_identifier("address", "flat 5 41 abbey walk", "41 abbey walk")
    True
    >>> same_identifier("phone", "+447700900123", "+447700900999")
    False
    """
    if a == b:
        return True
    if field == "address":
        if a.endswith(" " + b) or b.endswith(" " + a):
            return True
        # a locality written on one line only, or a space typed inside a word
        ca, cb = a.replace(" ", ""), b.replace(" ", "")
        if min(len(ca), len(cb)) >= 6 and (ca.startswith(cb) or cb.startswith(ca)):
            return True
        # a building or estate name written before the street on one line only
        pa, pb = parse_address(a), parse_address(b)
        if pa.number == pb.number and pa.street and pb.street:
            sa, sb = " " + pa.street, " " + pb.street
            if (" " in pb.street and sa.endswith(sb)) or (" " in pa.street and sb.endswith(sa)):
                return True
        return DamerauLevenshtein.distance(a, b, score_cutoff=3) <= 2
    return DamerauLevenshtein.distance(a, b, score_cutoff=2) <= 1


def _disagree(field: str, xs: set[str], ys: set[str]) -> bool:
    """Both groups record the identifier and no value of one may be a value of the other."""
    if not xs or not ys or xs & ys:
        return False
    return not any(same_identifier(field, x, y) for x in xs for y in ys)


def profiles(features: pd.DataFrame) -> list[Profile]:
    """One :class:`Profile` per row of a person-features frame.

    Columns of :data:`PROFILE_COLUMNS` that the frame lacks are read as
    not recorded.
    """
    cols = [
        features[c].to_numpy(dtype=object)
        if c in features.columns
        else np.full(len(features), None, dtype=object)
        for c in PROFILE_COLUMNS
    ]
    return [
        Profile(*(None if v is None or v != v else str(v) for v in row))  # v != v: NaN
        for row in zip(*cols, strict=True)
    ]


def constrained_clusters(
    ids: np.ndarray,
    mention_profiles: Sequence[Profile],
    links: pd.DataFrame,
    disagreement: Mapping[str, float] | None = None,
    min_weight: float = -math.inf,
    hard: Collection[str] = CONTRADICTIONS,
) -> np.ndarray:
    """Cluster mentions by their links, strongest first, weighing or refusing contradictions.

    Parameters
    ----------
    ids : numpy.ndarray
        ``mention_id`` of each mention (int64, unique).
    mention_profiles : sequence of Profile
        The profile of each mention, aligned with ``ids``.
    links : pandas.DataFrame
        ``mention_id_l, mention_id_r, match_weight`` of the links to consider,
        optionally ``name_differs``: whether the pair's own name level counted
        its names differing (``NAME_LEVELS_COUNTING_DIFFERENCE`` of
        :mod:`caselink.entities.person_model`; then a name contradiction
        between the groups counts one record fewer).
    disagreement : mapping of str to float, optional
        For each of :data:`IDENTIFIERS` and :data:`CONTRADICTIONS`, the
        weight (<= 0) of that field differing between the two groups a link
        would join (see the module docstring), added unless the linking
        pair itself compared the field. Missing fields count nothing.
    min_weight : float, default -inf
        A link joins two groups only if its weight plus their disagreements
        reaches this (the threshold's match weight).
    hard : collection of str, default all of :data:`CONTRADICTIONS`
        Fields on which a contradiction between the groups refuses the join
        outright, whatever the evidence (the rest are weighed, if given in
        ``disagreement``).

    Returns
    -------
    numpy.ndarray
        For each mention (aligned with ``ids``), the lowest ``mention_id`` of
        its cluster.

    Raises
    ------
    ValueError
        When a link names a mention that is not in ``ids``, the lengths of
        ``ids`` and ``mention_profiles`` differ, or ``disagreement`` names
        an unknown identifier or a positive weight.
    """
    n = len(ids)
    if len(mention_profiles) != n:
        raise ValueError(
            f"mention_profiles has {len(mention_profiles)} rows, ids has {n}: they must align"
        )
    penalties = dict(disagreement or {})
    known = (*IDENTIFIERS, *CONTRADICTIONS)
    bad = {k: v for k, v in penalties.items() if k not in known or not v <= 0.0}
    if bad:
        raise ValueError(
            f"disagreement must map identifiers {', '.join(known)} to weights <= 0, got {bad!r}"
        )
    unknown_hard = [f for f in hard if f not in CONTRADICTIONS]
    if unknown_hard:
        raise ValueError(
            f"hard must name fields of {', '.join(CONTRADICTIONS)}, got {unknown_hard!r}"
        )
    vetoes = tuple(hard)
    weighed = tuple(f for f in CONTRADICTIONS if f in penalties and f not in vetoes)
    id_penalties = {f: w for f, w in penalties.items() if f in IDENTIFIERS}
    position = pd.Series(np.arange(n), index=ids)
    left = position.reindex(links["mention_id_l"].to_numpy()).to_numpy()
    right = position.reindex(links["mention_id_r"].to_numpy()).to_numpy()
    if np.isnan(left).any() or np.isnan(right).any():
        raise ValueError("a link names a mention_id that is not among the mentions")
    # strongest first; ties by the mention ids, so the order is the same in any batch
    lo = np.minimum(links["mention_id_l"].to_numpy(), links["mention_id_r"].to_numpy())
    hi = np.maximum(links["mention_id_l"].to_numpy(), links["mention_id_r"].to_numpy())
    weights = links["match_weight"].to_numpy(dtype=np.float64)
    order = np.lexsort((hi, lo, -weights))
    left_i = left.astype(np.int64)[order].tolist()
    right_i = right.astype(np.int64)[order].tolist()
    weight_i = weights[order].tolist()

    parent = list(range(n))
    # each root keeps the distinct profiles of its members and their identifiers
    kinds: dict[int, set[Profile]] = {}
    values: dict[int, dict[str, set[str]]] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    counts: dict[int, dict[str, int]] = {}

    def recorded(root: int, field: str) -> int:
        """How many mentions of the group record ``field``."""
        if root in counts:
            return counts[root][field]
        return int(_records(field, mention_profiles[root]))

    def held(root: int) -> dict[str, set[str]]:
        if root in values:
            return values[root]
        p = mention_profiles[root]
        return {f: {v} if (v := p.identifier(f)) is not None else set() for f in id_penalties}

    # whether the linking pair's own name level already counted its names differing
    counted = (
        links["name_differs"].to_numpy(dtype=bool)
        if "name_differs" in links.columns
        else np.zeros(len(links), dtype=bool)
    )
    name_counted = counted[order].tolist()
    for k, (a, b, w) in enumerate(zip(left_i, right_i, weight_i, strict=True)):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ka = kinds.get(ra) or {mention_profiles[ra]}
        kb = kinds.get(rb) or {mention_profiles[rb]}
        if any(groups_contradict_on(f, ka, kb) for f in vetoes):
            continue
        va, vb = held(ra), held(rb)
        if penalties:
            pa, pb = mention_profiles[a], mention_profiles[b]
            total = w
            # the linking pair's own comparison of a field is already in its weight
            for field, penalty in id_penalties.items():
                if not _compared(field, pa, pb) and _disagree(field, va[field], vb[field]):
                    total += penalty
            for field in weighed:
                # a contradiction between the groups counts against the join once per
                # record corroborating it: min(records of the field in either group), each
                # an independent observation (a dob written wrong once is a slip; the same
                # other dob on three records of one group is another person's). The
                # linking pair's own weight holds one of them when the pair itself
                # contradicts: a pair whose sex or dob contradict sits in that comparison's
                # "different" (or "a generation apart") level. For names, the link's
                # ``name_differs`` says so (the levels of NAME_LEVELS_COUNTING_DIFFERENCE);
                # "surname only" is not one of them: kin at one address (twins, father and
                # son) share surname and home, EM cannot tell them from matches, and that
                # level's weight, learnt with them, undercounts a given name that differs
                if not groups_contradict_on(field, ka, kb):
                    continue
                times = min(recorded(ra, field), recorded(rb, field))
                if name_counted[k] if field == "name" else groups_contradict_on(field, {pa}, {pb}):
                    times -= 1
                total += times * penalties[field]
            if total < min_weight:
                continue
        if len(ka) < len(kb):
            ra, rb, ka, kb, va, vb = rb, ra, kb, ka, vb, va
        parent[rb] = ra
        kinds[ra] = ka | kb
        kinds.pop(rb, None)
        if weighed:
            counts[ra] = {f: recorded(ra, f) + recorded(rb, f) for f in weighed}
            counts.pop(rb, None)
        values[ra] = {f: va[f] | vb[f] for f in id_penalties}
        values.pop(rb, None)
    roots = np.fromiter((find(i) for i in range(n)), dtype=np.int64, count=n)
    return np.asarray(pd.Series(ids).groupby(roots).transform("min").to_numpy(), dtype=np.int64)
