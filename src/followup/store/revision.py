"""The newest migration's revision, apart from Alembic and SQLAlchemy (store/migrate.py)."""

from __future__ import annotations

# Opening a store that is already there then needs no Alembic at all, which keeps every
# command's start-up short. A new migration must update this;
# tests/store/test_migrations.py fails until it does.
HEAD = "0002_item_version"
