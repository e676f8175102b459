"""The open CSV interchange format: reading (with every error collected) and writing.

See ``docs/format.md``. Reading returns validated records plus the errors of
the rows that failed; callers decide whether any error aborts the import.
Writing produces the canonical form, which reads back to identical records.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from caselink.records.errors import InvalidInputError, ResourceLimitError, RowError
from caselink.records.model import (
    Action,
    AttributeKind,
    AttributeSchema,
    AttributeSpec,
    Case,
    Mention,
)
from caselink.records.names import check_attribute_names, too_many_attributes
from caselink.records.schema_file import infer_kind

CASE_REQUIRED = ("case_id", "case_type", "occurred_from", "lat", "lon")
CASE_OPTIONAL = (
    "occurred_to",
    "reported_at",
    "victim_age",
    "victim_sex",
    "victim_group",
    "status",
    "offender_id",
    "narrative",
    "force",
)
PEOPLE_REQUIRED = ("case_id", "role")
PEOPLE_OPTIONAL = (
    "name",
    "dob",
    "sex",
    "address",
    "postcode",
    "phone",
    "vehicle",
    "address_lat",
    "address_lon",
)
PEOPLE_NAME_PARTS = ("given_name", "surname")
"""Optional people.csv columns for a name recorded in parts (beside or instead of ``name``).

Written on export only when some mention records them, so files without
them round-trip byte for byte.
"""
ACTIONS_REQUIRED = ("case_id", "action", "status")
ACTIONS_OPTIONAL = ("raised_at", "completed_at", "note")
MULTI_SEPARATOR = "|"

MAX_FIELD_CHARS = 1_000_000
"""Longest cell read (characters); a longer one is refused naming its row and column."""
MAX_COLUMNS = 1_000
"""Most columns a header may have (every MO attribute is bounded apart, see names.py)."""
MAX_ATTRIBUTE_VALUE_BYTES = 2_000
"""Longest MO attribute value (UTF-8 bytes): values are indexed, and index entries are bounded."""

csv.field_size_limit(16 * MAX_FIELD_CHARS)

R = TypeVar("R", bound=BaseModel)


@dataclass
class Parsed(Generic[R]):
    """Validated records of one file, with their 1-based row numbers and the rejects."""

    file: str
    records: list[R] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rejected: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    """(row number, raw row) of every row that failed."""
    columns: list[str] = field(default_factory=list)
    """The file's header: which columns it gives (others are left as stored on update)."""

    def reject(self, row: int, raw: dict[str, str], errors: list[RowError]) -> None:
        """Record a row as failed with its errors."""
        self.errors.extend(errors)
        self.rejected.append((row, raw))


def read_table(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Open a CSV file strictly: UTF-8 (BOM allowed), a header, no duplicate columns.

    Raises
    ------
    InvalidInputError
        For an unreadable, wrongly encoded, empty or header-less file.
    """
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError([RowError(name, 0, "", "", f"cannot read file: {exc}")]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.end].hex()
        raise InvalidInputError(
            [
                RowError(
                    name,
                    max(line - 1, 0),
                    _column_at(raw, exc.start),
                    f"0x{bad}",
                    f"not UTF-8 text (byte offset {exc.start}, line {line}); "
                    "save the file as UTF-8",
                )
            ]
        ) from exc
    if not text.strip():
        raise InvalidInputError([RowError(name, 0, "", "", "the file is empty (no header row)")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise InvalidInputError([RowError(name, 0, "", "", f"unreadable header: {exc}")]) from exc
    if len(header) > MAX_COLUMNS:
        raise ResourceLimitError(
            [RowError(name, 0, "", str(len(header)), f"more than {MAX_COLUMNS:,} columns")]
        )
    counts = Counter(header)
    dupes = sorted(h for h, n in counts.items() if n > 1)
    if dupes:
        raise InvalidInputError(
            [RowError(name, 0, d, d, "column appears more than once in the header") for d in dupes]
        )
    if any(not h for h in header):
        raise InvalidInputError([RowError(name, 0, "", "", "the header has an empty column name")])

    def numbered() -> Iterator[tuple[int, list[str]]]:
        number = 0
        while True:
            number += 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                why = str(exc)
                if "field larger than field limit" in why:
                    why = f"a value is longer than {MAX_FIELD_CHARS:,} characters"
                raise InvalidInputError(
                    [RowError(name, number, "", "", f"unreadable CSV row: {why}")]
                ) from None
            yield number, values

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for number, values in numbered():
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != len(header):
                values = values + [""] * (len(header) - len(values))
                if len(values) > len(header):
                    yield number, {"__extra__": ",".join(values[len(header) :])}
                    continue
            row = dict(zip(header, values, strict=True))
            for col, value in row.items():
                if len(value) > MAX_FIELD_CHARS:
                    raise ResourceLimitError(
                        [
                            RowError(
                                name,
                                number,
                                col,
                                value[:40] + "...",
                                f"value is longer than {MAX_FIELD_CHARS:,} characters",
                            )
                        ]
                    )
            yield number, row

    return header, rows()


def _column_at(raw: bytes, offset: int) -> str:
    """The header column of the cell holding byte ``offset`` ("" when it cannot be told)."""
    start = raw.rfind(b"\n", 0, offset) + 1
    if start == 0:
        return ""  # the bad byte is in the header itself
    header_end = raw.find(b"\n")
    header_text = raw[:header_end].decode("utf-8-sig", errors="replace")
    try:
        header = next(csv.reader([header_text]), [])
        before = raw[start:offset].decode("utf-8", errors="replace")
        cells = next(csv.reader([before]), [""])
    except csv.Error:
        return ""
    index = max(len(cells) - 1, 0)
    return header[index].strip() if index < len(header) else ""


def _missing_columns(name: str, header: Sequence[str], required: Sequence[str]) -> list[RowError]:
    return [
        RowError(name, 0, col, "", "required column is missing from the header")
        for col in required
        if col not in header
    ]


def _blank(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def parse_time(value: str) -> datetime:
    """An ISO 8601 date or date-time; with an offset it is converted to naive UTC."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _finite_float(value: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


def _whole(value: str) -> int:
    number = float(value)
    if not number.is_integer():
        raise ValueError("not a whole number")
    return int(number)


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "time": parse_time,
    "date": date.fromisoformat,
    "float": _finite_float,
    "int": _whole,
    "str": str,
}
_EXPECTED = {
    "time": "an ISO 8601 date-time (e.g. 2014-06-19T05:30:00)",
    "date": "an ISO 8601 date (e.g. 1991-04-02)",
    "float": "a decimal number",
    "int": "a whole number",
    "str": "text",
}


def _convert(
    row: int, name: str, raw: dict[str, str], fields: dict[str, str]
) -> tuple[dict[str, Any], list[RowError]]:
    """Convert raw strings to typed values by field kind, collecting conversion errors."""
    out: dict[str, Any] = {}
    errors: list[RowError] = []
    for col, kind in fields.items():
        value = raw.get(col)
        if not value or not (value := value.strip()):
            continue
        try:
            out[col] = _CONVERTERS[kind](value)
        except ValueError as exc:
            errors.append(RowError(name, row, col, value, f"expected {_EXPECTED[kind]} ({exc})"))
    return out, errors


def _has_extra_values(parsed: Parsed[Any], number: int, raw: dict[str, str]) -> bool:
    """Reject (and say so) a row with more values than the header has columns."""
    if "__extra__" not in raw:
        return False
    error = RowError(parsed.file, number, "", raw["__extra__"], "more values than columns")
    parsed.reject(number, raw, [error])
    return True


def _failed(errors: list[RowError]) -> set[str]:
    return {e.column for e in errors}


def _validate(
    model: type[R],
    row: int,
    name: str,
    data: dict[str, Any],
    already_failed: set[str],
    raw: dict[str, str],
) -> tuple[R | None, list[RowError]]:
    """Validate a converted row, skipping errors on columns whose conversion already failed."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc = [str(p) for p in err["loc"]]
            col = loc[0] if loc else ""
            if col == "attributes" and len(loc) > 1:
                col = loc[1]
            if col in already_failed:
                continue
            if err["type"] == "missing":
                errors.append(RowError(name, row, col, "", "a value is required"))
                continue
            value = data.get(loc[0], "") if loc else ""
            if not loc:  # model-level rule: name the fields it concerns
                msg = err["msg"].removeprefix("Value error, ")
                col = "occurred_to" if "occurred_to" in msg else col
                value = data.get(col, "") if col else ""
                errors.append(RowError(name, row, col, raw.get(col, _show(value)).strip(), msg))
                continue
            msg = err["msg"].removeprefix("Value error, ")
            errors.append(RowError(name, row, col, raw.get(col, _show(value)).strip(), msg))
        return None, errors


def _show(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else str(value)


_CASE_FIELDS = {
    "case_id": "str",
    "case_type": "str",
    "occurred_from": "time",
    "occurred_to": "time",
    "reported_at": "time",
    "lat": "float",
    "lon": "float",
    "victim_age": "int",
    "victim_sex": "str",
    "victim_group": "str",
    "status": "str",
    "offender_id": "str",
    "narrative": "str",
    "force": "str",
}
_PEOPLE_FIELDS = {
    "case_id": "str",
    "role": "str",
    "name": "str",
    "dob": "date",
    "sex": "str",
    "address": "str",
    "postcode": "str",
    "phone": "str",
    "vehicle": "str",
    "address_lat": "float",
    "address_lon": "float",
    "given_name": "str",
    "surname": "str",
}
_ACTION_FIELDS = {
    "case_id": "str",
    "action": "str",
    "status": "str",
    "raised_at": "time",
    "completed_at": "time",
    "note": "str",
}


def attribute_columns(header: Sequence[str]) -> list[str]:
    """The MO attribute columns of a cases header: every non-standard column."""
    standard = set(CASE_REQUIRED) | set(CASE_OPTIONAL)
    return [h for h in header if h not in standard]


def read_cases(
    path: Path,
    schema: AttributeSchema | None = None,
    stored_attributes: Sequence[str] = (),
) -> tuple[Parsed[Case], AttributeSchema, list[str]]:
    """Read and validate cases.csv.

    Returns the parsed file, the attribute schema used (given, or inferred and
    then listed in the third value as human-readable inference notes).
    ``stored_attributes`` are the store's attribute names: a column may not
    differ from one of them only in letter case.
    """
    name = path.name
    header, rows = read_table(path)
    missing = _missing_columns(name, header, CASE_REQUIRED)
    if missing:
        raise InvalidInputError(missing)
    attr_cols = attribute_columns(header)
    too_many = too_many_attributes(attr_cols, name, stored_attributes)
    if too_many is not None:
        raise ResourceLimitError([too_many])
    bad_names = check_attribute_names(attr_cols, name, stored_attributes)
    if bad_names:
        raise InvalidInputError(bad_names)
    materialised = list(rows)
    notes: list[str] = []
    if schema is None:
        specs = []
        for col in attr_cols:
            kind = infer_kind([r.get(col, "") for _, r in materialised])
            specs.append(AttributeSpec(name=col, kind=kind))
            notes.append(f"{col}: inferred {kind.value}")
        schema = AttributeSchema(attributes=tuple(specs))
    else:
        undeclared = [c for c in attr_cols if c not in schema.names()]
        if undeclared:
            raise InvalidInputError(
                [
                    RowError(name, 0, c, c, "column is not a case field and not in the schema file")
                    for c in undeclared
                ]
            )
    parsed: Parsed[Case] = Parsed(file=name, columns=list(header))
    seen: dict[str, int] = {}
    for number, raw in materialised:
        if _has_extra_values(parsed, number, raw):
            continue
        data, errors = _convert(number, name, raw, _CASE_FIELDS)
        attrs: dict[str, Any] = {}
        for spec in schema.attributes:
            value = _blank(raw.get(spec.name))
            if value is None:
                continue
            if len(value.encode("utf-8")) > MAX_ATTRIBUTE_VALUE_BYTES:
                errors.append(
                    RowError(
                        name,
                        number,
                        spec.name,
                        value[:40] + "...",
                        f"MO value is longer than {MAX_ATTRIBUTE_VALUE_BYTES:,} bytes",
                    )
                )
                continue
            if spec.kind is AttributeKind.NUMERIC:
                try:
                    attrs[spec.name] = float(value)
                except ValueError:
                    errors.append(
                        RowError(
                            name, number, spec.name, value, "expected a number (numeric attribute)"
                        )
                    )
            elif spec.kind is AttributeKind.MULTI:
                attrs[spec.name] = [v.strip() for v in value.split(MULTI_SEPARATOR) if v.strip()]
            else:
                attrs[spec.name] = value
        data["attributes"] = attrs
        case_id = data.get("case_id")
        if case_id is not None:
            if case_id in seen:
                errors.append(
                    RowError(
                        name,
                        number,
                        "case_id",
                        case_id,
                        f"duplicate case_id (first at row {seen[case_id]})",
                    )
                )
            else:
                seen[case_id] = number
        record, more = _validate(Case, number, name, data, _failed(errors), raw)
        errors += more
        if errors or record is None:
            parsed.reject(number, raw, errors)
            continue
        parsed.records.append(record)
        parsed.rows.append(number)
    return parsed, schema, notes


def read_people(path: Path) -> Parsed[Mention]:
    """Read and validate people.csv (one person mention per row)."""
    return _read_simple(path, Mention, PEOPLE_REQUIRED, _PEOPLE_FIELDS)


def read_actions(path: Path) -> Parsed[Action]:
    """Read and validate actions.csv (one investigative action per row)."""
    return _read_simple(path, Action, ACTIONS_REQUIRED, _ACTION_FIELDS)


def _read_simple(
    path: Path, model: type[R], required: Sequence[str], fields: dict[str, str]
) -> Parsed[R]:
    name = path.name
    header, rows = read_table(path)
    missing = _missing_columns(name, header, required)
    unknown = [h for h in header if h not in fields]
    if missing or unknown:
        raise InvalidInputError(
            missing
            + [
                RowError(name, 0, c, c, f"unknown column (allowed: {', '.join(fields)})")
                for c in unknown
            ]
        )
    parsed: Parsed[R] = Parsed(file=name, columns=list(header))
    for number, raw in rows:
        if _has_extra_values(parsed, number, raw):
            continue
        data, errors = _convert(number, name, raw, fields)
        record, more = _validate(model, number, name, data, _failed(errors), raw)
        errors += more
        if errors or record is None:
            parsed.reject(number, raw, errors)
            continue
        parsed.records.append(record)
        parsed.rows.append(number)
    return parsed


# ---------------------------------------------------------------- writing


def format_time(value: datetime | None) -> str:
    """Canonical ISO 8601: ``YYYY-MM-DDTHH:MM:SS`` (naive UTC, seconds always)."""
    return "" if value is None else value.strftime("%Y-%m-%dT%H:%M:%S")


def format_number(value: float | int | None) -> str:
    """Canonical number: whole numbers without a decimal point, others in shortest repr."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def case_row(case: Case, schema: AttributeSchema, force: bool = False) -> list[str]:
    """The canonical cases.csv row of a case (with its force column when ``force``)."""
    cells = [
        case.case_id,
        case.case_type,
        format_time(case.occurred_from),
        format_time(case.occurred_to),
        format_time(case.reported_at),
        format_number(case.lat),
        format_number(case.lon),
        format_number(case.victim_age),
        case.victim_sex or "",
        case.victim_group or "",
        case.status or "",
        case.offender_id or "",
        case.narrative or "",
    ]
    if force:
        cells.append(case.force or "")
    for spec in schema.attributes:
        value = case.attributes.get(spec.name)
        if value is None:
            cells.append("")
        elif spec.kind is AttributeKind.MULTI:
            cells.append(MULTI_SEPARATOR.join(value))
        elif spec.kind is AttributeKind.NUMERIC:
            cells.append(format_number(float(value)))
        else:
            cells.append(str(value))
    return cells


def mention_row(m: Mention, name_parts: bool = False) -> list[str]:
    """The canonical people.csv row of a mention (with :data:`PEOPLE_NAME_PARTS` if asked)."""
    parts = [m.given_name or "", m.surname or ""] if name_parts else []
    return [
        m.case_id,
        m.role,
        m.name or "",
        m.dob.isoformat() if m.dob else "",
        m.sex or "",
        m.address or "",
        m.postcode or "",
        m.phone or "",
        m.vehicle or "",
        format_number(m.address_lat),
        format_number(m.address_lon),
        *parts,
    ]


def action_row(a: Action) -> list[str]:
    """The canonical actions.csv row of an action."""
    return [
        a.case_id,
        a.action,
        a.status,
        format_time(a.raised_at),
        format_time(a.completed_at),
        a.note or "",
    ]


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[str]] | Iterator[list[str]]
) -> None:
    """Write a UTF-8 CSV with ``\\n`` line ends and minimal quoting.

    A row holding a carriage return is written with every cell quoted (Python
    3.11's minimal quoting leaves a lone ``\\r`` bare, which splits the row
    when read back).
    """
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        quoted = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        for row in rows:
            (quoted if any("\r" in cell for cell in row) else writer).writerow(row)


def cases_header(schema: AttributeSchema, force: bool = False) -> list[str]:
    """The canonical cases.csv header for a schema (``force`` only when a case has one)."""
    return [
        *CASE_REQUIRED[:3],
        *CASE_OPTIONAL[:2],
        *CASE_REQUIRED[3:],
        *(c for c in CASE_OPTIONAL[2:] if force or c != "force"),
        *schema.names(),
    ]


PEOPLE_HEADER = [*PEOPLE_REQUIRED, *PEOPLE_OPTIONAL]
ACTIONS_HEADER = [*ACTIONS_REQUIRED, *ACTIONS_OPTIONAL]
