"""The store under faults: each one is its own one-line error, and nothing is half-made.

Before: a disk filling up while a new store was created left it unopenable for good
("table github_issue already exists"); a corrupted, truncated, read-only or newer-schema
database gave exit 70 "unexpected ..."; the database and its folder were created
0644/0755 though they hold whole post-mortems; `followup config` printed a PostgreSQL
password.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from followup.cli import cli
from followup.config import mask_url
from followup.store import StoreError, create_store_engine, db, migrate, session_scope
from followup.store.failures import explain
from followup.store.models import RepoSyncRow
from tests.conftest import GH_PAGES

PAGE = 4096


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_error_line(result: Result) -> str:
    """Return the single error line a failed command printed, checking it is just one."""
    assert result.exit_code not in (0, 70), result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "unexpected" not in lines[0]
    return lines[0]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Return the path of a store holding the gh-pages example's items."""
    path = tmp_path / "store.db"
    assert run("--db", f"sqlite:///{path}", "import", str(GH_PAGES)).exit_code == 0
    return path


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


# -- creating a store ---------------------------------------------------------------


def test_a_disk_that_fills_while_a_store_is_created_leaves_it_openable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    tune = db._tune_sqlite

    def small_disk(dbapi_conn: Any, record: Any) -> None:
        tune(dbapi_conn, record)
        # Room for a few tables, not for the whole schema: SQLite answers SQLITE_FULL.
        dbapi_conn.execute("PRAGMA max_page_count = 8")

    monkeypatch.setattr(db, "_tune_sqlite", small_disk)
    with pytest.raises(StoreError, match=r"is full \(database or disk is full\)"):
        create_store_engine(url)
    monkeypatch.undo()

    engine = create_store_engine(url)
    assert migrate.current_revision(engine) == migrate.HEAD
    assert {"github_issue", "action_item", "repo_identity"} <= set(
        inspect(engine).get_table_names()
    )


def test_a_half_made_schema_is_never_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    tune = db._tune_sqlite
    monkeypatch.setattr(
        db,
        "_tune_sqlite",
        lambda conn, record: (tune(conn, record), conn.execute("PRAGMA max_page_count = 8")),
    )
    with pytest.raises(StoreError):
        create_store_engine(url)
    monkeypatch.undo()
    engine = create_store_engine(url, migrate_schema=False)
    assert inspect(engine).get_table_names() == []  # all or nothing: nothing


def test_the_store_and_its_folder_are_private(isolated_home: Path, umask: None) -> None:
    assert run("list").exit_code == 0
    folder = isolated_home / ".local" / "share" / "followup"
    database = folder / "followup.db"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    for companion in (folder / "followup.db-wal", folder / "followup.db-shm"):
        if companion.exists():
            assert stat.S_IMODE(companion.stat().st_mode) == 0o600
    # Every folder followup had to make is private too.
    assert stat.S_IMODE((isolated_home / ".local").stat().st_mode) == 0o700


def test_an_existing_folder_keeps_its_mode(tmp_path: Path, umask: None) -> None:
    tmp_path.chmod(0o755)
    assert run("--db", f"sqlite:///{tmp_path / 'store.db'}", "list").exit_code == 0
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "store.db").stat().st_mode) == 0o600


# -- opening a damaged or foreign store -------------------------------------------------


def test_a_file_that_is_not_a_database_says_so(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    path.write_bytes(os.urandom(3 * PAGE))
    line = one_error_line(run("--db", f"sqlite:///{path}", "list"))
    assert line == (
        f"error: {path} is not a followup store, or it is damaged (file is not a database); "
        "move it away or point --db elsewhere"
    )


def test_a_truncated_store_says_it_is_damaged(store: Path) -> None:
    with store.open("r+b") as handle:
        handle.truncate(2 * PAGE)
    line = one_error_line(run("--db", f"sqlite:///{store}", "list"))
    assert line.startswith(f"error: the store {store} is damaged (")
    assert line.endswith("restore it from a backup, or move it away and import again")


def test_a_read_only_store_says_so(store: Path) -> None:
    # Opened read-only by SQLite itself, as a 0444 file is for anyone but root.
    url = f"sqlite:///file:{store}?mode=ro&uri=true"
    assert run("--db", url, "list").exit_code == 0  # reading is fine
    line = one_error_line(run("--db", url, "import", str(GH_PAGES), "--repo", "octo/x"))
    assert line.startswith(f"error: the store {store} is read-only (")
    assert line.endswith("followup needs to write to it and to its folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files")
def test_a_read_only_file_says_so(store: Path) -> None:
    store.chmod(0o444)
    try:
        line = one_error_line(run("--db", f"sqlite:///{store}", "import", str(GH_PAGES)))
    finally:
        store.chmod(0o600)
    assert "is read-only" in line


@pytest.fixture
def populated(db_url: str) -> str:
    """Return the URL of a store (on the test's backend) holding the example's items."""
    assert run("--db", db_url, "import", str(GH_PAGES)).exit_code == 0
    return db_url


def test_a_store_from_a_newer_followup_says_to_upgrade(populated: str) -> None:
    engine = create_store_engine(populated)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_future'")
    engine.dispose()
    line = one_error_line(run("--db", populated, "list"))
    assert line == (
        "error: this store was written by a newer followup (revision 0099_future); upgrade followup"
    )


def test_an_older_store_is_brought_up_to_date(populated: str) -> None:
    engine = create_store_engine(populated)
    # Back to the first schema, every later migration undone as Alembic would.
    from alembic import command

    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    assert "repo_identity" not in inspect(engine).get_table_names()
    engine.dispose()
    assert run("--db", populated, "list").exit_code == 0
    again = create_store_engine(populated)
    assert migrate.current_revision(again) == migrate.HEAD
    with session_scope(again) as session:
        assert session.get(RepoSyncRow, "nothing") is None
    again.dispose()


# -- secrets in settings --------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (
            "postgresql+psycopg://ana:s3cr%40t@db.example:5432/followup",
            "postgresql+psycopg://ana:***@db.example:5432/followup",
        ),
        (
            "postgresql://db.example/followup?user=ana&password=s3cret&sslmode=require",
            "postgresql://db.example/followup?user=ana&password=***&sslmode=require",
        ),
        ("sqlite:////home/ana/followup.db", "sqlite:////home/ana/followup.db"),
        ("postgresql://ana@db.example/followup", "postgresql://ana@db.example/followup"),
    ],
)
def test_a_password_in_a_database_url_is_masked(url: str, masked: str) -> None:
    assert mask_url(url) == masked


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_config_never_prints_the_database_password(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    url = "postgresql+psycopg://ana:s3cret@db.example/followup"
    result = run("--db", url, "config", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output
    if fmt == "json":
        shown = json.loads(result.stdout)["database_url"]["value"]
        assert shown == "postgresql+psycopg://ana:***@db.example/followup"
    else:
        assert "postgresql+psycopg://ana:***@db.example/followup" in result.stdout


class _DriverError(Exception):
    """A driver's exception as psycopg raises it: a message and an SQLSTATE."""

    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "says"),
    [
        ("25006", "is read-only (cannot execute INSERT in a read-only transaction)"),
        ("53100", "is full (cannot execute INSERT in a read-only transaction)"),
        ("XX001", "is damaged ("),
        ("40P01", "is busy"),
        ("40001", "the store changed while this change was being made"),
    ],
)
def test_postgresql_failures_get_their_own_line(sqlstate: str, says: str) -> None:
    failure = explain(
        _DriverError("cannot execute INSERT in a read-only transaction", sqlstate),
        "postgresql://ana:***@db/followup",
    )
    assert failure is not None and says in str(failure)


def test_other_failures_are_left_as_they_are() -> None:
    assert explain(_DriverError("violates foreign key constraint", "23503"), "store") is None


def test_two_runs_writing_the_same_rows_never_show_them() -> None:
    # The driver's message quotes the row (a whole post-mortem); the line never does.
    failure = explain(_DriverError("duplicate key (slug)=(secret text)", "23505"), "store")
    assert failure is not None
    assert "at the same time" in str(failure) and "secret" not in str(failure)
    # Still a conflict to code that claims a row by inserting it (store/claims.py).
    assert isinstance(failure, IntegrityError)
