"""Free-text narratives: short officer-style sentences built from a case's MO, with noise.

The phrasing varies (several templates per fact) and is noisy (lower case,
officer abbreviations, typos) so that text comparison has to work for its
matches; the facts in a narrative always agree with the case's attributes.
"""

from __future__ import annotations

import math
import random
from typing import Final

from caselink.synth.recording import typo

WHERE: Final[dict[str, tuple[str, ...]]] = {
    "street": ("in the street", "on the pavement", "on the footway", "in the road"),
    "dwelling": ("at a flat", "in a house", "at a residential address", "inside the address"),
    "shop": ("in a shop", "at a shop", "in a supermarket"),
    "pub": ("in a pub", "outside a pub", "at the pub"),
    "park": ("in the park", "in a park", "on the grass in the park"),
    "station": ("near the station", "at the station", "on the station forecourt"),
    "car_park": ("in a car park", "in the multi-storey"),
    "bus_stop": ("at a bus stop", "by the bus stop"),
    "alley": ("in an alleyway", "in an alley", "in a passage between houses"),
    "nightclub": ("at a nightclub", "outside a club", "in a club"),
    "school": ("at a school", "in school grounds"),
    "office": ("at an office", "at business premises"),
    "garage": ("in a garage", "in a lock-up garage"),
    "hotel": ("in a hotel room", "at a hotel"),
    "hostel": ("in a hostel room", "at a hostel"),
    "hospital": ("at the hospital", "in hospital grounds"),
    "canal_towpath": ("on the canal towpath", "by the canal"),
    "churchyard": ("in the churchyard", "in the grounds of the church", "in the church grounds"),
    "cemetery": ("in the cemetery", "among the graves"),
    "building_site": ("on a building site", "at a construction site"),
}
FEATURE: Final[dict[str, tuple[str, ...]]] = {
    "churchyard": ("the churchyard wall", "the church wall", "a gravestone"),
    "park": ("a tree", "a bench", "the park railings"),
    "street": ("a wall", "a shop front", "a lamp post"),
    "dwelling": ("the sofa", "the bed", "the wall"),
    "station": ("the station wall", "a pillar"),
    "alley": ("a wall", "a fence"),
    "cemetery": ("a gravestone", "a wall"),
}
POSITION: Final[dict[str, tuple[str, ...]]] = {
    "propped": (
        "found propped against {f}",
        "propped up against {f} {w}",
        "sat propped against {f}",
    ),
    "sitting": ("found sitting {w}", "found seated, unresponsive, {w}", "sitting against {f} {w}"),
    "lying": ("found lying {w}", "lying on the ground {w}", "found on the floor {w}"),
    "slumped": ("found slumped {w}", "slumped against {f}"),
    "recovery_position": ("found in the recovery position {w}", "lying on his side {w}"),
    "kneeling": ("found kneeling {w}", "found on his knees {w}"),
}
DRUG_PHRASE: Final[dict[str, tuple[str, ...]]] = {
    "ghb": ("GHB suspected", "possible G overdose", "bottle of clear liquid found nearby"),
    "heroin": ("needle found nearby", "suspected heroin OD", "drug paraphernalia at scene"),
    "methadone": ("methadone bottle found", "on a methadone script"),
    "alcohol": ("smelling strongly of alcohol", "empty cans nearby", "had been drinking"),
    "cocaine": ("white powder found in pocket", "cocaine use suspected"),
    "crack": ("crack pipe recovered",),
    "benzodiazepines": ("blister packs of diazepam nearby", "benzos suspected"),
    "ketamine": ("ketamine suspected",),
    "mdma": ("pills found, MDMA suspected",),
    "spice": ("spice use reported",),
}
NOTE_PHRASE: Final[tuple[str, ...]] = (
    "A handwritten note was found with the body.",
    "Note found in pocket.",
    "Suicide note recovered at scene.",
)
ENTRY_PHRASE: Final[dict[str, tuple[str, ...]]] = {
    "rear_door": ("entry via rear door", "rear door forced"),
    "front_door": ("front door forced", "entry via front door"),
    "rear_window": ("rear window smashed", "entry through rear window"),
    "front_window": ("front window broken", "entry through front window"),
    "insecure": ("entry via insecure door", "door left unlocked"),
    "patio_door": ("patio door forced", "entry via patio doors"),
    "key": ("entry using a key", "keys used to enter"),
    "distraction": ("suspect gained entry by distraction", "bogus caller"),
}
WEAPON_PHRASE: Final[dict[str, str]] = {
    "knife": " with a knife",
    "bottle": " with a bottle",
    "blunt_instrument": " with a blunt object",
    "hammer": " with a hammer",
    "firearm": " with what looked like a handgun",
    "hands": " with fists",
    "feet": ", kicked",
    "glass": " with a glass",
    "screwdriver": " with a screwdriver",
    "syringe": " with a syringe",
    "noxious_substance": " using a substance",
}
ABBREVIATIONS: Final[dict[str, str]] = {
    "victim": "vic",
    "suspect": "susp",
    "approximately": "approx",
    "address": "addr",
    "report": "rpt",
}


def _pick(rng: random.Random, options: tuple[str, ...]) -> str:
    return options[rng.randrange(len(options))]


def _who(rng: random.Random, sex: str | None, age: float) -> str:
    noun = {"M": "male", "F": "female"}.get(sex or "", "person")
    if math.isnan(age):
        return _pick(rng, (f"Unidentified {noun}", f"{noun.capitalize()}, age unknown"))
    a = int(age)
    return _pick(
        rng,
        (
            f"{noun.capitalize()} aged {a}",
            f"{noun[0].upper()}, {a}yrs",
            f"{noun.capitalize()} in his {a // 10 * 10}s"
            if sex == "M"
            else f"{noun.capitalize()} aged {a}",
            f"Deceased {noun}, approximately {a}",
        ),
    )


def _drugs(rng: random.Random, drugs: tuple[str, ...]) -> str:
    if not drugs:
        return ""
    d = drugs[rng.randrange(len(drugs))]
    return _pick(rng, DRUG_PHRASE.get(d, (f"{d} suspected",))) + ". "


def describe(
    rng: random.Random,
    case_type: str,
    location: str | None,
    drugs: tuple[str, ...],
    body_position: str | None,
    note_found: str | None,
    entry: str | None,
    weapon: str | None,
    property_taken: tuple[str, ...],
    age: float,
    sex: str | None,
) -> str:
    """One narrative for a case (see module doc)."""
    loc = location or "street"
    w = _pick(rng, WHERE.get(loc, (f"at a {loc.replace('_', ' ')}",)))
    f = _pick(rng, FEATURE.get(loc, ("a wall",)))
    stuff = " and ".join(p.replace("_", " ") for p in property_taken[:2]) or "items"
    weapon_text = WEAPON_PHRASE.get(weapon or "", "")
    if case_type in {"drug_related_death", "unexplained_death"}:
        pos = _pick(rng, POSITION.get(body_position or "lying", POSITION["lying"])).format(f=f, w=w)
        text = f"{_who(rng, sex, age)} {pos}. {_drugs(rng, drugs)}"
        if note_found == "yes":
            text += _pick(rng, NOTE_PHRASE)
    elif case_type == "burglary":
        e = _pick(rng, ENTRY_PHRASE.get(entry or "", ("entry method unknown",)))
        text = _pick(
            rng,
            (
                f"Burglary {w}, {e}. {stuff.capitalize()} taken.",
                f"{e.capitalize()}; {stuff} stolen.",
                f"Premises entered {w}: {e}, {stuff} taken.",
            ),
        )
    elif case_type == "theft":
        text = _pick(
            rng,
            (
                f"{stuff.capitalize()} stolen {w}.",
                f"Victim's {stuff} taken {w}.",
                f"Theft of {stuff} {w}.",
            ),
        )
    elif case_type == "robbery":
        text = _pick(
            rng,
            (
                f"Victim approached {w} by suspect{weapon_text}, {stuff} taken.",
                f"Robbed of {stuff} {w}{weapon_text}.",
            ),
        )
    elif case_type == "violence":
        text = _pick(
            rng,
            (
                f"Victim assaulted {w}{weapon_text}.",
                f"Assault {w}{weapon_text}. {_drugs(rng, drugs)}",
            ),
        )
    elif case_type == "criminal_damage":
        text = _pick(rng, (f"Damage caused {w}.", f"Windows smashed {w}.", f"Vehicle damaged {w}."))
    elif case_type == "sexual_offence":
        text = _pick(
            rng,
            (
                f"Victim reports sexual assault {w}. {_drugs(rng, drugs)}",
                f"Sexual assault {w}{weapon_text}. {_drugs(rng, drugs)}",
                f"Victim woke {w} with no memory, believes assaulted. {_drugs(rng, drugs)}",
            ),
        )
    else:  # drugging
        text = _pick(
            rng,
            (
                f"Victim believes drink was spiked {w}. {_drugs(rng, drugs)}",
                f"Woke up {w} with no memory of the night. {_drugs(rng, drugs)}",
                f"Suspected spiking {w}. {_drugs(rng, drugs)}",
            ),
        )
    return _noise(rng, text.strip())


def _noise(rng: random.Random, text: str) -> str:
    u = (rng.random(), rng.random(), rng.random())
    if u[0] < 0.15:
        for word, short in ABBREVIATIONS.items():
            text = text.replace(word, short).replace(word.capitalize(), short.capitalize())
    if u[1] < 0.08:
        words = text.split(" ")
        i = rng.randrange(len(words))
        words[i] = typo(words[i], rng)
        text = " ".join(words)
    if u[2] < 0.1:
        text = text.lower()
    return text
