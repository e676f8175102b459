"""Design B's people: kin who look alike (twins, fathers and sons) and names written
with the noise of real police records.

True identities
    Given name, optional middle name and surname; surnames include multi-word
    ones ("van Geel", "de la Cruz"); some people have a second surname they are
    also recorded under (marriage, alias: ``ALIAS_SHARE``), with the same
    given name, dob and address.

Kin (different persons in the truth, ``truth_people.kin_of``)
    * twins: same surname, same dob, same address, different given names;
    * father and son: same address and surname, the son's given name the
      father's in ``SAME_NAME_SON`` of pairs (then only dob tells them
      apart), dobs 25-35 years apart.

Recorded names (per mention, ``NAME_RATES``)
    nicknames, "Surname Given" and "SURNAME, Given" order, the alias surname,
    a space typed inside a word ("trene rry"), a lone given name, initials,
    middle names written or not, particles of multi-word surnames dropped,
    joined or lower-cased, typos and transpositions, upper and lower case.
"""

from __future__ import annotations

import random
from typing import Final

import numpy as np

from caselink.synth.population import FEMALE_FIRST, MALE_FIRST, NICKNAMES, SURNAMES
from caselink.synth.recording import transpose, typo

MULTI_WORD_SURNAMES: Final[tuple[str, ...]] = (
    "van Geel", "de la Cruz", "van der Berg", "da Silva", "de Souza", "El Amrani",
    "ter Horst", "Mac Donald", "St John", "de Vries", "Abu Bakr", "dos Santos",
    "van Dijk", "Le Roux", "Ben Ali", "del Rio", "Al Hassan", "O'Neill-Brown",
)  # fmt: skip
MULTI_WORD_SHARE: Final[float] = 0.08
ALIAS_SHARE: Final[dict[str, float]] = {"F": 0.10, "M": 0.03}
"""Share of persons (by sex) who also go by a second surname."""
MIDDLE_NAME_SHARE: Final[float] = 0.35
SAME_NAME_SON: Final[float] = 0.5

NAME_RATES: Final[dict[str, float]] = {
    "missing": 0.03,
    "nickname": 0.15,
    "alias_surname": 0.45,  # of mentions of a person with an alias
    "middle_written": 0.3,  # of mentions of a person with a middle name
    "lone_given": 0.03,
    "surname_given": 0.07,  # "Smith John"
    "comma": 0.05,  # "SMITH, John"
    "initial": 0.05,  # "J. Smith", "J Smith"
    "space_inside": 0.025,  # "trene rry"
    "particle_variant": 0.5,  # of multi-word surnames: dropped, joined or lower-cased
    "typo": 0.08,
    "transposition": 0.03,
    "upper": 0.08,
    "lower": 0.05,
}
"""Per-mention name noise rates of design B."""


def _zipf_pick(rng: np.random.Generator, names: tuple[str, ...], n: int, s: float) -> np.ndarray:
    w = np.arange(1, len(names) + 1, dtype=np.float64) ** -s
    return np.asarray(
        np.asarray(names, dtype=object)[rng.choice(len(names), size=n, p=w / w.sum())],
        dtype=object,
    )


def draw_given(rng: np.random.Generator, male: np.ndarray) -> np.ndarray:
    """Given names by sex (Zipf exponent 0.8: a few very common names)."""
    out = np.empty(len(male), dtype=object)
    for names, rows in ((MALE_FIRST, np.flatnonzero(male)), (FEMALE_FIRST, np.flatnonzero(~male))):
        out[rows] = _zipf_pick(rng, names, len(rows), 0.8)
    return out


def draw_surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    """Surnames: the shared list (Zipf 0.7) with ``MULTI_WORD_SHARE`` multi-word ones."""
    out = _zipf_pick(rng, SURNAMES, n, 0.7)
    multi = np.flatnonzero(rng.random(n) < MULTI_WORD_SHARE)
    out[multi] = _zipf_pick(rng, MULTI_WORD_SURNAMES, len(multi), 0.5)
    return out


def draw_middle(rng: np.random.Generator, male: np.ndarray) -> np.ndarray:
    """Middle names (None for most people)."""
    middle = draw_given(rng, male)
    middle[rng.random(len(male)) >= MIDDLE_NAME_SHARE] = None
    return middle


def draw_aliases(rng: np.random.Generator, sex: np.ndarray) -> np.ndarray:
    """A second surname per person (None for most)."""
    n = len(sex)
    p = np.where(sex == "F", ALIAS_SHARE["F"], ALIAS_SHARE["M"])
    alias = draw_surnames(rng, n)
    alias[rng.random(n) >= p] = None
    return alias


def _space_inside(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(2, len(word) - 1)
    return word[:i] + " " + word[i:]


def _particle_variant(surname: str, rng: random.Random) -> str:
    parts = surname.split(" ")
    if len(parts) < 2:
        return surname
    kind = rng.randrange(3)
    if kind == 0:
        return parts[-1]  # particle dropped: "Cruz"
    if kind == 1:
        return "".join(p[:1].upper() + p[1:] for p in parts)  # joined: "VanGeel"
    return surname.lower()  # "van geel"


def record_names_b(
    rng: np.random.Generator,
    given: np.ndarray,
    middle: np.ndarray,
    surname: np.ndarray,
    alias: np.ndarray,
) -> np.ndarray:
    """Names as written in mentions of design B (object array, None when missing)."""
    n = len(given)
    py = random.Random(int(rng.integers(2**62)))
    u = rng.random((n, 14))
    r = NAME_RATES
    out = np.empty(n, dtype=object)
    edges = np.cumsum([r["lone_given"], r["surname_given"], r["comma"], r["initial"]])
    for i in range(n):
        first = str(given[i])
        last = str(surname[i])
        if alias[i] is not None and u[i, 0] < r["alias_surname"]:
            last = str(alias[i])
        if u[i, 1] < r["nickname"] and first in NICKNAMES:
            options = NICKNAMES[first]
            first = options[py.randrange(len(options))]
        if " " in last and u[i, 2] < r["particle_variant"]:
            last = _particle_variant(last, py)
        if u[i, 3] < r["typo"]:
            if py.random() < 0.6:
                last = typo(last, py)
            else:
                first = typo(first, py)
        if u[i, 4] < r["transposition"]:
            last = transpose(last, py)
        if u[i, 5] < r["space_inside"]:
            if py.random() < 0.5:
                first = _space_inside(first, py)
            else:
                last = _space_inside(last, py)
        given_part = first
        if middle[i] is not None and u[i, 6] < r["middle_written"]:
            given_part = f"{first} {middle[i]}"
        style = u[i, 7]
        if style < edges[0]:
            name = first
        elif style < edges[1]:
            name = f"{last} {given_part}"
        elif style < edges[2]:
            name = f"{last.upper()}, {given_part}"
        elif style < edges[3]:
            initials = first[0] + ("." if py.random() < 0.5 else "")
            if middle[i] is not None and py.random() < 0.5:
                initials = f"{first[0]}.{middle[i][0]}."
            name = f"{initials} {last}"
        else:
            name = f"{given_part} {last}"
        if u[i, 8] < r["upper"]:
            name = name.upper()
        elif u[i, 9] < r["lower"]:
            name = name.lower()
        out[i] = None if u[i, 10] < r["missing"] else name
    return out
