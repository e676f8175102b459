"""The missed-checks board: the standard's required checks over the caller's cases, by state,
filtered like the cases list, and the prompts links raised (with their reasons).

The cases are chosen by the scoped SQL query of part 1's service (the same
filter as the cases list); the states come from
:func:`caselink.assurance.check_states` with the service's standard.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select

from caselink.assurance import check_states
from caselink.service.caselink import Caselink
from caselink.service.results import CaseFilter
from caselink.service.scope import Scope

STATES = ("overdue", "not_done", "missing", "pending")
"""The states the board lists (``done`` and ``not_required`` are counted only)."""


@dataclass(frozen=True)
class BoardRow:
    """One required check of one case that is not done."""

    case_id: str
    case_type: str
    victim_group: str | None
    action: str
    state: str


@dataclass(frozen=True)
class Prompt:
    """An action raised by caselink or an analyst (not imported), with its reason."""

    case_id: str
    action: str
    status: str
    raised_at: object
    reason: str | None


@dataclass(frozen=True)
class Board:
    """The board for one filter."""

    counts: pd.DataFrame
    """Rows: required checks; columns: states; with totals."""
    rows: list[BoardRow]
    prompts: list[Prompt]
    cases: int


class ChecksBoard:
    """Scoped missed checks."""

    def __init__(self, service: Caselink) -> None:
        self.service = service
        self.store = service.store

    def board(
        self,
        scope: Scope,
        filt: CaseFilter,
        state: str | None = None,
        age_min: int | None = None,
        age_max: int | None = None,
        limit: int = 500,
    ) -> Board:
        """Checks of the visible cases matching ``filt`` (and victim age range), by state."""
        from caselink.store.tables import CaseRow

        stmt = self.service._filtered(scope, filt, select(CaseRow.case_id))
        if age_min is not None:
            stmt = stmt.where(CaseRow.victim_age >= age_min)
        if age_max is not None:
            stmt = stmt.where(CaseRow.victim_age <= age_max)
        with self.store.engine.connect() as conn:
            ids = {str(c) for (c,) in conn.execute(stmt)}
        cases = self.store.cases_frame()
        cases = cases[cases["case_id"].isin(ids)].reset_index(drop=True)
        actions = self.store.actions_frame()
        actions = actions[actions["case_id"].isin(ids)].reset_index(drop=True)
        states = check_states(cases, actions, self.service.standard)
        if states.empty:
            counts = pd.DataFrame(columns=[*STATES, "done", "total"])
        else:
            counts = pd.crosstab(states["action"], states["state"])
            for s in (*STATES, "done"):
                if s not in counts.columns:
                    counts[s] = 0
            counts = counts[[*STATES, "done"]]
            counts["total"] = counts.sum(axis=1)
        unmet = states[states["state"].isin([state] if state else STATES)]
        types = dict(zip(cases["case_id"], cases["case_type"], strict=True))
        groups = {
            str(c): (None if pd.isna(g) else str(g))
            for c, g in zip(cases["case_id"], cases["victim_group"].tolist(), strict=True)
        }
        rows = [
            BoardRow(str(c), str(types[c]), groups[str(c)], str(a), str(s))
            for c, a, s in zip(
                unmet["case_id"].head(limit),
                unmet["action"].head(limit),
                unmet["state"].head(limit),
                strict=True,
            )
        ]
        raised = actions[actions["source"] != "import"] if "source" in actions else actions.iloc[:0]
        prompts = [
            Prompt(
                str(r["case_id"]),
                str(r["action"]),
                str(r["status"]),
                r["raised_at"],
                None if pd.isna(r.get("reason")) else str(r.get("reason")),
            )
            for r in raised.head(limit).to_dict("records")
        ]
        return Board(counts, rows, prompts, len(ids))
