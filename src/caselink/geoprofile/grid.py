"""The study area: a rectangular grid of cells over which a surface is scored.

The default study area is Rossmo's hunting area (Rossmo 2000, ch. 10; as
implemented in Spaulding & Morris's ``rgeoprofile``): the bounding box of the
crime sites widened on each side by half the mean spacing between crimes
along that axis, ``range / (2 (n - 1))``. A fixed margin in kilometres, or an
explicit box, can be given instead. Because a hit-score percentage depends on
the size of this box, every evaluation also reports the searched area in km².
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from caselink.geoprofile.projection import FloatArray, LocalProjection

MIN_HALF_WIDTH_KM = 0.5
"""A study area is at least 1 km wide and tall (a single crime, or crimes on a line)."""


@dataclass(frozen=True)
class Grid:
    """A regular grid of ``ny`` x ``nx`` cells in a local projection.

    Cell ``(row, col)`` has its centre at ``(x[col], y[row])`` km; row 0 is the
    southern edge. ``x_edges``/``y_edges`` bound the area.
    """

    projection: LocalProjection
    x_edges: FloatArray
    y_edges: FloatArray

    def __post_init__(self) -> None:
        for name, edges in (("x_edges", self.x_edges), ("y_edges", self.y_edges)):
            if edges.ndim != 1 or edges.size < 2 or not np.all(np.diff(edges) > 0):
                raise ValueError(f"{name} must be an increasing 1-D array of >= 2 values")

    @property
    def x(self) -> FloatArray:
        """Cell centres east of the projection centre, km (length ``nx``)."""
        out: FloatArray = (self.x_edges[:-1] + self.x_edges[1:]) / 2.0
        return out

    @property
    def y(self) -> FloatArray:
        """Cell centres north of the projection centre, km (length ``ny``)."""
        out: FloatArray = (self.y_edges[:-1] + self.y_edges[1:]) / 2.0
        return out

    @property
    def shape(self) -> tuple[int, int]:
        """``(ny, nx)``."""
        return (self.y_edges.size - 1, self.x_edges.size - 1)

    @property
    def cell_area_km2(self) -> float:
        """Area of one cell, km² (all cells are equal)."""
        return float((self.x_edges[1] - self.x_edges[0]) * (self.y_edges[1] - self.y_edges[0]))

    @property
    def area_km2(self) -> float:
        """Area of the whole study area, km²."""
        return float((self.x_edges[-1] - self.x_edges[0]) * (self.y_edges[-1] - self.y_edges[0]))

    def latlon(self) -> tuple[FloatArray, FloatArray]:
        """Latitude and longitude of every cell centre, each of shape ``(ny, nx)``."""
        xx, yy = np.meshgrid(self.x, self.y)
        return self.projection.to_latlon(xx, yy)

    def cell_of(self, x: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Row and column of the cells holding points (x, y) km; -1 when outside."""
        xa = np.atleast_1d(np.asarray(x, dtype=np.float64))
        ya = np.atleast_1d(np.asarray(y, dtype=np.float64))
        nx, ny = self.x_edges.size - 1, self.y_edges.size - 1
        col = np.searchsorted(self.x_edges, xa, side="right") - 1
        row = np.searchsorted(self.y_edges, ya, side="right") - 1
        # the far edges belong to the last cell
        col = np.where(xa == self.x_edges[-1], nx - 1, col)
        row = np.where(ya == self.y_edges[-1], ny - 1, row)
        outside = (col < 0) | (col >= nx) | (row < 0) | (row >= ny) | ~np.isfinite(xa + ya)
        return (
            np.where(outside, -1, row).astype(np.int64),
            np.where(outside, -1, col).astype(np.int64),
        )


def study_area(
    lat: ArrayLike,
    lon: ArrayLike,
    *,
    cells: int | tuple[int, int] = 200,
    margin_km: float | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    projection: LocalProjection | None = None,
) -> Grid:
    """The grid over the study area of a series of crimes.

    Parameters
    ----------
    lat, lon : array-like
        Crime sites, degrees.
    cells : int or (ny, nx)
        Resolution: cells along each axis (``500`` gives a 500 x 500 grid).
    margin_km : float, optional
        Widen the crimes' bounding box by this many km on every side. Default:
        Rossmo's hunting area, half the mean inter-crime spacing per axis.
    bounds : (south, west, north, east), optional
        An explicit area in degrees; overrides the bounding box and margin.
    projection : LocalProjection, optional
        Default: equirectangular about the mean crime site.

    Returns
    -------
    Grid

    Raises
    ------
    ValueError
        On no crimes, non-finite coordinates, ``cells`` < 2, a negative
        margin, or a box whose south/west is not below its north/east.
    """
    ny, nx = (cells, cells) if isinstance(cells, int) else cells
    if ny < 2 or nx < 2:
        raise ValueError(f"cells must be >= 2 along each axis, got {cells!r}")
    proj = projection or LocalProjection.around(lat, lon)
    if bounds is not None:
        south, west, north, east = bounds
        if not (south < north and west < east):
            raise ValueError(
                f"bounds must be (south, west, north, east) with south < north and "
                f"west < east, got {bounds!r}"
            )
        x0, y0 = proj.to_xy(south, west)
        x1, y1 = proj.to_xy(north, east)
        return Grid(
            proj,
            np.linspace(float(x0), float(x1), nx + 1),
            np.linspace(float(y0), float(y1), ny + 1),
        )
    x, y = proj.to_xy(lat, lon)
    x, y = np.atleast_1d(x), np.atleast_1d(y)
    if margin_km is not None and margin_km < 0:
        raise ValueError(f"margin_km must be >= 0, got {margin_km}")
    lo_hi = []
    for v in (x, y):
        lo, hi = float(v.min()), float(v.max())
        if margin_km is None:
            pad = (hi - lo) / (2.0 * (v.size - 1)) if v.size > 1 else 0.0
        else:
            pad = margin_km
        lo, hi = lo - pad, hi + pad
        mid = (lo + hi) / 2.0
        half = max((hi - lo) / 2.0, MIN_HALF_WIDTH_KM)
        lo_hi.append((mid - half, mid + half))
    (xa, xb), (ya, yb) = lo_hi
    return Grid(proj, np.linspace(xa, xb, nx + 1), np.linspace(ya, yb, ny + 1))
