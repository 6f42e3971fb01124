"""A small store with known items, the app built on it, and helpers to drive it."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from textual.pilot import Pilot
from textual.screen import Screen

from followup import clock
from followup.config import Settings
from followup.github import AuthError, ClientOptions, GitHub
from followup.github.issue_mapping import RemoteIssue
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.models import ItemRow
from followup.sync.importing import import_files
from followup.sync.links import apply_issue
from followup.tui.app import FollowupApp, make_app
from followup.tui.filtering import Filters
from tests.conftest import GH_PAGES

TODAY = date(2020, 1, 15)
NOW = datetime(2020, 1, 15, 9, 30, tzinfo=UTC)
REPO = "octo-org/followup-scratch"

QUEUE = f"""---
title: Queue backlog took the API down
date: 2020-01-06
status: final
repo: {REPO}
---
# Queue backlog took the API down

## Action items

- [x] Add an alert on queue depth. Owner: @lee, priority: P1, due: 2020-01-10
- Write a runbook for draining the queue. Owner: @dana, priority: P2, due: 2020-01-08
- Load-test the consumer before the next release. Owner: @kim, priority: P3
"""

PROTECT = "Protect gh-pages branch. Don't allow deletion."
DEBUG = "Investigate if debugging gh-pages could be improved."
TECH = "Investigate if there are other technologies we ought to be using instead of gh-pages."
ALERT = "Add an alert on queue depth."
RUNBOOK = "Write a runbook for draining the queue."
LOADTEST = "Load-test the consumer before the next release."


@pytest.fixture(autouse=True)
def utc_zone() -> Iterator[None]:
    """Show times in UTC so screens read the same on every machine."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Stamp imports and edits at a known time."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return NOW


@pytest.fixture(autouse=True)
def lasting_notices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep notifications until the test reads them, however slowly a loaded machine runs."""
    # They expire after 5 s of wall time: a busy CI could reap one before the check.
    monkeypatch.setattr(FollowupApp, "NOTIFICATION_TIMEOUT", 3600.0)


@pytest.fixture
def docs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Write the two post-mortems into a folder and work from it (paths show relative)."""
    folder = tmp_path / "postmortems"
    folder.mkdir()
    shutil.copy(GH_PAGES, folder / GH_PAGES.name)
    (folder / "2020-01-06-queue.md").write_text(QUEUE, encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def store(engine: Engine, docs: Path) -> Engine:
    """Import both post-mortems and link the runbook item to issue #7."""
    import_files(engine, sorted(docs.glob("*.md")), default_repo=REPO)
    with session_scope(engine) as session:
        item = session.exec(select(ItemRow).where(ItemRow.title == RUNBOOK)).one()
        remote = RemoteIssue(
            repo=REPO,
            number=7,
            node_id="I_kwDOABC7",
            url=f"https://github.com/{REPO}/issues/7",
            title=RUNBOOK,
            state="open",
            assignees=("dana",),
            labels=("followup",),
        )
        changes = Changes(source="followup", at=NOW)
        apply_issue(session, item, remote, changes, how="filed", at=NOW)
        changes.flush(session)
    return engine


PROSE = """---
title: Login latency
date: 2020-01-10
---
# Login latency

## Summary

Logins were slow for an hour. We will add an alert on login latency by end of January.
We will protect the `main` branch from force pushes.

## Action items

- Raise the connection limit
"""
PROSE_ALERT = "Add an alert on login latency by end of January"
GUARD = "Protect the main branch from force pushes"
LIMIT = "Raise the connection limit"
LOGIN = "2020-01-10-login"
QUEUE_SLUG = "2020-01-06-queue"


@pytest.fixture
def prose(store: Engine, docs: Path) -> Engine:
    """Add a post-mortem whose commitments are partly in prose: two suggestions."""
    path = docs / f"{LOGIN}.md"
    path.write_text(PROSE, encoding="utf-8")
    import_files(store, [path], default_repo=REPO)
    return store


def ids(engine: Engine) -> dict[str, str]:
    """Return item ids by title."""
    with session_scope(engine) as session:
        return {row.title: row.id for row in session.exec(select(ItemRow))}


def row(engine: Engine, title: str) -> ItemRow:
    """Return an item's row as stored now."""
    with session_scope(engine) as session:
        return session.exec(select(ItemRow).where(ItemRow.title == title)).one()


@dataclass
class NoGitHub:
    """A client factory for actions that must stay local: it counts calls and refuses."""

    calls: int = 0

    def __call__(self) -> GitHub:
        self.calls += 1
        raise AssertionError("this action must not reach GitHub")


@dataclass
class NoToken:
    """A client factory with no token, as on a machine where nobody logged in."""

    calls: int = 0

    def __call__(self) -> GitHub:
        self.calls += 1
        raise AuthError("no GitHub token found: set GH_TOKEN or GITHUB_TOKEN")


@dataclass
class Replayed:
    """A client factory whose clients talk to the test's cassette, without pauses."""

    token: str
    made: list[GitHub] = field(default_factory=list)

    def __call__(self) -> GitHub:
        client = GitHub(self.token, ClientOptions(write_interval=0, backoff=0))
        self.made.append(client)
        return client


AppFactory = Callable[..., FollowupApp]


@pytest.fixture
def make(store: Engine) -> AppFactory:
    """Return a builder of the app over the test store; GitHub refuses unless given."""

    def build(
        github: Callable[[], GitHub] | None = None,
        *,
        filters: Filters | None = None,
        **settings: Any,
    ) -> FollowupApp:
        values: dict[str, Any] = {"sync_interval": 0, **settings}
        return make_app(
            engine=store,
            settings=Settings(**values),
            github_factory=github if github is not None else NoGitHub(),
            today=lambda: TODAY,
            filters=filters,
        )

    return build


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until loads, jobs and their follow-up reloads are all done."""
    app = pilot.app
    for _ in range(100):
        await pilot.pause()
        # A DirectoryTree's loader waits for work forever: it is not ours to wait for.
        ours = [w for w in app.workers if w.group != "_loader" and w.is_running]
        await asyncio.gather(*(w.wait() for w in ours), return_exceptions=True)
        await pilot.pause()
        busy = isinstance(app, FollowupApp) and (bool(app.jobs) or not app.complete)
        if not busy and not any(w.group != "_loader" and w.is_running for w in app.workers):
            return
    raise AssertionError("the app did not settle")


def notes(app: FollowupApp) -> list[str]:
    """Return the notifications shown so far, oldest first."""
    return [n.message for n in app._notifications]


def errors(app: FollowupApp) -> list[str]:
    """Return the error notifications shown so far."""
    return [n.message for n in app._notifications if n.severity == "error"]


def top(app: FollowupApp) -> Screen[Any]:
    """Return the screen on top (a call, so type checkers do not carry a narrowing over)."""
    return app.screen
