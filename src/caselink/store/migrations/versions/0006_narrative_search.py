"""full-text search over case narratives (SQLite FTS5, PostgreSQL GIN over a tsvector);
a map tile source per force

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 08:00:00

SQLite: ``cases_fts``, an FTS5 table over ``cases.narrative`` with external
content (the text is not stored twice; ``rowid`` is ``cases.pk``), kept in
step by triggers on INSERT, DELETE and UPDATE OF narrative, and filled from
the existing cases here. Porter stemming over unicode61 words, as
PostgreSQL's ``english`` configuration stems.

PostgreSQL: a GIN index over ``to_tsvector('english', coalesce(narrative,
''))``; queries must use exactly that expression (see
:mod:`caselink.store.search`), so no extra column or trigger is needed.

``ix_alerts_linked_case_pk``: the cases list counts each row's open alerts
from both ends of the link (without it, a full scan of the alerts per page).

``ix_cases_facets``: covers the cases list's facet counts (one grouped pass
over the visible cases' force, type, status, victim group and date) and
``ix_actions_case_action`` the has-missed-checks filter's probes;
``ix_alerts_status_raised`` the alerts inbox (new alerts, newest first).

``force_tiles``: the optional map tile source an administrator configures
for a force (``caselink forces set-tiles``); without a row, no tiles.

Note for later migrations: SQLite's batch ALTER of ``cases`` copies the table
and drops its triggers; such a migration must recreate them
(:data:`SQLITE_TRIGGERS`).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE cases_fts USING fts5(narrative, content='cases', "
    "content_rowid='pk', tokenize='porter unicode61 remove_diacritics 2')"
)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN "
    "INSERT INTO cases_fts(rowid, narrative) VALUES (new.pk, new.narrative); END",
    "CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN "
    "INSERT INTO cases_fts(cases_fts, rowid, narrative) VALUES ('delete', old.pk, old.narrative); "
    "END",
    "CREATE TRIGGER cases_fts_update AFTER UPDATE OF narrative ON cases BEGIN "
    "INSERT INTO cases_fts(cases_fts, rowid, narrative) VALUES ('delete', old.pk, old.narrative); "
    "INSERT INTO cases_fts(rowid, narrative) VALUES (new.pk, new.narrative); END",
)
PG_INDEX = (
    "CREATE INDEX ix_cases_narrative_search ON cases "
    "USING gin (to_tsvector('english'::regconfig, coalesce(narrative, ''::text)))"
)


def upgrade() -> None:
    op.create_table(
        "force_tiles",
        sa.Column("force", sa.String(64), primary_key=True),
        sa.Column("url_template", sa.String(512), nullable=False),
        sa.Column("attribution", sa.String(512), nullable=False),
        sa.Column("set_by", sa.String(128), nullable=False),
        sa.Column("set_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_alerts_linked_case_pk", "alerts", ["linked_case_pk"])
    op.create_index(
        "ix_cases_facets",
        "cases",
        ["force", "case_type", "status", "victim_group", "occurred_from"],
    )
    op.create_index("ix_actions_case_action", "actions", ["case_pk", "action", "status"])
    op.create_index("ix_alerts_status_raised", "alerts", ["status", "raised_at"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(SQLITE_TABLE)
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
        op.execute("INSERT INTO cases_fts(cases_fts) VALUES ('rebuild')")
        op.execute("ANALYZE")  # a store imported before: the planner's statistics (see Store)
    elif dialect == "postgresql":
        op.execute(PG_INDEX)


def downgrade() -> None:
    op.drop_table("force_tiles")
    op.drop_index("ix_alerts_status_raised", "alerts")
    op.drop_index("ix_actions_case_action", "actions")
    op.drop_index("ix_cases_facets", "cases")
    op.drop_index("ix_alerts_linked_case_pk", "alerts")
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS cases_fts_{name}")
        op.execute("DROP TABLE IF EXISTS cases_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_cases_narrative_search")
