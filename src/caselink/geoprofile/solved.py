"""Solved series and offenders' homes from the store's frames.

A solved series is the set of cases sharing an ``offender_id`` (cases frame,
see :mod:`caselink.records.frames`). The offender's home comes from, in order:

1. a homes table ``offender_id, home_lat, home_lon`` (e.g. the synthetic
   generator's ``truth_offenders.csv``), when given;
2. the person mentions in the series' cases with role ``offender``, then
   ``suspect``, whose ``address_lat``/``address_lon`` are known: the address
   recorded most often (ties: first recorded).

Series without a known home are not dropped silently: they are listed in
:attr:`SolvedSeries.skipped` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from caselink.records.frames import require_columns

HOME_ROLES: tuple[str, ...] = ("offender", "suspect")


@dataclass(frozen=True)
class SolvedSeries:
    """Solved series ready for evaluation or fitting.

    ``frame``: one row per case, ``series_id, case_id, lat, lon, home_lat,
    home_lon, home_source``; ``skipped``: series id -> why it was left out.
    """

    frame: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)


def read_homes(path: str) -> pd.DataFrame:
    """Read a homes table (``offender_id, home_lat, home_lon``; other columns ignored).

    Raises
    ------
    ValueError
        Naming missing columns or each row with a non-numeric coordinate.
    """
    homes = pd.read_csv(path, dtype={"offender_id": str})
    require_columns(homes, ("offender_id", "home_lat", "home_lon"), f"{path}:")
    problems = []
    for col in ("home_lat", "home_lon"):
        values = pd.to_numeric(homes[col], errors="coerce")
        for row in np.flatnonzero(values.isna().to_numpy() & homes[col].notna().to_numpy()):
            problems.append(
                f"row {row + 1}, column {col}, value {homes[col].iloc[row]!r}: not a number"
            )
        homes[col] = values
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return homes[["offender_id", "home_lat", "home_lon"]]


def homes_from_mentions(cases: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Offenders' homes from offender/suspect mentions with a known address location.

    Returns ``offender_id, home_lat, home_lon, home_source`` (``mention:offender``
    or ``mention:suspect``), one row per offender whose home is known.
    """
    solved = cases.loc[cases["offender_id"].notna(), ["case_id", "offender_id"]]
    m = mentions[
        mentions["role"].isin(HOME_ROLES)
        & mentions["address_lat"].notna()
        & mentions["address_lon"].notna()
    ].merge(solved, on="case_id")
    rows = []
    for oid, group in m.groupby("offender_id", sort=True):
        for role in HOME_ROLES:
            g = group[group["role"] == role]
            if len(g) == 0:
                continue
            key = (
                g["address_lat"].round(6).astype(str) + "," + g["address_lon"].round(6).astype(str)
            )
            best = key.value_counts(sort=True).index[0]
            first = g[key == best].iloc[0]
            rows.append(
                {
                    "offender_id": oid,
                    "home_lat": float(first["address_lat"]),
                    "home_lon": float(first["address_lon"]),
                    "home_source": f"mention:{role}",
                }
            )
            break
    return pd.DataFrame(rows, columns=["offender_id", "home_lat", "home_lon", "home_source"])


def solved_series(
    cases: pd.DataFrame,
    mentions: pd.DataFrame | None = None,
    homes: pd.DataFrame | None = None,
    *,
    min_crimes: int = 2,
) -> SolvedSeries:
    """The solved series of a store, each with its offender's home.

    Parameters
    ----------
    cases : DataFrame
        The cases frame (needs ``case_id, lat, lon, offender_id``).
    mentions : DataFrame, optional
        The mentions frame, for homes from offender/suspect addresses.
    homes : DataFrame, optional
        ``offender_id, home_lat, home_lon``; takes precedence over mentions.
    min_crimes : int
        Offenders with fewer cases are not series (listed in ``skipped``).

    Returns
    -------
    SolvedSeries
    """
    if min_crimes < 1:
        raise ValueError(f"min_crimes must be >= 1, got {min_crimes}")
    solved = cases.loc[cases["offender_id"].notna(), ["case_id", "offender_id", "lat", "lon"]]
    known = pd.DataFrame(columns=["offender_id", "home_lat", "home_lon", "home_source"])
    if mentions is not None:
        known = homes_from_mentions(cases, mentions)
    if homes is not None:
        table = homes.dropna(subset=["home_lat", "home_lon"]).copy()
        table["offender_id"] = table["offender_id"].astype(str)
        table["home_source"] = "homes table"
        known = pd.concat(
            [
                table[["offender_id", "home_lat", "home_lon", "home_source"]],
                known[~known["offender_id"].isin(table["offender_id"])],
            ],
            ignore_index=True,
        )
    skipped: dict[str, str] = {}
    sizes = solved.groupby("offender_id").size()
    for oid, n in sizes.items():
        if n < min_crimes:
            skipped[str(oid)] = f"{n} case(s), fewer than {min_crimes}"
    keep = solved[solved["offender_id"].isin(sizes[sizes >= min_crimes].index)]
    with_home = keep.merge(known, on="offender_id", how="left")
    for oid in with_home.loc[with_home["home_lat"].isna(), "offender_id"].unique():
        skipped[str(oid)] = "home unknown (no homes-table row and no offender/suspect address)"
    frame = with_home.dropna(subset=["home_lat", "home_lon"]).rename(
        columns={"offender_id": "series_id"}
    )
    frame = frame[["series_id", "case_id", "lat", "lon", "home_lat", "home_lon", "home_source"]]
    return SolvedSeries(frame.reset_index(drop=True), skipped)
