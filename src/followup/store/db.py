"""Open the store: build the engine, tune SQLite, bring the schema up to date.

Guarantees (tests/faults/test_store_faults.py):

- A new SQLite store and every folder followup makes for it are private (0600/0700):
  the store holds whole post-mortems. SQLite gives its -wal and -shm files the mode of
  the database.
- The schema is created or upgraded in one transaction: a failure half-way (a full
  disk) leaves the store as it was, never half-made. SQLite runs DDL outside any
  transaction unless asked, so the migration's connection begins one explicitly
  (BEGIN IMMEDIATE, which also makes two processes creating one store take turns).
- A database failure anywhere (a full disk, a read-only, damaged or foreign file, a
  store from a newer followup) is a StoreError with its own line, never "unexpected".
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

from followup.store import migrate
from followup.store.failures import (
    ConcurrentUpdate,
    NewerStoreError,
    StoreBusy,
    StoreError,
    explain,
    unavailable,
)

# A TUI and a CLI sync may write at once; wait this long for the other's lock.
BUSY_TIMEOUT_MS = 5_000
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700

__all__ = [
    "ConcurrentUpdate",
    "NewerStoreError",
    "StoreBusy",
    "StoreError",
    "create_store_engine",
    "session_scope",
]


def _tune_sqlite(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_conn.cursor()
    # WAL lets readers (the TUI) run while a writer (a sync) commits.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # NORMAL is durable across application crashes in WAL mode, and much faster than FULL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_file(url: URL) -> Path | None:
    """Return the file of an SQLite URL, or None (in memory, or an URI naming itself)."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def _where(url: URL) -> str:
    """Return how error messages name the store: its file, or its URL without password."""
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database.removeprefix("file:").split("?", 1)[0]
    return url.render_as_string(hide_password=True)


def _make_private(path: Path) -> None:
    """Create the store's missing folders (0700) and an empty database file (0600)."""
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:
            pass
        except OSError as exc:
            raise StoreError(f"cannot create the folder {folder}: {exc.strerror or exc}") from None
    if path.exists():
        return
    try:
        # An empty file is an empty SQLite database; making it here sets its mode.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreError(f"cannot create the store {path}: {exc.strerror or exc}") from None


def _on_error(where: str) -> Any:
    def translate(context: ExceptionContext) -> None:
        found = explain(context.original_exception, where)
        if found is None and context.is_disconnect:
            # A connection the server dropped (a restart) carries no code of its own.
            found = unavailable(where, context.original_exception)
        if found is not None:
            raise found from None

    return translate


def create_store_engine(url: str, *, migrate_schema: bool = True) -> Engine:
    """Return an engine for the store at url, migrated to the latest schema."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"not a database URL: {url!r}") from None
    is_sqlite = parsed.get_backend_name() == "sqlite"
    where = _where(parsed)
    # Error messages and logs never show a statement's parameters: they hold whole
    # post-mortems.
    kwargs: dict[str, Any] = {"hide_parameters": True}
    if is_sqlite:
        file = _sqlite_file(parsed)
        if file is not None:
            _make_private(file)
        # The TUI reads from worker threads; each checks out its own connection.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
    try:
        engine = create_engine(parsed, **kwargs)
    except (ImportError, SQLAlchemyError) as exc:
        raise StoreError(f"cannot use database {parsed.render_as_string()}: {exc}") from None
    event.listen(engine, "handle_error", _on_error(where))
    if is_sqlite:
        event.listen(engine, "connect", _tune_sqlite)
    if migrate_schema:
        try:
            _bring_up_to_date(engine, parsed, kwargs, where)
        except DBAPIError as exc:
            engine.dispose()
            raise StoreError(
                f"cannot open database {parsed.render_as_string()}: {exc.orig}"
            ) from None
        except StoreError:
            engine.dispose()
            raise
    return engine


def _bring_up_to_date(engine: Engine, url: URL, kwargs: dict[str, Any], where: str) -> None:
    """Migrate the schema to the newest revision, all or nothing; quick when it is there."""
    revision = migrate.current_revision(engine)
    if revision == migrate.HEAD:
        return
    migrate.check_known(revision)
    if url.get_backend_name() != "sqlite":
        # PostgreSQL runs DDL inside the transaction engine.begin() opens.
        migrate.upgrade(engine)
        return
    schema = create_engine(url, **kwargs)
    event.listen(schema, "handle_error", _on_error(where))
    event.listen(schema, "connect", _tune_sqlite)
    event.listen(schema, "connect", _no_implicit_transactions)
    event.listen(schema, "begin", _begin_immediate)
    try:
        migrate.upgrade(schema)
    finally:
        schema.dispose()


def _no_implicit_transactions(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
    # Python's sqlite3 runs CREATE TABLE outside any transaction; with this, nothing
    # runs outside the transaction _begin_immediate opens.
    dbapi_conn.isolation_level = None


def _begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except StaleDataError:
            # An item's version moved since it was read: someone else changed it first.
            session.rollback()
            raise ConcurrentUpdate(
                "an item changed in the store while this change was being made "
                "(another followup at work); nothing was saved, try again"
            ) from None
        except BaseException:
            session.rollback()
            raise
