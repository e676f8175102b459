"""Linking use cases: train, link, series, explain — stored as runs, exported on request.

Each function is one use case of the command line (and of any other front
door): it takes a store and plain arguments, raises only
:class:`~caselink.records.errors.CaselinkError`, and returns a typed result
that the caller renders. A link run is stored with what made it
(:mod:`caselink.store.results`); series are found from the newest stored run
of the same cases and model instead of linking again.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from caselink.linkage.blocking import DEFAULT_CANDIDATES_PER_CASE as DEFAULT_CANDIDATES_PER_CASE
from caselink.linkage.blocking import named_rules
from caselink.linkage.config import LinkageConfig
from caselink.linkage.engine import LINK_FLOOR, LinkageEngine, NotEnoughLabelsError
from caselink.linkage.evaluation import EvaluationReport
from caselink.linkage.evaluation import evaluate as run_evaluation
from caselink.linkage.explain import Evidence, explain_pair
from caselink.linkage.persistence import (
    ModelFileError,
    ModelSchemaError,
    SavedModel,
    load_model,
    model_data,
    save_model,
)
from caselink.linkage.sampling import MAX_UNLINKED_PAIRS as MAX_UNLINKED_PAIRS
from caselink.linkage.series import SeriesResult, find_series
from caselink.linkage.tables import LinkageDataError
from caselink.records.errors import (
    CaselinkError,
    InputError,
    ModelMismatchError,
    NotFoundError,
)
from caselink.records.frames import require_columns
from caselink.settings import LINK_THRESHOLD, Settings
from caselink.store import Store
from caselink.store.results import LinkRun, Results, data_fingerprint, model_fingerprint

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Linker:
    """The engine over every stored case, with the model it scores with and its id in the store."""

    engine: LinkageEngine
    model_fingerprint: str
    source: str | None

    @property
    def model(self) -> SavedModel:
        """The model the engine scores with."""
        return self.engine.model


def open_engine(
    store: Store,
    model: Path | None = None,
    rules: str | None = None,
    memory_limit: str | None = None,
    candidates_per_case: float | None = None,
    prefix_filter: bool = False,
) -> Linker:
    """The engine over every stored case, with a saved model or the default one.

    With ``candidates_per_case`` the rules' reach is shortened from the data's own
    density to stay within that budget (``linkage.blocking.fit_reach``); with
    ``prefix_filter`` a naive Bayes model's pairs come from its own weights
    (``linkage.prefix_filter``), not the rules.

    Raises
    ------
    InputError
        Fewer than two cases, unknown rules, or data the engine cannot take.
    ModelMismatchError
        A model file that cannot be read or does not fit the store's attributes.
    """
    schema = store.attribute_schema()
    cases = store.cases_frame()
    if len(cases) < 2:
        raise InputError(f"the store holds {len(cases)} case(s); linkage needs at least two")
    try:
        saved = load_model(model, schema) if model is not None else None
    except FileNotFoundError as exc:
        raise NotFoundError(str(exc)) from None
    except (ModelSchemaError, ModelFileError) as exc:
        raise ModelMismatchError(str(exc)) from None
    try:
        config = saved.config if saved is not None else LinkageConfig()
        chosen = named_rules(rules, config, schema, len(cases)) if rules is not None else None
        engine = LinkageEngine(
            cases,
            schema,
            model=saved,
            rules=chosen,
            memory_limit=memory_limit,
            candidates_per_case=candidates_per_case,
            prefix_filter=prefix_filter,
        )
    except ModelSchemaError as exc:
        raise ModelMismatchError(str(exc)) from None
    except CaselinkError:
        raise
    except (LinkageDataError, ValueError) as exc:
        raise InputError(str(exc)) from None
    return Linker(engine, model_fingerprint(model_data(engine.model)), _source(model))


def _source(model: Path | None) -> str | None:
    return None if model is None else str(model)


# -- train -------------------------------------------------------------------------


@dataclass(frozen=True)
class Trained:
    """A trained model: where its file and metadata were written and its id in the store."""

    model: SavedModel
    path: Path
    metadata_path: Path
    model_id: int
    reach: str | None = None
    """How the rules' reach was fitted to the candidates-per-case budget, if one was given."""
    training: str | None = None
    """The training sample: linked pairs and the sampled unlinked ones."""


def train(
    store: Store,
    path: Path,
    label: str = "offender_id",
    rules: str | None = None,
    memory_limit: str | None = None,
    settings: Settings | None = None,
    max_unlinked: int = MAX_UNLINKED_PAIRS,
    candidates_per_case: float | None = None,
) -> Trained:
    """Train on the solved cases, write the model file (its export) and store its content.

    Training pairs are every linked candidate pair of solved cases and at most
    ``max_unlinked`` sampled unlinked ones (case-control; the odds are corrected).
    """
    settings = settings or Settings.from_env()
    linker = open_engine(store, None, rules, memory_limit, candidates_per_case)
    try:
        saved = linker.engine.train(label=label, max_unlinked=max_unlinked)
    except NotEnoughLabelsError as exc:
        raise InputError(str(exc), field="--label", value=label) from None
    except CaselinkError:
        raise
    except ValueError as exc:
        raise InputError(str(exc)) from None
    meta = save_model(saved, path)
    model_id = Results(store.engine).put_model(model_data(saved), str(path), settings.user)
    engine = linker.engine
    return Trained(
        saved,
        path,
        meta,
        model_id,
        reach=engine.reach.describe() if engine.reach is not None else None,
        training=engine.training.describe() if engine.training is not None else None,
    )


# -- link --------------------------------------------------------------------------


@dataclass(frozen=True)
class Linked:
    """A stored link run and its links (``case_a, case_b, probability`` [+ ``explanation``])."""

    run: LinkRun
    links: pd.DataFrame
    model_name: str
    rules_name: str
    n_rules: int
    n_cases: int
    blocking: dict[str, Any]
    floor: float
    reach: str | None = None
    """How the rules' reach was fitted to the candidates-per-case budget, if one was given."""

    def blocking_text(self) -> str:
        """What blocking kept, per case: the rule set, the candidate pairs and those compared."""
        n = self.n_cases
        report = self.blocking
        named = f"{self.rules_name} rules"
        if self.rules_name in ("wide", "national"):
            named += f" (chosen for {n:,} cases)"
        parts = [f"blocking: {named}, {self.n_rules} rules"]
        if report.get("prefix_filter"):
            pairs = int(report["rule_pairs"])
            parts = [
                "blocking: prefix filter on the model's weights "
                f"({int(report['prefix_tiers'])} distance and days tiers), "
                f"{pairs:,} pairs sharing enough ({pairs / n:,.1f} per case)"
            ]
        elif "candidate_pairs" in report:
            pairs = int(report["candidate_pairs"])
            parts.append(f"{pairs:,} candidate pairs ({pairs / n:,.1f} per case)")
        elif "rule_pairs" in report:
            pairs = int(report["rule_pairs"])
            parts.append(
                f"at most {pairs:,} candidate pairs ({pairs / n:,.1f} per case; "
                "a pair kept by two rules counts twice)"
            )
        if "linkable_pairs" in report:
            parts.append(
                f"{int(report['linkable_pairs']):,} compared "
                f"(could reach p >= {self.floor:g} under the model)"
            )
        return "; ".join(parts)


def link(
    store: Store,
    model: Path | None = None,
    min_probability: float = LINK_FLOOR,
    all_candidates: bool = False,
    explain: bool = False,
    rules: str | None = None,
    memory_limit: str | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
    linker: Linker | None = None,
    candidates_per_case: float | None = None,
    prefix_filter: bool = False,
) -> Linked:
    """Link every stored case and store the run with its links.

    Links at or above the settings' threshold keep their explanation factors.
    """
    settings = settings or Settings.from_env()
    linker = linker or open_engine(
        store, model, rules, memory_limit, candidates_per_case, prefix_filter
    )
    engine = linker.engine
    floor = 0.0 if all_candidates else min_probability
    results = Results(store.engine)
    model_id = results.put_model(model_data(engine.model), linker.source, settings.user)
    run_id = results.start_link_run(
        model_id,
        engine.rules_name,
        [_rule(r) for r in engine.rules],
        floor,
        not all_candidates,
        data_fingerprint(engine.cases),
        len(engine.cases),
        settings.user,
    )
    try:
        links = engine.link(
            min_probability=floor, explain=explain, progress=progress, prune=not all_candidates
        )
        factors = link_factors(engine, links, settings.link_threshold)
        results.finish_link_run(run_id, links, factors, dict(engine.blocking_report))
    except BaseException:
        results.drop_link_run(run_id)
        raise
    return Linked(
        run=results.link_run(run_id),
        links=links,
        model_name=engine.model.name,
        rules_name=engine.rules_name,
        n_rules=len(engine.rules),
        n_cases=len(engine.cases),
        blocking=dict(engine.blocking_report),
        floor=floor,
        reach=engine.reach.describe() if engine.reach is not None else None,
    )


def _rule(rule: Any) -> Any:
    data = {f.name: getattr(rule, f.name) for f in dataclasses.fields(rule)}
    return json.loads(json.dumps(data, default=str))


def evidence_data(evidence: list[Evidence]) -> list[dict[str, Any]]:
    """Evidence as stored: ``phrase, multiplier`` strongest first."""
    return [{"phrase": e.phrase, "multiplier": round(e.multiplier, 6)} for e in evidence]


def link_factors(
    engine: LinkageEngine, links: pd.DataFrame, threshold: float
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The explanation factors of the links at or above ``threshold`` (compared once more)."""
    strong = links.loc[links["probability"] >= threshold, ["case_a", "case_b"]]
    if strong.empty:
        return {}
    compared = engine.compare(strong.reset_index(drop=True))
    _, contrib = engine.model.estimator.factors(compared)
    by_id = engine.cases.set_index("case_id", drop=False)
    wanted = set(compared["case_a"]) | set(compared["case_b"])
    records = {
        str(r["case_id"]): {str(k): v for k, v in r.items()}
        for r in by_id[by_id.index.isin(wanted)].to_dict("records")
    }
    names = [str(c) for c in contrib.columns]
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    rows: list[dict[str, Any]] = compared.to_dict("records")  # type: ignore[assignment]
    for row, weights in zip(rows, contrib.to_numpy(dtype=float), strict=True):
        a, b = str(row["case_a"]), str(row["case_b"])
        evidence = explain_pair(
            engine.comparisons,
            row,
            dict(zip(names, weights.tolist(), strict=True)),
            records[a],
            records[b],
        )
        out[(a, b)] = evidence_data(evidence)
    return out


# -- series ------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """Series found from links, and where the links came from."""

    result: SeriesResult
    source: str
    """``run N`` (a stored run, new or read), or the links file's path."""
    run_id: int | None
    series_run_id: int | None
    linked_now: bool
    """Whether linkage ran for this (no stored run of these cases and this model)."""


def read_links_file(path: Path) -> pd.DataFrame:
    """``case_a, case_b, probability`` of a links CSV (``caselink link --out``)."""
    try:
        frame = pd.read_csv(path, dtype={"case_a": str, "case_b": str})
    except (OSError, ValueError) as exc:
        raise InputError(f"--links {path}: cannot read it ({exc})", file=str(path)) from None
    require_columns(frame, ["case_a", "case_b", "probability"], f"--links {path}:")
    probs = pd.to_numeric(frame["probability"], errors="coerce")
    bad = probs.isna() | (probs < 0) | (probs > 1)
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise InputError(
            f"--links {path} row {row + 1}: probability must be a number in [0, 1]",
            file=str(path),
            row=row + 1,
            field="probability",
            value=str(frame["probability"].iloc[row]),
        )
    return frame.assign(probability=probs)[["case_a", "case_b", "probability"]]


def stored_run_for(store: Store, linker: Linker, run_id: int | None = None) -> LinkRun | None:
    """The run to read: ``run_id``, else the newest run of these cases and this model."""
    results = Results(store.engine)
    if run_id is not None:
        return results.link_run(run_id)
    return results.latest_link_run(data_fingerprint(linker.engine.cases), linker.model_fingerprint)


def series(
    store: Store,
    model: Path | None = None,
    threshold: float | None = None,
    links_file: Path | None = None,
    run_id: int | None = None,
    memory_limit: str | None = None,
    settings: Settings | None = None,
) -> Series:
    """Series of the link graph, from a links file, a named run, the newest stored run
    of the same cases and model, or else a new (stored) link run; the series are stored
    with the run they came from."""
    settings = settings or Settings.from_env()
    at = settings.link_threshold if threshold is None else threshold
    results = Results(store.engine)
    if links_file is not None:
        cases = store.cases_frame()
        links = read_links_file(links_file)
        strong = links[links["probability"] >= at]  # as a run read at ``at``: weaker links unseen
        found = find_series(strong, cases, store.attribute_schema(), at)
        return Series(found, str(links_file), None, None, False)
    linker = open_engine(store, model, None, memory_limit)
    run = stored_run_for(store, linker, run_id)
    linked_now = False
    if run is not None and run.min_probability > at:
        if run_id is not None:
            raise InputError(
                f"link run {run.run_id} kept links at p >= {run.min_probability:g} only; "
                f"series at {at:g} need a run with a lower floor",
                field="--run",
                value=str(run_id),
            )
        run = None
    if run is None:
        run = link(store, min_probability=at, settings=settings, linker=linker).run
        linked_now = True
    links = results.links_frame(run.run_id, at)
    found = find_series(links, linker.engine.cases, linker.engine.schema, at)
    series_run = results.save_series(run.run_id, at, found.members, found.summary, settings.user)
    return Series(found, f"run {run.run_id}", run.run_id, series_run, linked_now)


def series_members(
    store: Store,
    model: Path | None = None,
    series_file: Path | None = None,
    run_id: int | None = None,
    settings: Settings | None = None,
) -> tuple[pd.DataFrame, str, int | None]:
    """``case_id, series_id`` of every series: from a series file, else the stored series
    of the newest (or named) link run at the settings' threshold, else found now.

    Returns the members, where they came from and the series run's id.
    """
    settings = settings or Settings.from_env()
    if series_file is not None:
        try:
            frame = pd.read_csv(series_file, dtype=str)
        except (OSError, ValueError) as exc:
            raise InputError(
                f"--series-file {series_file}: cannot read it ({exc})", file=str(series_file)
            ) from None
        require_columns(frame, ["case_id", "series_id"], str(series_file))
        return frame[["case_id", "series_id"]], str(series_file), None
    results = Results(store.engine)
    linker = open_engine(store, model)
    run = stored_run_for(store, linker, run_id)
    at = settings.link_threshold
    if run is not None:
        stored = results.latest_series_run(run.run_id, at)
        if stored is not None:
            return results.series_members(stored), f"run {run.run_id}", stored
    found = series(store, model, at, run_id=run_id, settings=settings)
    return found.result.members, found.source, found.series_run_id


# -- explain -----------------------------------------------------------------------


@dataclass(frozen=True)
class Explained:
    """The link probability of two cases and the evidence, strongest first."""

    case_a: str
    case_b: str
    probability: float
    evidence: list[Evidence]
    model_name: str


def explain(store: Store, case_a: str, case_b: str, model: Path | None = None) -> Explained:
    """Score two stored cases and say why."""
    linker = open_engine(store, model)
    try:
        prob, evidence = linker.engine.explain(case_a, case_b)
    except KeyError as exc:
        raise NotFoundError(str(exc.args[0])) from None
    return Explained(case_a, case_b, prob, evidence, linker.model.name)


# -- evaluate ----------------------------------------------------------------------


def evaluate(
    store: Store,
    label: str = "offender_id",
    threshold: float = LINK_THRESHOLD,
    out_dir: Path | None = None,
) -> EvaluationReport:
    """Offender-grouped cross-validation of every model on the store's solved cases;
    with ``out_dir``, the figures and ``evaluation.json`` are written there."""
    linker = open_engine(store)
    try:
        report = run_evaluation(linker.engine, label=label, threshold=threshold, out_dir=out_dir)
    except CaselinkError:
        raise
    except ValueError as exc:
        raise InputError(str(exc), field="--label", value=label) from None
    if out_dir is not None:
        (out_dir / "evaluation.json").write_text(
            json.dumps(report.as_dict(), indent=2, default=str)
        )
    return report
