"""The TUI says, as `import` does, when a document holds lists that look like work it left."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from textual.widgets import Static

from followup.sync.importing import import_files
from followup.tui import outcomes
from followup.tui.screens.postmortem import PostMortemScreen
from followup.tui.widgets.items_table import ItemsTable
from tests.postmortem.test_diagnosis import STRAY_LESSONS

from .conftest import QUEUE, REPO, AppFactory, ids, settle

JITTER = "Add jitter to cache expiry"
# Text that would restyle the panel or the terminal if it were read as markup or sent raw.
HOSTILE = STRAY_LESSONS.replace(
    "## Lessons learned", "## Lessons [bold red]learned[/] \x1b[31m**now**"
)


def write(folder: Path, text: str) -> Path:
    path = folder / "2020-01-08-cache.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_import_report_leads_with_the_diagnosis(engine: Engine, tmp_path: Path) -> None:
    report = import_files(engine, [write(tmp_path, STRAY_LESSONS)], default_repo=REPO)
    outcome = outcomes.imported(report)
    assert outcome.severity == "warning"
    assert 'not read (line 19 under "Lessons learned")' in outcome.summary


def test_a_well_formed_import_reports_no_warning(engine: Engine, tmp_path: Path) -> None:
    report = import_files(engine, [write(tmp_path, QUEUE)], default_repo=REPO)
    outcome = outcomes.imported(report)
    assert outcome.severity == "information"
    assert "not read" not in outcome.summary


async def test_the_post_mortem_screen_shows_the_diagnosis_as_plain_text(
    make: AppFactory, store: Engine, docs: Path
) -> None:
    import_files(store, [write(docs, HOSTILE)], default_repo=REPO)
    app = make()
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(ItemsTable).move_to(ids(app.engine)[JITTER])
        await pilot.press("v")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PostMortemScreen)
        note = screen.query_one("#pm-diagnosis", Static)
        assert note.display
        shown = str(note.render())
        assert "not read" in shown and "line 19" in shown
        # The heading's markup and escape code are shown as text, never obeyed.
        assert "[bold red]learned[/]" in shown and "␛[31m" in shown
        assert "\x1b" not in shown and "**" not in shown


async def test_the_post_mortem_screen_hides_it_for_a_well_formed_document(
    make: AppFactory,
) -> None:
    app = make()
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(ItemsTable).move_to(
            ids(app.engine)["Write a runbook for draining the queue."]
        )
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, PostMortemScreen)
        assert not app.screen.query_one("#pm-diagnosis", Static).display
