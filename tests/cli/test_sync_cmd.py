"""`followup sync` from the command line: what it prints, its exit codes, --watch and Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from followup.cli import sync_cmd
from followup.errors import InputError
from followup.store import StoreError, db, session_scope
from followup.store.models import RepoSyncRow
from tests.conftest import RunCli
from tests.sync.world import (
    ALERT,
    DOCS,
    PIN,
    SCRATCH,
    fake_clock,
    filed_store,
)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, github_token: str) -> None:
    monkeypatch.setenv("GH_TOKEN", github_token)
    monkeypatch.setenv("FOLLOWUP_MAX_RETRIES", "0")
    monkeypatch.setenv("FOLLOWUP_SYNC_CONCURRENCY", "1")
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def ids(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return filed_store(engine, fake_clock(monkeypatch))


def remember_both(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(RepoSyncRow(repo=SCRATCH, etag='W/"scratch-1"'))
        session.add(RepoSyncRow(repo=DOCS, etag='W/"docs-1"'))


@pytest.mark.vcr
def test_sync_prints_what_changed_and_what_it_cost(run_cli: RunCli, ids: dict[str, str]) -> None:
    result = run_cli("sync")

    assert result.exit_code == 0, result.output
    assert f"{ids[ALERT]}" in result.stdout and f"{ids[PIN]}" in result.stdout
    assert "status: filed → done" in result.stdout
    assert "status: filed → wont_do" in result.stdout
    assert "Protection: 1 item verified" in result.stdout
    assert (
        "Synced 2 of 2 repositories: 3 items changed; 3 requests (0 not modified), "
        "3 rate-limit points." in result.stdout
    )


@pytest.mark.vcr
def test_a_failed_repository_is_named_and_the_exit_code_says_so(
    run_cli: RunCli, ids: dict[str, str], engine: Engine
) -> None:
    remember_both(engine)

    result = run_cli("sync")

    assert result.exit_code == 1
    assert (
        "error: octo-org/followup-scratch: GitHub answered 502 to GET "
        "/repos/octo-org/followup-scratch/issues" in result.stderr
    )
    assert "Synced 1 of 2 repositories: 0 items changed" in result.stdout


def test_rebuild_needs_exactly_one_repository(run_cli: RunCli, ids: dict[str, str]) -> None:
    result = run_cli("sync", "--rebuild")
    assert result.exit_code == 2
    assert "error: --rebuild needs exactly one --repo OWNER/NAME" in result.stderr


def test_a_bad_watch_interval_is_refused(run_cli: RunCli, ids: dict[str, str]) -> None:
    result = run_cli("sync", "--watch", "often")
    assert result.exit_code == 2
    assert "not a duration: 'often'" in result.stderr


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("5m", 300), ("1h30m", 5400), ("2", 120), ("1.5h", 5400)]
)
def test_durations(text: str, seconds: float) -> None:
    assert sync_cmd.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5 minutes", "m5", "5s"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(InputError):
        sync_cmd.parse_duration(text)


def _interrupt_on_round(monkeypatch: pytest.MonkeyPatch, round_number: int) -> list[int]:
    """Press Ctrl-C while the given round runs; return the list of rounds run."""
    rounds: list[int] = []
    real = sync_cmd.sync_all

    def sync_all(*args: Any, **kwargs: Any) -> Any:
        rounds.append(len(rounds) + 1)
        if len(rounds) == round_number:
            os.kill(os.getpid(), signal.SIGINT)
        return real(*args, **kwargs)

    monkeypatch.setattr(sync_cmd, "sync_all", sync_all)
    return rounds


@pytest.mark.vcr
def test_watch_keeps_syncing_until_ctrl_c_then_ends_the_round_and_exits_0(
    run_cli: RunCli, ids: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    remember_both(engine)
    monkeypatch.setattr(sync_cmd, "MIN_WATCH_SECONDS", 0)
    rounds = _interrupt_on_round(monkeypatch, 2)

    result = run_cli("sync", "--watch", "0.05s")

    assert result.exit_code == 0, result.output
    assert rounds == [1, 2]
    assert "stopping after this round" in result.stderr
    # Both rounds finished and were reported: the second was not cut short.
    assert result.stdout.count("Synced 2 of 2 repositories") == 2
    assert "stopped after 2 rounds" in result.stderr


@pytest.mark.vcr
def test_ctrl_c_while_waiting_stops_at_once(
    run_cli: RunCli, ids: dict[str, str], engine: Engine
) -> None:
    remember_both(engine)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        result = run_cli("sync", "--watch", "1h")
    finally:
        timer.cancel()

    assert result.exit_code == 0, result.output
    assert result.stdout.count("Synced 2 of 2 repositories") == 1
    assert "stopped after 1 round" in result.stderr


@pytest.mark.vcr("test_sync_prints_what_changed_and_what_it_cost.yaml")
def test_syncs_json_gives_each_items_changes_and_the_cost(
    run_cli: RunCli, ids: dict[str, str]
) -> None:
    result = run_cli("sync", "--format", "json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["summary"] == {
        "repositories": 2,
        "failed_repositories": 0,
        "items_changed": 3,
        "requests": 3,
        "not_modified": 0,
        "points": 3,
    }
    items = {item["id"]: item for item in report["items"]}
    alert = items[ids[ALERT]]
    assert alert["action"] == "changed"
    assert {"field": "status", "old": "filed", "new": "done"} in [
        {k: c[k] for k in ("field", "old", "new")} for c in alert["changes"]
    ]
    assert alert["issue"] == {"repo": SCRATCH, "number": 12, "url": None}
    assert {r["repo"] for r in report["repos"]} == {SCRATCH, DOCS}
    assert all(r["ok"] and r["reason"] is None for r in report["repos"])
    assert report["protection"]["items"][0]["action"] == "ok"
    assert report["started_at"] <= report["finished_at"]


@pytest.mark.vcr("test_a_failed_repository_is_named_and_the_exit_code_says_so.yaml")
def test_a_failed_repository_in_json(run_cli: RunCli, ids: dict[str, str], engine: Engine) -> None:
    remember_both(engine)

    result = run_cli("sync", "--format", "json")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    failed = [r for r in report["repos"] if not r["ok"]]
    assert [r["repo"] for r in failed] == [SCRATCH]
    assert failed[0]["reason"].startswith("GitHub answered 502")
    assert report["errors"] == [f"{SCRATCH}: {failed[0]['reason']}"]
    assert report["summary"]["failed_repositories"] == 1


@pytest.mark.vcr("test_watch_keeps_syncing_until_ctrl_c_then_ends_the_round_and_exits_0.yaml")
def test_watch_prints_one_json_document_per_round(
    run_cli: RunCli, ids: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    remember_both(engine)
    monkeypatch.setattr(sync_cmd, "MIN_WATCH_SECONDS", 0)
    _interrupt_on_round(monkeypatch, 2)

    result = run_cli("sync", "--watch", "0.05s", "--format", "json")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert [json.loads(line)["command"] for line in lines] == ["sync", "sync"]


def test_sync_takes_repository_urls(run_cli: RunCli, ids: dict[str, str]) -> None:
    result = run_cli("sync", "--rebuild", "-R", f"https://github.com/{SCRATCH}.git", "-R", DOCS)
    assert result.exit_code == 2
    assert "--rebuild needs exactly one --repo" in result.stderr


def _store_fails_in_round_one(
    monkeypatch: pytest.MonkeyPatch, db_url: str, backend: str
) -> list[str]:
    """Make the store fail for real in the first round, then recover; Ctrl-C in the second.

    PostgreSQL: another connection ends every session of the store's database (as a
    restart of the server would), so the round's pooled connection is dead. SQLite:
    another connection holds the write lock for longer than the busy timeout.
    """
    rounds: list[str] = []
    real = sync_cmd.sync_all
    monkeypatch.setattr(sync_cmd, "MIN_WATCH_SECONDS", 0)
    monkeypatch.setattr(sync_cmd, "STORE_RETRY_SECONDS", 0.01, raising=False)
    if backend == "sqlite":
        monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)

    def sync_all(engine: Engine, *args: Any, **kwargs: Any) -> Any:
        rounds.append("round")
        if len(rounds) == 2:
            os.kill(os.getpid(), signal.SIGINT)
            return real(engine, *args, **kwargs)
        if len(rounds) > 2:
            return real(engine, *args, **kwargs)
        if backend == "postgresql":
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))  # the pool now holds a connection
            killer = create_engine(db_url, poolclass=NullPool)
            with killer.connect() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            killer.dispose()
            return real(engine, *args, **kwargs)
        holder = sqlite3.connect(make_url(db_url).database or "")
        holder.execute("BEGIN IMMEDIATE")
        try:
            return real(engine, *args, **kwargs)
        finally:
            holder.rollback()
            holder.close()

    monkeypatch.setattr(sync_cmd, "sync_all", sync_all)
    return rounds


@pytest.mark.vcr("test_watch_keeps_syncing_until_ctrl_c_then_ends_the_round_and_exits_0.yaml")
def test_watch_goes_on_after_the_store_failed_a_round(
    run_cli: RunCli,
    ids: dict[str, str],
    engine: Engine,
    db_url: str,
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    remember_both(engine)
    engine.dispose()
    rounds = _store_fails_in_round_one(monkeypatch, db_url, backend)

    result = run_cli("sync", "--watch", "0.05s")

    assert result.exit_code == 0, result.output
    assert len(rounds) == 2
    failed = [line for line in result.stderr.splitlines() if "this round failed" in line]
    assert len(failed) == 1, result.stderr
    assert failed[0].startswith("error: ") and "trying again at" in failed[0], failed
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.stdout.count("Synced 2 of 2 repositories") == 1
    assert "stopped after 2 rounds" in result.stderr


def test_watch_ends_on_a_store_error_that_will_not_pass(
    run_cli: RunCli, ids: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_cmd, "MIN_WATCH_SECONDS", 0)

    def full(*_args: Any, **_kwargs: Any) -> Any:
        raise StoreError("the disk that holds the store is full; free some space and run again")

    monkeypatch.setattr(sync_cmd, "sync_all", full)

    result = run_cli("sync", "--watch", "0.05s")

    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: the disk that holds the store is full; free some space and run again"
    )


@pytest.mark.sqlite_only("a file that is no database")
def test_watch_ends_at_once_on_a_store_that_cannot_be_opened(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_cmd, "MIN_WATCH_SECONDS", 0)
    garbage = tmp_path / "notes.db"
    garbage.write_bytes(b"these are my notes, not a database" * 100)

    result = run_cli("--db", f"sqlite:///{garbage}", "sync", "--watch", "0.05s", "--format", "json")

    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "is not a followup store" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False and "is not a followup store" in document["errors"][0]
