"""Write transactions that survive other writers: run again on a conflict, then report.

Two followups share a store (two TUIs, a `sync --watch`, a CLI command): each item row
carries a version that every update checks and bumps, so a writer that read an item
before someone else changed it fails instead of overwriting the change. `write` runs
such a transaction again from the start, reading the item afresh, a few times; if it
still collides, the user gets a one-line error and nothing is saved.

The version guards the item, not what the writer decided from the rows it read beside
it (the issue row's state and GitHub's time of it). So every read of such a transaction
sees one moment of the store, and a write of any row changed since that moment fails
too, with ConcurrentUpdate, and runs again: on PostgreSQL the transaction runs at
REPEATABLE READ (a serialization failure); on SQLite it begins before its first read
(Python's sqlite3 begins only at the first write, each read before it seeing the store
as of that read) and cannot write on a snapshot another writer has moved past. Without
this, a poll that read an issue open, then its items after a close had been stored,
wrote its older view of the issue over the close's answer, and the sync's next look at
the issue reopened the item (tests/sync/test_concurrency.py).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session

from followup.store.db import ConcurrentUpdate, session_scope
from followup.store.failures import StoreBusy, StoreConflict

T = TypeVar("T")

ATTEMPTS = 5
# PostgreSQL's serialization failure and deadlock: the transaction may simply run again.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def is_conflict(exc: BaseException) -> bool:
    """Tell whether a failed transaction lost a race and may be run again."""
    if isinstance(exc, ConcurrentUpdate | StoreBusy | StoreConflict):
        # The engine already named a lock or deadlock (StoreBusy), a write on a
        # snapshot another writer had moved past (ConcurrentUpdate), or a new row another
        # writer inserted first (StoreConflict: run again, the work finds it).
        return True
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        if getattr(orig, "sqlstate", None) in _RETRYABLE_SQLSTATES:
            return True
        # SQLite's busy timeout ran out while another connection held the write lock.
        return "database is locked" in str(orig)
    return False


def write(
    engine: Engine,
    work: Callable[[Session], T],
    *,
    attempts: int = ATTEMPTS,
    snapshot: bool = True,
) -> T:
    """Run work in a transaction and commit; on a conflict run it again, from a fresh read.

    work must touch nothing but the session: it may run more than once. snapshot=False
    is for work that takes a lock of its own first (store/locks.exclusive): a snapshot
    taken as the transaction begins would predate the wait for it.
    """
    for attempt in range(1, attempts + 1):
        try:
            with session_scope(engine) as session:
                if snapshot:
                    one_snapshot(session)
                return work(session)
        except (ConcurrentUpdate, StoreBusy, DBAPIError) as exc:
            if not is_conflict(exc):
                raise
            if attempt == attempts:
                if not isinstance(exc, DBAPIError) or isinstance(exc, StoreConflict):
                    raise  # already one line for the user
                raise ConcurrentUpdate(
                    f"the store stayed busy with other writers ({exc.orig}); "
                    "nothing was saved, try again"
                ) from None
            if isinstance(exc, StoreBusy):
                wait_for_writer(engine)
            # A little jitter, so two losers do not collide again in step.
            time.sleep(random.uniform(0, 0.02 * attempt))
    raise AssertionError("unreachable")


def one_snapshot(session: Session) -> None:
    """Begin the session's transaction so that all its reads see one moment of the store."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    elif dialect == "sqlite":
        # Deferred: readers and the write lock are taken only when needed, as before.
        session.connection().exec_driver_sql("BEGIN")


def wait_for_writer(engine: Engine) -> None:
    """Wait, as long as the store's busy timeout, until no other writer holds SQLite's lock.

    A transaction that has read cannot wait for the lock when it comes to write (SQLite
    answers busy at once, lest two such readers wait for each other): waiting here,
    holding nothing, keeps a TUI's edit from failing while an import or a sync writes.
    PostgreSQL's writers wait for each other's rows by themselves.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        conn.rollback()


def claim(row: object) -> None:
    """Make the transaction's commit check and bump this row's version even if unchanged.

    For writes that depend on an item without changing it (a waiting edit of its issue):
    a concurrent change of the item then makes one of them run again.
    """
    flag_modified(row, "updated_at")
