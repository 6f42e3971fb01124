"""Close, reopen, assign, due date and priority from the keyboard, here and on GitHub."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from textual.widgets import Input

from followup.store import session_scope
from followup.store.models import ItemRow, PendingEditRow
from followup.store.queries import item_events
from followup.tui.screens.choice import ChoiceScreen
from followup.tui.screens.item_detail import ItemDetailScreen
from followup.tui.screens.prompt import PromptScreen
from followup.tui.widgets.items_table import ItemsTable

from .conftest import (
    DEBUG,
    LOADTEST,
    RUNBOOK,
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


async def pick(pilot: object, title: str) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    table = app.screen.query_one(ItemsTable)
    assert table.move_to(ids(app.engine)[title])


async def test_closing_an_unlinked_item_stays_local(make: AppFactory, store: Engine) -> None:
    github = NoGitHub()
    app = make(github)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pick(pilot, LOADTEST)
        await pilot.press("c")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("enter")  # the first choice: done
        await settle(pilot)
        assert row(store, LOADTEST).status == "done"
        table = app.screen.query_one(ItemsTable)
        assert table.current is not None and table.current.status == "done"
        assert any("the item has no GitHub issue" in n for n in notes(app))
        # Closing it again says so instead of doing anything.
        await pilot.press("c")
        assert not isinstance(top(app), ChoiceScreen)
        assert any("already closed" in n for n in notes(app))
        # Reopening brings it back.
        await pilot.press("r")
        await settle(pilot)
        assert row(store, LOADTEST).status == "open"
    assert github.calls == 0
    with session_scope(store) as session:
        history = [
            (e.field, e.old, e.new, e.source) for e in item_events(session, ids(store)[LOADTEST])
        ]
    assert history[-2:] == [("status", "open", "done", "user"), ("status", "done", "open", "user")]


async def test_wont_do_is_the_second_close_choice(make: AppFactory, store: Engine) -> None:
    app = make()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pick(pilot, DEBUG)
        await pilot.press("c", "down", "enter")
        await settle(pilot)
        assert row(store, DEBUG).status == "wont_do"


async def test_escape_cancels_a_close(make: AppFactory, store: Engine) -> None:
    app = make()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pick(pilot, DEBUG)
        await pilot.press("c", "escape")
        await settle(pilot)
        assert row(store, DEBUG).status == "open"
        assert errors(app) == []


async def test_assigning_an_unlinked_item_changes_its_owner(
    make: AppFactory, store: Engine
) -> None:
    app = make()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pick(pilot, DEBUG)
        await pilot.press("a")
        assert isinstance(app.screen, PromptScreen)
        answer = app.screen.query_one(Input)
        assert answer.value == "lee"
        answer.value = "not a login!"
        await pilot.press("enter")
        assert isinstance(app.screen, PromptScreen)  # refused, with the reason
        assert "is not a GitHub login" in str(app.screen.query_one("#error").render())
        answer.value = "@sam"
        await pilot.press("enter")
        await settle(pilot)
        assert row(store, DEBUG).owner == "sam"


async def test_due_dates_accept_a_date_or_days_from_today(make: AppFactory, store: Engine) -> None:
    app = make()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pick(pilot, LOADTEST)
        await pilot.press("d")
        answer = app.screen.query_one(Input)
        answer.value = "someday"
        await pilot.press("enter")
        # The same line as `followup due` prints for it.
        assert "not a date: 'someday' (use YYYY-MM-DD, +7, 2w" in str(
            app.screen.query_one("#error").render()
        )
        answer.value = "+7"
        await pilot.press("enter")
        await settle(pilot)
        assert row(store, LOADTEST).due == date(2020, 1, 22)
        await pilot.press("d")
        app.screen.query_one(Input).value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert row(store, LOADTEST).due is None


async def test_a_priority_outside_p0_to_p3_is_refused_in_one_line(
    make: AppFactory, store: Engine
) -> None:
    app = make()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pick(pilot, LOADTEST)
        await pilot.press("p")
        answer = app.screen.query_one(Input)
        answer.value = "P9"
        await pilot.press("enter")
        assert "a priority is one of P0, P1, P2, P3" in str(app.screen.query_one("#error").render())
        answer.value = "p0"
        await pilot.press("enter")
        await settle(pilot)
        assert row(store, LOADTEST).priority == "P0"


async def test_edits_work_from_the_detail_screen_too(make: AppFactory, store: Engine) -> None:
    app = make()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pick(pilot, LOADTEST)
        await pilot.press("enter")
        assert isinstance(app.screen, ItemDetailScreen)
        await pilot.press("c", "enter")
        await settle(pilot)
        assert row(store, LOADTEST).status == "done"
        assert "✔ done" in str(app.screen.query_one("#fields").render())


async def test_closing_a_linked_item_without_a_token_queues_it_for_the_next_sync(
    make: AppFactory, store: Engine
) -> None:
    github = NoToken()
    app = make(github)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pick(pilot, RUNBOOK)
        await pilot.press("c", "enter")
        await settle(pilot)
        assert row(store, RUNBOOK).status == "done"
        assert any("not yet on GitHub" in n for n in notes(app))
        assert errors(app) == []
    assert github.calls == 1
    with session_scope(store) as session:
        pending = session.exec(select(PendingEditRow)).all()
    assert [(p.field, p.value) for p in pending] == [("state", "closed:completed")]


async def test_a_new_priority_queues_the_policys_date_for_the_issue_too(
    make: AppFactory, store: Engine
) -> None:
    with session_scope(store) as session:
        undated = session.exec(select(ItemRow).where(ItemRow.title == RUNBOOK)).one()
        undated.due, undated.due_text, undated.due_source = None, None, None
    app = make(NoToken(), policy_p0=3)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pick(pilot, RUNBOOK)
        await pilot.press("p")
        app.screen.query_one(Input).value = "P0"
        await pilot.press("enter")
        await settle(pilot)
        assert errors(app) == []
    runbook = row(store, RUNBOOK)
    assert (runbook.priority, runbook.due_source) == ("P0", "policy")
    assert runbook.due is not None
    line = f"{runbook.due.isoformat()} (the due-date policy's deadline for P0)"
    with session_scope(store) as session:
        pending = session.exec(select(PendingEditRow).order_by(PendingEditRow.id)).all()  # type: ignore[arg-type]
    assert [(p.field, p.value) for p in pending] == [("priority", "P0"), ("due", line)]


@pytest.mark.vcr
async def test_closing_a_linked_item_closes_its_issue(
    make: AppFactory, store: Engine, github_token: str
) -> None:
    app = make(Replayed(github_token))
    async with app.run_test() as pilot:
        await settle(pilot)
        await pick(pilot, RUNBOOK)
        await pilot.press("c", "enter")
        await settle(pilot)
        assert errors(app) == []
        assert any("on GitHub (octo-org/followup-scratch#7)" in n for n in notes(app))
        assert row(store, RUNBOOK).status == "done"
    with session_scope(store) as session:
        assert session.exec(select(PendingEditRow)).all() == []


@pytest.mark.vcr
async def test_assigning_a_linked_item_assigns_its_issue(
    make: AppFactory, store: Engine, github_token: str
) -> None:
    app = make(Replayed(github_token))
    async with app.run_test() as pilot:
        await settle(pilot)
        await pick(pilot, RUNBOOK)
        await pilot.press("a")
        app.screen.query_one(Input).value = "octocat"
        await pilot.press("enter")
        await settle(pilot)
        assert errors(app) == []
        assert row(store, RUNBOOK).owner == "octocat"
        assert any("on GitHub" in n for n in notes(app))


@pytest.mark.vcr
async def test_prioritising_a_linked_item_labels_its_issue(
    make: AppFactory, store: Engine, github_token: str, vcr: object
) -> None:
    app = make(Replayed(github_token))
    async with app.run_test() as pilot:
        await settle(pilot)
        await pick(pilot, RUNBOOK)
        await pilot.press("p")
        app.screen.query_one(Input).value = "P0"
        await pilot.press("enter")
        await settle(pilot)
        assert errors(app) == []
        assert any("priority P0 on GitHub (octo-org/followup-scratch#7)" in n for n in notes(app))
        assert row(store, RUNBOOK).priority == "P0"
    assert vcr.all_played  # type: ignore[attr-defined]
    with session_scope(store) as session:
        assert session.exec(select(PendingEditRow)).all() == []


@pytest.mark.vcr
async def test_a_due_date_for_an_issue_without_followups_block_stays_in_the_store(
    make: AppFactory, store: Engine, github_token: str, vcr: object
) -> None:
    app = make(Replayed(github_token))
    async with app.run_test() as pilot:
        await settle(pilot)
        await pick(pilot, RUNBOOK)
        await pilot.press("d")
        app.screen.query_one(Input).value = "2w"  # read as `followup due` reads it
        await pilot.press("enter")
        await settle(pilot)
        assert errors(app) == []
        assert any("here only (octo-org/followup-scratch#7 has no block" in n for n in notes(app))
        assert row(store, RUNBOOK).due == date(2020, 1, 29)
    assert vcr.all_played  # type: ignore[attr-defined]
