"""Design B's narratives: templated crime-report text with shared boilerplate.

Every narrative is a force-style template (an opening line with a call
reference, the facts as recorded, and one or two boilerplate closing lines
that many unrelated reports share), so that text similarity between two cases
is dominated by text that says nothing about the offender. The facts named
are the recorded (possibly synonym) values; blank fields are not mentioned.
"""

from __future__ import annotations

import random
from typing import Final

OPENINGS: Final[tuple[str, ...]] = (
    "Call received via 999, CAD {ref}. Officers attended.",
    "Report made online, ref {ref}.",
    "Police called by {who}, CAD {ref}. Officers attended and spoke to informant.",
    "Incident logged {ref}. Attended by response team.",
)
TYPE_LINES: Final[dict[str, tuple[str, ...]]] = {
    "theft": ("Theft reported", "Property taken without consent"),
    "violence": ("Assault reported", "Victim states they were assaulted"),
    "burglary": ("Burglary reported", "Premises entered without permission"),
    "criminal_damage": ("Criminal damage reported", "Damage caused to property"),
    "robbery": ("Robbery reported", "Property taken by force or threat"),
    "sexual_offence": ("Sexual offence disclosed", "Victim disclosed a sexual assault"),
    "drugging": ("Suspected spiking", "Victim believes drink was spiked"),
    "drug_related_death": ("Sudden death, drugs suspected", "Deceased found, suspected overdose"),
    "unexplained_death": ("Sudden death", "Unexpected death reported"),
}
CLOSINGS: Final[tuple[str, ...]] = (
    "Victim given crime reference number and Victim Support details.",
    "No CCTV identified at this time.",
    "House to house conducted with negative result.",
    "No further lines of enquiry at this time.",
    "Scene log started. Supervisor informed.",
    "Crime recorded in line with HOCR. Allocated for investigation.",
)
DEATH_CLOSINGS: Final[tuple[str, ...]] = (
    "Coroner's officer informed.",
    "Scene log started. Supervisor informed.",
    "Body removed by undertakers on behalf of HM Coroner.",
    "Next of kin to be informed.",
)


def describe_b(rng: random.Random, case_type: str, facts: dict[str, str], ref: int) -> str:
    """One narrative: opening, type line, the recorded facts, boilerplate closing lines."""
    opening = OPENINGS[rng.randrange(len(OPENINGS))].format(
        ref=ref, who=("a passer-by", "a neighbour", "the victim", "staff")[rng.randrange(4)]
    )
    lines = TYPE_LINES[case_type]
    parts = [opening, lines[rng.randrange(len(lines))] + "."]
    for label, value in facts.items():
        parts.append(f"{label}: {value}.")
    n_close = 1 + rng.randrange(2)
    closings = DEATH_CLOSINGS if case_type.endswith("death") else CLOSINGS
    parts += rng.sample(closings, n_close)
    return " ".join(parts)
