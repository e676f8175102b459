"""What the synthetic borough records: case types, MO attribute values and how skewed they are.

Real MO values are skewed: a few values (``street``, ``alcohol``, ``rear_door``)
cover most cases and a long tail of rare values (``churchyard``, ``ghb``) covers
the rest. The generator draws every categorical value from a Zipf-like law,
``P(rank r) ∝ 1 / r**ZIPF_EXPONENT``, over a per-case-type ordering of the
values below: the first values named for a case type are its common ones.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from caselink.records.model import AttributeKind, AttributeSchema, AttributeSpec

CASE_TYPES: Final[tuple[str, ...]] = (
    "theft",
    "violence",
    "burglary",
    "criminal_damage",
    "robbery",
    "sexual_offence",
    "drugging",
    "drug_related_death",
    "unexplained_death",
)
"""The case types of the shared vocabulary, most common first."""

CASE_TYPE_SHARE: Final[dict[str, float]] = {
    "theft": 0.295,
    "violence": 0.22,
    "burglary": 0.17,
    "criminal_damage": 0.12,
    "robbery": 0.06,
    "sexual_offence": 0.04,
    "drugging": 0.02,
    "drug_related_death": 0.045,
    "unexplained_death": 0.03,
}
"""Share of each case type among all cases.

With ~600 cases a year (the demo borough) this gives ~27 drug-related deaths
and ~18 unexplained deaths a year: "a few dozen" and "tens".
"""

DEATH_TYPES: Final[frozenset[str]] = frozenset({"drug_related_death", "unexplained_death"})
"""Case types that are deaths: classified suspicious / non_suspicious, never solved on import."""

FAMILIES: Final[dict[str, dict[str, float]]] = {
    "acquisitive": {"burglary": 0.45, "theft": 0.4, "robbery": 0.15},
    "violent": {"violence": 0.6, "robbery": 0.2, "criminal_damage": 0.2},
    "predatory": {
        "drugging": 0.4,
        "sexual_offence": 0.4,
        "drug_related_death": 0.15,
        "unexplained_death": 0.05,
    },
}
"""Offending families: a series crosses case types only within its family."""

FAMILY_OF: Final[dict[str, str]] = {
    "burglary": "acquisitive",
    "theft": "acquisitive",
    "robbery": "violent",
    "violence": "violent",
    "criminal_damage": "violent",
    "drugging": "predatory",
    "sexual_offence": "predatory",
    "drug_related_death": "predatory",
    "unexplained_death": "predatory",
}

VICTIM_GROUPS: Final[tuple[str, ...]] = ("general", "lgbt", "homeless", "sex_worker", "migrant")
VICTIM_GROUP_SHARE: Final[tuple[float, ...]] = (0.86, 0.05, 0.03, 0.02, 0.04)

ZIPF_EXPONENT: Final[float] = 1.3
"""Exponent of the Zipf-like law of MO values (``P(rank r) ∝ r**-1.3``)."""

LOCATION_TYPES: Final[tuple[str, ...]] = (
    "street",
    "dwelling",
    "shop",
    "pub",
    "park",
    "station",
    "car_park",
    "bus_stop",
    "alley",
    "nightclub",
    "school",
    "office",
    "garage",
    "hotel",
    "hostel",
    "hospital",
    "canal_towpath",
    "churchyard",
    "cemetery",
    "building_site",
)
DRUGS: Final[tuple[str, ...]] = (
    "alcohol",
    "cannabis",
    "cocaine",
    "heroin",
    "crack",
    "methadone",
    "benzodiazepines",
    "mdma",
    "ketamine",
    "mephedrone",
    "spice",
    "amphetamine",
    "methamphetamine",
    "ghb",
)
ENTRY_METHODS: Final[tuple[str, ...]] = (
    "rear_door",
    "front_door",
    "rear_window",
    "front_window",
    "insecure",
    "patio_door",
    "side_door",
    "key",
    "skylight",
    "roof",
    "distraction",
    "letterbox",
)
WEAPONS: Final[tuple[str, ...]] = (
    "none",
    "hands",
    "knife",
    "bottle",
    "blunt_instrument",
    "feet",
    "screwdriver",
    "glass",
    "hammer",
    "firearm",
    "syringe",
    "noxious_substance",
)
PROPERTY: Final[tuple[str, ...]] = (
    "phone",
    "cash",
    "wallet",
    "bank_cards",
    "bag",
    "jewellery",
    "laptop",
    "keys",
    "bicycle",
    "clothing",
    "watch",
    "tools",
    "car",
    "id_documents",
    "games_console",
)
BODY_POSITIONS: Final[tuple[str, ...]] = (
    "lying",
    "slumped",
    "sitting",
    "recovery_position",
    "propped",
    "kneeling",
)
YES_NO: Final[tuple[str, ...]] = ("no", "yes")

CATEGORICAL_VALUES: Final[dict[str, tuple[str, ...]]] = {
    "location_type": LOCATION_TYPES,
    "entry_method": ENTRY_METHODS,
    "weapon": WEAPONS,
    "body_position": BODY_POSITIONS,
    "note_found": YES_NO,
    "victim_local": YES_NO,
}
MULTI_VALUES: Final[dict[str, tuple[str, ...]]] = {"drugs": DRUGS, "property_taken": PROPERTY}

SCHEMA: Final[AttributeSchema] = AttributeSchema(
    attributes=(
        AttributeSpec(
            name="location_type",
            kind=AttributeKind.CATEGORICAL,
            description="Kind of place where the crime happened or the body was found.",
        ),
        AttributeSpec(
            name="drugs",
            kind=AttributeKind.MULTI,
            description="Drugs involved or found (toxicology, victim account); '|'-separated.",
        ),
        AttributeSpec(
            name="entry_method",
            kind=AttributeKind.CATEGORICAL,
            description="How entry was gained (burglary).",
        ),
        AttributeSpec(
            name="weapon",
            kind=AttributeKind.CATEGORICAL,
            description="Weapon used or threatened ('none' when recorded as none).",
        ),
        AttributeSpec(
            name="property_taken",
            kind=AttributeKind.MULTI,
            description="Property stolen; '|'-separated.",
        ),
        AttributeSpec(
            name="body_position",
            kind=AttributeKind.CATEGORICAL,
            description="Position of the body when found (deaths).",
        ),
        AttributeSpec(
            name="note_found",
            kind=AttributeKind.CATEGORICAL,
            description="Whether a note was found with the body (deaths): yes/no.",
        ),
        AttributeSpec(
            name="victim_local",
            kind=AttributeKind.CATEGORICAL,
            description="Whether the victim lives in the area: yes/no.",
        ),
        AttributeSpec(
            name="time_of_day_hour",
            kind=AttributeKind.NUMERIC,
            description="Hour of day (0-23) at the start of the occurrence window.",
        ),
    )
)
"""The MO attribute schema of every synthetic data set (schema.yaml)."""

# Per case type: which values are common (listed first, in order of frequency);
# the remaining values follow in catalogue order as the long tail.
LOCATION_ORDER: Final[dict[str, tuple[str, ...]]] = {
    "theft": ("shop", "street", "station", "car_park", "pub", "bus_stop", "office"),
    "violence": ("street", "dwelling", "pub", "nightclub", "station", "shop", "park"),
    "burglary": ("dwelling", "garage", "shop", "office", "school", "building_site"),
    "criminal_damage": ("street", "dwelling", "car_park", "shop", "school", "bus_stop"),
    "robbery": ("street", "station", "bus_stop", "alley", "shop", "park"),
    "sexual_offence": ("dwelling", "street", "park", "nightclub", "hotel", "alley"),
    "drugging": ("nightclub", "pub", "dwelling", "hotel", "street"),
    "drug_related_death": ("dwelling", "hostel", "street", "park", "alley", "hotel"),
    "unexplained_death": ("dwelling", "street", "park", "hospital", "canal_towpath", "hostel"),
}
DRUG_ORDER: Final[dict[str, tuple[str, ...]]] = {
    "theft": ("alcohol", "cannabis"),
    "violence": ("alcohol", "cocaine", "cannabis"),
    "burglary": ("cannabis", "alcohol"),
    "criminal_damage": ("alcohol", "cannabis"),
    "robbery": ("alcohol", "cannabis", "cocaine"),
    "sexual_offence": ("alcohol", "cocaine", "mdma", "ghb"),
    "drugging": ("alcohol", "mdma", "ketamine", "ghb", "benzodiazepines"),
    "drug_related_death": ("heroin", "methadone", "alcohol", "cocaine", "benzodiazepines", "crack"),
    "unexplained_death": ("alcohol", "heroin", "benzodiazepines", "cocaine"),
}
WEAPON_ORDER: Final[dict[str, tuple[str, ...]]] = {
    "violence": ("hands", "none", "feet", "knife", "bottle", "blunt_instrument", "glass"),
    "robbery": ("none", "knife", "hands", "blunt_instrument", "screwdriver", "firearm"),
    "sexual_offence": ("none", "hands", "noxious_substance", "knife"),
    "drugging": ("noxious_substance", "syringe", "none"),
    "criminal_damage": ("none", "blunt_instrument", "hammer"),
}
PROPERTY_ORDER: Final[dict[str, tuple[str, ...]]] = {
    "theft": ("phone", "bag", "wallet", "bicycle", "cash", "bank_cards", "laptop"),
    "burglary": ("jewellery", "laptop", "cash", "electronics", "tools", "keys", "car"),
    "robbery": ("phone", "cash", "wallet", "bank_cards", "bag", "watch"),
    "drugging": ("phone", "cash", "wallet", "bank_cards"),
    "sexual_offence": ("phone", "cash"),
}

# When an attribute applies to a type: the probability that it is recorded, and
# for multi attributes the mean extra items beyond the first.
CATEGORICAL_RECORDED: Final[dict[str, dict[str, float]]] = {
    "location_type": dict.fromkeys(CASE_TYPES, 0.97),
    "entry_method": {"burglary": 0.85},
    "weapon": {
        "violence": 0.8,
        "robbery": 0.85,
        "sexual_offence": 0.5,
        "drugging": 0.4,
        "criminal_damage": 0.3,
    },
    "body_position": {"drug_related_death": 0.9, "unexplained_death": 0.9},
    "note_found": {"drug_related_death": 1.0, "unexplained_death": 1.0},
    "victim_local": {t: 0.9 for t in CASE_TYPES if t != "criminal_damage"},
}
MULTI_RECORDED: Final[dict[str, dict[str, tuple[float, float]]]] = {
    "drugs": {
        "theft": (0.03, 0.0),
        "violence": (0.35, 0.2),
        "burglary": (0.02, 0.0),
        "criminal_damage": (0.15, 0.1),
        "robbery": (0.1, 0.1),
        "sexual_offence": (0.4, 0.4),
        "drugging": (0.95, 0.5),
        "drug_related_death": (0.98, 0.9),
        "unexplained_death": (0.5, 0.4),
    },
    "property_taken": {
        "theft": (0.95, 0.4),
        "burglary": (0.9, 1.2),
        "robbery": (0.97, 0.6),
        "drugging": (0.3, 0.6),
        "sexual_offence": (0.08, 0.2),
    },
}
NOTE_SHARE: Final[dict[str, float]] = {"drug_related_death": 0.03, "unexplained_death": 0.08}
"""Share of deaths with a note found (``note_found=yes``)."""

# Victim profile per case type: (share male, mean age, sd age).
VICTIM_PROFILE: Final[dict[str, tuple[float, float, float]]] = {
    "theft": (0.5, 36.0, 14.0),
    "violence": (0.62, 31.0, 11.0),
    "burglary": (0.5, 47.0, 16.0),
    "criminal_damage": (0.5, 44.0, 15.0),
    "robbery": (0.72, 26.0, 10.0),
    "sexual_offence": (0.12, 26.0, 10.0),
    "drugging": (0.35, 25.0, 6.0),
    "drug_related_death": (0.75, 39.0, 10.0),
    "unexplained_death": (0.65, 52.0, 18.0),
}

# Hour of day: von Mises-like profile on the 24 h circle, (peak hour, concentration).
HOUR_PROFILE: Final[dict[str, tuple[float, float]]] = {
    "theft": (14.0, 0.8),
    "violence": (23.0, 1.2),
    "burglary": (13.0, 0.5),
    "criminal_damage": (22.0, 0.9),
    "robbery": (21.0, 1.0),
    "sexual_offence": (1.0, 1.0),
    "drugging": (0.0, 1.6),
    "drug_related_death": (2.0, 0.8),
    "unexplained_death": (4.0, 0.4),
}


def zipf_weights(
    values: tuple[str, ...], common: tuple[str, ...], exponent: float = ZIPF_EXPONENT
) -> np.ndarray:
    """Zipf-like probabilities over ``values``, with ``common`` ranked first.

    Parameters
    ----------
    values
        The whole vocabulary of the attribute.
    common
        Values ranked first, in order; unknown names are ignored so that type
        orderings may name values of a richer vocabulary.
    exponent
        The Zipf exponent ``s`` in ``P(rank r) ∝ r**-s``.

    Returns
    -------
    numpy.ndarray
        Probabilities aligned with ``values``, summing to one.
    """
    index = {v: i for i, v in enumerate(values)}
    order = [index[v] for v in common if v in index]
    order += [i for i in range(len(values)) if i not in order]
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    weights = ranks**-exponent
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def type_shares(types: tuple[str, ...] = CASE_TYPES) -> np.ndarray:
    """The case-type shares as an array aligned with ``types`` (normalised)."""
    shares = np.array([CASE_TYPE_SHARE[t] for t in types], dtype=np.float64)
    return np.asarray(shares / shares.sum(), dtype=np.float64)
