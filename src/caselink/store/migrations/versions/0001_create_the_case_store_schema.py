"""create the case store schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 10:19:17.141348
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attribute_defs",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "cases",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("case_type", sa.String(length=64), nullable=False),
        sa.Column("occurred_from", sa.DateTime(), nullable=False),
        sa.Column("occurred_to", sa.DateTime(), nullable=True),
        sa.Column("reported_at", sa.DateTime(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("victim_age", sa.Integer(), nullable=True),
        sa.Column("victim_sex", sa.String(length=1), nullable=True),
        sa.Column("victim_group", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=64), nullable=True),
        sa.Column("offender_id", sa.String(length=64), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=True),
        sa.Column("linkage_state", sa.String(length=16), nullable=False),
        sa.Column("linkage_note", sa.Text(), nullable=True),
        sa.Column("import_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("case_id"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_case_type"), ["case_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_import_seq"), ["import_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_occurred_from"), ["occurred_from"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_offender_id"), ["offender_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_reported_at"), ["reported_at"], unique=False)

    op.create_table(
        "actions",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("case_pk", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_pk"], ["cases.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actions_case_pk"), ["case_pk"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_seq"), ["seq"], unique=False)

    op.create_table(
        "alerts",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("case_pk", sa.Integer(), nullable=False),
        sa.Column("linked_case_pk", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("series_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviewed_by", sa.String(length=128), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["case_pk"], ["cases.pk"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["linked_case_pk"], ["cases.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("case_pk", "linked_case_pk", name="uq_alerts_pair"),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_case_pk"), ["case_pk"], unique=False)

    op.create_table(
        "case_attributes",
        sa.Column("case_pk", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("value_num", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["case_pk"], ["cases.pk"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["name"],
            ["attribute_defs.name"],
        ),
        sa.PrimaryKeyConstraint("case_pk", "name", "position"),
    )
    with op.batch_alter_table("case_attributes", schema=None) as batch_op:
        batch_op.create_index("ix_case_attributes_value", ["name", "value_text"], unique=False)

    op.create_table(
        "person_mentions",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("case_pk", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=True),
        sa.Column("dob", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("address", sa.String(length=512), nullable=True),
        sa.Column("postcode", sa.String(length=16), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("vehicle", sa.String(length=32), nullable=True),
        sa.Column("address_lat", sa.Float(), nullable=True),
        sa.Column("address_lon", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["case_pk"], ["cases.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
    )
    with op.batch_alter_table("person_mentions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_mentions_case_pk"), ["case_pk"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_mentions_seq"), ["seq"], unique=False)

    op.create_table(
        "resolved_entities",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mention_pk", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["mention_pk"], ["person_mentions.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("kind", "mention_pk"),
    )
    with op.batch_alter_table("resolved_entities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resolved_entities_entity_id"), ["entity_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("resolved_entities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resolved_entities_entity_id"))

    op.drop_table("resolved_entities")
    with op.batch_alter_table("person_mentions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_mentions_seq"))
        batch_op.drop_index(batch_op.f("ix_person_mentions_case_pk"))

    op.drop_table("person_mentions")
    with op.batch_alter_table("case_attributes", schema=None) as batch_op:
        batch_op.drop_index("ix_case_attributes_value")

    op.drop_table("case_attributes")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_case_pk"))

    op.drop_table("alerts")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_seq"))
        batch_op.drop_index(batch_op.f("ix_actions_case_pk"))

    op.drop_table("actions")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_reported_at"))
        batch_op.drop_index(batch_op.f("ix_cases_offender_id"))
        batch_op.drop_index(batch_op.f("ix_cases_occurred_from"))
        batch_op.drop_index(batch_op.f("ix_cases_import_seq"))
        batch_op.drop_index(batch_op.f("ix_cases_case_type"))

    op.drop_table("cases")
    op.drop_table("attribute_defs")
