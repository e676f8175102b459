"""Design B: a second synthetic city, written independently of design A, to measure
methods on data they were not tuned on (``caselink synth --design B``).

Same files and columns as design A (:mod:`caselink.synth.generator`), different
world:

* city (:mod:`caselink.synth.city_b`): smaller for the same number of cases
  and strongly centred (residential density ``exp(-r/r0)`` plus sub-centres,
  with empty parks and industrial estates); offenders live where people live;
  series crimes fall by a marauder (negative-exponential distance around home)
  or commuter (an offending area away from home) journey;
* case types: the same nine, in a different mix (``vocabulary_b``);
* series: sizes ``2 + Geometric(SERIES_P)`` (longer tail than A's power law),
  lognormal gaps between crimes, offenders who cross case types (any type,
  not only within a family) and victim groups, and a *drifting* MO signature:
  at each crime each attribute's signature changes for good with an
  offender-specific probability, and single crimes deviate from it;
* MO (:mod:`caselink.synth.vocabulary_b`): other attributes, value counts and
  Zipf exponents; 30% of applicable fields blank; values written as synonyms;
* time windows of uncertain length: exact, hours, days or weeks, by case type;
* narratives (:mod:`caselink.synth.narrative_b`): templates with boilerplate;
* people (:mod:`caselink.synth.people_b`): twins and father/son pairs at one
  address (``truth_people.kin_of`` names the other person), aliases, multi-word
  surnames, middle names and police-record name noise; more missing fields.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final

import numpy as np
import pandas as pd

from caselink.records.frames import ACTION_COLUMNS, CASE_COLUMNS, MENTION_COLUMNS
from caselink.synth import catalogue as cat
from caselink.synth import vocabulary_b as voc
from caselink.synth.checks import classify_deaths, draw_actions, group_factors
from caselink.synth.city_b import COMMUTER_SHARE, RANGE_SIGMA, City, anchors, side_km_b, sites
from caselink.synth.generator import (
    ROLE_ORDER,
    Progress,
    SynthData,
    _frame,
    _hours,
    _ids,
    _moment,
    _Pool,
    _validate,
    _where,
    truth_frames,
)
from caselink.synth.geography import Area
from caselink.synth.narrative_b import describe_b
from caselink.synth.people_b import (
    SAME_NAME_SON,
    draw_aliases,
    draw_given,
    draw_middle,
    draw_surnames,
    record_names_b,
)
from caselink.synth.population import draw_addresses, draw_dobs, draw_phones, draw_plates
from caselink.synth.recording import record_mentions

CENTRE_B: Final[tuple[float, float]] = (53.48, -2.24)
"""Default centre of design B's city (a northern city; design A's is east London)."""
SERIES_FRACTION_B: Final[float] = 0.25
MAX_SERIES_SIZE_B: Final[int] = 25
SERIES_P: Final[float] = 0.3
"""Parameter of the geometric law of series sizes beyond 2 (mean size 2 + 0.7/0.3 ≈ 4.3)."""
DRIFT_RANGE: Final[tuple[float, float]] = (0.1, 0.4)
"""Per-offender probability, per crime and attribute, that the MO signature changes for good."""
DEVIATE: Final[float] = 0.15
"""Probability that one crime's value deviates from the current signature (a fresh draw)."""
STAY_RANGE: Final[tuple[float, float]] = (0.45, 0.9)
"""Per-offender probability that a crime is of the series' primary case type."""
GROUP_LOYALTY: Final[float] = 0.5
"""Probability that a series victim is of the offender's preferred victim group."""

WINDOW_MIX: Final[dict[str, tuple[float, float, float, float]]] = {
    "theft": (0.3, 0.5, 0.18, 0.02),
    "violence": (0.8, 0.18, 0.02, 0.0),
    "burglary": (0.05, 0.55, 0.3, 0.1),
    "criminal_damage": (0.1, 0.6, 0.25, 0.05),
    "robbery": (0.85, 0.15, 0.0, 0.0),
    "sexual_offence": (0.4, 0.45, 0.12, 0.03),
    "drugging": (0.2, 0.7, 0.1, 0.0),
    "drug_related_death": (0.1, 0.45, 0.35, 0.1),
    "unexplained_death": (0.1, 0.35, 0.35, 0.2),
}
"""Per case type, shares of windows that are exact, hours (0.5-12 h), days (1-7), weeks (1-4)."""
REPORT_DELAY_HOURS_B: Final[dict[str, float]] = {
    "theft": 10.0,
    "violence": 2.0,
    "burglary": 3.0,
    "criminal_damage": 12.0,
    "robbery": 1.0,
    "sexual_offence": 300.0,
    "drugging": 48.0,
    "drug_related_death": 0.5,
    "unexplained_death": 0.5,
}
TWIN_SHARE: Final[float] = 0.015
"""Twins added per resident (each a new person at the resident's address)."""
FATHER_SON_SHARE: Final[float] = 0.025
"""Fathers or sons added per resident (male anchors)."""
KIN_MENTIONS: Final[float] = 1.0
"""Mean extra mentions (beyond one) of each member of a kin pair, as witness or reporter."""
MISSING_B: Final[dict[str, float]] = {"dob": 0.15, "phone": 0.25, "address": 0.10}
"""Extra blanking on top of design A's recording rates (per mention)."""


def series_sizes_b(rng: np.random.Generator, n_series_cases: int, max_size: int) -> np.ndarray:
    """Sizes ``2 + Geometric(SERIES_P) - 1`` capped at ``max_size``, covering the series cases."""
    if n_series_cases < 2:
        return np.zeros(0, dtype=np.int64)
    m = n_series_cases // 2 + 2
    sizes = np.minimum(1 + rng.geometric(SERIES_P, m), max_size)
    total = np.cumsum(sizes)
    keep = sizes[total <= n_series_cases]
    rest = n_series_cases - int(keep.sum())
    if rest >= 2:
        keep = np.append(keep, rest)
    return np.asarray(keep, dtype=np.int64)


def _zipf(values: tuple[str, ...], order: tuple[str, ...], s: float) -> np.ndarray:
    return cat.zipf_weights(values, order, s)


def _draw_codes(rng: np.random.Generator, type_names: np.ndarray, attr: str) -> np.ndarray:
    """Population draws (codes) of a categorical attribute for each case's type."""
    values = voc.CATEGORICAL_B[attr]
    out = np.zeros(len(type_names), dtype=np.int64)
    for t in cat.CASE_TYPES:
        rows = np.flatnonzero(type_names == t)
        w = _zipf(values, voc.ORDER_B.get(attr, {}).get(t, ()), voc.ZIPF_B[attr])
        out[rows] = rng.choice(len(values), size=len(rows), p=w)
    return out


def _draw_masks(rng: np.random.Generator, type_names: np.ndarray, attr: str) -> np.ndarray:
    """Population draws of a multi attribute as bit masks (at least one item)."""
    values = voc.MULTI_B[attr]
    out = np.zeros(len(type_names), dtype=np.int64)
    for t in cat.CASE_TYPES:
        rows = np.flatnonzero(type_names == t)
        if len(rows) == 0:
            continue
        w = _zipf(values, voc.ORDER_B.get(attr, {}).get(t, ()), voc.ZIPF_B[attr])
        k = np.minimum(1 + rng.poisson(voc.MULTI_EXTRA_B[attr], len(rows)), len(values))
        keys = np.log(w)[None, :] + rng.gumbel(size=(len(rows), len(values)))
        ranked = np.argsort(-keys, axis=1)
        take = np.arange(len(values))[None, :] < k[:, None]
        out[rows] = np.where(take, np.left_shift(1, ranked), 0).sum(axis=1)
    return out


def _drift(
    rng: np.random.Generator,
    fresh: np.ndarray,
    signature_draws: np.ndarray,
    first: np.ndarray,
    drift: np.ndarray,
) -> np.ndarray:
    """Series values from a drifting signature.

    Rows are series crimes, each series contiguous and in time order
    (``first`` marks its first crime). The signature is re-drawn at a crime
    with probability ``drift`` (always at the first) and kept until the next
    change; a crime deviates from it with probability ``DEVIATE``.
    """
    n = len(fresh)
    change = (rng.random(n) < drift) | first
    idx = np.where(change, np.arange(n), 0)
    last = np.maximum.accumulate(idx) if n else idx
    value = signature_draws[last]
    return np.asarray(np.where(rng.random(n) < DEVIATE, fresh, value))


def _forms(rng: np.random.Generator, canonical: np.ndarray) -> np.ndarray:
    """Surface forms of canonical values (object array; None stays None)."""
    out = np.full(len(canonical), None, dtype=object)
    u = rng.random(len(canonical))
    pick = rng.random(len(canonical))
    for value in {v for v in canonical if v is not None}:
        rows = np.flatnonzero(canonical == value)
        options = voc.forms(value)
        if len(options) == 1:
            out[rows] = value
            continue
        alt = 1 + np.floor(pick[rows] * (len(options) - 1)).astype(np.int64)
        which = np.where(u[rows] < voc.PRIMARY_FORM_SHARE, 0, alt)
        out[rows] = np.asarray(options, dtype=object)[which]
    return out


def _applies(rng: np.random.Generator, type_names: np.ndarray, attr: str) -> np.ndarray:
    """Whether the attribute's fact exists for each case (APPLIES by type)."""
    p = np.zeros(len(type_names))
    for t, share in voc.APPLIES[attr].items():
        p[type_names == t] = share
    return np.asarray(rng.random(len(type_names)) < p, dtype=bool)


def generate_b(
    n_cases: int,
    seed: int,
    *,
    start: str | date | datetime = "2013-01-01",
    end: str | date | datetime = "2016-12-31",
    centre: tuple[float, float] = CENTRE_B,
    solved_fraction: float = 0.3,
    check_bias: Mapping[str, float] | None = None,
    series_fraction: float = SERIES_FRACTION_B,
    max_series_size: int = MAX_SERIES_SIZE_B,
    area_side_km: float | None = None,
    progress: Progress | None = None,
) -> SynthData:
    """Generate design B's city (see the module doc); arguments as :func:`~caselink.synth.generate`.

    The defaults differ from design A's where the design does: the centre (a
    northern city), ``series_fraction`` 0.25, ``max_series_size`` 25 and the
    area's side (:func:`~caselink.synth.city_b.side_km_b`).

    Examples
    --------
    >>> data = generate_b(500, seed=1)
    >>> len(data.cases)
    500
    """
    t0, t1 = _moment(start, "start"), _moment(end, "end") + np.timedelta64(86399, "s")
    _validate(n_cases, seed, solved_fraction, series_fraction, max_series_size, centre, t0, t1)
    bias = dict(check_bias or {})
    group_factors(np.array([], dtype=object), bias)
    report = progress or (lambda stage, frac: None)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence([seed, 0xB]).spawn(16)]
    (g_series, g_time, g_place, g_mo, g_victim, g_people, g_pick, g_noise, g_act, g_text,
     g_solve, g_addr, g_class, g_kin, g_names, g_form) = streams  # fmt: skip
    n = int(n_cases)
    side = float(area_side_km) if area_side_km is not None else side_km_b(n)
    area = Area(float(centre[0]), float(centre[1]), side)
    city = City.draw(g_place, side)
    types_all = np.asarray(cat.CASE_TYPES, dtype=object)
    shares = np.array([voc.CASE_TYPE_SHARE_B[t] for t in cat.CASE_TYPES])
    shares /= shares.sum()
    is_death_type = np.isin(types_all, list(cat.DEATH_TYPES))
    period_s = int((t1 - t0) / np.timedelta64(1, "s"))
    period_days = period_s / 86400.0

    # --- offenders and series ------------------------------------------------------------
    report("offenders", 0.0)
    sizes = series_sizes_b(g_series, round(series_fraction * n), max_series_size)
    n_series = len(sizes)
    n_in_series = int(sizes.sum())
    n_oneoff = n - n_in_series
    n_offenders = n_series + n_oneoff
    crime_p = np.where(is_death_type, 0.0, shares)
    primary = g_series.choice(len(types_all), size=n_series, p=crime_p / crime_p.sum())
    predatory = np.isin(types_all[primary], ["drugging", "sexual_offence"])
    stay = g_series.uniform(*STAY_RANGE, n_series)
    drift = g_series.uniform(*DRIFT_RANGE, n_series)
    home_x, home_y = city.homes(g_series, n_offenders)
    commuter = g_series.random(n_offenders) < COMMUTER_SHARE
    off_range = np.exp(g_series.normal(0.0, RANGE_SIGMA, n_offenders))
    anchor_x, anchor_y = anchors(g_series, city, home_x, home_y, commuter)

    series_of = np.repeat(np.arange(n_series), sizes)
    first_in_series = np.zeros(n_in_series, dtype=bool)
    if n_series:
        first_in_series[np.r_[0, np.cumsum(sizes)[:-1]]] = True
    types = np.empty(n, dtype=np.int64)
    other_p_any = crime_p / crime_p.sum()
    other_p_pred = shares.copy()
    other = np.where(
        predatory[series_of],
        g_series.choice(len(types_all), size=n_in_series, p=other_p_pred),
        g_series.choice(len(types_all), size=n_in_series, p=other_p_any),
    )
    keep_type = (g_series.random(n_in_series) < stay[series_of]) | first_in_series
    types[:n_in_series] = np.where(keep_type, primary[series_of], other)
    types[n_in_series:] = g_series.choice(len(types_all), size=n_oneoff, p=shares)
    type_names = np.asarray(types_all[types], dtype=object)
    series = np.full(n, -1, dtype=np.int64)
    series[:n_in_series] = series_of
    offender = np.concatenate([series_of, n_series + np.arange(n_oneoff)]).astype(np.int64)

    # --- time ----------------------------------------------------------------------------
    report("times", 0.1)
    tempo = np.exp(g_series.normal(math.log(12.0), 0.7, n_series))
    gaps = np.exp(g_time.normal(0.0, 1.2, n_in_series)) * tempo[series_of]
    gaps[first_in_series] = 0.0
    offsets = np.cumsum(gaps)
    if n_series:
        starts = np.flatnonzero(first_in_series)
        offsets -= np.repeat(offsets[starts], sizes)
        span = offsets[np.cumsum(sizes) - 1]
    else:
        span = np.zeros(0)
    squeeze = np.where(span > period_days * 0.9, period_days * 0.9 / np.maximum(span, 1e-9), 1.0)
    offsets *= squeeze[series_of] if n_series else 1.0
    begin = g_time.uniform(0.0, 1.0, n_series) * (period_days - span * squeeze)
    day = np.empty(n, dtype=np.int64)
    day[:n_in_series] = np.floor(begin[series_of] + offsets).astype(np.int64)
    day[n_in_series:] = g_time.integers(0, max(1, int(period_days)), n_oneoff)
    pref_hour = _hours(g_series, primary)
    hour = np.empty(n, dtype=np.int64)
    hour[:n_in_series] = (pref_hour[series_of] + np.rint(g_time.normal(0.0, 2.5, n_in_series))) % 24
    hour[n_in_series:] = _hours(g_time, types[n_in_series:])
    true_s = day * 86400 + hour * 3600 + g_time.integers(0, 3600, n)
    mix = np.array([WINDOW_MIX[t] for t in cat.CASE_TYPES])[types]
    kind = (g_time.random(n)[:, None] > np.cumsum(mix, axis=1)).sum(axis=1)
    kind = np.minimum(kind, 3)
    low = np.array([0.0, 0.5 * 3600, 86400.0, 7 * 86400.0])[kind]
    high = np.array([0.0, 12 * 3600, 7 * 86400.0, 28 * 86400.0])[kind]
    length = np.floor(low + g_time.random(n) * (high - low))
    before = np.floor(g_time.random(n) * length)
    base = t0.astype("datetime64[D]").astype("datetime64[s]")
    occurred = base + (true_s - before).astype("timedelta64[s]")
    occurred_to = occurred + length.astype("timedelta64[s]")
    delay_h = np.array([REPORT_DELAY_HOURS_B[t] for t in cat.CASE_TYPES])[types]
    delay = g_time.exponential(1.0, n) * delay_h + g_time.uniform(0.1, 0.5, n)
    reported = occurred_to + (delay * 3600).astype("timedelta64[s]")
    from_hour = ((occurred - occurred.astype("datetime64[D]")).astype(np.int64) // 3600) % 24
    hour_recorded = np.where(length < 86400, from_hour, np.nan).astype(np.float64)

    # --- places --------------------------------------------------------------------------
    report("places", 0.2)
    x, y = sites(
        g_place,
        side,
        anchor_x[offender],
        anchor_y[offender],
        type_names,
        off_range[offender],
        commuter[offender],
    )

    # --- victims -------------------------------------------------------------------------
    report("victims", 0.3)
    profile = np.array([cat.VICTIM_PROFILE[t] for t in cat.CASE_TYPES])
    male = g_victim.random(n) < profile[types, 0]
    age = np.clip(profile[types, 1] + g_victim.normal(0.0, 1.0, n) * profile[types, 2], 16, 95)
    groups = np.asarray(cat.VICTIM_GROUPS, dtype=object)
    group = groups[g_victim.choice(len(groups), size=n, p=np.array(voc.VICTIM_GROUP_SHARE_B))]
    if n_series:
        pref_group = groups[
            g_victim.choice(len(groups), size=n_series, p=np.array(voc.VICTIM_GROUP_SHARE_B))
        ]
        pref_male = g_victim.random(n_series) < profile[primary, 0]
        pref_age = np.clip(profile[primary, 1] + g_victim.normal(0.0, 8.0, n_series), 17, 80)
        s = slice(0, n_in_series)
        loyal = g_victim.random(n_in_series) < GROUP_LOYALTY
        group[s] = np.where(loyal, pref_group[series_of], group[s])
        follow = g_victim.random(n_in_series) < 0.75
        male[s] = np.where(follow, pref_male[series_of], male[s])
        age[s] = np.where(
            follow,
            np.clip(pref_age[series_of] + g_victim.normal(0, 4, n_in_series), 16, 95),
            age[s],
        )
    local = g_victim.random(n) < 0.75

    # --- MO ------------------------------------------------------------------------------
    report("modus operandi", 0.35)
    written: dict[str, np.ndarray] = {}
    for attr in voc.CATEGORICAL_B:
        codes = _draw_codes(g_mo, type_names, attr)
        if n_in_series:
            sig = _draw_codes(g_mo, type_names[:n_in_series], attr)
            codes[:n_in_series] = _drift(
                g_mo, codes[:n_in_series], sig, first_in_series, drift[series_of]
            )
        kept = _applies(g_mo, type_names, attr) & (g_mo.random(n) >= voc.BLANK_SHARE)
        canonical = np.asarray(voc.CATEGORICAL_B[attr], dtype=object)[codes]
        written[attr] = _forms(g_form, _where(kept, canonical))
    multi_written: dict[str, np.ndarray] = {}
    multi_true: dict[str, np.ndarray] = {}
    for attr, values in voc.MULTI_B.items():
        masks = _draw_masks(g_mo, type_names, attr)
        if n_in_series:
            sig = _draw_masks(g_mo, type_names[:n_in_series], attr)
            masks[:n_in_series] = _drift(
                g_mo, masks[:n_in_series], sig, first_in_series, drift[series_of]
            )
        exists = _applies(g_mo, type_names, attr)
        masks = np.where(exists, masks, 0)
        multi_true[attr] = masks
        masks = np.where(g_mo.random(n) >= voc.BLANK_SHARE, masks, 0)
        out = np.empty(n, dtype=object)
        form_rng = random.Random(int(g_form.integers(2**62)))
        for i, m in enumerate(masks):
            if m == 0:
                out[i] = ()
                continue
            items = []
            for j, v in enumerate(values):
                if int(m) >> j & 1:
                    options = voc.forms(v)
                    first = form_rng.random() < voc.PRIMARY_FORM_SHARE or len(options) == 1
                    items.append(options[0] if first else form_rng.choice(options[1:]))
            out[i] = tuple(sorted(set(items)))
        multi_written[attr] = out
    is_death = np.isin(type_names, list(cat.DEATH_TYPES))
    note_p = np.array([voc.NOTE_SHARE_B.get(t, 0.0) for t in cat.CASE_TYPES])[types]
    note = np.where(is_death, (g_mo.random(n) < note_p).astype(np.int64), -1)
    note_kept = is_death & (g_mo.random(n) >= voc.BLANK_SHARE)
    note_text = np.asarray(voc.NOTE_VALUES, dtype=object)[np.maximum(note, 0)]
    written["note_found"] = _where(note_kept, note_text)

    # --- order, ids, solved --------------------------------------------------------------
    report("case ids", 0.4)
    order = np.lexsort((np.arange(n), reported))

    def by_report(a: np.ndarray) -> np.ndarray:
        return np.asarray(a[order])

    types, type_names, series, offender = (
        by_report(types),
        by_report(type_names),
        by_report(series),
        by_report(offender),
    )
    occurred, occurred_to, reported = (
        by_report(occurred),
        by_report(occurred_to),
        by_report(reported),
    )
    hour_recorded, x, y = by_report(hour_recorded), by_report(x), by_report(y)
    male, age, group, local = by_report(male), by_report(age), by_report(group), by_report(local)
    note, is_death = by_report(note), by_report(is_death)
    written = {a: by_report(v) for a, v in written.items()}
    multi_written = {a: by_report(v) for a, v in multi_written.items()}
    case_ids = _ids("C", n)
    offender_ids = _ids("O", n_offenders)
    series_ids = _ids("S", max(n_series, 1))[:n_series]
    factor = group_factors(group, bias)
    crimes = np.flatnonzero(~is_death)
    n_solved = min(round(solved_fraction * n), len(crimes))
    solved = np.zeros(n, dtype=bool)
    solved[g_solve.choice(crimes, size=n_solved, replace=False)] = True
    status = np.where(solved, "solved", "open").astype(object)
    status[is_death] = classify_deaths(g_class, types, factor)[is_death]

    # --- persons -------------------------------------------------------------------------
    report("people", 0.5)
    n_res = max(10, int(0.8 * n))
    n_households = max(1, int(n_res / 2.2))
    hx, hy = city.homes(g_people, n_households)
    household = g_people.integers(0, n_households, n_res)
    fresh = is_death | (series >= 0) | ~local | (g_people.random(n) < 0.5)
    fresh_rows = np.flatnonzero(fresh)
    n_fresh = len(fresh_rows)
    far = ~local[fresh_rows]
    fx, fy = city.homes(g_people, n_fresh)
    vx = np.where(far, fx, x[fresh_rows] + g_people.normal(0, 0.5, n_fresh))
    vy = np.where(far, fy, y[fresh_rows] + g_people.normal(0, 0.5, n_fresh))
    base_address = np.concatenate(
        [
            np.arange(n_offenders),
            n_offenders + household,
            n_offenders + n_households + np.arange(n_fresh),
        ]
    )
    n_pool0 = n_offenders + n_res
    p_male = np.concatenate(
        [
            g_people.random(n_offenders) < 0.85,
            g_people.random(n_res) < 0.49,
            male[fresh_rows],
        ]
    )
    p_age = np.concatenate(
        [
            np.clip(g_people.normal(31.0, 10.0, n_offenders), 16, 75),
            np.clip(g_people.normal(41.0, 18.0, n_res), 16, 95),
            np.zeros(n_fresh),
        ]
    )
    dob = draw_dobs(g_people, t0, p_age)
    fresh_dob_days = (age[fresh_rows] + g_people.random(n_fresh)) * 365.25
    dob[n_pool0:] = (
        occurred[fresh_rows].astype("datetime64[D]") - fresh_dob_days.astype(np.int64)
    ).astype("datetime64[D]")
    given = draw_given(g_names, p_male)
    surname = draw_surnames(g_names, len(p_male))
    household_surname = draw_surnames(g_names, n_households)
    shared = np.flatnonzero(g_people.random(n_res) < 0.6)
    surname[n_offenders + shared] = household_surname[household[shared]]

    # kin: twins and fathers/sons of pool persons, at the same address
    pool_age = p_age[:n_pool0]
    n_twins = round(TWIN_SHARE * n_res)
    twin_of = g_kin.choice(n_pool0, size=min(n_twins, n_pool0), replace=False)
    men = np.flatnonzero(p_male[:n_pool0] & (pool_age >= 20))
    n_fs = min(round(FATHER_SON_SHARE * n_res), len(men))
    fs_of = g_kin.choice(men, size=n_fs, replace=False) if n_fs else np.zeros(0, np.int64)
    twin_male = g_kin.random(len(twin_of)) < 0.5
    twin_given = draw_given(g_kin, twin_male)
    same = twin_given == given[twin_of]
    for t in np.flatnonzero(same):  # twins never share a given name
        names = draw_given(g_kin, np.array([twin_male[t]]))
        while names[0] == given[twin_of[t]]:
            names = draw_given(g_kin, np.array([twin_male[t]]))
        twin_given[t] = names[0]
    gap_years = g_kin.uniform(25.0, 35.0, n_fs)
    anchor_old = pool_age[fs_of] >= 50.0  # an older man gets a son, a younger one a father
    kin_dob_shift = np.where(anchor_old, gap_years, -gap_years) * 365.25
    fs_dob = (dob[fs_of] + kin_dob_shift.astype(np.int64)).astype("datetime64[D]")
    fs_given = draw_given(g_kin, np.ones(n_fs, dtype=bool))
    same_name = g_kin.random(n_fs) < SAME_NAME_SON
    fs_given[same_name] = given[fs_of[same_name]]
    kin_anchor = np.concatenate([twin_of, fs_of]).astype(np.int64)
    n_kin = len(kin_anchor)
    kin_rows = len(p_male) + np.arange(n_kin)
    p_male = np.concatenate([p_male, twin_male, np.ones(n_fs, dtype=bool)])
    dob = np.concatenate([dob, dob[twin_of], fs_dob]).astype("datetime64[D]")
    given = np.concatenate([given, twin_given, fs_given])
    surname = np.concatenate([surname, surname[kin_anchor]])
    person_address = np.concatenate([base_address, base_address[kin_anchor]])
    kin_type = np.full(len(p_male), None, dtype=object)
    kin_of = np.full(len(p_male), -1, dtype=np.int64)
    kin_label = np.array(["twin"] * len(twin_of) + ["father_son"] * n_fs, dtype=object)
    kin_type[kin_rows] = kin_label
    kin_type[kin_anchor] = kin_label
    kin_of[kin_rows] = kin_anchor
    kin_of[kin_anchor] = kin_rows

    addresses = draw_addresses(
        g_addr, area, np.concatenate([home_x, hx, vx]), np.concatenate([home_y, hy, vy])
    )
    addresses = addresses.iloc[person_address].reset_index(drop=True)
    px, py = area.to_km(addresses["lat"].to_numpy(), addresses["lon"].to_numpy())
    n_persons = len(px)
    sex = np.where(p_male, "M", "F").astype(object)
    middle = draw_middle(g_names, p_male)
    alias = draw_aliases(g_names, sex)
    phone = draw_phones(g_people, n_persons)
    phone[g_people.random(n_persons) >= 0.8] = None
    vehicle = draw_plates(g_people, n_persons)
    vehicle[g_people.random(n_persons) >= 0.3] = None
    person_ids = _ids("P", n_persons)
    kin_of_id = np.full(n_persons, None, dtype=object)
    has_kin = kin_of >= 0
    kin_of_id[has_kin] = person_ids[kin_of[has_kin]]
    persons = _frame(
        {
            "person_id": person_ids,
            "first_name": given,
            "last_name": surname,
            "sex": sex,
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
            "middle_name": middle,
            "alias_surname": alias,
            "kin_of": kin_of_id,
            "kin_type": kin_type,
        }
    )

    # --- mentions ------------------------------------------------------------------------
    report("mentions", 0.6)
    pool_rows = np.concatenate([np.arange(n_pool0), kin_rows])
    pool = _Pool(g_pick, px[pool_rows], py[pool_rows])
    victim_person = np.full(n, -1, dtype=np.int64)
    victim_person[fresh_rows] = n_pool0 + np.arange(n_fresh)
    reuse = np.flatnonzero(~fresh)
    victim_person[reuse] = pool_rows[pool.pick(g_pick, x[reuse], y[reuse])]
    male[reuse] = p_male[victim_person[reuse]]
    lived = (occurred[reuse].astype("datetime64[D]") - dob[victim_person[reuse]]).astype(np.int64)
    age[reuse] = np.maximum(np.floor(lived / 365.25), 0)
    victim_present = is_death | (g_pick.random(n) < 0.95)

    roles: list[np.ndarray] = []
    case_rows: list[np.ndarray] = []
    people_rows: list[np.ndarray] = []

    def add(role: str, rows: np.ndarray, who: np.ndarray) -> None:
        roles.append(np.full(len(rows), ROLE_ORDER.index(role), dtype=np.int64))
        case_rows.append(rows)
        people_rows.append(who)

    def near(rows: np.ndarray) -> np.ndarray:
        return np.asarray(pool_rows[pool.pick(g_pick, x[rows], y[rows])], dtype=np.int64)

    rows = np.flatnonzero(victim_present)
    add("victim", rows, victim_person[rows])
    rep_rows = np.flatnonzero(g_pick.random(n) < np.where(is_death, 0.6, 0.3))
    add("reporter", rep_rows, near(rep_rows))
    find_rows = np.flatnonzero(is_death & (g_pick.random(n) < 0.8))
    add("finder", find_rows, near(find_rows))
    n_wit = np.minimum(g_pick.poisson(0.8, n), 5)
    w_rows = np.repeat(np.arange(n), n_wit)
    add("witness", w_rows, near(w_rows))
    s_rows = np.flatnonzero(~solved & ~is_death & (g_pick.random(n) < 0.15))
    suspect = near(s_rows)
    true_suspect = g_pick.random(len(s_rows)) < 0.3
    suspect[true_suspect] = offender[s_rows[true_suspect]]
    add("suspect", s_rows, suspect)
    o_rows = np.flatnonzero(solved)
    add("offender", o_rows, offender[o_rows])
    # every member of a kin pair is mentioned, near home, 1 + Poisson(KIN_MENTIONS) times
    kin_people = np.flatnonzero(has_kin)
    times = 1 + g_kin.poisson(KIN_MENTIONS, len(kin_people))
    who = np.repeat(kin_people, times)
    case_pool = _Pool(g_kin, x, y)
    at = case_pool.pick(g_kin, px[who], py[who])
    as_reporter = g_kin.random(len(who)) < 0.3
    add("reporter", at[as_reporter], who[as_reporter])
    add("witness", at[~as_reporter], who[~as_reporter])

    m_case = np.concatenate(case_rows)
    m_role = np.concatenate(roles)
    m_person = np.concatenate(people_rows)
    m_order = np.lexsort((np.arange(len(m_case)), m_role, m_case))
    m_case, m_role, m_person = m_case[m_order], m_role[m_order], m_person[m_order]
    role_names = np.asarray(ROLE_ORDER, dtype=object)[m_role]
    report("recording noise", 0.7)
    recorded = record_mentions(g_noise, persons, m_person, role_names)
    recorded["name"] = record_names_b(
        g_names,
        given[m_person],
        persons["middle_name"].to_numpy(dtype=object)[m_person],
        surname[m_person],
        persons["alias_surname"].to_numpy(dtype=object)[m_person],
    )
    n_m = len(m_case)
    drop = g_noise.random(n_m) < MISSING_B["dob"]
    recorded.loc[drop, "dob"] = pd.NaT
    drop = g_noise.random(n_m) < MISSING_B["phone"]
    recorded.loc[drop, "phone"] = None
    drop = g_noise.random(n_m) < MISSING_B["address"]
    recorded.loc[drop, ["address", "postcode"]] = None
    recorded.loc[drop, ["address_lat", "address_lon"]] = np.nan
    people = _frame(
        {
            "mention_id": np.arange(n_m, dtype=np.int64),
            "case_id": case_ids[m_case],
            "role": role_names,
            **{c: recorded[c].to_numpy() for c in MENTION_COLUMNS[3:]},
        }
    )
    truth_people = _frame(
        {
            "mention_id": people["mention_id"].to_numpy(),
            "person_id": person_ids[m_person],
            "kin_of": kin_of_id[m_person],
            "kin_type": kin_type[m_person],
        }
    )

    # --- actions -------------------------------------------------------------------------
    report("actions", 0.8)
    drugs_text = np.array(["|".join(d) for d in multi_written["drugs"]], dtype=object)
    acts = draw_actions(
        g_act, types, group, reported, note == 1, solved, t1, bias, drugs_text=drugs_text
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

    # --- cases ---------------------------------------------------------------------------
    report("narratives", 0.85)
    lat, lon = area.to_latlon(x, y)
    victim_sex = np.where(male, "M", "F").astype(object)
    victim_sex[~victim_present] = None
    victim_age = np.where(victim_present, np.floor(age), np.nan)
    text_rng = random.Random(int(g_text.integers(2**62)))
    refs = g_text.integers(100, 9999, n)
    labels = {
        "premises": "Location",
        "point_of_entry": "Entry",
        "weapon_used": "Weapon",
        "approach": "MO",
        "disguise": "Suspect wearing",
        "discovery": "Found",
    }
    narrative = np.empty(n, dtype=object)
    for i in range(n):
        facts = {lab: str(written[a][i]) for a, lab in labels.items() if written[a][i] is not None}
        if multi_written["items_stolen"][i]:
            facts["Stolen"] = ", ".join(multi_written["items_stolen"][i])
        if multi_written["drugs"][i]:
            facts["Substances"] = ", ".join(multi_written["drugs"][i])
        narrative[i] = describe_b(text_rng, str(type_names[i]), facts, int(refs[i]))
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
            "victim_sex": victim_sex,
            "victim_group": _where(victim_present, group),
            "status": status,
            "offender_id": _where(solved, offender_ids[offender]),
            "narrative": narrative,
        }
    )
    for spec in voc.SCHEMA_B.attributes:
        if spec.name == "hour_recorded":
            cases[spec.name] = hour_recorded
        elif spec.name in multi_written:
            cases[spec.name] = pd.Series(multi_written[spec.name], dtype=object)
        else:
            cases[spec.name] = pd.Series(written[spec.name], dtype=object)
    assert list(cases.columns[: len(CASE_COLUMNS)]) == list(CASE_COLUMNS)

    truth_cases, truth_offenders = truth_frames(
        case_ids,
        series,
        series_ids,
        offender,
        offender_ids,
        *area.to_latlon(home_x, home_y),
        person_ids,
    )
    report("done", 1.0)
    params: dict[str, Any] = {
        "design": "B",
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
        schema=voc.SCHEMA_B,
        truth_cases=truth_cases,
        truth_people=truth_people,
        truth_offenders=truth_offenders,
        persons=persons,
        params=params,
    )
