"""Results in the store: models, link runs with their links, series, resolution runs, geoprofiles.

Created by migration 0005. A link run records what made its links (the model's
content, the blocking rules, the probability floor, a fingerprint of the cases
it linked, when and by whom), so that ``caselink series`` and
``caselink geoprofile --series`` read the latest run instead of linking again,
and a page can show any case's links without loading the store into pandas.
The files (``--out``, ``--model``) stay export formats.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from caselink.records.errors import NotFoundError
from caselink.store.tables import Base

INSERT_BATCH = 10_000
"""Links written per statement (bounded memory for large runs)."""


class ModelRow(Base):
    """A linkage model's content (the model file's JSON data), stored once per content."""

    __tablename__ = "models"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(128))


class LinkRunRow(Base):
    """One run of batch linkage: its model, rules, floor, data and time."""

    __tablename__ = "link_runs"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_pk: Mapped[int] = mapped_column(ForeignKey("models.pk"))
    rules_name: Mapped[str] = mapped_column(String(32))
    rules: Mapped[list[Any]] = mapped_column(JSON)
    min_probability: Mapped[float] = mapped_column(Float)
    pruned: Mapped[bool] = mapped_column(Boolean)
    data_fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    n_cases: Mapped[int] = mapped_column(Integer)
    n_links: Mapped[int | None] = mapped_column(Integer)
    blocking: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(128))


class LinkRow(Base):
    """One link of a run (``case_a < case_b`` as the engine writes them)."""

    __tablename__ = "links"

    run_pk: Mapped[int] = mapped_column(
        ForeignKey("link_runs.pk", ondelete="CASCADE"), primary_key=True
    )
    case_a: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_b: Mapped[str] = mapped_column(String(64), primary_key=True)
    probability: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str | None] = mapped_column(Text)
    factors: Mapped[list[Any] | None] = mapped_column(JSON)
    """``[{"phrase", "multiplier"}, ...]`` strongest first (links at the series threshold)."""


class SeriesRunRow(Base):
    """Series found from one link run at one threshold."""

    __tablename__ = "series_runs"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    link_run_pk: Mapped[int] = mapped_column(
        ForeignKey("link_runs.pk", ondelete="CASCADE"), index=True
    )
    threshold: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(128))


class StoredSeriesRow(Base):
    """One series of a series run (its id is the id ``caselink series`` prints)."""

    __tablename__ = "stored_series"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_pk: Mapped[int] = mapped_column(ForeignKey("series_runs.pk", ondelete="CASCADE"))
    series_id: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_at: Mapped[datetime | None] = mapped_column(DateTime)
    span_days: Mapped[float | None] = mapped_column(Float)
    shared_mo: Mapped[str | None] = mapped_column(Text)


class SeriesMemberRow(Base):
    """A case in a stored series, in time order."""

    __tablename__ = "series_members"

    series_pk: Mapped[int] = mapped_column(
        ForeignKey("stored_series.pk", ondelete="CASCADE"), primary_key=True
    )
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)


class ResolutionRunRow(Base):
    """One run of entity resolution (full or incremental)."""

    __tablename__ = "resolution_runs"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    model_path: Mapped[str | None] = mapped_column(Text)
    n_mentions: Mapped[int | None] = mapped_column(Integer)
    n_entities: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(128))


class GeoprofileRow(Base):
    """A geographic profile of a series or a set of cases (the surface is an export)."""

    __tablename__ = "geoprofiles"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    series_id: Mapped[str | None] = mapped_column(String(64))
    series_run_pk: Mapped[int | None] = mapped_column(
        ForeignKey("series_runs.pk", ondelete="SET NULL")
    )
    case_ids: Mapped[list[str]] = mapped_column(JSON)
    method: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    estimate_lat: Mapped[float | None] = mapped_column(Float)
    estimate_lon: Mapped[float | None] = mapped_column(Float)
    search_areas: Mapped[list[Any] | None] = mapped_column(JSON)
    persons: Mapped[list[Any] | None] = mapped_column(JSON)
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(128))


# -- fingerprints ------------------------------------------------------------------


def content_fingerprint(content: Any) -> str:
    """sha256 of JSON data in canonical form (sorted keys, no spaces)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def model_fingerprint(content: dict[str, Any]) -> str:
    """sha256 of a model's content less its ``created`` time: the same model, the same print."""
    return content_fingerprint({k: v for k, v in content.items() if k != "created"})


def data_fingerprint(cases: pd.DataFrame) -> str:
    """sha256 of a cases frame's content, whatever its row order (what a run linked)."""
    frame = cases.sort_values("case_id", kind="stable").reset_index(drop=True)
    frame = frame[sorted(frame.columns)].astype(str)
    digest = hashlib.sha256(",".join(frame.columns).encode("utf-8"))
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def utcnow() -> datetime:
    """Now, in UTC, without a time zone (how the store keeps times)."""
    return datetime.now(UTC).replace(tzinfo=None)


# -- what a reader gets ------------------------------------------------------------


@dataclass(frozen=True)
class LinkRun:
    """A stored link run, as a reader sees it."""

    run_id: int
    model_id: int
    model_name: str
    model_fingerprint: str
    rules_name: str
    min_probability: float
    pruned: bool
    data_fingerprint: str
    n_cases: int
    n_links: int | None
    started_at: datetime
    finished_at: datetime | None
    created_by: str

    @property
    def finished(self) -> bool:
        """Whether every link of the run was written."""
        return self.finished_at is not None


@dataclass(frozen=True)
class StoredLink:
    """One stored link of a run."""

    case_a: str
    case_b: str
    probability: float
    explanation: str | None
    factors: list[dict[str, Any]] | None


class Results:
    """Reading and writing stored results through one SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- models ------------------------------------------------------------------

    def put_model(self, content: dict[str, Any], source: str | None, by: str) -> int:
        """Store a model's content once (same content, same id); returns its id."""
        fingerprint = model_fingerprint(content)
        with self.engine.begin() as conn:
            pk = conn.execute(
                select(ModelRow.pk).where(ModelRow.fingerprint == fingerprint)
            ).scalar()
            if pk is not None:
                return int(pk)
            return int(
                _key(
                    conn.execute(
                        insert(ModelRow).values(
                            name=str(content.get("model", "")),
                            fingerprint=fingerprint,
                            content=content,
                            source=source,
                            created_at=utcnow(),
                            created_by=by,
                        )
                    )
                )
            )

    def model_content(self, model_id: int) -> dict[str, Any]:
        """The stored content of a model (NotFoundError when there is none)."""
        with self.engine.connect() as conn:
            content = conn.execute(select(ModelRow.content).where(ModelRow.pk == model_id)).scalar()
        if content is None:
            raise NotFoundError(f"no stored model {model_id}", value=str(model_id))
        return dict(content)

    # -- link runs ---------------------------------------------------------------

    def start_link_run(
        self,
        model_id: int,
        rules_name: str,
        rules: list[Any],
        min_probability: float,
        pruned: bool,
        fingerprint: str,
        n_cases: int,
        by: str,
    ) -> int:
        """Record that a run started (it counts as stored only once finished)."""
        with self.engine.begin() as conn:
            return int(
                _key(
                    conn.execute(
                        insert(LinkRunRow).values(
                            model_pk=model_id,
                            rules_name=rules_name,
                            rules=rules,
                            min_probability=min_probability,
                            pruned=pruned,
                            data_fingerprint=fingerprint,
                            n_cases=n_cases,
                            started_at=utcnow(),
                            created_by=by,
                        )
                    )
                )
            )

    def finish_link_run(
        self,
        run_id: int,
        links: pd.DataFrame,
        factors: dict[tuple[str, str], list[dict[str, Any]]],
        blocking: dict[str, Any],
    ) -> None:
        """Write the run's links (with explanation and factors) and mark it finished, at once."""
        has_text = "explanation" in links.columns
        with self.engine.begin() as conn:
            for rows in _batches(links, has_text, factors, run_id):
                conn.execute(insert(LinkRow), rows)
            conn.execute(
                update(LinkRunRow)
                .where(LinkRunRow.pk == run_id)
                .values(
                    n_links=len(links),
                    blocking={k: _plain(v) for k, v in blocking.items()},
                    finished_at=utcnow(),
                )
            )

    def drop_link_run(self, run_id: int) -> None:
        """Remove a run that failed before it finished."""
        with self.engine.begin() as conn:
            conn.execute(delete(LinkRow).where(LinkRow.run_pk == run_id))
            conn.execute(delete(LinkRunRow).where(LinkRunRow.pk == run_id))

    def _run_query(self) -> Any:
        return select(
            LinkRunRow,
            ModelRow.name,
            ModelRow.fingerprint,
        ).join(ModelRow, ModelRow.pk == LinkRunRow.model_pk)

    def link_runs(self, limit: int = 50) -> list[LinkRun]:
        """The finished runs, newest first."""
        query = (
            self._run_query()
            .where(LinkRunRow.finished_at.is_not(None))
            .order_by(LinkRunRow.pk.desc())
            .limit(limit)
        )
        with Session(self.engine) as conn:
            return [_link_run(*row) for row in conn.execute(query).all()]

    def count_link_runs(self) -> int:
        """How many runs were ever started (finished or not)."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(LinkRunRow)).scalar() or 0)

    def link_run(self, run_id: int) -> LinkRun:
        """A finished run by id (NotFoundError otherwise)."""
        query = self._run_query().where(
            LinkRunRow.pk == run_id, LinkRunRow.finished_at.is_not(None)
        )
        with Session(self.engine) as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(
                f"no finished link run {run_id} in the store (`caselink link` stores one)",
                field="--run",
                value=str(run_id),
            )
        return _link_run(*row)

    def latest_link_run(
        self, fingerprint: str | None = None, model_fingerprint: str | None = None
    ) -> LinkRun | None:
        """The newest finished run, of these cases and this model when given."""
        query = self._run_query().where(LinkRunRow.finished_at.is_not(None))
        if fingerprint is not None:
            query = query.where(LinkRunRow.data_fingerprint == fingerprint)
        if model_fingerprint is not None:
            query = query.where(ModelRow.fingerprint == model_fingerprint)
        with Session(self.engine) as conn:
            row = conn.execute(query.order_by(LinkRunRow.pk.desc()).limit(1)).first()
        return None if row is None else _link_run(*row)

    def links_frame(self, run_id: int, min_probability: float = 0.0) -> pd.DataFrame:
        """``case_a, case_b, probability`` of a run's links at or above ``min_probability``."""
        query = (
            select(LinkRow.case_a, LinkRow.case_b, LinkRow.probability)
            .where(LinkRow.run_pk == run_id, LinkRow.probability >= min_probability)
            .order_by(LinkRow.probability.desc(), LinkRow.case_a, LinkRow.case_b)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        frame = pd.DataFrame(rows, columns=["case_a", "case_b", "probability"])
        return frame.astype({"case_a": object, "case_b": object, "probability": float})

    def links_of(
        self, run_id: int, case_id: str, limit: int = 50, offset: int = 0
    ) -> tuple[list[StoredLink], int]:
        """One page of a case's links in a run, most probable first, and how many there are."""
        where = (
            LinkRow.run_pk == run_id,
            or_(LinkRow.case_a == case_id, LinkRow.case_b == case_id),
        )
        with Session(self.engine) as conn:
            total = int(
                conn.execute(select(func.count()).select_from(LinkRow).where(*where)).scalar() or 0
            )
            rows = conn.execute(
                select(LinkRow)
                .where(*where)
                .order_by(LinkRow.probability.desc(), LinkRow.case_a, LinkRow.case_b)
                .limit(limit)
                .offset(offset)
            ).scalars()
            links = [
                StoredLink(r.case_a, r.case_b, r.probability, r.explanation, r.factors)
                for r in rows
            ]
        return links, total

    # -- series ------------------------------------------------------------------

    def save_series(
        self,
        link_run_id: int,
        threshold: float,
        members: pd.DataFrame,
        summary: pd.DataFrame,
        by: str,
    ) -> int:
        """Store series (``members``: case_id, series_id; ``summary``: one row per series);
        returns the series run's id."""
        with self.engine.begin() as conn:
            run_pk = int(
                _key(
                    conn.execute(
                        insert(SeriesRunRow).values(
                            link_run_pk=link_run_id,
                            threshold=threshold,
                            created_at=utcnow(),
                            created_by=by,
                        )
                    )
                )
            )
            by_series = {sid: list(g["case_id"]) for sid, g in members.groupby("series_id")}
            for row in summary.to_dict("records"):
                sid = str(row["series_id"])
                series_pk = int(
                    _key(
                        conn.execute(
                            insert(StoredSeriesRow).values(
                                run_pk=run_pk,
                                series_id=sid,
                                size=int(row["size"]),
                                first_at=_time(row.get("first")),
                                last_at=_time(row.get("last")),
                                span_days=_float(row.get("span_days")),
                                shared_mo=None
                                if row.get("shared_mo") is None
                                else str(row["shared_mo"]),
                            )
                        )
                    )
                )
                cases = by_series.get(sid, [])
                if cases:
                    conn.execute(
                        insert(SeriesMemberRow),
                        [
                            {"series_pk": series_pk, "case_id": str(c), "position": i}
                            for i, c in enumerate(cases)
                        ],
                    )
        return run_pk

    def latest_series_run(self, link_run_id: int, threshold: float) -> int | None:
        """The newest series run of a link run at a threshold."""
        query = (
            select(SeriesRunRow.pk)
            .where(SeriesRunRow.link_run_pk == link_run_id, SeriesRunRow.threshold == threshold)
            .order_by(SeriesRunRow.pk.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            pk = conn.execute(query).scalar()
        return None if pk is None else int(pk)

    def count_series_runs(self) -> int:
        """How many series runs are stored."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(SeriesRunRow)).scalar() or 0)

    def series_members(self, series_run_id: int, series_id: str | None = None) -> pd.DataFrame:
        """``case_id, series_id`` of a series run (one series when named), in series order."""
        query = (
            select(SeriesMemberRow.case_id, StoredSeriesRow.series_id)
            .join(StoredSeriesRow, StoredSeriesRow.pk == SeriesMemberRow.series_pk)
            .where(StoredSeriesRow.run_pk == series_run_id)
            .order_by(StoredSeriesRow.pk, SeriesMemberRow.position)
        )
        if series_id is not None:
            query = query.where(StoredSeriesRow.series_id == series_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return pd.DataFrame(rows, columns=["case_id", "series_id"]).astype(object)

    def series_ids(self, series_run_id: int, limit: int = 10) -> list[str]:
        """The first ids of a series run (to name some in an error)."""
        query = (
            select(StoredSeriesRow.series_id)
            .where(StoredSeriesRow.run_pk == series_run_id)
            .order_by(StoredSeriesRow.series_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [str(s) for s in conn.execute(query).scalars()]

    # -- resolution runs and geoprofiles ------------------------------------------

    def record_resolution_run(
        self,
        kind: str,
        mode: str,
        model_path: str | None,
        started_at: datetime,
        n_mentions: int | None,
        n_entities: int | None,
        by: str,
    ) -> int:
        """Record a finished resolution run; returns its id."""
        with self.engine.begin() as conn:
            return int(
                _key(
                    conn.execute(
                        insert(ResolutionRunRow).values(
                            kind=kind,
                            mode=mode,
                            model_path=model_path,
                            n_mentions=n_mentions,
                            n_entities=n_entities,
                            started_at=started_at,
                            finished_at=utcnow(),
                            created_by=by,
                        )
                    )
                )
            )

    def count_resolution_runs(self) -> int:
        """How many resolution runs are stored."""
        with self.engine.connect() as conn:
            return int(
                conn.execute(select(func.count()).select_from(ResolutionRunRow)).scalar() or 0
            )

    def save_geoprofile(self, values: dict[str, Any]) -> int:
        """Store a geographic profile's result (columns of :class:`GeoprofileRow`)."""
        with self.engine.begin() as conn:
            return int(
                _key(conn.execute(insert(GeoprofileRow).values(created_at=utcnow(), **values)))
            )

    def geoprofiles(self, series_id: str | None = None) -> list[dict[str, Any]]:
        """Stored profiles, newest first (of one series when named)."""
        query = select(*GeoprofileRow.__table__.columns).order_by(GeoprofileRow.pk.desc())
        if series_id is not None:
            query = query.where(GeoprofileRow.series_id == series_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [dict(r) for r in rows]


def _key(result: Any) -> int:
    """The primary key an INSERT made."""
    key = result.inserted_primary_key
    if key is None:  # never for these tables (each has an integer key)
        raise RuntimeError("the database returned no key for a new row")
    return int(key[0])


def _link_run(row: LinkRunRow, model_name: str, model_fingerprint: str) -> LinkRun:
    return LinkRun(
        run_id=row.pk,
        model_id=row.model_pk,
        model_name=model_name,
        model_fingerprint=model_fingerprint,
        rules_name=row.rules_name,
        min_probability=row.min_probability,
        pruned=row.pruned,
        data_fingerprint=row.data_fingerprint,
        n_cases=row.n_cases,
        n_links=row.n_links,
        started_at=row.started_at,
        finished_at=row.finished_at,
        created_by=row.created_by,
    )


def _batches(
    links: pd.DataFrame,
    has_text: bool,
    factors: dict[tuple[str, str], list[dict[str, Any]]],
    run_id: int,
) -> Iterator[list[dict[str, Any]]]:
    texts: Sequence[Any] = links["explanation"].tolist() if has_text else [None] * len(links)
    rows = zip(
        links["case_a"].astype(str).tolist(),
        links["case_b"].astype(str).tolist(),
        links["probability"].astype(float).tolist(),
        texts,
        strict=True,
    )
    batch: list[dict[str, Any]] = []
    for a, b, p, text in rows:
        batch.append(
            {
                "run_pk": run_id,
                "case_a": a,
                "case_b": b,
                "probability": p,
                "explanation": None if text is None or pd.isna(text) else str(text),
                "factors": factors.get((a, b)),
            }
        )
        if len(batch) >= INSERT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _plain(value: Any) -> Any:
    """A JSON-ready scalar (numpy integers and floats become Python ones)."""
    if hasattr(value, "item"):
        return value.item()
    return value


def _time(value: Any) -> datetime | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).to_pydatetime()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _float(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)
