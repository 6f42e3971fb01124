"""Suggestions in the TUI (a sidebar entry, accept and dismiss keys), and forget a post-mortem."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import OptionList

from followup.store import session_scope
from followup.store.models import ItemRow, PostMortemRow
from followup.tui.app import FollowupApp
from followup.tui.screens.confirm import ConfirmScreen
from followup.tui.screens.items import ItemsScreen
from followup.tui.screens.postmortem import PostMortemScreen
from followup.tui.widgets.items_table import ItemsTable
from followup.tui.widgets.sidebar import SUGGESTED, PostMortemList

from .conftest import (
    GUARD,
    LIMIT,
    LOGIN,
    REPO,
    RUNBOOK,
    AppFactory,
    ids,
    notes,
    row,
    settle,
    top,
)
from .conftest import (
    PROSE_ALERT as ALERT,
)
from .conftest import (
    QUEUE_SLUG as QUEUE,
)


def table(app: FollowupApp) -> ItemsTable:
    return app.screen.query_one(ItemsTable)


def shown(app: FollowupApp) -> set[str]:
    return {item.title for item in table(app).items}


def sidebar_text(app: FollowupApp) -> dict[str | None, str]:
    sidebar = app.screen.query_one(PostMortemList)
    return {opt.id: str(opt.prompt) for opt in sidebar._options}


async def choose(pilot: Pilot[Any], option_id: str) -> None:
    app = pilot.app
    sidebar = app.screen.query_one(PostMortemList)
    sidebar.focus()
    sidebar.highlighted = sidebar.get_option_index(option_id)
    await pilot.press("enter")
    await settle(pilot)


async def test_the_sidebar_counts_suggestions_and_shows_them_apart(
    make: AppFactory, prose: Engine
) -> None:
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        entries = sidebar_text(app)
        assert "2 waiting" in entries[SUGGESTED]
        assert "2 suggested" in entries[LOGIN]
        assert "0/1" in entries[LOGIN]  # suggestions are not in completion
        assert "suggested" not in entries[QUEUE]
        await choose(pilot, SUGGESTED)
        assert shown(app) == {ALERT, GUARD}
        assert isinstance(app.screen, ItemsScreen)
        assert app.screen.filters.statuses == {"suggested"}
        # Leaving it for a post-mortem shows all of that post-mortem's items again.
        await choose(pilot, LOGIN)
        assert shown(app) == {ALERT, GUARD, LIMIT}


async def test_no_suggestions_no_entry(make: AppFactory, store: Engine) -> None:
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert SUGGESTED not in sidebar_text(app)


async def test_accept_and_dismiss_one_item(make: AppFactory, prose: Engine) -> None:
    app = make()
    known = ids(prose)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert table(app).move_to(known[ALERT])
        await pilot.press("plus")
        await settle(pilot)
        assert row(prose, ALERT).status == "open"
        assert table(app).move_to(known[GUARD])
        await pilot.press("minus")
        await settle(pilot)
        assert row(prose, GUARD).status == "dismissed"
        assert GUARD not in shown(app)  # dismissed suggestions are hidden like removed items
        assert "2 waiting" not in sidebar_text(app).get(SUGGESTED, "")
        # An ordinary item is refused with the reason, nothing changes.
        assert table(app).move_to(known[LIMIT])
        await pilot.press("minus")
        await settle(pilot)
        assert row(prose, LIMIT).status == "open"
        assert any("not a suggestion" in note for note in notes(app))


async def test_accept_a_selection_after_one_confirmation(make: AppFactory, prose: Engine) -> None:
    app = make()
    known = ids(prose)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for title in (ALERT, GUARD, LIMIT):
            assert table(app).move_to(known[title])
            await pilot.press("space")
        await pilot.press("plus")
        await settle(pilot)
        dialog = top(app)
        assert isinstance(dialog, ConfirmScreen)
        assert dialog.headline == "Accept 2 items; 1 left as it is"
        assert "not a suggestion (open)" in dialog.body.plain
        await pilot.press("y")
        await settle(pilot)
        assert {row(prose, t).status for t in (ALERT, GUARD, LIMIT)} == {"open"}


async def open_postmortem(pilot: Pilot[Any], engine: Engine, title: str) -> PostMortemScreen:
    app = pilot.app
    assert isinstance(app, FollowupApp)
    assert table(app).move_to(ids(engine)[title])
    await pilot.press("v")
    await settle(pilot)
    screen = top(app)
    assert isinstance(screen, PostMortemScreen)
    return screen


def slugs(engine: Engine) -> set[str]:
    with session_scope(engine) as session:
        return set(session.exec(select(PostMortemRow.slug)))


async def test_forget_asks_then_removes_the_post_mortem(make: AppFactory, prose: Engine) -> None:
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_postmortem(pilot, prose, RUNBOOK)
        await pilot.press("D")
        await settle(pilot)
        dialog = top(app)
        assert isinstance(dialog, ConfirmScreen)
        assert dialog.title_text == f"Forget {QUEUE}"
        body = dialog.body.plain
        assert "its 3 items" in body
        assert f"{ids(prose)[RUNBOOK]}  {RUNBOOK}  {REPO}#7" in body  # its issue stays
        await pilot.press("escape")
        await settle(pilot)
        assert QUEUE in slugs(prose)
        assert isinstance(top(app), PostMortemScreen)

        await pilot.press("D")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert slugs(prose) == {"2019-12-05-gh-pages", LOGIN}
        with session_scope(prose) as session:
            assert not session.exec(select(ItemRow).where(ItemRow.title == RUNBOOK)).all()
        assert isinstance(top(app), ItemsScreen)  # the screen of a forgotten post-mortem closes
        assert RUNBOOK not in shown(app)
        assert any(f"Forgot {QUEUE}" in n and f"{REPO}#7" in n for n in notes(app))
        assert QUEUE not in sidebar_text(app)


async def test_forgetting_the_post_mortem_the_table_shows_clears_that_filter(
    make: AppFactory, prose: Engine
) -> None:
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await choose(pilot, LOGIN)
        assert shown(app) == {ALERT, GUARD, LIMIT}
        await open_postmortem(pilot, prose, LIMIT)
        await pilot.press("D", "y")
        await settle(pilot)
        screen = top(app)
        assert isinstance(screen, ItemsScreen)
        assert screen.filters.postmortem is None
        assert RUNBOOK in shown(app)
        assert screen.query_one(PostMortemList).highlighted == 0
        assert isinstance(screen.query_one(PostMortemList), OptionList)
