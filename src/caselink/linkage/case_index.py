"""An in-memory index of the stored cases: one case scored against the store in milliseconds.

The batch path (:class:`caselink.linkage.engine.LinkageEngine`) runs the
blocking and comparison SQL over every pair of the store. To compare ONE
arriving case with a million stored ones in well under a second,
:class:`CaseIndex` keeps what the blocking rules and comparisons read, as
numpy arrays, built once from the cases frame and appended to as cases
arrive. It is the one-case scoring path of alerts on arrival, bulk import and
replay, and it declares nothing of its own:

* candidates: the same :class:`~caselink.linkage.blocking.BlockingRule`
  declarations, looked up in a spatial grid (cells of ``block_km``), an
  inverted index ``(attribute, value) -> cases`` and ``(victim group, case
  family) -> cases``, then each rule's exact filter, whose distance and days
  are the comparisons' own formulas;
* comparisons: each :class:`~caselink.linkage.comparisons.Comparison`'s
  formulas (:mod:`caselink.linkage.formulas`), the very declaration the
  batch SQL is rendered from, evaluated on the columns of the focus case
  (``a``) and its candidates (``b``). The index only supplies the columns of
  the ``cases`` table (:mod:`caselink.linkage.tables`) and the two join
  aggregates the SQL computes: values shared (``s.<attr>_shared``, the least
  ``s.<attr>_share``) and the TF-IDF dot product of shared tokens
  (``t.<field>_dot``);
* frequencies are *live*: a value's share and a token's IDF are counted, at
  scoring time, from the cases in the index, as
  :func:`caselink.linkage.tables.learn_vocabulary` counts them over the same
  cases; so a pair scores exactly as ``caselink link`` scores it over the cases
  indexed (tested), and a replay that indexes cases in recording order uses
  only the frequencies known at each moment.

A model whose formulas read a column the index does not hold raises
:class:`UnsupportedComparisonError`; a case that cannot be compared raises
:class:`~caselink.records.errors.NotScorableError` naming every case and reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from caselink.linkage.blocking import BlockingRule
from caselink.linkage.comparisons import DAYS, Comparison, comparison_columns, distance_formula
from caselink.linkage.config import LinkageConfig
from caselink.linkage.formulas import Columns, columns_read
from caselink.linkage.tables import (
    MAX_TOKEN_SHARE,
    SEX_VALUES,
    single_valued_attributes,
    text_fields,
    time_columns,
    tokenize,
    value_attributes,
    value_lists,
)
from caselink.records.errors import ModelMismatchError, NotScorableError
from caselink.records.geodesy import EARTH_RADIUS_KM
from caselink.records.model import AttributeKind, AttributeSchema

KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180.0


class UnsupportedComparisonError(ModelMismatchError):
    """A model's comparison or blocking rule reads a column the index does not hold."""


class _Growable:
    """A 1-D numpy array with amortised O(1) append."""

    def __init__(self, dtype: Any, values: np.ndarray | None = None) -> None:
        values = np.asarray(values if values is not None else [], dtype=dtype)
        self._buf = np.empty(max(16, 2 * len(values)), dtype=dtype)
        self._buf[: len(values)] = values
        self.n = len(values)

    def extend(self, values: np.ndarray) -> None:
        need = self.n + len(values)
        if need > len(self._buf):
            new = np.empty(max(need, 2 * len(self._buf)), dtype=self._buf.dtype)
            new[: self.n] = self._buf[: self.n]
            self._buf = new
        self._buf[self.n : need] = values
        self.n = need

    def append(self, value: Any) -> None:
        self.extend(np.asarray([value], dtype=self._buf.dtype))

    @property
    def values(self) -> np.ndarray:
        return self._buf[: self.n]

    @property
    def nbytes(self) -> int:
        return int(self._buf.nbytes)


class _Postings:
    """key -> growable array of case positions (an inverted index), each ascending:
    positions are only ever added above those held."""

    def __init__(self) -> None:
        self.lists: dict[Any, _Growable] = {}

    def build(self, keys: Sequence[Any], positions: np.ndarray) -> None:
        groups: dict[Any, list[int]] = {}
        for k, p in zip(keys, positions.tolist(), strict=True):
            groups.setdefault(k, []).append(p)
        for k, ps in groups.items():
            self.lists[k] = _Growable(np.int64, np.asarray(ps, dtype=np.int64))

    def add(self, key: Any, position: int) -> None:
        g = self.lists.get(key)
        if g is None:
            self.lists[key] = g = _Growable(np.int64)
        g.append(position)

    def get(self, key: Any) -> np.ndarray:
        g = self.lists.get(key)
        return g.values if g is not None else np.zeros(0, dtype=np.int64)

    @property
    def nbytes(self) -> int:
        return sum(g.nbytes for g in self.lists.values())


class _SparseRows:
    """Rows of (column code, weight 1) as a growable CSR matrix."""

    def __init__(self) -> None:
        self.indptr = _Growable(np.int64, np.zeros(1, dtype=np.int64))
        self.indices = _Growable(np.int32)

    def add_rows(self, rows: Iterable[Sequence[int]]) -> None:
        lengths: list[int] = []
        flat: list[int] = []
        for r in rows:
            lengths.append(len(r))
            flat.extend(r)
        ends = self.indptr.values[-1] + np.cumsum(np.asarray(lengths, dtype=np.int64))
        self.indptr.extend(ends)
        self.indices.extend(np.asarray(flat, dtype=np.int32))

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row number within ``rows``, column code) of every entry of ``rows``,
        in O(entries of those rows), whatever the number of rows stored."""
        ptr = self.indptr.values
        starts = ptr[rows]
        lens = ptr[rows + 1] - starts
        row_of = np.repeat(np.arange(len(rows)), lens)
        offsets = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        codes = self.indices.values[np.repeat(starts, lens) + offsets]
        return row_of, codes.astype(np.int64)

    def first(self, rows: np.ndarray) -> np.ndarray:
        """Code of the first entry of each of ``rows`` (-1 for an empty row)."""
        ptr = self.indptr.values
        has = ptr[rows + 1] > ptr[rows]
        out = np.full(len(rows), -1, dtype=np.int64)
        if has.any():
            out[has] = self.indices.values[ptr[rows][has]]
        return out

    def row(self, i: int) -> np.ndarray:
        ptr = self.indptr.values
        return self.indices.values[ptr[i] : ptr[i + 1]]

    @property
    def nbytes(self) -> int:
        return self.indptr.nbytes + self.indices.nbytes


class _Vocab:
    """Codes of the values of one attribute (or the tokens of one text field)
    and how many cases hold each: the live frequencies."""

    def __init__(self) -> None:
        self.code: dict[str, int] = {}
        self.names: list[str] = []
        self.count = _Growable(np.int64)
        self.recorded = 0

    def codes(self, values: Iterable[str]) -> list[int]:
        out = []
        for v in values:
            c = self.code.get(v)
            if c is None:
                c = self.code[v] = len(self.code)
                self.names.append(v)
                self.count.append(0)
            out.append(c)
        return out


@dataclass(frozen=True)
class IndexSizes:
    """What the index caches and its memory (bytes of numpy buffers)."""

    n_cases: int
    column_bytes: int
    posting_bytes: int
    sparse_bytes: int

    @property
    def total_bytes(self) -> int:
        """All numpy buffers of the index."""
        return self.column_bytes + self.posting_bytes + self.sparse_bytes


class CaseIndex:
    """Stored cases held for fast candidate look-up and comparison.

    Parameters
    ----------
    schema
        The MO attributes.
    config
        The linkage settings (of the model in use: geometry, families).
    rules
        The blocking rules (of the model in use).
    comparisons
        The comparisons (of the model in use).

    Notes
    -----
    Build with :meth:`from_frame`, grow with :meth:`add`, score with
    :meth:`candidates` and :meth:`compare`. Positions are 0-based in insertion
    order; :attr:`case_ids` maps them back.
    """

    def __init__(
        self,
        schema: AttributeSchema,
        config: LinkageConfig,
        rules: Sequence[BlockingRule],
        comparisons: Sequence[Comparison],
    ) -> None:
        self.schema = schema
        self.config = config
        self.planar = config.geometry == "planar"
        self.value_attrs = value_attributes(schema)
        self.single_attrs = set(single_valued_attributes(schema))
        self.text_fields = text_fields(schema)
        self.numeric_attrs = schema.of_kind(AttributeKind.NUMERIC)
        self._distance_formula = distance_formula(config)
        self._check(rules, comparisons)
        self.rules = list(rules)
        self.comparisons = list(comparisons)
        self._reads = _columns_read(self.comparisons)
        self.case_ids: list[str] = []
        self.position: dict[str, int] = {}
        cols = ["a", "b", "t_from", "t_to", "tod", "victim_age", *self.numeric_attrs]
        self._num: dict[str, _Growable] = {c: _Growable(np.float64) for c in cols}
        self._sex = _Growable(np.int8)  # 0 unknown, 1 M, 2 F
        self._family = _Growable(np.int32)  # -1 unknown
        self._family_code: dict[str, int] = {}
        self._vocab: dict[str, _Vocab] = {a: _Vocab() for a in self.value_attrs}
        self._values: dict[str, _SparseRows] = {a: _SparseRows() for a in self.value_attrs}
        self._tokens: dict[str, _Vocab] = {f: _Vocab() for f in self.text_fields}
        self._token_rows: dict[str, _SparseRows] = {f: _SparseRows() for f in self.text_fields}
        self._grid = _Postings()
        self._by_value = _Postings()
        self._by_group = _Postings()
        near = [r for r in self.rules if r.kind == "near"]
        self._cell_deg = max((r.km for r in near), default=1.0) / KM_PER_DEGREE
        self._max_abs_lat = -1.0
        self._lon_size = self._cell_deg
        self._counted = 0  # cases [0, _counted) are in the live frequencies

    # ------------------------------------------------------------------ build
    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        schema: AttributeSchema,
        config: LinkageConfig,
        rules: Sequence[BlockingRule],
        comparisons: Sequence[Comparison],
    ) -> CaseIndex:
        """Index every case of a cases frame (:mod:`caselink.records.frames`)."""
        index = cls(schema, config, rules, comparisons)
        index.add(frame)
        return index

    def _holds(self, alias: str, name: str) -> bool:
        """Whether the index supplies column ``name`` of table alias ``alias``."""
        if alias in ("a", "b"):
            pos = {"x", "y"} if self.planar else {"lat", "lon"}
            derived = {f"{a}_n" for a in self.value_attrs}
            derived |= {f"{a}_{s}" for a in self.single_attrs for s in ("value", "share")}
            derived |= {f"{f}_norm" for f in self.text_fields}
            return name in set(self._num_columns()) | pos | derived | {"victim_sex", "family"}
        if alias == "s":
            multi = set(self.value_attrs) - self.single_attrs
            return any(name == f"{a}_{s}" for a in multi for s in ("shared", "share"))
        return alias == "t" and name in {f"{f}_dot" for f in self.text_fields}

    def _num_columns(self) -> list[str]:
        return ["t_from", "t_to", "tod", "victim_age", *self.numeric_attrs]

    def _check(self, rules: Sequence[BlockingRule], comparisons: Sequence[Comparison]) -> None:
        """Raise :class:`UnsupportedComparisonError` for what the index cannot compute."""
        for c in comparisons:
            for col, formula in c.columns:
                missing = sorted(
                    f"{a}.{n}" for a, n in columns_read(formula) if not self._holds(a, n)
                )
                if missing:
                    raise UnsupportedComparisonError(
                        f"comparison {c.name!r} column {col!r} reads {', '.join(missing)}, "
                        "which the case index does not hold; score with the linkage engine",
                        field=c.name,
                    )
        for r in rules:
            for attr in [*(s for s in r.same if s not in ("family", "victim_sex")),
                         *(a for a, _ in r.uncommon)]:  # fmt: skip
                if attr not in self.single_attrs:
                    raise UnsupportedComparisonError(
                        f"blocking rule {r.describe()!r} compares {attr!r}, which is not a "
                        "single-valued attribute the case index holds",
                        field=attr,
                    )

    def __len__(self) -> int:
        return len(self.case_ids)

    def add(self, frame: pd.DataFrame, counted: bool = True) -> np.ndarray:
        """Index the cases of ``frame`` (new ``case_id`` values); returns their positions.

        With ``counted=False`` the cases are held (found as candidates, compared)
        but their values and tokens are not yet counted in the live
        frequencies: :meth:`count_through` counts them later, one case at a
        time, as a replay reaches each (see :mod:`caselink.replay.walk`).

        Raises
        ------
        NotScorableError
            A case lacks a field every comparison needs (position, start of
            the time window, case type) or repeats a case_id already indexed
            or within ``frame``; its ``reasons`` name every such case. Nothing
            of ``frame`` is indexed then.
        """
        reasons = scoring_problems(frame, self.config)
        ids = frame["case_id"].astype(str).tolist()
        seen: set[str] = set()
        for cid in ids:
            if cid in self.position:
                reasons.setdefault(cid, []).append("already indexed")
            elif cid in seen:
                reasons.setdefault(cid, []).append("case_id repeats within the cases added")
            seen.add(cid)
        if reasons:
            raise NotScorableError(reasons)
        n0, n = len(self), len(frame)
        if counted and self._counted != n0:
            raise ValueError("cases held but not counted yet: count_through them before adding")
        pos = np.arange(n0, n0 + n, dtype=np.int64)
        self.case_ids.extend(ids)
        self.position.update(zip(ids, pos.tolist(), strict=True))
        t_from, t_to, tod = time_columns(frame)
        a_col, b_col = ("x", "y") if self.planar else ("lat", "lon")
        a = frame[a_col].to_numpy(dtype=float)
        b = frame[b_col].to_numpy(dtype=float)
        self._num["a"].extend(a)
        self._num["b"].extend(b)
        self._num["t_from"].extend(t_from)
        self._num["t_to"].extend(t_to)
        self._num["tod"].extend(tod)
        self._num["victim_age"].extend(pd.to_numeric(frame["victim_age"]).to_numpy(dtype=float))
        for attr in self.numeric_attrs:
            self._num[attr].extend(pd.to_numeric(frame[attr]).to_numpy(dtype=float))
        sex = [SEX_VALUES.index(s) + 1 if s in SEX_VALUES else 0 for s in frame["victim_sex"]]
        self._sex.extend(np.asarray(sex, dtype=np.int8))
        families = [
            self.config.families.get(str(t), str(t)) if isinstance(t, str) else None
            for t in frame["case_type"]
        ]
        fam_codes = [self._family_code.setdefault(f, len(self._family_code)) if f else -1
                     for f in families]  # fmt: skip
        self._family.extend(np.asarray(fam_codes, dtype=np.int32))
        # values: codes and inverted index (counted by count_through)
        value_keys: list[tuple[str, int]] = []
        value_pos: list[int] = []
        for attr in self.value_attrs:
            vocab = self._vocab[attr]
            rows = [vocab.codes(vs) for vs in value_lists(frame[attr])]
            for p, codes in zip(pos.tolist(), rows, strict=True):
                for c in codes:
                    value_keys.append((attr, c))
                    value_pos.append(p)
            self._values[attr].add_rows(rows)
        self._extend_postings(self._by_value, value_keys, value_pos)
        for fld in self.text_fields:
            vocab = self._tokens[fld]
            self._token_rows[fld].add_rows([vocab.codes(sorted(tokenize(t))) for t in frame[fld]])
        if counted:
            self.count_through(n0 + n - 1)
        # grid and victim-group postings
        if not self.planar and len(a) and float(np.max(np.abs(a))) > self._max_abs_lat:
            # Longitude cells must be block_km wide at the highest latitude held:
            # re-grid everything (happens once, or when a case lies further north).
            self._max_abs_lat = min(float(np.max(np.abs(a))) + 1.0, 89.0)
            self._regrid()
        else:
            cells = list(zip(*self._cells(a, b), strict=True))
            self._extend_postings(self._grid, cells, pos.tolist())
        groups = frame["victim_group"].tolist()
        gkeys: list[tuple[str, int]] = []
        gpos: list[int] = []
        for p, g, f in zip(pos.tolist(), groups, fam_codes, strict=True):
            if isinstance(g, str) and g != "general" and f >= 0:
                gkeys.append((g, f))
                gpos.append(p)
        self._extend_postings(self._by_group, gkeys, gpos)
        return pos

    def count_through(self, position: int) -> None:
        """Count the values and tokens of the held cases up to ``position``
        (inclusive) in the live frequencies: shares and IDFs are then those of
        the moment that case arrived."""
        lo, hi = self._counted, min(position + 1, len(self))
        if hi <= lo:
            return
        parts = [(self._vocab[a], self._values[a]) for a in self.value_attrs]
        parts += [(self._tokens[f], self._token_rows[f]) for f in self.text_fields]
        for vocab, rows in parts:
            ptr = rows.indptr.values
            codes = rows.indices.values[ptr[lo] : ptr[hi]]
            if len(codes):
                np.add.at(vocab.count.values, codes, 1)
            vocab.recorded += int(np.count_nonzero(ptr[lo + 1 : hi + 1] > ptr[lo:hi]))
        self._counted = hi

    @staticmethod
    def _extend_postings(post: _Postings, keys: Sequence[Any], positions: Sequence[int]) -> None:
        if len(keys) > 64:
            fresh = _Postings()
            fresh.build(keys, np.asarray(positions, dtype=np.int64))
            for k, g in fresh.lists.items():
                old = post.lists.get(k)
                if old is None:
                    post.lists[k] = g
                else:
                    old.extend(g.values)
        else:
            for k, p in zip(keys, positions, strict=True):
                post.add(k, p)

    def _cells(self, a: np.ndarray, b: np.ndarray) -> tuple[list[int], list[int]]:
        if self.planar:
            size_m = self._cell_deg * KM_PER_DEGREE * 1000.0
            return (np.floor(a / size_m).astype(np.int64).tolist(),
                    np.floor(b / size_m).astype(np.int64).tolist())  # fmt: skip
        # Cells of block_km in latitude and block_km (at the highest latitude
        # held) in longitude: a pair within block_km is in neighbouring cells.
        return (np.floor(a / self._cell_deg).astype(np.int64).tolist(),
                np.floor(b / self._lon_size).astype(np.int64).tolist())  # fmt: skip

    def use(self, rules: Sequence[BlockingRule], comparisons: Sequence[Comparison]) -> None:
        """Switch to another model's blocking rules and comparisons (same config)."""
        self._check(rules, comparisons)
        self.rules = list(rules)
        self.comparisons = list(comparisons)
        self._reads = _columns_read(self.comparisons)
        near = [r.km for r in self.rules if r.kind == "near"]
        cell = max(near, default=1.0) / KM_PER_DEGREE
        if cell > self._cell_deg + 1e-15:
            self._cell_deg = cell
            self._regrid()

    def _regrid(self) -> None:
        if not self.planar:
            self._lon_size = self._cell_deg / math.cos(math.radians(max(self._max_abs_lat, 0.0)))
        self._grid = _Postings()
        if len(self):
            every = np.arange(len(self), dtype=np.int64)
            cells = list(
                zip(*self._cells(self._num["a"].values, self._num["b"].values), strict=True)
            )
            self._extend_postings(self._grid, cells, every.tolist())

    # ------------------------------------------------------------- frequencies
    def share(self, attr: str, codes: np.ndarray) -> np.ndarray:
        """Live share of cases (with ``attr`` recorded) holding each value code."""
        vocab = self._vocab[attr]
        counts = vocab.count.values
        if not len(counts):
            # no case holds a value yet: the codes asked for are placeholders of
            # missing values, which the formulas mask
            return np.zeros(len(codes))
        out: np.ndarray = counts[codes] / max(vocab.recorded, 1)
        return out

    def idf(self, fld: str) -> np.ndarray:
        """Live IDF of every token code of ``fld`` (0 for tokens left out as too common)."""
        vocab = self._tokens[fld]
        df = vocab.count.values.astype(np.float64)
        n_docs = vocab.recorded
        idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
        if n_docs >= 4:
            idf[df > MAX_TOKEN_SHARE * n_docs] = 0.0
        idf[df == 0] = 0.0
        return idf

    def start_of(self, position: int) -> float:
        """Start of the case's time window (days since 1970)."""
        return float(self._num["t_from"].values[position])

    # -------------------------------------------------------------- candidates
    def candidates(self, position: int, before: int | None = None) -> np.ndarray:
        """Positions of the cases the blocking rules pair with the case at ``position``.

        Parameters
        ----------
        position
            The focus case.
        before
            Only cases at positions below this (default: all but the focus).
        """
        found: list[np.ndarray] = []
        near: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        for rule in self.rules:
            if rule.kind == "near":
                if near is None:
                    # the grid's neighbourhood, its days and km apart: once for every rule
                    reach = max(r.days for r in self.rules if r.kind == "near")
                    pool_all = self._within_days(position, self._near_pool(position, before), reach)
                    columns = self._pair_columns(position, pool_all)
                    days = np.broadcast_to(DAYS.evaluate(columns), len(pool_all))
                    km = np.broadcast_to(self._distance_formula.evaluate(columns), len(pool_all))
                    near = (pool_all, days, km)
                pool_all, days, km = near
                keep = (days <= rule.days) & (km <= rule.km)
                keep[keep] = self._same(rule, position, pool_all[keep])
                found.append(pool_all[keep])
            elif rule.kind == "rare_value":
                for attr in self.value_attrs:
                    codes = self._values[attr].row(position)
                    if not len(codes):
                        continue
                    counts = self._vocab[attr].count.values[codes.astype(np.int64)]
                    for c, k in zip(codes.tolist(), counts.tolist(), strict=True):
                        if k <= rule.max_cases:
                            found.append(_below(self._by_value.get((attr, c)), before))
            else:
                fam = int(self._family.values[position])
                group = self._group_of(position)
                if group is None or fam < 0:
                    continue
                pool = _below(self._by_group.get((group, fam)), before)
                found.append(pool[self._days(position, pool) <= rule.days])
        if not found:
            return np.zeros(0, dtype=np.int64)
        out: np.ndarray = np.unique(np.concatenate(found))
        out = out[out != position]
        if before is not None:
            out = out[out < before]
        return out

    def _same(self, rule: BlockingRule, position: int, pool: np.ndarray) -> np.ndarray:
        """Mask of ``pool`` passing the rule's equality (``same``) and ``types`` filters."""
        keep = np.ones(len(pool), dtype=bool)
        for col in rule.same:
            if col == "family":
                codes = self._family.values
            elif col == "victim_sex":
                codes = self._sex.values.astype(np.int32) - 1  # unknown -> -1
            else:
                rows = self._values[col]
                mine = int(rows.first(np.array([position]))[0])
                keep &= (rows.first(pool) == mine) & (mine >= 0)
                continue
            mine = int(codes[position])
            keep &= (codes[pool] == mine) & (mine >= 0)
        if rule.types:
            ct = self._vocab["case_type"]
            allowed = np.asarray([ct.code.get(t, -2) for t in rule.types])
            rows = self._values["case_type"]
            mine_type = rows.first(np.array([position]))
            keep &= bool(np.isin(mine_type, allowed)[0]) & np.isin(rows.first(pool), allowed)
        if rule.groups_only:
            rows = self._values["victim_group"]
            general = self._vocab["victim_group"].code.get("general", -2)
            mine_group = int(rows.first(np.array([position]))[0])
            keep &= (mine_group >= 0) & (mine_group != general)
            keep &= (rows.first(pool) >= 0) & (rows.first(pool) != general)
        for attr, cap in rule.uncommon:
            # as the SQL's ``<attr>_share <= cap``: both values held by at most cap
            rows = self._values[attr]
            mine_code = rows.first(np.array([position]))
            theirs = rows.first(pool)
            keep &= bool(mine_code[0] >= 0) and bool(self.share(attr, mine_code)[0] <= cap)
            keep &= (theirs >= 0) & (self.share(attr, np.maximum(theirs, 0)) <= cap)
        return keep

    def _group_of(self, position: int) -> str | None:
        codes = self._values["victim_group"].row(position)
        if not len(codes):
            return None
        g = self._vocab["victim_group"].names[int(codes[0])]
        return g if g != "general" else None

    def _near_pool(self, position: int, before: int | None = None) -> np.ndarray:
        a, b = self._num["a"].values[position], self._num["b"].values[position]
        ca, cb = self._cells(np.array([a]), np.array([b]))
        cells = [(ca[0] + dx, cb[0] + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
        return np.concatenate([_below(self._grid.get(c), before) for c in cells])

    def _within_days(self, position: int, pool: np.ndarray, days: float) -> np.ndarray:
        """The cases of ``pool`` whose time window may be within ``days`` of the
        focus's: a cheap superset of what the ``days`` formula keeps (two
        windows more than ``days`` apart have one's start more than ``days``
        after the other's end), so the exact formulas run on fewer pairs."""
        t_from, t_to = self._num["t_from"].values, self._num["t_to"].values
        slack = days + 1e-6
        far = (t_from[pool] - t_to[position] > slack) | (t_from[position] - t_to[pool] > slack)
        kept: np.ndarray = pool[~far]
        return kept

    def _days(self, position: int, others: np.ndarray) -> np.ndarray:
        """Days apart: the ``days`` comparison's own formula."""
        return np.broadcast_to(DAYS.evaluate(self._pair_columns(position, others)), len(others))

    # --------------------------------------------------------------- compare
    def compare(self, position: int, others: np.ndarray) -> pd.DataFrame:
        """The comparison frame of (focus, each of ``others``), as the batch SQL gives it.

        ``case_a`` is the focus case, ``case_b`` the other; the columns are
        those of :func:`caselink.linkage.comparisons.comparison_columns`,
        each computed by its comparison's formula.
        """
        others = np.asarray(others, dtype=np.int64)
        focus = np.full(len(others), position, dtype=np.int64)
        return self.evaluate(self.read_columns(position, others), focus, others)

    def read_columns(self, position: int, others: np.ndarray) -> dict[tuple[str, str], np.ndarray]:
        """What the comparisons read of (focus, each of ``others``), one value per
        pair, with the live frequencies of this moment. :meth:`evaluate` makes
        the comparison frame of them, now or later: a replay reads each case's
        pairs on its arrival and evaluates many cases' pairs at once."""
        others = np.asarray(others, dtype=np.int64)
        get = self._pair_columns(position, others)
        return {
            key: np.broadcast_to(np.asarray(get(*key), dtype=np.float64), len(others))
            for key in self._reads
        }

    def evaluate(
        self, read: dict[tuple[str, str], np.ndarray], a: np.ndarray, b: np.ndarray
    ) -> pd.DataFrame:
        """The comparison frame of pairs (positions ``a``, ``b``) from what
        :meth:`read_columns` read of them (concatenated over cases)."""
        columns: Columns = lambda alias, name: read[(alias, name)]  # noqa: E731
        computed: dict[str, np.ndarray] = {}
        for comp in self.comparisons:
            computed.update(comp.evaluate(columns))
        ids = self.case_ids
        data: dict[str, np.ndarray] = {
            "case_a": np.array([ids[k] for k in np.asarray(a).tolist()], dtype=object),
            "case_b": np.array([ids[k] for k in np.asarray(b).tolist()], dtype=object),
        }
        for col in comparison_columns(self.comparisons):
            values = np.asarray(computed[col], dtype=np.float64)
            data[col] = np.array(np.broadcast_to(values, len(b)))
        return pd.DataFrame(data)

    def _pair_columns(self, position: int, others: np.ndarray) -> Columns:
        """The columns the formulas read, for the focus (``a``) and ``others`` (``b``)."""
        focus = np.array([position], dtype=np.int64)
        cache: dict[tuple[str, str], np.ndarray] = {}

        def columns(alias: str, name: str) -> np.ndarray:
            key = (alias, name)
            if key not in cache:
                if alias in ("a", "b"):
                    cache[key] = self._case_column(name, focus if alias == "a" else others)
                elif alias == "s":
                    shared = name.endswith("_shared")
                    attr = name[: -len("_shared")] if shared else name[: -len("_share")]
                    n_shared, min_share = self._shared(attr, position, others)
                    cache[("s", f"{attr}_shared")] = n_shared
                    cache[("s", f"{attr}_share")] = min_share
                else:
                    cache[key] = self._dot(name.removesuffix("_dot"), position, others)
            return cache[key]

        return columns

    def _case_column(self, name: str, rows: np.ndarray) -> np.ndarray:
        """Column ``name`` of the ``cases`` table at ``rows`` (NaN for NULL; codes for text)."""
        held = {"lat": "a", "x": "a", "lon": "b", "y": "b"}.get(name, name)
        if held in self._num:
            values: np.ndarray = self._num[held].values[rows]
            return values
        if name == "victim_sex":
            sex = self._sex.values[rows].astype(np.float64)
            return np.where(sex > 0, sex, np.nan)
        if name == "family":
            fam = self._family.values[rows].astype(np.float64)
            return np.where(fam >= 0, fam, np.nan)
        stem, _, what = name.rpartition("_")
        if what == "n":
            ptr = self._values[stem].indptr.values
            lengths: np.ndarray = (ptr[rows + 1] - ptr[rows]).astype(np.float64)
            return lengths
        if what == "value":
            first = self._values[stem].first(rows).astype(np.float64)
            return np.where(first >= 0, first, np.nan)
        if what == "share":
            first = self._values[stem].first(rows)
            return np.where(first >= 0, self.share(stem, np.maximum(first, 0)), np.nan)
        # <field>_norm: TF-IDF norm of the case's weighted tokens (NULL without any)
        idf = self.idf(stem)
        row_of, codes = self._token_rows[stem].gather(rows)
        sq = np.bincount(row_of, weights=idf[codes] ** 2, minlength=len(rows))
        return np.where(sq > 0, np.sqrt(sq), np.nan)

    def _shared(
        self, attr: str, position: int, others: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per other case: how many values of ``attr`` it shares with the focus, and
        the least share among them (both NaN when none: the SQL's unmatched join)."""
        mine = self._values[attr].row(position).astype(np.int64)
        n_shared = np.zeros(len(others))
        min_share = np.full(len(others), np.inf)
        if len(mine) and len(others):
            row_of, codes = self._values[attr].gather(others)
            for code, share in zip(mine.tolist(), self.share(attr, mine).tolist(), strict=True):
                hit = np.zeros(len(others), dtype=bool)
                hit[row_of[codes == code]] = True
                n_shared += hit
                min_share = np.where(hit, np.minimum(min_share, share), min_share)
        none = n_shared == 0
        return np.where(none, np.nan, n_shared), np.where(none, np.nan, min_share)

    def _dot(self, fld: str, position: int, others: np.ndarray) -> np.ndarray:
        """Per other case: the sum of IDF products over tokens of ``fld`` it shares
        with the focus (NaN when none: the SQL's unmatched join)."""
        idf = self.idf(fld)
        mine = self._token_rows[fld].row(position).astype(np.int64)
        if not len(mine) or not len(others):
            return np.full(len(others), np.nan)
        row_of, codes = self._token_rows[fld].gather(others)
        vec = np.zeros(len(idf))
        vec[mine] = idf[mine] * idf[mine]
        dot = np.bincount(row_of, weights=vec[codes], minlength=len(others))
        return np.where(dot > 0, dot, np.nan)

    # ------------------------------------------------------------------ sizes
    def sizes(self) -> IndexSizes:
        """Memory of the cached arrays."""
        columns = sum(g.nbytes for g in self._num.values()) + self._sex.nbytes
        columns += self._family.nbytes
        postings = self._grid.nbytes + self._by_value.nbytes + self._by_group.nbytes
        sparse = sum(r.nbytes for r in self._values.values())
        sparse += sum(r.nbytes for r in self._token_rows.values())
        sparse += sum(v.count.nbytes for v in [*self._vocab.values(), *self._tokens.values()])
        return IndexSizes(len(self), columns, postings, sparse)


def _below(positions: np.ndarray, before: int | None) -> np.ndarray:
    """The positions (ascending, as every posting list is) below ``before``."""
    if before is None:
        return positions
    return positions[: int(np.searchsorted(positions, before))]


def _columns_read(comparisons: Sequence[Comparison]) -> list[tuple[str, str]]:
    """Every (alias, column) the comparisons' formulas read, once each."""
    return sorted({k for c in comparisons for _, f in c.columns for k in columns_read(f)})


def scoring_problems(frame: pd.DataFrame, config: LinkageConfig) -> dict[str, list[str]]:
    """Why cases of ``frame`` cannot be compared: case_id -> reasons (cases with none left out).

    Every comparison needs the position, the start of the time window and
    the case type; without them a case has no place in the spatial index,
    the time filters or the case-type comparison.
    """
    pos = ["x", "y"] if config.geometry == "planar" else ["lat", "lon"]
    ids = frame["case_id"].astype(str)
    out: dict[str, list[str]] = {}
    for col in [*pos, "occurred_from", "case_type"]:
        if col not in frame.columns:
            for cid in ids:
                out.setdefault(cid, []).append(f"{col} is not a column (the model needs it)")
            continue
        values = frame[col]
        bad = values.isna()
        if col in pos:
            bad = bad | ~np.isfinite(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float))
        for cid in ids[bad.to_numpy()]:
            out.setdefault(cid, []).append(f"{col} is not recorded (the model needs it)")
    return out
