"""Draw a surface, the series' crimes and candidate persons' homes to a PNG.

The colour shows the hit score at which each cell is reached (search order),
not the raw score, so maps of different methods read alike: dark = searched
first. Contours mark the first 1, 5, 10 and 25 % of the area.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from caselink.geoprofile.surface import Surface

CONTOURS_PCT: tuple[float, ...] = (1.0, 5.0, 10.0, 25.0)


def draw_profile(
    surface: Surface,
    crimes: pd.DataFrame,
    path: str | Path,
    *,
    persons: pd.DataFrame | None = None,
    title: str | None = None,
    max_labels: int = 15,
) -> Path:
    """Write a PNG map of ``surface`` with crimes (``case_id, lat, lon``) and ranked persons.

    Parameters
    ----------
    surface : Surface
    crimes : DataFrame
        ``lat, lon`` and optionally ``case_id`` of the series' crimes.
    path : path
        Where to write the PNG.
    persons : DataFrame, optional
        Output of :func:`~caselink.geoprofile.persons.rank_persons`; the best
        ``max_labels`` in the area are drawn with their rank and hit score.
    title : str, optional

    Returns
    -------
    Path
        The file written.
    """
    grid = surface.grid
    lat0, lon0 = grid.projection.to_latlon(grid.x_edges[0], grid.y_edges[0])
    lat1, lon1 = grid.projection.to_latlon(grid.x_edges[-1], grid.y_edges[-1])
    extent = (float(lon0), float(lon1), float(lat0), float(lat1))
    pct = surface.percentile_map()
    fig = Figure(figsize=(8, 8), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    img = ax.imshow(
        pct, origin="lower", extent=extent, cmap="magma", vmin=0, vmax=100, interpolation="nearest"
    )
    lat_c, lon_c = grid.latlon()
    cs = ax.contour(lon_c, lat_c, pct, levels=list(CONTOURS_PCT), colors="white", linewidths=0.7)
    ax.clabel(cs, fmt=lambda v: f"{v:g}%", fontsize=7)
    ax.scatter(crimes["lon"], crimes["lat"], marker="x", c="cyan", s=40, label="crimes", zorder=3)
    if "case_id" in crimes.columns:
        for _, c in crimes.iterrows():
            ax.annotate(
                str(c["case_id"]),
                (c["lon"], c["lat"]),
                fontsize=6,
                color="cyan",
                xytext=(3, 3),
                textcoords="offset points",
            )
    if persons is not None and len(persons):
        shown = persons[persons["hit_score_pct"].notna()].head(max_labels)
        ax.scatter(
            shown["lon"],
            shown["lat"],
            marker="^",
            c="lime",
            s=40,
            edgecolors="black",
            label="homes of persons",
            zorder=4,
        )
        for _, p in shown.iterrows():
            ax.annotate(
                f"#{p['rank']} {p['label']} ({p['hit_score_pct']:.1f}%)",
                (p["lon"], p["lat"]),
                fontsize=6,
                color="white",
                xytext=(4, -8),
                textcoords="offset points",
            )
    px_lat, px_lon = surface.point_latlon
    ax.scatter(
        [px_lon],
        [px_lat],
        marker="*",
        c="yellow",
        s=120,
        edgecolors="black",
        label=f"{surface.method} estimate",
        zorder=5,
    )
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(1.0 / math.cos(math.radians(grid.projection.lat0)))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.legend(loc="upper right", fontsize=7)
    ax.set_title(title or f"Geographic profile ({surface.method}), {grid.area_km2:.1f} km²")
    fig.colorbar(img, ax=ax, shrink=0.7, label="% of area searched before this cell")
    out = Path(path)
    fig.savefig(out)
    return out
