"""Accept, dismiss, forget, write-back and a rename's record run again when another writer
wins a race with them, deciding on the rows as they are then; or say why they did not act.

As in test_concurrency_writers.py, the other writer runs on an engine of its own, at the
worst moment of the one under test: right before its first write, when it has read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Engine, event, make_url
from sqlmodel import col, select

from followup.github.client import GitHub
from followup.github.repos import RepoInfo
from followup.store import create_store_engine, db, retry, session_scope
from followup.store.failures import ConcurrentUpdate
from followup.store.models import IssueRow, ItemRow, PostMortemRow, RepoIdentityRow
from followup.store.repo_identity import record_identity
from followup.sync import filing_writeback, renames
from followup.sync.edits import set_priority
from followup.sync.filing import file_items
from followup.sync.forget import forget
from followup.sync.importing import import_files
from followup.sync.progress import SilentProgress
from followup.sync.suggestions import accept, dismiss
from tests.fakegithub import LOOPBACK, FakeGitHub
from tests.faults import racing
from tests.sync.world import NOW


def _items(engine: Engine, tmp_path: Path, count: int = 2) -> list[str]:
    path = racing.write_postmortem(tmp_path, count)
    import_files(engine, [path], default_repo=racing.REPO)
    with session_scope(engine) as session:
        rows = session.exec(select(ItemRow).order_by(col(ItemRow.position))).all()
        return [row.id for row in rows]


def _item(engine: Engine, item_id: str) -> ItemRow:
    with session_scope(engine) as session:
        found = session.get(ItemRow, item_id)
        assert found is not None
        return found


def _suggest(engine: Engine, item_id: str) -> None:
    with session_scope(engine) as session:
        row = session.get(ItemRow, item_id)
        assert row is not None
        row.status = "suggested"


def _before_first_write(engine: Engine, action: Callable[[], object]) -> list[str]:
    """Run action once, right before the engine's first write (it has read by then)."""
    seen: list[str] = []

    def before(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            seen.append(statement)
            if len(seen) == 1:
                action()

    event.listen(engine, "before_cursor_execute", before)
    return seen


# -- accept and dismiss


def test_a_suggestion_edited_while_it_is_accepted_is_accepted_and_keeps_the_edit(
    engine: Engine, other: Engine, tmp_path: Path
) -> None:
    first, _ = _items(engine, tmp_path)
    _suggest(engine, first)
    writes = _before_first_write(engine, lambda: set_priority(other, None, first, "P0"))

    (decision,) = accept(engine, [first])

    assert writes
    assert (decision.before, decision.after) == ("suggested", "open")
    after = _item(engine, first)
    assert (after.status, after.priority) == ("open", "P0")


def test_a_suggestion_accepted_while_it_is_dismissed_stays_accepted_and_says_so(
    engine: Engine, other: Engine, tmp_path: Path
) -> None:
    """Dismissing decides again on the fresh row: someone accepted the item meanwhile, so
    it is left open, and the decision says why, as it would have a moment later."""
    first, _ = _items(engine, tmp_path)
    _suggest(engine, first)
    _before_first_write(engine, lambda: accept(other, [first]))

    (decision,) = dismiss(engine, [first])

    assert (decision.changed, decision.reason) == (
        False,
        "not a suggestion (it is open); close it as won't do instead",
    )
    assert _item(engine, first).status == "open"


def test_a_suggestion_edited_before_every_attempt_is_a_one_line_conflict(
    engine: Engine, other: Engine, tmp_path: Path
) -> None:
    """Another writer that wins every race: accept gives up with one line, nothing saved."""
    first, _ = _items(engine, tmp_path)
    _suggest(engine, first)
    priorities = iter(["P0", "P1", "P2", "P3"] * 3)

    def before(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            set_priority(other, None, first, next(priorities))

    event.listen(engine, "before_cursor_execute", before)

    with pytest.raises(ConcurrentUpdate) as raised:
        accept(engine, [first])

    assert "\n" not in str(raised.value) and "nothing was saved" in str(raised.value)
    assert _item(engine, first).status == "suggested"


# -- forget


@pytest.mark.sqlite_only("SQLite's write lock held by another connection")
def test_forget_runs_again_once_a_writer_holding_the_store_lets_go(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _items(engine, tmp_path)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    forgetting = create_store_engine(db_url)
    holder = sqlite3.connect(make_url(db_url).database or "")
    holder.execute("BEGIN IMMEDIATE")
    waited: list[bool] = []
    wait = retry.wait_for_writer

    def let_go(engine_: Engine) -> None:
        # The other writer commits while forget waits for it.
        if not waited:
            holder.rollback()
            waited.append(True)
        wait(engine_)

    monkeypatch.setattr(retry, "wait_for_writer", let_go)
    try:
        gone = forget(forgetting, [racing.SLUG])
    finally:
        holder.close()
        forgetting.dispose()

    assert waited == [True]
    assert [g.slug for g in gone] == [racing.SLUG]
    with session_scope(engine) as session:
        assert session.exec(select(PostMortemRow)).all() == []


# -- write-back


@LOOPBACK
def test_an_item_edited_while_its_reference_is_written_back_keeps_the_edit(
    engine: Engine,
    other: Engine,
    tmp_path: Path,
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The run wrote the references into the file and imports it again; a person gives
    an item a priority between that import's read and its write. The import runs again
    on the edited item: the references are stored, the edit kept, no warning."""
    if backend == "sqlite":
        pytest.skip("SQLite's import holds the write lock before its first read: no edit lands")
    first, second = _items(engine, tmp_path)
    real = filing_writeback.import_postmortem  # type: ignore[attr-defined]
    edited: list[str] = []
    importing_now: list[bool] = []

    def edit(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        # The import has read the items and writes its first row: the edit lands now.
        if importing_now and not edited and statement.lstrip().upper().startswith("UPDATE"):
            set_priority(other, None, first, "P0")
            edited.append(first)

    def importing(*args: Any, **kwargs: Any) -> Any:
        importing_now.append(True)
        try:
            return real(*args, **kwargs)
        finally:
            importing_now.clear()

    event.listen(engine, "before_cursor_execute", edit)
    monkeypatch.setattr(filing_writeback, "import_postmortem", importing)
    with FakeGitHub() as fake:
        racing.arrange(fake)
        report = file_items(
            engine,
            fake.client("A"),
            default_repo=racing.REPO,
            write_back=True,
            progress=SilentProgress(),
        )

    assert edited == [first]
    assert report.warnings == (), report.warnings
    assert [added for _, added in report.written_back] == [2]
    for item_id in (first, second):
        refs = _item(engine, item_id).references or []
        assert [r["number"] for r in refs] == [_issue_number(engine, item_id)]
    assert _item(engine, first).priority == "P0"


def _issue_number(engine: Engine, item_id: str) -> int:
    with session_scope(engine) as session:
        item = session.get(ItemRow, item_id)
        assert item is not None
        issue = session.get(IssueRow, item.issue_id)
        assert issue is not None
        return issue.number


# -- a repository's first rename


class _Moved:
    """A client that followed one redirect (the only part of GitHub record_moves reads)."""

    def __init__(self) -> None:
        self.moved = {"octo-org/old-app": 42}


def test_two_runs_recording_a_rename_at_once_both_end_well(
    engine: Engine, other: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both runs saw octo-org/old-app redirected; the other one stores the new name right
    before this one inserts the same row. This one runs again and finds it."""
    monkeypatch.setattr(
        renames, "get_repository", lambda _client, _name: RepoInfo(42, "octo-org/app")
    )

    def other_records() -> None:
        retry.write(
            other,
            lambda session: record_identity(session, "octo-org/old-app", 42, "octo-org/app", NOW),
        )

    writes = _before_first_write(engine, other_records)

    notes = renames.record_moves(engine, [cast(GitHub, _Moved())])

    assert writes
    assert notes == []  # the other run recorded it first, and says so itself
    with session_scope(engine) as session:
        rows = session.exec(select(RepoIdentityRow)).all()
        assert [(r.name, r.repo_id, r.current) for r in rows] == [
            ("octo-org/old-app", 42, "octo-org/app")
        ]
