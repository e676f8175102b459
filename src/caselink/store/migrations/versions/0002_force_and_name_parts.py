"""a force per case; given name and surname per person mention

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 05:00:00

``cases.force`` is the police force a case belongs to (the web app scopes every
query by it; a store with one force leaves it empty). ``person_mentions``
gains ``given_name`` and ``surname`` for sources that record the parts of a
name apart; ``name`` stays the full name as written.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("force", sa.String(length=64), nullable=True))
        batch.create_index("ix_cases_force", ["force"])
    with op.batch_alter_table("person_mentions") as batch:
        batch.add_column(sa.Column("given_name", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("surname", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person_mentions") as batch:
        batch.drop_column("surname")
        batch.drop_column("given_name")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_force")
        batch.drop_column("force")
