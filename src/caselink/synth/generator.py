"""The synthetic case generator: a city's crimes and deaths with hidden series and known truth.

What is generated (all vectorised numpy; deterministic for a seed):

* an area around ``centre`` whose side grows with the number of cases
  (:func:`caselink.synth.geography.side_km`: a ~6 km borough for 3,000 cases,
  a city for 100,000+), with crime hotspots (Gaussian mixture, Pareto weights);
* offenders with homes. ``series_fraction`` of the cases belong to hidden
  series whose sizes follow a truncated power law ``P(k) ∝ k**-2`` on
  ``2..max_series_size``; every other case has its own one-off offender;
* series crimes placed by journey-to-crime distance decay from the home (see
  :mod:`caselink.synth.geography`), clustered in time (exponential gaps, an
  offender-specific tempo), with a preferred hour, a victim preference (sex,
  age, group, non-local) and MO consistency (each attribute keeps the
  series' signature value with an offender-specific probability 0.65-0.95,
  otherwise a fresh draw from the population law). Series cross case types
  within a family (``catalogue.FAMILIES``: e.g. drugging + sexual_offence +
  drug_related_death);
* people: offenders, residents (households) and victims, each with a true
  identity, recorded in every mention with noise (:mod:`caselink.synth.recording`);
  people recur across cases and roles (a local, skewed popularity), and a
  series offender sometimes reports or finds one of his own victims;
* investigative actions with ``check_bias`` (:mod:`caselink.synth.checks`);
* narratives (:mod:`caselink.synth.narrative`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

import numpy as np
import pandas as pd

from caselink.records.frames import ACTION_COLUMNS, CASE_COLUMNS, MENTION_COLUMNS
from caselink.records.model import AttributeSchema
from caselink.synth import catalogue as cat
from caselink.synth.checks import classify_deaths, draw_actions, group_factors
from caselink.synth.geography import Area, Hotspots, journey, side_km
from caselink.synth.narrative import describe
from caselink.synth.population import (
    draw_addresses,
    draw_dobs,
    draw_names,
    draw_phones,
    draw_plates,
)
from caselink.synth.recording import record_mentions

Progress = Callable[[str, float], None]
"""A progress callback: ``progress(stage, fraction_done)``."""

SERIES_SIZE_EXPONENT: Final[float] = 2.0
SITE_REDRAWS: Final[int] = 5
ROLE_ORDER: Final[tuple[str, ...]] = (
    "victim",
    "reporter",
    "finder",
    "witness",
    "suspect",
    "offender",
)
# commercial-hotspot weighting per case type (street crime near commercial centres)
COMMERCIAL_BIAS: Final[dict[str, float]] = {
    "theft": 3.0,
    "violence": 2.5,
    "burglary": 0.3,
    "criminal_damage": 0.7,
    "robbery": 2.5,
    "sexual_offence": 1.2,
    "drugging": 3.0,
    "drug_related_death": 0.8,
    "unexplained_death": 0.5,
}
# occurrence window (mean hours) and report delay (mean hours) per case type
WINDOW_HOURS: Final[dict[str, float]] = {
    "theft": 1.0,
    "violence": 0.1,
    "burglary": 8.0,
    "criminal_damage": 6.0,
    "robbery": 0.05,
    "sexual_offence": 1.0,
    "drugging": 5.0,
    "drug_related_death": 10.0,
    "unexplained_death": 14.0,
}
REPORT_DELAY_HOURS: Final[dict[str, float]] = {
    "theft": 4.0,
    "violence": 1.0,
    "burglary": 1.0,
    "criminal_damage": 6.0,
    "robbery": 0.5,
    "sexual_offence": 120.0,
    "drugging": 30.0,
    "drug_related_death": 0.3,
    "unexplained_death": 0.3,
}
WITNESS_MEAN: Final[dict[str, float]] = {
    "theft": 0.6,
    "violence": 1.3,
    "burglary": 0.5,
    "criminal_damage": 0.6,
    "robbery": 1.1,
    "sexual_offence": 0.7,
    "drugging": 1.1,
    "drug_related_death": 0.6,
    "unexplained_death": 0.6,
}
VICTIM_PRESENT: Final[dict[str, float]] = {
    "theft": 0.97,
    "criminal_damage": 0.7,
}
REPORTER_SHARE: Final[dict[str, float]] = {
    "drug_related_death": 0.6,
    "unexplained_death": 0.6,
}
FINDER_SHARE: Final[float] = 0.85
SUSPECT_SHARE: Final[float] = 0.12
SUSPECT_IS_OFFENDER: Final[float] = 0.35
OFFENDER_FINDS_OWN: Final[float] = 0.1
"""Probability that a series offender reports or finds one of his own (predatory) crimes."""


@dataclass(frozen=True, eq=False)
class SynthData:
    """A generated data set and its ground truth.

    Attributes
    ----------
    cases
        The cases frame (column contract of :mod:`caselink.records.frames`),
        ordered by ``case_id``; ids increase with ``reported_at``.
    people
        The mentions frame (``mention_id`` = zero-based row of people.csv).
    actions
        The actions frame (``source`` = "import").
    schema
        The MO attribute schema (``catalogue.SCHEMA``).
    truth_cases
        ``case_id, series_id, offender_id`` for every case (series_id None for
        one-off cases).
    truth_people
        ``mention_id, person_id`` for every mention.
    truth_offenders
        ``offender_id, home_lat, home_lon, person_id`` for every offender.
    persons
        True identities: ``person_id, first_name, last_name, sex, dob,
        house_number, street, street_stem, street_kind, postcode, address,
        lat, lon, phone, vehicle``.
    params
        The generation parameters.
    """

    cases: pd.DataFrame
    people: pd.DataFrame
    actions: pd.DataFrame
    schema: AttributeSchema
    truth_cases: pd.DataFrame
    truth_people: pd.DataFrame
    truth_offenders: pd.DataFrame
    persons: pd.DataFrame
    params: Mapping[str, Any] = field(default_factory=dict)


def _moment(value: str | date | datetime, name: str) -> np.datetime64:
    try:
        moment: np.datetime64 = pd.Timestamp(value).to_datetime64().astype("datetime64[s]")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name}: not a date or time: {value!r}") from exc
    return moment


def _validate(
    n_cases: int,
    seed: int,
    solved_fraction: float,
    series_fraction: float,
    max_series_size: int,
    centre: tuple[float, float],
    start: np.datetime64,
    end: np.datetime64,
) -> None:
    errors = []
    if not isinstance(n_cases, int | np.integer) or n_cases < 1:
        errors.append(f"n_cases must be a positive integer, got {n_cases!r}")
    if not isinstance(seed, int | np.integer) or seed < 0:
        errors.append(f"seed must be a non-negative integer, got {seed!r}")
    if not 0.0 <= solved_fraction <= 1.0:
        errors.append(f"solved_fraction must be in [0, 1], got {solved_fraction!r}")
    if not 0.0 <= series_fraction <= 1.0:
        errors.append(f"series_fraction must be in [0, 1], got {series_fraction!r}")
    if max_series_size < 2:
        errors.append(f"max_series_size must be at least 2, got {max_series_size!r}")
    lat, lon = centre
    if not (-80.0 <= lat <= 80.0 and -180.0 <= lon <= 180.0):
        errors.append(f"centre must be (lat in [-80, 80], lon in [-180, 180]), got {centre!r}")
    if not start < end:
        errors.append(f"start ({start}) must be before end ({end})")
    if errors:
        raise ValueError("; ".join(errors))


def series_sizes(rng: np.random.Generator, n_series_cases: int, max_size: int = 15) -> np.ndarray:
    """Sizes of hidden series covering ``n_series_cases`` cases, ``P(k) ∝ k**-2`` on 2..max_size."""
    if n_series_cases < 2:
        return np.zeros(0, dtype=np.int64)
    ks = np.arange(2, max_size + 1)
    p = ks.astype(np.float64) ** -SERIES_SIZE_EXPONENT
    p /= p.sum()
    m = math.ceil(n_series_cases / float((ks * p).sum()) * 1.5) + 10
    sizes = rng.choice(ks, size=m, p=p)
    total = np.cumsum(sizes)
    keep = sizes[total <= n_series_cases]
    rest = n_series_cases - int(keep.sum())
    if rest >= 2:
        keep = np.append(keep, rest)
    return np.asarray(keep, dtype=np.int64)


def _hours(rng: np.random.Generator, types: np.ndarray) -> np.ndarray:
    """Hour of day per case from its type's circular profile."""
    out = np.empty(len(types), dtype=np.int64)
    h = np.arange(24)
    for t, name in enumerate(cat.CASE_TYPES):
        rows = np.flatnonzero(types == t)
        peak, kappa = cat.HOUR_PROFILE[name]
        w = np.exp(kappa * np.cos(2 * np.pi * (h - peak) / 24.0))
        out[rows] = rng.choice(24, size=len(rows), p=w / w.sum())
    return out


def _categorical(
    rng: np.random.Generator,
    types: np.ndarray,
    attr: str,
    orders: Mapping[str, tuple[str, ...]],
) -> np.ndarray:
    """Population draws of a categorical attribute (codes; -1 where not recorded)."""
    values = cat.CATEGORICAL_VALUES[attr]
    recorded = cat.CATEGORICAL_RECORDED[attr]
    out = np.full(len(types), -1, dtype=np.int64)
    for t, name in enumerate(cat.CASE_TYPES):
        rows = np.flatnonzero(types == t)
        p_rec = recorded.get(name, 0.0)
        if p_rec == 0.0 or len(rows) == 0:
            continue
        w = cat.zipf_weights(values, orders.get(name, ()))
        draws = rng.choice(len(values), size=len(rows), p=w)
        out[rows] = np.where(rng.random(len(rows)) < p_rec, draws, -1)
    return out


def _multi(rng: np.random.Generator, types: np.ndarray, attr: str) -> np.ndarray:
    """Population draws of a multi attribute as bit masks over its vocabulary."""
    values = cat.MULTI_VALUES[attr]
    orders = cat.DRUG_ORDER if attr == "drugs" else cat.PROPERTY_ORDER
    out = np.zeros(len(types), dtype=np.int64)
    for t, name in enumerate(cat.CASE_TYPES):
        rows = np.flatnonzero(types == t)
        spec = cat.MULTI_RECORDED[attr].get(name)
        if spec is None or len(rows) == 0:
            continue
        p_rec, extra = spec
        logw = np.log(cat.zipf_weights(values, orders.get(name, ())))
        k = np.minimum(1 + rng.poisson(extra, len(rows)), len(values))
        k[rng.random(len(rows)) >= p_rec] = 0
        keys = logw[None, :] + rng.gumbel(size=(len(rows), len(values)))
        ranked = np.argsort(-keys, axis=1)
        take = np.arange(len(values))[None, :] < k[:, None]
        bits = np.where(take, np.left_shift(1, ranked), 0)
        out[rows] = bits.sum(axis=1)
    return out


def _mask_strings(masks: np.ndarray, values: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Multi masks as sorted tuples and as '|'-joined text (object arrays)."""
    uniq, inverse = np.unique(masks, return_inverse=True)
    tuples = np.empty(len(uniq), dtype=object)
    texts = np.empty(len(uniq), dtype=object)
    for i, m in enumerate(uniq):
        items = tuple(sorted(v for j, v in enumerate(values) if int(m) >> j & 1))
        tuples[i] = items
        texts[i] = "|".join(items)
    return tuples[inverse], texts[inverse]


def _series_sites(
    rng: np.random.Generator,
    types: np.ndarray,
    ranges: np.ndarray,
    home_x: np.ndarray,
    home_y: np.ndarray,
    side: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Crime sites of series crimes: home + journey, kept inside the area.

    A journey leaving the area is redrawn (up to ``SITE_REDRAWS`` times), then
    clamped to the area's edge: the data set is one area's recorded crime.
    """
    half = side / 2.0
    x = np.empty(len(types))
    y = np.empty(len(types))
    todo = np.arange(len(types))
    for _ in range(SITE_REDRAWS + 1):
        dx, dy = journey(rng, types[todo], ranges[todo])
        x[todo] = home_x[todo] + dx
        y[todo] = home_y[todo] + dy
        todo = todo[(np.abs(x[todo]) > half) | (np.abs(y[todo]) > half)]
        if len(todo) == 0:
            break
    return np.clip(x, -half, half), np.clip(y, -half, half)


def _frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """A data frame keeping object arrays as object columns (strings with None, tuples)."""
    return pd.DataFrame(
        {
            name: pd.Series(v, dtype=object)
            if isinstance(v, np.ndarray) and v.dtype == object
            else v
            for name, v in columns.items()
        }
    )


def _where(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` where ``mask``, None elsewhere (object array)."""
    out = np.full(len(values), None, dtype=object)
    out[mask] = values[mask]
    return out


def _series_labels(series: np.ndarray, series_ids: np.ndarray) -> np.ndarray:
    out = np.full(len(series), None, dtype=object)
    inside = series >= 0
    out[inside] = series_ids[series[inside]]
    return out


def _ids(prefix: str, n: int) -> np.ndarray:
    width = max(5, len(str(n)))
    return np.asarray(
        np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object),
        dtype=object,
    )


class _Pool:
    """People who recur: picked near a place, with a skewed (frequent-flyer) popularity."""

    CELL_KM: Final[float] = 0.5
    SKEW: Final[float] = 1.5

    def __init__(self, rng: np.random.Generator, x: np.ndarray, y: np.ndarray) -> None:
        self.n = len(x)
        cell = self._cell(x, y)
        order = np.lexsort((rng.random(self.n), cell))
        self.members = order
        self.cells, self.start, self.count = np.unique(
            cell[order], return_index=True, return_counts=True
        )

    def _cell(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        cx = np.floor(x / self.CELL_KM).astype(np.int64)
        cy = np.floor(y / self.CELL_KM).astype(np.int64)
        return cx * 1_000_003 + cy

    def pick(self, rng: np.random.Generator, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Pool rows near each point (within ~1 km), preferring each cell's regulars."""
        n = len(x)
        jx = x + rng.normal(0.0, 0.35, n)
        jy = y + rng.normal(0.0, 0.35, n)
        cell = self._cell(jx, jy)
        pos = np.searchsorted(self.cells, cell)
        pos_c = np.minimum(pos, len(self.cells) - 1)
        found = self.cells[pos_c] == cell
        u = rng.random(n) ** self.SKEW
        offset = np.floor(u * self.count[pos_c]).astype(np.int64)
        local = self.members[self.start[pos_c] + offset]
        anywhere = rng.integers(0, self.n, n)
        return np.asarray(np.where(found, local, anywhere), dtype=np.int64)


def truth_frames(
    case_ids: np.ndarray,
    series: np.ndarray,
    series_ids: np.ndarray,
    offender: np.ndarray,
    offender_ids: np.ndarray,
    home_lat: np.ndarray,
    home_lon: np.ndarray,
    person_ids: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """truth_cases.csv (each case's series and offender) and truth_offenders.csv (homes)."""
    truth_cases = _frame(
        {
            "case_id": case_ids,
            "series_id": _series_labels(series, series_ids),
            "offender_id": offender_ids[offender],
        }
    )
    truth_offenders = _frame(
        {
            "offender_id": offender_ids,
            "home_lat": np.round(home_lat, 6),
            "home_lon": np.round(home_lon, 6),
            "person_id": person_ids[: len(offender_ids)],
        }
    )
    return truth_cases, truth_offenders


def generate(
    n_cases: int,
    seed: int,
    *,
    start: str | date | datetime = "2013-01-01",
    end: str | date | datetime = "2016-12-31",
    centre: tuple[float, float] | None = None,
    solved_fraction: float = 0.3,
    check_bias: Mapping[str, float] | None = None,
    series_fraction: float | None = None,
    max_series_size: int | None = None,
    area_side_km: float | None = None,
    progress: Progress | None = None,
    design: str = "A",
) -> SynthData:
    """Generate a synthetic city's cases, people and investigative actions with ground truth.

    Parameters
    ----------
    n_cases
        Number of cases.
    seed
        Seed of the random streams; the output is a deterministic function of
        all the arguments.
    start, end
        The period (inclusive dates) in which the crimes occur.
    centre
        ``(lat, lon)`` WGS84 centre of the area; default ``(51.54, 0.08)``
        (design B: ``(53.48, -2.24)``).
    solved_fraction
        Share of all cases carrying ``offender_id`` (status "solved"). Only
        crimes are solved; deaths keep their classification
        ("suspicious"/"non_suspicious") and no offender on import. Capped at
        the share of crimes.
    check_bias
        ``{victim_group: factor}``: multiplies the odds of completion of
        every check (and of a death being classified suspicious) for cases
        with that victim group; ``None`` means no difference.
    series_fraction
        Share of cases committed by series offenders (2+ cases); default 0.2
        (design B: 0.25).
    max_series_size
        Largest series size; default 15 (design B: 25).
    area_side_km
        Side of the square area; default :func:`~caselink.synth.geography.side_km`
        (design B: :func:`~caselink.synth.city_b.side_km_b`).
    progress
        Optional callback ``progress(stage, fraction)``.
    design
        ``"A"`` (this module) or ``"B"``, the second, independently written
        design (:mod:`caselink.synth.design_b`): other MO vocabulary, drifting
        offenders, sparse recording, a denser centred city, twins and
        father/son pairs.

    Returns
    -------
    SynthData
        Frames following :mod:`caselink.records.frames` plus ground truth.

    Raises
    ------
    ValueError
        If a parameter is out of range (all problems named in one message).

    Examples
    --------
    >>> data = generate(500, seed=1)
    >>> len(data.cases)
    500
    """
    if design not in ("A", "B"):
        raise ValueError(f"design must be 'A' or 'B', got {design!r}")
    if design == "B":
        from caselink.synth import design_b

        return design_b.generate_b(
            n_cases,
            seed,
            start=start,
            end=end,
            centre=design_b.CENTRE_B if centre is None else centre,
            solved_fraction=solved_fraction,
            check_bias=check_bias,
            series_fraction=(
                design_b.SERIES_FRACTION_B if series_fraction is None else series_fraction
            ),
            max_series_size=(
                design_b.MAX_SERIES_SIZE_B if max_series_size is None else max_series_size
            ),
            area_side_km=area_side_km,
            progress=progress,
        )
    centre = (51.54, 0.08) if centre is None else centre
    series_fraction = 0.2 if series_fraction is None else series_fraction
    max_series_size = 15 if max_series_size is None else max_series_size
    t0, t1 = _moment(start, "start"), _moment(end, "end") + np.timedelta64(86399, "s")
    _validate(n_cases, seed, solved_fraction, series_fraction, max_series_size, centre, t0, t1)
    bias = dict(check_bias or {})
    group_factors(np.array([], dtype=object), bias)  # validates the groups and factors
    report = progress or (lambda stage, frac: None)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(16)]
    (g_series, g_time, g_place, g_mo, g_victim, g_people, g_pick, g_noise, g_act, g_text,
     g_solve, g_addr, g_class, _, _, _) = streams  # fmt: skip
    n = int(n_cases)
    side = float(area_side_km) if area_side_km is not None else side_km(n)
    area = Area(float(centre[0]), float(centre[1]), side)
    hotspots = Hotspots.draw(g_place, side)
    n_types = len(cat.CASE_TYPES)
    shares = cat.type_shares()
    period_s = int((t1 - t0) / np.timedelta64(1, "s"))

    # --- offenders and series -------------------------------------------------------------
    report("offenders", 0.0)
    sizes = series_sizes(g_series, round(series_fraction * n), max_series_size)
    n_series = len(sizes)
    n_in_series = int(sizes.sum())
    n_oneoff = n - n_in_series
    crime_types = [i for i, t in enumerate(cat.CASE_TYPES) if t not in cat.DEATH_TYPES]
    primary = g_series.choice(
        crime_types, size=n_series, p=shares[crime_types] / shares[crime_types].sum()
    )
    family = np.array([cat.FAMILY_OF[cat.CASE_TYPES[p]] for p in primary], dtype=object)
    p_cross = np.where(family == "predatory", 0.6, 0.25)
    keep_mo = g_series.uniform(0.65, 0.95, n_series)
    home_x, home_y = hotspots.sample(g_series, n_series, side, 0.3)
    s_range = np.exp(g_series.normal(0.0, 0.35, n_series))
    pref_male = np.array([cat.VICTIM_PROFILE[cat.CASE_TYPES[p]][0] for p in primary])
    pref_male = g_series.random(n_series) < pref_male
    pref_age = np.clip(
        np.array([cat.VICTIM_PROFILE[cat.CASE_TYPES[p]][1] for p in primary])
        + g_series.normal(0.0, 7.0, n_series),
        17.0,
        80.0,
    )
    pref_group = np.where(
        g_series.random(n_series) < np.where(family == "predatory", 0.5, 0.2),
        g_series.choice(np.asarray(cat.VICTIM_GROUPS[1:], dtype=object), n_series),
        "general",
    ).astype(object)
    pref_nonlocal = g_series.random(n_series) < np.where(family == "predatory", 0.4, 0.1)
    pref_hour = _hours(g_series, primary)
    gap_days = np.exp(g_series.normal(math.log(21.0), 0.8, n_series))

    series_of = np.repeat(np.arange(n_series), sizes)  # per series crime
    types = np.empty(n, dtype=np.int64)
    types[:n_in_series] = primary[series_of]
    cross = g_series.random(n_in_series) < p_cross[series_of]
    for fam, members in cat.FAMILIES.items():
        rows = np.flatnonzero(cross & (family[series_of] == fam))
        codes = np.array([cat.CASE_TYPES.index(t) for t in members])
        w = np.array(list(members.values()))
        types[rows] = g_series.choice(codes, size=len(rows), p=w / w.sum())
    types[n_in_series:] = g_series.choice(n_types, size=n_oneoff, p=shares)
    series = np.full(n, -1, dtype=np.int64)
    series[:n_in_series] = series_of
    n_offenders = n_series + n_oneoff
    offender = np.empty(n, dtype=np.int64)
    offender[:n_in_series] = series_of
    offender[n_in_series:] = n_series + np.arange(n_oneoff)
    off_range = np.concatenate([s_range, np.exp(g_series.normal(0.0, 0.35, n_oneoff))])

    # --- time ------------------------------------------------------------------------------
    report("times", 0.1)
    occurred = np.empty(n, dtype="datetime64[s]")
    # series: exponential gaps with the offender's tempo, squeezed into the period if long
    gaps = g_time.exponential(1.0, n_in_series) * gap_days[series_of]
    first_in_series = np.r_[0, np.cumsum(sizes)[:-1]] if n_series else np.zeros(0, np.int64)
    gaps[first_in_series] = 0.0
    offsets = np.cumsum(gaps)
    offsets -= np.repeat(offsets[first_in_series], sizes) if n_series else 0.0
    span = np.zeros(n_series)
    if n_series:
        span = offsets[np.cumsum(sizes) - 1]
    period_days = period_s / 86400.0
    squeeze = np.where(span > period_days * 0.9, period_days * 0.9 / np.maximum(span, 1e-9), 1.0)
    offsets *= squeeze[series_of]
    begin = g_time.uniform(0.0, 1.0, n_series) * (period_days - span * squeeze)
    series_day = np.floor(begin[series_of] + offsets)
    hour = np.empty(n, dtype=np.int64)
    hour[:n_in_series] = (pref_hour[series_of] + np.rint(g_time.normal(0.0, 1.5, n_in_series))) % 24
    hour[n_in_series:] = _hours(g_time, types[n_in_series:])
    day = np.empty(n, dtype=np.int64)
    day[:n_in_series] = series_day.astype(np.int64)
    day[n_in_series:] = g_time.integers(0, max(1, int(period_days)), n_oneoff)
    minute = g_time.integers(0, 60, n)
    occurred = t0.astype("datetime64[D]").astype("datetime64[s]") + (
        day * 86400 + hour * 3600 + minute * 60
    ).astype("timedelta64[s]")
    type_names = np.asarray(cat.CASE_TYPES, dtype=object)[types]
    window_h = np.array([WINDOW_HOURS[t] for t in cat.CASE_TYPES])[types]
    delay_h = np.array([REPORT_DELAY_HOURS[t] for t in cat.CASE_TYPES])[types]
    exact = g_time.random(n) < np.where(window_h < 0.5, 0.8, 0.2)
    window = np.where(exact, 0.0, g_time.exponential(1.0, n) * window_h)
    occurred_to = occurred + (window * 3600).astype("timedelta64[s]")
    delay = g_time.exponential(1.0, n) * delay_h + g_time.uniform(0.05, 0.3, n)
    reported = occurred_to + (delay * 3600).astype("timedelta64[s]")

    # --- places ----------------------------------------------------------------------------
    report("places", 0.2)
    x = np.empty(n)
    y = np.empty(n)
    x[:n_in_series], y[:n_in_series] = _series_sites(
        g_place,
        types[:n_in_series],
        off_range[:n_series][series_of],
        home_x[series_of],
        home_y[series_of],
        side,
    )
    bias_c = np.array([COMMERCIAL_BIAS[t] for t in cat.CASE_TYPES])[types[n_in_series:]]
    ox, oy = hotspots.sample(g_place, n_oneoff, side, bias_c)
    x[n_in_series:] = ox
    y[n_in_series:] = oy
    dx, dy = journey(g_place, types[n_in_series:], off_range[n_series:])
    off_x = np.concatenate([home_x, ox - dx])
    off_y = np.concatenate([home_y, oy - dy])

    # --- victims ---------------------------------------------------------------------------
    report("victims", 0.3)
    profile = np.array([cat.VICTIM_PROFILE[t] for t in cat.CASE_TYPES])
    male = g_victim.random(n) < profile[types, 0]
    age = np.clip(profile[types, 1] + g_victim.normal(0.0, 1.0, n) * profile[types, 2], 16, 95)
    group = np.asarray(cat.VICTIM_GROUPS, dtype=object)[
        g_victim.choice(len(cat.VICTIM_GROUPS), size=n, p=np.array(cat.VICTIM_GROUP_SHARE))
    ]
    local = g_victim.random(n) < 0.8
    if n_in_series:
        s = slice(0, n_in_series)
        follow = g_victim.random(n_in_series) < 0.9
        male[s] = np.where(follow, pref_male[series_of], male[s])
        age[s] = np.clip(pref_age[series_of] + g_victim.normal(0.0, 3.0, n_in_series), 16, 95)
        in_group = g_victim.random(n_in_series) < 0.8
        group[s] = np.where(
            in_group & (pref_group[series_of] != "general"), pref_group[series_of], group[s]
        )
        local[s] = np.where(pref_nonlocal[series_of], g_victim.random(n_in_series) < 0.2, local[s])

    # --- MO --------------------------------------------------------------------------------
    report("modus operandi", 0.35)
    orders: dict[str, Mapping[str, tuple[str, ...]]] = {
        "location_type": cat.LOCATION_ORDER,
        "entry_method": {},
        "weapon": cat.WEAPON_ORDER,
        "body_position": {},
    }
    cats: dict[str, np.ndarray] = {a: _categorical(g_mo, types, a, o) for a, o in orders.items()}
    multis: dict[str, np.ndarray] = {a: _multi(g_mo, types, a) for a in cat.MULTI_VALUES}
    if n_in_series:
        sig_types = primary
        for a, o in orders.items():
            sig = _categorical(g_mo, sig_types, a, o)
            # a signature drawn for the primary type; crimes of other types draw their own
            if a in {"body_position"}:
                sig = _categorical(
                    g_mo, np.full(n_series, cat.CASE_TYPES.index("drug_related_death")), a, o
                )
            keep = (g_mo.random(n_in_series) < keep_mo[series_of]) & (cats[a][:n_in_series] >= 0)
            keep &= sig[series_of] >= 0
            cats[a][:n_in_series] = np.where(keep, sig[series_of], cats[a][:n_in_series])
        for a in cat.MULTI_VALUES:
            sig = _multi(g_mo, sig_types, a)
            if a == "drugs":
                sig_d = _multi(g_mo, np.full(n_series, cat.CASE_TYPES.index("drugging")), a)
                sig = np.where(family == "predatory", sig_d, sig)
            keep = (g_mo.random(n_in_series) < keep_mo[series_of]) & (multis[a][:n_in_series] != 0)
            multis[a][:n_in_series] = np.where(keep, sig[series_of], multis[a][:n_in_series])
    is_death = np.isin(type_names, list(cat.DEATH_TYPES))
    note_p = np.array([cat.NOTE_SHARE.get(t, 0.0) for t in cat.CASE_TYPES])[types]
    note = np.where(is_death, (g_mo.random(n) < note_p).astype(np.int64), -1)
    p_local_rec = np.array(
        [cat.CATEGORICAL_RECORDED["victim_local"].get(t, 0.0) for t in cat.CASE_TYPES]
    )
    local_code = np.where(g_mo.random(n) < p_local_rec[types], local.astype(np.int64), -1)

    # --- order, ids, solved ----------------------------------------------------------------
    report("case ids", 0.4)
    order = np.lexsort((np.arange(n), reported))

    def by_report(a: np.ndarray) -> np.ndarray:
        return np.asarray(a[order])

    types, type_names = by_report(types), by_report(type_names)
    series, offender = by_report(series), by_report(offender)
    occurred, occurred_to = by_report(occurred), by_report(occurred_to)
    reported, hour = by_report(reported), by_report(hour)
    x, y, male, age = by_report(x), by_report(y), by_report(male), by_report(age)
    group, local = by_report(group), by_report(local)
    cats = {a: by_report(v) for a, v in cats.items()}
    multis = {a: by_report(v) for a, v in multis.items()}
    note, local_code, is_death = by_report(note), by_report(local_code), by_report(is_death)
    case_ids = _ids("C", n)
    offender_ids = _ids("O", n_offenders)
    series_ids = _ids("S", max(n_series, 1))[:n_series]

    factor = group_factors(group, bias)
    crimes = np.flatnonzero(~is_death)
    n_solved = min(round(solved_fraction * n), len(crimes))
    solved = np.zeros(n, dtype=bool)
    solved[g_solve.choice(crimes, size=n_solved, replace=False)] = True
    status = np.where(solved, "solved", "open").astype(object)
    death_status = classify_deaths(g_class, types, factor)
    status[is_death] = death_status[is_death]

    # --- persons ---------------------------------------------------------------------------
    report("people", 0.5)
    n_res = max(10, int(0.8 * n))
    n_households = max(1, int(n_res / 1.8))
    hx, hy = hotspots.sample(g_people, n_households, side, 0.3)
    household = g_people.integers(0, n_households, n_res)
    # fresh victims: deaths, series victims, non-local victims, half of the others
    fresh = is_death | (series >= 0) | ~local | (g_people.random(n) < 0.5)
    fresh_rows = np.flatnonzero(fresh)
    n_fresh = len(fresh_rows)
    far = ~local[fresh_rows]
    dist = g_people.uniform(8.0, 40.0, n_fresh)
    bearing = g_people.uniform(0, 2 * np.pi, n_fresh)
    vx = np.where(
        far,
        x[fresh_rows] + dist * np.cos(bearing),
        x[fresh_rows] + g_people.normal(0, 0.6, n_fresh),
    )
    vy = np.where(
        far,
        y[fresh_rows] + dist * np.sin(bearing),
        y[fresh_rows] + g_people.normal(0, 0.6, n_fresh),
    )

    addresses = draw_addresses(
        g_addr, area, np.concatenate([off_x, hx, vx]), np.concatenate([off_y, hy, vy])
    )
    person_address = np.concatenate(
        [
            np.arange(n_offenders),
            n_offenders + household,
            n_offenders + n_households + np.arange(n_fresh),
        ]
    )
    addresses = addresses.iloc[person_address].reset_index(drop=True)
    px, py = area.to_km(addresses["lat"].to_numpy(), addresses["lon"].to_numpy())
    n_persons = len(px)
    n_pool = n_offenders + n_res
    p_male = np.concatenate(
        [
            g_people.random(n_offenders) < 0.85,
            g_people.random(n_res) < 0.49,
            male[fresh_rows],
        ]
    )
    p_age = np.concatenate(
        [
            np.clip(g_people.normal(30.0, 9.0, n_offenders), 16, 75),
            np.clip(g_people.normal(42.0, 18.0, n_res), 16, 95),
            np.zeros(n_fresh),
        ]
    )
    household_name = draw_names(g_people, np.ones(n_households, dtype=bool))[1]
    first_name, last_name = draw_names(g_people, p_male)
    shared = np.flatnonzero(g_people.random(n_res) < 0.6)
    last_name[n_offenders + shared] = household_name[household[shared]]
    dob = draw_dobs(g_people, t0, p_age)
    fresh_dob_days = (age[fresh_rows] + g_people.random(n_fresh)) * 365.25
    dob[n_pool:] = (
        occurred[fresh_rows].astype("datetime64[D]") - fresh_dob_days.astype(np.int64)
    ).astype("datetime64[D]")
    phone = draw_phones(g_people, n_persons)
    phone[g_people.random(n_persons) >= 0.85] = None
    vehicle = draw_plates(g_people, n_persons)
    vehicle[g_people.random(n_persons) >= 0.35] = None
    person_ids = _ids("P", n_persons)
    persons = _frame(
        {
            "person_id": person_ids,
            "first_name": first_name,
            "last_name": last_name,
            "sex": np.where(p_male, "M", "F").astype(object),
            "dob": dob.astype("datetime64[us]"),
            "house_number": addresses["house_number"].to_numpy(dtype=object),
            "street": addresses["street"].to_numpy(dtype=object),
            "street_stem": addresses["street_stem"].to_numpy(dtype=object),
            "street_kind": addresses["street_kind"].to_numpy(dtype=object),
            "postcode": addresses["postcode"].to_numpy(dtype=object),
            "address": addresses["address"].to_numpy(dtype=object),
            "lat": addresses["lat"].to_numpy(dtype=np.float64),
            "lon": addresses["lon"].to_numpy(dtype=np.float64),
            "phone": phone,
            "vehicle": vehicle,
        }
    )

    # --- mentions --------------------------------------------------------------------------
    report("mentions", 0.6)
    pool = _Pool(g_pick, px[:n_pool], py[:n_pool])
    victim_person = np.full(n, -1, dtype=np.int64)
    victim_person[fresh_rows] = n_pool + np.arange(n_fresh)
    reuse = np.flatnonzero(~fresh)
    victim_person[reuse] = pool.pick(g_pick, x[reuse], y[reuse])
    # a recurring victim's recorded sex and age are his own
    male[reuse] = p_male[victim_person[reuse]]
    dob_days = (occurred[reuse].astype("datetime64[D]") - dob[victim_person[reuse]]).astype(
        np.int64
    )
    age[reuse] = np.floor(dob_days / 365.25)
    victim_present = (
        g_pick.random(n) < np.array([VICTIM_PRESENT.get(t, 1.0) for t in cat.CASE_TYPES])[types]
    )
    victim_present |= is_death

    roles: list[np.ndarray] = []
    case_rows: list[np.ndarray] = []
    people_rows: list[np.ndarray] = []

    def add(role: str, rows: np.ndarray, who: np.ndarray) -> None:
        roles.append(np.full(len(rows), ROLE_ORDER.index(role), dtype=np.int64))
        case_rows.append(rows)
        people_rows.append(who)

    rows = np.flatnonzero(victim_present)
    add("victim", rows, victim_person[rows])
    p_rep = np.array([REPORTER_SHARE.get(t, 0.35) for t in cat.CASE_TYPES])[types]
    reporter_rows = np.flatnonzero(g_pick.random(n) < p_rep)
    reporter = pool.pick(g_pick, x[reporter_rows], y[reporter_rows])
    finder_rows = np.flatnonzero(is_death & (g_pick.random(n) < FINDER_SHARE))
    finder = pool.pick(g_pick, x[finder_rows], y[finder_rows])
    # a series offender sometimes reports or finds his own victim
    own = (series >= 0) & np.isin(
        types, [cat.CASE_TYPES.index(t) for t in cat.FAMILIES["predatory"]]
    )
    own &= g_pick.random(n) < OFFENDER_FINDS_OWN
    hit = own[reporter_rows]
    reporter[hit] = offender[reporter_rows[hit]]
    hit = own[finder_rows]
    finder[hit] = offender[finder_rows[hit]]
    add("reporter", reporter_rows, reporter)
    add("finder", finder_rows, finder)
    n_wit = g_pick.poisson(np.array([WITNESS_MEAN[t] for t in cat.CASE_TYPES])[types])
    n_wit = np.minimum(n_wit, 4)
    wrows = np.repeat(np.arange(n), n_wit)
    add("witness", wrows, pool.pick(g_pick, x[wrows], y[wrows]))
    srows = np.flatnonzero(~solved & ~is_death & (g_pick.random(n) < SUSPECT_SHARE))
    suspect = pool.pick(g_pick, x[srows], y[srows])
    true_suspect = g_pick.random(len(srows)) < SUSPECT_IS_OFFENDER
    suspect[true_suspect] = offender[srows[true_suspect]]
    add("suspect", srows, suspect)
    orows = np.flatnonzero(solved)
    add("offender", orows, offender[orows])

    m_case = np.concatenate(case_rows)
    m_role = np.concatenate(roles)
    m_person = np.concatenate(people_rows)
    m_order = np.lexsort((np.arange(len(m_case)), m_role, m_case))
    m_case, m_role, m_person = m_case[m_order], m_role[m_order], m_person[m_order]
    role_names = np.asarray(ROLE_ORDER, dtype=object)[m_role]
    report("recording noise", 0.7)
    recorded = record_mentions(g_noise, persons, m_person, role_names)
    people = _frame(
        {
            "mention_id": np.arange(len(m_case), dtype=np.int64),
            "case_id": case_ids[m_case],
            "role": role_names,
            **{c: recorded[c].to_numpy() for c in MENTION_COLUMNS[3:]},
        }
    )
    truth_people = _frame(
        {"mention_id": people["mention_id"].to_numpy(), "person_id": person_ids[m_person]}
    )

    # --- actions ---------------------------------------------------------------------------
    report("actions", 0.8)
    drug_tuples, drug_text = _mask_strings(multis["drugs"], cat.DRUGS)
    prop_tuples, _ = _mask_strings(multis["property_taken"], cat.PROPERTY)
    acts = draw_actions(
        g_act,
        types,
        group,
        reported,
        note == 1,
        solved,
        t1,
        bias,
        drugs_text=drug_text,
    )
    actions = _frame(
        {
            "action_id": np.arange(len(acts), dtype=np.int64),
            "case_id": case_ids[acts["case_row"].to_numpy()],
            **{c: acts[c].to_numpy() for c in ("action", "status", "raised_at", "completed_at")},
            "note": acts["note"].to_numpy(dtype=object),
            "source": np.full(len(acts), "import", dtype=object),
            "reason": np.full(len(acts), None, dtype=object),
        }
    )[list(ACTION_COLUMNS)]

    # --- cases -----------------------------------------------------------------------------
    report("narratives", 0.85)
    lat, lon = area.to_latlon(x, y)
    values = {
        a: np.asarray(cat.CATEGORICAL_VALUES[a] + (None,), dtype=object)[v] for a, v in cats.items()
    }
    values["note_found"] = np.asarray((*cat.YES_NO, None), dtype=object)[note]
    values["victim_local"] = np.asarray((*cat.YES_NO, None), dtype=object)[local_code]
    sex = np.where(male, "M", "F").astype(object)
    victim_age = np.where(victim_present, np.floor(age), np.nan)
    sex[~victim_present] = None
    text_rng = random.Random(int(g_text.integers(2**62)))
    narrative = np.array(
        [
            describe(
                text_rng,
                type_names[i],
                values["location_type"][i],
                drug_tuples[i],
                values["body_position"][i],
                values["note_found"][i],
                values["entry_method"][i],
                values["weapon"][i],
                prop_tuples[i],
                float(victim_age[i]),
                sex[i],
            )
            for i in range(n)
        ],
        dtype=object,
    )
    cases = _frame(
        {
            "case_id": case_ids,
            "case_type": type_names,
            "occurred_from": occurred.astype("datetime64[us]"),
            "occurred_to": occurred_to.astype("datetime64[us]"),
            "reported_at": reported.astype("datetime64[us]"),
            "lat": np.round(lat, 6),
            "lon": np.round(lon, 6),
            "victim_age": victim_age,
            "victim_sex": sex,
            "victim_group": _where(victim_present, group),
            "status": status,
            "offender_id": _where(solved, offender_ids[offender]),
            "narrative": narrative,
        }
    )
    for spec in cat.SCHEMA.attributes:
        if spec.name == "time_of_day_hour":
            cases[spec.name] = hour.astype(np.float64)
        elif spec.name == "drugs":
            cases[spec.name] = pd.Series(drug_tuples, dtype=object)
        elif spec.name == "property_taken":
            cases[spec.name] = pd.Series(prop_tuples, dtype=object)
        else:
            cases[spec.name] = pd.Series(values[spec.name], dtype=object)
    assert list(cases.columns[: len(CASE_COLUMNS)]) == list(CASE_COLUMNS)

    truth_cases, truth_offenders = truth_frames(
        case_ids,
        series,
        series_ids,
        offender,
        offender_ids,
        *area.to_latlon(off_x, off_y),
        person_ids,
    )
    report("done", 1.0)
    params: dict[str, Any] = {
        "n_cases": n,
        "seed": int(seed),
        "start": str(t0),
        "end": str(_moment(end, "end")),
        "centre": (float(centre[0]), float(centre[1])),
        "solved_fraction": float(solved_fraction),
        "check_bias": bias,
        "series_fraction": float(series_fraction),
        "max_series_size": int(max_series_size),
        "area_side_km": side,
    }
    return SynthData(
        cases=cases,
        people=people,
        actions=actions,
        schema=cat.SCHEMA,
        truth_cases=truth_cases,
        truth_people=truth_people,
        truth_offenders=truth_offenders,
        persons=persons,
        params=params,
    )
