"""The service both front doors call: paged, scoped queries and the analysts' use cases.

``Caselink(store)`` is the object the web app holds (as Datasette holds its
app object) and the command line will move onto: every method takes the
caller's :class:`~caselink.service.scope.Scope`, every case query goes
through :func:`~caselink.service.scope.scoped`, and every result is a typed
dataclass from :mod:`caselink.service.results`.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator, Sequence
from datetime import datetime, time
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Select, and_, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from caselink.alerts import add_case
from caselink.alerts.alerting import AddReport
from caselink.alerts.ledger import now
from caselink.assurance.checks import check_states
from caselink.assurance.standard import Standard, default_standard
from caselink.records.frames import actions_frame, cases_frame
from caselink.records.model import Action, Case, Mention
from caselink.service import importing
from caselink.service.errors import ConflictError, NotFoundError, PolicyError
from caselink.service.missed_checks import has_missed_check
from caselink.service.results import (
    ActionView,
    AlertView,
    CaseDetail,
    CaseFilter,
    CaseSummary,
    CheckView,
    Facet,
    LinkView,
    Page,
    PersonView,
    factors_of,
)
from caselink.service.scope import Scope, scoped, visible
from caselink.store import Store
from caselink.store.access import GrantRow
from caselink.store.importer import ImportReport
from caselink.store.search import narrative_matches
from caselink.store.tables import ActionRow, AlertRow, CaseRow, MentionRow, ResolvedEntity

ORDERS = {
    "occurred": (CaseRow.occurred_from.desc(), CaseRow.case_id),
    "occurred_asc": (CaseRow.occurred_from.asc(), CaseRow.case_id),
    "case_id": (CaseRow.case_id.asc(),),
    "reported": (CaseRow.reported_at.desc(), CaseRow.case_id),
}
"""Orders of the cases list, by name."""

FACET_FIELDS = ("case_type", "status", "victim_group", "force")
VICTIM_ROLES = frozenset({"victim", "deceased"})
Decision = Literal["confirm", "dismiss"]
MAX_LIMIT = 500


MAX_ROW_ID = 2**63 - 1
"""The largest integer primary key any backend stores (64-bit signed)."""


class Caselink:
    """The use cases of caselink over one store, for any front door."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @cached_property
    def standard(self) -> Standard:
        """The investigative standard the case pages judge checks by (parsed once)."""
        return default_standard()

    # ------------------------------------------------------------ cases list

    def _filtered(self, scope: Scope, filt: CaseFilter, stmt: Select) -> Select:  # type: ignore[type-arg]
        stmt = scoped(scope, stmt)
        if filt.case_type:
            stmt = stmt.where(CaseRow.case_type == filt.case_type)
        if filt.status:
            stmt = stmt.where(CaseRow.status == filt.status)
        if filt.victim_group:
            stmt = stmt.where(CaseRow.victim_group == filt.victim_group)
        if filt.force:
            stmt = stmt.where(CaseRow.force == filt.force)
        if filt.since:
            stmt = stmt.where(CaseRow.occurred_from >= datetime.combine(filt.since, time()))
        if filt.until:
            stmt = stmt.where(CaseRow.occurred_from < datetime.combine(filt.until, time()))
        if filt.text:
            stmt = stmt.where(narrative_matches(self.store.engine.dialect.name, filt.text))
        if filt.has_open_alerts is not None:
            open_alert = or_(
                *(
                    exists()
                    .where(own == CaseRow.pk, AlertRow.status == "new")
                    .where(partner.pk == other, visible(scope, partner))
                    for own, other, partner in (
                        (AlertRow.case_pk, AlertRow.linked_case_pk, aliased(CaseRow)),
                        (AlertRow.linked_case_pk, AlertRow.case_pk, aliased(CaseRow)),
                    )
                )
            )
            stmt = stmt.where(open_alert if filt.has_open_alerts else ~open_alert)
        if filt.has_missed_checks is not None:
            missed = has_missed_check(self.standard, now())
            stmt = stmt.where(missed if filt.has_missed_checks else ~missed)
        return stmt

    def cases(
        self,
        scope: Scope,
        filt: CaseFilter | None = None,
        limit: int = 50,
        offset: int = 0,
        order: str = "occurred",
        total: int | None = None,
    ) -> Page[CaseSummary]:
        """One page of the cases the caller sees that match ``filt``.

        ``total``, when the caller already counted the matching cases (see
        :meth:`facets_and_total`), saves counting them again.

        Raises
        ------
        ValueError
            An unknown order, or a limit/offset out of range.
        """
        filt = filt or CaseFilter()
        if order not in ORDERS:
            raise ValueError(f"order must be one of {', '.join(ORDERS)}, got {order!r}")
        if not 1 <= limit <= MAX_LIMIT or offset < 0:
            raise ValueError(f"limit must be 1..{MAX_LIMIT} and offset >= 0")
        total_q = self._filtered(scope, filt, select(func.count()).select_from(CaseRow))
        rows_q = self._filtered(
            scope,
            filt,
            select(
                CaseRow.pk,
                CaseRow.case_id,
                CaseRow.case_type,
                CaseRow.occurred_from,
                CaseRow.reported_at,
                CaseRow.status,
                CaseRow.victim_group,
                CaseRow.force,
            ),
        )
        rows_q = rows_q.order_by(*ORDERS[order]).limit(limit).offset(offset)
        with Session(self.store.engine) as conn:
            if total is None:
                total = int(conn.execute(total_q).scalar() or 0)
            rows = conn.execute(rows_q).all()
            pks = [r.pk for r in rows]
            open_counts: dict[int, int] = {}
            if pks:
                for column, partner in (
                    (AlertRow.case_pk, AlertRow.linked_case_pk),
                    (AlertRow.linked_case_pk, AlertRow.case_pk),
                ):
                    other = aliased(CaseRow)  # the partner's visibility, for these rows only
                    for pk, n in conn.execute(
                        select(column, func.count())
                        .join(other, other.pk == partner)
                        .where(column.in_(pks), AlertRow.status == "new", visible(scope, other))
                        .group_by(column)
                    ):
                        open_counts[pk] = open_counts.get(pk, 0) + int(n)
        items = [
            CaseSummary(
                case_id=r.case_id,
                case_type=r.case_type,
                occurred_from=r.occurred_from,
                reported_at=r.reported_at,
                status=r.status,
                victim_group=r.victim_group,
                force=r.force,
                open_alerts=open_counts.get(r.pk, 0),
            )
            for r in rows
        ]
        return Page(items=items, total=total, limit=limit, offset=offset)

    def facets(self, scope: Scope, filt: CaseFilter | None = None, top: int = 12) -> list[Facet]:
        """Counts of each facet field's values among the cases matching ``filt``."""
        return self.facets_and_total(scope, filt, top)[0]

    def facets_and_total(
        self, scope: Scope, filt: CaseFilter | None = None, top: int = 12
    ) -> tuple[list[Facet], int]:
        """The facets (see :meth:`facets`) and how many cases match ``filt`` in all.

        One grouped query over every facet field at once (a covering index
        of migration 0006 serves it), summed per field here: the groups are
        few (type x status x victim group x force), the cases many. The
        total comes with it, so the cases list need not count again
        (:meth:`cases` takes it as ``total``).
        """
        filt = filt or CaseFilter()
        columns = [getattr(CaseRow, name) for name in FACET_FIELDS]
        q = self._filtered(scope, filt, select(*columns, func.count()).select_from(CaseRow))
        counts: list[dict[str, int]] = [{} for _ in FACET_FIELDS]
        total = 0
        with Session(self.store.engine) as conn:
            for *values, n in conn.execute(q.group_by(*columns)):
                total += int(n)
                for i, v in enumerate(values):
                    key = "" if v is None else str(v)
                    counts[i][key] = counts[i].get(key, 0) + int(n)
        facets = [
            Facet(name, sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:top])
            for name, c in zip(FACET_FIELDS, counts, strict=True)
        ]
        return facets, total

    def export_cases(self, scope: Scope, filt: CaseFilter | None = None) -> Iterator[str]:
        """The cases matching ``filt`` as CSV lines (header first), in case_id order."""
        filt = filt or CaseFilter()
        columns = [c for c in CaseRow.__table__.c if c.name not in ("pk", "import_seq")]
        q = self._filtered(scope, filt, select(*columns)).order_by(CaseRow.case_id)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([c.name for c in columns])
        yield buffer.getvalue()
        with Session(self.store.engine) as conn:
            for row in conn.execute(q):
                buffer.seek(0)
                buffer.truncate()
                writer.writerow(["" if v is None else v for v in row])
                yield buffer.getvalue()

    # ------------------------------------------------------------ one case

    def _case_row(self, scope: Scope, case_id: str) -> Any:
        with Session(self.store.engine) as conn:
            row = conn.execute(
                scoped(scope, select(*CaseRow.__table__.c).where(CaseRow.case_id == case_id))
            ).first()
        if row is None:
            raise NotFoundError(f"no case {case_id!r}")
        return row

    def can_see(self, scope: Scope, case_id: str) -> bool:
        """Whether the case exists and is visible in ``scope``."""
        try:
            self._case_row(scope, case_id)
        except NotFoundError:
            return False
        return True

    def case(self, scope: Scope, case_id: str) -> CaseDetail:
        """Everything known of one case.

        Raises
        ------
        NotFoundError
            No such case, or one out of the caller's scope (not told apart).
        """
        row = self._case_row(scope, case_id)
        record = self.store.case_records([case_id])[0]
        with Session(self.store.engine) as conn:
            people = self._people(conn, row.pk, scope)
            action_rows = conn.execute(
                select(ActionRow).where(ActionRow.case_pk == row.pk).order_by(ActionRow.seq)
            ).scalars()
            actions = [
                ActionView(a.action, a.status, a.raised_at, a.completed_at, a.source, a.note)
                for a in action_rows
            ]
        links, hidden = self._links(scope, row.pk)
        return CaseDetail(
            case_id=row.case_id,
            case_type=row.case_type,
            occurred_from=row.occurred_from,
            occurred_to=row.occurred_to,
            reported_at=row.reported_at,
            lat=row.lat,
            lon=row.lon,
            victim_age=row.victim_age,
            victim_sex=row.victim_sex,
            victim_group=row.victim_group,
            status=row.status,
            force=row.force,
            narrative=row.narrative,
            linkage_state=row.linkage_state,
            linkage_note=row.linkage_note,
            attributes=dict(record.attributes),
            people=people,
            actions=actions,
            checks=self._checks(record, actions),
            links=links,
            series=sorted({link.series_id for link in links if link.series_id}),
            hidden_links=hidden,
        )

    def _people(self, conn: Any, case_pk: int, scope: Scope) -> list[PersonView]:
        q = (
            select(MentionRow, ResolvedEntity.entity_id)
            .outerjoin(
                ResolvedEntity,
                and_(ResolvedEntity.mention_pk == MentionRow.pk, ResolvedEntity.kind == "person"),
            )
            .where(MentionRow.case_pk == case_pk)
            .order_by(MentionRow.seq)
        )
        out = []
        for m, person in conn.execute(q):
            if scope.hide_victims and m.role in VICTIM_ROLES:
                out.append(PersonView(m.role, None, None, m.sex, None, None, None, None, True))
            else:
                out.append(
                    PersonView(m.role, m.name, m.dob, m.sex, m.address, m.phone, m.vehicle, person)
                )
        return out

    def _checks(self, record: Case, actions: Sequence[ActionView]) -> list[CheckView]:
        frame = cases_frame([record], self.store.attribute_schema())
        acts = actions_frame(
            [
                {
                    "action_id": i,
                    "case_id": record.case_id,
                    "action": a.action,
                    "status": a.status,
                    "raised_at": a.raised_at,
                    "completed_at": a.completed_at,
                    "note": a.note,
                    "source": a.source,
                    "reason": None,
                }
                for i, a in enumerate(actions)
            ]
        )
        states = check_states(frame, acts, self.standard)
        return [
            CheckView(
                str(r["action"]),
                str(r["state"]),
                None if pd.isna(r["due_at"]) else r["due_at"].to_pydatetime(),
            )
            for r in states.to_dict("records")
        ]

    def _links(self, scope: Scope, case_pk: int) -> tuple[list[LinkView], int]:
        other = aliased(CaseRow)
        with Session(self.store.engine) as conn:
            rows = conn.execute(
                select(AlertRow, other.case_id, visible(scope, other).label("seen"))
                .join(
                    other,
                    or_(
                        and_(AlertRow.case_pk == case_pk, other.pk == AlertRow.linked_case_pk),
                        and_(AlertRow.linked_case_pk == case_pk, other.pk == AlertRow.case_pk),
                    ),
                )
                .order_by(AlertRow.probability.desc(), other.case_id)
            ).all()
        links, hidden = [], 0
        for alert, other_id, seen in rows:
            if not seen:
                hidden += 1
                continue
            links.append(
                LinkView(
                    alert_id=alert.pk,
                    other_case_id=other_id,
                    probability=alert.probability,
                    series_id=alert.series_id,
                    status=alert.status,
                    raised_at=alert.raised_at,
                    reviewed_by=alert.reviewed_by,
                    review_note=alert.review_note,
                    explanation=alert.explanation,
                    factors=factors_of(alert.explanation),
                )
            )
        return links, hidden

    def links_of(self, scope: Scope, case_id: str) -> list[LinkView]:
        """The case's links to cases the caller sees, most probable first."""
        row = self._case_row(scope, case_id)
        return self._links(scope, row.pk)[0]

    def link_between(self, scope: Scope, case_a: str, case_b: str) -> LinkView | None:
        """The stored link between two visible cases, if any."""
        for link in self.links_of(scope, case_a):
            if link.other_case_id == case_b:
                return link
        self._case_row(scope, case_b)
        return None

    # ------------------------------------------------------------ alerts

    def alerts(
        self, scope: Scope, status: str | None = "new", limit: int = 50, offset: int = 0
    ) -> Page[AlertView]:
        """Alerts between two cases the caller sees, newest first."""
        if not 1 <= limit <= MAX_LIMIT or offset < 0:
            raise ValueError(f"limit must be 1..{MAX_LIMIT} and offset >= 0")
        new_case, old_case = aliased(CaseRow), aliased(CaseRow)

        def between_visible(stmt: Select) -> Select:  # type: ignore[type-arg]
            stmt = stmt.join(new_case, new_case.pk == AlertRow.case_pk).join(
                old_case, old_case.pk == AlertRow.linked_case_pk
            )
            stmt = scoped(scope, scoped(scope, stmt, new_case), old_case)
            return stmt if status is None else stmt.where(AlertRow.status == status)

        base = between_visible(select(AlertRow, new_case.case_id, old_case.case_id))
        with Session(self.store.engine) as conn:
            # counted without the alerts' wide columns (no subquery of whole rows)
            counted = between_visible(select(func.count()).select_from(AlertRow))
            total = int(conn.execute(counted).scalar() or 0)
            rows = conn.execute(
                base.order_by(AlertRow.raised_at.desc(), AlertRow.pk.desc())
                .limit(limit)
                .offset(offset)
            ).all()
        items = [
            AlertView(
                alert_id=a.pk,
                raised_at=a.raised_at,
                case_id=new_id,
                linked_case_id=old_id,
                probability=a.probability,
                series_id=a.series_id,
                status=a.status,
                reviewed_by=a.reviewed_by,
                review_note=a.review_note,
                reviewed_at=a.reviewed_at,
                explanation=a.explanation,
                factors=factors_of(a.explanation),
            )
            for a, new_id, old_id in rows
        ]
        return Page(items=items, total=total, limit=limit, offset=offset)

    def alert(self, scope: Scope, alert_id: int) -> AlertView:
        """One alert between two visible cases (NotFoundError otherwise)."""
        if not 0 < alert_id <= MAX_ROW_ID:
            # no such row can exist; a database driver would overflow on it
            raise NotFoundError(f"no alert {alert_id}")
        new_case, old_case = aliased(CaseRow), aliased(CaseRow)
        q = (
            select(AlertRow, new_case.case_id, old_case.case_id)
            .join(new_case, new_case.pk == AlertRow.case_pk)
            .join(old_case, old_case.pk == AlertRow.linked_case_pk)
            .where(AlertRow.pk == alert_id)
        )
        with Session(self.store.engine) as conn:
            row = conn.execute(scoped(scope, scoped(scope, q, new_case), old_case)).first()
        if row is None:
            raise NotFoundError(f"no alert {alert_id}")
        a, new_id, old_id = row
        return AlertView(
            a.pk,
            a.raised_at,
            new_id,
            old_id,
            a.probability,
            a.series_id,
            a.status,
            a.reviewed_by,
            a.review_note,
            a.reviewed_at,
            a.explanation,
            factors_of(a.explanation),
        )

    def decide_alert(
        self, scope: Scope, alert_id: int, decision: Decision, by: str, note: str
    ) -> AlertView:
        """Confirm or dismiss the link an alert raised: who, when and why.

        Raises
        ------
        NotFoundError
            No such alert in the caller's scope.
        ConflictError
            The alert was already decided (decisions are never overwritten).
        ValueError
            An unknown decision or an empty note.
        """
        current = self.alert(scope, alert_id)
        if decision not in ("confirm", "dismiss"):
            raise ValueError(f"decision must be confirm or dismiss, got {decision!r}")
        if current.status != "new":
            raise ConflictError(
                f"alert {alert_id} was already {current.status} by {current.reviewed_by}"
            )
        if not by.strip() or not note.strip():
            raise ValueError("a decision needs who made it and a reason (note)")
        status = "reviewed" if decision == "confirm" else "dismissed"
        text = f"confirmed: {note.strip()}" if decision == "confirm" else note.strip()
        with self.store.transaction() as conn:
            # only a still-new alert changes: two analysts deciding at once cannot both win
            changed = conn.execute(
                update(AlertRow)
                .where(AlertRow.pk == alert_id, AlertRow.status == "new")
                .values(status=status, reviewed_by=by.strip(), review_note=text, reviewed_at=now())
            ).rowcount
        if changed == 0:
            raise ConflictError(f"alert {alert_id} was decided by someone else just now")
        return self.alert(scope, alert_id)

    # ------------------------------------------------------------ writing

    def raise_action(self, scope: Scope, case_id: str, action: str, note: str, by: str) -> None:
        """Raise an investigative action (status pending) on a visible case."""
        self._case_row(scope, case_id)
        action = action.strip()
        if not action:
            raise ValueError("action must name the check to do, got an empty string")
        self.store.add_actions(
            [
                Action(
                    case_id=case_id,
                    action=action,
                    status="pending",
                    raised_at=now(),
                    note=note.strip() or None,
                )
            ],
            source="analyst",
            reasons=[f"raised by {by}"],
        )

    def grant_case(
        self, scope: Scope, granter_force: str | None, case_id: str, grantee_pk: int, by: str
    ) -> None:
        """Let one user of another force see a case (a reviewer of the case's own force grants).

        Raises
        ------
        NotFoundError
            The case is not visible to the granter.
        PolicyError
            The case is not of the granter's own force (a grant cannot be passed on).
        """
        row = self._case_row(scope, case_id)
        if row.force != granter_force:
            raise PolicyError("only a reviewer of the case's own force can share it")
        with self.store.transaction() as conn:
            conn.execute(
                insert(GrantRow).values(
                    user_pk=grantee_pk, case_pk=row.pk, granted_by=by, granted_at=now()
                )
            )

    def assign_force(self, case_ids: Sequence[str], force: str) -> int:
        """Give a force to those of the cases that have none; returns how many changed."""
        changed = 0
        ids = list(case_ids)
        with self.store.transaction() as conn:
            for start in range(0, len(ids), 5000):
                changed += conn.execute(
                    update(CaseRow)
                    .where(CaseRow.case_id.in_(ids[start : start + 5000]), CaseRow.force.is_(None))
                    .values(force=force)
                ).rowcount
        return changed

    def import_files(
        self,
        files: dict[str, bytes],
        force: str | None,
        skip_invalid: bool = False,
        alert: bool = True,
    ) -> tuple[ImportReport, AddReport | None]:
        """Import uploaded open-format CSV files (``cases``, optional ``people``, ``actions``).

        Nothing is written when a row is invalid unless ``skip_invalid``; the
        cases get ``force`` where the file gives none, then are compared with
        the store (alerts) unless ``alert`` is false.

        Raises
        ------
        caselink.records.errors.InvalidInputError
            Every invalid row (file, row, column, value, rule); nothing written.
        """
        if "cases" not in files:
            raise ValueError("a cases.csv file is required")
        with tempfile.TemporaryDirectory(prefix="caselink-import-") as tmp:
            paths: dict[str, Path] = {}
            for name, data in files.items():
                paths[name] = Path(tmp) / f"{name}.csv"
                paths[name].write_bytes(data)
            rejects = Path(tmp) / "rejected.csv" if skip_invalid else None
            # the one import workflow of `caselink import`: its alert policy, or --no-alert
            done = importing.import_files(
                self.store,
                paths["cases"],
                paths.get("people"),
                paths.get("actions"),
                skip_invalid=rejects,
                force=force,
                alert=alert,
            )
        return done.report, done.alerts

    def add_case(
        self, case: Case, force: str | None, mentions: Sequence[Mention] = ()
    ) -> list[AlertView]:
        """Store one case of ``force`` and return the alerts it raised at once."""
        if self.can_see(Scope.everything(), case.case_id):
            raise ConflictError(f"case {case.case_id!r} already exists")
        if force is not None and case.force is None:
            case = case.model_copy(update={"force": force})
        raised = add_case(self.store, case, mentions)
        everyone = Scope.everything()
        return [self.alert(everyone, a.alert_id) for a in raised if a.alert_id is not None]
