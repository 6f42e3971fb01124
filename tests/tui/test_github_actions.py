"""Actions that reach GitHub: file, protect, sync, 'mine'; replayed from cassettes."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from followup.tui.screens.confirm import ConfirmScreen
from followup.tui.screens.items import ItemsScreen
from followup.tui.widgets.items_table import ItemsTable

from .conftest import (
    DEBUG,
    LOADTEST,
    PROTECT,
    RUNBOOK,
    AppFactory,
    NoToken,
    Replayed,
    errors,
    ids,
    notes,
    row,
    settle,
)


def plan_text(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, ConfirmScreen)
    return f"{screen.headline}\n{screen.body.plain}\n{screen.blocked or ''}"


async def pick(pilot: object, title: str) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    assert app.screen.query_one(ItemsTable).move_to(ids(app.engine)[title])


@pytest.mark.vcr
async def test_filing_an_item_previews_the_issue_then_files_it_once(
    make: AppFactory, store: Engine, github_token: str
) -> None:
    app = make(Replayed(github_token))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pick(pilot, DEBUG)
        await pilot.press("F")
        await settle(pilot)
        text = plan_text(app)
        assert "Filing will create 1 issue" in text
        assert f"+ create  {ids(store)[DEBUG]}  {DEBUG}" in text
        assert row(store, DEBUG).issue_id is None  # a preview writes nothing
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert errors(app) == []
        assert any(n.startswith("Filing: 1 filed") for n in notes(app))
        stored = row(store, DEBUG)
        assert stored.status == "filed" and stored.issue_id is not None
        table = app.screen.query_one(ItemsTable)
        assert table.current is not None and table.current.target == "octo-org/followup-scratch#12"


async def test_filing_without_a_token_shows_the_plan_but_cannot_confirm(
    make: AppFactory, store: Engine
) -> None:
    app = make(NoToken())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pick(pilot, DEBUG)
        await pilot.press("F")
        await settle(pilot)
        text = plan_text(app)
        assert "GitHub was not checked (no token)" in text
        assert "Filing needs a GitHub token" in text
        await pilot.press("y")  # does nothing: there is no token
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert row(store, DEBUG).issue_id is None
        assert errors(app) == []


async def test_filing_an_already_filed_item_says_so(make: AppFactory) -> None:
    app = make(NoToken())
    async with app.run_test() as pilot:
        await settle(pilot)
        await pick(pilot, RUNBOOK)
        await pilot.press("F")
        await settle(pilot)
        assert any("already filed as octo-org/followup-scratch#7" in n for n in notes(app))
        await pick(pilot, PROTECT)
        await pilot.press("F")
        assert any("press P to protect" in n for n in notes(app))


@pytest.mark.vcr
async def test_protection_shows_the_diff_then_applies_and_verifies_it(
    make: AppFactory, store: Engine, github_token: str
) -> None:
    app = make(Replayed(github_token))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pick(pilot, PROTECT)
        await pilot.press("P")
        await settle(pilot)
        text = plan_text(app)
        assert "Protection will change 1 branch" in text
        assert "octo-org/followup-scratch:gh-pages" in text
        assert "- allow deletions: yes" in text and "+ allow deletions: no" in text
        await pilot.press("y")
        await settle(pilot)
        assert errors(app) == []
        assert any("Protection: 1 of 1 branch protected" in n for n in notes(app))
        assert row(store, PROTECT).status == "done"
        # V reads the branch again: still protected as asked.
        await pick(pilot, PROTECT)
        await pilot.press("V")
        await settle(pilot)
        assert errors(app) == []
        assert "Verified 1 branch: 1 in effect" in notes(app)


async def test_protection_needs_a_token(make: AppFactory, store: Engine) -> None:
    app = make(NoToken())
    async with app.run_test() as pilot:
        await settle(pilot)
        await pick(pilot, PROTECT)
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert any("no GitHub token found" in e for e in errors(app))
        assert row(store, PROTECT).status == "open"


@pytest.mark.vcr
async def test_sync_now_polls_the_linked_issues_and_the_status_bar_says_when(
    make: AppFactory, store: Engine, github_token: str
) -> None:
    app = make(Replayed(github_token))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "never synced" in str(app.screen.query_one("#sync").render())
        await pilot.press("R")
        await settle(pilot)
        assert errors(app) == []
        assert row(store, RUNBOOK).status == "done"  # closed on GitHub meanwhile
        assert "synced 09:30" in str(app.screen.query_one("#sync").render())


async def test_sync_without_a_token_fails_in_one_line(make: AppFactory) -> None:
    app = make(NoToken())
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert errors(app) == ["no GitHub token found: set GH_TOKEN or GITHUB_TOKEN"]
        assert "local only: no GitHub token" in str(app.screen.query_one("#github").render())
        assert "sync failed" in str(app.screen.query_one("#sync").render())


@pytest.mark.vcr
async def test_mine_asks_github_who_the_token_belongs_to(
    make: AppFactory, github_token: str
) -> None:
    github = Replayed(github_token)
    app = make(github)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        table = app.screen.query_one(ItemsTable)
        assert [i.title for i in table.items] == [RUNBOOK, PROTECT]
        assert app.me == "dana"
        assert len(github.made) == 1


@pytest.mark.vcr
async def test_a_background_sync_runs_at_start_when_the_last_one_is_old(
    make: AppFactory, store: Engine, github_token: str
) -> None:
    app = make(Replayed(github_token), sync_interval=10)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "synced 09:30" in str(app.screen.query_one("#sync").render())
        assert row(store, RUNBOOK).status == "done"
        # Quiet: a good background sync notifies nobody.
        assert notes(app) == []


async def test_no_background_sync_without_a_token(make: AppFactory) -> None:
    github = NoToken()
    app = make(github, sync_interval=10)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "never synced" in str(app.screen.query_one("#sync").render())
        assert "local only" in str(app.screen.query_one("#github").render())
        assert errors(app) == []
    assert github.calls == 1


async def test_file_all_previews_every_unfiled_item(make: AppFactory, store: Engine) -> None:
    app = make(NoToken())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        text = plan_text(app)
        item_ids = ids(store)
        assert text.startswith("Filing will create 3 issues")
        for title in (DEBUG, LOADTEST):
            assert f"+ create  {item_ids[title]}" in text
        assert f"· skip    {item_ids[RUNBOOK]}" in text
        assert "already filed as octo-org/followup-scratch#7" in text
        assert "Filing needs a GitHub token" in text
