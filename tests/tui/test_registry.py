"""Jobs and changes are declared once: a new one is an entry, and the app runs it as it is."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from followup.config import Settings
from followup.sync.progress import Progress
from followup.tui import edit_job, edits, registry
from followup.tui.jobs import JobContext, JobSpec, Outcome, Palette
from followup.tui.screens.items import ItemsScreen

from .conftest import AppFactory, errors, notes, settle


def test_every_job_has_its_own_name_and_words() -> None:
    names = [spec.name for spec in registry.JOBS]
    assert len(names) == len(set(names))
    for spec in registry.JOBS:
        assert spec.failure and spec.description


def test_edits_of_one_item_each_run_alone_and_a_selection_runs_once() -> None:
    one = edit_job.EditRequest(edits.Edit.DUE, None, (edit_job.Target("abc1234", "x", False),))
    other = edit_job.EditRequest(edits.Edit.DUE, None, (edit_job.Target("def5678", "y", False),))
    many = edit_job.EditRequest(edits.Edit.DUE, None, (*one.targets, *other.targets))
    keys = {registry.EDIT.key(r) for r in (one, other, many)}
    assert keys == {"edit:abc1234", "edit:def5678", "edit:bulk"}
    assert registry.EDIT.describe(many) == "Setting the due date of 2 items"
    assert registry.SYNC.key(None) == "sync"


def test_every_change_has_a_key_of_its_own_among_the_item_keys() -> None:
    keys = [spec.key for spec in edits.EDITS.values()]
    assert len(keys) == len(set(keys))
    assert set(edits.EDITS) == set(edits.Edit)


async def test_a_new_job_is_one_entry_and_shows_in_the_palette(
    make: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []

    def count(context: JobContext, word: str, progress: Progress) -> int:
        ran.append(word)
        return len(word)

    spec: JobSpec[str, int] = JobSpec(
        name="count",
        description=lambda word: f"Counting {word}",
        failure="Counting failed",
        work=count,
        summary=lambda n: Outcome(f"{n} letters", changed=False),
        palette=Palette("Count the sheep", "Count the letters of a word", "sheep"),
    )
    monkeypatch.setattr("followup.tui.commands.JOBS", (*registry.JOBS, spec))
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert commands["Count the sheep"].help == "Count the letters of a word"
        await pilot.press("ctrl+p", *"count the sheep")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert ran == ["sheep"]
        assert "5 letters" in notes(app)
        assert isinstance(app.screen, ItemsScreen)


async def test_a_job_that_needs_github_does_not_start_without_it(
    store: Engine,
) -> None:
    from followup.tui.app import make_app

    app = make_app(engine=store, settings=Settings(sync_interval=0), github_factory=None)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert not app.start(registry.SYNC, None)
        assert not app.start(registry.VERIFY, None)
        await settle(pilot)
        assert errors(app) == ["GitHub is not available in this session"] * 2
        titles = [n.title for n in app._notifications if n.severity == "error"]
        assert titles == ["Sync failed", "Verification failed"]
        assert app.jobs == {}


async def test_a_notification_never_reads_its_text_as_markup(make: AppFactory) -> None:
    app = make()
    async with app.run_test() as pilot:
        await settle(pilot)
        app.notify("Closed [/red] and [@click=app.quit]quit[/]")
        await pilot.pause()
        (note,) = app._notifications
        assert note.markup is False
        assert app.is_running
