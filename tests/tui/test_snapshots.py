"""How each screen looks at 80×24 and 120×40, with fixed data, day, zone and clock.

Update after a deliberate change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at every changed SVG before keeping it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import Input

from followup.config import Settings
from followup.store import create_store_engine, session_scope
from followup.store.models import ItemRow
from followup.tui.app import FollowupApp, make_app
from followup.tui.filtering import Filters
from followup.tui.sorting import Sort, SortKey
from followup.tui.state import UiState, save
from followup.tui.widgets.items_table import ItemsTable

from .conftest import (
    ALERT,
    DEBUG,
    LOADTEST,
    PROTECT,
    RUNBOOK,
    TECH,
    TODAY,
    AppFactory,
    NoToken,
    Replayed,
    ids,
    settle,
)

# The pictures do not depend on the store; every other TUI test runs on both backends.
pytestmark = pytest.mark.sqlite_only("a screenshot does not depend on the backend")

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
SnapCompare = Callable[..., bool]


def steps(
    engine: Engine,
    *keys: str,
    select: str | None = None,
    tick: Sequence[str] = (),
    before_last: Callable[[], None] | None = None,
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Return a run_before that waits for data, ticks rows, picks an item, then presses keys.

    before_last runs just before the last key (to change the store under a dialog).
    """

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        table = pilot.app.screen.query_one(ItemsTable)
        for title in tick:
            assert table.move_to(ids(engine)[title])
            await pilot.press("space")
        if select is not None:
            assert table.move_to(ids(engine)[select])
        for n, key in enumerate(keys):
            if before_last is not None and n == len(keys) - 1:
                before_last()
            await pilot.press(key)
            await settle(pilot)
        # A blinking cursor would be caught on or off depending on the machine's speed.
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False
        await pilot.pause()

    return run


def shot(
    snap_compare: SnapCompare,
    app: object,
    size: tuple[int, int],
    run_before: Callable[[Pilot[Any]], Awaitable[None]],
    press: Sequence[str] = (),
) -> bool:
    return snap_compare(app, terminal_size=size, run_before=run_before, press=press)


class TestItems:
    @SIZES
    def test_home(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        assert shot(snap_compare, make(), size, steps(store))

    @SIZES
    def test_searched_overdue_and_sorted(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        assert shot(
            snap_compare,
            make(),
            size,
            steps(store, "exclamation_mark", "slash", "g", "h", "escape", "s", "s", "s"),
        )

    @SIZES
    def test_selected_rows(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        run = steps(store, tick=(RUNBOOK, PROTECT, TECH), select=DEBUG)
        assert shot(snap_compare, make(), size, run)

    @SIZES
    def test_sorted_by_several_columns(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        # Overdue first, then priority, then due date, latest first.
        sort = Sort((SortKey("overdue"), SortKey("priority"), SortKey("due", reverse=True)))
        save(UiState(sort=sort))
        assert shot(snap_compare, make(), size, steps(store))

    @SIZES
    def test_empty_store(
        self, snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]
    ) -> None:
        engine = create_store_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        app = make_app(
            engine=engine,
            settings=Settings(sync_interval=0),
            github_factory=None,
            today=lambda: TODAY,
        )
        assert shot(snap_compare, app, size, steps(engine))
        engine.dispose()


class TestItemDetail:
    @SIZES
    def test_filed_item(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        assert shot(snap_compare, make(), size, steps(store, "enter", select=RUNBOOK))

    @SIZES
    def test_protection_item(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        assert shot(snap_compare, make(), size, steps(store, "enter", select=PROTECT))


class TestPostMortem:
    @SIZES
    def test_document_with_marked_items(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        assert shot(snap_compare, make(), size, steps(store, "v", select=PROTECT))


class TestDashboard:
    @SIZES
    def test_dashboard(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        assert shot(snap_compare, make(), size, steps(store, "2"))


class TestSuggestions:
    @SIZES
    def test_suggested_in_the_sidebar(
        self, snap_compare: SnapCompare, make: AppFactory, prose: Engine, size: tuple[int, int]
    ) -> None:
        assert shot(snap_compare, make(), size, steps(prose))

    @SIZES
    def test_forget_confirmation(
        self, snap_compare: SnapCompare, make: AppFactory, prose: Engine, size: tuple[int, int]
    ) -> None:
        assert shot(snap_compare, make(), size, steps(prose, "v", "D", select=RUNBOOK))


class TestDialogs:
    @SIZES
    def test_filing_preview_without_a_token(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        assert shot(snap_compare, make(NoToken()), size, steps(store, "F", select=DEBUG))

    @SIZES
    @pytest.mark.vcr
    def test_protection_diff(
        self,
        snap_compare: SnapCompare,
        make: AppFactory,
        store: Engine,
        github_token: str,
        size: tuple[int, int],
    ) -> None:
        app = make(Replayed(github_token))
        assert shot(snap_compare, app, size, steps(store, "P", select=PROTECT))

    @SIZES
    def test_import_anyway_confirmation(
        self,
        snap_compare: SnapCompare,
        make: AppFactory,
        store: Engine,
        docs: Path,
        size: tuple[int, int],
    ) -> None:
        (docs / "notes.md").write_text("# Team notes\n\n- Order more coffee\n", encoding="utf-8")

        async def run(pilot: Pilot[Any]) -> None:
            await steps(store)(pilot)
            app = pilot.app
            assert isinstance(app, FollowupApp)
            app.import_paths([Path("notes.md")])
            await settle(pilot)

        assert shot(snap_compare, make(), size, run)

    @SIZES
    def test_filters(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        # Some boxes ticked, some not: they must differ without colour.
        app = make(filters=Filters(statuses=frozenset({"open", "filed"}), overdue=True))
        assert shot(snap_compare, app, size, steps(store, "f"))

    @SIZES
    def test_bulk_close_confirmation(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        run = steps(store, "c", "enter", tick=(ALERT, RUNBOOK, LOADTEST, DEBUG))
        assert shot(snap_compare, make(NoToken()), size, run)

    @SIZES
    def test_bulk_results_with_a_failure(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        def remove_tech() -> None:
            with session_scope(store) as session:
                item = session.get(ItemRow, ids(store)[TECH])
                assert item is not None
                item.status = "removed"
                session.add(item)

        run = steps(
            store,
            "p",
            "p",
            "0",
            "enter",
            "y",
            tick=(LOADTEST, DEBUG, TECH),
            before_last=remove_tech,
        )
        assert shot(snap_compare, make(), size, run, press=["e"])

    @SIZES
    def test_assign_prompt(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        assert shot(snap_compare, make(), size, steps(store, "a", select=DEBUG))

    @SIZES
    def test_close_choice(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        assert shot(snap_compare, make(), size, steps(store, "c", select=DEBUG))

    @SIZES
    def test_help(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        assert shot(snap_compare, make(), size, steps(store, "question_mark"))

    @SIZES
    def test_import_file_picker(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        assert shot(snap_compare, make(), size, steps(store, "i"))
