"""Comparison formulas, written once, read two ways.

A comparison column (:mod:`caselink.linkage.comparisons`) is declared as a
:class:`Formula` over the two cases of a pair: the batch path renders it as
SQL (:meth:`Formula.sql`, run by DuckDB or Spark over every candidate pair,
:mod:`caselink.linkage.sqlgen`), and the one-case path evaluates the very
same tree on numpy arrays (:meth:`Formula.evaluate`, one new case against its
candidates, :class:`caselink.linkage.case_index.CaseIndex`). A new comparison
is declared once and both paths compute it; there is no second copy to keep
equal.

Operands are :class:`Col` references to a table alias and column, as the SQL
reads them: ``a``/``b`` (the two cases' rows of the ``cases`` table), ``s``
(values the two cases share: ``<attr>_shared``, ``<attr>_share``) and ``t``
(their shared text tokens: ``<field>_dot``). On arrays, SQL's NULL is NaN
(categories are compared as numeric codes, NaN when not recorded); a
condition that SQL finds NULL is false, as in a ``CASE WHEN``. ``LEAST`` and
``GREATEST`` skip NULLs, as they do in DuckDB, Spark and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Columns = Callable[[str, str], np.ndarray]
"""``columns(alias, name)``: the float array of a column (NaN for NULL),
broadcastable against the pairs (the focus case's ``a`` values may be scalars)."""


def quote(name: str) -> str:
    """A quoted SQL identifier (MO attribute names may be SQL keywords)."""
    return '"' + name.replace('"', '""') + '"'


class Formula:
    """A numeric expression over a pair's columns (NULL/NaN when unknown)."""

    def sql(self) -> str:
        """The expression in DuckDB SQL."""
        raise NotImplementedError

    def evaluate(self, columns: Columns) -> np.ndarray:
        """The expression on arrays (NaN where SQL gives NULL)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._eval(columns)

    def _eval(self, columns: Columns) -> np.ndarray:
        raise NotImplementedError

    def __add__(self, other: Formula | float) -> Formula:
        return Arith("+", self, lit(other))

    def __sub__(self, other: Formula | float) -> Formula:
        return Arith("-", self, lit(other))

    def __rsub__(self, other: float) -> Formula:
        return Arith("-", lit(other), self)

    def __mul__(self, other: Formula | float) -> Formula:
        return Arith("*", self, lit(other))

    def __rmul__(self, other: float) -> Formula:
        return Arith("*", lit(other), self)

    def __truediv__(self, other: Formula | float) -> Formula:
        return Arith("/", self, lit(other))

    def __neg__(self) -> Formula:
        return Func("-", (self,))


class Condition:
    """A condition of a ``CASE WHEN`` (NULL counts as false)."""

    def sql(self) -> str:
        """The condition in DuckDB SQL."""
        raise NotImplementedError

    def evaluate(self, columns: Columns) -> np.ndarray:
        """Boolean array: where the condition is true."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._eval(columns)

    def _eval(self, columns: Columns) -> np.ndarray:
        raise NotImplementedError

    def __or__(self, other: Condition) -> Condition:
        return Either(self, other)


@dataclass(frozen=True)
class Col(Formula):
    """Column ``name`` of table alias ``alias`` (``a``, ``b``, ``s`` or ``t``)."""

    alias: str
    name: str

    def sql(self) -> str:
        return f"{self.alias}.{quote(self.name)}"

    def _eval(self, columns: Columns) -> np.ndarray:
        return np.asarray(columns(self.alias, self.name), dtype=np.float64)


@dataclass(frozen=True)
class Lit(Formula):
    """A number (``None`` is SQL's NULL); ``double`` writes it as a DOUBLE literal
    that round-trips exactly (a plain decimal is a DECIMAL in DuckDB)."""

    value: float | int | None
    double: bool = False

    def sql(self) -> str:
        if self.value is None:
            return "NULL"
        return format(float(self.value), ".17e") if self.double else repr(self.value)

    def _eval(self, columns: Columns) -> np.ndarray:
        return np.asarray(np.nan if self.value is None else float(self.value))


NULL = Lit(None)


@dataclass(frozen=True)
class Sql(Formula):
    """A value already computed in SQL (a column of an outer query): SQL only."""

    text: str

    def sql(self) -> str:
        return f"({self.text})"

    def _eval(self, columns: Columns) -> np.ndarray:
        raise TypeError(f"{self.text!r} is SQL text; it has no value on arrays")


def lit(value: Formula | float) -> Formula:
    """``value`` as a formula (numbers become :class:`Lit`)."""
    return value if isinstance(value, Formula) else Lit(value)


_OPS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
}


@dataclass(frozen=True)
class Arith(Formula):
    """``left op right`` for op in ``+ - * /``."""

    op: str
    left: Formula
    right: Formula

    def sql(self) -> str:
        return f"({self.left.sql()} {self.op} {self.right.sql()})"

    def _eval(self, columns: Columns) -> np.ndarray:
        out: np.ndarray = _OPS[self.op](self.left._eval(columns), self.right._eval(columns))
        return out


def _power(x: np.ndarray, p: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.power(x, p)
    return out


_FUNCS: dict[str, Callable[..., np.ndarray]] = {
    "-": np.negative,
    "ABS": np.abs,
    "SQRT": np.sqrt,
    "SIN": np.sin,
    "COS": np.cos,
    "ASIN": np.arcsin,
    "RADIANS": np.radians,
    "LN": np.log,
    "EXP": np.exp,
    "POWER": _power,
    "LEAST": np.fmin,
    "GREATEST": np.fmax,
}


@dataclass(frozen=True)
class Func(Formula):
    """A SQL function (or unary minus) applied to formulas."""

    name: str
    args: tuple[Formula, ...]

    def sql(self) -> str:
        if self.name == "-":
            return f"(-{self.args[0].sql()})"
        return f"{self.name}({', '.join(a.sql() for a in self.args)})"

    def _eval(self, columns: Columns) -> np.ndarray:
        out: np.ndarray = _FUNCS[self.name](*(a._eval(columns) for a in self.args))
        return out


def fn(name: str, *args: Formula | float) -> Formula:
    """``name(args...)``, a function of :data:`_FUNCS` (ABS, SQRT, LN, LEAST, ...)."""
    if name not in _FUNCS or name == "-":
        raise ValueError(f"no formula function {name!r}; known: {sorted(_FUNCS)[1:]}")
    return Func(name, tuple(lit(a) for a in args))


@dataclass(frozen=True)
class Coalesce(Formula):
    """``COALESCE(value, otherwise)``."""

    value: Formula
    otherwise: Formula

    def sql(self) -> str:
        return f"COALESCE({self.value.sql()}, {self.otherwise.sql()})"

    def _eval(self, columns: Columns) -> np.ndarray:
        v = self.value._eval(columns)
        out: np.ndarray = np.where(np.isnan(v), self.otherwise._eval(columns), v)
        return out


@dataclass(frozen=True)
class Double(Formula):
    """``CAST(value AS DOUBLE)`` (counts are integers in SQL)."""

    value: Formula

    def sql(self) -> str:
        return f"CAST({self.value.sql()} AS DOUBLE)"

    def _eval(self, columns: Columns) -> np.ndarray:
        return self.value._eval(columns)


@dataclass(frozen=True)
class IsNull(Condition):
    """``value IS NULL``."""

    value: Formula

    def sql(self) -> str:
        return f"{self.value.sql()} IS NULL"

    def _eval(self, columns: Columns) -> np.ndarray:
        out: np.ndarray = np.isnan(self.value._eval(columns))
        return out


_COMPARE: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "=": np.equal,
    "<>": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


@dataclass(frozen=True)
class Compare(Condition):
    """``left op right`` for op in ``= <> < <= > >=`` (false when either is NULL)."""

    op: str
    left: Formula
    right: Formula

    def sql(self) -> str:
        return f"{self.left.sql()} {self.op} {self.right.sql()}"

    def _eval(self, columns: Columns) -> np.ndarray:
        x, y = self.left._eval(columns), self.right._eval(columns)
        out: np.ndarray = _COMPARE[self.op](x, y) & ~np.isnan(x) & ~np.isnan(y)
        return out


def eq(left: Formula, right: Formula | float) -> Condition:
    """``left = right``."""
    return Compare("=", left, lit(right))


@dataclass(frozen=True)
class Either(Condition):
    """``first OR second``."""

    first: Condition
    second: Condition

    def sql(self) -> str:
        return f"({self.first.sql()} OR {self.second.sql()})"

    def _eval(self, columns: Columns) -> np.ndarray:
        out: np.ndarray = self.first._eval(columns) | self.second._eval(columns)
        return out


@dataclass(frozen=True)
class Case(Formula):
    """``CASE WHEN c1 THEN v1 ... ELSE otherwise END`` (first true condition wins)."""

    whens: tuple[tuple[Condition, Formula], ...]
    otherwise: Formula = NULL

    def sql(self) -> str:
        parts = " ".join(f"WHEN {c.sql()} THEN {v.sql()}" for c, v in self.whens)
        return f"CASE {parts} ELSE {self.otherwise.sql()} END"

    def _eval(self, columns: Columns) -> np.ndarray:
        out = self.otherwise._eval(columns)
        for cond, value in reversed(self.whens):
            out = np.where(cond._eval(columns), value._eval(columns), out)
        result: np.ndarray = np.asarray(out, dtype=np.float64)
        return result


def when(
    *whens: tuple[Condition, Formula | float], otherwise: Formula | float | None = None
) -> Case:
    """``CASE WHEN ... END`` from (condition, value) pairs."""
    return Case(tuple((c, lit(v)) for c, v in whens), NULL if otherwise is None else lit(otherwise))


def columns_read(formula: Formula | Condition) -> set[tuple[str, str]]:
    """Every (alias, column) a formula reads."""
    if isinstance(formula, Col):
        return {(formula.alias, formula.name)}
    out: set[tuple[str, str]] = set()
    for value in vars(formula).values():
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            parts = item if isinstance(item, tuple) else (item,)
            for part in parts:
                if isinstance(part, Formula | Condition):
                    out |= columns_read(part)
    return out
