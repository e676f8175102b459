"""The linkage engine: candidates, comparisons, model, links, series (the batch path).

One new case against the store is scored by :class:`caselink.linkage.case_index.CaseIndex`
from the same blocking rules, comparison formulas and model.

Example
-------
>>> engine = LinkageEngine(store.cases_frame(), store.attribute_schema())  # doctest: +SKIP
>>> saved = engine.train()                      # from solved cases (offender_id)
>>> links = engine.link(min_probability=0.2, explain=True)   # explains only what it keeps
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from caselink.linkage.blocking import (
    BlockingRule,
    ReachChoice,
    blocking_sql,
    fit_reach,
    rule_set_for_size,
    rules_for_size,
)
from caselink.linkage.bounds import (
    BOUNDED_CASES,
    AdditiveWeights,
    EnsembleBound,
    Reach,
    TreeBound,
    additive_weights,
    bound_weights,
    bounded_cases_sql,
    model_reach,
    reach_cases_table,
    reach_condition,
)
from caselink.linkage.comparisons import Comparison, build_comparisons
from caselink.linkage.config import LinkageConfig
from caselink.linkage.explain import Evidence, explain_pair, explanation_text
from caselink.linkage.features import compare, compare_table, connect
from caselink.linkage.formulas import Lit
from caselink.linkage.memory import MemorySettings, configure, step
from caselink.linkage.models.boosted import tree_reaches
from caselink.linkage.models.default import PriorLinkage
from caselink.linkage.persistence import SavedModel
from caselink.linkage.prefix_filter import PLAIN_FROM_TOKENS_PER_CASE
from caselink.linkage.prefix_filter import TOKENS as PREFIX_TOKENS
from caselink.linkage.prefix_filter import plan as prefix_plan
from caselink.linkage.prefix_filter import tier_sql as prefix_tier_sql
from caselink.linkage.sampling import (
    MAX_UNLINKED_PAIRS,
    SOLVED_TABLE,
    TrainingSample,
    correct_prior_odds,
    prepare_solved_cases,
    read_sample,
    sample_pairs,
)
from caselink.linkage.selection import MODEL_FACTORIES, label_pairs, model_factories, select_model
from caselink.linkage.series import SeriesResult, find_series
from caselink.linkage.tables import build_tables, check_frame
from caselink.records.model import AttributeSchema
from caselink.settings import LINK_THRESHOLD

LINK_COLUMNS = ["case_a", "case_b", "probability"]
LINK_FLOOR = 0.05
"""The least link probability ``caselink link`` writes unless told otherwise.

On a 3,000-case synthetic city with a trained model, pairs at p >= 0.05 are
3% of the candidate pairs (16,195 of 543,494) and hold 80% of the true
series pairs among them (974 of 1,219); every candidate pair (``--all``)
is a file of half a million rows nobody reads."""
CHUNK_PAIRS = 1_000_000
"""Candidate pairs compared and scored at a time by :meth:`LinkageEngine.link_chunks`:
memory stays bounded by the chunk, not by the number of pairs."""
BOUND_VECTORS = 200
"""DuckDB vectors (2,048 rows each) of tree-bound inputs fetched at a time."""
RAW_PAIRS_PER_PART = 20_000_000
"""Grid-join pairs a blocking rule holds at once while the bound is applied
(:meth:`LinkageEngine.count_linkable`): larger rules run in parts."""


class NotEnoughLabelsError(ValueError):
    """Too few solved cases to train (names how many linked/unlinked pairs there are)."""


class LinkageEngine:
    """Case linkage over one cases frame.

    Parameters
    ----------
    cases
        Cases frame (:mod:`caselink.records.frames`).
    schema
        The data set's MO attributes.
    model
        A saved model to score with (its settings and comparisons are used and
        its schema is checked against ``schema``); without it, the default
        prior-knowledge model (:class:`~caselink.linkage.models.default.PriorLinkage`).
    config
        Settings when no model is given.
    rules
        Blocking rules (default: the model's, else
        :func:`~caselink.linkage.blocking.rules_for_size` of the number of cases).
    memory_limit
        DuckDB's memory limit (e.g. ``"4GB"``; default
        :func:`~caselink.linkage.memory.default_memory_limit`, a share of the
        RAM); beyond it DuckDB spills to ``temp_directory`` and, when even that
        is not enough, the step fails with a
        :class:`~caselink.linkage.memory.LinkageMemoryError` naming it.
    temp_directory
        Where DuckDB spills (default: a fresh directory under the system's
        temporary directory, removed with the engine).
    candidates_per_case
        A budget of candidate pairs per case: the rules' reach is chosen from
        the data's density to stay within it
        (:func:`~caselink.linkage.blocking.fit_reach`; ``reach`` says what was
        chosen). ``None`` (the default): the rules as declared.
    """

    def __init__(
        self,
        cases: pd.DataFrame,
        schema: AttributeSchema,
        model: SavedModel | None = None,
        config: LinkageConfig | None = None,
        rules: Sequence[BlockingRule] | None = None,
        memory_limit: str | None = None,
        temp_directory: str | None = None,
        candidates_per_case: float | None = None,
        prefix_filter: bool = False,
    ) -> None:
        if model is not None:
            model.check_schema(schema)
            config = model.config
        self.config = config or LinkageConfig()
        check_frame(cases, schema, self.config)
        self.cases = cases.reset_index(drop=True)
        self.schema = schema
        if rules is not None:
            self.rules_name = "given"
        elif model is not None:
            self.rules_name = "the model's"
        else:
            self.rules_name = rule_set_for_size(len(self.cases))
        self.rules: list[BlockingRule] = list(
            rules
            if rules is not None
            else (model.rules if model else rules_for_size(len(self.cases), self.config, schema))
        )
        self.tables = build_tables(self.cases, schema, self.config)
        self.comparisons: list[Comparison] = (
            list(model.comparisons)
            if model is not None
            else build_comparisons(schema, self.config, self.cases)
        )
        self._con = connect(self.tables)
        self.memory: MemorySettings = configure(self._con, memory_limit, temp_directory)
        weakref.finalize(self, self.memory.close)
        self.reach: ReachChoice | None = None
        """What :func:`~caselink.linkage.blocking.fit_reach` chose, if asked."""
        if candidates_per_case is not None:
            with step("counting candidate pairs per case (choosing the rules' reach)", self.memory):
                self.reach = fit_reach(self._con, self.rules, self.config, candidates_per_case)
            self.rules = list(self.reach.rules)
        self.prefix_filter = prefix_filter
        """Find the pairs a naive Bayes model can link from its own weights
        (:mod:`caselink.linkage.prefix_filter`: the pairs sharing enough, at
        any distance or gap) instead of the rules' pairs; the links are those
        of scoring every pair. Other models keep the rules."""
        self.blocking_report: dict[str, Any] = {}
        """What the last blocking run kept: ``rule_pairs`` (pairs each rule
        kept, summed over rules: at least the distinct candidate pairs),
        ``candidate_pairs`` (distinct; when counted), ``linkable_pairs``
        (those that can reach the threshold under the model's bound)."""
        self._records: dict[str, dict[str, Any]] = {}
        self.prune_trees = True
        """Bound a tree model's pairs too (:func:`caselink.linkage.bounds.tree_bound`;
        exact), its trees read by their cascade
        (:mod:`caselink.linkage.models.tree_cascade`): at 100,000 cases about
        nine candidate pairs in ten are ruled out before they are compared
        (``benchmarks/boosted_bound.py``); and the logistic model's and the
        ensemble's (its members' bounds summed,
        :class:`caselink.linkage.bounds.EnsembleBound`). ``False`` compares
        and scores every candidate pair for every model but naive Bayes."""
        self.training: TrainingSample | None = None
        """The pairs the last :meth:`train` drew (for its report)."""
        self._model = model
        self._candidates: pd.DataFrame | None = None
        self._n_candidates: int | None = None
        self._linkable: tuple[float, int] | None = None
        """(threshold, pairs) of the ``linkable_pairs`` table, bounded under the model."""
        self._reaches: dict[float, Reach | None] = {}
        """The model's bound at each threshold asked (:meth:`_reach`)."""

    # -- pairs ---------------------------------------------------------------
    def candidates(self) -> pd.DataFrame:
        """Candidate pairs of the blocking rules (``case_a`` < ``case_b``)."""
        if self._candidates is None:
            self.count_candidates()  # the one blocking run, kept in DuckDB
            frame = self._con.execute(
                "SELECT case_a, case_b FROM candidate_pairs ORDER BY case_a, case_b"
            ).df()
            self._candidates = frame.astype({"case_a": object, "case_b": object})
        return self._candidates

    def compare(self, pairs: pd.DataFrame) -> pd.DataFrame:
        """Comparison frame of ``pairs`` (``case_a``, ``case_b``)."""
        with step(f"comparing {len(pairs):,} pairs", self.memory):
            return compare(self._con, self.comparisons, pairs)

    def random_pairs(self, n: int = 20_000, seed: int = 0) -> pd.DataFrame:
        """``n`` random distinct-case pairs (for estimating u-probabilities)."""
        ids = self.cases["case_id"].to_numpy()
        if len(ids) < 2:
            raise ValueError("need at least two cases to draw pairs")
        rng = np.random.default_rng(seed)
        i = rng.integers(0, len(ids), n)
        j = rng.integers(0, len(ids), n)
        keep = i != j
        return pd.DataFrame({"case_a": ids[i[keep]], "case_b": ids[j[keep]]})

    # -- models --------------------------------------------------------------
    def default_model(self) -> SavedModel:
        """The prior-knowledge model: u from random pairs, prior odds from expected series pairs."""
        rare, uncommon = self.config.rare_value_share, self.config.uncommon_value_share
        estimator = PriorLinkage(
            self.comparisons, value_mass=self.tables.vocabulary.class_mass(rare, uncommon)
        )
        with step("fitting the default model on random pairs", self.memory):
            estimator.fit(self.compare(self.random_pairs()), n_cases=len(self.cases))
        return SavedModel(
            estimator,
            "default",
            self.schema,
            self.config,
            self.comparisons,
            self.rules,
            {
                "trained_on": "no labels: literature priors, u from random pairs, "
                "prior odds from expected series pairs, factors bounded",
                "link_share": estimator.link_share_,
            },
        )

    @property
    def model(self) -> SavedModel:
        """The model in use (the default model until one is trained or given)."""
        if self._model is None:
            self._model = self.default_model()
        return self._model

    def labelled_pairs(
        self, label: str = "offender_id"
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Candidate pairs of solved cases as (comparison frame, labels, offender groups)."""
        candidates = self.candidates()
        with step("comparing the candidate pairs of solved cases for training", self.memory):
            pairs, y, groups = label_pairs(candidates, self.cases, label)
            return self.compare(pairs), y, groups

    def training_sample(
        self, label: str = "offender_id", max_unlinked: int = MAX_UNLINKED_PAIRS
    ) -> TrainingSample:
        """The training pairs: every linked candidate pair of two solved cases
        and a uniform sample of at most ``max_unlinked`` unlinked ones
        (:mod:`caselink.linkage.sampling`). The rules run over the solved
        cases only, in parts, and only the sample is held: neither memory nor
        the pairs compared grow with the store's candidate pairs."""
        with step("blocking the solved cases for training pairs", self.memory):
            known = prepare_solved_cases(self._con, self.cases, label)
            rate = sample_pairs(self._con, self._staged_rule_parts(SOLVED_TABLE), max_unlinked)
            sample = read_sample(self._con, known, rate, max_unlinked)
            self._con.execute(f"DROP TABLE IF EXISTS {SOLVED_TABLE}")
        return sample

    def _staged_rule_parts(self, cases_table: str = "cases") -> Iterator[str]:
        """Each rule's staged pair SELECT (:meth:`BlockingRule.staged_sql`),
        near rules split into parts of at most :data:`RAW_PAIRS_PER_PART`
        grid pairs."""
        for rule in self.rules:
            raw_sql = rule.raw_pairs_sql(cases_table)
            raw = int(self._con.execute(raw_sql).fetchall()[0][0]) if raw_sql else 0
            n_parts = max(1, -(-raw // RAW_PAIRS_PER_PART))
            for p in range(n_parts):
                yield rule.staged_sql(
                    self.config, (p, n_parts) if n_parts > 1 else None, cases_table
                )

    def train(
        self,
        label: str = "offender_id",
        models: Sequence[str] = ("naive_bayes", "logistic", "boosted"),
        n_splits: int = 5,
        max_unlinked: int = MAX_UNLINKED_PAIRS,
    ) -> SavedModel:
        """Train the models on solved cases, choose one by offender-grouped CV and use it.

        The training pairs are every linked candidate pair of two solved cases
        and a sample of at most ``max_unlinked`` unlinked ones
        (:meth:`training_sample`); a model fitted on a sample has its odds
        corrected by the sampling rate, so its probabilities are calibrated
        to all candidate pairs. Naive Bayes shrinks toward the default
        model's factors; the chosen model is recalibrated (isotonic) where
        that lowers its out-of-fold calibration error.

        Raises
        ------
        NotEnoughLabelsError
            When the solved cases give no linked or no unlinked candidate pairs,
            or fewer offender groups than folds.
        """
        unknown = [m for m in models if m not in MODEL_FACTORIES]
        if unknown:
            raise ValueError(f"models must be among {sorted(MODEL_FACTORIES)}, got {unknown}")
        sample = self.training_sample(label, max_unlinked)
        y, groups = sample.y, sample.groups
        n_groups = len(np.unique(groups.astype(str)))
        if y.sum() == 0 or y.sum() == len(y) or n_groups < n_splits:
            raise NotEnoughLabelsError(
                f"cannot train on {label!r}: {int(y.sum())} linked and {int(len(y) - y.sum())} "
                f"unlinked candidate pairs of solved cases from {n_groups} offenders "
                f"(need both kinds and at least {n_splits} offenders); "
                "use the default model instead"
            )
        X = self.compare(sample.pairs)
        prior = self.default_model().estimator
        factories = model_factories(getattr(prior, "log_ratio_", None))
        name, estimator, cv, calibration = select_model(
            self.comparisons, X, y, groups, {m: factories[m] for m in models}, n_splits
        )
        correct_prior_odds(estimator, sample.rate)
        summary: dict[str, Any] = {
            "label": label,
            "pairs": len(y),
            "linked_pairs": int(y.sum()),
            "offender_groups": n_groups,
            "training_pairs": sample.provenance(),
            "cv": {
                k: {"roc_auc": v.roc_auc, "average_precision": v.average_precision, "ece": v.ece}
                for k, v in cv.items()
            },
            "chosen_by": "offender-grouped CV average precision",
            "cv_measured_on": "the training pairs (a sample when unlinked_sample_rate < 1; "
            "the saved model's odds are corrected, the CV figures are not)",
            "calibration": {
                "method": calibration.method,
                "ece_platt": calibration.ece,
                "ece_isotonic_cross_fitted": calibration.ece_isotonic,
                "ece": calibration.ece_final,
            },
        }
        self._model = SavedModel(
            estimator, name, self.schema, self.config, self.comparisons, self.rules, summary
        )
        self._linkable = None  # bounded under the previous model
        self._reaches = {}
        self.training = sample
        return self._model

    # -- scoring -------------------------------------------------------------
    def score(self, pairs: pd.DataFrame, explain: bool = False) -> pd.DataFrame:
        """``case_a, case_b, probability`` (+ ``explanation``) for ``pairs``."""
        compared = self.compare(pairs)
        return self._scored(compared, self.cases, explain)

    def _scored(self, compared: pd.DataFrame, cases: pd.DataFrame, explain: bool) -> pd.DataFrame:
        est = self.model.estimator
        out = compared[["case_a", "case_b"]].copy()
        out["probability"] = est.predict_proba(compared)[:, 1] if len(compared) else []
        if explain:
            out["explanation"] = self._explanations(compared, cases)
        return out

    def _case_record(self, case_ids: Iterable[str], cases: pd.DataFrame) -> None:
        """Cache the cases-frame rows of ``case_ids`` as dicts (for explanations)."""
        missing = [c for c in dict.fromkeys(case_ids) if c not in self._records]
        if not missing:
            return
        rows = cases[cases["case_id"].isin(missing)]
        for record in rows.to_dict("records"):
            self._records[str(record["case_id"])] = {str(k): v for k, v in record.items()}

    def _explanations(self, compared: pd.DataFrame, cases: pd.DataFrame | None = None) -> list[str]:
        """One explanation line per row of ``compared`` (comparison frame), as
        :func:`~caselink.linkage.explain.explain_pair` words it; each case's row
        is read once, not once per pair."""
        if not len(compared):
            return []
        _, contrib = self.model.estimator.factors(compared)
        frame = self.cases if cases is None else cases
        ids = [*compared["case_a"].astype(str), *compared["case_b"].astype(str)]
        records = self._records
        if cases is not None and len(cases) != len(self.cases):
            records = {}
            for record in frame[frame["case_id"].isin(set(ids))].to_dict("records"):
                records[str(record["case_id"])] = {str(k): v for k, v in record.items()}
        else:
            self._case_record(ids, frame)
        rows: list[dict[str, Any]] = compared.to_dict("records")  # type: ignore[assignment]
        names = [str(c) for c in contrib.columns]
        weights = contrib.to_numpy(dtype=float)
        texts = []
        for row, w in zip(rows, weights, strict=True):
            evidence = explain_pair(
                self.comparisons,
                row,
                dict(zip(names, w.tolist(), strict=True)),
                records[str(row["case_a"])],
                records[str(row["case_b"])],
            )
            texts.append(explanation_text(evidence))
        return texts

    def count_candidates(self) -> int:
        """Build the candidate-pair table inside DuckDB (not in Python) and count it."""
        if self._n_candidates is None:
            sql = blocking_sql(self.rules, self.config)
            with step("blocking (making the candidate pairs)", self.memory):
                self._con.execute(f"CREATE OR REPLACE TABLE candidate_pairs AS {sql}")
                rows = self._con.execute("SELECT COUNT(*) FROM candidate_pairs").fetchall()
            self._n_candidates = int(rows[0][0])
            self.blocking_report["candidate_pairs"] = self._n_candidates
        return self._n_candidates

    def _prunes(self) -> bool:
        """Whether the model's bound is used: always for the naive Bayes
        models, for the others only with :attr:`prune_trees`."""
        return additive_weights(self.model.estimator) is not None or self.prune_trees

    def reach_condition(self, min_probability: float) -> str | None:
        """SQL condition true for every pair that can reach ``min_probability``
        under the model (:mod:`caselink.linkage.bounds`); ``None`` when the
        model gives no such condition (the logistic model and the ensemble,
        bounded in :meth:`count_linkable` only; any but naive Bayes without
        :attr:`prune_trees`) or the threshold rules nothing out."""
        if not self._prunes():
            return None
        return reach_condition(self.comparisons, self.model.estimator, min_probability)

    def _create_bounded_cases(self) -> None:
        weights = bound_weights(self.model.estimator)
        if weights is not None:
            sql = bounded_cases_sql(self.comparisons, weights)
            # a table, rebuilt on each use: joined twice per pair, a view
            # would recompute each case's columns for every pair
            with step("computing each case's bound terms", self.memory):
                self._con.execute(f"CREATE OR REPLACE TABLE {BOUNDED_CASES} AS {sql}")

    def count_linkable(self, min_probability: float) -> int:
        """Build (in DuckDB) and count the candidate pairs that can still reach
        ``min_probability`` under the model's bound: each rule's pairs, in
        parts of at most :data:`RAW_PAIRS_PER_PART` grid pairs, are bounded as
        they are found, so only the pairs that can be linked are kept. Without
        a bound, every candidate pair (:meth:`count_candidates`)."""
        reach = self._reach(min_probability)
        if reach is None:
            return self.count_candidates()
        key = float(min_probability)
        if self._linkable is None or self._linkable[0] != key:
            with step("blocking (the candidate pairs that can reach the threshold)", self.memory):
                self._linkable = (key, self._block_linkable(reach))
        return self._linkable[1]

    def _reach(self, min_probability: float) -> Reach | None:
        """The model's bound over the rules' pairs (``rule_pairs r``, which
        carry their distance and days apart: the bound reads them, not
        recomputes them); ``None`` when it is not used or rules nothing out."""
        if not self._prunes():  # before building the bound: a tree bound costs seconds
            return None
        key = float(min_probability)
        if key not in self._reaches:
            given = {"distance": "r.distance_km", "days": "r.days_apart"}
            self._reaches[key] = model_reach(
                self.comparisons, self.model.estimator, key, given, self._rarest()
            )
        return self._reaches[key]

    def _rarest(self) -> dict[str, float]:
        """The rarity (-ln share) of each multi-valued attribute's rarest value."""
        rows = self._con.execute(
            "SELECT attr, -LN(MIN(share)) FROM case_values WHERE share > 0 GROUP BY attr"
        ).fetchall()
        return {str(attr): float(rarity) for attr, rarity in rows}

    def _block_linkable(self, reach: Reach) -> int:
        """The body of :meth:`count_linkable`: fills ``linkable_pairs``."""
        self._create_bounded_cases()
        cases = reach.cases_table
        joined = (
            f"FROM rule_pairs r\nJOIN {cases} a ON a.case_id = r.case_a\n"
            f"JOIN {cases} b ON b.case_id = r.case_b"
        )
        rule_pairs = 0
        self._con.execute(
            "CREATE OR REPLACE TABLE reachable_pairs (case_a VARCHAR, case_b VARCHAR)"
        )
        # Rule by rule (in parts for large rules): the rule's pairs into a
        # table (staged_sql), then the bound computed as a column behind a
        # materialised CTE, then the filter. DuckDB evaluates these expressions several
        # times slower as filters pushed into a join (measured: 21.5 s
        # against 5.5 s for one rule's 12.7 M pairs at 100k cases).
        weights = (
            additive_weights(self.model.estimator)
            if self.prefix_filter and reach.bound is not None
            else None
        )
        self.blocking_report["prefix_filter"] = weights is not None
        self.blocking_report.pop("prefix_tiers", None)
        parts = (
            self._prefix_parts(weights, reach.needed)
            if weights is not None
            else self._staged_rule_parts()
        )
        for kept in parts:
            self._con.execute(f"CREATE OR REPLACE TEMP TABLE rule_pairs AS {kept}")
            counted = self._con.execute("SELECT COUNT(*) FROM rule_pairs").fetchall()
            rule_pairs += int(counted[0][0])
            if reach.ensemble is not None:
                self._keep_reachable_by_ensemble(reach.ensemble, reach.needed, joined)
            elif reach.trees is not None:
                self._keep_reachable_by_trees(reach.trees, reach.needed, joined)
            else:
                self._con.execute(
                    "INSERT INTO reachable_pairs SELECT case_a, case_b FROM (\n"
                    f"{reach.reachable_sql(joined)})"
                )
            self._con.execute("DROP TABLE rule_pairs")
        self._con.execute(
            "CREATE OR REPLACE TABLE linkable_pairs AS SELECT DISTINCT "
            "LEAST(case_a, case_b) AS case_a, GREATEST(case_a, case_b) AS case_b "
            "FROM reachable_pairs"
        )
        self._con.execute("DROP TABLE reachable_pairs")
        rows = self._con.execute("SELECT COUNT(*) FROM linkable_pairs").fetchall()
        self.blocking_report["rule_pairs"] = rule_pairs
        self.blocking_report["linkable_pairs"] = int(rows[0][0])
        return int(rows[0][0])

    def _prefix_parts(self, weights: AdditiveWeights, needed: float) -> Iterator[str]:
        """Each tier's pairs of the prefix filter (:mod:`caselink.linkage.prefix_filter`),
        as :meth:`_staged_rule_parts` gives the rules': the tokens table
        first; tiers that no case's tokens can reach are skipped."""
        plan = prefix_plan(self.comparisons, weights, needed)
        self._con.execute(f"CREATE OR REPLACE TABLE {PREFIX_TOKENS} AS {plan.tokens_sql}")
        longest = self._con.execute("SELECT MAX(t_to - t_from) FROM cases").fetchall()[0][0]
        # each tier's prefix tokens and the cases holding them, counted in one
        # scan of the tokens and one of the cases' largest suffixes (a case
        # holds a prefix token at tau exactly when its largest suffix reaches it)
        taus = [float(t.tau) for t in plan.tiers]
        tokens_at = ", ".join("COUNT(*) FILTER (WHERE suffix >= ?)" for _ in taus)
        cases_at = ", ".join("COUNT(*) FILTER (WHERE top >= ?)" for _ in taus)
        held = self._con.execute(
            f"SELECT * FROM (SELECT {tokens_at} FROM {PREFIX_TOKENS}), "
            f"(SELECT {cases_at} FROM (SELECT MAX(suffix) AS top FROM {PREFIX_TOKENS} "
            "GROUP BY case_id))",
            taus + taus,
        ).fetchall()[0]
        joined = []
        for k, tier in enumerate(plan.tiers):
            tokens, cases = int(held[k] or 0), int(held[len(taus) + k] or 0)
            if tier.tau <= 0 or tokens:  # tiers no case's tokens can reach are skipped
                joined.append((tier, tokens / max(cases, 1) < PLAIN_FROM_TOKENS_PER_CASE))
        self.blocking_report["prefix_tiers"] = len(joined)
        for tier, by_token in joined:
            yield prefix_tier_sql(tier, self.config, float(longest or 0.0), by_token)

    def _keep_reachable_by_trees(self, bound: TreeBound, needed: float, joined: str) -> None:
        """Into ``reachable_pairs``, the pairs of ``rule_pairs`` whose tree
        bound reaches ``needed``: the bound's inputs computed in DuckDB, its
        trees read on them a chunk at a time by their cascade
        (:func:`~caselink.linkage.models.boosted.tree_reaches`; DuckDB
        evaluates thousands of nested ``CASE`` several times slower)."""
        names = [f"i{k}" for k in range(len(bound.inputs))]

        def reaches(chunk: pd.DataFrame) -> np.ndarray:
            x = chunk[names].to_numpy(dtype=float, na_value=np.nan)
            return tree_reaches(bound.trees, x, needed)

        self._keep_reachable(list(zip(names, bound.inputs, strict=True)), reaches, joined)

    def _keep_reachable_by_ensemble(self, bound: EnsembleBound, needed: float, joined: str) -> None:
        """Into ``reachable_pairs``, the pairs of ``rule_pairs`` whose
        ensemble bound (its members' bounds summed) reaches ``needed``: the
        naive Bayes and logistic members' bound in DuckDB, which drops the
        pairs it leaves out of reach of the largest the trees can give, then
        the trees' bound read on the rest."""
        trees = [f"i{k}" for k in range(len(bound.trees.inputs))]

        def reaches(chunk: pd.DataFrame) -> np.ndarray:
            x = chunk[trees].to_numpy(dtype=float, na_value=np.nan)
            members = chunk["members"].to_numpy(dtype=float, na_value=np.nan)
            return bound.reaches(members, x, needed)

        columns = [("members", bound.members), *zip(trees, bound.trees.inputs, strict=True)]
        floor = Lit(bound.members_needed(needed), True).sql()
        self._keep_reachable(columns, reaches, joined, f"members >= {floor}")

    def _keep_reachable(
        self,
        columns: list[tuple[str, str]],
        reaches: Callable[[pd.DataFrame], np.ndarray],
        joined: str,
        where: str | None = None,
    ) -> None:
        """Into ``reachable_pairs``, the pairs of ``rule_pairs`` for which
        ``reaches`` is true, read on the ``columns`` (name, SQL) of the
        bound's inputs, computed in DuckDB (the pairs ``where`` is true of
        them) and fetched a chunk at a time."""
        cols = "".join(f", {sql} AS {name}" for name, sql in columns)
        select = f"SELECT r.case_a, r.case_b{cols}\n{joined}"
        if where is not None:  # behind a materialised CTE (see _block_linkable)
            select = f"WITH bound AS MATERIALIZED (\n{select}\n)\nSELECT * FROM bound WHERE {where}"
        self._con.execute(f"CREATE OR REPLACE TEMP TABLE bound_inputs AS\n{select}")
        names = "".join(f", {name}" for name, _ in columns)
        reader = self._con.execute(f"SELECT rowid{names} FROM bound_inputs")
        kept: list[np.ndarray] = []
        while True:
            chunk = reader.fetch_df_chunk(BOUND_VECTORS)
            if not len(chunk):
                break
            kept.append(chunk["rowid"].to_numpy(dtype=np.int64)[reaches(chunk)])
        ids = pd.DataFrame({"rid": np.concatenate(kept) if kept else np.zeros(0, np.int64)})
        self._con.register("kept_rows_df", ids)
        try:
            self._con.execute(
                "INSERT INTO reachable_pairs SELECT case_a, case_b FROM bound_inputs "
                "WHERE rowid IN (SELECT rid FROM kept_rows_df)"
            )
        finally:
            self._con.unregister("kept_rows_df")
            self._con.execute("DROP TABLE bound_inputs")

    def link_chunks(
        self,
        min_probability: float = 0.0,
        chunk_pairs: int = CHUNK_PAIRS,
        progress: Callable[[int, int], None] | None = None,
        pairs_sql: str | None = None,
        prune: bool = True,
        explain: bool = False,
    ) -> Iterator[pd.DataFrame]:
        """Score every candidate pair, ``chunk_pairs`` at a time, yielding the
        links at or above ``min_probability`` of each chunk (unordered).
        With ``explain``, each kept link gets its ``explanation``, from the
        comparisons already made (only the kept links are explained).

        The candidate pairs stay in DuckDB (which spills to disk if it must);
        Python holds one chunk's comparisons at a time, so a million cases and
        their hundreds of millions of pairs link in bounded memory.
        ``progress(done_pairs, total_pairs)`` is called after each chunk.
        ``pairs_sql`` (a SELECT of ``case_a, case_b`` over the ``cases``
        table) scores those pairs instead of the blocking rules' candidates:
        e.g. every pair, to measure what blocking loses against exhaustive
        comparison.
        With ``prune`` (the default), pairs whose bound under the model cannot
        reach ``min_probability`` are dropped before the costly comparisons
        (:meth:`count_linkable`); the links are the same, found sooner.
        """
        if not 0 <= min_probability <= 1:
            raise ValueError(f"min_probability must be in [0, 1], got {min_probability!r}")
        if chunk_pairs < 1:
            raise ValueError(f"chunk_pairs must be at least 1, got {chunk_pairs!r}")
        estimator = self.model.estimator
        if pairs_sql is None and prune and self._reach(min_probability) is not None:
            total = self.count_linkable(min_probability)
            source = "linkable_pairs"
        elif pairs_sql is None:
            total = self.count_candidates()
            source = "candidate_pairs"
            self.blocking_report["linkable_pairs"] = total
        else:
            condition = self.reach_condition(min_probability) if prune else None
            if condition is not None:
                self._create_bounded_cases()
                cases = reach_cases_table(estimator)
                pairs_sql = (
                    f"SELECT p.case_a, p.case_b FROM ({pairs_sql}) p\n"
                    f"JOIN {cases} a ON a.case_id = p.case_a\n"
                    f"JOIN {cases} b ON b.case_id = p.case_b\n"
                    f"WHERE {condition}"
                )
            with step("choosing the pairs to score", self.memory):
                self._con.execute(f"CREATE OR REPLACE TABLE chosen_pairs AS {pairs_sql}")
                rows = self._con.execute("SELECT COUNT(*) FROM chosen_pairs").fetchall()
            total = int(rows[0][0])
            source = "chosen_pairs"
        n_chunks = max(1, -(-total // chunk_pairs))
        with step("splitting the candidate pairs into chunks", self.memory):
            self._con.execute(
                "CREATE OR REPLACE TABLE candidate_chunks AS SELECT case_a, case_b, "
                f"CAST((ROW_NUMBER() OVER () - 1) % {n_chunks} AS INTEGER) AS chunk "
                f"FROM {source} ORDER BY chunk"
            )
        done = 0

        # DuckDB compares the next chunk while this one is scored, so the two
        # stages share the cores instead of each leaving them partly idle. The
        # comparing thread has its own cursor (its own temporary tables) on
        # the same database: the engine's connection stays free for the caller.
        cursor = self._con.cursor()

        def compared_chunk(chunk: int) -> pd.DataFrame:
            with step("comparing the candidate pairs", self.memory):
                return compare_table(
                    cursor,
                    self.comparisons,
                    f"SELECT case_a, case_b FROM candidate_chunks WHERE chunk = {chunk}",
                )

        ahead = ThreadPoolExecutor(1, thread_name_prefix="caselink-compare")
        upcoming: Future[pd.DataFrame] | None = ahead.submit(compared_chunk, 0)
        try:
            for chunk in range(n_chunks):
                assert upcoming is not None
                compared = upcoming.result()
                upcoming = ahead.submit(compared_chunk, chunk + 1) if chunk + 1 < n_chunks else None
                with step("scoring the candidate pairs", self.memory):
                    out = compared.iloc[:0, :2].assign(probability=pd.Series(dtype=float))
                    if len(compared):
                        # NaN: ruled out by the model's bound (below min_probability)
                        probs = estimator.link_probability(compared, min_probability)
                        keep = probs >= min_probability
                        kept = compared.loc[keep].reset_index(drop=True)
                        out = kept[["case_a", "case_b"]].copy()
                        out["probability"] = probs[keep]
                        if explain:
                            out["explanation"] = self._explanations(kept)
                if len(compared):
                    yield out
                done += len(compared)
                if progress is not None:
                    progress(done, total)
        finally:
            if upcoming is not None:
                upcoming.cancel()
            ahead.shutdown(wait=True)
            cursor.close()
            self._con.execute("DROP TABLE IF EXISTS candidate_chunks")
            self._con.execute("DROP TABLE IF EXISTS chosen_pairs")

    def link(
        self,
        min_probability: float = 0.0,
        explain: bool = False,
        progress: Callable[[int, int], None] | None = None,
        prune: bool = True,
    ) -> pd.DataFrame:
        """Every candidate pair at or above ``min_probability``, highest first.

        Scored in chunks (:meth:`link_chunks`); only the kept links are held,
        and with ``explain`` only they are explained, from the comparisons
        already made (``explanation`` column).
        """
        parts = list(
            self.link_chunks(min_probability, progress=progress, prune=prune, explain=explain)
        )
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in LINK_COLUMNS[:2]}).assign(
            probability=pd.Series(dtype=float)
        )
        if explain:
            empty["explanation"] = pd.Series(dtype=object)
        links = pd.concat(parts, ignore_index=True) if parts else empty
        return links.sort_values(
            ["probability", "case_a", "case_b"], ascending=[False, True, True], kind="stable"
        ).reset_index(drop=True)

    def series(
        self, threshold: float = LINK_THRESHOLD, links: pd.DataFrame | None = None
    ) -> SeriesResult:
        """Series of the link graph (see :mod:`caselink.linkage.series`)."""
        links = self.link(min_probability=threshold) if links is None else links
        return find_series(links, self.cases, self.schema, threshold)

    def explain(self, case_a: str, case_b: str) -> tuple[float, list[Evidence]]:
        """Link probability of two stored cases and the evidence, strongest first."""
        known = set(self.cases["case_id"])
        missing = [c for c in (case_a, case_b) if c not in known]
        if missing:
            raise KeyError(f"no case with case_id {missing[0]!r}")
        compared = self.compare(pd.DataFrame({"case_a": [case_a], "case_b": [case_b]}))
        est = self.model.estimator
        prob = float(est.predict_proba(compared)[0, 1])
        _, contrib = est.factors(compared)
        by_id = self.cases.set_index("case_id", drop=False)
        evidence = explain_pair(
            self.comparisons,
            {str(k): v for k, v in compared.iloc[0].items()},
            {str(k): float(v) for k, v in contrib.iloc[0].items()},
            {str(k): v for k, v in by_id.loc[case_a].items()},
            {str(k): v for k, v in by_id.loc[case_b].items()},
        )
        return prob, evidence
