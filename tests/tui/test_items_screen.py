"""The items screen: the table, the sidebar, every filter, search and sort."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Engine
from textual.widgets import Input, OptionList, SelectionList

from followup.github.client import GitHub, Response
from followup.tui.filtering import Filters
from followup.tui.screens.filters import FiltersScreen
from followup.tui.screens.item_detail import ItemDetailScreen
from followup.tui.screens.items import ItemsScreen
from followup.tui.widgets.filter_bar import FilterBar
from followup.tui.widgets.items_table import ItemsTable
from followup.tui.widgets.sidebar import PostMortemList
from followup.tui.widgets.status_bar import StatusBar
from tests.conftest import MakeDbUrl

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
    ids,
    notes,
    settle,
)

ALL = [ALERT, RUNBOOK, LOADTEST, PROTECT, DEBUG, TECH]


def titles(app: object) -> list[str]:
    table = app.screen.query_one(ItemsTable)  # type: ignore[attr-defined]
    return [item.title for item in table.items]


def status_text(app: object) -> str:
    bar = app.screen.query_one(StatusBar)  # type: ignore[attr-defined]
    return " ".join(str(label.render()) for label in bar.query("Label") if label.display)


async def test_the_table_lists_every_item_newest_post_mortem_first(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert titles(app) == ALL
        assert isinstance(app.focused, ItemsTable)
        assert "6 items" in status_text(app)
        # The linked item shows its issue; the protection item its branch.
        table = app.screen.query_one(ItemsTable)
        by_title = {i.title: i for i in table.items}
        assert by_title[RUNBOOK].target == "octo-org/followup-scratch#7"
        assert by_title[PROTECT].target == "octo-org/followup-scratch:gh-pages"


async def test_the_sidebar_shows_completion_and_overdue_per_post_mortem(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(PostMortemList)
        prompts = [str(sidebar.get_option_at_index(n).prompt) for n in range(sidebar.option_count)]
        assert prompts[0].startswith("All post-mortems")
        assert "1/6" in prompts[0] and "2 overdue" in prompts[0]
        assert prompts[1].startswith("Queue backlog took the")
        assert "1/3" in prompts[1] and "1 overdue" in prompts[1]
        assert "0/3" in prompts[2] and "1 overdue" in prompts[2]


async def test_choosing_a_post_mortem_in_the_sidebar_filters_the_table(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(PostMortemList)
        sidebar.focus()
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert titles(app) == [PROTECT, DEBUG, TECH]
        assert "in 2019-12-05-gh-pages" in str(app.screen.query_one("#chips").render())
        assert isinstance(app.focused, ItemsTable)
        sidebar.focus()
        await pilot.press("home", "enter")
        await settle(pilot)
        assert len(titles(app)) == 6


async def test_typing_after_slash_searches_titles_owners_and_ids(
    make: AppFactory, store: Engine
) -> None:
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"gh-pages")
        assert titles(app) == [PROTECT, DEBUG, TECH]
        await pilot.press(*" could")
        assert titles(app) == [DEBUG]
        assert "1 of 6 items" in status_text(app)
        # Escape goes back to the table and keeps the search.
        await pilot.press("escape")
        assert isinstance(app.focused, ItemsTable)
        assert titles(app) == [DEBUG]
        # An owner and an id match too.
        search = app.screen.query_one("#search", Input)
        search.value = "kim"
        await pilot.pause()
        assert titles(app) == [LOADTEST]
        search.value = ids(store)[ALERT][:5]
        await pilot.pause()
        assert titles(app) == [ALERT]


async def test_enter_in_the_search_box_returns_to_the_table(make: AppFactory) -> None:
    app = make()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("slash", *"runbook", "enter")
        assert isinstance(app.focused, ItemsTable)
        assert titles(app) == [RUNBOOK]
        await pilot.press("enter")
        assert isinstance(app.screen, ItemDetailScreen)


async def test_overdue_shows_only_late_outstanding_items(make: AppFactory) -> None:
    app = make()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark")
        # The done alert was due on the 10th too, but it is done.
        assert titles(app) == [RUNBOOK, PROTECT]
        await pilot.press("exclamation_mark")
        assert titles(app) == ALL


async def test_mine_uses_the_configured_login_without_github(make: AppFactory) -> None:
    github = NoGitHub()
    app = make(github, me="dana")
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert titles(app) == [RUNBOOK, PROTECT]
        assert "mine (@dana)" in str(app.screen.query_one("#chips").render())
        await pilot.press("m")
        assert len(titles(app)) == 6
    assert github.calls == 0


async def test_mine_without_a_login_or_token_says_what_to_do(make: AppFactory) -> None:
    app = make(NoToken())
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert len(titles(app)) == 6
        assert not app.screen.filters.mine  # type: ignore[attr-defined]
        assert any("'Mine' needs your GitHub login" in n for n in notes(app))
        assert "local only: no GitHub token" in status_text(app)


async def test_filters_from_the_dialog_combine(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FiltersScreen)
        # Tick "open" (the first status) and choose the kind "issue".
        dialog.query_one("#statuses").focus()
        await pilot.press("space")
        dialog.query_one("#kind").value = "issue"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert titles(app) == [LOADTEST, DEBUG, TECH]
        chips = str(app.screen.query_one("#chips").render())
        assert "status open" in chips and "issue" in chips
        # An owner on top: everything must hold at once.
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#owner").value = "lee"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert titles(app) == [DEBUG]
        # x clears every filter.
        await pilot.press("x")
        assert len(titles(app)) == 6
        assert "no filter" in str(app.screen.query_one("#chips").render())


async def test_the_filters_dialog_can_be_cancelled(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark", "f")
        await pilot.pause()
        assert isinstance(app.screen, FiltersScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ItemsScreen)
        assert titles(app) == [RUNBOOK, PROTECT]


async def test_status_filter_includes_removed_items_only_when_asked(make: AppFactory) -> None:
    app = make(filters=Filters(statuses=frozenset({"done", "filed"})))
    async with app.run_test() as pilot:
        await settle(pilot)
        assert titles(app) == [ALERT, RUNBOOK]


async def test_sort_cycles_through_columns_and_reverses(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s")  # status: regressed, open, in progress, filed, done...
        assert titles(app)[-2:] == [RUNBOOK, ALERT]
        await pilot.press("s", "s", "s")  # id, title, owner
        table = app.screen.query_one(ItemsTable)
        assert table.sort.column == "owner"
        owners = [i.owner for i in table.items]
        assert owners == sorted(owners, key=lambda o: o or "")
        await pilot.press("S")
        assert [i.owner for i in table.items] == ["sam", "lee", "lee", "kim", "dana", "dana"]
        await pilot.press("s")  # priority
        assert [i.priority for i in table.items] == ["P1", "P1", "P2", "P2", "P3", "P3"]


async def test_clicking_a_header_sorts_by_it_and_again_reverses(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ItemsTable)
        # The Due column starts after status, id, title, owner and priority.
        header = table.region
        due_x = next(
            x for x in range(header.width) if str(table.render_line(0).crop(x, x + 3).text) == "Due"
        )
        await pilot.click(ItemsTable, offset=(due_x, 0))
        assert table.sort.column == "due"
        dues = [i.due for i in table.items]
        assert dues[:-1] == sorted(d for d in dues if d is not None)
        assert dues[-1] is None  # no due date sorts last
        await pilot.click(ItemsTable, offset=(due_x, 0))
        assert table.sort.keys[0].reverse
        assert table.items[0].title == TECH


async def test_keys_move_the_cursor_and_a_click_opens(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ItemsTable)
        await pilot.press("j", "j")
        assert table.current is not None and table.current.title == LOADTEST
        await pilot.press("k")
        assert table.current.title == RUNBOOK
        await pilot.press("G")
        assert table.current.title == TECH
        await pilot.press("g")
        assert table.current.title == ALERT
        await pilot.click(ItemsTable, offset=(20, 3))
        assert table.current.title == LOADTEST
        await pilot.click(ItemsTable, offset=(20, 3))
        await pilot.pause()
        assert isinstance(app.screen, ItemDetailScreen)


async def test_the_cursor_stays_on_its_item_when_the_filter_changes(make: AppFactory) -> None:
    app = make()
    async with app.run_test() as pilot:
        await settle(pilot)
        table = app.screen.query_one(ItemsTable)
        table.move_to(ids(app.engine)[PROTECT])
        await pilot.press("exclamation_mark")
        assert table.current is not None and table.current.title == PROTECT


async def test_an_empty_store_says_how_to_start(make: AppFactory, make_db_url: MakeDbUrl) -> None:
    from followup.config import Settings
    from followup.store import create_store_engine
    from followup.tui.app import make_app

    empty = create_store_engine(make_db_url())
    app = make_app(engine=empty, settings=Settings(sync_interval=0), github_factory=None)
    async with app.run_test() as pilot:
        await settle(pilot)
        table = app.screen.query_one(ItemsTable)
        assert list(table.items) == []
        assert "Press i to import" in table.empty_text
    empty.dispose()


async def test_the_filter_bar_names_the_active_filters_in_words(make: AppFactory) -> None:
    app = make(filters=Filters(owner="@lee", overdue=True, kind="branch_protection"), me="lee")
    async with app.run_test() as pilot:
        await settle(pilot)
        chips = str(app.screen.query_one(FilterBar).query_one("#chips").render())
        assert chips == "filter: owner @lee · overdue · protection"
        assert titles(app) == []
        sidebar = app.screen.query_one(PostMortemList)
        assert isinstance(sidebar, OptionList)


async def test_ticked_and_unticked_boxes_differ_without_colour(make: AppFactory) -> None:
    app = make(filters=Filters(statuses=frozenset({"filed"}), overdue=True))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FiltersScreen)
        overdue = str(dialog.query_one("#overdue").render())
        mine = str(dialog.query_one("#mine").render())
        assert overdue.startswith("▐X▌") and mine.startswith("▐ ▌")
        statuses = dialog.query_one("#statuses", SelectionList)
        lines = [statuses.render_line(y).text for y in range(statuses.option_count)]
        assert lines[0].startswith("▐ ▌ ○ open") and lines[1].startswith("▐X▌ ◔ filed")
        # Ticking changes the glyph, not only the colour.
        dialog.query_one("#mine").focus()
        await pilot.press("space")
        assert str(dialog.query_one("#mine").render()).startswith("▐X▌")
        statuses.focus()
        await pilot.press("space")  # the highlighted first status: open
        assert statuses.render_line(0).text.startswith("▐X▌")


@dataclass
class SlowLogin:
    """A client factory whose 'who am I' answers when the test says so."""

    answer: threading.Event = field(default_factory=threading.Event)
    calls: int = 0

    def __call__(self) -> GitHub:
        self.calls += 1
        return cast(GitHub, self)

    def get(self, path: str) -> Response:
        assert path == "/user"
        self.answer.wait(5)
        return Response(200, {"login": "dana"}, {}, "GET /user")


async def test_the_login_lookup_shows_while_it_runs_and_never_once_the_login_is_known(
    make: AppFactory,
) -> None:
    github = SlowLogin()
    app = make(github)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await pilot.pause()
        assert "mine (looking up your GitHub login…)" in chip_text(app)
        await pilot.press("f")
        await pilot.pause()
        label = str(app.screen.query_one("#mine").render())
        assert "your GitHub login is being looked up" in label
        await pilot.press("ctrl+s")  # 'mine' stays ticked: no second lookup
        github.answer.set()
        await settle(pilot)
        assert titles(app) == [RUNBOOK, PROTECT]
        assert "mine (@dana)" in chip_text(app)
        await pilot.press("m", "f")
        await pilot.pause()
        assert "Only mine (@dana)" in str(app.screen.query_one("#mine").render())
        app.screen.query_one("#mine").focus()
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert titles(app) == [RUNBOOK, PROTECT]
    assert github.calls == 1
    assert not any("Looking up" in n or "looking up" in n for n in notes(app))


def chip_text(app: object) -> str:
    return str(app.screen.query_one("#chips").render())  # type: ignore[attr-defined]
