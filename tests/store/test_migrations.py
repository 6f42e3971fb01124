"""The schema is created by Alembic migrations and upgraded on open."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Table,
    inspect,
    select,
)
from sqlmodel import Session, SQLModel, col

from followup.store import create_store_engine, migrate
from followup.store.models import ItemRow
from followup.store.queries import ItemFilter, list_items, postmortems
from tests.conftest import MakeDbUrl

# SQLite cannot reflect an index on an expression (ix_postmortem_listing), so autogenerate
# skips it there with a warning; test_the_listing_index_is_there checks it instead.
pytestmark = [
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression"),
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index"),
]


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


# -- every revision, on each backend ----------------------------------------------------


def revisions() -> list[tuple[str, str | None]]:
    """Return (revision, the one before) for every migration, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    found = [(r.revision, r.down_revision) for r in script.walk_revisions()]
    return [(rev, str(down) if down else None) for rev, down in reversed(found)]


def upgrade(engine: Engine, revision: str) -> None:
    """Run the migrations up to one revision."""
    from alembic import command

    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


@pytest.fixture
def empty(make_db_url: MakeDbUrl) -> Iterator[Engine]:
    """Return an engine on a database with no tables at all."""
    engine = create_store_engine(make_db_url(migrated=False), migrate_schema=False)
    yield engine
    engine.dispose()


def test_every_revision_upgrades_an_empty_database(empty: Engine) -> None:
    assert migrate.current_revision(empty) is None
    for revision, _ in revisions():
        upgrade(empty, revision)
        assert migrate.current_revision(empty) == revision
    assert migrate.current_revision(empty) == migrate.HEAD
    assert _differences(empty) == []


@pytest.mark.parametrize("revision", [rev for rev, down in revisions() if down])
def test_every_revision_upgrades_a_populated_database(empty: Engine, revision: str) -> None:
    """Rows written before a revision come through it unchanged, and readable at head."""
    before = dict(revisions())[revision]
    assert before is not None
    upgrade(empty, before)
    with empty.begin() as conn:
        _fill(conn)
    with empty.connect() as conn:
        old = _contents(conn)
    upgrade(empty, revision)
    with empty.connect() as conn:
        new = _contents(conn, {name: names for name, (names, _) in old.items()})
    assert new == old
    assert sum(len(rows) for _, rows in new.values()) > 10

    upgrade(empty, "head")
    with Session(empty) as session:
        for table in SQLModel.metadata.sorted_tables:
            count = len(session.execute(select(table)).all())
            assert count == len(old.get(table.name, ([], []))[1])
        assert len(list_items(session, ItemFilter(), today=date(2026, 1, 1))) == 3
        # Items written before versioning start at 1, as new ones do.
        assert set(session.scalars(select(col(ItemRow.version)))) == {1}
        assert [pm.total for pm in postmortems(session, today=date(2026, 1, 1))] == [3]


def _differences(engine: Engine) -> list[Any]:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), SQLModel.metadata))


def _fill(conn: Connection) -> None:
    """Write rows into every table as the schema stands, values chosen by column type."""
    meta = MetaData()
    meta.reflect(conn)
    keys: dict[str, list[Any]] = {}
    for table in meta.sorted_tables:
        if table.name == "alembic_version":
            continue
        # Three items in one post-mortem; one or three of everything else.
        count = 1 if table.name == "postmortem" else 3
        for i in range(count):
            conn.execute(table.insert().values(_row(table, i, keys)))
        pk = next(iter(table.primary_key.columns))
        keys[table.name] = [r[0] for r in conn.execute(select(pk).order_by(pk))]


def _row(table: Table, i: int, keys: dict[str, list[Any]]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column in table.columns:
        refs = list(column.foreign_keys)
        kind = column.type
        if refs:
            parent = keys.get(refs[0].column.table.name) or [None]
            row[column.name] = parent[i % len(parent)]
        elif column.primary_key and isinstance(kind, Integer):
            continue  # the database numbers them
        elif isinstance(kind, JSON):
            row[column.name] = None if column.nullable else []
        elif isinstance(kind, Boolean):
            row[column.name] = i % 2 == 0
        elif isinstance(kind, DateTime):
            row[column.name] = datetime(2025, 3, i + 1, 12, 30, tzinfo=UTC)
        elif isinstance(kind, Date):
            row[column.name] = date(2025, 3, i + 1)
        elif isinstance(kind, Integer):
            row[column.name] = i + 1
        else:
            row[column.name] = f"{column.name}-{i}"
    if table.name == "action_item":
        row["status"] = "open"
    return row


Contents = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


def _contents(conn: Connection, columns: dict[str, list[str]] | None = None) -> Contents:
    """Return every table's column names and rows; with columns, only those tables and columns."""
    meta = MetaData()
    meta.reflect(conn)
    found: Contents = {}
    for table in meta.sorted_tables:
        if table.name == "alembic_version" or (columns is not None and table.name not in columns):
            continue
        names = columns[table.name] if columns is not None else sorted(table.columns.keys())
        query = select(*(table.c[n] for n in names)).order_by(*table.primary_key.columns)
        found[table.name] = (names, [tuple(r) for r in conn.execute(query)])
    return found


def test_the_listing_index_is_there(engine: Engine) -> None:
    """The index item lists are read through, which autogenerate cannot see on SQLite."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = (
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'postmortem'"
            )
        else:
            query = "SELECT indexname FROM pg_indexes WHERE tablename = 'postmortem'"
        names = set(conn.exec_driver_sql(query).scalars())
    assert "ix_postmortem_listing" in names
