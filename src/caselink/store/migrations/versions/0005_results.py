"""results in the store: models, link runs and their links, series, resolution runs, geoprofiles

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-02 08:00:00

What the analysts read used to live only in files passed from one command to
the next (``--links``, ``--series``, ``--model``). These tables keep them with
what made them: a link run names its model, blocking rules, probability floor,
a fingerprint of the cases it linked, when it started and finished and who ran
it; its links keep their explanation factors; series keep their members and
the link run they came from. Model files stay an export format: a model's
content is stored as the same JSON data.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
    )
    op.create_table(
        "link_runs",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("model_pk", sa.Integer, sa.ForeignKey("models.pk"), nullable=False),
        sa.Column("rules_name", sa.String(32), nullable=False),
        sa.Column("rules", sa.JSON, nullable=False),
        sa.Column("min_probability", sa.Float, nullable=False),
        sa.Column("pruned", sa.Boolean, nullable=False),
        sa.Column("data_fingerprint", sa.String(64), nullable=False),
        sa.Column("n_cases", sa.Integer, nullable=False),
        sa.Column("n_links", sa.Integer),
        sa.Column("blocking", sa.JSON),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("created_by", sa.String(128), nullable=False),
    )
    op.create_index("ix_link_runs_data_fingerprint", "link_runs", ["data_fingerprint"])
    op.create_table(
        "links",
        sa.Column(
            "run_pk",
            sa.Integer,
            sa.ForeignKey("link_runs.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("case_a", sa.String(64), primary_key=True),
        sa.Column("case_b", sa.String(64), primary_key=True),
        sa.Column("probability", sa.Float, nullable=False),
        sa.Column("explanation", sa.Text),
        sa.Column("factors", sa.JSON),
    )
    op.create_index("ix_links_run_case_b", "links", ["run_pk", "case_b"])
    op.create_index("ix_links_run_probability", "links", ["run_pk", "probability"])
    op.create_table(
        "series_runs",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "link_run_pk",
            sa.Integer,
            sa.ForeignKey("link_runs.pk", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("threshold", sa.Float, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
    )
    op.create_index("ix_series_runs_link_run_pk", "series_runs", ["link_run_pk"])
    op.create_table(
        "stored_series",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "run_pk",
            sa.Integer,
            sa.ForeignKey("series_runs.pk", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("series_id", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("first_at", sa.DateTime),
        sa.Column("last_at", sa.DateTime),
        sa.Column("span_days", sa.Float),
        sa.Column("shared_mo", sa.Text),
        sa.UniqueConstraint("run_pk", "series_id", name="uq_stored_series_run_id"),
    )
    op.create_table(
        "series_members",
        sa.Column(
            "series_pk",
            sa.Integer,
            sa.ForeignKey("stored_series.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_series_members_case_id", "series_members", ["case_id"])
    op.create_table(
        "resolution_runs",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("model_path", sa.Text),
        sa.Column("n_mentions", sa.Integer),
        sa.Column("n_entities", sa.Integer),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("created_by", sa.String(128), nullable=False),
    )
    op.create_table(
        "geoprofiles",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("series_id", sa.String(64)),
        sa.Column(
            "series_run_pk", sa.Integer, sa.ForeignKey("series_runs.pk", ondelete="SET NULL")
        ),
        sa.Column("case_ids", sa.JSON, nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("estimate_lat", sa.Float),
        sa.Column("estimate_lon", sa.Float),
        sa.Column("search_areas", sa.JSON),
        sa.Column("persons", sa.JSON),
        sa.Column("params", sa.JSON),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("geoprofiles")
    op.drop_table("resolution_runs")
    op.drop_index("ix_series_members_case_id", "series_members")
    op.drop_table("series_members")
    op.drop_table("stored_series")
    op.drop_index("ix_series_runs_link_run_pk", "series_runs")
    op.drop_table("series_runs")
    op.drop_index("ix_links_run_probability", "links")
    op.drop_index("ix_links_run_case_b", "links")
    op.drop_table("links")
    op.drop_index("ix_link_runs_data_fingerprint", "link_runs")
    op.drop_table("link_runs")
    op.drop_table("models")
