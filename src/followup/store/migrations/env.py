"""Alembic environment: runs on the connection followup hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

from followup.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds tables instead.
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_from_settings() -> None:
    # Developers running `alembic revision --autogenerate` get the configured store.
    from followup.config import load_settings
    from followup.store.db import create_store_engine

    url = load_settings().settings.database_url_or_default()
    engine = create_store_engine(url, migrate_schema=False)
    with engine.connect() as connection:
        _run(connection)


connection = context.config.attributes.get("connection")
if connection is None:
    _run_from_settings()
else:
    _run(connection)
