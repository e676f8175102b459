"""Bulk import of the open CSV format into the store, in one transaction.

Every row is validated first; unless ``skip_invalid`` is given, any error
aborts the import before anything is written. Re-importing the same files is
idempotent: cases are upserted by ``case_id`` and a case's mentions and
imported actions are replaced, not duplicated.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, delete, func, insert, select, update

from caselink.records.csv_format import (
    CASE_OPTIONAL,
    Parsed,
    read_actions,
    read_cases,
    read_people,
)
from caselink.records.errors import InvalidInputError, RowError
from caselink.records.model import Action, AttributeKind, AttributeSchema, Case, Mention
from caselink.records.names import check_attribute_names
from caselink.records.outputs import atomic_output, spreadsheet_safe
from caselink.records.schema_file import load_schema
from caselink.store.tables import (
    ActionRow,
    AttributeDef,
    CaseAttribute,
    CaseRow,
    MentionRow,
)

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called as an import advances."""

CHUNK = 5_000
SQLITE_PARAMETERS = 30_000
"""Bound values per SQLite statement in :func:`bulk_insert` (SQLite allows
32,766 since 3.32)."""


@dataclass
class ImportReport:
    """What an import did."""

    cases_inserted: int = 0
    cases_updated: int = 0
    mentions: int = 0
    actions: int = 0
    rejected: list[RowError] = field(default_factory=list)
    schema_notes: list[str] = field(default_factory=list)
    case_ids: list[str] = field(default_factory=list)
    """The case ids written by this import, in file order."""


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def validate_files(
    cases: Path,
    people: Path | None,
    actions: Path | None,
    schema: Path | None,
    known_case_ids: set[str],
    stored_schema: AttributeSchema,
) -> tuple[Parsed[Case], Parsed[Mention] | None, Parsed[Action] | None, AttributeSchema, list[str]]:
    """Read and validate every file; cross-check case references and schema."""
    given = load_schema(schema) if schema is not None else None
    stored_names = stored_schema.names()
    if given is not None:
        twins = check_attribute_names(given.names(), schema.name if schema else "", stored_names)
        if twins:
            raise InvalidInputError(twins)
    if given is None and stored_schema.attributes:
        parsed_cases, used, notes = read_cases(
            cases, _merge_for_reading(stored_schema, cases), stored_names
        )
    else:
        parsed_cases, used, notes = read_cases(cases, given, stored_names)
    conflicts = _schema_conflicts(cases.name, stored_schema, used)
    if conflicts:
        raise InvalidInputError(conflicts)
    valid_ids = known_case_ids | {c.case_id for c in parsed_cases.records}
    rejected_ids = {raw.get("case_id", "").strip() for _, raw in parsed_cases.rejected}
    parsed_people = read_people(people) if people is not None else None
    parsed_actions = read_actions(actions) if actions is not None else None
    for parsed in (parsed_people, parsed_actions):
        if parsed is not None:
            _check_references(parsed, valid_ids, rejected_ids)
    return parsed_cases, parsed_people, parsed_actions, used, notes


def _merge_for_reading(stored: AttributeSchema, cases: Path) -> AttributeSchema | None:
    """Use the stored kinds for known columns; infer only new ones (None = infer all)."""
    from caselink.records.csv_format import attribute_columns, read_table

    header, _ = read_table(cases)
    columns = attribute_columns(header)
    if any(c not in stored.names() for c in columns):
        return None
    return AttributeSchema(attributes=tuple(a for a in stored.attributes if a.name in columns))


def _schema_conflicts(file: str, stored: AttributeSchema, used: AttributeSchema) -> list[RowError]:
    errors = []
    for spec in used.attributes:
        if spec.name in stored.names() and stored.kind_of(spec.name) is not spec.kind:
            errors.append(
                RowError(
                    file,
                    0,
                    spec.name,
                    spec.kind.value,
                    f"attribute is stored as {stored.kind_of(spec.name).value}; "
                    "give a schema file that keeps its kind",
                )
            )
    return errors


def _check_references(parsed: Parsed[Any], valid: set[str], rejected: set[str]) -> None:
    keep_records, keep_rows = [], []
    for record, row in zip(parsed.records, parsed.rows, strict=True):
        if record.case_id in valid:
            keep_records.append(record)
            keep_rows.append(row)
            continue
        why = (
            "refers to a case whose row was rejected"
            if record.case_id in rejected
            else "unknown case_id: not in the cases file nor in the store"
        )
        parsed.reject(
            row,
            {"case_id": record.case_id},
            [RowError(parsed.file, row, "case_id", record.case_id, why)],
        )
    parsed.records, parsed.rows = keep_records, keep_rows


def keep_stored_values(
    parsed: Parsed[Case], stored: Mapping[str, Case], schema: AttributeSchema
) -> None:
    """Fill the columns a cases file does not give from the stored cases, in place.

    A correction file may carry only some columns (e.g. the required ones and
    ``status``); the fields and MO attributes it does not have keep their
    stored values. The merged case is validated again (a stored ``occurred_to``
    must still not be before a new ``occurred_from``); a row that fails is
    rejected with its error.
    """
    given = set(parsed.columns)
    keep_fields = [f for f in CASE_OPTIONAL if f not in given]
    keep_attrs = [a for a in schema.names() if a not in given]
    if not keep_fields and not keep_attrs:
        return
    records, rows = [], []
    for record, row in zip(parsed.records, parsed.rows, strict=True):
        old = stored.get(record.case_id)
        if old is None:
            records.append(record)
            rows.append(row)
            continue
        data = record.model_dump()
        for f in keep_fields:
            data[f] = getattr(old, f)
        attrs = dict(record.attributes)
        for a in keep_attrs:
            if old.attributes.get(a) is not None:
                attrs[a] = old.attributes[a]
        data["attributes"] = attrs
        try:
            records.append(Case.model_validate(data))
            rows.append(row)
        except ValidationError as exc:
            message = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
            parsed.reject(
                row,
                {"case_id": record.case_id},
                [
                    RowError(
                        parsed.file,
                        row,
                        "",
                        record.case_id,
                        f"with the stored values of the columns this file lacks: {message}",
                    )
                ],
            )
    parsed.records, parsed.rows = records, rows


def write_rejects(path: Path, errors: Sequence[RowError]) -> None:
    """Write rejected rows with their reasons: ``file,row,column,value,error``."""
    with atomic_output(path) as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["file", "row", "column", "value", "error"])
        for e in errors:
            writer.writerow([e.file, e.row, e.column, spreadsheet_safe(e.value), e.message])


def write_records(
    conn: Connection,
    cases: Sequence[Case],
    mentions: Sequence[Mention],
    actions: Sequence[Action],
    schema: AttributeSchema,
    progress: Progress = _no_progress,
) -> ImportReport:
    """Upsert cases and replace their mentions and imported actions, on ``conn``."""
    report = ImportReport()
    _store_schema(conn, schema)
    existing: dict[str, int] = dict(conn.execute(select(CaseRow.case_id, CaseRow.pk)).all())
    next_seq = (conn.execute(select(func.max(CaseRow.import_seq))).scalar() or 0) + 1
    inserts, updates = [], []
    for case in cases:
        row = _case_values(case)
        if case.case_id in existing:
            row["pk_"] = existing[case.case_id]
            updates.append(row)
        else:
            row["import_seq"] = next_seq
            next_seq += 1
            inserts.append(row)
    total = len(cases) + len(mentions) + len(actions)
    done = 0
    for chunk in _chunks(inserts):
        bulk_insert(conn, CaseRow, chunk)
        done += len(chunk)
        progress("cases", done, total)
    if updates:
        columns = [k for k in updates[0] if k != "pk_"]
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        quote = conn.dialect.identifier_preparer.quote
        sets = ", ".join(
            # a file without a force column never takes away a force given before
            f"{quote(c)} = COALESCE({mark}, {quote(c)})" if c == "force" else f"{quote(c)} = {mark}"
            for c in columns
        )
        sql = f"UPDATE cases SET {sets} WHERE pk = {mark}"
        for chunk in _chunks(updates):
            conn.exec_driver_sql(sql, [(*(r[c] for c in columns), r["pk_"]) for r in chunk])
            done += len(chunk)
            progress("cases", done, total)
    pk_of: dict[str, int] = dict(conn.execute(select(CaseRow.case_id, CaseRow.pk)).all())
    written_pks = [pk_of[c.case_id] for c in cases]
    for chunk in _chunks(written_pks):
        conn.execute(delete(CaseAttribute).where(CaseAttribute.case_pk.in_(chunk)))
    attr_rows = [r for c in cases for r in _attribute_rows(pk_of[c.case_id], c, schema)]
    bulk_insert(conn, CaseAttribute, attr_rows)
    report.cases_inserted, report.cases_updated = len(inserts), len(updates)
    report.case_ids = [c.case_id for c in cases]

    mention_cases = sorted({pk_of[m.case_id] for m in mentions})
    for chunk in _chunks(mention_cases):
        conn.execute(delete(MentionRow).where(MentionRow.case_pk.in_(chunk)))
    seq = (conn.execute(select(func.max(MentionRow.seq))).scalar() or 0) + 1
    rows = []
    for i, m in enumerate(mentions):
        values = m.model_dump(exclude={"case_id"})
        values.update(case_pk=pk_of[m.case_id], seq=seq + i)
        rows.append(values)
    for chunk in _chunks(rows):
        bulk_insert(conn, MentionRow, chunk)
        done += len(chunk)
        progress("people", done, total)
    report.mentions = len(rows)

    action_cases = sorted({pk_of[a.case_id] for a in actions})
    for chunk in _chunks(action_cases):
        conn.execute(
            delete(ActionRow).where(ActionRow.case_pk.in_(chunk), ActionRow.source == "import")
        )
    seq = (conn.execute(select(func.max(ActionRow.seq))).scalar() or 0) + 1
    rows = []
    for i, a in enumerate(actions):
        values = a.model_dump(exclude={"case_id"})
        values.update(case_pk=pk_of[a.case_id], seq=seq + i, source="import", reason=None)
        rows.append(values)
    for chunk in _chunks(rows):
        bulk_insert(conn, ActionRow, chunk)
        done += len(chunk)
        progress("actions", done, total)
    report.actions = len(rows)
    return report


def _case_values(case: Case) -> dict[str, Any]:
    values = case.model_dump(exclude={"attributes"})
    values["linkage_state"] = "pending"
    values["linkage_note"] = None
    return values


def _attribute_rows(case_pk: int, case: Case, schema: AttributeSchema) -> Iterable[dict[str, Any]]:
    for spec in schema.attributes:
        value = case.attributes.get(spec.name)
        if value is None:
            continue
        if spec.kind is AttributeKind.MULTI:
            for position, item in enumerate(value):
                yield {
                    "case_pk": case_pk,
                    "name": spec.name,
                    "position": position,
                    "value_text": item,
                    "value_num": None,
                }
        elif spec.kind is AttributeKind.NUMERIC:
            yield {
                "case_pk": case_pk,
                "name": spec.name,
                "position": 0,
                "value_text": None,
                "value_num": float(value),
            }
        else:
            yield {
                "case_pk": case_pk,
                "name": spec.name,
                "position": 0,
                "value_text": str(value),
                "value_num": None,
            }


def _store_schema(conn: Connection, schema: AttributeSchema) -> None:
    stored = {name for (name,) in conn.execute(select(AttributeDef.name))}
    position = conn.execute(select(func.count()).select_from(AttributeDef)).scalar() or 0
    for spec in schema.attributes:
        if spec.name in stored:
            if spec.description:
                conn.execute(
                    update(AttributeDef)
                    .where(AttributeDef.name == spec.name)
                    .values(description=spec.description)
                )
            continue
        conn.execute(
            insert(AttributeDef).values(
                name=spec.name,
                kind=spec.kind.value,
                description=spec.description,
                position=position,
            )
        )
        position += 1


def bulk_insert(conn: Connection, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows through the driver's executemany, skipping per-row ORM work.

    SQLAlchemy's per-row parameter processing dominates bulk loads of
    hundreds of thousands of rows; the driver's own executemany is several
    times faster and still runs inside the caller's transaction.
    """
    if not rows:
        return
    columns = [c.name for c in table.__table__.columns if c.name in rows[0]]
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    marks = "(" + ", ".join(mark for _ in columns) + ")"
    names = ", ".join(conn.dialect.identifier_preparer.quote(c) for c in columns)
    sql = f"INSERT INTO {table.__tablename__} ({names}) VALUES "
    if conn.dialect.name == "sqlite":
        # Many rows per statement: SQLite's full-text index (FTS5, kept by a
        # trigger on cases) flushes its pending terms at every statement, so
        # one statement per row made importing cases several times slower.
        per_statement = max(1, SQLITE_PARAMETERS // len(columns))
        for start in range(0, len(rows), per_statement):
            part = rows[start : start + per_statement]
            conn.exec_driver_sql(
                sql + ", ".join([marks] * len(part)),
                tuple(r.get(c) for r in part for c in columns),
            )
        return
    for chunk in _chunks(rows):
        conn.exec_driver_sql(sql + marks, [tuple(r.get(c) for c in columns) for r in chunk])


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
