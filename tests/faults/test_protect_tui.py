"""The TUI's protection dialog names a status check that never ran; confirming requires it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from followup.config import Settings
from followup.github.client import GitHub
from followup.tui import registry
from followup.tui.app import make_app
from followup.tui.screens.confirm import ConfirmScreen
from followup.tui.screens.items import ItemsScreen
from tests.fakegithub import FakeGitHub
from tests.fakegithub.protection_shapes import classic, reviews
from tests.faults.scenarios import ITEM, REPO, add_item
from tests.tui.conftest import errors, settle

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

ASKED = {"contexts": ["ci/typo"], "required_approving_review_count": 1}


async def test_confirming_the_dialog_that_names_the_check_requires_it(
    fake: FakeGitHub, client: GitHub, engine: Engine
) -> None:
    fake.branch(REPO, "main", classic(reviews=reviews(1))).reported = ["ci/build"]
    add_item(engine, "main", ASKED)
    app = make_app(
        engine=engine,
        settings=Settings(sync_interval=0),
        github_factory=lambda: client,
        today=lambda: date(2026, 11, 21),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.start(registry.PLAN_PROTECT, (ITEM,))
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        body = " ".join(dialog.body.plain.split())
        assert "⚠ status check ci/typo never reported on the latest commit of main" in body
        assert fake.requests("POST contexts", "PUT protection") == []
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert errors(app) == []
    assert fake.missing(REPO, "main", ASKED) == []
