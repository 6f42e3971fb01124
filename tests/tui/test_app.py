"""Jobs, errors, import, help, the command palette, links and the `followup tui` command."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from textual.widgets import Input, ProgressBar

from followup.errors import InputError
from followup.github.client import GitHubFactory
from followup.sync.progress import Progress
from followup.tui.app import FollowupApp
from followup.tui.jobs import JobContext, JobSpec, Outcome
from followup.tui.screens.confirm import ConfirmScreen
from followup.tui.screens.file_picker import FilePickerScreen
from followup.tui.screens.help import HelpScreen
from followup.tui.screens.items import ItemsScreen
from followup.tui.widgets.items_table import ItemsTable

from .conftest import (
    DEBUG,
    PROTECT,
    RUNBOOK,
    AppFactory,
    errors,
    ids,
    notes,
    settle,
    top,
)

ANOTHER = """---
title: Certificate expired on the CDN
date: 2020-01-12
---
# Certificate expired on the CDN

## Action items

- Alert 30 days before a certificate expires. Owner: @ola, priority: P1
"""


async def test_long_work_shows_progress_and_stops_when_cancelled(make: AppFactory) -> None:
    app = make()
    started = threading.Event()

    def slow(_context: JobContext, _args: None, progress: Progress) -> Outcome:
        progress.start(100, "Counting sheep")
        started.set()
        for _ in range(500):
            if progress.cancelled():
                return Outcome("stopped between two sheep", changed=False)
            progress.advance()
            time.sleep(0.01)
        return Outcome("counted every sheep", changed=False)

    sheep = JobSpec("sheep", "Counting sheep", "Cannot count", work=slow, summary=lambda o: o)

    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "cancel_jobs" not in [b.binding.action for b in app.screen.active_bindings.values()]
        app.start(sheep, None)
        while not started.is_set():
            await pilot.pause(0.01)
        await pilot.pause(0.2)
        assert "Counting sheep" in str(app.screen.query_one("#job").render())
        bar = app.screen.query_one("#job-progress", ProgressBar)
        assert bar.display and bar.total == 100 and bar.progress > 0
        # The same job cannot run twice at once.
        assert not app.start(sheep, None)
        await pilot.press("ctrl+x")
        await settle(pilot)
        assert "stopped between two sheep (cancelled)" in notes(app)
        assert not app.screen.query_one("#job-progress").display


async def test_a_failing_job_is_one_line_and_the_app_carries_on(make: AppFactory) -> None:
    app = make()

    def refused(_context: JobContext, _args: None, _progress: Progress) -> Outcome:
        raise InputError("the repository octo-org/nope does not exist")

    def broken(_context: JobContext, _args: None, _progress: Progress) -> Outcome:
        raise ValueError("bad\nthings happened")

    one = JobSpec("one", "One", "One failed", work=refused, summary=lambda o: o)
    two = JobSpec("two", "Two", "Two failed", work=broken, summary=lambda o: o)

    async with app.run_test() as pilot:
        await settle(pilot)
        app.start(one, None)
        await settle(pilot)
        app.start(two, None)
        await settle(pilot)
        assert errors(app) == [
            "the repository octo-org/nope does not exist",
            "unexpected ValueError: bad things happened",
        ]
        await pilot.press("j")
        assert isinstance(app.screen, ItemsScreen)


async def test_import_picks_a_file_and_adds_its_items(
    make: AppFactory, docs: Path, store: Engine
) -> None:
    (docs / "2020-01-12-cdn.md").write_text(ANOTHER, encoding="utf-8")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, FilePickerScreen)
        path = app.screen.query_one("#path", Input)
        # The path box has the focus: a typed path is not lost to the tree.
        assert app.focused is path
        await pilot.press(*"nowhere.md", "enter")
        assert "nowhere.md: no such file" in str(app.screen.query_one("#error").render())
        path.value = "2020-01-12-cdn.md"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert "Imported 2020-01-12-cdn: 1 new, 0 updated, 0 removed" in notes(app)
        titles = [i.title for i in app.screen.query_one(ItemsTable).items]
        assert titles[0] == "Alert 30 days before a certificate expires."


async def test_a_file_that_cannot_be_read_imports_nothing_and_says_why(
    make: AppFactory, docs: Path
) -> None:
    (docs / "broken.md").write_bytes(b"# x\n\x00\x01 binary\n")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.import_paths([docs / "broken.md"])
        await settle(pilot)
        (error,) = errors(app)
        assert error.startswith("1 file could not be read; nothing was imported: ")
        assert "broken.md" in error
        assert len(app.screen.query_one(ItemsTable).items) == 6


NOTES = "# Team notes\n\nThings to remember.\n\n- Rotate the on-call rota\n- Order more coffee\n"


async def test_a_file_unlike_a_post_mortem_is_imported_only_once_confirmed(
    make: AppFactory, docs: Path
) -> None:
    (docs / "notes.md").write_text(NOTES, encoding="utf-8")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.import_paths([docs / "notes.md"])
        await settle(pilot)
        dialog = top(app)
        assert isinstance(dialog, ConfirmScreen)
        assert dialog.headline == f"Import {docs / 'notes.md'} anyway?"
        assert "no action-items section" in dialog.body.plain
        assert "--force" not in dialog.body.plain  # a CLI flag means nothing here
        await pilot.press("escape")
        await settle(pilot)
        assert errors(app) == []
        assert len(app.screen.query_one(ItemsTable).items) == 6

        app.import_paths([docs / "notes.md"])
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(top(app), ItemsScreen)
        assert any(n.startswith("Imported notes: 0 new") for n in notes(app))
        assert "notes" in {pm.slug for pm in app.postmortems}


async def test_front_matter_yaml_cannot_read_is_ignored_once_confirmed(
    make: AppFactory, docs: Path
) -> None:
    text = "---\nauthors: @alex\n---\n# Docs outage\n\n## Action items\n\n- Add a smoke test\n"
    (docs / "docs-outage.md").write_text(text, encoding="utf-8")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.import_paths([docs / "docs-outage.md"])
        await settle(pilot)
        dialog = top(app)
        assert isinstance(dialog, ConfirmScreen)
        assert "line 2: front matter is not valid YAML" in dialog.body.plain
        await pilot.press("y")
        await settle(pilot)
        (said,) = [n for n in notes(app) if n.startswith("Imported docs-outage")]
        assert said.startswith("Imported docs-outage: 1 new, 0 updated, 0 removed; line 2: ")
        assert said.endswith("the front matter was ignored")
        assert "Add a smoke test" in {i.title for i in app.screen.query_one(ItemsTable).items}


async def test_a_file_that_is_broken_as_well_is_not_offered_to_import_anyway(
    make: AppFactory, docs: Path
) -> None:
    (docs / "notes.md").write_text(NOTES, encoding="utf-8")
    (docs / "broken.md").write_bytes(b"# x\n\x00\x01 binary\n")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.import_paths([docs / "notes.md", docs / "broken.md"])
        await settle(pilot)
        assert isinstance(top(app), ItemsScreen)
        (error,) = errors(app)
        assert error.startswith("2 files could not be read; nothing was imported: ")


async def test_help_lists_the_keys_of_the_screen(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.keys.plain
        for line in ("c  Close", "/  Search", "m  Mine", "F  File", "R  Sync", "⏎  Open"):
            assert line in text
        await pilot.press("escape")
        assert isinstance(app.screen, ItemsScreen)


async def test_the_command_palette_offers_every_action(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        for title in (
            "Close",
            "Assign",
            "File",
            "Protect",
            "Sync",
            "Import",
            "Search",
            "Filter",
            "Mine",
            "Overdue",
            "File all unfiled items",
            "Protect all pending branches",
            "Sort by due date",
            "Then by priority",
            "Sort for the review",
            "Select",
            "Select all",
            "Dashboard",
        ):
            assert title in commands, title
        assert commands["Close"].help.endswith("key c")
        await pilot.press("ctrl+p")
        await pilot.press(*"sort by due")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one(ItemsTable).sort.column == "due"


async def test_open_and_copy_use_the_issue_the_link_or_the_branch_settings(
    make: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make()
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, new_tab=True: opened.append(url))
    async with app.run_test() as pilot:
        await settle(pilot)
        table = app.screen.query_one(ItemsTable)
        table.move_to(ids(app.engine)[RUNBOOK])
        await pilot.press("o", "y")
        assert opened == ["https://github.com/octo-org/followup-scratch/issues/7"]
        assert app.clipboard == "https://github.com/octo-org/followup-scratch/issues/7"
        table.move_to(ids(app.engine)[PROTECT])
        await pilot.press("o")
        assert opened[-1] == "https://github.com/octo-org/followup-scratch/settings/branches"
        table.move_to(ids(app.engine)[DEBUG])
        await pilot.press("o")
        assert "No issue or link to open" in notes(app)
        assert len(opened) == 2


def test_followup_tui_builds_the_app_with_the_startup_filters(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from followup.cli import cli

    started: list[FollowupApp] = []
    monkeypatch.setattr(FollowupApp, "run", lambda self, *a, **k: started.append(self))
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["--db", db_url, "tui", "--mine", "--status", "open,filed", "--owner", "@dana", "-s", "x"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    (app,) = started
    flt = app.initial_filters
    assert flt.mine and flt.owner == "dana" and flt.text == "x"
    assert flt.statuses == frozenset({"open", "filed"})
    # Bare `followup` opens the TUI too (on the default store), and no token was looked for.
    result = runner.invoke(cli, [], catch_exceptions=False)
    assert result.exit_code == 0 and len(started) == 2
    assert isinstance(app.github_factory, GitHubFactory)
    assert app.github_factory._token is None


def test_a_bad_status_flag_is_refused_before_the_tui_opens(db_url: str) -> None:
    from followup.cli import cli

    result = CliRunner().invoke(cli, ["--db", db_url, "tui", "--status", "finished"])
    assert result.exit_code == 2
    assert "unknown status 'finished'" in result.output


async def test_a_large_store_shows_a_first_page_then_reads_the_rest_once_it_is_drawn(
    make: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from followup.tui import first_page, loading
    from followup.tui import store as tui_store

    monkeypatch.setattr(first_page, "FIRST_PAGE", 2)
    # The load gives up waiting for the first paint after a few seconds, which a loaded
    # machine can take to draw: what is checked here is the order when the paint comes.
    monkeypatch.setattr(loading, "FIRST_PAINT_WAIT", 120.0)
    drawn: list[int] = []
    render_line = ItemsTable.render_line

    def spy(table: ItemsTable, y: int) -> object:
        if table.items and y == 1:
            drawn.append(len(table.items))
        return render_line(table, y)

    monkeypatch.setattr(ItemsTable, "render_line", spy)
    read_postmortems = tui_store.read_postmortems
    rows_drawn_before_the_rest: list[bool] = []

    def reading(*args: object, **kwargs: object) -> object:
        rows_drawn_before_the_rest.append(bool(drawn))
        return read_postmortems(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tui_store, "read_postmortems", reading)
    app = make()
    async with app.run_test() as pilot:
        await settle(pilot)
        table = app.screen.query_one(ItemsTable)
        assert drawn[0] == 2
        assert len(table.items) == len(app.items) > 2
    # The sidebar's post-mortems and the rest of the items wait for the first rows.
    assert rows_drawn_before_the_rest and all(rows_drawn_before_the_rest)
