"""What design B's city records: its own MO vocabulary, synonyms, blanks and case-type mix.

Design B (:mod:`caselink.synth.design_b`) is a second, independently written
generator: its attributes, value counts and Zipf exponents differ from design
A's (:mod:`caselink.synth.catalogue`) so that a method tuned on one can be
measured on the other. It keeps what the rest of caselink relies on as a
standard: the nine case types, the victim groups, and the two attributes the
shipped assurance standard conditions on (``note_found`` and ``drugs``; their
values in B are a different vocabulary written with synonyms).

Recording is sparse and inconsistent: a field that applies to a case is left
blank with probability ``BLANK_SHARE`` (0.30), and a recorded value is written
as one of its surface forms (``SYNONYMS``: "rear door" / "back door",
"knife" / "bladed article"), the first form most often.
"""

from __future__ import annotations

from typing import Final

from caselink.records.model import AttributeKind, AttributeSchema, AttributeSpec
from caselink.synth.catalogue import CASE_TYPES

CASE_TYPE_SHARE_B: Final[dict[str, float]] = {
    "theft": 0.22,
    "violence": 0.27,
    "burglary": 0.11,
    "criminal_damage": 0.16,
    "robbery": 0.085,
    "sexual_offence": 0.055,
    "drugging": 0.015,
    "drug_related_death": 0.05,
    "unexplained_death": 0.035,
}
"""Share of each case type (a more violent, less acquisitive mix than design A)."""

VICTIM_GROUP_SHARE_B: Final[tuple[float, ...]] = (0.80, 0.04, 0.07, 0.04, 0.05)
"""Shares of ``catalogue.VICTIM_GROUPS`` (general, lgbt, homeless, sex_worker, migrant)."""

BLANK_SHARE: Final[float] = 0.30
"""Probability that an MO field that applies to a case is left blank."""

PRIMARY_FORM_SHARE: Final[float] = 0.6
"""Probability that a recorded value is written in its first (most usual) surface form."""

# Canonical values, most common first within the default ordering; the surface
# forms of each value are in SYNONYMS (a value absent there has one form: itself).
PREMISES: Final[tuple[str, ...]] = (
    "flat", "house", "pavement", "convenience store", "licensed premises", "bus",
    "train station", "car park", "supermarket", "alleyway", "open space", "hostel",
    "takeaway", "bedsit", "petrol station", "betting shop", "underpass", "care home",
    "garden", "shed", "construction site", "canal path", "church grounds", "gym",
    "taxi", "student halls", "warehouse", "playground",
)  # fmt: skip
POINT_OF_ENTRY: Final[tuple[str, ...]] = (
    "rear door", "front door", "rear window", "side gate", "patio doors",
    "open window", "skylight", "garage door", "cat flap",
)  # fmt: skip
WEAPON_USED: Final[tuple[str, ...]] = (
    "fist", "knife", "kick", "bottle", "bat", "screwdriver", "hammer", "firearm",
    "corrosive", "syringe", "stone", "vehicle", "dog", "ligature", "pepper spray",
)  # fmt: skip
APPROACH: Final[tuple[str, ...]] = (
    "blitz", "surprise", "con", "befriended", "opportunist", "forced", "followed",
)  # fmt: skip
DISGUISE: Final[tuple[str, ...]] = ("none", "hood", "balaclava", "cap", "scarf")
DISCOVERY: Final[tuple[str, ...]] = (
    "on floor", "in bed", "seated", "slumped", "outdoors", "in bathroom", "in vehicle",
)  # fmt: skip
DRUGS_B: Final[tuple[str, ...]] = (
    "alcohol", "cocaine", "heroin", "spice", "ghb", "ketamine", "diazepam",
    "pregabalin", "fentanyl", "cannabis",
)  # fmt: skip
ITEMS_STOLEN: Final[tuple[str, ...]] = (
    "mobile phone", "cash", "bank card", "handbag", "laptop", "jewellery",
    "bicycle", "car keys", "vehicle", "tablet", "headphones", "passport",
    "designer clothing", "power tools", "perfume", "alcohol stock", "catalytic converter",
    "number plates", "medication", "games console", "watch",
)  # fmt: skip
NOTE_VALUES: Final[tuple[str, ...]] = ("no", "yes")

SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    # premises
    "flat": ("flat", "apartment", "maisonette"),
    "house": ("house", "dwelling", "residential address"),
    "pavement": ("pavement", "footpath", "street"),
    "convenience store": ("convenience store", "corner shop", "newsagent"),
    "licensed premises": ("licensed premises", "pub", "bar"),
    "train station": ("train station", "railway station"),
    "car park": ("car park", "multi-storey"),
    "alleyway": ("alleyway", "alley", "passageway"),
    "open space": ("open space", "park", "common"),
    "takeaway": ("takeaway", "fast food outlet"),
    "canal path": ("canal path", "towpath"),
    "church grounds": ("church grounds", "churchyard"),
    # entry
    "rear door": ("rear door", "back door"),
    "rear window": ("rear window", "back window"),
    "patio doors": ("patio doors", "french doors"),
    "open window": ("open window", "insecure window"),
    "garage door": ("garage door", "up-and-over door"),
    # weapons
    "fist": ("fist", "punch", "hands"),
    "knife": ("knife", "bladed article", "blade"),
    "kick": ("kick", "feet"),
    "bottle": ("bottle", "glass bottle"),
    "bat": ("bat", "baseball bat", "blunt object"),
    "firearm": ("firearm", "handgun", "gun"),
    "corrosive": ("corrosive", "acid", "noxious liquid"),
    "syringe": ("syringe", "needle"),
    # approach, disguise, discovery
    "con": ("con", "deception", "distraction"),
    "befriended": ("befriended", "gained trust"),
    "blitz": ("blitz", "sudden attack"),
    "hood": ("hood", "hooded top", "hoodie"),
    "balaclava": ("balaclava", "mask"),
    "on floor": ("on floor", "lying on floor", "on the floor"),
    "outdoors": ("outdoors", "outside", "in open air"),
    "slumped": ("slumped", "collapsed"),
    # drugs
    "alcohol": ("alcohol", "drink", "intoxicated"),
    "cocaine": ("cocaine", "coke", "crack cocaine"),
    "heroin": ("heroin", "diamorphine", "opiates"),
    "spice": ("spice", "synthetic cannabinoid"),
    "ghb": ("ghb", "gbl", "g"),
    "diazepam": ("diazepam", "benzodiazepine", "valium"),
    "fentanyl": ("fentanyl", "synthetic opioid"),
    # property
    "mobile phone": ("mobile phone", "phone", "handset"),
    "bank card": ("bank card", "debit card", "credit card"),
    "handbag": ("handbag", "bag"),
    "laptop": ("laptop", "notebook computer"),
    "bicycle": ("bicycle", "pedal cycle", "bike"),
    "vehicle": ("vehicle", "car"),
    "tablet": ("tablet", "ipad"),
}
"""Surface forms of canonical values (first = most usual)."""

CATEGORICAL_B: Final[dict[str, tuple[str, ...]]] = {
    "premises": PREMISES,
    "point_of_entry": POINT_OF_ENTRY,
    "weapon_used": WEAPON_USED,
    "approach": APPROACH,
    "disguise": DISGUISE,
    "discovery": DISCOVERY,
}
MULTI_B: Final[dict[str, tuple[str, ...]]] = {"drugs": DRUGS_B, "items_stolen": ITEMS_STOLEN}

ZIPF_B: Final[dict[str, float]] = {
    "premises": 0.9,
    "point_of_entry": 1.8,
    "weapon_used": 1.1,
    "approach": 0.7,
    "disguise": 1.5,
    "discovery": 1.0,
    "drugs": 1.6,
    "items_stolen": 0.8,
}
"""Zipf exponent per attribute (design A uses 1.3 for every attribute)."""

_VIOLENT = ("violence", "robbery", "sexual_offence")
APPLIES: Final[dict[str, dict[str, float]]] = {
    "premises": dict.fromkeys(CASE_TYPES, 1.0),
    "point_of_entry": {"burglary": 1.0},
    "weapon_used": {"violence": 1.0, "robbery": 0.7, "sexual_offence": 0.4, "drugging": 0.2},
    "approach": {
        **dict.fromkeys(_VIOLENT, 1.0),
        "drugging": 1.0,
        "theft": 0.5,
        "burglary": 0.3,
    },
    "disguise": {"robbery": 1.0, "burglary": 0.5, "sexual_offence": 0.5, "violence": 0.3},
    "discovery": {"drug_related_death": 1.0, "unexplained_death": 1.0},
    "drugs": {
        "drugging": 1.0,
        "drug_related_death": 1.0,
        "unexplained_death": 0.6,
        "sexual_offence": 0.4,
        "violence": 0.3,
        "robbery": 0.1,
        "criminal_damage": 0.1,
    },
    "items_stolen": {"theft": 1.0, "burglary": 1.0, "robbery": 1.0, "drugging": 0.3},
    "note_found": {"drug_related_death": 1.0, "unexplained_death": 1.0},
}
"""Probability that an attribute's fact exists for a case of a type (absent types: never).

Of the facts that exist, ``BLANK_SHARE`` are not recorded. Where the
probability is 1.0 the field applies to every case of the type: the blank
share of those fields is the recording's sparseness.
"""

MULTI_EXTRA_B: Final[dict[str, float]] = {"drugs": 0.7, "items_stolen": 0.9}
"""Mean number of extra items (beyond the first) of a multi attribute, Poisson."""

NOTE_SHARE_B: Final[dict[str, float]] = {"drug_related_death": 0.05, "unexplained_death": 0.06}

# Per case type, values ranked first (most common); others follow in vocabulary order.
ORDER_B: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "premises": {
        "theft": ("supermarket", "convenience store", "pavement", "bus", "train station", "gym"),
        "violence": ("licensed premises", "pavement", "flat", "house", "takeaway"),
        "burglary": ("house", "flat", "shed", "garden", "warehouse", "construction site"),
        "criminal_damage": ("house", "car park", "pavement", "bus", "flat"),
        "robbery": ("pavement", "underpass", "alleyway", "bus", "petrol station"),
        "sexual_offence": ("flat", "house", "open space", "taxi", "student halls"),
        "drugging": ("licensed premises", "flat", "student halls", "taxi"),
        "drug_related_death": ("flat", "hostel", "bedsit", "open space", "alleyway"),
        "unexplained_death": ("house", "flat", "care home", "open space", "canal path"),
    },
    "weapon_used": {
        "violence": ("fist", "kick", "bottle", "knife"),
        "robbery": ("knife", "fist", "firearm", "corrosive"),
        "sexual_offence": ("fist", "knife", "ligature"),
        "drugging": ("syringe", "ligature"),
    },
    "approach": {
        "violence": ("blitz", "forced", "surprise"),
        "robbery": ("surprise", "blitz", "followed"),
        "sexual_offence": ("befriended", "surprise", "con"),
        "drugging": ("befriended", "con"),
        "theft": ("opportunist", "con"),
        "burglary": ("opportunist", "con"),
    },
    "disguise": {"robbery": ("hood", "balaclava", "none")},
    "discovery": {"unexplained_death": ("in bed", "on floor", "seated")},
    "drugs": {
        "drugging": ("ghb", "ketamine", "alcohol", "diazepam"),
        "drug_related_death": ("heroin", "fentanyl", "spice", "cocaine", "pregabalin"),
        "unexplained_death": ("alcohol", "diazepam", "heroin"),
        "sexual_offence": ("alcohol", "cocaine", "ghb"),
    },
    "items_stolen": {
        "theft": ("mobile phone", "perfume", "alcohol stock", "bicycle", "cash"),
        "burglary": ("jewellery", "laptop", "car keys", "power tools", "cash", "tablet"),
        "robbery": ("mobile phone", "cash", "headphones", "bank card", "watch"),
        "drugging": ("mobile phone", "bank card", "cash"),
    },
}

SCHEMA_B: Final[AttributeSchema] = AttributeSchema(
    attributes=(
        AttributeSpec(
            name="premises",
            kind=AttributeKind.CATEGORICAL,
            description="Premises or place type, as written by the reporting officer.",
        ),
        AttributeSpec(
            name="point_of_entry",
            kind=AttributeKind.CATEGORICAL,
            description="Where entry was gained (burglary).",
        ),
        AttributeSpec(
            name="weapon_used",
            kind=AttributeKind.CATEGORICAL,
            description="Weapon or force used or shown.",
        ),
        AttributeSpec(
            name="approach",
            kind=AttributeKind.CATEGORICAL,
            description="How the offender approached the victim (blitz, con, surprise ...).",
        ),
        AttributeSpec(
            name="disguise",
            kind=AttributeKind.CATEGORICAL,
            description="Offender's disguise as described.",
        ),
        AttributeSpec(
            name="discovery",
            kind=AttributeKind.CATEGORICAL,
            description="How and where the body was discovered (deaths).",
        ),
        AttributeSpec(
            name="drugs",
            kind=AttributeKind.MULTI,
            description="Substances involved, as written; '|'-separated.",
        ),
        AttributeSpec(
            name="items_stolen",
            kind=AttributeKind.MULTI,
            description="Items stolen, as written; '|'-separated.",
        ),
        AttributeSpec(
            name="note_found",
            kind=AttributeKind.CATEGORICAL,
            description="Whether a note was found with the body (deaths): yes/no.",
        ),
        AttributeSpec(
            name="hour_recorded",
            kind=AttributeKind.NUMERIC,
            description="Hour (0-23) of the start of the window; blank when the window "
            "is a day or longer.",
        ),
    )
)
"""Design B's MO attribute schema (schema.yaml)."""


def forms(value: str) -> tuple[str, ...]:
    """The surface forms a canonical value is written as (itself first)."""
    return SYNONYMS.get(value, (value,))


def canonical_of() -> dict[str, dict[str, str]]:
    """Per attribute, ``{surface form: canonical value}`` (what a benchmark may undo)."""
    out: dict[str, dict[str, str]] = {}
    for attr, values in {**CATEGORICAL_B, **MULTI_B}.items():
        out[attr] = {f: v for v in values for f in forms(v)}
    return out
