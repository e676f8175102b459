"""The people of the synthetic city: names, dates of birth, addresses, phones and vehicles.

These are the *true* identities; :mod:`caselink.synth.recording` adds the
noise with which each mention of a person is written down.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from caselink.synth.geography import Area

MALE_FIRST: Final[tuple[str, ...]] = (
    "James", "John", "David", "Michael", "Daniel", "Stephen", "Christopher", "Mark",
    "Paul", "Andrew", "Thomas", "Robert", "William", "Richard", "Anthony", "Joseph",
    "Matthew", "Peter", "Edward", "Nicholas", "Alexander", "Benjamin", "Samuel",
    "Jonathan", "Patrick", "Kenneth", "Raymond", "Terence", "Gregory", "Timothy",
    "Philip", "Ryan", "Liam", "Connor", "Jack", "Harry", "Lewis", "Kieran", "Dean",
    "Wayne", "Lee", "Craig", "Gary", "Mohammed", "Ahmed", "Imran", "Tariq", "Arjun",
    "Rahul", "Sanjay", "Oluwaseun", "Adebayo", "Chinedu", "Kwame", "Kofi", "Emeka",
    "Tomasz", "Krzysztof", "Piotr", "Andrei", "Mihai", "Darius", "Mehmet", "Emre",
    "Luis", "Carlos", "Joao", "Nathan", "Aaron", "Jamal", "Tyrone", "Marcus",
    "Gareth", "Colin", "Keith", "Trevor", "Abdul", "Yusuf", "Hamza", "Ibrahim",
)  # fmt: skip
FEMALE_FIRST: Final[tuple[str, ...]] = (
    "Elizabeth", "Margaret", "Katherine", "Jennifer", "Rebecca", "Victoria", "Susan",
    "Patricia", "Deborah", "Samantha", "Jessica", "Alexandra", "Christine", "Barbara",
    "Josephine", "Abigail", "Natalie", "Joanne", "Nicola", "Sarah", "Emma", "Sophie",
    "Olivia", "Grace", "Chloe", "Lauren", "Gemma", "Kerry", "Tracey", "Sharon",
    "Karen", "Lisa", "Michelle", "Amy", "Hannah", "Charlotte", "Megan", "Jade",
    "Chantelle", "Fatima", "Aisha", "Amina", "Zainab", "Nadia", "Priya", "Sunita",
    "Anjali", "Shabnam", "Olufunmilayo", "Ngozi", "Abena", "Adwoa", "Chiamaka",
    "Agnieszka", "Katarzyna", "Magdalena", "Ioana", "Elena", "Ana", "Mariana",
    "Ayse", "Elif", "Maria", "Beatriz", "Denise", "Pauline", "Janet", "Linda",
    "Hayley", "Leanne", "Stacey", "Kelly", "Yasmin", "Ruth", "Hollie", "Bethany",
)  # fmt: skip
SURNAMES: Final[tuple[str, ...]] = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Patel", "Khan", "Ahmed", "Hussain", "Ali", "Begum", "Singh", "Kaur", "Shah",
    "Islam", "Rahman", "Miah", "Okafor", "Adeyemi", "Mensah", "Owusu", "Boateng",
    "Okoro", "Adebayo", "Nwosu", "Kowalski", "Nowak", "Wisniewski", "Popescu",
    "Ionescu", "Kaya", "Yilmaz", "O'Brien", "Murphy", "Kelly", "Walsh", "Evans",
    "Thomas", "Roberts", "Hughes", "Green", "Lewis", "Wood", "Harris", "Martin",
    "Jackson", "Clarke", "White", "Thompson", "Hall", "Baker", "Wright", "Hill",
    "King", "Moore", "Cooper", "Ward", "Morris", "Turner", "Edwards", "Collins",
    "Stewart", "Campbell", "Bell", "Watson", "Mitchell", "Phillips", "Parker",
    "Bennett", "Carter", "Hunt", "Mason", "Price", "Gray", "Pearce", "Fletcher",
    "Barker", "Palmer", "Chapman", "Webb", "Rose", "Russell", "Lloyd", "Dixon",
    "Burton", "Ellis", "Kennedy", "Reid", "Fox", "Stone", "Marshall", "Simpson",
    "Francis", "Lawrence", "Gordon", "Hayes", "Sutton", "Read", "Gill", "Chowdhury",
    "Uddin", "Akhtar", "Mahmood", "Iqbal", "Nguyen", "Tran", "Chen", "Wong",
    "Santos", "Silva", "Ferreira", "Costa", "Oliveira", "Mendes", "Hassan",
    "Mohamed", "Abdi", "Osman", "Farah", "Kamara", "Sesay", "Bangura", "Grant",
    "Richards", "Matthews", "Holmes", "Knight", "Lane", "Shaw", "Armstrong",
    "Dawson", "Hart", "Cole", "Saunders", "Lambert", "Harvey", "Gibson", "Barnes",
    "Whitfield", "Ashworth", "Pemberton", "Okonkwo", "Achterberg", "Dragomir",
)  # fmt: skip

NICKNAMES: Final[dict[str, tuple[str, ...]]] = {
    "Stephen": ("Steve", "Steven", "Stevie"),
    "Michael": ("Mike", "Mick", "Micky"),
    "William": ("Will", "Bill", "Billy"),
    "Robert": ("Rob", "Bob", "Bobby"),
    "James": ("Jim", "Jimmy", "Jamie"),
    "Thomas": ("Tom", "Tommy"),
    "Christopher": ("Chris",),
    "Daniel": ("Dan", "Danny"),
    "Anthony": ("Tony", "Ant"),
    "Richard": ("Rich", "Rick", "Richie"),
    "Joseph": ("Joe", "Joey"),
    "Edward": ("Ed", "Eddie", "Ted"),
    "Andrew": ("Andy", "Drew"),
    "Matthew": ("Matt",),
    "Nicholas": ("Nick", "Nicky"),
    "Alexander": ("Alex", "Sasha"),
    "Benjamin": ("Ben", "Benny"),
    "Samuel": ("Sam", "Sammy"),
    "Jonathan": ("Jon", "Jonny"),
    "Peter": ("Pete",),
    "David": ("Dave", "Davey"),
    "Patrick": ("Pat", "Paddy"),
    "Kenneth": ("Ken", "Kenny"),
    "Raymond": ("Ray",),
    "Terence": ("Terry", "Tel"),
    "Gregory": ("Greg",),
    "Timothy": ("Tim",),
    "Philip": ("Phil",),
    "Gareth": ("Gaz",),
    "Mohammed": ("Mohammad", "Muhammad", "Mo"),
    "Oluwaseun": ("Seun",),
    "Adebayo": ("Bayo",),
    "Krzysztof": ("Kris", "Krzys"),
    "Tomasz": ("Tomek", "Tom"),
    "Mark": ("Marc",),
    "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Margaret": ("Maggie", "Peggy", "Maggie"),
    "Katherine": ("Kate", "Kathy", "Katie", "Catherine"),
    "Jennifer": ("Jen", "Jenny"),
    "Rebecca": ("Becky", "Becca"),
    "Victoria": ("Vicky", "Tori"),
    "Susan": ("Sue", "Suzy"),
    "Patricia": ("Pat", "Trish"),
    "Deborah": ("Debbie", "Debs"),
    "Samantha": ("Sam", "Sammy"),
    "Jessica": ("Jess",),
    "Alexandra": ("Alex", "Lexi"),
    "Christine": ("Chris", "Chrissie"),
    "Barbara": ("Babs", "Barbra"),
    "Josephine": ("Jo", "Josie"),
    "Abigail": ("Abi", "Abbie"),
    "Natalie": ("Nat",),
    "Joanne": ("Jo", "Joanna"),
    "Nicola": ("Nicky", "Nikki"),
    "Olufunmilayo": ("Funmi",),
    "Agnieszka": ("Aga",),
    "Katarzyna": ("Kasia",),
    "Sarah": ("Sara",),
    "Hayley": ("Haley",),
}
"""Formal first names and the variants they are recorded under (nicknames, spellings)."""

STREET_STEMS: Final[tuple[str, ...]] = (
    "Church", "Station", "High", "Mill", "Park", "London", "Victoria", "Albert",
    "Queens", "Kings", "Ripple", "Longbridge", "Upney", "Gascoigne", "Abbey",
    "North", "Cambridge", "Oxford", "Essex", "Hertford", "Ilford", "Cooke", "Axe",
    "Wakering", "Sterry", "Porters", "Becontree", "Valence", "Parsloes", "Bennetts",
    "Tanner", "Linton", "Movers", "Lodge", "Gale", "Whalebone", "Chadwell",
    "Ballards", "Heathway", "Bull", "Rush", "Green", "Manor", "Orchard", "Meadow",
    "Elm", "Oak", "Ash", "Beech", "Cedar", "Willow", "Maple", "Chestnut",
    "Sycamore", "Holly", "Laurel", "Hawthorn", "Rowan", "Birch", "Poplar",
    "Alder", "Hazel", "Grange", "Farm", "School", "Water", "Bridge", "River",
    "Canal", "Dock", "Wharf", "Gordon", "Sheppey", "Morley", "Faircross",
    "Thornhill", "Westrow", "Glenny", "Hulse", "Greatfields", "Ripon",
    "Cavendish", "Salisbury", "Marlborough", "Stanley", "Gladstone", "Nelson",
    "Wellington", "Tudor", "Windsor", "Clarence", "Beaconsfield", "Richmond",
)  # fmt: skip
STREET_KINDS: Final[tuple[str, ...]] = (
    "Road", "Street", "Avenue", "Lane", "Close", "Gardens", "Way", "Crescent",
    "Grove", "Drive", "Place", "Terrace", "Court", "Square", "Walk", "Mews", "Parade",
)  # fmt: skip
STREET_KIND_ABBREVIATIONS: Final[dict[str, str]] = {
    "Road": "Rd",
    "Street": "St",
    "Avenue": "Ave",
    "Lane": "Ln",
    "Close": "Cl",
    "Gardens": "Gdns",
    "Crescent": "Cres",
    "Grove": "Gr",
    "Drive": "Dr",
    "Place": "Pl",
    "Terrace": "Terr",
    "Court": "Ct",
    "Square": "Sq",
    "Parade": "Pde",
}
OUTWARD_AREAS: Final[tuple[str, ...]] = ("IG", "RM", "E", "N", "SE", "EN", "DA", "CR", "HA", "UB")
INWARD_LETTERS: Final[str] = "ABDEFGHJLNPQRSTUWXY"
PLATE_LETTERS: Final[str] = "ABCDEFGHJKLMNOPRSTUVWXY"
PLATE_AGE_IDS: Final[tuple[str, ...]] = (
    "51", "02", "52", "03", "53", "04", "54", "05", "55", "06", "56", "07", "57",
    "08", "58", "09", "59", "10", "60", "11", "61", "12", "62", "13", "63", "14",
    "64", "15", "65", "16",
)  # fmt: skip

STREET_CELL_KM: Final[float] = 0.25
POSTCODE_UNIT_KM: Final[float] = 0.12
POSTCODE_DISTRICT_KM: Final[float] = 2.5
POSTCODE_AREA_KM: Final[float] = 12.0


def _cell(v: np.ndarray, size: float) -> np.ndarray:
    return np.floor(v / size).astype(np.int64)


def _mix(*parts: np.ndarray) -> np.ndarray:
    """A deterministic integer hash of integer arrays (for street/postcode names by place)."""
    h = np.full(parts[0].shape, 1469598103934665603, dtype=np.uint64)
    for p in parts:
        h = (h ^ p.astype(np.int64).astype(np.uint64)) * np.uint64(1099511628211)
        h = h ^ (h >> np.uint64(29))
    return np.asarray((h >> np.uint64(3)).astype(np.int64), dtype=np.int64)


def _letters(codes: np.ndarray, alphabet: str) -> np.ndarray:
    table = np.array(list(alphabet), dtype=object)
    return np.asarray(table[codes % len(alphabet)], dtype=object)


def _digits(values: np.ndarray) -> np.ndarray:
    return np.asarray(values.astype(np.int64).astype(str).astype(object), dtype=object)


def draw_addresses(
    rng: np.random.Generator, area: Area, x_km: np.ndarray, y_km: np.ndarray
) -> pd.DataFrame:
    """Addresses at given points: house number, street (by place), postcode, WGS84 location.

    Streets and postcodes are functions of the place (a street per ~250 m cell,
    a postcode unit per ~120 m cell, a district per 2.5 km), so neighbours share
    streets and postcodes as they do in a real city.

    Returns
    -------
    pandas.DataFrame
        Columns ``house_number`` (str), ``street``, ``street_stem``,
        ``street_kind``, ``postcode``, ``address`` (``"12 Church Road"``),
        ``lat``, ``lon``.
    """
    n = len(x_km)
    cx, cy = _cell(x_km, STREET_CELL_KM), _cell(y_km, STREET_CELL_KM)
    k = rng.integers(0, 3, n)
    street_code = _mix(cx, cy, k)
    stem = np.asarray(STREET_STEMS, dtype=object)[street_code % len(STREET_STEMS)]
    kind = np.asarray(STREET_KINDS, dtype=object)[(street_code // 97) % len(STREET_KINDS)]
    number = np.minimum(1 + rng.geometric(1.0 / 40.0, n), 320)
    flat = rng.random(n) < 0.18
    house = _digits(number)
    house[flat] = "Flat " + _digits(rng.integers(1, 40, int(flat.sum()))) + ", " + house[flat]
    # postcode area letters per ~12 km zone, district number per 2.5 km zone
    ax, ay = _cell(x_km + 6.0, POSTCODE_AREA_KM), _cell(y_km + 6.0, POSTCODE_AREA_KM)
    dx, dy = _cell(x_km, POSTCODE_DISTRICT_KM), _cell(y_km, POSTCODE_DISTRICT_KM)
    district = _mix(dx, dy)
    letters = np.asarray(OUTWARD_AREAS, dtype=object)[_mix(ax, ay) % len(OUTWARD_AREAS)]
    outward = letters + _digits(1 + district % 20)
    ux, uy = _cell(x_km, POSTCODE_UNIT_KM), _cell(y_km, POSTCODE_UNIT_KM)
    unit = _mix(ux, uy, np.full(n, 7))
    inward = (
        _digits(unit % 10)
        + _letters(unit // 10, INWARD_LETTERS)
        + _letters(unit // 1000, INWARD_LETTERS)
    )
    lat, lon = area.to_latlon(x_km, y_km)
    street = stem + " " + kind
    return pd.DataFrame(
        {
            "house_number": pd.Series(house, dtype=object),
            "street": pd.Series(street, dtype=object),
            "street_stem": pd.Series(stem, dtype=object),
            "street_kind": pd.Series(kind, dtype=object),
            "postcode": pd.Series(outward + " " + inward, dtype=object),
            "address": pd.Series(house + " " + street, dtype=object),
            "lat": lat,
            "lon": lon,
        }
    )


def draw_names(
    rng: np.random.Generator, male: np.ndarray, surname: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """First and last names; first names by sex, Zipf-like frequencies."""
    n = len(male)
    first = np.empty(n, dtype=object)
    for names, rows in ((MALE_FIRST, np.flatnonzero(male)), (FEMALE_FIRST, np.flatnonzero(~male))):
        w = np.arange(1, len(names) + 1, dtype=np.float64) ** -0.6
        first[rows] = np.asarray(names, dtype=object)[
            rng.choice(len(names), size=len(rows), p=w / w.sum())
        ]
    if surname is None:
        w = np.arange(1, len(SURNAMES) + 1, dtype=np.float64) ** -0.5
        surname = np.asarray(SURNAMES, dtype=object)[
            rng.choice(len(SURNAMES), size=n, p=w / w.sum())
        ]
    return first, surname


def draw_phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """Canonical UK mobile numbers, ``07`` + 9 digits."""
    number = rng.integers(400_000_000, 1_000_000_000, n)
    return np.asarray("07" + _digits(number), dtype=object)


def draw_plates(rng: np.random.Generator, n: int) -> np.ndarray:
    """UK-style registrations (``LD64 XKP``): area letters, age identifier, random letters."""
    letters = rng.integers(0, len(PLATE_LETTERS), (n, 5))
    age = np.asarray(PLATE_AGE_IDS, dtype=object)[rng.integers(0, len(PLATE_AGE_IDS), n)]
    out = _letters(letters[:, 0], PLATE_LETTERS) + _letters(letters[:, 1], PLATE_LETTERS)
    out = out + age + " "
    for j in range(2, 5):
        out = out + _letters(letters[:, j], PLATE_LETTERS)
    return np.asarray(out, dtype=object)


def draw_dobs(rng: np.random.Generator, age_at: np.datetime64, age_years: np.ndarray) -> np.ndarray:
    """Dates of birth making each person ``age_years`` (fractional part random) at ``age_at``."""
    days = (age_years + rng.random(len(age_years))) * 365.25
    return np.asarray(
        (age_at.astype("datetime64[D]") - days.astype(np.int64)).astype("datetime64[D]")
    )
