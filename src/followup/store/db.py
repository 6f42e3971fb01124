"""Open the store: build the engine, tune SQLite, bring the schema up to date."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

from followup.errors import FollowupError
from followup.store import migrate

# A TUI and a CLI sync may write at once; wait this long for the other's lock.
BUSY_TIMEOUT_MS = 5_000


class StoreError(FollowupError):
    """Report a store that cannot be opened or written."""


class ConcurrentUpdate(StoreError):
    """Report a write that lost a race with another writer of the same item."""


def _tune_sqlite(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_conn.cursor()
    # WAL lets readers (the TUI) run while a writer (a sync) commits.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # NORMAL is durable across application crashes in WAL mode, and much faster than FULL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_store_engine(url: str, *, migrate_schema: bool = True) -> Engine:
    """Return an engine for the store at url, migrated to the latest schema."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"not a database URL: {url!r}") from None
    is_sqlite = parsed.get_backend_name() == "sqlite"
    kwargs: dict[str, Any] = {}
    if is_sqlite:
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # The TUI reads from worker threads; each checks out its own connection.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
    try:
        engine = create_engine(parsed, **kwargs)
    except (ImportError, SQLAlchemyError) as exc:
        raise StoreError(f"cannot use database {parsed.render_as_string()}: {exc}") from None
    if is_sqlite:
        event.listen(engine, "connect", _tune_sqlite)
    if migrate_schema:
        try:
            migrate.upgrade(engine)
        except OperationalError as exc:
            engine.dispose()
            raise StoreError(
                f"cannot open database {parsed.render_as_string()}: {exc.orig}"
            ) from None
    return engine


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
