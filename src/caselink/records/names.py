"""Which names an MO attribute may have: a documented pattern, no reserved name, no twin.

An attribute becomes a column of the cases frame and of the tables the linkage
SQL reads, next to the standard case fields and to columns caselink derives
(``t_from``, ``x_km``, ``gx``, ``<name>_value`` ...). A user name equal to one
of those (in any letter case) would replace it silently, and two names that
differ only in letter case collide in case-insensitive SQL engines. So a name
must match :data:`ATTRIBUTE_NAME_PATTERN`, must not be reserved, must not end
in a reserved suffix and must differ from every other attribute's name in more
than letter case. Every check runs before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from caselink.records.errors import RowError

ATTRIBUTE_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,47}$"
"""A letter, then up to 47 letters, digits or underscores (room for derived suffixes)."""

MAX_ATTRIBUTES = 200
"""Most MO attributes a store holds (each is compared for every candidate pair)."""

STANDARD_CASE_FIELDS: tuple[str, ...] = (
    "case_id",
    "case_type",
    "occurred_from",
    "occurred_to",
    "reported_at",
    "lat",
    "lon",
    "victim_age",
    "victim_sex",
    "victim_group",
    "status",
    "offender_id",
    "narrative",
)
"""The standard columns of cases.csv."""

INTERNAL_NAMES: tuple[str, ...] = (
    # columns caselink derives when comparing cases (linkage tables, blocking, pairs)
    "family",
    "t_from",
    "t_to",
    "tod",
    "x",
    "y",
    "x_km",
    "y_km",
    "gx",
    "gy",
    "gt",
    "dx",
    "dy",
    "dt",
    "case_a",
    "case_b",
    "pair_id",
    "probability",
    "explanation",
    "distance_time_baseline",
    # comparison columns of compared pairs (tests/linkage/test_reserved_columns.py finds
    # every column the linkage tables and comparisons make and checks it is reserved here)
    "days_apart",
    "distance_km",
    "same_family",
    "tod_gap_h",
    "victim_age_gap",
    "victim_same_sex",
    # column aliases of the linkage SQL (bounds, value and token joins)
    "bound",
    "dot",
    "n_shared",
    "min_share",
    # store and frame columns
    "pk",
    "case_pk",
    "attributes",
    "force",
    "import_seq",
    "linkage_state",
    "linkage_note",
    "mention_id",
    "action_id",
    "series_id",
    "entity_id",
)
"""Names caselink uses for columns of its own."""

RESERVED_SUFFIXES: tuple[str, ...] = (
    "_value",
    "_share",
    "_norm",
    "_diff",
    "_overlap",
    "_rarity",
    "_cosine",
    "_n",
    "_lr_same",
)
"""Suffixes of columns caselink derives from an attribute's name."""

RESERVED_NAMES = frozenset(n.lower() for n in (*STANDARD_CASE_FIELDS, *INTERNAL_NAMES))

_PATTERN = re.compile(ATTRIBUTE_NAME_PATTERN)


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an MO attribute's name, or None when it can."""
    if not _PATTERN.match(name):
        return (
            "not a valid MO attribute name: use a letter then letters, digits or "
            "underscores (at most 48 characters, no spaces, quotes or punctuation)"
        )
    low = name.lower()
    if low in RESERVED_NAMES:
        return "reserved: a standard case field or a column caselink uses; rename the column"
    for suffix in RESERVED_SUFFIXES:
        if low.endswith(suffix):
            return f"names ending in {suffix!r} are reserved for columns caselink derives"
    return None


def check_attribute_names(
    names: Sequence[str], file: str, stored: Iterable[str] = ()
) -> list[RowError]:
    """Every problem with a set of new MO attribute names (empty list: all fine).

    Parameters
    ----------
    names
        The attribute names (e.g. the non-standard columns of a cases header).
    file
        The file they come from, for the errors.
    stored
        The names already in the store: a new name may equal one of them
        exactly, but not differ from it only in letter case.
    """
    errors: list[RowError] = []
    seen: dict[str, str] = {s.lower(): s for s in stored}
    stored_exact = set(seen.values())
    first_in_file: dict[str, str] = {}
    for name in names:
        problem = name_problem(name)
        if problem is not None:
            errors.append(RowError(file, 0, name, name, problem))
            continue
        low = name.lower()
        if low in first_in_file:
            errors.append(
                RowError(
                    file, 0, name, name, f"differs from column {first_in_file[low]!r} only in case"
                )
            )
            continue
        first_in_file[low] = name
        if low in seen and name not in stored_exact:
            errors.append(
                RowError(
                    file,
                    0,
                    name,
                    name,
                    f"differs from the stored attribute {seen[low]!r} only in case",
                )
            )
    return errors


def too_many_attributes(
    names: Iterable[str], file: str, stored: Iterable[str] = ()
) -> RowError | None:
    """The error when the store would hold more than :data:`MAX_ATTRIBUTES` attributes."""
    total = len({n.lower() for n in stored} | {n.lower() for n in names})
    if total <= MAX_ATTRIBUTES:
        return None
    return RowError(
        file, 0, "", str(total), f"too many MO attributes ({total}; at most {MAX_ATTRIBUTES})"
    )
