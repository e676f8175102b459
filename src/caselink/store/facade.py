"""The Store: the one door to the case store (SQLite by default, any SQLAlchemy URL)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    insert,
    make_url,
    select,
)

from caselink.records.csv_format import PEOPLE_NAME_PARTS
from caselink.records.errors import InputError, InvalidInputError, RowError, StoreNotFoundError
from caselink.records.frames import (
    ACTION_COLUMNS,
    MENTION_COLUMNS,
    actions_frame,
    cases_frame,
    mentions_frame,
)
from caselink.records.model import (
    Action,
    AttributeKind,
    AttributeSchema,
    AttributeSpec,
    Case,
    Mention,
)
from caselink.records.outputs import check_output_path
from caselink.settings import DEFAULT_DB_URL, database_url
from caselink.store import migrate
from caselink.store.importer import (
    ImportReport,
    Progress,
    _no_progress,
    keep_stored_values,
    validate_files,
    write_records,
    write_rejects,
)
from caselink.store.tables import (
    ActionRow,
    AttributeDef,
    CaseAttribute,
    CaseRow,
    MentionRow,
    ResolvedEntity,
)

DEFAULT_URL = DEFAULT_DB_URL


def resolve_url(db: str | None = None) -> str:
    """The database URL: the argument, else ``$CASELINK_DB``, else ``./caselink.db``
    (:func:`caselink.settings.database_url`, the one place that reads them)."""
    return database_url(db)


class Store:
    """A case store opened through its migrations.

    Use :meth:`open`; the constructor takes an engine that is already migrated.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Open (creating if needed) the store at ``url`` and migrate it to the newest schema."""
        url = resolve_url(url)
        engine = _engine(url)
        migrate.upgrade(engine)
        return cls(engine)

    @classmethod
    def open_existing(cls, url: str | None = None) -> Store:
        """Open a store that must exist already: a missing SQLite file is refused, not created.

        Raises
        ------
        StoreNotFoundError
            The SQLite file does not exist (a mistyped ``--db`` would otherwise
            silently create an empty store).
        """
        url = resolve_url(url)
        path = sqlite_file(url)
        if path is not None and not path.exists():
            raise StoreNotFoundError(
                f"no store at {path}: check --db (or $CASELINK_DB); "
                "`caselink import` creates a store",
                file=str(path),
            )
        return cls.open(url)

    @property
    def file(self) -> Path | None:
        """The SQLite file of this store (None for a server database or in memory)."""
        return sqlite_file(str(self.engine.url))

    def close(self) -> None:
        """Release the store's connections."""
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in one transaction: committed on success, rolled back on error."""
        with self.engine.begin() as conn:
            yield conn

    # ------------------------------------------------------------ import

    def import_files(
        self,
        cases: Path,
        people: Path | None = None,
        actions: Path | None = None,
        schema: Path | None = None,
        skip_invalid: Path | None = None,
        progress: Progress = _no_progress,
        replace: bool = False,
        force: str | None = None,
    ) -> ImportReport:
        """Import the open CSV files in one transaction.

        Parameters
        ----------
        cases, people, actions
            The files of the open CSV format (``docs/format.md``).
        schema
            Optional YAML schema of the MO attributes; inferred when absent.
        skip_invalid
            If given, import the valid rows and write the rejected ones, with
            reasons, to this file; otherwise any invalid row aborts the import.
        replace
            Replace stored cases wholly by the file's rows. By default a
            stored case keeps the values of the columns the file does not have
            (a correction file may carry only the required columns and
            ``status``).
        force
            The police force of the cases whose row gives none and that have
            none stored (``import --force``), set in the same transaction.

        Raises
        ------
        InvalidInputError
            Listing every invalid row (file, row, column, value, reason); the
            store is unchanged.
        """
        if skip_invalid is not None:
            check_output_path(
                skip_invalid, "--skip-invalid", (cases, people, actions, schema), self.file
            )
        with self.engine.connect() as conn:
            known = set(conn.execute(select(CaseRow.case_id)).scalars())
        stored_schema = self.attribute_schema()
        parsed_cases, parsed_people, parsed_actions, used, notes = validate_files(
            cases, people, actions, schema, known, stored_schema
        )
        if not replace:
            updated = [c.case_id for c in parsed_cases.records if c.case_id in known]
            if updated:
                stored = {c.case_id: c for c in self.case_records(updated)}
                keep_stored_values(parsed_cases, stored, stored_schema)
        if force is not None:
            _fill_force(parsed_cases.records, force, known, self)
        errors = [
            *parsed_cases.errors,
            *(parsed_people.errors if parsed_people else []),
            *(parsed_actions.errors if parsed_actions else []),
        ]
        if errors and skip_invalid is None:
            raise InvalidInputError(errors)
        with self.transaction() as conn:
            report = write_records(
                conn,
                parsed_cases.records,
                parsed_people.records if parsed_people else [],
                parsed_actions.records if parsed_actions else [],
                _union(stored_schema, used),
                progress,
            )
        report.schema_notes = notes
        report.rejected = errors
        if skip_invalid is not None:
            write_rejects(skip_invalid, errors)
        self.refresh_statistics()
        return report

    def refresh_statistics(self) -> None:
        """Let SQLite's query planner know the tables' sizes again (``ANALYZE``).

        Without statistics SQLite sorts every visible case to show the first 50
        of the web app's cases list (about 150 ms at 100k cases) instead of
        walking the date index (under 1 ms). PostgreSQL's autovacuum analyzes
        by itself.
        """
        if self.engine.dialect.name == "sqlite":
            with self.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")

    def add_cases(
        self,
        cases: Sequence[Case],
        mentions: Sequence[Mention] = (),
        actions: Sequence[Action] = (),
    ) -> ImportReport:
        """Store already-validated records (upsert), in one transaction."""
        schema = self.attribute_schema()
        unknown = sorted({k for c in cases for k in c.attributes} - set(schema.names()))
        if unknown:
            raise InvalidInputError(
                [RowError("case", 0, k, k, "unknown MO attribute for this store") for k in unknown]
            )
        given = {c.case_id for c in cases}
        strays = [
            RowError(kind, i, "case_id", case_id, "belongs to another case than the ones added")
            for kind, ids in (
                ("people", [m.case_id for m in mentions]),
                ("actions", [a.case_id for a in actions]),
            )
            for i, case_id in enumerate(ids, start=1)
            if case_id not in given
        ]
        if strays:
            raise InvalidInputError(strays)
        with self.transaction() as conn:
            return write_records(conn, cases, mentions, actions, schema)

    def add_actions(
        self,
        actions: Sequence[Action],
        source: str = "prompt",
        reasons: Sequence[str | None] | None = None,
    ) -> int:
        """Append actions (e.g. prompts raised by caselink) without touching others."""
        reasons = list(reasons) if reasons is not None else [None] * len(actions)
        if len(reasons) != len(actions):
            raise InputError(
                f"reasons has {len(reasons)} items for {len(actions)} actions", field="reasons"
            )
        with self.transaction() as conn:
            pk_of = self._pks(conn, {a.case_id for a in actions})
            seq = (conn.execute(select(func.max(ActionRow.seq))).scalar() or 0) + 1
            rows = []
            for i, (a, why) in enumerate(zip(actions, reasons, strict=True)):
                values = a.model_dump(exclude={"case_id"})
                values.update(case_pk=pk_of[a.case_id], seq=seq + i, source=source, reason=why)
                rows.append(values)
            if rows:
                conn.execute(insert(ActionRow), rows)
        return len(rows)

    def _pks(self, conn: Connection, case_ids: set[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        ids = sorted(case_ids)
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            found.update(
                conn.execute(
                    select(CaseRow.case_id, CaseRow.pk).where(CaseRow.case_id.in_(chunk))
                ).all()
            )
        missing = sorted(case_ids - set(found))
        if missing:
            raise InvalidInputError(
                [RowError("store", 0, "case_id", m, "no such case in the store") for m in missing]
            )
        return found

    # ------------------------------------------------------------ reading

    def attribute_schema(self) -> AttributeSchema:
        """The MO attributes of this store, in column order."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(AttributeDef.name, AttributeDef.kind, AttributeDef.description).order_by(
                    AttributeDef.position
                )
            ).all()
        return AttributeSchema(
            attributes=tuple(
                AttributeSpec(name=n, kind=AttributeKind(k), description=d or "")
                for n, k, d in rows
            )
        )

    def count_cases(self) -> int:
        """How many cases are stored."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(CaseRow)).scalar() or 0)

    def case_records(self, case_ids: Sequence[str] | None = None) -> list[Case]:
        """Stored cases as records, in the order they were first stored."""
        schema = self.attribute_schema()
        with self.engine.connect() as conn:
            query = select(*CaseRow.__table__.c).order_by(CaseRow.import_seq)
            if case_ids is not None:
                query = query.where(CaseRow.case_id.in_(list(case_ids)))
            rows = [r._mapping for r in conn.execute(query)]
            pks = [r["pk"] for r in rows] if case_ids is not None else None
            attrs = self._attributes(conn, schema, pks)
        out = []
        for r in rows:
            data = {k: r[k] for k in Case.model_fields if k != "attributes"}
            data["attributes"] = attrs.get(r["pk"], {})
            out.append(Case.model_validate(data))
        return out

    def _attributes(
        self, conn: Connection, schema: AttributeSchema, pks: list[int] | None
    ) -> dict[int, dict[str, Any]]:
        query = select(
            CaseAttribute.case_pk,
            CaseAttribute.name,
            CaseAttribute.position,
            CaseAttribute.value_text,
            CaseAttribute.value_num,
        ).order_by(CaseAttribute.case_pk, CaseAttribute.name, CaseAttribute.position)
        if pks is not None:
            query = query.where(CaseAttribute.case_pk.in_(pks))
        kinds = {a.name: a.kind for a in schema.attributes}
        out: dict[int, dict[str, Any]] = {}
        for pk, name, _pos, text, num in conn.execute(query):
            values = out.setdefault(pk, {})
            kind = kinds[name]
            if kind is AttributeKind.MULTI:
                values.setdefault(name, []).append(text)
            elif kind is AttributeKind.NUMERIC:
                values[name] = num
            else:
                values[name] = text
        return out

    def cases_frame(self, reported_before: datetime | None = None) -> pd.DataFrame:
        """All cases (optionally only those reported before a time) as a cases frame."""
        schema = self.attribute_schema()
        query = select(*CaseRow.__table__.c)
        if reported_before is not None:
            query = query.where(CaseRow.reported_at < reported_before)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
            attrs = self._attributes(conn, schema, None)
        for row in rows:
            row["attributes"] = attrs.get(row["pk"], {})
        return cases_frame(rows, schema)

    def mentions_frame(self) -> pd.DataFrame:
        """All person mentions in import order, ``mention_id`` = zero-based rank."""
        query = (
            select(*MentionRow.__table__.c, CaseRow.case_id)
            .join(CaseRow, CaseRow.pk == MentionRow.case_pk)
            .order_by(MentionRow.seq)
        )
        with self.engine.connect() as conn:
            rows = []
            for i, r in enumerate(conn.execute(query)):
                data = {
                    c: r._mapping.get(c)
                    for c in (*MENTION_COLUMNS, *PEOPLE_NAME_PARTS)
                    if c != "mention_id"
                }
                data["mention_id"] = i
                rows.append(data)
        return mentions_frame(rows)

    def actions_frame(self) -> pd.DataFrame:
        """All investigative actions, imported and prompted."""
        query = (
            select(*ActionRow.__table__.c, CaseRow.case_id)
            .join(CaseRow, CaseRow.pk == ActionRow.case_pk)
            .order_by(ActionRow.seq)
        )
        with self.engine.connect() as conn:
            rows = []
            for r in conn.execute(query):
                data = {c: r._mapping.get(c) for c in ACTION_COLUMNS if c != "action_id"}
                data["action_id"] = r._mapping["pk"]
                rows.append(data)
        return actions_frame(rows)

    def mention_records(self) -> list[Mention]:
        """All mentions as records, in import order."""
        frame = self.mentions_frame()
        return [_mention({str(k): v for k, v in r.items()}) for r in frame.to_dict("records")]

    def action_records(self, source: str | None = "import") -> list[Action]:
        """Actions as records (imported ones by default), in the order stored."""
        frame = self.actions_frame()
        if source is not None:
            frame = frame[frame["source"] == source]
        keep = [c for c in Action.model_fields]
        return [
            Action.model_validate({k: _none(r[k]) for k in keep}) for r in frame.to_dict("records")
        ]

    # ------------------------------------------------------------ resolution

    def replace_resolution(self, kind: str, frame: pd.DataFrame) -> None:
        """Replace the resolved entities of one kind.

        ``frame`` has ``mention_id, entity_id`` and optionally ``match_weight, evidence``.
        """
        with self.transaction() as conn:
            pks = [pk for (pk,) in conn.execute(select(MentionRow.pk).order_by(MentionRow.seq))]
            conn.execute(delete(ResolvedEntity).where(ResolvedEntity.kind == kind))
            rows = []
            for r in frame.to_dict("records"):
                mid = int(r["mention_id"])
                if not 0 <= mid < len(pks):
                    raise InvalidInputError(
                        [RowError("resolution", 0, "mention_id", str(mid), "no such mention")]
                    )
                weight = r.get("match_weight")
                rows.append(
                    {
                        "kind": kind,
                        "mention_pk": pks[mid],
                        "entity_id": str(r["entity_id"]),
                        "match_weight": None
                        if weight is None or pd.isna(weight)
                        else float(weight),
                        "evidence": _none(r.get("evidence")),
                    }
                )
            for start in range(0, len(rows), 5000):
                conn.execute(insert(ResolvedEntity), rows[start : start + 5000])

    def resolution_frame(self, kind: str) -> pd.DataFrame:
        """``mention_id, entity_id, match_weight, evidence`` of one entity kind."""
        with self.engine.connect() as conn:
            order = {
                pk: i
                for i, (pk,) in enumerate(
                    conn.execute(select(MentionRow.pk).order_by(MentionRow.seq))
                )
            }
            rows = conn.execute(
                select(
                    ResolvedEntity.mention_pk,
                    ResolvedEntity.entity_id,
                    ResolvedEntity.match_weight,
                    ResolvedEntity.evidence,
                ).where(ResolvedEntity.kind == kind)
            ).all()
        frame = pd.DataFrame(
            [(order[pk], e, w, ev) for pk, e, w, ev in rows],
            columns=["mention_id", "entity_id", "match_weight", "evidence"],
        )
        frame["mention_id"] = frame["mention_id"].astype("int64")
        frame["match_weight"] = frame["match_weight"].astype("float64")
        return frame.sort_values("mention_id").reset_index(drop=True)


def _union(stored: AttributeSchema, used: AttributeSchema) -> AttributeSchema:
    """The stored attributes, then the new ones of an import (a re-import writes all it keeps)."""
    known = set(stored.names())
    return AttributeSchema(
        attributes=(*stored.attributes, *(a for a in used.attributes if a.name not in known))
    )


def _none(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    return value


def _mention(row: dict[str, Any]) -> Mention:
    data = {k: _none(row.get(k)) for k in Mention.model_fields}
    if data.get("dob") is not None:
        data["dob"] = pd.Timestamp(data["dob"]).date()
    return Mention.model_validate(data)


BUSY_TIMEOUT_S = 30.0
"""How long a command waits for another writer's lock on a SQLite store before giving up."""


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _engine(url: str) -> Engine:
    """An engine that keeps row values out of error messages (errors show no case data)."""
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, hide_parameters=True, connect_args={"timeout": BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, hide_parameters=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _fill_force(cases: list[Case], force: str, known: set[str], store: Store) -> None:
    """Give ``force`` to the cases whose row has none and that have none stored."""
    blank = [i for i, c in enumerate(cases) if not c.force]
    stored = {
        c.case_id: c.force
        for c in store.case_records([cases[i].case_id for i in blank if cases[i].case_id in known])
    }
    for i in blank:
        if not stored.get(cases[i].case_id):
            cases[i] = cases[i].model_copy(update={"force": force})
