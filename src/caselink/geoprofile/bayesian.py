"""Bayesian journey-to-crime (O'Leary 2009; CrimeStat IV's Bayesian JTC).

The anchor point z gets a posterior over the grid::

    P(z | x_1..x_n)  ∝  pi(z) * prod_i p(x_i | z)

where ``p(x | z)`` is the two-dimensional density of offending at x for an
offender living at z. It is fitted from the offence-to-home offsets of solved
series as an isotropic Gaussian kernel density in the plane: averaging a 2-D
Gaussian kernel at each offset over all directions gives, for a distance r::

    p(r) = 1/(N 2 pi h^2) * sum_k exp(-(r^2 + r_k^2) / (2 h^2)) * I0(r r_k / h^2)

(I0 the modified Bessel function), a proper density in the plane that is
finite at r = 0; a ring of mass at the typical journey length gives the
likelihood a buffer zone when the solved data have one. The bandwidth is the
normal-reference rule for 2-D data, ``sigma * N**(-1/6)`` with ``sigma`` the
per-axis spread ``sqrt(mean(r_k^2) / 2)`` (Silverman 1986, §4.3.2).

**The offender's own range.** Offenders differ in how far they travel, and one
offender's crimes share his range: treating them as independent draws from the
pooled density overstates what three short journeys say about a far-travelling
offender. The likelihood is therefore a scale mixture (a hierarchical model)::

    p(x_1..x_n | z)  =  ∫ prod_i p(|x_i - z| / m) / m^2  LogNormal(m; 0, s) dm

with ``p`` the pooled density above and ``m`` the offender's range multiplier,
integrated by Gauss-Hermite quadrature. ``s = 0`` is O'Leary's independent
model. ``s`` is chosen by maximum marginal likelihood of the solved series'
own journeys (empirical Bayes) over a grid from 0 to 1, so a city whose
offenders all travel alike keeps ``s = 0``.

Priors ``pi(z)``:

- ``"uniform"``: every cell equally likely a priori (O'Leary's default).
- ``"cgt"``: Rossmo's CGT surface of the same series, normalised. This is the
  combination of the two models asked for; note that it uses the crimes twice
  (in the prior and in the likelihood), so its posterior is overconfident —
  it is a ranking heuristic, not a calibrated probability.
- an array of shape ``grid.shape`` of non-negative weights;
- a :class:`GridPrior`, such as the residential density of
  :mod:`~caselink.geoprofile.residential` (O'Leary's suggested prior: where
  people live), evaluated on each series' grid (method ``bayes-res``).

:class:`NormalJourneyToCrime` is O'Leary's (2009, §4) simplest model, which
needs no solved series: crimes are bivariate normal about the anchor point
with an unknown spread σ. With the scale-invariant prior ``p(σ) ∝ 1/σ``,
integrating σ out gives (S = Σ|x_i - x̄|², d = distance to the centroid)::

    P(z | x_1..x_n)  ∝  pi(z) * ∫ σ^(-2n-1) exp(-(S + n d(z)²) / 2σ²) dσ
                     ∝  pi(z) * (S + n d(z)²) ** -n

a heavy-tailed (bivariate t) posterior centred on the centroid whose spread
the series itself sets. With a uniform prior it searches in the centroid's
order; with the residential prior (``normal-res``) it prefers where people
live near the centroid.

Scores are natural-log posterior probabilities per cell (they sum to 1 after
``exp``), which keep the order of far cells that a probability would round to 0.

Reference: O'Leary, M. (2009), "The mathematics of geographic profiling",
*Journal of Investigative Psychology and Offender Profiling* 6(3), 253-265.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, Protocol

import numpy as np
import pandas as pd
from numpy.polynomial.hermite_e import hermegauss
from scipy.special import i0e, logsumexp

from caselink.geoprofile.decay import (
    _CHUNK,
    TABLE_SIZE,
    NotFittedError,
    journey_distances,
    validate_solved,
)
from caselink.geoprofile.grid import Grid
from caselink.geoprofile.profiler import Profiler, corner_distance_max, distances_to_cells
from caselink.geoprofile.projection import FloatArray
from caselink.geoprofile.rossmo import RossmoCGT

PRIORS: tuple[str, ...] = ("uniform", "cgt")
RANGE_SIGMAS: FloatArray = np.round(np.linspace(0.0, 1.0, 11), 2)
"""Log-sd values of the offender's range tried by marginal likelihood."""
RANGE_NODES = 15
"""Gauss-Hermite nodes integrating the range out."""


def _range_nodes(sigma: float) -> tuple[FloatArray, FloatArray]:
    """Log range multipliers and log weights integrating over LogNormal(0, sigma)."""
    if sigma == 0.0:
        return np.zeros(1), np.zeros(1)
    z, w = hermegauss(RANGE_NODES)
    return sigma * z, np.log(w / w.sum())


def range_log_likelihood(
    distances: Sequence[FloatArray], log_density: Callable[[FloatArray], FloatArray], sigma: float
) -> FloatArray:
    """Log ``∫ prod_i p(d_i / m) / m^2 dP(m)`` for each location, ``d_i`` the crimes' distances.

    ``distances`` holds one array per crime (distances to every location, all
    of one shape); ``log_density`` is the pooled log density per unit area.
    """
    log_m, log_w = _range_nodes(sigma)
    n = len(distances)
    per_node = [
        lw + sum(log_density(d * np.exp(-lm)) for d in distances) - 2.0 * n * lm
        for lm, lw in zip(log_m, log_w, strict=True)
    ]
    out: FloatArray = logsumexp(np.stack(per_node), axis=0)
    return out


class GridPrior(Protocol):
    """A prior over anchor points that can be evaluated on any grid."""

    def log_prior(self, grid: Grid) -> FloatArray:
        """Log prior probability of each cell of ``grid``."""
        ...


def radial_log_density(r: FloatArray, sample: FloatArray, bandwidth: float) -> FloatArray:
    """Log isotropic 2-D kernel density of offsets of lengths ``sample``, at lengths ``r``.

    Lengths are first binned to a width of a sixteenth of the bandwidth
    (a binned kernel estimate, Wand & Jones 1995, App. D: each kernel moves by
    at most h/32, a negligible change), so the cost grows with the occupied
    bins, not with the number of solved crimes.
    """
    width = bandwidth / 16.0
    bins, counts = np.unique(np.rint(sample / width).astype(np.int64), return_counts=True)
    centres = bins.astype(np.float64) * width
    logw = np.log(counts.astype(np.float64))
    h2 = bandwidth**2
    acc = np.full(r.shape, -np.inf)
    for start in range(0, centres.size, _CHUNK):
        s = centres[start : start + _CHUNK][None, :]
        rr = r[:, None]
        # exp(-(r^2+s^2)/2h^2) I0(rs/h^2) = exp(-(r-s)^2/2h^2) * i0e(rs/h^2)
        terms = (
            -((rr - s) ** 2) / (2.0 * h2) + np.log(i0e(rr * s / h2)) + logw[start : start + _CHUNK]
        )
        acc = np.logaddexp(acc, logsumexp(terms, axis=1))
    out: FloatArray = acc - np.log(2.0 * np.pi * h2 * sample.size)
    return out


class BayesianJourneyToCrime(Profiler):
    """Posterior of the anchor point: prior x product of per-crime likelihoods.

    Parameters
    ----------
    bandwidth_km : float, optional
        Kernel bandwidth of the offset density; default the 2-D normal rule.
    prior : {"uniform", "cgt"}, ndarray or GridPrior
        Prior over anchor locations (see the module docstring).
    buffer_km, f, g : optional
        CGT parameters when ``prior="cgt"`` (see :class:`RossmoCGT`).
    range_sigma : float, optional
        Log-sd of the offender's own range (module docstring); default chosen
        by marginal likelihood on the solved series; ``0`` = independent crimes.

    Attributes
    ----------
    distances_ : ndarray
        Offence-to-home distances (km) fitted on.
    bandwidth_ : float
        Bandwidth used, km.
    n_series_ : int
        Number of solved series fitted on.
    range_sigma_ : float
        Log-sd of the offender's range used.
    """

    name: ClassVar[str] = "bayes"

    def __init__(
        self,
        bandwidth_km: float | None = None,
        prior: str | FloatArray | GridPrior = "uniform",
        buffer_km: float | None = None,
        f: float = 1.2,
        g: float = 1.2,
        range_sigma: float | None = None,
    ) -> None:
        self.bandwidth_km = bandwidth_km
        self.prior = prior
        self.buffer_km = buffer_km
        self.f = f
        self.g = g
        self.range_sigma = range_sigma

    def label(self) -> str:
        """``bayes`` (uniform), ``bayes-cgt``, ``bayes-res`` (GridPrior) or ``bayes-prior``."""
        if isinstance(self.prior, str):
            return "bayes" if self.prior == "uniform" else f"bayes-{self.prior}"
        if hasattr(self.prior, "log_prior"):
            return "bayes-res"
        return "bayes-prior"

    def fit(self, solved: pd.DataFrame) -> BayesianJourneyToCrime:
        """Fit the offset density on solved series (columns ``SOLVED_COLUMNS``)."""
        if self.bandwidth_km is not None and not self.bandwidth_km > 0:
            raise ValueError(f"bandwidth_km must be > 0, got {self.bandwidth_km}")
        if isinstance(self.prior, str) and self.prior not in PRIORS:
            raise ValueError(
                f"prior must be one of {', '.join(PRIORS)} or an array, got {self.prior!r}"
            )
        validate_solved(solved)
        self.distances_ = journey_distances(solved)
        if self.bandwidth_km is not None:
            self.bandwidth_ = float(self.bandwidth_km)
        else:
            sigma = float(np.sqrt(np.mean(self.distances_**2) / 2.0))
            if not sigma > 0:
                raise ValueError("bandwidth_km cannot be derived: all distances are 0; give one")
            self.bandwidth_ = sigma * self.distances_.size ** (-1.0 / 6.0)
        self.n_series_ = int(solved["series_id"].nunique())
        if self.range_sigma is not None:
            if not 0.0 <= self.range_sigma <= 3.0:
                raise ValueError(f"range_sigma must be in [0, 3], got {self.range_sigma}")
            self.range_sigma_ = float(self.range_sigma)
        else:
            self.range_sigma_ = self._choose_range_sigma(solved)
        return self

    def _choose_range_sigma(self, solved: pd.DataFrame) -> float:
        """The range log-sd of highest marginal likelihood of the solved series' journeys."""
        series = solved["series_id"].to_numpy()
        order = np.argsort(series, kind="stable")
        _, starts = np.unique(series[order], return_index=True)
        if len(starts) < 2:
            return 0.0
        d = self.distances_[order]
        log_density = self._log_density_table(float(d.max()))
        totals = []
        for sigma in RANGE_SIGMAS:
            log_m, log_w = _range_nodes(float(sigma))
            # per node: each series' sum of log p(d / m) / m^2; then integrate m out
            per_node = np.stack(
                [
                    lw + np.add.reduceat(log_density(d * np.exp(-lm)) - 2.0 * lm, starts)
                    for lm, lw in zip(log_m, log_w, strict=True)
                ]
            )
            totals.append(float(logsumexp(per_node, axis=0).sum()))
        return float(RANGE_SIGMAS[int(np.argmax(totals))])

    def _log_density_table(self, r_max: float) -> Callable[[FloatArray], FloatArray]:
        """The pooled log density read from a table out to ``r_max`` x the 95th-percentile range.

        Beyond the table the last value is used; only range multipliers far in
        the lognormal's tail (weight < 3 %) read there.
        """
        sigma = max(float(RANGE_SIGMAS.max()), getattr(self, "range_sigma_", 0.0))
        table_r = np.linspace(0.0, r_max * float(np.exp(2.0 * sigma)) + 0.1, 8 * TABLE_SIZE)
        table_l = self.log_likelihood_distance(table_r)

        def log_density(r: FloatArray) -> FloatArray:
            out: FloatArray = np.interp(r, table_r, table_l)
            return out

        return log_density

    def log_likelihood_distance(self, r: FloatArray) -> FloatArray:
        """Log density of offending at distance ``r`` km from home (per unit area)."""
        if not hasattr(self, "distances_"):
            raise NotFittedError(
                f"{type(self).__name__} is not fitted: call fit(solved) with solved series first"
            )
        return radial_log_density(np.asarray(r, dtype=np.float64), self.distances_, self.bandwidth_)

    def _log_prior(self, x: FloatArray, y: FloatArray, grid: Grid) -> FloatArray:
        if isinstance(self.prior, str):
            if self.prior == "uniform":
                return np.zeros(grid.shape, dtype=np.float64)
            cgt = RossmoCGT(self.buffer_km, self.f, self.g).score_grid(x, y, grid)
            out: FloatArray = np.log(cgt)
            return out
        if hasattr(self.prior, "log_prior"):
            return grid_log_prior(self.prior, grid)
        weights = np.asarray(self.prior, dtype=np.float64)
        if weights.shape != grid.shape or not (np.isfinite(weights).all() and (weights >= 0).all()):
            raise ValueError(
                f"prior array must be finite, >= 0 and of shape {grid.shape}, "
                f"got shape {weights.shape}"
            )
        with np.errstate(divide="ignore"):
            logw: FloatArray = np.log(weights)
        if not np.isfinite(logw).any():
            raise ValueError("prior array is zero everywhere")
        # cells with zero prior can never hold the anchor: rank them last, keep finite
        return np.where(np.isfinite(logw), logw, logw[np.isfinite(logw)].min() - 1e3)

    def score_grid(self, x: FloatArray, y: FloatArray, grid: Grid) -> FloatArray:
        """Log posterior probability of each cell (normalised over the grid)."""
        r_max = corner_distance_max(x, y, grid, "euclidean")
        sigma = getattr(self, "range_sigma_", 0.0)
        log_density = self._log_density_table(r_max)
        distances = [
            distances_to_cells(xn, yn, grid, "euclidean") for xn, yn in zip(x, y, strict=True)
        ]
        logp = self._log_prior(x, y, grid) + range_log_likelihood(distances, log_density, sigma)
        out: FloatArray = logp - logsumexp(logp)
        return out


def grid_log_prior(prior: GridPrior, grid: Grid) -> FloatArray:
    """``prior.log_prior(grid)``, checked to be finite and of the grid's shape."""
    out = np.asarray(prior.log_prior(grid), dtype=np.float64)
    if out.shape != grid.shape or not np.isfinite(out).all():
        raise ValueError(f"a prior must give finite log values of shape {grid.shape}")
    return out


class NormalJourneyToCrime(Profiler):
    """O'Leary's normal model with unknown spread: needs no solved series.

    Parameters
    ----------
    prior : "uniform" or GridPrior
        Prior over anchor points (``normal-res`` with a residential density).
    """

    name: ClassVar[str] = "normal"

    def __init__(self, prior: str | GridPrior = "uniform") -> None:
        self.prior = prior

    def label(self) -> str:
        """``normal`` (uniform prior) or ``normal-res`` (a GridPrior)."""
        return "normal" if isinstance(self.prior, str) else "normal-res"

    def estimate(self, x: FloatArray, y: FloatArray) -> tuple[float, float] | None:
        """The centroid when the prior is uniform; else the posterior's peak."""
        if isinstance(self.prior, str):
            return float(np.mean(x)), float(np.mean(y))
        return None

    def score_grid(self, x: FloatArray, y: FloatArray, grid: Grid) -> FloatArray:
        """Log posterior probability of each cell (normalised over the grid)."""
        if isinstance(self.prior, str) and self.prior != "uniform":
            raise ValueError(f"prior must be 'uniform' or a GridPrior, got {self.prior!r}")
        n = x.size
        mx, my = float(np.mean(x)), float(np.mean(y))
        spread = float(((x - mx) ** 2 + (y - my) ** 2).sum())
        # one crime, or all at one place: the spread cannot be zero, floor it at a cell
        cell = float(np.hypot(grid.x_edges[1] - grid.x_edges[0], grid.y_edges[1] - grid.y_edges[0]))
        spread = max(spread, n * cell**2)
        d2 = distances_to_cells(mx, my, grid, "euclidean") ** 2
        logp = -float(n) * np.log(spread + n * d2)
        if not isinstance(self.prior, str):
            logp = logp + grid_log_prior(self.prior, grid)
        out: FloatArray = logp - logsumexp(logp)
        return out
