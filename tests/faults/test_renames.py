"""A renamed repository end to end: `file` and `sync` follow it, `list` and `show` name it.

The post-mortem names `octo-org/old-name`, which GitHub now calls `octo-org/new-name`
(tests/faults/renamed.py). Every request to the old name is redirected.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from followup import clock
from followup.github.issue_mapping import remote_issue_from_rest
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.models import IssueRow, ItemRow, RepoIdentityRow
from followup.store.queries import item_events
from followup.sync.importing import import_files
from followup.sync.issue_state import IssueUpdates, items_by_issue
from followup.sync.links import apply_issue, find_issue, upsert_issue
from tests.conftest import RunCli
from tests.faults.renamed import NEW, OLD, REPO_ID, issue

SLUG = "2026-11-20-renamed"
ALERT = "Add an alert on queue depth."
RUNBOOK = "Write a runbook for draining the queue."
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
DOCUMENT = f"""---
title: Queue backlog took the API down
repo: {OLD}
status: final
---
# Queue backlog took the API down

## Action items

- {ALERT}
- {RUNBOOK}
"""


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, github_token: str, tmp_path: Path) -> None:
    monkeypatch.setenv("GH_TOKEN", github_token)
    monkeypatch.setenv("FOLLOWUP_WRITE_INTERVAL", "0")
    monkeypatch.setenv("FOLLOWUP_SYNC_CONCURRENCY", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(clock, "now", lambda: NOW)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def pm_path(tmp_path: Path) -> Path:
    path = tmp_path / f"{SLUG}.md"
    path.write_text(DOCUMENT, encoding="utf-8")
    return path


def listing(run_cli: RunCli) -> dict[str, dict[str, Any]]:
    result = run_cli("list", "--format", "json")
    assert result.exit_code == 0, result.output
    return {item["title"]: item for item in json.loads(result.stdout)}


def identity(engine: Engine) -> list[tuple[str, int | None, str | None]]:
    with session_scope(engine) as session:
        rows = session.exec(select(RepoIdentityRow)).all()
        return [(r.name, r.repo_id, r.current) for r in rows]


@pytest.mark.vcr
def test_filing_into_a_renamed_repository_files_each_item_once(
    run_cli: RunCli, engine: Engine, pm_path: Path, vcr: Any
) -> None:
    result = run_cli("file", str(pm_path))

    assert result.exit_code == 0, result.output
    assert "2 created, 0 linked, 0 skipped, 0 failed." in result.stdout
    assert "unexpected" not in result.output
    assert "following 30" not in result.stderr  # no log line without --verbose
    # Each create was sent twice: to the old name (307), then again to the repository's id.
    posts = [r.path for r in vcr.requests if r.method == "POST"]
    assert posts.count(f"/repos/{OLD}/issues") == 2
    assert posts.count(f"/repositories/{REPO_ID}/issues") == 2
    assert vcr.all_played
    assert identity(engine) == [(OLD, REPO_ID, NEW)]

    items = listing(run_cli)
    assert {t: i["issue"]["repo"] for t, i in items.items()} == {ALERT: NEW, RUNBOOK: NEW}
    assert {t: i["repo"] for t, i in items.items()} == {ALERT: NEW, RUNBOOK: NEW}

    table = run_cli("list")
    assert f"{NEW}#15" in table.stdout and OLD not in table.stdout
    assert f"note: {OLD} is now {NEW} on GitHub" in table.stderr
    shown = run_cli("show", items[ALERT]["id"])
    assert f"{NEW}#15" in shown.stdout
    assert f"note: {OLD} is now {NEW} on GitHub" in shown.stderr


def filed_in_old_name(engine: Engine, path: Path) -> dict[str, str]:
    """Import the post-mortem and link its items as filed before the rename."""
    import_files(engine, [path])
    with session_scope(engine) as session:
        items = {i.title: i for i in session.exec(select(ItemRow))}
        changes = Changes(source="followup")
        for number, title in ((15, ALERT), (16, RUNBOOK)):
            data = issue(number, title, repo=OLD, labels=("followup",))
            data["body"] = ""
            remote = remote_issue_from_rest(data)
            apply_issue(session, items[title], remote, changes, how="created")
        changes.flush(session)
        return {title: item.id for title, item in items.items()}


@pytest.mark.vcr
def test_a_sync_after_a_rename_polls_the_list_it_asked_for_and_follows_the_issues(
    run_cli: RunCli, engine: Engine, pm_path: Path, vcr: Any
) -> None:
    ids = filed_in_old_name(engine, pm_path)

    result = run_cli("--verbose", "sync")

    assert result.exit_code == 0, result.output
    # --verbose shows the redirect followed, query string and all.
    assert (
        f"following 301 for GET /repos/{OLD}/issues?labels=followup&state=all&sort=updated"
        in result.stderr
    )
    assert vcr.all_played  # the list was asked for with its labels, state and order
    with session_scope(engine) as session:
        rows = {r.number: (r.repo, r.state) for r in session.exec(select(IssueRow))}
        alert = session.get(ItemRow, ids[ALERT])
        assert alert is not None and alert.status == "done"
        events = [(e.field, e.old, e.new) for e in item_events(session, ids[ALERT])]
    # The same rows, under the repository's new name; #15 was closed meanwhile.
    assert rows == {15: (NEW, "closed"), 16: (NEW, "open")}
    assert ("link", f"{OLD}#15", f"{NEW}#15") in events
    assert identity(engine) == [(OLD, REPO_ID, NEW)]
    assert f"{OLD} is now {NEW} on GitHub" in result.output


def test_an_issue_moved_onto_one_the_store_knows_links_its_items_there(
    engine: Engine, pm_path: Path
) -> None:
    ids = filed_in_old_name(engine, pm_path)
    with session_scope(engine) as session:
        # Another item already named the issue's new place, octo-org/new-name#3.
        known = upsert_issue(session, remote_issue_from_rest(issue(3, "Elsewhere", repo=NEW)))
        old = find_issue(session, OLD, 15)
        assert old is not None and old.id is not None and known.id is not None
        linked = items_by_issue(session, [old.id])[old.id]
        node = old.node_id
        arrived = remote_issue_from_rest(issue(3, ALERT, repo=NEW) | {"node_id": node})
        updates = IssueUpdates(session)
        assert updates.moved(old, linked, arrived)
        updates.flush()
        known_id, old_id = known.id, old.id
    with session_scope(engine) as session:
        alert = session.get(ItemRow, ids[ALERT])
        left = session.get(IssueRow, old_id)
        assert alert is not None and left is not None
        assert alert.issue_id == known_id
        assert (left.gone, left.node_id) == ("transferred", None)
        events = [(e.field, e.old, e.new) for e in item_events(session, ids[ALERT])]
    assert ("link", f"{OLD}#15", f"{NEW}#3") in events
