"""Recurrence flags: the people, places, phones and vehicles an analyst must not miss.

In the Barking deaths the man who reported the first death lived a few
hundred metres from where the next three bodies were found, and one
passer-by found two of them; each fact sat in a different file. The flags:

``person_in_series``
    A person named, other than as its victim, in a case of a series that
    case linkage found; highest when named in two or more cases of one
    series (one case in each of several series is a neighbourhood regular).
``reporter_near_death``
    A person who reported or found a death and lives within ``distance_km``
    of another death, or of a case linked in a series to the one reported.
    In a dense borough nearly every reporter lives within a kilometre of some
    death, so the priority rises with what makes one specific: nearby cases
    *linked* (same series) to the death reported, weighted by the share of
    that series' other cases that lie near home; having reported or found
    more than one death; and closeness. The nearby cases are listed linked
    first, then by distance.
``person_in_cases``
    A person in two or more cases, with the role in each.
``address_in_cases``, ``phone_in_cases``, ``vehicle_in_cases``
    One address, phone or vehicle recorded in two or more cases.

Each flag names the cases, the roles, the evidence and (for the nearness
flag) the distance. ``priority`` orders them: flags touching a series case
come first, then reporter/finder nearness, then persons recurring in
different roles or in deaths, then shared addresses, phones and vehicles.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from caselink.entities.features import DEATH_TYPES
from caselink.records.frames import require_columns
from caselink.records.geodesy import haversine_km

__all__ = ["DEATH_TYPES", "FLAG_COLUMNS", "recurrence_flags"]

FLAG_COLUMNS: tuple[str, ...] = (
    "priority",
    "flag",
    "entity_kind",
    "entity_id",
    "cases",
    "roles",
    "series",
    "distance_km",
    "evidence",
)
"""Columns of the flags frame, in order."""

_REPORTING = frozenset({"reporter", "finder"})


def _case_roles(rows: pd.DataFrame) -> str:
    pairs = rows[["case_id", "role"]].drop_duplicates().sort_values(["case_id", "role"])
    grouped = pairs.groupby("case_id", sort=True)["role"].apply(lambda r: "/".join(r))
    return "; ".join(f"{c}:{r}" for c, r in grouped.items())


def recurrence_flags(
    mentions: pd.DataFrame,
    cases: pd.DataFrame,
    resolutions: Mapping[str, pd.DataFrame],
    series: pd.DataFrame | None = None,
    distance_km: float = 1.0,
) -> pd.DataFrame:
    """All recurrence flags, highest priority first.

    Parameters
    ----------
    mentions : pandas.DataFrame
        A mentions frame.
    cases : pandas.DataFrame
        A cases frame (``case_id, case_type, lat, lon`` are used).
    resolutions : mapping of str to pandas.DataFrame
        Resolution frames (``mention_id, entity_id, match_weight, evidence``)
        by kind: ``"person"`` and any of ``"address"``, ``"phone"``,
        ``"vehicle"``. Missing kinds raise no flags.
    series : pandas.DataFrame, optional
        ``case_id, series_id`` of the cases case linkage put in a series.
    distance_km : float, default 1.0
        How near a reporter's or finder's home must be to another death or
        linked case to be flagged.

    Returns
    -------
    pandas.DataFrame
        :data:`FLAG_COLUMNS`, sorted by descending ``priority``.

    Raises
    ------
    ValueError
        When ``distance_km`` is not positive, or a frame lacks a column.
    """
    if not distance_km > 0:
        raise ValueError(f"distance_km must be positive, got {distance_km!r}")
    for name, frame, cols in (
        ("mentions", mentions, ("mention_id", "case_id", "role", "address_lat", "address_lon")),
        ("cases", cases, ("case_id", "case_type", "lat", "lon")),
        (
            "series",
            series if series is not None else pd.DataFrame(columns=["case_id", "series_id"]),
            ("case_id", "series_id"),
        ),
    ):
        require_columns(frame, cols, f"{name} frame")
    series = series if series is not None else pd.DataFrame(columns=["case_id", "series_id"])
    series_of = (
        series.dropna().groupby("case_id")["series_id"].apply(lambda s: sorted(set(map(str, s))))
    )
    case_type = cases.set_index("case_id")["case_type"]
    flags: list[dict[str, object]] = []

    def series_for(case_ids: list[str]) -> list[str]:
        out: set[str] = set()
        for c in case_ids:
            out.update(series_of.get(c, []))
        return sorted(out)

    for kind, frame in resolutions.items():
        if frame.empty:
            continue
        joined = frame[["mention_id", "entity_id", "evidence"]].merge(
            mentions[["mention_id", "case_id", "role", "address_lat", "address_lon"]],
            on="mention_id",
            how="inner",
        )
        n_cases = joined.groupby("entity_id")["case_id"].nunique()
        recurring = n_cases[n_cases >= 2].index
        for entity, rows in joined[joined["entity_id"].isin(recurring)].groupby("entity_id"):
            case_ids = sorted(rows["case_id"].unique())
            roles = sorted(rows["role"].unique())
            touched = series_for(case_ids)
            deaths = [c for c in case_ids if case_type.get(c) in DEATH_TYPES]
            evidence = _entity_evidence(rows)
            if kind == "person":
                priority = 30 + (10 if len(roles) > 1 else 0) + (10 if deaths else 0)
                flag = "person_in_cases"
            else:
                priority = 20 + (5 if deaths else 0)
                flag = f"{kind}_in_cases"
            flags.append(
                {
                    "priority": priority + (100 if touched else 0),
                    "flag": flag,
                    "entity_kind": kind,
                    "entity_id": str(entity),
                    "cases": "; ".join(case_ids),
                    "roles": _case_roles(rows),
                    "series": "; ".join(touched),
                    "distance_km": np.nan,
                    "evidence": evidence,
                }
            )
        if kind == "person":
            flags.extend(_series_flags(joined, series_of))
            flags.extend(_near_death_flags(joined, cases, series, distance_km))
    out = pd.DataFrame(flags, columns=list(FLAG_COLUMNS))
    out["priority"] = out["priority"].astype("int64")
    out["distance_km"] = out["distance_km"].astype("float64")
    return out.sort_values(
        ["priority", "flag", "entity_id", "cases"], ascending=[False, True, True, True]
    ).reset_index(drop=True)


def _entity_evidence(rows: pd.DataFrame) -> str:
    """The merge evidence of the entity's mentions, strongest first (blank ones skipped)."""
    ev = [str(e) for e in rows["evidence"].tolist() if isinstance(e, str) and e]
    # an entity of n mentions has up to n links; three say enough in a table
    seen: list[str] = []
    for e in ev:
        if e not in seen:
            seen.append(e)
    return " | ".join(seen[:3])


def _series_flags(joined: pd.DataFrame, series_of: pd.Series) -> list[dict[str, object]]:
    """Persons named, other than as victim, in a case of a series."""
    out: list[dict[str, object]] = []
    in_series = joined[joined["case_id"].isin(series_of.index) & (joined["role"] != "victim")]
    for entity, rows in in_series.groupby("entity_id"):
        everywhere = joined[joined["entity_id"] == entity]
        case_ids = sorted(everywhere["case_id"].unique())
        touched = sorted({s for c in rows["case_id"].unique() for s in series_of.get(c, [])})
        series_cases = sorted(rows["case_id"].unique())
        # named in several cases of *one* series is what an analyst must see
        # first; one case in each of several series is a neighbourhood regular
        per_series: dict[str, int] = {}
        for c in series_cases:
            for s in series_of.get(c, []):
                per_series[s] = per_series.get(s, 0) + 1
        best = max(per_series.values(), default=0)
        priority = (
            200 + 20 * (min(best, 4) - 1) if best >= 2 else 150 + (5 if len(case_ids) > 1 else 0)
        )
        out.append(
            {
                "priority": priority,
                "flag": "person_in_series",
                "entity_kind": "person",
                "entity_id": str(entity),
                "cases": "; ".join(case_ids),
                "roles": _case_roles(everywhere),
                "series": "; ".join(touched),
                "distance_km": np.nan,
                "evidence": (
                    f"named as {'/'.join(sorted(rows['role'].unique()))} in series case(s) "
                    f"{', '.join(series_cases)}"
                    + (f"; {_entity_evidence(everywhere)}" if len(everywhere) > 1 else "")
                ),
            }
        )
    return out


def _near_death_flags(
    joined: pd.DataFrame, cases: pd.DataFrame, series: pd.DataFrame, distance_km: float
) -> list[dict[str, object]]:
    """Reporters and finders of a death who live near another death or a linked case."""
    deaths = cases[cases["case_type"].isin(DEATH_TYPES)]
    reported = joined[joined["role"].isin(_REPORTING) & joined["case_id"].isin(deaths["case_id"])]
    if reported.empty:
        return []
    homes = joined.dropna(subset=["address_lat", "address_lon"])
    series_cases = series.dropna().groupby("series_id")["case_id"].apply(set)
    series_of = series.dropna().groupby("case_id")["series_id"].apply(set)
    located = cases.dropna(subset=["lat", "lon"]).set_index("case_id")
    out: list[dict[str, object]] = []
    for entity, rows in reported.groupby("entity_id"):
        own = homes[homes["entity_id"] == entity][["address_lat", "address_lon"]].drop_duplicates()
        if own.empty:
            continue
        reported_cases = set(rows["case_id"])
        linked: set[str] = set()
        for c in reported_cases:
            for s in series_of.get(c, set()):
                linked |= series_cases.get(s, set())
        targets = (set(deaths["case_id"]) | linked) - reported_cases
        targets_frame = located.loc[located.index.isin(targets)]
        if targets_frame.empty:
            continue
        dist = haversine_km(
            own["address_lat"].to_numpy()[:, None],
            own["address_lon"].to_numpy()[:, None],
            targets_frame["lat"].to_numpy()[None, :],
            targets_frame["lon"].to_numpy()[None, :],
        ).min(axis=0)
        near = dist <= distance_km
        if not near.any():
            continue
        near_cases = targets_frame.index[near]
        near_dist = dist[near]
        order = np.argsort(near_dist, kind="stable")
        death_ids = set(deaths["case_id"])
        # linked: in a series with a death this person reported or found
        linked_near = [c for c in near_cases if c in linked]
        described = [
            f"{near_cases[i]} ({'death' if near_cases[i] in death_ids else 'case'}"
            f"{', linked' if near_cases[i] in linked else ''}, {near_dist[i]:.2f} km)"
            for i in sorted(order, key=lambda i: (near_cases[i] not in linked, near_dist[i]))
        ]
        # in a dense borough every reporter lives within a km of some death:
        # what singles one out is that the *other cases of the series* of the
        # death reported lie near home (the share of them that do), more than
        # one death reported or found, and closeness
        mates = linked - reported_cases
        share = len(linked_near) / len(mates) if mates else 0.0
        closeness = round(10 * (1 - float(near_dist.min()) / distance_km))
        specificity = (
            (100 if linked_near else 0)
            + round(25 * min(len(linked_near), 3) * share)
            + (10 if len(reported_cases) > 1 else 0)
            + closeness
            + min(len(near_cases), 9) // 3
        )
        everywhere = joined[joined["entity_id"] == entity]
        all_cases = sorted(set(everywhere["case_id"]) | set(near_cases))
        touched = sorted({s for c in all_cases for s in series_of.get(c, set())})
        out.append(
            {
                "priority": 60 + specificity,
                "flag": "reporter_near_death",
                "entity_kind": "person",
                "entity_id": str(entity),
                "cases": "; ".join(all_cases),
                "roles": _case_roles(everywhere),
                "series": "; ".join(touched),
                "distance_km": float(near_dist.min()),
                "evidence": (
                    f"{'/'.join(sorted(rows['role'].unique()))} of death(s) "
                    f"{', '.join(sorted(reported_cases))} lives within {distance_km:g} km of "
                    + ", ".join(described)
                ),
            }
        )
    return out
