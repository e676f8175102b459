"""Normal forms of the fields a person mention carries: name, phone, postcode, address, vehicle.

Resolution compares normal forms, not what the officer typed: ``"07700 900123"``,
``"+44 (0)7700-900123"`` and ``"447700900123"`` are one phone; ``"12, Cooke St."``
and ``"12 Cooke Street"`` one address line. Every function here is pure and
total: a value that cannot be put in normal form is kept in a recognisable
raw form (never dropped), so that a merge or a flag built on it can still be
shown to the analyst.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from caselink.entities.nicknames import NICKNAMES, canonical_given_name

_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "rev", "master"})
_SUFFIXES = frozenset({"jr", "jnr", "sr", "snr", "ii", "iii", "iv"})
SURNAME_PARTICLES = frozenset(
    {
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "du",
        "la",
        "le",
        "st",
        "ter",
        "ten",
        # from nameparser's prefixes (measured in benchmarks/entities_libraries.py)
        "mac",
        "mc",
        "bin",
        "binti",
        "ibn",
        "dos",
        "das",
        "dal",
        "dei",
        "degli",
        "delle",
        "las",
        "los",
        "op",
        "vom",
        "zu",
        "vande",
        "vander",
    }
)
"""Words that open a multi-word surname (``van Geel``, ``de la Cruz``, ``Mac Donald``).

Read with the surname when they stand just before it and a given name is
left: ``"Tariq Mac Donald"`` is Tariq MacDonald, as nameparser reads it.
"""
_NON_LETTER = re.compile(r"[^a-z\s,]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class PersonName:
    """A parsed, normalised personal name.

    Attributes
    ----------
    first : str or None
        Given name, lower case letters only.
    surname : str or None
        Family name, lower case letters only (``"o'brien"`` -> ``"obrien"``).
    middle : str or None
        Any middle names, space separated.
    """

    first: str | None
    surname: str | None
    middle: str | None = None

    @property
    def first_canonical(self) -> str | None:
        """The given name through the nickname table (``"steve"`` -> ``"stephen"``)."""
        return canonical_given_name(self.first)

    @property
    def full(self) -> str | None:
        """``"first surname"``, or whichever part is known."""
        parts = [p for p in (self.first, self.surname) if p]
        return " ".join(parts) or None


def _fold(text: str) -> str:
    """Lower case, accents removed (``"Zoë"`` -> ``"zoe"``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def parse_name(raw: str | None) -> PersonName:
    """Parse a written name into given name, middle names and surname.

    ``"SMITH, Stephen John"`` (surname first, comma) and ``"Stephen John Smith"``
    both give first ``stephen``, middle ``john``, surname ``smith``. Titles and
    suffixes are removed; apostrophes and hyphens are closed up
    (``"O'Brien-Jones"`` -> ``"obrienjones"``). A single word is a given
    name when the nickname table holds it (``"Ben"``, a lone given name),
    else the surname (``"Smith"``, or any word written before a comma). A
    name written surname-first *without* a comma cannot be told
    apart here; the model's swapped-names level deals with it.

    Parameters
    ----------
    raw : str or None
        The name as recorded.

    Returns
    -------
    PersonName
        All parts ``None`` when ``raw`` is empty or has no letters.
    """
    if raw is None:
        return PersonName(None, None)
    text = _fold(raw).replace("'", "").replace("’", "").replace("-", "").replace(".", " ")
    text = _SPACES.sub(" ", _NON_LETTER.sub(" ", text)).strip()
    if not text.replace(",", "").strip():
        return PersonName(None, None)
    if "," in text:
        surname_part, _, given_part = text.partition(",")
        tokens = [*given_part.replace(",", " ").split(), *surname_part.split()]
        # everything before the comma is the surname, possibly several words
        n_surname = len(surname_part.split())
    else:
        tokens = text.split()
        n_surname = 1
    tokens = [t for t in tokens if t not in _TITLES and t not in _SUFFIXES]
    if not tokens:
        return PersonName(None, None)
    if len(tokens) == 1:
        if "," not in text and tokens[0] in NICKNAMES:
            # a lone given name ("Ben", "Sarah"): a name the nickname table holds
            return PersonName(tokens[0], None)
        return PersonName(None, tokens[0])
    # "Anna van Geel", "Pierre de la Cruz": a particle belongs to the surname after it
    while n_surname < len(tokens) - 1 and tokens[-n_surname - 1] in SURNAME_PARTICLES:
        n_surname += 1
    n_surname = min(n_surname, len(tokens) - 1)
    surname = "".join(tokens[-n_surname:])
    given = tokens[:-n_surname]
    middle = " ".join(given[1:]) or None
    return PersonName(given[0], surname, middle)


def _words(raw: str | None) -> list[str]:
    if raw is None:
        return []
    text = _fold(raw).replace("'", "").replace("’", "").replace("-", "").replace(".", " ")
    return [
        t
        for t in _SPACES.sub(" ", _NON_LETTER.sub(" ", text.replace(",", " "))).split()
        if t not in _TITLES and t not in _SUFFIXES
    ]


def parse_name_parts(given: str | None, surname: str | None) -> PersonName:
    """A name recorded in parts (people.csv ``given_name``, ``surname``).

    The first word of ``given`` is the given name, the rest middle names;
    every word of ``surname`` is the surname, closed up (``"van Geel"`` ->
    ``vangeel``, as :func:`parse_name` reads ``"Anna van Geel"``; a space
    typed inside a surname, ``"Trene rry"``, disappears the same way). A
    lone given name stays a given name, which :func:`parse_name` cannot
    know from a single ``name``.

    Examples
    --------
    >>> parse_name_parts("Anna Maria", "van Geel")
    PersonName(first='anna', surname='vangeel', middle='maria')
    >>> parse_name_parts("Ben", None)
    PersonName(first='ben', surname=None, middle=None)
    """
    given_words = _words(given)
    surname_words = _words(surname)
    return PersonName(
        given_words[0] if given_words else None,
        "".join(surname_words) or None,
        " ".join(given_words[1:]) or None,
    )


def normalise_phone(raw: str | None, default_country: str = "44") -> str | None:
    """A phone number in E.164 form (``+447700900123``).

    UK forms are recognised: national ``07700 900123``, international
    ``+44 7700 900123``, ``0044 ...``, ``44 ...`` and the ``(0)`` written after
    the country code. Other ``+``-prefixed numbers keep their country code. A
    number that fits none of these is returned as its digits prefixed with
    ``?`` so that it still matches itself but never a well-formed number.

    Parameters
    ----------
    raw : str or None
        The number as recorded.
    default_country : str
        Country calling code assumed for national numbers (digits only).

    Returns
    -------
    str or None
        ``None`` only when ``raw`` holds no digits at all.

    Examples
    --------
    >>> normalise_phone("07700 900123")
    '+447700900123'
    >>> normalise_phone("+44 (0)7700-900 123")
    '+447700900123'
    """
    if raw is None:
        return None
    text = raw.strip().replace("(0)", "")
    digits = re.sub(r"\D", "", text)
    if not digits:
        return None
    international = text.startswith("+")
    if not international and digits.startswith("00"):
        digits = digits[2:]
        international = True
    cc = default_country
    if international or (digits.startswith(cc) and len(digits) == len(cc) + 10):
        if digits.startswith(cc):
            national = digits[len(cc) :].lstrip("0")
            if len(national) in (9, 10):
                return f"+{cc}{national}"
            return f"?{digits}"
        return f"+{digits}" if 8 <= len(digits) <= 15 else f"?{digits}"
    if digits.startswith("0") and len(digits) in (10, 11):
        return f"+{cc}{digits[1:]}"
    if len(digits) == 10 and digits.startswith("7"):
        # a UK mobile written without its leading zero
        return f"+{cc}{digits}"
    return f"?{digits}"


_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def normalise_postcode(raw: str | None) -> str | None:
    """A UK postcode in upper case with one space before the inward code.

    ``"ig118aa"`` and ``" IG11  8AA"`` give ``"IG11 8AA"``. A value that is not
    shaped like a postcode is returned upper-cased without spaces (kept, not
    dropped).
    """
    if raw is None:
        return None
    compact = re.sub(r"[^A-Z0-9]", "", raw.upper())
    if not compact:
        return None
    match = _POSTCODE.match(compact)
    if match:
        return f"{match.group(1)} {match.group(2)}"
    return compact


_STREET_WORDS = {
    "st": "street",
    "str": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "dr": "drive",
    "ct": "court",
    "cl": "close",
    "cres": "crescent",
    "cresc": "crescent",
    "gdns": "gardens",
    "gdn": "gardens",
    "pl": "place",
    "cct": "circuit",
    "cir": "circle",
    "hwy": "highway",
    "pde": "parade",
    "esp": "esplanade",
    "pwy": "parkway",
    "sq": "square",
    "ter": "terrace",
    "terr": "terrace",
    "pk": "park",
    "hse": "house",
    "blvd": "boulevard",
    "wy": "way",
    "grn": "green",
    "gr": "grove",
    "mt": "mount",
    "est": "estate",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
}
_STREET_TYPES = frozenset(
    {
        "street",
        "road",
        "avenue",
        "lane",
        "drive",
        "court",
        "close",
        "crescent",
        "gardens",
        "place",
        "square",
        "terrace",
        "park",
        "boulevard",
        "way",
        "green",
        "grove",
        "mount",
        "estate",
        "walk",
        "row",
        "hill",
        "rise",
        "mews",
        "parade",
        "vale",
        "view",
        "yard",
        "gate",
        "wharf",
        "quay",
        "circuit",
        "circle",
        "highway",
        "parkway",
        "esplanade",
        "promenade",
        "chase",
    }
)
_FUZZY_STREET_TYPES = tuple(sorted(t for t in _STREET_TYPES if len(t) >= 5))
"""Street types long enough to be recognised with a slip ("srteet", "crcuit", "lpace")."""


@lru_cache(maxsize=1 << 14)
def _street_type(word: str) -> str | None:
    """The street type ``word`` is, allowing one slip in types of five letters or more."""
    if word in _STREET_TYPES:
        return word
    if len(word) < 4:
        return None
    for kind in _FUZZY_STREET_TYPES:
        if abs(len(kind) - len(word)) <= 1 and DamerauLevenshtein.distance(word, kind) <= 1:
            return kind
    return None


_FLAT = re.compile(r"\b(?:flat|apartment|apt|unit|room|rm)\s*([0-9]+[a-z]?)\b")
_NUMBER = re.compile(r"\b([0-9]+[a-z]?)\b")
_POSTCODE_IN_TEXT = re.compile(r"\b[a-z]{1,2}[0-9][a-z0-9]?\s*[0-9][a-z]{2}\b")


@dataclass(frozen=True)
class AddressParts:
    """A normalised address line.

    Attributes
    ----------
    flat : str or None
        Flat, apartment or unit number.
    number : str or None
        House number (``"12"``, ``"12a"``).
    street : str or None
        Street and locality words, abbreviations expanded (``"cooke street"``).
    """

    flat: str | None
    number: str | None
    street: str | None

    @property
    def line(self) -> str | None:
        """``"flat 3 12 cooke street"``: the comparable address line."""
        parts = []
        if self.flat:
            parts.append(f"flat {self.flat}")
        if self.number:
            parts.append(self.number)
        if self.street:
            parts.append(self.street)
        return " ".join(parts) or None


def parse_address(raw: str | None) -> AddressParts:
    """Split an address line into flat, house number and street, normalised.

    The postcode, if written into the line, is removed (it is compared as
    its own field). Street-type abbreviations are expanded (``St`` ->
    ``street``, ``Rd`` -> ``road``).

    Examples
    --------
    >>> parse_address("Flat 3, 12 Cooke St., Barking IG11 7AA").line
    'flat 3 12 cooke street'
    """
    if raw is None:
        return AddressParts(None, None, None)
    text = _fold(raw)
    text = _POSTCODE_IN_TEXT.sub(" ", text)
    text = re.sub(r"[^a-z0-9\s]", " ", text)
    text = _SPACES.sub(" ", text).strip()
    flat_match = _FLAT.search(text)
    flat = flat_match.group(1) if flat_match else None
    if flat_match:
        text = (text[: flat_match.start()] + " " + text[flat_match.end() :]).strip()
    number_match = _NUMBER.search(text)
    number = number_match.group(1) if number_match else None
    if number_match:
        text = (text[: number_match.start()] + " " + text[number_match.end() :]).strip()
    words = [_STREET_WORDS.get(w, w) for w in text.split()]
    # keep the street up to its street-type word (a slip in it allowed, and
    # corrected): the locality after it ("..., Barking") is written on some
    # records and not others, and the postcode already places the street
    for i, word in enumerate(words):
        kind = _street_type(word) if i > 0 else None
        if kind is not None:
            words = [*words[:i], kind]
            break
    street = " ".join(words) or None
    return AddressParts(flat, number, street)


def address_key(address: str | None, postcode: str | None) -> str | None:
    """The exact key one address resolves on: ``"flat 3 12 cooke street|IG11 7AA"``.

    ``None`` when neither a house number nor a street is known, because a
    postcode alone covers about fifteen addresses and would merge neighbours.
    """
    parts = parse_address(address)
    if parts.number is None and parts.street is None:
        return None
    return f"{parts.line}|{normalise_postcode(postcode) or ''}"


def normalise_vehicle(raw: str | None) -> str | None:
    """A vehicle registration as upper-case letters and digits (``"AB12 CDE"`` -> ``"AB12CDE"``)."""
    if raw is None:
        return None
    compact = re.sub(r"[^A-Z0-9]", "", _fold(raw).upper())
    return compact or None
