"""Training pairs without blocking the whole store: case-control sampling.

A model is trained on the candidate pairs of two solved cases. Every linked
pair (same offender) is kept; the unlinked ones, which grow with the square
of local density, are sampled: each unlinked pair is kept when a hash of its
two case ids falls below a threshold, the threshold lowered as the rules'
pairs stream by so that at most ``max_unlinked`` stay (a bottom-k sample:
every unlinked pair has the same chance, ``rate``, of being kept, whichever
rules find it and however often). DuckDB holds one rule part's pairs and the
sample, never all candidate pairs.

A model fitted to the sample sees the unlinked pairs ``rate`` times as often
as they are, so its odds are ``1 / rate`` times too high; case-control
theory (Prentice & Pyke 1979; King & Zeng 2001's prior correction) gives the
exact correction for any model of P(link | pair): add ``log(rate)`` to the
log-odds. :func:`correct_prior_odds` applies it to the fitted model's
calibration (and to its isotonic map), so its probabilities are calibrated
to all candidate pairs, not to the sample.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from caselink.linkage.models.base import LinkageModelBase
from caselink.linkage.models.splits import sigmoid

MAX_UNLINKED_PAIRS = 20_000
"""Unlinked training pairs kept by default (``caselink train --unlinked-pairs``).

Enough to estimate how often each comparison level occurs among unrelated
pairs to within a few per cent for every level held by 1% of them, and small
enough that the offender-grouped CV of three models stays within minutes."""
HASH_SPACE = 2.0**64
"""DuckDB's ``hash`` is a 64-bit unsigned integer: a pair's hash over this is uniform on [0, 1)."""
SAMPLE_TABLE = "training_sample"
LABELS_TABLE = "training_labels"
SOLVED_TABLE = "solved_cases"


@dataclass
class TrainingSample:
    """The training pairs and how they were drawn.

    ``pairs`` (``case_a``, ``case_b``, ordered), ``y`` (1 = same offender),
    ``groups`` (the two offenders of each pair); ``rate`` is the chance an
    unlinked candidate pair had of being kept (1.0: all kept, no correction).
    """

    pairs: pd.DataFrame
    y: np.ndarray
    groups: np.ndarray
    linked_pairs: int
    unlinked_sampled: int
    rate: float
    max_unlinked: int
    solved_cases: int

    @property
    def unlinked_estimated(self) -> int:
        """The unlinked candidate pairs of solved cases (exact when ``rate`` is 1)."""
        return round(self.unlinked_sampled / self.rate) if self.rate > 0 else 0

    def provenance(self) -> dict[str, Any]:
        """What a model file records about its training pairs."""
        return {
            "method": "case-control: every linked candidate pair of two solved cases, "
            "a uniform hash sample of the unlinked ones; log-odds corrected by log(rate)",
            "solved_cases": self.solved_cases,
            "linked_pairs": self.linked_pairs,
            "unlinked_pairs_sampled": self.unlinked_sampled,
            "unlinked_pairs_estimated": self.unlinked_estimated,
            "unlinked_sample_rate": self.rate,
            "max_unlinked_pairs": self.max_unlinked,
            "prior_log_odds_correction": math.log(self.rate) if self.rate > 0 else 0.0,
        }

    def describe(self) -> str:
        """One line for ``caselink train``'s output."""
        if self.rate >= 1.0:
            return (
                f"training pairs: all {self.linked_pairs:,} linked and "
                f"{self.unlinked_sampled:,} unlinked candidate pairs of "
                f"{self.solved_cases:,} solved cases (no sampling)"
            )
        return (
            f"training pairs: all {self.linked_pairs:,} linked and a sample of "
            f"{self.unlinked_sampled:,} of about {self.unlinked_estimated:,} unlinked "
            f"candidate pairs of {self.solved_cases:,} solved cases (rate {self.rate:.4g}; "
            f"odds corrected by x{self.rate:.4g})"
        )


def prepare_solved_cases(
    con: duckdb.DuckDBPyConnection, cases: pd.DataFrame, label: str
) -> pd.Series:
    """Tables ``training_labels`` (case_id, offender) and ``solved_cases``
    (the ``cases`` rows of cases whose ``label`` is known); returns the labels."""
    if label not in cases.columns:
        raise ValueError(f"cases have no column {label!r} to learn links from")
    known = cases.set_index("case_id")[label]
    known = known[known.notna() & (known.astype(str) != "")].astype(str)
    frame = pd.DataFrame({"case_id": known.index.astype(str), "offender": known.to_numpy()})
    con.register("training_labels_df", frame)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {LABELS_TABLE} AS SELECT * FROM training_labels_df")
    con.unregister("training_labels_df")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {SOLVED_TABLE} AS SELECT c.* FROM cases c "
        f"SEMI JOIN {LABELS_TABLE} l ON l.case_id = c.case_id"
    )
    return known


def sample_pairs(con: duckdb.DuckDBPyConnection, staged: Iterable[str], max_unlinked: int) -> float:
    """Fill ``training_sample`` (case_a, case_b, linked) from the rules' staged
    pair SELECTs (over ``solved_cases``); returns the unlinked pairs' rate.

    Each SELECT's pairs are labelled and filtered (linked, or hash below the
    current threshold) as they come; when more than twice ``max_unlinked``
    distinct unlinked pairs are held the threshold falls to the
    ``max_unlinked + 1``-th smallest hash, so the table stays bounded.
    """
    if max_unlinked < 1:
        raise ValueError(f"max_unlinked must be at least 1, got {max_unlinked!r}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {SAMPLE_TABLE} "
        "(case_a VARCHAR, case_b VARCHAR, linked BOOLEAN, h UBIGINT)"
    )
    threshold: int | None = None  # keep unlinked pairs whose hash is below it

    def trim(limit: int) -> None:
        nonlocal threshold
        held = con.execute(
            f"SELECT COUNT(DISTINCT h) FROM {SAMPLE_TABLE} WHERE NOT linked"
        ).fetchall()[0][0]
        if int(held) <= limit:
            return
        cut = con.execute(
            f"SELECT h FROM (SELECT DISTINCT h FROM {SAMPLE_TABLE} WHERE NOT linked) "
            f"ORDER BY h LIMIT 1 OFFSET {int(max_unlinked)}"
        ).fetchall()[0][0]
        threshold = int(cut)
        con.execute(f"DELETE FROM {SAMPLE_TABLE} WHERE NOT linked AND h >= {threshold}")

    for sql in staged:
        keep = "TRUE" if threshold is None else f"r.linked OR r.h < {threshold}"
        con.execute(
            f"INSERT INTO {SAMPLE_TABLE} SELECT * FROM (\n"
            "SELECT LEAST(p.case_a, p.case_b) AS case_a, GREATEST(p.case_a, p.case_b) AS case_b,\n"
            "  la.offender = lb.offender AS linked,\n"
            "  hash(LEAST(p.case_a, p.case_b) || '|' || GREATEST(p.case_a, p.case_b)) AS h\n"
            f"FROM ({sql}) p\n"
            f"JOIN {LABELS_TABLE} la ON la.case_id = p.case_a\n"
            f"JOIN {LABELS_TABLE} lb ON lb.case_id = p.case_b\n"
            f") r WHERE {keep}"
        )
        trim(2 * max_unlinked)
    trim(max_unlinked)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {SAMPLE_TABLE} AS "
        f"SELECT DISTINCT case_a, case_b, linked FROM {SAMPLE_TABLE}"
    )
    return 1.0 if threshold is None else threshold / HASH_SPACE


def read_sample(
    con: duckdb.DuckDBPyConnection,
    known: pd.Series,
    rate: float,
    max_unlinked: int,
) -> TrainingSample:
    """The ``training_sample`` table as a :class:`TrainingSample`, ordered by pair."""
    frame = con.execute(f"SELECT case_a, case_b FROM {SAMPLE_TABLE} ORDER BY case_a, case_b").df()
    con.execute(f"DROP TABLE IF EXISTS {SAMPLE_TABLE}")
    pairs = frame.astype({"case_a": object, "case_b": object})
    groups = np.column_stack(
        [pairs["case_a"].map(known).to_numpy(), pairs["case_b"].map(known).to_numpy()]
    ).astype(object)
    y = (groups[:, 0] == groups[:, 1]).astype(np.int64) if len(pairs) else np.zeros(0, np.int64)
    linked = int(y.sum())
    return TrainingSample(pairs, y, groups, linked, len(y) - linked, rate, max_unlinked, len(known))


def shift_probability(p: np.ndarray, log_rate: float) -> np.ndarray:
    """``p`` with its log-odds moved by ``log_rate`` (0 and 1 stay put)."""
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore"):
        logit = np.log(p) - np.log1p(-p)
    return np.where((p <= 0) | (p >= 1), p, sigmoid(logit + log_rate))


def correct_prior_odds(model: LinkageModelBase, rate: float) -> None:
    """Make a model fitted on a case-control sample calibrated to all pairs.

    Its final log-odds move by ``log(rate)``: the Platt intercept does when
    there is no isotonic map (so additive bounds and explanations follow);
    with one, the map's knots move instead (input and output both, as the
    map now reads and gives probabilities on the population's scale), and
    the Platt intercept too, so the map reads the corrected Platt output.
    """
    if not 0 < rate <= 1:
        raise ValueError(f"rate must be in (0, 1], got {rate!r}")
    if rate == 1.0:
        return
    shift = math.log(rate)
    a, b = model.calibration_
    model.calibration_ = (a, b + shift)
    if model.isotonic_ is not None:
        x, y = (np.asarray(v, dtype=float) for v in model.isotonic_)
        model.isotonic_ = (shift_probability(x, shift), shift_probability(y, shift))
