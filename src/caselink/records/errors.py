"""Errors for bad input: each names the file, row, column and value, all collected."""

from __future__ import annotations

from dataclasses import dataclass


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


class CaselinkError(Exception):
    """Base of every error caselink raises on purpose."""


class InvalidInputError(CaselinkError):
    """Input files failed validation; nothing was written.

    ``errors`` lists every problem found, not just the first.
    """

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "\n".join(f"  {e}" for e in errors[:50])
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(
            f"{len(errors)} invalid input error(s); nothing was imported:\n{shown}{more}"
        )
