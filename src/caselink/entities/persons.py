"""Person resolution: which mentions, across all cases, are the same person.

A Fellegi-Sunter model in Splink on DuckDB (comparisons and blocking rules
in :mod:`caselink.entities.person_model`): u probabilities are estimated by
random sampling of mention pairs, m probabilities by expectation
maximisation on blocked pairs, the prior match probability from
near-certain deterministic rules. Pairs scoring at or above a stated match
probability are linked, and persons are built from those links strongest
first, counting against a join the model's weight for each field (sex,
date of birth, names, phone, address, vehicle) on which the two groups
contradict (:mod:`caselink.entities.clustering`).
Each mention keeps the weight and the evidence of its strongest link into
its person ("same phone, name Steve/Stephen, same dob").

Resolution is incremental: :meth:`PersonResolver.resolve_incremental`
scores the new mentions with the trained model, follows their links to
the neighbourhood they touch and re-clusters only that; on the same model it
gives the same persons as a full :meth:`PersonResolver.resolve`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.comparison_level import ComparisonLevel
from splink.internals.exceptions import EMTrainingException

from caselink.entities.clustering import (
    CONTRADICTIONS,
    IDENTIFIERS,
    constrained_clusters,
    profiles,
)
from caselink.entities.evidence import level_labels, pair_evidence
from caselink.entities.features import person_features
from caselink.entities.model_file import TF_COLUMNS, trusted_model
from caselink.entities.person_model import (
    DENSITY_BANDS,
    EM_LEARNS_NAME,
    EM_RULES,
    FALLBACK_EM_RULES,
    FALLBACK_PRIOR_MATCHES,
    FALLBACK_PRIOR_RULES,
    NAME_LEVELS_COUNTING_DIFFERENCE,
    PRIOR_RULES,
    prediction_blocking_rules,
    settings_dict,
)

RESOLUTION_COLUMNS: tuple[str, ...] = ("mention_id", "entity_id", "match_weight", "evidence")
"""Columns of a resolution frame (``Store.replace_resolution``)."""

LINK_COLUMNS: tuple[str, ...] = (
    "mention_id_l",
    "mention_id_r",
    "match_weight",
    "match_probability",
    "evidence",
    "name_differs",
)
"""Columns of the scored links frame.

``name_differs``: the pair's name comparison fell in a level that counts its
names differing (:data:`~caselink.entities.person_model.NAME_LEVELS_COUNTING_DIFFERENCE`).
"""

U_MIN_PAIRS: float = 2e5
"""Least number of random pairs sampled for the u probabilities (all pairs if fewer)."""

U_PAIRS_PER_MENTION: float = 20.0
"""Random pairs sampled for u per mention, between :data:`U_MIN_PAIRS` and ``u_max_pairs``.

A u probability is the share of random pairs in a level; the rarest levels
that matter (an exact name, a dob) have u of about one over the number of
distinct values, so a sample a few times the number of mentions counts
each of them many times. Sampling 5 million pairs for 5,000 mentions took
most of the fit time and changed no weight that mattered.
"""

_SPLINK_LOG_LEVEL = logging.WARNING
_LOG = logging.getLogger(__name__)


def _remember_exact_match_levels() -> None:
    """Make Splink's test of whether a level is an exact match remember its answer.

    Each EM pass asks it of every comparison level, and Splink answers by
    parsing the level's SQL and normalising it (sqlglot, conjunctive normal
    form): a large part of a FEBRL3 fit's time, most of it for the place
    ladder's long distance expressions, asked again in every pass. The answer depends
    on the SQL and its dialect only, so it is kept per (SQL, dialect).
    """
    original: property = ComparisonLevel.__dict__["_is_exact_match"]
    if getattr(original.fget, "_caselink_cached", False):
        return
    compute = original.fget
    assert compute is not None
    answers: dict[tuple[str, str, bool], bool] = {}

    def is_exact_match(level: ComparisonLevel) -> bool:
        key = (level.sql_condition, level.sqlglot_dialect, bool(level._is_else_level))
        if key not in answers:
            answers[key] = bool(compute(level))
        return answers[key]

    cached = property(is_exact_match)
    setattr(cached.fget, "_caselink_cached", True)  # noqa: B010
    setattr(ComparisonLevel, "_is_exact_match", cached)  # noqa: B010


_remember_exact_match_levels()


@dataclass(frozen=True)
class PersonResolution:
    """The outcome of resolving person mentions.

    Attributes
    ----------
    assignments : pandas.DataFrame
        One row per mention: ``mention_id``, ``entity_id`` (``"P<lowest
        mention_id of the person>"``), ``match_weight`` and ``evidence`` of
        the mention's strongest link into its person (NaN and ``""`` for a
        person seen once).
    links : pandas.DataFrame
        The scored pairs at or above the threshold (:data:`LINK_COLUMNS`).
    """

    assignments: pd.DataFrame
    links: pd.DataFrame

    def persons(self) -> pd.Series:
        """Number of mentions per person, largest first."""
        return self.assignments["entity_id"].value_counts()


def _connection(memory_limit: str | None, threads: int | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    # nothing may be downloaded: autoinstall would fetch extensions from the network
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    if memory_limit is not None:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads is not None:
        con.execute(f"SET threads = {int(threads)}")
    return con


class PersonResolver:
    """Resolve person mentions into persons with a Splink model trained on the mentions.

    Parameters
    ----------
    threshold : float, default 0.35
        Match probability at or above which two mentions are linked (chosen
        on synthetic seed 5, reported on seed 11: see docs/entities.md).
        Persons are built from the links strongest first, counting against
        a join the trained weight of each field on which the two groups
        contradict: sex, date of birth, names (:meth:`contradiction_weights`)
        and phones, addresses, vehicles (:meth:`disagreement_weights`).
    u_max_pairs : float, default 5e6
        At most this many pairs sampled at random to estimate the u
        probabilities (the sample is :data:`U_PAIRS_PER_MENTION` per
        mention, at least :data:`U_MIN_PAIRS`).
    em_max_pairs : float or None, default 2e6
        At most this many blocked pairs per EM pass (None: all of them).
    recall : float, default 0.7
        Assumed recall of the deterministic rules that estimate the prior.
    seed : int, default 42
        Seed of the u sampling, for a reproducible model.
    memory_limit : str or None, default "16GB"
        DuckDB memory limit (it spills to disk beyond it).
    threads : int or None
        DuckDB threads (None: DuckDB's default, all cores).
    hard_vetoes : tuple of str, default ()
        Fields of :data:`~caselink.entities.clustering.CONTRADICTIONS`
        (``sex``, ``dob``, ``name``) on which a contradiction between two
        groups refuses a join outright. By default none: each contradiction
        is weighed evidence, the model's weight for the field differing
        (:meth:`contradiction_weights`), counted like an identifier's
        disagreement. Measured in docs/entities.md.

    Attributes
    ----------
    model_ : dict
        The trained model, JSON-serialisable: ``"splink"``, the Splink
        settings with m and u probabilities (``save_model_to_json``), and
        ``"term_frequencies"``, how common each value of the
        term-frequency-adjusted columns is among the other people of the
        training mentions (:func:`people_term_frequencies`).
    n_mentions_ : int
        Number of mentions the model was trained on.
    skipped_em_passes_ : list of str
        Blocking columns (``"a+b"``) of EM passes skipped because no two
        mentions share them (a field the data lacks) or abandoned by Splink
        (an m probability underflowing to zero on a few hundred mentions);
        the model keeps the other passes' estimates.
    prior_rules_ : list of str
        The rules that estimated the prior match probability (empty: the
        documented fallback, :data:`~caselink.entities.person_model.FALLBACK_PRIOR_MATCHES`).

    Examples
    --------
    >>> resolver = PersonResolver(threshold=0.9).fit(mentions)  # doctest: +SKIP
    >>> resolution = resolver.resolve(mentions)  # doctest: +SKIP
    """

    def __init__(
        self,
        threshold: float = 0.35,
        u_max_pairs: float = 5e6,
        em_max_pairs: float | None = 2e6,
        recall: float = 0.7,
        seed: int = 42,
        memory_limit: str | None = "16GB",
        threads: int | None = None,
        hard_vetoes: tuple[str, ...] = (),
    ) -> None:
        self.threshold = threshold
        self.u_max_pairs = u_max_pairs
        self.em_max_pairs = em_max_pairs
        self.recall = recall
        self.seed = seed
        self.memory_limit = memory_limit
        self.threads = threads
        self.hard_vetoes = tuple(hard_vetoes)

    # -- parameters -----------------------------------------------------------------
    def _validate(self) -> None:
        errors = []
        if not 0.0 < self.threshold < 1.0:
            errors.append(f"threshold must be in (0, 1), got {self.threshold!r}")
        if not self.u_max_pairs >= 1e3:
            errors.append(f"u_max_pairs must be at least 1000, got {self.u_max_pairs!r}")
        if self.em_max_pairs is not None and not self.em_max_pairs >= 1e3:
            errors.append(f"em_max_pairs must be None or at least 1000, got {self.em_max_pairs!r}")
        if not 0.0 < self.recall <= 1.0:
            errors.append(f"recall must be in (0, 1], got {self.recall!r}")
        unknown = [f for f in self.hard_vetoes if f not in CONTRADICTIONS]
        if unknown:
            errors.append(
                f"hard_vetoes must name fields of {', '.join(CONTRADICTIONS)}, got {unknown!r}"
            )
        if errors:
            raise ValueError("; ".join(errors))

    def _linker(self, features: pd.DataFrame, settings: Any, validate: bool = True) -> Linker:
        """A Splink linker on ``features`` (``validate=False``: settings already checked)."""
        db_api = DuckDBAPI(_connection(self.memory_limit, self.threads))
        table = db_api.register(features)
        return Linker(table, settings, log_level=_SPLINK_LOG_LEVEL, validate_settings=validate)

    def _trained_linker(self, features: pd.DataFrame) -> Linker:
        """A linker with the trained model and the term frequencies learnt at fit.

        Scoring with the fitted term frequencies (not those of the batch at
        hand) makes a pair's score independent of which other mentions are
        resolved with it: what makes incremental and full runs agree.
        """
        # caselink's own settings (rebuilt by trusted_model, never read from a file)
        linker = self._linker(features, self.model_["splink"], validate=False)
        db_api = linker._db_api
        for col, rows in self.model_["term_frequencies"].items():
            lookup = pd.DataFrame(rows, columns=[col, f"tf_{col}"])
            lookup[f"tf_{col}"] = lookup[f"tf_{col}"].astype("float64")
            linker.table_management.register_term_frequency_lookup(db_api.register(lookup), col)
        return linker

    # -- training -------------------------------------------------------------------
    def fit(self, mentions: pd.DataFrame, cases: pd.DataFrame | None = None) -> PersonResolver:
        """Train the person model on a mentions frame.

        Parameters
        ----------
        mentions : pandas.DataFrame
            A mentions frame (:mod:`caselink.records.frames`).
        cases : pandas.DataFrame, optional
            The cases frame, for the distance between the mentions' cases
            (without it that comparison is null for every pair).

        Returns
        -------
        PersonResolver
            ``self``, with ``model_`` set.

        Raises
        ------
        ValueError
            On an invalid parameter, or fewer than 2 mentions.
        """
        self._validate()
        if len(mentions) < 2:
            raise ValueError(f"mentions must hold at least 2 rows to train on, got {len(mentions)}")
        features = person_features(mentions, cases)
        density = area_density(features)
        features = with_area_band(features, density)
        creator = SettingsCreator(
            **settings_dict(),
            blocking_rules_to_generate_predictions=prediction_blocking_rules(),  # type: ignore[arg-type]
        )
        # caselink's own settings on its own feature columns (tests/entities check them):
        # Splink validating them took 4.7 s of a FEBRL3 fit (1.0 s without), under load
        linker = self._linker(features, creator, validate=False)
        self.prior_rules_ = self._estimate_prior(linker, features)
        n_pairs = len(features) * (len(features) - 1) / 2
        linker.training.estimate_u_using_random_sampling(
            max_pairs=min(
                self.u_max_pairs, max(U_MIN_PAIRS, U_PAIRS_PER_MENTION * len(features)), n_pairs
            ),
            seed=self.seed,
            # one pass over the sample: early stopping in chunks re-runs the comparison
            # SQL ten times and never stops where levels are never seen (no place)
            num_chunks=1,
        )
        self.skipped_em_passes_: list[str] = []
        learnt_name = False
        for cols in EM_RULES:
            linker, ran = self._em_pass(linker, features, cols)
            learnt_name |= ran and bool(EM_LEARNS_NAME.intersection(cols))
        for cols in FALLBACK_EM_RULES:
            if learnt_name:
                break
            linker, ran = self._em_pass(linker, features, cols)
            learnt_name |= ran
        if "phone" not in self.skipped_em_passes_:
            for comparison in ("dob", "name", "sex"):
                _m_from_one_pass(linker, comparison, "phone", _pairs_sharing(features, "phone"))
        term_frequencies = people_term_frequencies(features)
        self.model_: dict[str, Any] = {
            "splink": _floored(linker.misc.save_model_to_json()),
            "term_frequencies": term_frequencies,
            "area_density": density,
        }
        self.n_mentions_ = len(features)
        return self

    def _estimate_prior(self, linker: Linker, features: pd.DataFrame) -> list[str]:
        """Set the prior from the near-certain rules the data can use; return their names.

        :data:`PRIOR_RULES` (name and dob, name and phone, surname, dob and
        postcode) when any admits a pair; else :data:`FALLBACK_PRIOR_RULES`
        (full name and address line or postcode); else
        :data:`FALLBACK_PRIOR_MATCHES` matches per mention. Rules that admit
        no pair are left out, so a rule on a field the data lacks never
        drives the prior to zero.
        """
        for rules in (PRIOR_RULES, FALLBACK_PRIOR_RULES):
            usable = [cols for cols in rules if _admits_pairs(features, cols)]
            if usable:
                linker.training.estimate_probability_two_random_records_match(
                    [block_on(*cols) for cols in usable],
                    recall=self.recall,
                )
                prior = linker._settings_obj._probability_two_random_records_match
                if 0.0 < prior < 1.0:
                    return ["+".join(cols) for cols in usable]
        n = len(features)
        prior = min(0.5, FALLBACK_PRIOR_MATCHES / max(n - 1, 1))
        _LOG.warning(
            "no rule could estimate the prior match probability (no two mentions share a "
            "full name with a dob, phone, address or postcode): using %.3g",
            prior,
        )
        linker._settings_obj._probability_two_random_records_match = prior
        return []

    def _em_pass(
        self, linker: Linker, features: pd.DataFrame, cols: tuple[str, ...]
    ) -> tuple[Linker, bool]:
        """One EM pass blocked on ``cols``; skipped, the model intact, when it cannot run.

        A pass is skipped with a warning (and named in ``skipped_em_passes_``)
        when its rule admits no pair of mentions (a field the data lacks), or
        when Splink abandons it (no pairs after all, or an m probability
        underflowing to 0 on a few hundred mentions). Splink may by then have
        changed the live model (dropped a comparison, reset the prior), so the
        model is restored to what it was before the pass.
        """
        name = "+".join(cols)
        if not _admits_pairs(features, cols):
            self.skipped_em_passes_.append(name)
            _LOG.warning("EM pass blocked on %s skipped: no two mentions share it", name)
            return linker, False
        before = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*cols),
                estimate_without_term_frequencies=True,
                max_pairs=self.em_max_pairs,
            )
        except (EMTrainingException, ValueError) as error:
            if isinstance(error, ValueError) and "below the minimum allowed value" not in str(
                error
            ):
                raise
            self.skipped_em_passes_.append(name)
            _LOG.warning("EM pass blocked on %s abandoned: %s", name, error)
            return self._linker(features, before, validate=False), False
        return linker, True

    @classmethod
    def from_model(cls, model: dict[str, Any], **params: Any) -> PersonResolver:
        """A resolver around an already trained model (for example one saved in the store).

        Parameters
        ----------
        model : dict
            A ``model_`` from an earlier :meth:`fit` (as loaded from JSON).
        **params
            Constructor parameters (``threshold`` etc.).

        Raises
        ------
        caselink.entities.model_file.PersonModelError
            When the model is not one caselink made: any blocking rule or
            comparison differs from the generated ones (no SQL is ever
            taken from a model), or a parameter is out of range.
        """
        resolver = cls(**params)
        resolver._validate()
        # the file's numbers only: its SQL must be caselink's own, and is rebuilt, not read
        resolver.model_ = trusted_model(model)
        resolver.n_mentions_ = -1
        return resolver

    def _features(self, mentions: pd.DataFrame, cases: pd.DataFrame | None) -> pd.DataFrame:
        """Person features with the density band of the fitted areas."""
        density = self.model_.get("area_density", {"shares": [], "cuts": []})
        return with_area_band(person_features(mentions, cases), density)

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise RuntimeError("PersonResolver is not fitted: call fit(mentions) first")

    def disagreement_weights(self) -> dict[str, float]:
        """The trained weight of each identifier (phone, address, vehicle) differing.

        The match weight ``log2(m / u)`` of the comparison's "different"
        level, at most 0, and no lower than -30 (a level never seen among
        matches in training has m = 0). The clustering adds it when a link
        would join two groups whose identifiers disagree.
        """
        return self._different_weights(IDENTIFIERS)

    def contradiction_weights(self) -> dict[str, float]:
        """The trained weight of sex, date of birth and name differing.

        As :meth:`disagreement_weights`: what a contradiction between two
        groups counts against joining them, unless the field is one of
        ``hard_vetoes``.
        """
        return self._different_weights(CONTRADICTIONS)

    def _different_weights(self, fields: tuple[str, ...]) -> dict[str, float]:
        self._check_fitted()
        out: dict[str, float] = {}
        for comparison in self.model_["splink"]["comparisons"]:
            name = comparison["output_column_name"]
            if name not in fields:
                continue
            # the "different" level; for the dob, of the two levels of a dob that differs
            # ("different", "a generation apart") the milder: a group-level contradiction
            # does not say which
            levels = [
                level
                for level in comparison["comparison_levels"]
                if level.get("label_for_charts") in ("different", "a generation apart")
            ]
            out[name] = max(_level_weight(level) for level in levels)
        return out

    def cluster(
        self, features: pd.DataFrame, links: pd.DataFrame, threshold: float | None = None
    ) -> np.ndarray:
        """Persons from scored links (:func:`caselink.entities.clustering.constrained_clusters`).

        Parameters
        ----------
        features : pandas.DataFrame
            :func:`caselink.entities.features.person_features` of the mentions.
        links : pandas.DataFrame
            Scored pairs (:data:`LINK_COLUMNS`); those below ``threshold``
            are ignored.
        threshold : float, optional
            Match probability of a link (default: the resolver's).

        Returns
        -------
        numpy.ndarray
            The lowest ``mention_id`` of each mention's person, aligned with
            ``features``.
        """
        thr = self.threshold if threshold is None else threshold
        ids = features["mention_id"].to_numpy(dtype=np.int64)
        weights = self.disagreement_weights()
        weights.update(
            {k: v for k, v in self.contradiction_weights().items() if k not in self.hard_vetoes}
        )
        return constrained_clusters(
            ids,
            profiles(features),
            links.loc[links["match_probability"] >= thr],
            disagreement=weights,
            min_weight=probability_to_weight(thr),
            hard=self.hard_vetoes,
        )

    # -- prediction -----------------------------------------------------------------
    def score(
        self,
        mentions: pd.DataFrame,
        cases: pd.DataFrame | None = None,
        threshold: float | None = None,
    ) -> pd.DataFrame:
        """Score every blocked pair of mentions at or above ``threshold`` (default: own).

        Returns
        -------
        pandas.DataFrame
            :data:`LINK_COLUMNS`, one row per pair, ``mention_id_l < mention_id_r``.
        """
        self._check_fitted()
        return self._score_features(self._features(mentions, cases), threshold)

    def _score_features(self, features: pd.DataFrame, threshold: float | None) -> pd.DataFrame:
        """:meth:`score` on features already made (resolve makes them once for both steps)."""
        linker = self._trained_linker(features)
        thr = self.threshold if threshold is None else threshold
        predictions = linker.inference.predict(
            threshold_match_probability=thr, warning_mode="never"
        )
        return _links(_fetch(linker, predictions))

    def resolve(
        self, mentions: pd.DataFrame, cases: pd.DataFrame | None = None
    ) -> PersonResolution:
        """Resolve all mentions into persons (a full run).

        Links at or above the threshold are taken strongest first; two
        groups of mentions are joined if the link's weight, less what their
        contradictions count, still reaches the threshold
        (:func:`caselink.entities.clustering.constrained_clusters`).

        Parameters
        ----------
        mentions : pandas.DataFrame
            A mentions frame.
        cases : pandas.DataFrame, optional
            The cases frame (give it if :meth:`fit` was given it).

        Returns
        -------
        PersonResolution
        """
        self._check_fitted()
        features = self._features(mentions, cases)
        links = self._score_features(features, None)
        ids = features["mention_id"].to_numpy(dtype=np.int64)
        labels = self.cluster(features, links)
        return PersonResolution(_assignments(ids, labels, links), links)

    def resolve_incremental(
        self,
        mentions: pd.DataFrame,
        previous: pd.DataFrame,
        cases: pd.DataFrame | None = None,
    ) -> PersonResolution:
        """Resolve the mentions not in ``previous`` against the existing persons.

        Scores the new mentions against all mentions, then follows links
        outward (scoring each newly reached mention against the rest) until
        the whole linked neighbourhood of the new mentions is known, and
        re-clusters only that neighbourhood; every other person is kept as
        it was. Because the clustering of a neighbourhood depends only on
        the links inside it, the persons are those of a full
        :meth:`resolve` with the same model.

        Parameters
        ----------
        mentions : pandas.DataFrame
            All mentions, old and new.
        previous : pandas.DataFrame
            The earlier resolution (:data:`RESOLUTION_COLUMNS`) of the old
            mentions.
        cases : pandas.DataFrame, optional
            The cases frame (give it if :meth:`fit` was given it).

        Returns
        -------
        PersonResolution
            Assignments of all mentions; ``links`` holds the links of the
            re-clustered neighbourhood.

        Raises
        ------
        ValueError
            When ``previous`` names a mention that is not in ``mentions``.
        """
        self._check_fitted()
        ids = mentions["mention_id"].to_numpy(dtype=np.int64)
        old_ids = previous["mention_id"].to_numpy(dtype=np.int64)
        unknown = np.setdiff1d(old_ids, ids)
        if unknown.size:
            raise ValueError(
                f"previous resolution names mention_id {int(unknown[0])} not in mentions"
            )
        is_new = ~np.isin(ids, old_ids)
        if not is_new.any():
            return PersonResolution(
                previous.loc[:, list(RESOLUTION_COLUMNS)].reset_index(drop=True), _links(None)
            )
        features = self._features(mentions, cases)
        linker = self._trained_linker(features)
        db_api = linker._db_api
        reached = is_new.copy()
        frontier = is_new.copy()
        parts: list[pd.DataFrame] = []
        while frontier.any():
            front_df = db_api.register(features.loc[frontier].reset_index(drop=True))
            parts.append(
                _fetch(
                    linker,
                    linker.inference.predict_within(
                        front_df, threshold_match_probability=self.threshold, warning_mode="never"
                    ),
                )
            )
            if (~reached).any():
                rest_df = db_api.register(features.loc[~reached].reset_index(drop=True))
                between = _fetch(
                    linker,
                    linker.inference.predict_between(
                        rest_df,
                        front_df,
                        threshold_match_probability=self.threshold,
                        warning_mode="never",
                    ),
                )
                parts.append(between)
                found = np.isin(
                    ids,
                    np.concatenate(
                        [between["mention_id_l"].to_numpy(), between["mention_id_r"].to_numpy()]
                    ).astype(np.int64),
                )
                frontier = found & ~reached
            else:
                frontier = np.zeros(len(ids), dtype=bool)
            reached |= frontier
        links = _links(pd.concat(parts, ignore_index=True))
        # re-cluster the reached neighbourhood; keep every other person as it was
        local = features.loc[reached].reset_index(drop=True)
        local_ids = local["mention_id"].to_numpy(dtype=np.int64)
        local_labels = self.cluster(local, links)
        fresh = _assignments(local_ids, local_labels, links)
        kept = previous.loc[~previous["mention_id"].isin(local_ids), list(RESOLUTION_COLUMNS)]
        assignments = (
            pd.concat([kept, fresh], ignore_index=True)
            .sort_values("mention_id")
            .reset_index(drop=True)
        )
        return PersonResolution(assignments, links)


TF_HOLDER_COLUMNS: dict[str, tuple[str, ...]] = {
    "canon_name": ("dob_str", "address_line"),
    "surname": ("dob_str", "address_line"),
    "dob_str": ("canon_name",),
    "postcode": ("canon_name",),
    "phone": ("canon_name",),
    "address_line": ("canon_name",),
}
"""For each term-frequency column, what tells its holders apart (the first recorded).

A name's holders are told apart by their dates of birth (else their
address lines), a date of birth's, an address's, a postcode's and a
phone's by the names recorded with them; a mention recording none of
those is a holder of its own.
"""


def people_term_frequencies(features: pd.DataFrame) -> dict[str, list[list[Any]]]:
    """How common each value of :data:`TF_COLUMNS` is among *other people*: the term frequencies.

    A term frequency stands for the chance that someone else, picked at
    random, has the value too: agreeing on "John Smith" or on a council
    block's postcode is worth less than agreeing on a rare one. Counted
    over records (Splink's ``compute_tf_table``) a value is as common as
    the person holding it is recorded often: the address of a man recorded
    five times looks five times as common as a neighbour's recorded once,
    and every agreement between his own records is worth less, the more so
    the more he is recorded (on FEBRL3, about 3 bits per true pair over
    name, dob and address; the model's odds, ten times too low). Here a
    value counts its distinct holders (:data:`TF_HOLDER_COLUMNS`: the same
    name with the same dob is one holder however often recorded), and its
    frequency is that of the *other* holders, ``(holders - 1) / (all
    holders - 1)``, the share of the rest of the population who have it.
    A value with one holder is left out of the table: no one else is known
    to have it, and an agreement on it keeps its level's average weight
    (Splink adds no adjustment for a value the table does not hold).

    Returns
    -------
    dict
        ``column -> [[value, frequency], ...]`` for each of :data:`TF_COLUMNS`.
    """
    out: dict[str, list[list[Any]]] = {}
    for col in TF_COLUMNS:
        known = features.loc[features[col].notna()]
        holder = pd.Series([None] * len(known), index=known.index, dtype=object)
        for other in TF_HOLDER_COLUMNS[col]:
            holder = holder.where(holder.notna(), known[other])
        holder = holder.where(holder.notna(), "#" + known["mention_id"].astype(str))
        holders = (
            pd.DataFrame({"value": known[col].astype(str), "holder": holder.astype(str)})
            .drop_duplicates()
            .groupby("value")
            .size()
        )
        everyone = int(holders.sum())
        shared = holders[holders > 1]
        frequency = (shared - 1) / max(everyone - 1, 1)
        out[col] = [[str(v), float(f)] for v, f in frequency.items()]
    return out


def _m_from_one_pass(linker: Linker, comparison: str, column: str, pairs: int) -> None:
    """Keep only the m probabilities of ``comparison`` learnt in the EM pass blocked on ``column``.

    Kin share a name or a dob, and a home: in the pass blocked on the name,
    a father and son of one name at one address look like one person
    recorded twice, and EM learns a dob a generation apart as what matches
    look like (on design B, a level no true match falls in got a weight
    near zero); in the pass blocked on the dob, twins teach it that the same
    surname with another given name (or another sex) is a match's. A phone
    is one person's, so kin are not among the pairs of the pass blocked on
    it; the dob's, the name's and the sex's m come from that pass alone when
    it ran. A level
    that pass never saw gets half a pair's worth, ``0.5 / pairs`` (the
    pairs sharing ``column``): no observation is not proof of impossibility.
    """
    mark = f'"{column}"'
    for cc in linker._settings_obj.comparisons:
        if cc.output_column_name != comparison:
            continue
        levels = cc._comparison_levels_excluding_null
        if not all(
            any(mark in r["description"] for r in cl._trained_m_probabilities) for cl in levels
        ):
            return
        for cl in levels:
            cl._trained_m_probabilities = [
                r
                if isinstance(r["probability"], (int, float))
                else {**r, "probability": 0.5 / max(pairs, 1)}
                for r in cl._trained_m_probabilities
                if mark in r["description"]
            ]
    linker._populate_m_u_from_trained_values()  # type: ignore[no-untyped-call]


def _pairs_sharing(features: pd.DataFrame, column: str) -> int:
    """Number of pairs of mentions that agree on ``column`` (neither null)."""
    sizes = features[column].dropna().value_counts().to_numpy(dtype=np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def _level_weight(level: dict[str, Any]) -> float:
    """A level's match weight ``log2(m / u)``, in [-30, 0] (m = 0: -30; untrained: 0)."""
    m, u = level.get("m_probability"), level.get("u_probability")
    if not m or not u:
        return -30.0 if u else 0.0
    return max(-30.0, min(0.0, math.log2(float(m) / float(u))))


def _admits_pairs(features: pd.DataFrame, cols: tuple[str, ...]) -> bool:
    """Whether two mentions agree on every one of ``cols`` (none of them null)."""
    known = features.loc[:, list(cols)].dropna()
    return bool(known.duplicated().any())


_FETCHED = (
    "mention_id_l",
    "mention_id_r",
    "match_weight",
    "match_probability",
    "first_name_l",
    "first_name_r",
    "full_name_l",
    "full_name_r",
    "dob_str_l",
    "dob_str_r",
    "phone_l",
    "phone_r",
)


PROBABILITY_FLOOR = 1e-10
"""Least m or u probability a trained level keeps.

EM gives m = 0 to a level never seen among the matches of the training
mentions (say, a death's victim in a later case); Splink refuses to load
such a model, and the level would be an absolute veto. Floored, it is a
weight of about -30: still decisive, but a weight.
"""


def _floored(settings: dict[str, Any]) -> dict[str, Any]:
    """The trained settings with every m and u probability at least :data:`PROBABILITY_FLOOR`."""
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            for key in ("m_probability", "u_probability"):
                value = level.get(key)
                if value is not None and value < PROBABILITY_FLOOR:
                    level[key] = PROBABILITY_FLOOR
    return settings


def area_density(features: pd.DataFrame) -> dict[str, Any]:
    """How crowded each 2 km area is: its share of the mentions, and band cut points.

    Learnt at fit and kept in the model (like the term frequencies), so a
    pair's score does not depend on the batch it is scored in.

    Returns
    -------
    dict
        ``shares``: ``[area, share of mentions]`` pairs; ``cuts``: the
        shares at the tertiles of the mentions (a mention's band is the
        number of cuts at or below its area's share).
    """
    areas = features["area"].dropna()
    if areas.empty:
        return {"shares": [], "cuts": []}
    shares = areas.value_counts(normalize=True)
    per_mention = areas.map(shares).to_numpy(dtype=np.float64)
    k = len(DENSITY_BANDS)
    cuts = np.quantile(per_mention, [i / k for i in range(1, k)]).tolist()
    return {
        "shares": [[str(a), float(v)] for a, v in shares.items()],
        "cuts": [float(c) for c in cuts],
    }


def with_area_band(features: pd.DataFrame, density: dict[str, Any]) -> pd.DataFrame:
    """``features`` with ``area_band``: 0 (sparse) to 2 (dense), None where no area is known.

    An area unseen at fit counts as sparse.
    """
    out = features.copy()
    shares = pd.Series({str(a): float(v) for a, v in density["shares"]}, dtype="float64")
    share = out["area"].map(shares).fillna(0.0).to_numpy(dtype=np.float64)
    cuts = np.asarray(density["cuts"], dtype=np.float64)
    band = np.searchsorted(cuts, share, side="right").clip(0, len(DENSITY_BANDS) - 1)
    out["area_band"] = pd.array(band, dtype="Int64")
    out.loc[out["area"].isna().to_numpy(), "area_band"] = pd.NA
    return out


def _fetch(linker: Linker, predictions: Any) -> pd.DataFrame:
    """The columns of a Splink predictions table that links and evidence need.

    Selected in DuckDB rather than converting Splink's wide output (every
    intermediate column) to pandas.
    """
    con: duckdb.DuckDBPyConnection = linker._db_api._con  # type: ignore[attr-defined]
    table = predictions.physical_name
    names = set(con.table(table).columns)
    wanted = [c for c in _FETCHED if c in names]
    wanted += [c for c in sorted(names) if c.startswith(("gamma_", "mw_"))]
    sql = f"SELECT {', '.join(wanted)} FROM {table}"
    frame: pd.DataFrame = con.execute(sql).df()
    return frame


def _links(predictions: pd.DataFrame | None) -> pd.DataFrame:
    """Scored pairs in the links contract, with their evidence."""
    if predictions is None or predictions.empty:
        return pd.DataFrame(
            {
                "mention_id_l": np.array([], dtype=np.int64),
                "mention_id_r": np.array([], dtype=np.int64),
                "match_weight": np.array([], dtype=np.float64),
                "match_probability": np.array([], dtype=np.float64),
                "evidence": np.array([], dtype=object),
                "name_differs": np.array([], dtype=bool),
            }
        )
    left = predictions["mention_id_l"].astype("int64").to_numpy()
    right = predictions["mention_id_r"].astype("int64").to_numpy()
    keep = left != right
    predictions = predictions.loc[keep].reset_index(drop=True)
    left, right = left[keep], right[keep]
    order = pd.DataFrame(
        {
            "lo": np.minimum(left, right),
            "hi": np.maximum(left, right),
            "w": predictions["match_weight"].astype("float64").to_numpy(),
        }
    ).sort_values(["lo", "hi", "w"], ascending=[True, True, False], kind="stable")
    first = ~order.duplicated(["lo", "hi"])
    rows = order.index[first.to_numpy()]
    chosen = predictions.loc[rows].reset_index(drop=True)
    out = pd.DataFrame(
        {
            "mention_id_l": order.loc[rows, "lo"].to_numpy(),
            "mention_id_r": order.loc[rows, "hi"].to_numpy(),
            "match_weight": chosen["match_weight"].astype("float64").to_numpy(),
            "match_probability": chosen["match_probability"].astype("float64").to_numpy(),
            "evidence": pair_evidence(chosen),
            "name_differs": _name_differs(chosen),
        }
    )
    return out.reset_index(drop=True)


def _name_differs(predictions: pd.DataFrame) -> np.ndarray:
    """Whether each pair's name level counts its names differing (see :data:`LINK_COLUMNS`)."""
    if "gamma_name" not in predictions.columns:
        return np.zeros(len(predictions), dtype=bool)
    counting = [
        gamma
        for gamma, label in level_labels()["name"].items()
        if label in NAME_LEVELS_COUNTING_DIFFERENCE
    ]
    return np.asarray(predictions["gamma_name"].isin(counting).to_numpy(), dtype=bool)


def _assignments(ids: np.ndarray, labels: np.ndarray, links: pd.DataFrame) -> pd.DataFrame:
    """The resolution frame: ``P<lowest mention_id>`` and each mention's strongest link.

    Only links inside a person count: a link the clustering refused (it
    would have joined a contradiction) is not evidence for the person.
    """
    n = len(ids)
    assignments = pd.DataFrame({"mention_id": ids, "entity_id": [f"P{m}" for m in labels]})
    weight = np.full(n, np.nan)
    evidence = np.full(n, "", dtype=object)
    position = pd.Series(np.arange(n), index=ids)
    label_of = pd.Series(labels, index=ids)
    if len(links):
        lab_l = label_of.reindex(links["mention_id_l"].to_numpy()).to_numpy()
        lab_r = label_of.reindex(links["mention_id_r"].to_numpy()).to_numpy()
        inside = links.loc[lab_l == lab_r]
        both = pd.concat(
            [
                inside.rename(columns={"mention_id_l": "m", "mention_id_r": "other"}),
                inside.rename(columns={"mention_id_r": "m", "mention_id_l": "other"}),
            ],
            ignore_index=True,
        )
        best = both.sort_values(["match_weight", "other"], ascending=[False, True]).drop_duplicates(
            "m"
        )
        where = position.reindex(best["m"].to_numpy()).to_numpy().astype(np.int64)
        weight[where] = best["match_weight"].to_numpy()
        evidence[where] = (
            "with mention "
            + best["other"].astype("int64").astype(str)
            + ": "
            + best["evidence"].astype(str)
        ).to_numpy()
    assignments["match_weight"] = weight
    assignments["evidence"] = evidence
    return assignments.sort_values("mention_id").reset_index(drop=True)


def pairwise_scores(
    predicted: Iterable[tuple[int, str]], truth: Iterable[tuple[int, str]]
) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against the true one.

    A pair of mentions is a predicted match when both are in one predicted
    person, a true match when both are one true person. Counted from
    cluster-size contingencies, so exact at any size.

    Parameters
    ----------
    predicted, truth : iterable of (mention_id, cluster label)
        Every mention of ``truth`` must be in ``predicted``.

    Returns
    -------
    dict
        ``precision``, ``recall``, ``f1``, ``true_pairs``, ``predicted_pairs``,
        ``correct_pairs``.
    """
    pred = pd.DataFrame(list(predicted), columns=["mention_id", "pred"])
    true = pd.DataFrame(list(truth), columns=["mention_id", "true"])
    both = true.merge(pred, on="mention_id", how="left")
    if both["pred"].isna().any():
        missing = int(both.loc[both["pred"].isna(), "mention_id"].iloc[0])
        raise ValueError(f"mention_id {missing} has a true person but no predicted one")

    def pairs(counts: pd.Series) -> float:
        c = counts.to_numpy(dtype=np.float64)
        return float((c * (c - 1) / 2).sum())

    true_pairs = pairs(both.groupby("true").size())
    pred_pairs = pairs(both.groupby("pred").size())
    correct = pairs(both.groupby(["true", "pred"]).size())
    precision = correct / pred_pairs if pred_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_pairs": true_pairs,
        "predicted_pairs": pred_pairs,
        "correct_pairs": correct,
    }


def probability_to_weight(probability: float) -> float:
    """The match weight (log2 Bayes factor) of a match probability."""
    return math.log2(probability / (1.0 - probability))
