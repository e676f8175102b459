"""Entity-resolution use cases: resolve (full or incremental), a people file, people,
recurrence flags and link charts.

A resolution run is recorded in the store (:mod:`caselink.store.results`). The
person model is a JSON file: ``--model``, else ``<sqlite file>.person-model.json``
beside a SQLite store.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import make_url

from caselink.entities import (
    KEY_KINDS,
    PersonResolver,
    link_graph,
    recurrence_flags,
    resolve_keys,
    write_chart,
)
from caselink.entities.people_file import read_people_file
from caselink.records.errors import (
    CaselinkError,
    InputError,
    ModelMismatchError,
    NotFoundError,
    input_errors,
)
from caselink.service.linking import series_members
from caselink.service.person_review import store_resolution
from caselink.settings import Settings, database_url
from caselink.store import Store
from caselink.store.results import Results, utcnow


def person_model_path(db: str | None, model: Path | None) -> Path:
    """``model``, else ``<sqlite file>.person-model.json`` beside a SQLite store."""
    if model is not None:
        return model
    url = make_url(database_url(db))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(f"{url.database}.person-model.json")
    raise InputError("--model is required when the store is not a SQLite file", field="--model")


def resolutions(store: Store) -> dict[str, pd.DataFrame]:
    """The stored resolution of every kind (person, address, phone, vehicle)."""
    return {kind: store.resolution_frame(kind) for kind in ("person", *KEY_KINDS)}


@dataclass(frozen=True)
class Resolved:
    """A resolution run: distinct entities per kind, mentions resolved, links made."""

    incremental: bool
    counts: dict[str, int]
    n_resolved: int
    n_links: int
    seconds: float
    model_path: Path
    run_id: int


def resolve(
    store: Store,
    model_path: Path,
    incremental: bool = False,
    threshold: float = 0.35,
    settings: Settings | None = None,
) -> Resolved:
    """Resolve person mentions into persons (Splink) and addresses, phones, vehicles (keys)."""
    settings = settings or Settings.from_env()
    mentions = store.mentions_frame()
    if len(mentions) < 2:
        raise InputError(f"the store holds {len(mentions)} people row(s): nothing to resolve")
    started_at = utcnow()
    started = time.perf_counter()
    if incremental:
        if not model_path.exists():
            raise NotFoundError(
                f"no saved person model at {model_path}: run `caselink resolve` (full) first",
                file=str(model_path),
            )
        try:
            saved = json.loads(model_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read the person model {model_path}: {exc}") from None
        try:
            resolver = PersonResolver.from_model(saved, threshold=threshold)
        except CaselinkError as exc:
            raise InputError(f"{model_path}: {exc}", file=str(model_path)) from None
        previous = store.resolution_frame("person")
        result = resolver.resolve_incremental(mentions, previous, store.cases_frame())
        new = len(mentions) - len(previous)
    else:
        cases = store.cases_frame()
        resolver = PersonResolver(threshold=threshold).fit(mentions, cases)
        model_path.write_text(json.dumps(resolver.model_))
        result = resolver.resolve(mentions, cases)
        new = len(mentions)
    stored = store_resolution(store, result.assignments)  # reviewers' merges and splits kept
    counts = {"person": int(stored["entity_id"].nunique())}
    for kind in KEY_KINDS:
        frame = resolve_keys(mentions, kind)
        store.replace_resolution(kind, frame)
        counts[kind] = int(frame["entity_id"].nunique())
    run_id = Results(store.engine).record_resolution_run(
        "person",
        "incremental" if incremental else "full",
        str(model_path),
        started_at,
        len(mentions),
        counts["person"],
        settings.user,
    )
    elapsed = time.perf_counter() - started
    return Resolved(incremental, counts, new, len(result.links), elapsed, model_path, run_id)


@dataclass(frozen=True)
class FileResolved:
    """A people file resolved alone: one row per input row, written to ``out``."""

    persons: pd.DataFrame
    n_links: int
    seconds: float
    skipped_passes: list[str]

    @property
    def n_persons(self) -> int:
        """Distinct persons found."""
        return int(self.persons["person_id"].nunique())


def resolve_file(people_csv: Path, out: Path, threshold: float = 0.35) -> FileResolved:
    """Resolve a people file with no cases (and no store); write ``mention_id,person_id,...``."""
    if out.resolve() == people_csv.resolve():
        raise InputError(f"--out {out} is the input file: choose another path", field="--out")
    mentions = read_people_file(people_csv)
    if len(mentions) < 2:
        raise InputError(f"{people_csv} holds {len(mentions)} row(s): nothing to resolve")
    started = time.perf_counter()
    resolver = PersonResolver(threshold=threshold).fit(mentions)
    result = resolver.resolve(mentions)
    elapsed = time.perf_counter() - started
    frame = result.assignments.rename(columns={"entity_id": "person_id"})
    frame.to_csv(out, index=False)
    return FileResolved(frame, len(result.links), elapsed, list(resolver.skipped_em_passes_))


def people(store: Store) -> pd.DataFrame:
    """``mention_id, case_id, role, person_id`` of every people row (all must be resolved)."""
    mentions = store.mentions_frame()
    persons = store.resolution_frame("person")
    if persons.empty and not mentions.empty:
        raise NotFoundError("no person resolution in the store: run `caselink resolve` first")
    frame = mentions[["mention_id", "case_id", "role"]].merge(
        persons[["mention_id", "entity_id"]], on="mention_id", how="left"
    )
    unresolved = frame["entity_id"].isna()
    if unresolved.any():
        first = int(frame.loc[unresolved, "mention_id"].iloc[0])
        raise InputError(
            f"{int(unresolved.sum())} mention(s) are not resolved (first: mention_id {first}): "
            "run `caselink resolve --incremental`"
        )
    return frame.rename(columns={"entity_id": "person_id"})


@dataclass(frozen=True)
class Flags:
    """Recurrence flags, and where the series they use came from."""

    frame: pd.DataFrame
    series_note: str | None


def flags(
    store: Store,
    series_file: Path | None = None,
    linkage_model: Path | None = None,
    series_threshold: float | None = None,
    use_linkage: bool = True,
    distance_km: float = 1.0,
) -> Flags:
    """Persons, addresses, phones, vehicles in 2+ cases; reporters living near deaths.

    The series are those of ``series_file``, else the stored series of the
    newest link run (linkage runs only when none is stored), unless
    ``use_linkage`` is false.
    """
    found = resolutions(store)
    if found["person"].empty:
        raise NotFoundError("no person resolution in the store: run `caselink resolve` first")
    series_frame, note = None, None
    if series_file is not None:
        series_frame = pd.read_csv(series_file, dtype=str)
    elif use_linkage:
        series_frame, note = _linkage_series(store, linkage_model, series_threshold)
    with input_errors():
        frame = recurrence_flags(
            store.mentions_frame(), store.cases_frame(), found, series_frame, distance_km
        )
    return Flags(frame, note)


def _linkage_series(
    store: Store, model: Path | None, threshold: float | None
) -> tuple[pd.DataFrame | None, str]:
    """``case_id, series_id`` of the series case linkage finds, and a note saying so."""
    if store.count_cases() < 2:
        return None, "no series from case linkage (fewer than two cases); flags without series"
    settings = Settings.from_env(link_threshold=threshold)
    try:
        members, source, _ = series_members(store, model, settings=settings)
    except ModelMismatchError as exc:
        raise InputError(
            f"--linkage-model {model}: not a usable case-linkage model ({exc})"
        ) from None
    except InputError as exc:
        return None, f"no series from case linkage ({exc}); flags without series"
    note = (
        f"series from case linkage: {members['series_id'].nunique():,} series, "
        f"{len(members):,} cases (link probability >= {settings.link_threshold}; {source})"
    )
    return members[["case_id", "series_id"]].astype(str), note


def chart(store: Store, case_id: str, out: Path, hops: int = 2) -> Path:
    """Draw (or export) the link chart of a case's neighbourhood; returns the file written."""
    graph = link_graph(store.mentions_frame(), store.cases_frame(), resolutions(store))
    try:
        return write_chart(graph, case_id, out, hops)
    except KeyError as exc:
        raise NotFoundError(str(exc.args[0]) if exc.args else str(exc)) from None
    except ValueError as exc:
        raise InputError(str(exc.args[0]) if exc.args else str(exc)) from None
