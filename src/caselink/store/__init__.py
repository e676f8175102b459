"""The case store: SQLAlchemy tables, Alembic migrations, import and export."""

from caselink.store.facade import DEFAULT_URL, Store, resolve_url
from caselink.store.importer import ImportReport

__all__ = ["DEFAULT_URL", "ImportReport", "Store", "resolve_url"]
