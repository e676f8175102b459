"""reviewers' person merge/split decisions, and the precomputed replay

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 08:00:00

``person_decisions`` keeps each reviewer's merge or split of resolved persons
(who, when, why) and ``person_decision_mentions`` the mentions on each side,
so that a re-resolution applies them again (:mod:`caselink.entities.decisions`).
``replay_runs`` / ``replay_alerts`` keep a day-by-day replay of the store
computed once per store state and model, so the replay page reads a day with
SQL instead of walking the store again (:mod:`caselink.service.replay_store`).
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_decisions",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("entity_id", sa.String(128), nullable=False),
        sa.Column("other_entity_id", sa.String(128)),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("decided_at", sa.DateTime, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_table(
        "person_decision_mentions",
        sa.Column(
            "decision_pk",
            sa.Integer,
            sa.ForeignKey("person_decisions.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "mention_pk",
            sa.Integer,
            sa.ForeignKey("person_mentions.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("side", sa.String(1), nullable=False),
    )
    op.create_table(
        "replay_runs",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("store_state", sa.String(64), nullable=False),
        sa.Column("model_key", sa.String(128), nullable=False),
        sa.Column("provenance", sa.Text, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("cases", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("note", sa.Text),
        sa.Column("summary", sa.Text),
    )
    op.create_index("ix_replay_runs_state", "replay_runs", ["store_state", "model_key"])
    op.create_table(
        "replay_alerts",
        sa.Column(
            "run_pk",
            sa.Integer,
            sa.ForeignKey("replay_runs.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "case_pk", sa.Integer, sa.ForeignKey("cases.pk", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "linked_case_pk",
            sa.Integer,
            sa.ForeignKey("cases.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("alerted_at", sa.DateTime, nullable=False),
        sa.Column("probability", sa.Float, nullable=False),
    )
    op.create_index("ix_replay_alerts_day", "replay_alerts", ["run_pk", "alerted_at"])


def downgrade() -> None:
    op.drop_index("ix_replay_alerts_day", "replay_alerts")
    op.drop_table("replay_alerts")
    op.drop_index("ix_replay_runs_state", "replay_runs")
    for table in ("replay_runs", "person_decision_mentions", "person_decisions"):
        op.drop_table(table)
