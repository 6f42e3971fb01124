"""The report screen: the review report for the items screen's filter, written or posted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from textual.widgets import Input, Markdown, Static

from followup.tui.filtering import Filters
from followup.tui.screens.report import ReportScope, ReportScreen

from .conftest import AppFactory, NoToken, settle
from .test_snapshots import SIZES, SnapCompare, shot, steps


def _body(app: Any) -> str:
    return str(app.screen.query_one("#report-body", Markdown).source)


def _scope(app: Any) -> str:
    return str(app.screen.query_one("#report-scope", Static).render())


async def test_key_3_opens_the_report_for_every_item(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        body = _body(app)
        assert body.startswith(
            "## Post-mortem follow-ups: week 2020-W03 (2020-01-09 to 2020-01-15)"
        )
        assert "### Overdue by owner" in body
        assert "<sub>" not in body  # no HTML for the terminal
        assert "Every post-mortem and owner · the last 7 days" in _scope(app)
        await pilot.press("t")
        await settle(pilot)
        assert "the last 14 days" in _scope(app)
        assert "(2020-01-02 to 2020-01-15)" in _body(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, ReportScreen)


async def test_the_report_follows_the_post_mortem_and_owner_filters(make: AppFactory) -> None:
    flt = Filters(postmortem="2020-01-06-queue", owner="dana", text="runbook")
    app = make(filters=flt)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        scope = _scope(app)
        assert "Only post-mortem 2020-01-06-queue and owner dana" in scope
        assert "does not filter by search" in scope
        body = _body(app)
        assert "Queue backlog took the API down" in body
        assert "Library reference docs" not in body


def test_mine_stands_for_the_user_and_is_ignored_without_a_login() -> None:
    assert ReportScope.of(Filters(mine=True), "kim").owner == "kim"
    nobody = ReportScope.of(Filters(mine=True, statuses=frozenset({"open"})), None)
    assert (nobody.owner, nobody.ignored) == (None, ("status", "mine"))


@pytest.mark.parametrize(
    ("name", "start"), [("review.md", "## Post-mortem"), ("r.html", "<!doctype")]
)
async def test_w_writes_the_report_to_a_file(
    make: AppFactory, tmp_path: Path, name: str, start: str
) -> None:
    app = make()
    target = tmp_path / name
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("w")
        await pilot.pause()
        box = app.screen.query_one(Input)
        assert box.value == "followup-report-2020-W03.md"
        box.value = str(target)
        await pilot.press("enter")
        await settle(pilot)
    assert target.read_text(encoding="utf-8").startswith(start)


async def test_p_checks_the_issue_and_says_when_github_is_out_of_reach(
    make: AppFactory,
) -> None:
    app = make(NoToken())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        box = app.screen.query_one(Input)
        box.value = "not an issue"
        await pilot.press("enter")
        await pilot.pause()
        error = str(app.screen.query_one("#error", Static).render())
        assert "not an issue" in error
        box.value = "acme/ops#42"
        await pilot.press("enter")
        await settle(pilot)
        notes = [n.message for n in app._notifications]
        assert any("no GitHub token" in note for note in notes), notes


class TestReportScreen:
    @SIZES
    def test_report(
        self, snap_compare: SnapCompare, make: AppFactory, store: Engine, size: tuple[int, int]
    ) -> None:
        assert shot(snap_compare, make(), size, steps(store, "3"))
