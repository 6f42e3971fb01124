"""The store's locks: runs on one store take turns, and a killed run never blocks the next.

Each case runs on SQLite (an flock beside the database) and on PostgreSQL (advisory
locks), through conftest's backend parameter.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from followup import postmortem
from followup.store import create_store_engine, session_scope
from followup.store.importer import import_all
from followup.store.locks import LockTimeout, StoreLock, lock_number
from followup.sync.importing import import_files
from tests.conftest import GH_PAGES


@pytest.fixture
def store_url(db_url: str) -> str:
    """Return the URL of a fresh store on the test's backend (conftest's db_url)."""
    return db_url


@pytest.fixture
def store(store_url: str) -> Iterator[Engine]:
    engine = create_store_engine(store_url)
    yield engine
    engine.dispose()


@pytest.fixture
def key() -> str:
    # Advisory locks belong to the database, not the schema: tests running at once
    # on one server use keys of their own.
    return f"octo-org/app-{uuid.uuid4().hex[:8]}"


def test_a_second_run_waits_says_so_then_gets_the_lock(store: Engine, key: str) -> None:
    notes: list[str] = []
    order: list[str] = []
    holding = threading.Event()

    def first() -> None:
        with StoreLock(store).locked(key):
            holding.set()
            time.sleep(0.4)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(10)
    with StoreLock(store, on_wait=notes.append).locked(key):
        order.append("second in")
    thread.join()

    assert order == ["first done", "second in"]
    assert notes == [
        f"another followup run is working on {key} in this store; waiting for it "
        "(at most 10 minutes)"
    ]


def test_other_keys_do_not_wait_and_the_lock_is_reentrant(store: Engine, key: str) -> None:
    lock = StoreLock(store, timeout=0.2)
    with lock.locked(key), lock.locked(key), StoreLock(store, timeout=0.2).locked(key + "-b"):
        pass
    with StoreLock(store, timeout=0.2).locked(key):  # released: free for anyone again
        pass


def test_waiting_too_long_is_a_clear_error(store: Engine, key: str) -> None:
    with (
        StoreLock(store).locked(key),
        pytest.raises(LockTimeout) as caught,
        StoreLock(store, timeout=0.3).locked(key),
    ):
        pass
    assert str(caught.value) == (
        f"another followup run has been working on {key} in this store for more than 0.3 s; "
        "run again once it has finished (or raise lock_timeout)"
    )


HOLD = """
import sys, time
from followup.store import create_store_engine
from followup.store.locks import StoreLock
engine = create_store_engine(sys.argv[1])
with StoreLock(engine).locked(sys.argv[2]):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_run_killed_with_sigkill_releases_the_lock(store_url: str, key: str) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, store_url, key], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        engine = create_store_engine(store_url)
        with pytest.raises(LockTimeout), StoreLock(engine, timeout=0.2).locked(key):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        with StoreLock(engine, timeout=10).locked(key):
            pass
        engine.dispose()
    finally:
        holder.kill()
        holder.wait(10)


def test_two_imports_of_one_new_post_mortem_take_turns(store_url: str) -> None:
    # The first import holds its transaction open after writing; the second, started
    # meanwhile, must wait and then find the document stored, not insert it again.
    first_engine = create_store_engine(store_url)
    second_engine = create_store_engine(store_url)
    doc = postmortem.read(GH_PAGES, default_repo="octo-org/app")
    written = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with session_scope(first_engine) as session:
                import_all(session, [doc])
                session.flush()
                written.set()
                release.wait(10)
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    assert written.wait(10)
    threading.Timer(0.3, release.set).start()
    report = import_files(second_engine, [GH_PAGES], default_repo="octo-org/app")
    thread.join()

    assert errors == []
    assert [r.unchanged for r in report.results] == [True]
    first_engine.dispose()
    second_engine.dispose()


def test_lock_numbers_are_stable_and_signed_64_bit() -> None:
    assert lock_number("octo-org/app") == lock_number("octo-org/app")
    assert lock_number("octo-org/app") != lock_number("octo-org/docs")
    assert -(2**63) <= lock_number("import") < 2**63
