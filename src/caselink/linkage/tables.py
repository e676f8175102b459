"""The tables that the comparison and blocking SQL read, built from a cases frame.

The SQL (see :mod:`caselink.linkage.sqlgen`) reads three tables so that it needs
no engine-specific list or string functions and runs unchanged on DuckDB and
Spark:

``cases``
    one row per case: ``case_id``, ``case_type``, ``family``, time window as
    days since 1970 (``t_from``, ``t_to``), time of day of the window's middle
    (``tod``, hours; NULL for windows longer than a day), the position
    (``lat``/``lon`` or ``x``/``y`` metres), ``x_km``/``y_km`` (a local planar
    projection used only for the blocking grid), the victim fields, the numeric
    and categorical MO attributes, and the TF-IDF norm of each text field.
    Single-valued attributes (case type, victim group, categorical MO) also
    have ``<name>_value`` and ``<name>_share`` columns, so that comparing them
    needs no join.
``case_values``
    one row per (case, attribute, value) of the categorical and multi-valued
    attributes, plus ``case_type`` and ``victim_group``, with ``share``: the
    share of cases (with that attribute recorded) that have the value. This is
    how comparisons know that sharing GHB is rarer than sharing alcohol.
``case_tokens``
    one row per (case, text field, token) with the token's inverse document
    frequency, for TF-IDF cosine similarity of narratives.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from caselink.linkage.config import LinkageConfig
from caselink.records.geodesy import EARTH_RADIUS_KM
from caselink.records.model import AttributeKind, AttributeSchema

TEXT_FIELD_NARRATIVE = "narrative"
SEX_VALUES = ("M", "F")
_TOKEN = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "him",
        "his",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "she",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "they",
        "this",
        "to",
        "was",
        "were",
        "which",
        "who",
        "with",
        "after",
        "before",
        "about",
        "over",
        "under",
        "near",
    ]
)
# Tokens in more than this share of texts carry almost no evidence and make the
# token join large; they are left out of the similarity.
MAX_TOKEN_SHARE = 0.5


class LinkageDataError(ValueError):
    """A cases frame that the linkage engine cannot use (names the column and rule)."""


def value_attributes(schema: AttributeSchema) -> list[str]:
    """Attributes whose values go into ``case_values``: case type, victim group,
    then the categorical and multi-valued MO attributes, in schema order."""
    mo = [
        a.name
        for a in schema.attributes
        if a.kind in (AttributeKind.CATEGORICAL, AttributeKind.MULTI)
    ]
    return ["case_type", "victim_group", *mo]


def single_valued_attributes(schema: AttributeSchema) -> list[str]:
    """Value attributes with at most one value per case (also kept as ``cases`` columns)."""
    return ["case_type", "victim_group", *schema.of_kind(AttributeKind.CATEGORICAL)]


def text_fields(schema: AttributeSchema) -> list[str]:
    """Text fields compared by TF-IDF cosine: the narrative and text MO attributes."""
    return [TEXT_FIELD_NARRATIVE, *schema.of_kind(AttributeKind.TEXT)]


def tokenize(text: object) -> set[str]:
    """Lower-case word tokens of at least three characters, without stop words."""
    if not isinstance(text, str):
        return set()
    return {t for t in _TOKEN.findall(text.lower()) if len(t) >= 3 and t not in _STOPWORDS}


@dataclass
class Vocabulary:
    """Value shares and token IDFs learned from the stored cases.

    Kept by the engine so that one new case is compared with the frequencies
    of the store (consistent with the batch run over the same store).
    """

    shares: dict[str, dict[str, float]] = field(default_factory=dict)
    idf: dict[str, dict[str, float]] = field(default_factory=dict)
    n_cases: int = 0
    lat0: float = 0.0

    def share(self, attr: str, value: str) -> float:
        """Share of cases with ``value`` for ``attr`` (values never seen count as one case)."""
        table = self.shares.get(attr, {})
        if value in table:
            return table[value]
        return 1.0 / max(self.n_cases, 1)

    def class_mass(self, rare: float, uncommon: float) -> dict[str, tuple[float, float, float]]:
        """Per attribute, the share of recorded values that are (common, uncommon, rare)."""
        out: dict[str, tuple[float, float, float]] = {}
        for attr, table in self.shares.items():
            total = sum(table.values())
            if total <= 0:
                continue
            r = sum(s for s in table.values() if s <= rare + 1e-12)
            u = sum(s for s in table.values() if rare + 1e-12 < s <= uncommon + 1e-12)
            out[attr] = ((total - r - u) / total, u / total, r / total)
        return out


@dataclass
class LinkageTables:
    """The SQL input tables (pandas) and the vocabulary they were built with."""

    cases: pd.DataFrame
    case_values: pd.DataFrame
    case_tokens: pd.DataFrame
    vocabulary: Vocabulary


def check_frame(frame: pd.DataFrame, schema: AttributeSchema, config: LinkageConfig) -> None:
    """Raise :class:`LinkageDataError` naming every column the engine needs and lacks."""
    needed = [
        "case_id",
        "case_type",
        "occurred_from",
        "occurred_to",
        "victim_age",
        "victim_sex",
        "victim_group",
        "narrative",
        *schema.names(),
    ]
    needed += ["x", "y"] if config.geometry == "planar" else ["lat", "lon"]
    missing = [c for c in needed if c not in frame.columns]
    problems = [f"missing column {c!r}" for c in missing]
    if "case_id" in frame.columns and frame["case_id"].duplicated().any():
        dup = frame.loc[frame["case_id"].duplicated(), "case_id"].iloc[0]
        problems.append(f"case_id must be unique, {dup!r} appears more than once")
    if not missing:
        pos = ["x", "y"] if config.geometry == "planar" else ["lat", "lon"]
        for col in [*pos, "occurred_from"]:
            bad = frame[col].isna()
            if bad.any():
                problems.append(
                    f"column {col!r} must be recorded, missing for case "
                    f"{frame.loc[bad, 'case_id'].iloc[0]!r}"
                )
    if problems:
        raise LinkageDataError("cannot link these cases: " + "; ".join(problems))


def learn_vocabulary(
    frame: pd.DataFrame, schema: AttributeSchema, config: LinkageConfig
) -> Vocabulary:
    """Value shares, token IDFs and the projection latitude of a set of cases."""
    check_frame(frame, schema, config)
    n = len(frame)
    shares: dict[str, dict[str, float]] = {}
    for attr in value_attributes(schema):
        lists = value_lists(frame[attr])
        recorded = sum(1 for v in lists if v)
        counts: dict[str, int] = {}
        for values in lists:
            for v in values:
                counts[v] = counts.get(v, 0) + 1
        shares[attr] = {v: c / recorded for v, c in counts.items()} if recorded else {}
    idf: dict[str, dict[str, float]] = {}
    for fld in text_fields(schema):
        docs = [tokenize(t) for t in frame[fld]]
        df: dict[str, int] = {}
        for d in docs:
            for t in d:
                df[t] = df.get(t, 0) + 1
        n_docs = sum(1 for d in docs if d)
        idf[fld] = {
            t: math.log((1 + n_docs) / (1 + c)) + 1.0
            for t, c in df.items()
            if c <= MAX_TOKEN_SHARE * n_docs or n_docs < 4
        }
    lat0 = float(frame["lat"].mean()) if config.geometry == "geographic" and n else 0.0
    return Vocabulary(shares=shares, idf=idf, n_cases=n, lat0=lat0)


def build_tables(
    frame: pd.DataFrame,
    schema: AttributeSchema,
    config: LinkageConfig,
    vocabulary: Vocabulary | None = None,
) -> LinkageTables:
    """Build the SQL input tables for ``frame``.

    Parameters
    ----------
    frame
        A cases frame (:mod:`caselink.records.frames`); with
        ``geometry="planar"`` it also needs ``x``/``y`` in metres.
    schema
        The MO attributes to compare.
    config
        Geometry and blocking settings.
    vocabulary
        Value shares and IDFs to use; learned from ``frame`` when omitted
        (pass the store's vocabulary to score new cases consistently).
    """
    check_frame(frame, schema, config)
    vocab = vocabulary or learn_vocabulary(frame, schema, config)
    t_from, t_to, tod = time_columns(frame)
    cases = pd.DataFrame(
        {
            "case_id": frame["case_id"].astype(str).to_numpy(),
            "case_type": _text(frame["case_type"]),
            "family": [
                config.families.get(str(t), str(t)) if t is not None else None
                for t in frame["case_type"]
            ],
            "t_from": t_from,
            "t_to": t_to,
            "tod": tod,
        }
    )
    if config.geometry == "planar":
        cases["x"] = frame["x"].astype(float).to_numpy()
        cases["y"] = frame["y"].astype(float).to_numpy()
        cases["x_km"] = cases["x"] / 1000.0
        cases["y_km"] = cases["y"] / 1000.0
    else:
        cases["lat"] = frame["lat"].astype(float).to_numpy()
        cases["lon"] = frame["lon"].astype(float).to_numpy()
        cos0 = math.cos(math.radians(vocab.lat0))
        cases["x_km"] = np.radians(cases["lon"]) * EARTH_RADIUS_KM * cos0
        cases["y_km"] = np.radians(cases["lat"]) * EARTH_RADIUS_KM
    cases["victim_age"] = pd.to_numeric(frame["victim_age"]).astype(float).to_numpy()
    sex = [s if s in SEX_VALUES else None for s in frame["victim_sex"]]
    cases["victim_sex"] = pd.Series(sex, dtype=object).to_numpy()
    cases["victim_group"] = _text(frame["victim_group"])
    for spec in schema.attributes:
        if spec.kind is AttributeKind.NUMERIC:
            cases[spec.name] = pd.to_numeric(frame[spec.name]).astype(float).to_numpy()
        elif spec.kind is AttributeKind.CATEGORICAL:
            cases[spec.name] = _text(frame[spec.name])
    value_rows: list[tuple[str, str, str, float]] = []
    single = single_valued_attributes(schema)
    for attr in value_attributes(schema):
        lists = value_lists(frame[attr])
        cases[f"{attr}_n"] = np.array([len(v) for v in lists], dtype=np.int64)
        if attr in single:
            cases[f"{attr}_value"] = pd.Series(
                [v[0] if v else None for v in lists], dtype=object
            ).to_numpy()
            cases[f"{attr}_share"] = [vocab.share(attr, v[0]) if v else np.nan for v in lists]
        for cid, values in zip(cases["case_id"], lists, strict=True):
            for v in values:
                value_rows.append((cid, attr, v, vocab.share(attr, v)))
    case_values = pd.DataFrame(value_rows, columns=["case_id", "attr", "value", "share"])
    token_rows: list[tuple[str, str, str, float]] = []
    for fld in text_fields(schema):
        idf = vocab.idf.get(fld, {})
        norms = []
        for cid, text in zip(cases["case_id"], frame[fld], strict=True):
            weights = {t: idf[t] for t in tokenize(text) if t in idf}
            token_rows.extend((cid, fld, t, w) for t, w in weights.items())
            norms.append(math.sqrt(sum(w * w for w in weights.values())) if weights else np.nan)
        cases[f"{fld}_norm"] = norms
    case_tokens = pd.DataFrame(token_rows, columns=["case_id", "field", "token", "idf"])
    return LinkageTables(cases, case_values, case_tokens, vocab)


def time_columns(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``t_from``, ``t_to`` (days since 1970; an open window ends where it starts)
    and ``tod`` (hour of the window's middle; NaN for windows longer than a day)."""
    t_from = _days(frame["occurred_from"])
    t_to = np.maximum(_days(frame["occurred_to"].fillna(frame["occurred_from"])), t_from)
    tod = np.where(t_to - t_from <= 1.0, (((t_from + t_to) / 2.0) % 1.0) * 24.0, np.nan)
    return t_from, t_to, tod


def _days(column: pd.Series) -> np.ndarray:
    values = pd.to_datetime(column).astype("datetime64[us]").to_numpy()
    return (values - np.datetime64("1970-01-01T00:00:00", "us")) / np.timedelta64(1, "D")


def _text(column: pd.Series) -> np.ndarray:
    return np.array([None if v is None or v != v else str(v) for v in column], dtype=object)


def value_lists(column: pd.Series) -> list[tuple[str, ...]]:
    """Each cell as a tuple of values (multi-valued cells are tuples already)."""
    out: list[tuple[str, ...]] = []
    for v in column:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(())
        elif isinstance(v, tuple | list | set | frozenset | np.ndarray):
            out.append(tuple(sorted({str(x) for x in v if str(x).strip()})))
        else:
            text = str(v).strip()
            out.append((text,) if text else ())
    return out
