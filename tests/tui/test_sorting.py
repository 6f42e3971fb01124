"""Sorting by several columns from the keyboard and the mouse, remembered between runs."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from followup import paths
from followup.store import session_scope
from followup.store.models import ItemRow
from followup.tui.app import FollowupApp
from followup.tui.screens.choice import ChoiceScreen
from followup.tui.sorting import Sort, SortKey
from followup.tui.widgets.items_table import ItemsTable

from .conftest import ALERT, DEBUG, LOADTEST, PROTECT, RUNBOOK, TECH, AppFactory, ids, settle, top


def titles(app: FollowupApp) -> list[str]:
    return [item.title for item in app.screen.query_one(ItemsTable).items]


def header(app: FollowupApp) -> str:
    return app.screen.query_one(ItemsTable).render_line(0).text


def chips(app: FollowupApp) -> str:
    return str(app.screen.query_one("#chips").render())


def make_urgent(engine: Engine, title: str) -> None:
    with session_scope(engine) as session:
        item = session.get(ItemRow, ids(engine)[title])
        assert item is not None
        item.priority = "P1"
        session.add(item)


async def choose(app: FollowupApp, pilot: object, name: str) -> None:
    """Pick a column in the 'then by' dialog by its name."""
    dialog = top(app)
    assert isinstance(dialog, ChoiceScreen)
    keys = [key for key, label in dialog.choices if label == name]
    assert keys, f"{name} is not offered"
    position = [key for key, _ in dialog.choices].index(keys[0])
    await pilot.press(*["down"] * position, "enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_t_adds_keys_the_header_numbers_them_and_s_flips_the_last(
    make: AppFactory, store: Engine
) -> None:
    # Two non-overdue P1 items whose due dates run against their document order.
    make_urgent(store, TECH)
    app = make()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        for name in ("overdue first", "priority", "due date"):
            await pilot.press("t")
            await choose(app, pilot, name)
        await pilot.press("S")
        sort = app.screen.query_one(ItemsTable).sort
        assert sort == Sort((SortKey("overdue"), SortKey("priority"), SortKey("due", True)))
        # Overdue first (P1 before P2); then the P1s by due date, latest first.
        assert titles(app) == [PROTECT, RUNBOOK, TECH, ALERT, DEBUG, LOADTEST]
        assert "P▲2" in header(app)
        assert "Due !▲1 ▼3" in header(app)
        assert "sorted by overdue first ▲, then priority ▲, then due date ▼" in chips(app)
        # `s` goes back to one column.
        await pilot.press("s")
        assert app.screen.query_one(ItemsTable).sort == Sort.of("status")
        assert "Status ▲" in header(app) and "▲1" not in header(app)


async def test_shift_click_on_a_header_sorts_by_it_next_and_again_flips_it(
    make: AppFactory,
) -> None:
    app = make()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ItemsTable)
        line = header(app)
        owner_x, pri_x = line.index("Owner"), line.index("Pri")
        await pilot.click(ItemsTable, offset=(owner_x, 0))
        await pilot.click(ItemsTable, offset=(pri_x, 0), shift=True)
        assert table.sort == Sort.of("owner", "priority")
        # dana's and lee's two items each: P1 then P2.
        assert titles(app) == [PROTECT, RUNBOOK, LOADTEST, ALERT, DEBUG, TECH]
        await pilot.click(ItemsTable, offset=(pri_x, 0), shift=True)
        assert table.sort == Sort((SortKey("owner"), SortKey("priority", reverse=True)))
        assert titles(app) == [RUNBOOK, PROTECT, LOADTEST, DEBUG, ALERT, TECH]
        # A plain click sorts by that column alone.
        await pilot.click(ItemsTable, offset=(owner_x, 0))
        assert table.sort == Sort.of("owner")


async def test_the_sort_survives_a_restart(make: AppFactory, isolated_home: Path) -> None:
    first = make()
    async with first.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"sort for the review")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("S")
        expected = titles(first)
    saved = paths.state_dir() / "tui.json"
    assert saved.is_relative_to(isolated_home)
    assert json.loads(saved.read_text(encoding="utf-8"))["sort"] == [
        ["overdue", False],
        ["priority", False],
        ["due", True],
    ]
    second = make()
    async with second.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert second.screen.query_one(ItemsTable).sort == Sort(
            (SortKey("overdue"), SortKey("priority"), SortKey("due", True))
        )
        assert titles(second) == expected
        assert "Due !▲1 ▼3" in header(second)


async def test_a_state_file_that_cannot_be_read_starts_in_document_order(
    make: AppFactory,
) -> None:
    saved = paths.state_dir() / "tui.json"
    saved.parent.mkdir(parents=True)
    saved.write_text('{"version": 1, "sort": [["due"', encoding="utf-8")
    app = make()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(ItemsTable).sort == Sort()
        assert titles(app) == [ALERT, RUNBOOK, LOADTEST, PROTECT, DEBUG, TECH]
        await pilot.press("s")
    assert json.loads(saved.read_text(encoding="utf-8"))["sort"] == [["status", False]]


async def test_a_sort_that_cannot_be_saved_is_said_once(make: AppFactory) -> None:
    # A file where the state folder should be: nothing can be written under it.
    folder = paths.state_dir()
    folder.parent.mkdir(parents=True)
    folder.write_text("", encoding="utf-8")
    app = make()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s", "s")
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert len(warnings) == 1
        assert warnings[0].startswith("The sort will not be remembered")
        assert app.screen.query_one(ItemsTable).sort == Sort.of("id")
