"""The first rows read through the database driver: the same rows the full load then shows.

`followup tui` on a store that needs nothing done first reads its first page without
SQLAlchemy (tui/first_page.py, store/direct_items.py's first_items) and opens the engine once
those rows are drawn; any other store is opened first, as `followup list` does.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text
from sqlmodel import select

from followup.config import Settings
from followup.store import create_store_engine, session_scope
from followup.store.models import ItemRow, PostMortemRow
from followup.store.queries import ItemFilter, iter_items
from followup.store.views import GitHubIssueLink, IssueLink, ItemView
from followup.sync.policy import refresh_deadlines
from followup.tui import first_page, loading
from followup.tui import store as tui_store
from followup.tui.app import FollowupApp, make_app
from followup.tui.messages import ItemsLoaded
from followup.tui.screens.choice import ChoiceScreen
from followup.tui.widgets.items_table import ItemsTable

from .conftest import LOADTEST, PROTECT, RUNBOOK, TODAY, NoGitHub, ids, row, settle

VERIFIED = datetime(2020, 1, 14, 9, 30, tzinfo=UTC)
POLICY = Settings().policy.key


@pytest.fixture
def store(store: Engine) -> Engine:
    """Return the test store with its deadlines worked out, as a store in use has them."""
    refresh_deadlines(store, Settings().policy)
    return store


def reader(db_url: str) -> first_page.DirectFirstPage:
    """Return the direct reader of a store that must be readable directly."""
    found = first_page.open_direct(db_url, POLICY)
    assert found is not None, "the store should be readable directly"
    return found


@pytest.mark.parametrize("limit", [2, 4, 100])
def test_the_direct_first_page_is_the_ordinary_one(store: Engine, db_url: str, limit: int) -> None:
    with session_scope(store) as session:
        guard = session.exec(select(ItemRow).where(ItemRow.title == PROTECT)).one()
        guard.verified_at = VERIFIED
    ordinary = tui_store.read_items(store, today=TODAY, limit=limit)
    direct = reader(db_url)(limit)
    assert direct is not None
    # Every field: order, statuses, issues with their sync times, protections, paths.
    assert direct == ordinary
    assert len(direct) == min(limit, len(tui_store.read_items(store, today=TODAY)))
    if limit == 100:
        by_title = {i.title: i for i in direct}
        assert by_title[PROTECT].verified_at == VERIFIED
        assert by_title[PROTECT].protection is not None
        runbook = by_title[RUNBOOK].issue
        assert runbook is not None and runbook.synced_at is not None


def test_loaded_items_share_repeated_values_and_equal_the_views_as_read(store: Engine) -> None:
    with session_scope(store) as session:
        as_read = list(iter_items(session, ItemFilter(), today=TODAY, brief=True))
    names: dict[Any, Any] = {}
    items = tui_store.read_items(store, today=TODAY, names=names)
    pms = tui_store.read_postmortems(store, today=TODAY, names=names)
    # Field for field what the store gives, issue URLs included (the sync times aside).
    for item in items:
        if item.issue is not None:
            item.issue.synced_at = None
    assert items == as_read
    runbook = next(i for i in items if i.title == RUNBOOK)
    assert isinstance(runbook.issue, GitHubIssueLink)
    assert runbook.issue.url == "https://github.com/octo-org/followup-scratch/issues/7"
    # One object for each value, shared by the items and the post-mortems.
    for pm in pms:
        mine = [i for i in items if i.postmortem == pm.slug]
        assert len(mine) > 1
        for item in mine:
            assert item.postmortem is pm.slug
            assert item.postmortem_title is pm.title
            assert item.source_path is mine[0].source_path
    for a in items:
        for b in items:
            for value in ("owner", "status", "repo", "due", "policy_due", "kind"):
                if getattr(a, value) == getattr(b, value):
                    assert getattr(a, value) is getattr(b, value), value


def test_compact_keeps_one_object_for_each_value_the_views_repeat(store: Engine) -> None:
    with session_scope(store) as session:
        template = next(iter(iter_items(session, ItemFilter(), today=TODAY, brief=True)))

    def copy(n: int) -> ItemView:
        # Equal values in objects of their own, as a database driver gives them.
        text = "".join
        return replace(
            template,
            id=f"item{n}",
            owner=text(["da", "na"]),
            status=text(["op", "en"]),
            repo=text(["octo-org/", "app"]),
            postmortem=text(["2020-", "incident"]),
            postmortem_title=text(["An ", "incident"]),
            source_path=text(["docs/", "incident.md"]),
            due=date(2020, 2, 1),
            policy_due=date(2020, 3, 1),
            issue=IssueLink(
                text(["octo-org/", "app"]),
                int(text(["10", "00"])) + n,
                f"https://github.com/octo-org/app/issues/{1000 + n}",
                text(["op", "en"]),
            ),
        )

    first, second = first_page.compact([copy(0), copy(0)])
    assert first == second == copy(0)
    for name in (
        "owner",
        "status",
        "repo",
        "postmortem",
        "postmortem_title",
        "source_path",
        "due",
        "policy_due",
    ):
        assert getattr(first, name) is getattr(second, name), name
    assert first.issue is not None and second.issue is not None
    assert first.issue.number is second.issue.number
    assert first.issue.repo is second.issue.repo is first.repo
    assert first.issue.url == "https://github.com/octo-org/app/issues/1000"
    assert isinstance(first.issue, GitHubIssueLink)


def test_the_reader_reads_once_and_closes(store: Engine, db_url: str) -> None:
    read = reader(db_url)
    assert read(3)
    # A second call gives nothing: the app then reads through the engine.
    assert read(3) is None
    read.close()


def test_a_store_with_work_to_do_first_is_not_read_directly(store: Engine, db_url: str) -> None:
    with store.begin() as conn:
        conn.execute(text("UPDATE postmortem SET policy_key = NULL"))
    assert first_page.open_direct(db_url, POLICY) is None
    with store.begin() as conn:
        conn.execute(text("UPDATE postmortem SET policy_key = :key"), {"key": POLICY})
    assert first_page.open_direct(db_url, POLICY) is not None
    assert first_page.open_direct(db_url, "another policy") is None


def app_over(
    db_url: str, opened: list[Engine], *, first: first_page.FirstPage | None, gate: Any = None
) -> FollowupApp:
    """Return the app as `followup tui` builds it: the engine opened on first use."""

    def open_engine() -> Engine:
        if gate is not None:
            gate()
        engine = create_store_engine(db_url)
        opened.append(engine)
        return engine

    return make_app(
        engine=open_engine,
        settings=Settings(sync_interval=0),
        github_factory=NoGitHub(),
        today=lambda: TODAY,
        first_page=first,
    )


def spy_loads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[ItemView], bool]]:
    """Return the items of each load the app takes as they come, and whether complete."""
    seen: list[tuple[list[ItemView], bool]] = []
    handle = FollowupApp.on_items_loaded

    def recording(app: FollowupApp, message: ItemsLoaded) -> None:
        seen.append((list(message.items), message.complete))
        handle(app, message)

    monkeypatch.setattr(FollowupApp, "on_items_loaded", recording)
    return seen


async def test_the_first_rows_are_read_directly_then_the_engine_reads_the_same_rows(
    store: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(first_page, "FIRST_PAGE", 3)
    # The wait for the first paint gives up after a few seconds, which a loaded machine can
    # take to draw: what is checked here is the order when the paint comes at all.
    monkeypatch.setattr(loading, "FIRST_PAINT_WAIT", 120.0)
    drawn: list[list[str]] = []
    render_line = ItemsTable.render_line

    def spy(table: ItemsTable, y: int) -> object:
        if table.items and y == 1 and not drawn:
            drawn.append([i.id for i in table.items])
        return render_line(table, y)

    monkeypatch.setattr(ItemsTable, "render_line", spy)
    opened: list[Engine] = []
    drawn_when_opened: list[bool] = []
    direct = reader(db_url)
    direct_reads: list[int] = []

    def first(limit: int) -> list[ItemView] | None:
        direct_reads.append(limit)
        return direct(limit)

    app = app_over(db_url, opened, first=first, gate=lambda: drawn_when_opened.append(bool(drawn)))
    loads = spy_loads(monkeypatch)
    try:
        async with app.run_test() as pilot:
            await settle(pilot)
            assert direct_reads == [3]
            # The engine opened only once the directly read rows were on screen.
            assert drawn_when_opened == [True]
            first_rows, complete = loads[0]
            assert not complete and len(first_rows) == 3
            assert drawn[0] == [i.id for i in first_rows]
            # The full load, through the engine, begins with exactly those rows.
            final, complete = loads[-1]
            assert complete and len(final) > 3
            assert final[:3] == first_rows
            assert final == tui_store.read_items(store, today=TODAY)
            table = app.screen.query_one(ItemsTable)
            assert [i.id for i in table.items] == [i.id for i in final]
    finally:
        for engine in opened:
            engine.dispose()


async def test_edits_and_counts_are_right_when_the_engine_arrives_after_the_first_rows(
    store: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(first_page, "FIRST_PAGE", 2)
    opened: list[Engine] = []
    release = threading.Event()
    app = app_over(db_url, opened, first=reader(db_url), gate=lambda: release.wait(10))
    try:
        async with app.run_test() as pilot:
            for _ in range(200):
                await pilot.pause(0.01)
                if app.loaded:
                    break
            # The first rows are shown while the engine is still being opened.
            assert app.loaded and not app.complete and opened == []
            assert len(app.screen.query_one(ItemsTable).items) == 2
            release.set()
            await settle(pilot)
            total = len(tui_store.read_items(store, today=TODAY))
            assert app.status().total == len(app.items) == total
            before = {pm.slug: pm for pm in app.postmortems}
            table = app.screen.query_one(ItemsTable)
            assert table.move_to(ids(store)[LOADTEST])
            await pilot.press("c")
            assert isinstance(app.screen, ChoiceScreen)
            await pilot.press("enter")  # done
            await settle(pilot)
            assert row(store, LOADTEST).status == "done"
            assert table.current is not None and table.current.status == "done"
            assert app.status().total == len(app.items) == total
            # The sidebar's counts follow the edit.
            slug = table.current.postmortem
            after = {pm.slug: pm for pm in app.postmortems}
            assert after.keys() == before.keys()
            assert after[slug].done == before[slug].done + 1
            assert after[slug].total == before[slug].total
            assert len(opened) == 1
    finally:
        release.set()
        for engine in opened:
            engine.dispose()


async def test_a_failing_direct_read_leaves_the_rows_to_the_engine(
    store: Engine, db_url: str
) -> None:
    def broken(limit: int) -> list[ItemView] | None:
        raise RuntimeError("the driver fell over")

    opened: list[Engine] = []
    app = app_over(db_url, opened, first=broken)
    try:
        async with app.run_test() as pilot:
            await settle(pilot)
            assert app.items == tui_store.read_items(store, today=TODAY)
            assert not [n for n in app._notifications if n.severity == "error"]
    finally:
        for engine in opened:
            engine.dispose()


def started_app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> FollowupApp:
    """Run `followup tui` without its terminal; return the app it built."""
    from followup.cli import cli

    started: list[FollowupApp] = []
    monkeypatch.setattr(FollowupApp, "run", lambda self, *a, **k: started.append(self))
    result = CliRunner().invoke(cli, ["--db", db_url, "tui"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (app,) = started
    return app


def test_followup_tui_reads_a_ready_store_directly_and_opens_the_engine_later(
    store: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = started_app(db_url, monkeypatch)
    assert app._first_page is not None
    assert app._engine is None


def test_followup_tui_opens_a_store_with_work_to_do_first(
    store: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.begin() as conn:
        conn.execute(text("UPDATE postmortem SET policy_key = NULL"))
    app = started_app(db_url, monkeypatch)
    # As `followup list`: the ordinary path first, which works the deadlines out.
    assert app._first_page is None
    assert app._engine is not None
    with session_scope(store) as session:
        keys = set(session.exec(select(PostMortemRow.policy_key)))
    assert keys == {POLICY}


# Runs `followup tui` headless until the first row is drawn, then lists what is imported.
_MODULES_AT_FIRST_ROW = """
import asyncio, sys
from followup.tui.app import FollowupApp
from followup.tui.widgets.items_table import ItemsTable

seen = []
render_line = ItemsTable.render_line

def spy(table, y):
    if table.items and y == 1 and not seen:
        seen.append(sorted(m for m in sys.modules if m.split(".")[0] in HEAVY))
    return render_line(table, y)

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "requests", "followup")
ItemsTable.render_line = spy

async def drive(app):
    async with app.run_test() as pilot:
        while not seen:
            await pilot.pause(0.01)

FollowupApp.run = lambda self, *a, **k: asyncio.run(drive(self))
from followup.cli import cli
cli.main(sys.argv[1:], prog_name="followup", standalone_mode=False)
print(seen[0], file=sys.stderr)
"""


def test_the_first_rows_are_drawn_before_sqlalchemy_or_requests_is_imported(
    store: Engine, db_url: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _MODULES_AT_FIRST_ROW, "--db", db_url, "tui"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    imported: Callable[[str], bool] = done.stderr.strip().splitlines()[-1].__contains__
    assert imported("'followup.tui.app'")
    for heavy in ("'sqlalchemy", "'sqlmodel", "'alembic", "'requests", "'followup.store.models'"):
        assert not imported(heavy), heavy
