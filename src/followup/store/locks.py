"""Keep two followup runs on one store from doing the same work at once.

Two locks, for two lengths of work:

- StoreLock.locked(key) holds a lock across a whole piece of work that talks to GitHub
  (filing the items of one repository, converging its duplicates). Another run that
  wants the same key waits, says so once, and gives up with a clear error after its
  timeout. It is the RunLock that sync/run_control.py's RunControl carries.
  - SQLite: an flock on a file per key in the folder `<database>.locks/` beside the
    database. The kernel releases it when the process ends, kill -9 included. flock,
    not fcntl's record locks: those belong to the process, so two threads (the TUI's
    worker and anything else in it) would not exclude each other.
  - PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) on a number
    derived from the key, held on a connection of its own; the server releases it when
    that connection ends, however the process died.
  - A store in memory: a lock in this process.
  The lock is re-entrant within a thread, so converging inside a filing run that holds
  the repository's lock does not wait for itself.
- exclusive(session, key) makes the session's transaction the only writer of its kind
  until it ends: BEGIN IMMEDIATE on SQLite (which takes the database's write lock at
  once, before the transaction reads anything), pg_advisory_xact_lock on PostgreSQL.
  Imports use it, so that two runs importing the same new post-mortem take turns
  instead of both inserting it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, text
from sqlmodel import Session

from followup.store.failures import StoreError

DEFAULT_TIMEOUT = 600.0
POLL_INTERVAL = 0.05
MAX_POLL_INTERVAL = 0.5


class LockTimeout(StoreError):
    """Another run held a lock for longer than this run would wait."""


def lock_number(key: str) -> int:
    """Return the signed 64-bit number PostgreSQL's advisory locks take for a key."""
    digest = hashlib.sha256(f"followup:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _file_name(key: str) -> str:
    readable = "".join(c if c.isalnum() or c in "-_." else "_" for c in key)[:60]
    return f"{readable}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.lock"


class _Backend(Protocol):
    def try_acquire(self, key: str) -> Any | None:
        """Take the lock if it is free; return what releases it, or None."""

    def release(self, handle: Any) -> None:
        """Release a lock taken by try_acquire."""


class _FileLocks:
    """flock on one file per key, in a private folder beside the database."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def try_acquire(self, key: str) -> int | None:
        try:
            self.folder.mkdir(mode=0o700, exist_ok=True)
            fd = os.open(self.folder / _file_name(key), os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(
                f"cannot lock the store: {self.folder}: {exc.strerror or exc}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except OSError:
            os.close(fd)
            raise
        return fd

    def release(self, handle: Any) -> None:
        # Closing the file releases the lock; the file stays for the next run.
        os.close(handle)


class _AdvisoryLocks:
    """PostgreSQL advisory locks, each on its own connection."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def try_acquire(self, key: str) -> tuple[Connection, int] | None:
        number = lock_number(key)
        conn = self.engine.connect()
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:n)"), {"n": number}).scalar()
            conn.commit()  # the lock outlives the transaction: never idle in one
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            return None
        return conn, number

    def release(self, handle: Any) -> None:
        conn, number = handle
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:n)"), {"n": number})
            conn.commit()
        finally:
            # A connection that failed is discarded by the pool, and the server releases
            # its locks when the connection ends.
            conn.close()


class _ProcessLocks:
    """Locks inside this process, for a store no other process can open."""

    _guard = threading.Lock()
    _held: set[tuple[int, str]] = set()  # noqa: RUF012 (one set for every instance, on purpose)

    def __init__(self, engine: Engine) -> None:
        self.scope = id(engine)

    def try_acquire(self, key: str) -> tuple[int, str] | None:
        with self._guard:
            if (self.scope, key) in self._held:
                return None
            self._held.add((self.scope, key))
            return self.scope, key

    def release(self, handle: Any) -> None:
        with self._guard:
            self._held.discard(handle)


def _sqlite_file(engine: Engine) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def _backend(engine: Engine) -> _Backend:
    name = engine.url.get_backend_name()
    if name == "postgresql":
        return _AdvisoryLocks(engine)
    if name == "sqlite":
        file = _sqlite_file(engine)
        if file is not None:
            return _FileLocks(file.with_name(file.name + ".locks"))
    return _ProcessLocks(engine)


def _describe(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:g} s"
    return f"{seconds / 60:g} minutes"


class StoreLock:
    """A lock per key on a store, shared by every process that opens it (see module doc)."""

    def __init__(
        self,
        engine: Engine,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        on_wait: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout = timeout
        self._backend = _backend(engine)
        self._on_wait = on_wait
        self._sleep = sleep
        self._monotonic = monotonic
        self._local = threading.local()

    def _held(self) -> dict[str, tuple[Any, int]]:
        held: dict[str, tuple[Any, int]] | None = getattr(self._local, "held", None)
        if held is None:
            held = self._local.held = {}
        return held

    @contextmanager
    def locked(self, key: str) -> Iterator[None]:
        """Hold the lock for key while the block runs; wait for another run to release it."""
        held = self._held()
        if key in held:
            handle, depth = held[key]
            held[key] = (handle, depth + 1)
            try:
                yield
            finally:
                handle, depth = held[key]
                held[key] = (handle, depth - 1)
            return
        handle = self._acquire(key)
        held[key] = (handle, 1)
        try:
            yield
        finally:
            del held[key]
            self._backend.release(handle)

    def _acquire(self, key: str) -> Any:
        handle = self._backend.try_acquire(key)
        if handle is not None:
            return handle
        if self._on_wait is not None:
            self._on_wait(
                f"another followup run is working on {key} in this store; waiting for it "
                f"(at most {_describe(self.timeout)})"
            )
        deadline = self._monotonic() + self.timeout
        pause = POLL_INTERVAL
        while True:
            left = deadline - self._monotonic()
            if left <= 0:
                raise LockTimeout(
                    f"another followup run has been working on {key} in this store for more "
                    f"than {_describe(self.timeout)}; run again once it has finished "
                    "(or raise lock_timeout)"
                )
            self._sleep(min(pause, left))
            pause = min(pause * 2, MAX_POLL_INTERVAL)
            handle = self._backend.try_acquire(key)
            if handle is not None:
                return handle


def exclusive(session: Session, key: str) -> None:
    """Make the session's transaction the only one holding key until it ends (module doc)."""
    conn = session.connection()
    name = conn.dialect.name
    if name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": lock_number(key)})
        return
    if name == "sqlite":
        raw = conn.connection.dbapi_connection
        # Once a transaction has written it holds the write lock already; BEGIN only
        # when none is open (Python's sqlite3 opens one at the first write, not at reads).
        if raw is not None and not getattr(raw, "in_transaction", True):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


__all__ = ["DEFAULT_TIMEOUT", "LockTimeout", "StoreLock", "exclusive", "lock_number"]
