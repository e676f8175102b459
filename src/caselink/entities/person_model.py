"""The Splink model of "same person": its comparisons, blocking rules and training rules.

Each comparison is a ladder of levels from strongest to weakest agreement;
Splink learns how much each level is worth (its m and u probabilities) from
the data. The ladders encode what goes wrong in police records of people:

* **name**: exact; same surname and the same given name through the
  nickname table (Steve / Stephen / Steven); first and last names swapped
  (a slip or a nickname allowed in each part); one typing error in each
  part (Damerau-Levenshtein, which counts a transposition as one edit);
  close by Jaro-Winkler; same surname and initial; same surname only; same
  given name only (a changed surname); either of the last two with a slip.
* **dob**: exact; one digit wrong or two adjacent digits transposed (as
  strings, Damerau-Levenshtein <= 1); day and month swapped (American
  order); within a year; different; a generation (15 years) or more apart.
* **address** (line and postcode together): both the same; same line;
  same number on a similar street; same postcode or sector when one line
  is missing; another line at the same postcode (neighbours); the same
  street, another number. A street written with its locality, with a
  building or estate name before it, or with a space typed inside a word,
  is the same street.
  **phone** (E.164): exact, one digit wrong. **vehicle**: same
  registration. **sex**: same or not.
* **place**: home to case, or case to case, within 0.5 / 1 / 2 (/ 5) km,
  each split by how crowded the area is (density bands learnt at fit).
* **roles**: a death's victim; otherwise the kinds of the two roles.

Name levels, dob, postcode, phone and address carry term frequency
adjustments: agreeing on "John Smith" or on a council block's postcode is
worth less than agreeing on a rare one (frequencies counted over people, not
records: :func:`caselink.entities.persons.people_term_frequencies`).
"""

from __future__ import annotations

from typing import Any

from splink import block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator

COMPARISON_NAMES: tuple[str, ...] = (
    "name",
    "dob",
    "sex",
    "phone",
    "address",
    "vehicle",
    "place",
    "roles",
)
"""Output column names of the comparisons, in model order."""


def _null(col: str) -> dict[str, Any]:
    return {
        "sql_condition": f'"{col}_l" IS NULL OR "{col}_r" IS NULL',
        "label_for_charts": "null",
        "is_null_level": True,
    }


def _else() -> dict[str, Any]:
    return {"sql_condition": "ELSE", "label_for_charts": "different"}


def name_comparison() -> dict[str, Any]:
    """The name ladder (see module docstring)."""
    dl = "damerau_levenshtein"
    jw = "jaro_winkler_similarity"

    def near_len(col: str) -> str:
        # one edit changes a length by at most one
        return f"abs(length({col}_l) - length({col}_r)) <= 1"

    return {
        "output_column_name": "name",
        "comparison_description": "given name and surname",
        "comparison_levels": [
            {
                "sql_condition": "surname_l IS NULL OR surname_r IS NULL",
                "label_for_charts": "null",
                "is_null_level": True,
            },
            {
                "sql_condition": "full_name_l = full_name_r",
                "label_for_charts": "exact",
                "tf_adjustment_column": "canon_name",
                "disable_tf_exact_match_detection": True,
            },
            {
                "sql_condition": "surname_l = surname_r AND first_canon_l = first_canon_r",
                "label_for_charts": "nickname",
                "tf_adjustment_column": "canon_name",
                "disable_tf_exact_match_detection": True,
            },
            {
                # the first letters first: a cheap test that spares most pairs four
                # edit distances (slips keep the first letter)
                "sql_condition": (
                    "left(first_name_l, 1) = left(surname_r, 1)"
                    f" AND {dl}(first_name_l, surname_r) <= 1"
                    f" AND ({dl}(surname_l, first_name_r) <= 1"
                    " OR surname_canon_l = first_canon_r)"
                    " OR left(first_name_r, 1) = left(surname_l, 1)"
                    f" AND {dl}(first_name_r, surname_l) <= 1"
                    f" AND ({dl}(surname_r, first_name_l) <= 1"
                    " OR surname_canon_r = first_canon_l)"
                ),
                "label_for_charts": "swapped",
            },
            {
                # lengths first: a cheap test that spares most pairs the edit distances
                "sql_condition": (
                    f"{near_len('surname')} AND {dl}(surname_l, surname_r) <= 1 AND "
                    f"({dl}(first_name_l, first_name_r) <= 1 OR first_canon_l = first_canon_r)"
                ),
                "label_for_charts": "one edit",
            },
            {
                "sql_condition": (
                    f"{jw}(surname_l, surname_r) >= 0.92"
                    f" AND {jw}(first_name_l, first_name_r) >= 0.88"
                ),
                "label_for_charts": "similar",
            },
            {
                "sql_condition": (
                    "surname_l = surname_r AND (first_name_l IS NULL OR first_name_r IS NULL"
                    " OR (length(first_name_l) = 1 OR length(first_name_r) = 1)"
                    " AND left(first_name_l, 1) = left(first_name_r, 1))"
                ),
                "label_for_charts": "surname and initial",
                "tf_adjustment_column": "surname",
                "disable_tf_exact_match_detection": True,
            },
            {
                "sql_condition": "surname_l = surname_r",
                "label_for_charts": "surname only",
                "tf_adjustment_column": "surname",
                "disable_tf_exact_match_detection": True,
            },
            {
                # a surname changed (marriage, an alias) or replaced: the given name alone
                "sql_condition": "first_canon_l = first_canon_r",
                "label_for_charts": "given name only",
            },
            {
                # the partial levels above with a typing slip in the part that agrees
                "sql_condition": f"{near_len('surname')} AND {dl}(surname_l, surname_r) <= 1",
                "label_for_charts": "surname within a slip only",
            },
            {
                "sql_condition": (
                    f"{near_len('first_name')} AND {dl}(first_name_l, first_name_r) <= 1"
                ),
                "label_for_charts": "given name within a slip only",
            },
            _else(),
        ],
    }


NAME_LEVELS_COUNTING_DIFFERENCE: frozenset[str] = frozenset(
    {"different", "given name only", "given name within a slip only"}
)
"""Name levels whose weight counts the pair's names differing (the link's ``name_differs``).

A pair in one of them has its contradiction on names already in its weight
(the level's m and u say how often matches and non-matches differ so), so
the clustering counts a name contradiction between the groups the pair
joins one record fewer. "surname only" is left out: kin at one address
(twins, a father and son) share surname and home, EM cannot tell them from
matches, and that level's weight, learnt with them among the matches,
undercounts a given name that differs (and "surname within a slip only"
likewise).
"""


GENERATION_DAYS: int = 15 * 365
"""Dates of birth this far apart (15 years) are a level of their own: another generation.

A father and son of one name at one address differ only there; a dob
mistyped by a digit, a day/month swap or a year has levels above. Whether
a generation apart is a recording error or another person is learnt like
every level (EM), not assumed.
"""


def dob_comparison() -> dict[str, Any]:
    """The date-of-birth ladder (see module docstring)."""
    return {
        "output_column_name": "dob",
        "comparison_description": "date of birth",
        "comparison_levels": [
            _null("dob_str"),
            {
                "sql_condition": "dob_str_l = dob_str_r",
                "label_for_charts": "exact",
                "tf_adjustment_column": "dob_str",
            },
            {
                # one digit or two adjacent ones swapped leaves two of year, month and
                # day as they were: a cheap test that spares most pairs the edit distance
                "sql_condition": (
                    "(left(dob_str_l, 4) = left(dob_str_r, 4))::int"
                    " + (substr(dob_str_l, 6, 2) = substr(dob_str_r, 6, 2))::int"
                    " + (right(dob_str_l, 2) = right(dob_str_r, 2))::int >= 2"
                    " AND damerau_levenshtein(dob_str_l, dob_str_r) <= 1"
                ),
                "label_for_charts": "one digit or transposition",
            },
            {
                "sql_condition": (
                    "year(dob_l) = year(dob_r) AND month(dob_l) = day(dob_r)"
                    " AND day(dob_l) = month(dob_r)"
                ),
                "label_for_charts": "day and month swapped",
            },
            {
                "sql_condition": (
                    "month(dob_l) = month(dob_r) AND (year(dob_l) = year(dob_r)"
                    " OR day(dob_l) = day(dob_r))"
                ),
                "label_for_charts": "two of day, month, year",
            },
            {
                "sql_condition": "abs(date_diff('day', dob_l, dob_r)) <= 366",
                "label_for_charts": "within a year",
            },
            {
                # a wrong dob, or a sibling; a generation apart (below) is a parent or child
                "sql_condition": f"abs(date_diff('day', dob_l, dob_r)) < {GENERATION_DAYS}",
                "label_for_charts": "different",
            },
            {"sql_condition": "ELSE", "label_for_charts": "a generation apart"},
        ],
    }


def sex_comparison() -> dict[str, Any]:
    """Same recorded sex or not."""
    return {
        "output_column_name": "sex",
        "comparison_description": "sex",
        "comparison_levels": [
            _null("sex"),
            {"sql_condition": "sex_l = sex_r", "label_for_charts": "exact"},
            _else(),
        ],
    }


def phone_comparison() -> dict[str, Any]:
    """Exact E.164 number, or one digit different."""
    return {
        "output_column_name": "phone",
        "comparison_description": "phone",
        "comparison_levels": [
            _null("phone"),
            {
                "sql_condition": "phone_l = phone_r",
                "label_for_charts": "exact",
                "tf_adjustment_column": "phone",
            },
            {
                "sql_condition": "damerau_levenshtein(phone_l, phone_r) <= 1",
                "label_for_charts": "one digit",
            },
            _else(),
        ],
    }


def address_comparison() -> dict[str, Any]:
    """Address line and postcode, as one comparison.

    One ladder rather than two comparisons because an address and its
    postcode are not independent evidence: the same line at the same
    postcode is one fact, and counting it twice would merge the members of
    a household on their address alone.
    """
    sector = "regexp_extract({c}, '^[A-Z]{{1,2}}[0-9][A-Z0-9]? [0-9]')"
    sector_l, sector_r = sector.format(c="postcode_l"), sector.format(c="postcode_r")
    both_lines = "address_line_l IS NOT NULL AND address_line_r IS NOT NULL"
    # the street as written up to the shorter one's length, spaces closed up: a
    # locality written on one record and not the other ("26 moon place, crower")
    # and a space typed inside a word ("moon p lace") are not another street
    compact_l = "replace(address_street_l, ' ', '')"
    compact_r = "replace(address_street_r, ' ', '')"
    shorter = f"least(length({compact_l}), length({compact_r}))"
    # a building, estate or locality written before the street on one record only
    # ("1 garanga shoalhaven avenue" / "1 shoalhaven avenue"): one street ends with
    # the other's words
    ends_with = "contains({b}, ' ') AND suffix(' ' || {a}, ' ' || {b})"
    similar_street = (
        "jaro_winkler_similarity(address_street_l, address_street_r) >= 0.9"
        f" OR {shorter} >= 5 AND jaro_winkler_similarity("
        f"left({compact_l}, {shorter}), left({compact_r}, {shorter})) >= 0.9"
        f" OR {ends_with.format(a='address_street_l', b='address_street_r')}"
        f" OR {ends_with.format(a='address_street_r', b='address_street_l')}"
    )
    return {
        "output_column_name": "address",
        "comparison_description": "address line and postcode",
        "comparison_levels": [
            {
                "sql_condition": (
                    f"NOT ({both_lines} OR postcode_l IS NOT NULL AND postcode_r IS NOT NULL)"
                ),
                "label_for_charts": "null",
                "is_null_level": True,
            },
            {
                "sql_condition": "address_line_l = address_line_r AND postcode_l = postcode_r",
                "label_for_charts": "exact",
                "tf_adjustment_column": "address_line",
                "disable_tf_exact_match_detection": True,
            },
            {
                "sql_condition": "address_line_l = address_line_r",
                "label_for_charts": "same line",
                "tf_adjustment_column": "address_line",
                "disable_tf_exact_match_detection": True,
            },
            {
                "sql_condition": (f"address_number_l = address_number_r AND ({similar_street})"),
                "label_for_charts": "same number, similar street",
            },
            {
                "sql_condition": (
                    "(address_number_l IS NULL OR address_number_r IS NULL"
                    " OR address_number_l = address_number_r)"
                    f" AND ({similar_street})"
                    " AND (postcode_l = postcode_r"
                    " OR damerau_levenshtein(postcode_l, postcode_r) <= 1)"
                ),
                "label_for_charts": "similar street, postcode within a slip",
            },
            {
                "sql_condition": f"postcode_l = postcode_r AND NOT ({both_lines})",
                "label_for_charts": "same postcode",
                "tf_adjustment_column": "postcode",
                "disable_tf_exact_match_detection": True,
            },
            {
                "sql_condition": (
                    f"{sector_l} = {sector_r} AND {sector_l} <> '' AND NOT ({both_lines})"
                ),
                "label_for_charts": "same postcode sector",
            },
            {
                "sql_condition": "postcode_l = postcode_r",
                "label_for_charts": "other line, same postcode",
            },
            {
                # another house in the same street (or the number mistyped)
                "sql_condition": f"{similar_street}",
                "label_for_charts": "similar street, other number",
            },
            _else(),
        ],
    }


def vehicle_comparison() -> dict[str, Any]:
    """The same vehicle registration (normalised) or not.

    A registration belongs to one keeper: two mentions recording one car
    are strong evidence, more so than a shared address, which a household
    shares.
    """
    return {
        "output_column_name": "vehicle",
        "comparison_description": "vehicle registration",
        "comparison_levels": [
            _null("vehicle"),
            {"sql_condition": "vehicle_l = vehicle_r", "label_for_charts": "exact"},
            _else(),
        ],
    }


def _distance(a: str, b: str) -> str:
    """Distance in km between the points ``a`` and ``b`` (column stems).

    Equirectangular: within a city it is the haversine distance to a few
    metres, at a fraction of the cost (it is evaluated once per level of
    every scored pair).
    """
    return (
        f"111.195 * sqrt(pow({b}_lat_r - {a}_lat_l, 2)"
        f" + pow(({b}_lon_r - {a}_lon_l) * cos(radians(({a}_lat_l + {b}_lat_r) / 2)), 2))"
    )


DENSITY_BANDS: tuple[str, ...] = ("sparse", "quiet", "middling", "busy", "dense")
"""Bands of how crowded the area of a pair's cases is (``area_band`` 0, 1, 2)."""


def place_comparison() -> dict[str, Any]:
    """How near one mention's person is anchored to the other's, and how crowded it is there.

    People are reporters, finders and witnesses near where they live; two
    mentions of one name in cases 300 m apart are likelier one person than
    the same name 8 km apart. When exactly one of the two records a home
    (``address_lat, address_lon``), the distance from that home to the other
    mention's case is the tighter evidence (one person's wanderings, not
    two); when both record a home, the address comparison already says it,
    so the cases' distance is used. This is the only evidence that links a
    mention recorded with a name and nothing else.

    Each distance level is split by the density band of the busier of the
    two cases' areas (``area_band``, learnt at fit: see
    :class:`caselink.entities.persons.PersonResolver`). Two John Smiths
    300 m apart are one man in a village and quite likely two in a
    crowded estate: a random pair of mentions is far likelier to be that
    close where people are many, and the u probabilities learn it.
    """
    one_home_l = "home_lat_l IS NOT NULL AND home_lat_r IS NULL AND case_lat_r IS NOT NULL"
    one_home_r = "home_lat_r IS NOT NULL AND home_lat_l IS NULL AND case_lat_l IS NOT NULL"
    home_case = _distance("home", "case")
    case_home = _distance("case", "home")
    band = "coalesce(greatest(area_band_l, area_band_r), 0)"
    levels: list[dict[str, Any]] = [
        {
            "sql_condition": (
                "(case_lat_l IS NULL OR case_lat_r IS NULL)"
                " AND NOT (home_lat_l IS NOT NULL AND case_lat_r IS NOT NULL)"
                " AND NOT (home_lat_r IS NOT NULL AND case_lat_l IS NOT NULL)"
            ),
            "label_for_charts": "null",
            "is_null_level": True,
        }
    ]
    # one CASE, not "(home left AND d <= km) OR (home right AND d' <= km)": the same
    # test, but Splink's SQL analysis (sqlglot normalises each condition to
    # conjunctive normal form before every EM pass) expands the OR of ANDs of these
    # long distance expressions for seconds per level
    home_distance = (
        f"(CASE WHEN {one_home_l} THEN {home_case} WHEN {one_home_r} THEN {case_home} END)"
    )
    for km in (0.5, 1.0, 2.0):
        for b in range(len(DENSITY_BANDS) - 1, -1, -1):
            levels.append(
                {
                    "sql_condition": f"{band} = {b} AND {home_distance} <= {km}",
                    "label_for_charts": f"home within {km:g} km of case ({DENSITY_BANDS[b]} area)",
                }
            )
    levels.append(
        {
            "sql_condition": f"{one_home_l} OR {one_home_r}",
            "label_for_charts": "home far from case",
        }
    )
    dist = _distance("case", "case")
    for km in (0.5, 1.0, 2.0, 5.0):
        for b in range(len(DENSITY_BANDS) - 1, -1, -1):
            levels.append(
                {
                    "sql_condition": (
                        f"{band} = {b} AND case_lat_l IS NOT NULL AND case_lat_r IS NOT NULL"
                        f" AND {dist} <= {km}"
                    ),
                    "label_for_charts": f"within {km:g} km ({DENSITY_BANDS[b]} area)",
                }
            )
    levels.append(_else())
    return {
        "output_column_name": "place",
        "comparison_description": "distance between the mentions' homes and cases, by density",
        "comparison_levels": levels,
    }


def roles_comparison() -> dict[str, Any]:
    """The kinds of role the two mentions were recorded in.

    Victims (above all of deaths) are mostly seen once; reporters, finders
    and witnesses are a neighbourhood's regulars. The same name in two
    witness statements is likelier one person than in two victim records.
    The victim of a death (kind ``deceased``) is a level of its own,
    whatever the other mention's role.
    """
    kinds = ("victim", "accused", "bystander")
    levels: list[dict[str, Any]] = [
        _null("role_kind"),
        {
            "sql_condition": "role_kind_l = 'deceased' OR role_kind_r = 'deceased'",
            "label_for_charts": "one of them deceased",
        },
    ]
    for i, a in enumerate(kinds):
        for b in kinds[i:]:
            cond = (
                f"role_kind_l = '{a}' AND role_kind_r = '{b}'"
                if a == b
                else f"(role_kind_l = '{a}' AND role_kind_r = '{b}')"
                f" OR (role_kind_l = '{b}' AND role_kind_r = '{a}')"
            )
            levels.append({"sql_condition": cond, "label_for_charts": f"{a} and {b}"})
    levels.append(_else())
    return {
        "output_column_name": "roles",
        "comparison_description": "kinds of role",
        "comparison_levels": levels,
    }


NEARBY = (
    "(l.postcode = r.postcode OR l.area_row IS NULL OR r.area_row IS NULL"
    " OR (abs(l.area_row - r.area_row) <= 1 AND abs(l.area_col - r.area_col) <= 1))"
)
"""SQL: the two mentions share a postcode, or their cases lie in one 2 km square or two
that touch (:func:`caselink.entities.features.area_grid`), or a case's place is unknown
(people-only input): a place not recorded is no evidence against the pair."""


def prediction_blocking_rules() -> list[BlockingRuleCreator | str]:
    """The blocking rules that choose which pairs of mentions are scored.

    A true pair is scored if it agrees on any one of: phone; vehicle; date
    of birth; surname and canonical given name; given name and surname
    swapped (one of them exactly, the other by its initial); postcode and
    given-name initial; address line; surname and house number; postcode and
    street; postcode and house number (one house, its street written with a
    slip or not at all); and, for cases in one 2 km square
    (:func:`caselink.entities.features.area_cells`), canonical given name
    and surname initial, or surname and given-name initial. The last two
    catch a name written with a slip or in full on one mention and by
    nickname on the other: slips keep the first letter, and the people who
    report, find and witness do so near home.

    A key that many people share grows quadratically with the data (a
    million mentions hold 18 M pairs of one dob, 47 M of one full name), so
    each such rule also asks for one piece of corroboration that a true
    pair nearly always has and chance seldom gives (:data:`NEARBY`: one
    postcode, or cases in touching 2 km squares):

    * dob: an initial of either name, a missing name, or nearby;
    * full name: dob year, or dob day and month (a year typed wrong), a
      missing dob, nearby, or one house number;
    * swapped names: the dob, or nearby;
    * surname and house number: the postcode district, nearby, or the
      given-name initial.

    A pair with none of these has only the shared key to go on and seldom
    scores a link; at 250,000 synthetic mentions the corroborations cut
    the scored pairs from 12.7 M to 4.5 M and lose 55 of 159,062 links
    (F1 0.9760 both), at a million from 178 M to 38 M
    (``benchmarks/entities_blocking.py``).
    """
    first = "substr(first_canon, 1, 1)"
    fi = "substr(l.first_canon, 1, 1) = substr(r.first_canon, 1, 1)"
    si = "substr(l.surname, 1, 1) = substr(r.surname, 1, 1)"
    no_name = "l.first_canon IS NULL OR r.first_canon IS NULL"
    no_dob = "l.dob_str IS NULL OR r.dob_str IS NULL"
    dob_year = "substr(l.dob_str, 1, 4) = substr(r.dob_str, 1, 4)"
    dob_day = "substr(l.dob_str, 6, 5) = substr(r.dob_str, 6, 5)"
    district = "split_part(l.postcode, ' ', 1) = split_part(r.postcode, ' ', 1)"
    return [
        block_on("phone"),
        block_on("vehicle"),
        f"l.dob_str = r.dob_str AND ({fi} OR {si} OR {no_name} OR {NEARBY})",
        "l.surname = r.surname AND l.first_canon = r.first_canon AND ("
        f"{dob_year} OR {dob_day} OR {no_dob} OR {NEARBY}"
        " OR l.address_number = r.address_number)",
        "l.first_name = r.surname AND substr(l.surname, 1, 1) = substr(r.first_name, 1, 1)"
        f" AND (l.dob_str = r.dob_str OR {NEARBY})",
        "l.surname = r.first_name AND substr(l.first_name, 1, 1) = substr(r.surname, 1, 1)"
        f" AND (l.dob_str = r.dob_str OR {NEARBY})",
        block_on("postcode", first),
        block_on("address_line"),
        "l.surname = r.surname AND l.address_number = r.address_number"
        f" AND ({district} OR {NEARBY} OR {fi})",
        block_on("postcode", "address_street"),
        block_on("postcode", "address_number"),
        block_on("area", "first_canon", "substr(surname, 1, 1)"),
        block_on("area", "surname", first),
    ]


def prediction_blocking_sql() -> list[str]:
    """:func:`prediction_blocking_rules` as DuckDB SQL over ``l`` and ``r``, in order.

    What a trained model carries; for counting or checking the candidate
    pairs outside Splink.
    """
    return [
        rule if isinstance(rule, str) else rule.get_blocking_rule("duckdb").blocking_rule_sql
        for rule in prediction_blocking_rules()
    ]


EM_RULES: tuple[tuple[str, ...], ...] = (("dob_str",), ("surname", "first_canon"), ("phone",))
"""Columns of the EM passes that estimate m probabilities, in order.

Each pass fixes the comparisons of its columns (whose m cannot be learnt in
it) and learns the others; together every comparison is learnt at least
once. A pass whose rule admits no pair (no phone recorded anywhere, no
dob) is skipped with a warning, the model kept as it was.
"""

FALLBACK_EM_RULES: tuple[tuple[str, ...], ...] = (("address_line",), ("postcode",))
"""EM passes that learn the name ladder when no dob or phone pass could run.

Data with names and addresses only would otherwise keep Splink's default m
probabilities for names; blocking on the address line, then the postcode,
lets EM learn them from the data.
"""

EM_LEARNS_NAME: frozenset[str] = frozenset({"dob_str", "phone", "address_line", "postcode"})
"""Blocking columns of the EM passes in which the name ladder is learnt (not fixed)."""

PRIOR_RULES: tuple[tuple[str, ...], ...] = (
    ("full_name", "dob_str"),
    ("surname", "first_canon", "phone"),
    ("surname", "dob_str", "postcode"),
)
"""Near-certain matching rules whose pairs estimate the prior match probability."""

FALLBACK_PRIOR_RULES: tuple[tuple[str, ...], ...] = (
    ("full_name", "address_line"),
    ("full_name", "postcode"),
)
"""Prior rules for data whose :data:`PRIOR_RULES` admit no pair (no dob, no phone).

The same full name at the same address line, or at the same postcode: what
data with only names and addresses can say. When these admit no pair
either, the prior is :data:`FALLBACK_PRIOR_MATCHES` matches per mention.
"""

FALLBACK_PRIOR_MATCHES: float = 0.5
"""Expected true matches per mention when no rule can estimate the prior.

The prior is then ``0.5 / (n - 1)`` for ``n`` mentions: as if one mention in
two had one other mention of the same person, a middle guess that lets the
comparisons decide.
"""


def em_training_rules() -> list[BlockingRuleCreator]:
    """Blocking rules of the EM passes (:data:`EM_RULES`)."""
    return [block_on(*cols) for cols in EM_RULES]


def deterministic_rules() -> list[BlockingRuleCreator]:
    """Near-certain matching rules used to estimate the prior (:data:`PRIOR_RULES`)."""
    return [block_on(*cols) for cols in PRIOR_RULES]


def settings_dict() -> dict[str, Any]:
    """The untrained Splink settings of the person model."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "mention_id",
        "probability_two_random_records_match": 1e-5,
        "comparisons": [
            name_comparison(),
            dob_comparison(),
            sex_comparison(),
            phone_comparison(),
            address_comparison(),
            vehicle_comparison(),
            place_comparison(),
            roles_comparison(),
        ],
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
        "em_convergence": 0.001,
        "max_iterations": 25,
    }
