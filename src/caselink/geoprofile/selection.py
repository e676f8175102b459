"""``--method auto``: the method the store's own solved series say is best.

Every method that can run is scored leave-one-series-out on the solved series
whose offender's home is known (:func:`~caselink.geoprofile.evaluation.evaluate_series`:
fitted decays never see the series they score). The method with the lowest
median hit score wins (homes outside the study area count as 100 %; ties go
to the lower mean, then to the order of :data:`~caselink.geoprofile.methods.METHODS`).

With fewer than :data:`MIN_SERIES` such series a median says little, so a
fixed default is used, chosen on every benchmark source together
(``benchmarks/geoprofile_accuracy.py``: the simulated series, two synthetic
cities of independent design and the demo borough; see
``docs/geoprofile.md``): :data:`DEFAULT_WITH_PRIOR` when a residential prior
is available, else :data:`DEFAULT_WITHOUT_PRIOR`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from caselink.geoprofile.bayesian import GridPrior
from caselink.geoprofile.evaluation import RESULT_COLUMNS, available_methods, evaluate_series
from caselink.geoprofile.methods import METHODS

MIN_SERIES = 3
"""Fewest solved series with a known home for the data to choose the method."""
DEFAULT_WITH_PRIOR = "normal-res"
DEFAULT_WITHOUT_PRIOR = "cmd"
MAX_SERIES = 150
"""At most this many solved series are scored (a deterministic sample), to bound the time."""


@dataclass(frozen=True)
class MethodChoice:
    """The chosen method and why.

    Attributes
    ----------
    method : str
    reason : str
        One sentence for the analyst.
    results : DataFrame
        Leave-one-series-out results of every method (empty for a fallback).
    n_series : int
        Solved series the choice was made on.
    """

    method: str
    reason: str
    results: pd.DataFrame
    n_series: int

    def hit_scores(self, method: str | None = None) -> pd.Series:
        """Hit scores (%) of ``method`` (default the chosen one); outside = 100."""
        r = self.results[self.results["method"] == (method or self.method)]
        return r["hit_score_pct"].where(r["home_in_area"], 100.0)

    def spread(self) -> tuple[float, float, float] | None:
        """Quartiles (25, 50, 75 %) of the chosen method's hit score; None without results."""
        h = self.hit_scores()
        if len(h) == 0:
            return None
        q = np.percentile(h.to_numpy(dtype=np.float64), [25, 50, 75])
        return float(q[0]), float(q[1]), float(q[2])


def rank_methods(results: pd.DataFrame) -> pd.DataFrame:
    """Methods ordered best first: ``method, series, median_hit_pct, mean_hit_pct``."""
    r = results.assign(hit=results["hit_score_pct"].where(results["home_in_area"], 100.0))
    table = (
        r.groupby("method", sort=False)
        .agg(
            series=("series_id", "nunique"),
            median_hit_pct=("hit", "median"),
            mean_hit_pct=("hit", "mean"),
        )
        .reset_index()
    )
    order = {m: i for i, m in enumerate(METHODS)}
    table["order"] = table["method"].map(order).fillna(len(order))
    table = table.sort_values(["median_hit_pct", "mean_hit_pct", "order"], kind="stable")
    return table.drop(columns="order").reset_index(drop=True)


def fallback(prior: GridPrior | None, why: str) -> MethodChoice:
    """The documented default when the store cannot choose."""
    method = DEFAULT_WITH_PRIOR if prior is not None else DEFAULT_WITHOUT_PRIOR
    basis = (
        "the best on the benchmarks with a residential prior"
        if prior is not None
        else "the best on the benchmarks without a residential prior"
    )
    empty = pd.DataFrame(columns=list(RESULT_COLUMNS))
    return MethodChoice(method, f"{why}; using the default {method} ({basis})", empty, 0)


def choose_method(
    solved: pd.DataFrame,
    *,
    prior: GridPrior | None = None,
    methods: tuple[str, ...] | None = None,
    cells: int = 200,
    margin_km: float | None = None,
    min_crimes: int = 3,
    max_series: int = MAX_SERIES,
) -> MethodChoice:
    """Choose a method by its leave-one-series-out median hit score on ``solved``.

    Parameters
    ----------
    solved : DataFrame
        Solved series with known homes (``series_id, lat, lon, home_lat,
        home_lon``), never including the series about to be profiled.
    prior : GridPrior, optional
        Where people live; without it the prior methods are not candidates.
    methods : tuple of str, optional
        Candidates; default all that can run.
    cells, margin_km, min_crimes :
        As :func:`~caselink.geoprofile.evaluation.evaluate_series`.
    max_series : int
        Score at most this many series (a fixed-seed sample), to bound time.

    Returns
    -------
    MethodChoice
    """
    candidates = methods or available_methods(prior)
    sizes = solved.groupby("series_id").size() if len(solved) else pd.Series(dtype=int)
    scored = sorted(str(s) for s in sizes[sizes >= min_crimes].index)
    if len(scored) < MIN_SERIES:
        return fallback(
            prior,
            f"{len(scored)} solved series of {min_crimes}+ cases with a known home "
            f"(fewer than {MIN_SERIES})",
        )
    if len(scored) > max_series:
        rng = np.random.default_rng(0)
        scored = sorted(rng.choice(scored, max_series, replace=False).tolist())
    # fitted methods still fit on every other solved series, not just the sample;
    # a method that cannot profile one of them (e.g. CGT on crimes sharing sites) is left out
    frames, left_out = [], []
    for method in candidates:
        try:
            frames.append(
                evaluate_series(
                    solved,
                    [method],
                    prior=prior,
                    cells=cells,
                    margin_km=margin_km,
                    min_crimes=min_crimes,
                    scored=set(scored),
                )
            )
        except ValueError as exc:
            left_out.append(f"{method} left out: {exc}")
    if not frames:
        return fallback(
            prior, "no method could profile the solved series (" + "; ".join(left_out) + ")"
        )
    results = pd.concat(frames, ignore_index=True)
    ranking = rank_methods(results)
    best = ranking.iloc[0]
    runner_up = ranking.iloc[1] if len(ranking) > 1 else None
    than = (
        f", ahead of {runner_up['method']} ({runner_up['median_hit_pct']:.1f}%)"
        if runner_up is not None
        else ""
    )
    reason = (
        f"best median hit score on {len(scored)} solved series with a known home, "
        f"each scored leave-one-series-out: {best['median_hit_pct']:.1f}%{than}"
    )
    if left_out:
        reason += " (" + "; ".join(left_out) + ")"
    return MethodChoice(str(best["method"]), reason, results, len(scored))


def leave_one_out_auto(results: pd.DataFrame) -> pd.DataFrame:
    """What ``auto`` would score on each series, choosing only on the other series.

    For each series, the method is the one :func:`rank_methods` puts first on
    the results of all *other* series (the series' own hit score never
    informs its choice); its row is returned with ``method = "auto"`` and the
    chosen method in ``chosen``.
    """
    rows = []
    for sid in results["series_id"].unique():
        others = results[results["series_id"] != sid]
        chosen = str(rank_methods(others).iloc[0]["method"])
        row = results[(results["series_id"] == sid) & (results["method"] == chosen)].copy()
        row["chosen"] = chosen
        rows.append(row)
    out: pd.DataFrame = pd.concat(rows, ignore_index=True)
    out["method"] = "auto"
    return out
