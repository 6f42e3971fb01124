"""Selecting rows and acting on all of them: one question, one confirmation, one job."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot

from followup.config import Settings
from followup.store import session_scope
from followup.store.models import ItemRow
from followup.store.views import ItemView
from followup.sync.progress import SilentProgress
from followup.tui import edit_job, edits
from followup.tui.app import FollowupApp
from followup.tui.jobs import JobContext
from followup.tui.screens.choice import ChoiceScreen
from followup.tui.screens.confirm import ConfirmScreen
from followup.tui.screens.items import ItemsScreen
from followup.tui.screens.prompt import PromptScreen
from followup.tui.screens.results import ResultsScreen
from followup.tui.widgets.items_table import SELECTED_MARK, ItemsTable

from .conftest import (
    ALERT,
    DEBUG,
    LOADTEST,
    PROTECT,
    RUNBOOK,
    TECH,
    AppFactory,
    NoGitHub,
    NoToken,
    Replayed,
    errors,
    ids,
    notes,
    row,
    settle,
    top,
)


def table(app: FollowupApp) -> ItemsTable:
    return app.screen.query_one(ItemsTable)


def selected_titles(app: FollowupApp) -> set[str]:
    by_id = {item.id: item.title for item in app.items}
    return {by_id[item_id] for item_id in table(app).selected}


def counts(app: FollowupApp) -> str:
    return str(app.screen.query_one("#counts").render())


def first_cells(app: FollowupApp) -> list[str]:
    """Return the first character of each row as drawn: the selection mark or a space."""
    rows = table(app)
    return [rows.render_line(y).text[0] for y in range(1, len(rows.items) + 1)]


def plan_text(app: FollowupApp) -> str:
    screen = top(app)
    assert isinstance(screen, ConfirmScreen)
    return f"{screen.title_text}\n{screen.headline}\n{screen.body.plain}\n{screen.blocked or ''}"


async def select(pilot: Pilot[Any], *titles: str) -> None:
    app = pilot.app
    assert isinstance(app, FollowupApp)
    item_ids = ids(app.engine)
    for title in titles:
        assert table(app).move_to(item_ids[title])
        await pilot.press("space")


def remove(engine: Engine, title: str) -> None:
    """Mark an item removed, as a re-import of a document without it would."""
    with session_scope(engine) as session:
        item = session.get(ItemRow, ids(engine)[title])
        assert item is not None
        item.status = "removed"
        session.add(item)


async def test_space_selects_moves_down_and_marks_the_row_without_colour(
    make: AppFactory,
) -> None:
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        assert selected_titles(app) == {ALERT}
        current = table(app).current
        assert current is not None and current.title == RUNBOOK
        await pilot.press("down", "space")
        assert selected_titles(app) == {ALERT, LOADTEST}
        assert first_cells(app) == [SELECTED_MARK, " ", SELECTED_MARK, " ", " ", " "]
        assert "6 items · 2 selected" in counts(app)
        # Space again on a selected row unselects it.
        await pilot.press("up", "space")
        assert selected_titles(app) == {ALERT}


async def test_shift_arrows_select_a_range_that_follows_the_cursor_both_ways(
    make: AppFactory,
) -> None:
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("shift+down", "shift+down")
        assert selected_titles(app) == {ALERT, RUNBOOK, LOADTEST}
        await pilot.press("shift+up")
        assert selected_titles(app) == {ALERT, RUNBOOK}
        # A plain move ends the range; a new one adds to what is selected.
        await pilot.press("down", "down", "down", "shift+down")
        assert selected_titles(app) == {ALERT, RUNBOOK, DEBUG, TECH}
        await pilot.press("shift+up", "shift+up")
        assert selected_titles(app) == {ALERT, RUNBOOK, PROTECT, DEBUG}


async def test_ctrl_a_selects_what_is_shown_escape_clears_and_hidden_ones_are_counted(
    make: AppFactory,
) -> None:
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark", "ctrl+a")
        assert selected_titles(app) == {RUNBOOK, PROTECT}
        await pilot.press("exclamation_mark")
        assert "6 items · 2 selected" in counts(app)
        await pilot.press("ctrl+a")
        assert len(table(app).selected) == 6
        await pilot.press("ctrl+a")
        assert table(app).selected == set()
        # The selection outlives a filter that hides part of it, and says so.
        await select(pilot, RUNBOOK, DEBUG)
        await pilot.press("exclamation_mark")
        assert "2 selected (1 not shown)" in counts(app)
        await pilot.press("escape")
        assert table(app).selected == set()
        assert isinstance(app.screen, ItemsScreen)


async def test_closing_several_items_asks_once_confirms_the_list_and_reports_each(
    make: AppFactory, store: Engine
) -> None:
    github = NoGitHub()
    app = make(github)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select(pilot, ALERT, LOADTEST, DEBUG, TECH)
        await pilot.press("c")
        choice = top(app)
        assert isinstance(choice, ChoiceScreen)
        assert choice.title_text == "Close 4 items"
        await pilot.press("enter")  # done
        await pilot.pause()
        text = plan_text(app)
        item_ids = ids(store)
        assert "Close 3 items as done; 1 left as it is" in text
        assert f"✔ close    {item_ids[LOADTEST]}  {LOADTEST}" in text
        assert f"· skip     {item_ids[ALERT]}  {ALERT}" in text
        assert "already closed (done)" in text
        # Between the question and the yes, a re-import removes one of them.
        remove(store, TECH)
        await pilot.press("y")
        await settle(pilot)
        assert row(store, LOADTEST).status == "done"
        assert row(store, DEBUG).status == "done"
        assert row(store, TECH).status == "removed"
        (error,) = errors(app)
        assert error.startswith("Close: 2 of 3 items changed, 1 failed")
        assert item_ids[TECH] in error
        assert error.endswith("press e for each item's result")
        await pilot.press("e")
        results = top(app)
        assert isinstance(results, ResultsScreen)
        assert str(results.query_one("#headline").render()) == ("Close 3 items: 1 failed, 2 done")
        lines = str(results.query_one("#result-lines").render()).splitlines()
        # Failures first; a title too long for the line is cut, the reason never is.
        assert lines[0].startswith(f"✘ failed   {item_ids[TECH]}  Investigate if there")
        assert lines[0].endswith("…")
        reason = " ".join(line.strip() for line in lines[1:3])
        assert reason.startswith(f"item {item_ids[TECH]} was removed from its post-mortem")
        assert f"✔ done     {item_ids[LOADTEST]}  {LOADTEST}" in lines
        assert notes(app) == []  # opening the results put the notification away
        await pilot.press("escape")
        # The table shows the new statuses, and the selection stays for the next action
        # (the removed item too, hidden as removed items are).
        by_title = {i.title: i for i in table(app).items}
        assert by_title[DEBUG].status == "done"
        assert selected_titles(app) == {ALERT, LOADTEST, DEBUG, TECH}
        assert "4 selected (1 not shown)" in counts(app)
    assert github.calls == 0


async def test_a_linked_item_in_the_selection_waits_for_a_token(
    make: AppFactory, store: Engine
) -> None:
    app = make(NoToken())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select(pilot, RUNBOOK, LOADTEST)
        await pilot.press("c", "down", "enter")  # won't do
        await pilot.pause()
        assert "and closes octo-org/followup-scratch#7" in plan_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert row(store, RUNBOOK).status == "wont_do"
        assert row(store, LOADTEST).status == "wont_do"
        summary = [n for n in notes(app) if n.startswith("Close:")]
        assert summary == ["Close: 2 of 2 items changed, 1 to send to GitHub at the next sync"]
        assert errors(app) == []


async def test_assign_due_and_priority_change_every_selected_item(
    make: AppFactory, store: Engine
) -> None:
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select(pilot, DEBUG, TECH)
        await pilot.press("a")
        prompt = top(app)
        assert isinstance(prompt, PromptScreen)
        # lee and sam own them: the box starts empty rather than guessing.
        assert prompt.title_text == "Assign 2 items" and prompt.value == ""
        await pilot.press(*"@dana", "enter")
        await pilot.pause()
        assert "@lee → @dana" in plan_text(app) and "@sam → @dana" in plan_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert (row(store, DEBUG).owner, row(store, TECH).owner) == ("dana", "dana")
        await pilot.press("d", *"+7", "enter")
        await pilot.pause()
        assert "Due date of 2 items: 2020-01-22" in plan_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert row(store, DEBUG).due == row(store, TECH).due == date(2020, 1, 22)
        await pilot.press("p", *"p0", "enter")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert (row(store, DEBUG).priority, row(store, TECH).priority) == ("P0", "P0")
        assert errors(app) == []


async def test_nothing_to_change_cannot_be_confirmed(make: AppFactory, store: Engine) -> None:
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select(pilot, LOADTEST, DEBUG)
        await pilot.press("r")  # neither is closed
        await pilot.pause()
        text = plan_text(app)
        assert "Nothing to change" in text and text.count("not closed") == 2
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(top(app), ConfirmScreen)  # y does nothing; escape closes
        await pilot.press("escape")
        assert isinstance(top(app), ItemsScreen)
        assert row(store, LOADTEST).status == "open"
        assert app.jobs == {} and notes(app) == []


async def test_filing_the_selection_previews_each_item(make: AppFactory, store: Engine) -> None:
    app = make(NoToken())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select(pilot, DEBUG, RUNBOOK, PROTECT)
        await pilot.press("F")
        await settle(pilot)
        text = plan_text(app)
        item_ids = ids(store)
        assert "Filing will create 1 issue" in text
        assert f"+ create  {item_ids[DEBUG]}" in text
        assert f"· skip    {item_ids[RUNBOOK]}" in text
        assert f"· skip    {item_ids[PROTECT]}" in text
        assert item_ids[LOADTEST] not in text
        assert "Filing needs a GitHub token" in text


async def test_results_are_offered_only_once_there_are_some(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        actions = [b.binding.action for b in app.screen.active_bindings.values()]
        assert "app.results" not in actions
        await pilot.press("e")
        assert isinstance(top(app), ItemsScreen)


def test_a_cancelled_change_says_which_items_it_did_not_reach(store: Engine) -> None:
    class StopAfterOne(SilentProgress):
        def __init__(self) -> None:
            super().__init__()
            self.steps = 0

        def advance(self, label: str = "") -> None:
            self.steps += 1

        def cancelled(self) -> bool:
            return self.steps >= 1

    context = JobContext(store, Settings(), None, token_missing=lambda: None)
    items = {i.title: i for i in _items(store)}
    targets = tuple(edit_job.Target.of(items[t]) for t in (LOADTEST, DEBUG, TECH))
    request = edit_job.EditRequest(edits.Edit.PRIORITY, "P0", targets)
    outcome = edit_job.summarise(edit_job.run(context, request, StopAfterOne()))
    assert [(r.title, r.state) for r in outcome.results] == [
        (LOADTEST, "done"),
        (DEBUG, "skipped"),
        (TECH, "skipped"),
    ]
    assert outcome.results[1].message == "not done: cancelled"
    assert outcome.summary.startswith("Priority: 1 of 3 items changed")
    assert row(store, DEBUG).priority == "P2"


def _items(engine: Engine) -> list[ItemView]:
    from followup.store.queries import ItemFilter, list_items

    with session_scope(engine) as session:
        return list_items(session, ItemFilter(), today=date(2020, 1, 15))


@pytest.mark.vcr
async def test_filing_the_selection_files_what_it_can_and_reports_each(
    make: AppFactory, store: Engine, github_token: str
) -> None:
    app = make(Replayed(github_token))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select(pilot, DEBUG, RUNBOOK, PROTECT)
        await pilot.press("F")
        await settle(pilot)
        assert "Filing will create 1 issue" in plan_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert errors(app) == []
        assert any(n.startswith("Filing: 1 filed, 0 linked") for n in notes(app))
        assert row(store, DEBUG).issue_id is not None
        await pilot.press("e")
        results = top(app)
        assert isinstance(results, ResultsScreen)
        lines = str(results.query_one("#result-lines").render()).splitlines()
        item_ids = ids(store)
        assert lines[0] == f"✔ done     {item_ids[DEBUG]}  {DEBUG}"
        assert lines[1].strip() == "filed as octo-org/followup-scratch#12"
        assert f"· skipped  {item_ids[RUNBOOK]}  {RUNBOOK}" in lines


async def test_items_gone_from_the_store_leave_the_selection(
    make: AppFactory, store: Engine
) -> None:
    from followup.store.forget import find_postmortems, forget_postmortems

    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await select(pilot, ALERT, PROTECT, DEBUG)
        gh_pages = next(i.postmortem for i in app.items if i.title == PROTECT)
        with session_scope(store) as session:
            forget_postmortems(session, find_postmortems(session, [gh_pages]))
        app.reload()
        await settle(pilot)
        assert all(i.title != PROTECT for i in app.items)
        assert selected_titles(app) == {ALERT}
