"""priority, due and --project from the command line: what reaches GitHub, said in JSON.

Every JSON document is checked against its schema in docs/schemas/ (tests/cli/conftest.py).
The cassettes were authored by scripts/author_mirroring_cassettes.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from followup.store import session_scope
from followup.store.models import IssueRow, ItemRow, ProjectItemRow
from tests.conftest import RunCli
from tests.sync.mirror_world import PROJECT, build_store, in_project
from tests.sync.world import ALERT, NOW, SCRATCH, fake_clock

ENVIRONMENT = {
    "FOLLOWUP_WRITE_INTERVAL": "0",
    "FOLLOWUP_MAX_RETRIES": "1",
    "FOLLOWUP_SYNC_CONCURRENCY": "1",
    "COLUMNS": "200",
}
DOCUMENT = """\
---
title: Queue outage
date: 2026-11-01
---

## Action Items

- [ ] Add an alert on queue depth
  - Priority: P1
  - Due: 2026-12-01
- [ ] Write a runbook for failover
"""


def write_postmortem(folder: Path) -> Path:
    """Write the post-mortem the file tests file; return its path."""
    path = folder / "2026-11-01-queue-outage.md"
    path.write_text(DOCUMENT, encoding="utf-8")
    return path


def file_args(document: Path) -> list[str]:
    """Return the arguments of the file tests' run."""
    return ["file", str(document), "-R", SCRATCH, "--project", PROJECT, "--format", "json"]


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, github_token: str) -> None:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GH_TOKEN", github_token)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr("followup.clock.today", NOW.date)
    return fake_clock(monkeypatch)


@pytest.fixture
def ids(engine: Engine, clock: Any) -> dict[str, str]:
    built = build_store(engine)
    clock.time = NOW
    return built


@pytest.mark.vcr
def test_file_with_a_project_adds_each_issue_and_says_so_in_json(
    run_cli: RunCli, engine: Engine, clock: Any, tmp_path: Path, vcr: Any
) -> None:
    clock.time = NOW

    result = run_cli(*file_args(write_postmortem(tmp_path)))

    assert result.exit_code == 0, result.output
    assert vcr.all_played
    report = json.loads(result.stdout)
    assert report["summary"] == {"created": 2, "linked": 0, "skipped": 0, "failed": 0}
    project = report["project"]
    assert (project["project"], project["title"], project["error"]) == (
        PROJECT,
        "Incident follow-ups",
        None,
    )
    assert [(i["issue"], i["action"], i["message"]) for i in project["items"]] == [
        (
            f"{SCRATCH}#15",
            "added",
            f"added to project {PROJECT} with Priority P1 and Due 2026-12-01",
        ),
        (f"{SCRATCH}#16", "added", f"added to project {PROJECT}"),
    ]
    assert [i["id"] for i in project["items"]] == [i["id"] for i in report["items"]]
    with session_scope(engine) as session:
        kept = [(e.priority, e.due) for e in session.exec(select(ProjectItemRow))]
    assert sorted(kept, key=str) == [("P1", "2026-12-01"), (None, None)]


@pytest.mark.vcr
def test_a_token_without_the_project_scope_stops_the_run_before_anything_is_filed(
    run_cli: RunCli, engine: Engine, clock: Any, tmp_path: Path, vcr: Any
) -> None:
    clock.time = NOW
    args = file_args(write_postmortem(tmp_path))

    result = run_cli(*args[:-2])  # as text

    assert result.exit_code == 4
    assert vcr.all_played  # the project's query, and no write
    assert result.stderr == (
        "error: the token cannot use GitHub Projects: it needs the 'project' scope "
        "(gh auth refresh -s project; a fine-grained token needs Projects: read and write)\n"
    )
    with session_scope(engine) as session:
        assert session.exec(select(IssueRow)).all() == []


def test_a_project_that_names_none_is_refused_before_anything_runs(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = str(write_postmortem(tmp_path))
    bad = run_cli("file", document, "-R", SCRATCH, "--project", "octo-org")
    assert bad.exit_code == 2
    assert "not a GitHub project: 'octo-org' (expected OWNER/NUMBER" in bad.stderr

    monkeypatch.setenv("FOLLOWUP_PROJECT", "https://github.com/octo-org")
    config = run_cli("file", document, "-R", SCRATCH)
    assert config.exit_code == 3
    assert config.stderr.startswith(
        "error: FOLLOWUP_PROJECT: project: not a GitHub project: 'https://github.com/octo-org'"
    )


def test_a_dry_run_names_the_project_without_a_token(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GH_TOKEN")
    document = str(write_postmortem(tmp_path))

    result = run_cli(*file_args(Path(document)), "--dry-run")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["project"] == {
        "project": PROJECT,
        "title": None,
        "url": None,
        "items": [],
        "error": None,
    }


@pytest.mark.vcr
def test_sync_json_lists_each_project_it_read(
    run_cli: RunCli, engine: Engine, ids: dict[str, str], vcr: Any
) -> None:
    in_project(engine, {ALERT: ("P1", "2026-12-01")})

    result = run_cli("sync", "--format", "json")

    assert result.exit_code == 0, result.output
    assert vcr.all_played
    report = json.loads(result.stdout)
    assert report["projects"] == [
        {
            "project": PROJECT,
            "ok": True,
            "reason": None,
            "items_read": 1,
            "items_changed": 1,
            "requests": 1,
        }
    ]
    (changed,) = report["items"]
    assert changed["id"] == ids[ALERT]
    assert [(c["field"], c["old"], c["new"]) for c in changed["changes"]] == [
        ("priority", "P1", "P0")
    ]


@pytest.mark.vcr
def test_priority_with_a_token_swaps_the_label_and_says_so_in_json(
    run_cli: RunCli, engine: Engine, ids: dict[str, str], vcr: Any
) -> None:
    result = run_cli("priority", ids[ALERT], "P0", "--format", "json")

    assert result.exit_code == 0, result.output
    assert vcr.all_played
    report = json.loads(result.stdout)
    (edited,) = report["items"]
    assert (edited["action"], edited["field"], edited["old"], edited["new"]) == (
        "pushed",
        "priority",
        "P1",
        "P0",
    )
    assert edited["issue"] == {"repo": SCRATCH, "number": 12, "url": None}
    with session_scope(engine) as session:
        row = session.exec(select(IssueRow).where(IssueRow.number == 12)).one()
    assert "priority:P0" in row.labels and "priority:P1" not in row.labels


@pytest.mark.vcr
def test_due_takes_days_from_today_and_writes_the_due_line(
    run_cli: RunCli, engine: Engine, ids: dict[str, str], vcr: Any
) -> None:
    result = run_cli("due", ids[ALERT], "+14", "--format", "json")

    assert result.exit_code == 0, result.output
    assert vcr.all_played
    (edited,) = json.loads(result.stdout)["items"]
    # Today is 2026-11-21 for the test: fourteen days on.
    assert (edited["action"], edited["old"], edited["new"]) == (
        "pushed",
        "2026-12-01",
        "2026-12-05",
    )
    with session_scope(engine) as session:
        item = session.get(ItemRow, ids[ALERT])
        assert item is not None
        issue = session.get(IssueRow, item.issue_id)
        assert issue is not None and issue.body_due == "2026-12-05"
