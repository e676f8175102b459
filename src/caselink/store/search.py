"""Full-text search over case narratives, as an SQL predicate on ``cases``.

The query language is PostgreSQL's ``websearch_to_tsquery`` (what analysts
type into a search box): words must all occur (stemmed: "stabbing" finds
"stabbed"), ``"a quoted phrase"`` must occur as written, ``or`` between two
terms accepts either, and ``-word`` excludes. On PostgreSQL the predicate is
``to_tsvector('english', narrative) @@ websearch_to_tsquery(...)`` over the
GIN index of migration 0006; on SQLite the same query is translated into an
FTS5 ``MATCH`` over ``cases_fts`` (Porter stemming, every word quoted so
nothing the user types is FTS5 syntax). The predicate is a plain SQL
condition on the cases row, so the caller's scoping applies to it like to
any other filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, column, false, func, literal_column, select, table, true

from caselink.store.tables import CaseRow

CONFIG = "english"
"""PostgreSQL's text search configuration: the GIN index is built with it."""

_FTS = table("cases_fts", column("rowid"), column("cases_fts"))
_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class WebSearch:
    """A parsed web-search query: groups of alternatives that must all match, and exclusions."""

    groups: list[list[list[str]]] = field(default_factory=list)
    """Each group is a list of alternative phrases (a phrase is a list of words)."""
    excluded: list[list[str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether the query has no word at all (then it filters nothing)."""
        return not self.groups and not self.excluded


def parse(text: str) -> WebSearch:
    """Parse ``text`` the way ``websearch_to_tsquery`` reads it (words, "phrases", or, -)."""
    query = WebSearch()
    pending_or = False
    for match in _TERM.finditer(text):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare.lower() == "or":
                pending_or = bool(query.groups)
                continue
            negated = "-" if bare.startswith("-") else ""
            quoted = bare[1:] if negated else bare
        words = _WORD.findall(quoted or "")
        if not words:
            continue
        if negated:
            query.excluded.append(words)
            pending_or = False
        elif pending_or:
            query.groups[-1].append(words)
            pending_or = False
        else:
            query.groups.append([words])
    return query


def _fts5_phrase(words: list[str]) -> str:
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"'


def _fts5_any(phrases: list[list[str]]) -> str:
    return "(" + " OR ".join(_fts5_phrase(p) for p in phrases) + ")"


def fts5_query(query: WebSearch) -> str:
    """The FTS5 MATCH expression of the query's required groups (excluded terms apart)."""
    return " AND ".join(_fts5_any(g) for g in query.groups)


def narrative_matches(dialect: str, text: str | None, case: Any = CaseRow) -> ColumnElement[bool]:
    """The SQL condition "the case's narrative matches ``text``" for this dialect.

    ``case`` is the cases entity of the statement (or an alias of it). A
    query with no words filters nothing. Other dialects than SQLite and
    PostgreSQL fall back to every word occurring as a substring.
    """
    query = parse(text or "")
    if query.empty:
        return true()
    if dialect == "postgresql":
        config: ColumnElement[Any] = literal_column(f"'{CONFIG}'::regconfig")
        document = func.to_tsvector(config, func.coalesce(case.narrative, literal_column("''")))
        return document.op("@@")(func.websearch_to_tsquery(config, text))
    if dialect == "sqlite":
        conditions = []
        if query.groups:
            conditions.append(
                case.pk.in_(
                    select(_FTS.c.rowid).where(_FTS.c.cases_fts.op("MATCH")(fts5_query(query)))
                )
            )
        if query.excluded:
            excluded = _fts5_any(query.excluded)
            conditions.append(
                case.pk.not_in(select(_FTS.c.rowid).where(_FTS.c.cases_fts.op("MATCH")(excluded)))
            )
        out: ColumnElement[bool] = conditions[0]
        for extra in conditions[1:]:
            out = out & extra
        return out
    return _substring_fallback(query, case)


def _substring_fallback(query: WebSearch, case: Any) -> ColumnElement[bool]:
    def contains(words: list[str]) -> ColumnElement[bool]:
        phrase = " ".join(words).lower()
        escaped = phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return func.lower(case.narrative).like(f"%{escaped}%", escape="\\")

    out: ColumnElement[bool] = true()
    for group in query.groups:
        alternatives: ColumnElement[bool] = false()
        for phrase in group:
            alternatives = alternatives | contains(phrase)
        out = out & alternatives
    for phrase in query.excluded:
        out = out & ~contains(phrase)
    return out
