"""Settings of the linkage engine, declared once with their defaults and why.

A :class:`LinkageConfig` is saved inside every model file, so that a model
scores new data with exactly the geometry, blocking and levels it was trained
with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Geometry = Literal["geographic", "planar"]

CASE_FAMILIES: dict[str, str] = {
    "drug_related_death": "death",
    "unexplained_death": "death",
    "sexual_offence": "sexual_drugging",
    "drugging": "sexual_drugging",
    "violence": "violence",
    "robbery": "violence",
    "burglary": "property",
    "theft": "property",
    "criminal_damage": "property",
}
"""Case types grouped into families whose cases are often linked across types
(a drugging and a death; a sexual assault and a drugging)."""

SERIOUS_TYPES: tuple[str, ...] = (
    "drug_related_death",
    "unexplained_death",
    "sexual_offence",
    "drugging",
    "violence",
)
"""The case types where a missed link costs most; reported on their own."""


@dataclass(frozen=True)
class LinkageConfig:
    """How cases are compared and which pairs are compared at all.

    Parameters
    ----------
    geometry
        ``"geographic"``: ``lat``/``lon`` in degrees, great-circle distance.
        ``"planar"``: columns ``x``/``y`` in metres, Euclidean distance (the
        crimelinkage data set).
    near_km, near_days
        Blocking: any two cases this close in space and time.
    family_km, family_days
        Blocking: two cases of the same case family this close.
    block_attribute, block_km, block_days
        Blocking: same family and same value of ``block_attribute`` (an MO
        attribute; ``None`` to skip) within ``block_km`` and ``block_days``;
        the serious types (deaths, sexual, drugging, violence) of the same
        family are candidates within the same distance and time.
    rare_value_share
        A value shared by at most this share of cases is *rare*: sharing it is
        a level of its own in the model.
    rare_block_max_cases
        Blocking: pairs sharing an MO value held by at most this many cases
        (an absolute count: a share would pair O(N²) cases at national
        scale) are candidates wherever and whenever they are.
    uncommon_value_share
        Upper share of an *uncommon* value (between rare and common).
    group_block_days
        Blocking: same non-general victim group and same case family
        within this many days.
    wide_type_km, wide_type_days, wide_group_days
        The extra rules of :func:`~caselink.linkage.blocking.wide_rules`:
        same case type within this distance and time; same named victim
        group within ``block_km`` and this many days.
    distance_edges_km, days_edges, tod_edges_h, age_edges, similarity_edges
        Bin edges of the comparison levels used by the naive Bayes models
        and the explanations.
    """

    geometry: Geometry = "geographic"
    near_km: float = 1.0
    near_days: float = 90.0
    family_km: float = 2.0
    family_days: float = 180.0
    block_attribute: str | None = "location_type"
    block_km: float = 5.0
    block_days: float = 730.0
    rare_value_share: float = 0.01
    uncommon_value_share: float = 0.10
    group_block_days: float = 730.0
    rare_block_max_cases: int = 30
    wide_type_km: float = 7.0
    wide_type_days: float = 120.0
    wide_group_days: float = 365.0
    distance_edges_km: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
    days_edges: tuple[float, ...] = (1.0, 7.0, 30.0, 90.0, 365.0, 730.0)
    tod_edges_h: tuple[float, ...] = (1.0, 3.0, 6.0)
    age_edges: tuple[float, ...] = (2.0, 5.0, 10.0, 20.0)
    similarity_edges: tuple[float, ...] = (0.1, 0.25, 0.5)
    families: dict[str, str] = field(default_factory=lambda: dict(CASE_FAMILIES))

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.geometry not in ("geographic", "planar"):
            problems.append(f"geometry must be 'geographic' or 'planar', got {self.geometry!r}")
        for name in (
            "near_km",
            "near_days",
            "family_km",
            "family_days",
            "block_km",
            "block_days",
            "group_block_days",
            "wide_type_km",
            "wide_type_days",
            "wide_group_days",
        ):
            value = getattr(self, name)
            if not value > 0:
                problems.append(f"{name} must be > 0, got {value!r}")
        if not 0 < self.rare_value_share < self.uncommon_value_share < 1:
            problems.append(
                "need 0 < rare_value_share < uncommon_value_share < 1, got "
                f"{self.rare_value_share!r} and {self.uncommon_value_share!r}"
            )
        for name in (
            "distance_edges_km",
            "days_edges",
            "tod_edges_h",
            "age_edges",
            "similarity_edges",
        ):
            edges = getattr(self, name)
            if list(edges) != sorted(set(edges)) or not edges:
                problems.append(f"{name} must be strictly increasing and non-empty, got {edges!r}")
        if not self.rare_block_max_cases >= 0:
            problems.append(f"rare_block_max_cases must be >= 0, got {self.rare_block_max_cases!r}")
        if problems:
            raise ValueError("invalid LinkageConfig: " + "; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (saved in model metadata)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinkageConfig:
        """Inverse of :meth:`to_dict`."""
        data = dict(data)
        if "rare_block_max_share" in data:
            raise ValueError(
                "this model's settings use rare_block_max_share (a share of cases, "
                "replaced by rare_block_max_cases, an absolute count): retrain the model"
            )
        for key, value in list(data.items()):
            if isinstance(value, list):
                data[key] = tuple(value)
        return cls(**data)
