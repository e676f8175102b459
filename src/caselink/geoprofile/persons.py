"""Persons of interest: people whose home lies early in a surface's search order.

Candidates are a frame ``person_id, lat, lon, label`` (the home of each
person). :func:`candidate_persons` builds it from the store: persons are the
entities of the entity-resolution frame (``mention_id, entity_id``, from
``store.resolution_frame("person")``), or each mention on its own when no
resolution has been run; a person's home is the address location recorded
most often in their mentions.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from caselink.geoprofile.surface import Surface
from caselink.records.frames import require_columns

CANDIDATE_COLUMNS: tuple[str, ...] = ("person_id", "lat", "lon", "label")
RANKED_COLUMNS: tuple[str, ...] = (
    "rank",
    "person_id",
    "label",
    "lat",
    "lon",
    "hit_score_pct",
    "search_area_km2",
    "linked",
    "roles",
)


def candidate_persons(
    mentions: pd.DataFrame,
    resolution: pd.DataFrame | None = None,
    case_ids: Collection[str] | None = None,
    *,
    linked_cases: Collection[str] | None = None,
    cases: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Persons with a known home, optionally only those mentioned in ``case_ids``.

    Parameters
    ----------
    mentions : DataFrame
        The mentions frame.
    resolution : DataFrame, optional
        ``mention_id, entity_id``; empty or None: each mention is a person
        (``person_id`` = ``m<mention_id>``).
    case_ids : collection of str, optional
        Keep persons with at least one mention in these cases (``linked``).
    linked_cases : collection of str, optional
        The series' cases, when every person is kept (``case_ids`` None) but
        ``linked`` and ``roles`` should still refer to the series.
    cases : DataFrame, optional
        The cases frame, to name case types in ``roles``.

    Returns
    -------
    DataFrame
        ``person_id, lat, lon, label, linked`` where ``label`` is the person's
        most frequent name with their roles in the given cases, and ``linked``
        says whether they are mentioned in ``case_ids``; ``roles`` lists each
        role in those cases as ``"reporter of C00896 (drug_related_death)"``
        (case types when ``cases`` is given), empty when not mentioned.
    """
    m = mentions.copy()
    if resolution is not None and len(resolution):
        ent = resolution[["mention_id", "entity_id"]].astype({"mention_id": "int64"})
        m = m.merge(ent, on="mention_id", how="left")
        m["person_id"] = (
            m["entity_id"]
            .where(m["entity_id"].notna(), "m" + m["mention_id"].astype(str))
            .astype(str)
        )
    else:
        m["person_id"] = "m" + m["mention_id"].astype(str)
    series = set(case_ids) if case_ids is not None else set(linked_cases or ())
    m["in_series"] = m["case_id"].isin(series)
    types: dict[str, str] = {}
    if cases is not None:
        types = dict(zip(cases["case_id"].astype(str), cases["case_type"].astype(str), strict=True))
    m = m.reset_index(drop=True)
    m["order"] = np.arange(len(m))
    located = m[m["address_lat"].notna() & m["address_lon"].notna()]
    linked = m.groupby("person_id")["in_series"].any()
    keep = linked.index[linked] if case_ids is not None else linked.index
    located = located[located["person_id"].isin(set(keep))]
    home = _most_frequent(
        located.assign(
            lat=located["address_lat"].astype(float).round(6),
            lon=located["address_lon"].astype(float).round(6),
        ),
        ["lat", "lon"],
    )
    home["lat"] = located.set_index("order").loc[home["order"], "address_lat"].to_numpy(float)
    home["lon"] = located.set_index("order").loc[home["order"], "address_lon"].to_numpy(float)
    named = _most_frequent(m[m["name"].notna()], ["name"]).set_index("person_id")["name"]
    roles_in = m[m["in_series"] & m["role"].notna()].groupby("person_id")["role"].agg(_joined)
    roles_all = m[m["role"].notna()].groupby("person_id")["role"].agg(_joined)
    series_rows = m[m["in_series"]].sort_values(["case_id", "role"], kind="stable")
    kind = series_rows["case_id"].astype(str).map(types).astype(object)
    series_rows = series_rows.assign(
        part=series_rows["role"].astype(str)
        + " of "
        + series_rows["case_id"].astype(str)
        + np.where(kind.notna(), " (" + kind.fillna("") + ")", "")
    )
    parts = series_rows.groupby("person_id", sort=False)["part"].agg(
        lambda p: "; ".join(dict.fromkeys(p))
    )
    out = home[["person_id", "lat", "lon"]].sort_values("person_id").reset_index(drop=True)
    pid = out["person_id"]
    name = pid.map(named).astype(object).fillna(pid)
    roles = pid.map(roles_in).astype(object).fillna(pid.map(roles_all)).astype(object).fillna("")
    out["label"] = name.astype(str) + " (" + roles + ")"
    out["linked"] = pid.map(linked).astype(bool)
    out["roles"] = pid.map(parts).astype(object).fillna("")
    out["person_id"] = pid.astype(str)
    return out[[*CANDIDATE_COLUMNS, "linked", "roles"]]


def _joined(roles: pd.Series) -> str:
    return ", ".join(sorted(set(roles.astype(str))))


def _most_frequent(m: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Per person, the value of ``cols`` recorded most often (ties: first recorded)."""
    g = m.groupby(["person_id", *cols], sort=False).agg(n=("order", "size"), order=("order", "min"))
    g = g.reset_index().sort_values(["person_id", "n", "order"], ascending=[True, False, True])
    out: pd.DataFrame = g.drop_duplicates("person_id").reset_index(drop=True)
    return out


def rank_persons(surface: Surface, persons: pd.DataFrame) -> pd.DataFrame:
    """Rank candidate persons by the search cost of their home in ``surface``.

    Parameters
    ----------
    surface : Surface
    persons : DataFrame
        ``person_id, lat, lon, label`` (optionally ``linked`` and ``roles``).

    Returns
    -------
    DataFrame
        :data:`RANKED_COLUMNS`, best first; persons whose home is outside the
        study area come last with NaN hit score and no rank.

    Raises
    ------
    ValueError
        On missing columns or a non-finite home coordinate (naming the person).
    """
    require_columns(persons, CANDIDATE_COLUMNS, "persons frame")
    lat = pd.to_numeric(persons["lat"], errors="coerce").to_numpy(dtype=np.float64)
    lon = pd.to_numeric(persons["lon"], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(lat + lon)
    if bad.any():
        who = ", ".join(str(p) for p in persons.loc[bad, "person_id"])
        raise ValueError(f"persons with a missing or non-numeric lat/lon: {who}")
    cost = surface.search_cost_latlon(lat, lon)
    out = pd.DataFrame(
        {
            "person_id": persons["person_id"].astype(str).to_numpy(),
            "label": persons["label"].to_numpy(),
            "lat": lat,
            "lon": lon,
            "hit_score_pct": cost.hit_score_pct,
            "search_area_km2": cost.area_km2,
            "linked": persons["linked"].to_numpy(dtype=bool)
            if "linked" in persons.columns
            else np.zeros(len(persons), dtype=bool),
            "roles": persons["roles"].fillna("").astype(str).to_numpy()
            if "roles" in persons.columns
            else np.full(len(persons), "", dtype=object),
        }
    )
    out = out.sort_values(["hit_score_pct", "person_id"], na_position="last", kind="stable")
    out = out.reset_index(drop=True)
    inside = out["hit_score_pct"].notna()
    rank = pd.Series(np.arange(1, len(out) + 1), dtype="Int64").where(inside, pd.NA)
    out.insert(0, "rank", rank)
    return out[list(RANKED_COLUMNS)]


def persons_of_interest(
    ranked: pd.DataFrame, top_pct: float = 5.0, first_pct: float | None = None
) -> pd.DataFrame:
    """The ranked persons whose home is within the first ``top_pct`` % of the search.

    With ``first_pct``, persons mentioned in the series' cases (``linked``)
    whose home is within the first ``first_pct`` % come first — a reporter or
    finder of one of the series' cases living at the profile's peak is the
    first person to look at — then everyone else in search order.
    """
    if not 0 < top_pct <= 100:
        raise ValueError(f"top_pct must be in (0, 100], got {top_pct}")
    if first_pct is not None and not 0 < first_pct <= top_pct:
        raise ValueError(f"first_pct must be in (0, top_pct={top_pct}], got {first_pct}")
    out = ranked[ranked["hit_score_pct"] <= top_pct]
    if first_pct is not None:
        first = out["linked"].astype(bool) & (out["hit_score_pct"] <= first_pct)
        out = pd.concat([out[first], out[~first]])
    return out.reset_index(drop=True)
