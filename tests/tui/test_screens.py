"""The item detail, post-mortem and dashboard screens show what the store holds."""

from __future__ import annotations

import pytest
from textual.widgets import Markdown, OptionList, Sparkline

from followup.tui.screens.dashboard import DashboardScreen
from followup.tui.screens.item_detail import ItemDetailScreen
from followup.tui.screens.items import ItemsScreen
from followup.tui.screens.postmortem import PostMortemScreen
from followup.tui.widgets.items_table import ItemsTable

from .conftest import PROTECT, RUNBOOK, AppFactory, ids, notes, settle


def text_of(screen: object, selector: str) -> str:
    return str(screen.query_one(selector).render())  # type: ignore[attr-defined]


async def open_item(pilot: object, title: str) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    assert app.screen.query_one(ItemsTable).move_to(ids(app.engine)[title])
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


async def test_the_detail_of_a_filed_item_shows_its_issue_source_and_history(
    make: AppFactory,
) -> None:
    app = make()
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await open_item(pilot, RUNBOOK)
        screen = app.screen
        assert isinstance(screen, ItemDetailScreen)
        fields = text_of(screen, "#fields")
        for expected in ("◔ filed", "@dana", "P2", "2020-01-08 ! overdue", "Queue backlog"):
            assert expected in fields
        github = text_of(screen, "#issue")
        assert "octo-org/followup-scratch#7" in github
        assert "Assignees    @dana" in github
        assert "https://github.com/octo-org/followup-scratch/issues/7" in github
        assert "2020-01-06-queue.md:12" in text_of(screen, "#source-heading")
        history = text_of(screen, "#timeline")
        assert "2020-01-15 09:30  created as ○ open  from the document" in history
        assert "status: ○ open → ◔ filed  by followup" in history
        await pilot.press("escape")
        assert isinstance(app.screen, ItemsScreen)


async def test_the_detail_of_a_protection_item_shows_the_branch_and_what_it_asks(
    make: AppFactory,
) -> None:
    app = make()
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await open_item(pilot, PROTECT)
        screen = app.screen
        assert text_of(screen, "#issue-heading") == "Branch protection"
        block = text_of(screen, "#issue")
        assert "octo-org/followup-scratch:gh-pages" in block
        assert "allow deletions: no" in block
        assert "not yet; press P to see the plan" in block


async def test_the_post_mortem_marks_each_item_with_its_status_and_id(
    make: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make()
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, new_tab=True: opened.append(url))
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(ItemsTable).move_to(ids(app.engine)[RUNBOOK])
        await pilot.press("v")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PostMortemScreen)
        source = screen.query_one(Markdown).source
        runbook = ids(app.engine)[RUNBOOK]
        assert "- Write a runbook for draining the queue. Owner: @dana" in source
        assert f"`◔ filed · {runbook}`" in source
        assert source.startswith("```yaml\ntitle: Queue backlog")
        summary = text_of(screen, "#pm-summary")
        assert "1/3 done (33%)" in summary and "! 1 overdue" in summary
        assert "Open for 9 days so far" in summary
        # The item list starts on the item we came from; enter opens it.
        items = screen.query_one("#pm-items", OptionList)
        assert items.highlighted_option is not None and items.highlighted_option.id == runbook
        await pilot.press("o")
        assert (
            opened and opened[0].startswith("file://") and opened[0].endswith("2020-01-06-queue.md")
        )
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemDetailScreen)
        assert app.screen.item_id == runbook


async def test_the_dashboard_shows_the_weekly_review_numbers(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Close one item so a closure shows in this week's count.
        assert app.screen.query_one(ItemsTable).move_to(ids(app.engine)[PROTECT])
        await pilot.press("c", "enter")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert text_of(screen, "#card-done") == "Done\n33% (2/6)"
        assert text_of(screen, "#card-overdue") == "Overdue\n1"
        assert text_of(screen, "#card-median") == "Median to close\n0 minutes"
        assert text_of(screen, "#card-closed") == "Closed, 12 weeks\n1"
        completion = text_of(screen, "#completion")
        assert "1/3" in completion and "Queue backlog took the API down" in completion
        owners = text_of(screen, "#owners")
        assert owners.splitlines()[0].startswith("@dana")
        weekly = screen.query_one(Sparkline).data
        assert weekly is not None and weekly[-1] == 1.0
        assert "week of 2020-01-13" in text_of(screen, "#last-week")
        await pilot.press("1")
        assert isinstance(app.screen, ItemsScreen)


@pytest.mark.parametrize("key", ["escape"])
async def test_a_detail_of_an_item_that_vanished_goes_back_with_a_note(
    make: AppFactory, key: str
) -> None:
    app = make()
    async with app.run_test() as pilot:
        await settle(pilot)
        app.push_screen(ItemDetailScreen("zzzzzzz"))
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert any("no item with id 'zzzzzzz'" in n for n in notes(app))
