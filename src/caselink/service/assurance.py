"""Assurance use cases: missed checks, the disparity audit, prompts, death clusters.

Each is one call returning a typed result the command line (or a page)
renders; bad input raises :class:`~caselink.records.errors.InputError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from caselink.assurance import (
    Prompt,
    check_states,
    default_standard,
    disparity_audit,
    load_standard,
    prompts_frame,
    raise_prompts,
    recurrences_from_flags,
    scan_death_clusters,
    select_deaths,
)
from caselink.assurance.audit import AuditReport
from caselink.assurance.checks import UNMET_STATES, summarise_states
from caselink.assurance.codes import CodeMap, coverage, load_code_map, not_done_outside_standard
from caselink.assurance.plots import plot_audit
from caselink.assurance.standard import Standard
from caselink.records.errors import InputError, input_errors
from caselink.records.frames import require_columns
from caselink.records.outputs import atomic_output, atomic_path
from caselink.service.linking import open_engine, read_links_file
from caselink.settings import LINK_THRESHOLD
from caselink.store import Store
from caselink.store.results import Results, data_fingerprint


def standard(path: Path | None) -> Standard:
    """The standard YAML file, else the shipped default."""
    return default_standard() if path is None else load_standard(path)


def as_of(text: str | None) -> pd.Timestamp:
    """``--as-of`` as a naive UTC time (now when not given)."""
    if text is None:
        return pd.Timestamp(datetime.now(UTC).replace(tzinfo=None))
    try:
        ts = pd.Timestamp(text)
    except ValueError:
        raise InputError(
            f"--as-of: {text!r} is not a date or time", field="--as-of", value=text
        ) from None
    return ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo is not None else ts


def read_csv(path: Path | None, columns: tuple[str, ...], option: str) -> pd.DataFrame | None:
    """A CSV given by ``option`` with the ``columns`` it must have (None when not given)."""
    if path is None:
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    require_columns(frame, columns, f"{option} {path}:")
    return frame


# -- checks ------------------------------------------------------------------------


@dataclass(frozen=True)
class MissedChecks:
    """The required checks not done, and the counts by action and state."""

    standard: Standard
    report: pd.DataFrame
    """``case_id, action, state, in_standard`` (the ``--out`` file)."""
    summary: pd.DataFrame
    warnings: list[str]
    n_unmet: int
    n_cases: int
    n_outside: int
    n_outside_cases: int


def missed_checks(
    store: Store,
    standard_path: Path | None = None,
    code_map: Path | None = None,
    when: str | None = None,
) -> MissedChecks:
    """Required checks not done, overdue or never recorded; not-done actions outside too."""
    std = standard(standard_path)
    renames = load_code_map(code_map) if code_map is not None else CodeMap()
    cases, actions = renames.apply(store.cases_frame(), store.actions_frame())
    warnings = list(coverage(cases, actions, std).warnings())
    states = check_states(cases, actions, std, as_of(when))
    unmet = states[states["state"].isin(UNMET_STATES)][["case_id", "action", "state"]]
    unmet = unmet.assign(in_standard=True)
    outside = not_done_outside_standard(cases, actions, std)
    report = pd.concat([unmet, outside], ignore_index=True) if len(outside) else unmet
    return MissedChecks(
        std,
        report,
        summarise_states(states),
        warnings,
        len(unmet),
        int(states["case_id"].nunique()),
        len(outside),
        int(outside["case_id"].nunique()) if len(outside) else 0,
    )


# -- audit -------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRequest:
    """The options of the disparity audit."""

    group: str = "victim_group"
    by: str | None = "case_type"
    reference: str | None = None
    focus: str | None = None
    correction: str = "holm"
    alpha: float = 0.05
    standard: Path | None = None
    as_of: str | None = None


def audit(
    store: Store, request: AuditRequest, out: Path | None = None, png: Path | None = None
) -> AuditReport:
    """Completion of required checks and outcomes per group, with tests; written when asked."""
    std = standard(request.standard)
    with input_errors():
        report = disparity_audit(
            store.cases_frame(),
            store.actions_frame(),
            std,
            group=request.group,
            by=request.by,
            as_of=as_of(request.as_of),
            reference=request.reference,
            focus=request.focus,
            correction=request.correction,
            alpha=request.alpha,
        )
    if out is not None:
        with atomic_output(out) as fh:
            fh.write(json.dumps(report.as_dict(), indent=2) + "\n")
    if png is not None:
        with atomic_path(png) as tmp:
            plot_audit(report, tmp)
    return report


# -- prompts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Prompts:
    """The checks raised (stored unless a dry run) and their table (the ``--out`` file)."""

    raised: list[Prompt]
    frame: pd.DataFrame
    stored: bool
    source: str | None = None
    """Where the links and series came from when no file was given (a stored run)."""


def prompts(
    store: Store,
    links: Path | None = None,
    series: Path | None = None,
    flags: Path | None = None,
    threshold: float = LINK_THRESHOLD,
    all_recurrences: bool = False,
    dry_run: bool = False,
) -> Prompts:
    """Raise the checks that links, series and recurring people/places/phones make necessary.

    Without ``links`` and ``series`` files, the links and series of the newest
    stored link run of the store's cases are used (``caselink link``), if any.
    """
    cases = store.cases_frame()
    links_frame = read_links_file(links) if links is not None else None
    series_frame = read_csv(series, ("case_id", "series_id"), "--series")
    source = None
    if links is None and series is None:
        links_frame, series_frame, source = _stored_links_and_series(store, threshold)
    flags_frame = read_csv(flags, ("flag", "entity_kind", "cases", "roles"), "--flags")
    if flags_frame is None:
        flags_frame = _flags_from_store(store, cases, series_frame)
    recurrences = recurrences_from_flags(flags_frame) if flags_frame is not None else None
    with input_errors():
        raised = raise_prompts(
            cases,
            store.actions_frame(),
            links_frame,
            series_frame,
            recurrences,
            threshold,
            all_recurrences=all_recurrences,
        )
    if not dry_run and raised:
        now = datetime.now(UTC).replace(tzinfo=None)
        store.add_actions(
            [p.as_action(now) for p in raised], source="prompt", reasons=[p.reason for p in raised]
        )
    return Prompts(raised, prompts_frame(raised), not dry_run and bool(raised), source)


def _stored_links_and_series(
    store: Store, threshold: float
) -> tuple[pd.DataFrame | None, pd.DataFrame | None, str | None]:
    """The links and series (at ``threshold``) of the newest stored run of these cases."""
    results = Results(store.engine)
    if results.count_link_runs() == 0:
        return None, None, None
    run = results.latest_link_run(data_fingerprint(open_engine(store).engine.cases))
    if run is None:
        return None, None, None
    series_run = results.latest_series_run(run.run_id, threshold)
    members = results.series_members(series_run) if series_run is not None else None
    return results.links_frame(run.run_id), members, f"stored link run {run.run_id}"


def _flags_from_store(
    store: Store, cases: pd.DataFrame, series: pd.DataFrame | None
) -> pd.DataFrame | None:
    """The entity flags computed from the store's resolution, or None without one."""
    from caselink.entities import KEY_KINDS, recurrence_flags

    resolutions = {kind: store.resolution_frame(kind) for kind in ("person", *KEY_KINDS)}
    if resolutions["person"].empty:
        return None
    frame: pd.DataFrame = recurrence_flags(store.mentions_frame(), cases, resolutions, series)
    return frame


# -- death clusters ----------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    """A space-time cluster of deaths, as a table row."""

    rank: int
    start: date
    end: date
    radius_m: float
    observed: int
    expected: float
    p_value: float
    case_ids: list[str]


@dataclass(frozen=True)
class DeathClusters:
    """The clusters found (``frame`` is the ``--out`` file) among ``n_deaths`` deaths."""

    n_deaths: int
    frame: pd.DataFrame

    def top(self, n: int = 10) -> list[Cluster]:
        """The ``n`` strongest clusters."""
        return [
            Cluster(
                int(r["rank"]),
                pd.Timestamp(r["start"]).date(),
                pd.Timestamp(r["end"]).date(),
                float(r["radius_m"]),
                int(r["observed"]),
                float(r["expected"]),
                float(r["p_value"]),
                str(r["case_ids"]).split("|"),
            )
            for r in self.frame.head(n).to_dict("records")
        ]


@dataclass(frozen=True)
class ClusterScan:
    """The options of the space-time scan."""

    case_types: tuple[str, ...] = ()
    profile: tuple[str, ...] = ()
    """``COLUMN=VALUE[|VALUE]`` victim profile filters."""
    min_age: float | None = None
    max_age: float | None = None
    radius_m: float = 1000.0
    bin_days: int = 30
    max_bins: int = 12
    simulations: int = 199
    seed: int = 0


def death_clusters(store: Store, scan: ClusterScan) -> DeathClusters:
    """Space-time clusters of unexplained/drug deaths of a victim profile (Kulldorff scan)."""
    wanted: dict[str, list[str]] = {}
    for item in scan.profile:
        column, sep, values = item.partition("=")
        if not sep or not column or not values:
            raise InputError(
                f"--profile {item!r}: expected COLUMN=VALUE[|VALUE]", field="--profile", value=item
            )
        wanted[column.strip()] = [v.strip() for v in values.split("|")]
    with input_errors():
        kwargs = {"case_types": scan.case_types} if scan.case_types else {}
        deaths = select_deaths(
            store.cases_frame(),
            profile=wanted,
            min_age=scan.min_age,
            max_age=scan.max_age,
            **kwargs,
        )
        found = scan_death_clusters(
            deaths,
            max_radius_m=scan.radius_m,
            bin_days=scan.bin_days,
            max_bins=scan.max_bins,
            n_simulations=scan.simulations,
            seed=scan.seed,
        )
    return DeathClusters(len(deaths), found)
