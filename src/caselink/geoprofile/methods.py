"""The methods by name, and one call to profile a series from lat/lon.

=============  ==============================================  =================
name           method                                          needs solved data
=============  ==============================================  =================
``cgt``        Rossmo's criminal geographic targeting          no
``jtc``        journey-to-crime, decay fitted by KDE           yes
``bayes``      Bayesian JTC, uniform prior                     yes
``bayes-cgt``  Bayesian JTC with the CGT surface as prior      yes
``bayes-res``  Bayesian JTC, prior: where people live          yes, and a prior
``normal-res`` O'Leary's normal model, prior: where people     a prior
               live (spread set by the series itself)
``centroid``   mean crime site                                 no
``cmd``        centre of minimum distance (Weber point)        no
``circle``     Canter & Larkin's circle hypothesis             no
=============  ==============================================  =================

The residential prior (a :class:`~caselink.geoprofile.residential.ResidentialDensity`)
is passed as ``prior=``; ``--method auto`` is :mod:`~caselink.geoprofile.selection`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from numpy.typing import ArrayLike

from caselink.geoprofile.baselines import CentreOfMinimumDistance, Centroid, CircleHypothesis
from caselink.geoprofile.bayesian import (
    BayesianJourneyToCrime,
    GridPrior,
    NormalJourneyToCrime,
)
from caselink.geoprofile.decay import JourneyToCrime
from caselink.geoprofile.grid import Grid, study_area
from caselink.geoprofile.profiler import Profiler
from caselink.geoprofile.rossmo import RossmoCGT
from caselink.geoprofile.surface import Surface

METHODS: tuple[str, ...] = (
    "cgt",
    "jtc",
    "bayes",
    "bayes-cgt",
    "bayes-res",
    "normal-res",
    "centroid",
    "cmd",
    "circle",
)
FITTED_METHODS: frozenset[str] = frozenset({"jtc", "bayes", "bayes-cgt", "bayes-res"})
PRIOR_METHODS: frozenset[str] = frozenset({"bayes-res", "normal-res"})
"""Methods that multiply by a residential prior (and need one)."""


def make_profiler(
    method: str,
    solved: pd.DataFrame | None = None,
    *,
    prior: GridPrior | None = None,
    **params: Any,
) -> Profiler:
    """A profiler by name, fitted on ``solved`` series when the method learns its decay.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    solved : DataFrame, optional
        Solved series (``series_id, lat, lon, home_lat, home_lon``); required
        for ``jtc``, ``bayes``, ``bayes-cgt`` and ``bayes-res``.
    prior : GridPrior, optional
        Where people live; required for ``bayes-res`` and ``normal-res``.
    **params
        Passed to the method's constructor (``buffer_km``, ``f``, ``g``,
        ``bandwidth_km``).

    Raises
    ------
    ValueError
        On an unknown method, a fitted method without solved series, or a
        prior method without a prior.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if method in FITTED_METHODS and (solved is None or len(solved) == 0):
        raise ValueError(
            f"method {method!r} fits its distance decay on solved series: none were given"
        )
    if method in PRIOR_METHODS and prior is None:
        raise ValueError(
            f"method {method!r} needs a residential prior (persons' home addresses in the "
            "store, or a population grid): none was given"
        )
    if method == "normal-res":
        assert prior is not None
        if params:
            raise ValueError(f"method {method!r} takes no parameters, got {', '.join(params)}")
        return NormalJourneyToCrime(prior=prior)
    if method == "bayes-res":
        assert solved is not None and prior is not None
        return BayesianJourneyToCrime(prior=prior, **params).fit(solved)
    if method == "cgt":
        return RossmoCGT(**params)
    if method == "jtc":
        assert solved is not None
        return JourneyToCrime(**params).fit(solved)
    if method in ("bayes", "bayes-cgt"):
        assert solved is not None
        named = "cgt" if method == "bayes-cgt" else "uniform"
        return BayesianJourneyToCrime(prior=named, **params).fit(solved)
    if params:
        raise ValueError(f"method {method!r} takes no parameters, got {', '.join(params)}")
    return {"centroid": Centroid, "cmd": CentreOfMinimumDistance, "circle": CircleHypothesis}[
        method
    ]()


def geoprofile(
    lat: ArrayLike,
    lon: ArrayLike,
    method: str = "cgt",
    *,
    solved: pd.DataFrame | None = None,
    grid: Grid | None = None,
    cells: int = 200,
    margin_km: float | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    prior: GridPrior | None = None,
    **params: Any,
) -> Surface:
    """Profile one series: the surface of ``method`` over its study area.

    Parameters
    ----------
    lat, lon : array-like
        The series' crime sites, degrees.
    method : str
        One of :data:`METHODS`.
    solved : DataFrame, optional
        Solved series to fit ``jtc``/``bayes`` on (never include this series).
    grid : Grid, optional
        Use this grid; else :func:`~caselink.geoprofile.grid.study_area` with
        ``cells``, ``margin_km`` and ``bounds``.
    prior : GridPrior, optional
        Where people live, for ``bayes-res`` and ``normal-res``.
    **params
        Method parameters (see :func:`make_profiler`).

    Returns
    -------
    Surface

    Examples
    --------
    >>> s = geoprofile([51.54, 51.55, 51.545], [0.08, 0.10, 0.11], "centroid", cells=20)
    >>> s.to_frame().columns.tolist()
    ['lat', 'lon', 'score']
    """
    g = grid or study_area(lat, lon, cells=cells, margin_km=margin_km, bounds=bounds)
    x, y = g.projection.to_xy(lat, lon)
    return make_profiler(method, solved, prior=prior, **params).surface(x, y, g)
