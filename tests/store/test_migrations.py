"""The schema is created by Alembic migrations and upgraded on open."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect

from followup.store import create_store_engine, migrate


def test_empty_database_is_migrated_to_head(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'new' / 'store.db'}")
    assert migrate.current_revision(engine) == migrate.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {"postmortem", "action_item", "event", "github_issue", "repo_sync"} <= tables
    assert "alembic_version" in tables


def test_the_head_constant_names_the_newest_migration() -> None:
    assert migrate.head_revision() == migrate.HEAD


def test_opening_twice_keeps_the_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = create_store_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO repo_sync (repo, etag) VALUES ('octo/repo', 'W/\"abc\"')")
    engine.dispose()
    again = create_store_engine(url)
    with again.connect() as conn:
        rows = conn.exec_driver_sql("SELECT repo, etag FROM repo_sync").all()
    assert rows == [("octo/repo", 'W/"abc"')]


@pytest.mark.sqlite_only("WAL mode and the busy timeout are SQLite settings")
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_model_matches_the_migrations(engine: Engine) -> None:
    """A change to models.py without a migration would make this fail."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
