"""Alembic environment: runs on the connection the Store hands over."""

from __future__ import annotations

from alembic import context

from caselink.store.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - caselink always passes a connection
    raise RuntimeError("caselink migrations run through caselink.store.Store.open(url)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
