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
from followup.store import create_store_engine
from followup.tui.app import make_app
from followup.tui.widgets.items_table import ItemsTable

from .conftest import DEBUG, PROTECT, RUNBOOK, TODAY, AppFactory, NoToken, Replayed, ids, settle

# The pictures do not depend on the store; every other TUI test runs on both backends.
pytestmark = pytest.mark.sqlite_only("a screenshot does not depend on the backend")

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
SnapCompare = Callable[..., bool]


def steps(
    engine: Engine, *keys: str, select: str | None = None
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Return a run_before that waits for data, picks an item, then presses keys."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        if select is not None:
            assert pilot.app.screen.query_one(ItemsTable).move_to(ids(engine)[select])
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        # A blinking cursor is drawn or not depending on when the picture is taken: on a
        # busy machine (the suite runs on two backends at once) it was caught hidden.
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
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
    def test_filters(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        assert shot(snap_compare, make(), size, steps(store, "f"))

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
