"""Errors caselink raises on purpose: one tree, one shape.

Every error derives from :class:`CaselinkError` and renders to one shape,
:meth:`CaselinkError.to_dict` (``code, message, file, row, field, value`` and,
for input errors, the list of every problem found), which each front door (the
CLI, a web app) renders in one place. Bad input names the file, row, field and
value and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

MAX_SHOWN_ERRORS = 50
"""How many row errors a message lists before saying how many more there are."""


@dataclass(frozen=True)
class RowError:
    """One problem in one cell (or one row, or a whole file when ``row`` is 0)."""

    file: str
    row: int
    """1-based data row number (the header is not counted); 0 for a whole-file problem."""
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}" if self.row == 0 else f"{self.file} row {self.row}"
        col = f", column {self.column}" if self.column else ""
        val = f", value {self.value!r}" if self.value != "" or self.column else ""
        return f"{where}{col}{val}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """``file, row, field, value, message`` (the shape of one problem)."""
        return {
            "file": self.file,
            "row": self.row,
            "field": self.column,
            "value": self.value,
            "message": self.message,
        }


class CaselinkError(Exception):
    """Base of every error caselink raises on purpose.

    Parameters
    ----------
    message
        What went wrong and, when it helps, what to do.
    file, row, field, value
        Where: the file (or store, or option), the 1-based data row (0: none),
        the field or column, and the offending value.
    """

    code = "error"
    """A stable machine-readable name of the kind of error."""

    def __init__(
        self,
        message: str = "",
        *,
        file: str = "",
        row: int = 0,
        field: str = "",
        value: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        self.value = value

    def to_dict(self) -> dict[str, Any]:
        """The one error shape: ``code, message, file, row, field, value, errors``."""
        return {
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "value": self.value,
            "errors": [],
        }


class InputError(CaselinkError, ValueError):
    """Input (a file, a value, an option) failed validation; nothing was written."""

    code = "invalid_input"


@contextmanager
def input_errors() -> Iterator[None]:
    """Report a library ``ValueError`` raised inside as an :class:`InputError`.

    How a front door's call into the library maps bad input onto the one error
    tree: a :class:`CaselinkError` passes unchanged, any other ``ValueError``
    becomes an ``InputError`` with the same message.
    """
    try:
        yield
    except CaselinkError:
        raise
    except ValueError as exc:
        raise InputError(str(exc)) from None


class MissingColumnsError(InputError):
    """A frame or file lacks columns its contract requires (``field`` names the first)."""

    code = "missing_columns"


class InvalidInputError(InputError):
    """Input files failed validation; nothing was written.

    ``errors`` lists every problem found, not just the first; the first one
    fills ``file, row, field, value``.
    """

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "\n".join(f"  {e}" for e in errors[:MAX_SHOWN_ERRORS])
        extra = len(errors) - MAX_SHOWN_ERRORS
        more = f"\n  ... and {extra} more" if extra > 0 else ""
        first = errors[0] if errors else RowError("", 0, "", "", "")
        super().__init__(
            f"{len(errors)} invalid input error(s); nothing was imported:\n{shown}{more}",
            file=first.file,
            row=first.row,
            field=first.column,
            value=first.value,
        )

    def to_dict(self) -> dict[str, Any]:
        """The error shape, with every problem under ``errors``."""
        out = super().to_dict()
        out["errors"] = [e.to_dict() for e in self.errors]
        return out


class ResourceLimitError(InvalidInputError):
    """Input larger than a documented bound (field size, columns, YAML nodes)."""

    code = "resource_exhausted"


class NotFoundError(CaselinkError, LookupError):
    """A named thing (store, case, alert, file) does not exist."""

    code = "not_found"


class StoreNotFoundError(NotFoundError):
    """The store named by ``--db`` does not exist (only import/add/demo create one)."""


class ConflictError(CaselinkError):
    """The request contradicts what is stored (e.g. a row that belongs to another case)."""

    code = "conflict"


class ModelMismatchError(CaselinkError, ValueError):
    """A model does not fit this store (other attributes, other rules) or cannot be read."""

    code = "model_mismatch"


class StoreBusyError(CaselinkError):
    """Another process holds the store's write lock beyond the busy timeout."""

    code = "store_busy"


class NotScorableError(InputError):
    """Cases the linkage model cannot compare (no position, no time, no case type, ...).

    ``reasons`` maps each case_id to every reason it cannot be scored, so
    that a caller stores or shows them per case without reading the message.
    """

    code = "not_scorable"

    def __init__(self, reasons: Mapping[str, Sequence[str]]) -> None:
        self.reasons: dict[str, list[str]] = {c: list(r) for c, r in reasons.items()}
        shown = "; ".join(self.note(c) for c in list(self.reasons)[:MAX_SHOWN_ERRORS])
        extra = len(self.reasons) - MAX_SHOWN_ERRORS
        more = f"; ... and {extra} more case(s)" if extra > 0 else ""
        first = next(iter(self.reasons), "")
        super().__init__(
            f"{len(self.reasons)} case(s) cannot be scored: {shown}{more}",
            field="case_id",
            value=first,
        )

    def note(self, case_id: str) -> str:
        """The reasons of one case as one line (``case 'C1': lat is not recorded ...``)."""
        return scoring_note(case_id, self.reasons.get(case_id, []))

    def to_dict(self) -> dict[str, Any]:
        """The error shape, with one entry per case and reason under ``errors``."""
        out = super().to_dict()
        out["errors"] = [
            RowError("", 0, "case_id", cid, why).to_dict()
            for cid, whys in self.reasons.items()
            for why in whys
        ]
        return out


def scoring_note(case_id: str, reasons: Sequence[str]) -> str:
    """Reasons a case cannot be scored, as the one line stored with it."""
    return "; ".join(f"case {case_id!r}: {why}" for why in reasons)
