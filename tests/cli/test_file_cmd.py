"""`followup file` from the command line, against recorded exchanges."""

from __future__ import annotations

import io
import json
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import create_engine, select
from sqlmodel import SQLModel

from followup.cli.interrupts import stop_on_interrupt
from followup.cli.progress import BarProgress
from followup.store import models  # noqa: F401  (the tables, for _every_row)
from tests.conftest import GH_PAGES, RunCli

PROTECT = "Protect gh-pages branch. Don't allow deletion."
DEBUGGING = "Investigate if debugging gh-pages could be improved."
OTHER_TECH = "Investigate if there are other technologies we ought to be using instead of gh-pages."


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, github_token: str) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", github_token)
    monkeypatch.setenv("FOLLOWUP_WRITE_INTERVAL", "0")
    monkeypatch.setenv("COLUMNS", "200")


def listing(run_cli: RunCli) -> dict[str, dict[str, Any]]:
    result = run_cli("list", "--format", "json")
    assert result.exit_code == 0, result.output
    return {item["title"]: item for item in json.loads(result.stdout)}


@pytest.mark.vcr
def test_the_gh_pages_example_files_two_issues_and_leaves_protection_alone(
    run_cli: RunCli, scratch_repo: str, vcr: Any
) -> None:
    result = run_cli("file", str(GH_PAGES), "--repo", scratch_repo)

    assert result.exit_code == 0, result.output
    assert "2 created, 0 linked, 1 skipped, 0 failed." in result.stdout
    items = listing(run_cli)
    for title in (DEBUGGING, OTHER_TECH):
        issue = items[title]["issue"]
        assert items[title]["status"] == "filed"
        assert issue["repo"] == scratch_repo.lower() and issue["state"] == "open"
        assert issue["url"] == f"https://github.com/{scratch_repo}/issues/{issue['number']}"
        assert issue["url"] in result.stdout
    assert items[PROTECT]["issue"] is None and items[PROTECT]["status"] == "open"
    assert not any("/branches/" in r.path for r in vcr.requests)
    assert [r.method for r in vcr.requests].count("POST") == 2 + 6  # two issues, six labels
    assert vcr.all_played

    shown = run_cli("show", items[DEBUGGING]["id"])
    assert items[DEBUGGING]["issue"]["url"] in shown.stdout
    assert f"{scratch_repo}#{items[DEBUGGING]['issue']['number']}" in shown.stdout


@pytest.mark.vcr
def test_a_dry_run_prints_each_issue_and_sends_no_write(
    run_cli: RunCli, scratch_repo: str, vcr: Any
) -> None:
    result = run_cli("file", str(GH_PAGES), "--repo", scratch_repo, "--dry-run")

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Dry run: 2 to create, 0 to link, 1 skipped, 0 failing." in out
    assert f"title:     {DEBUGGING}" in out
    assert "labels:    followup, postmortem:2019-12-05-gh-pages, priority:P2, type:mitigate" in out
    assert "assignees: lee" in out
    assert "assignees: none" in out  # sam cannot be assigned there
    assert "│ - **Owner:** @sam (cannot be assigned in this repository)" in out
    assert "│ <!-- followup:item=" in out
    assert f"labels to create in {scratch_repo.lower()}: followup (#5319e7)" in out
    assert vcr.all_played and {r.method for r in vcr.requests} == {"GET"}
    assert all(item["issue"] is None for item in listing(run_cli).values())


def test_a_dry_run_without_a_token_still_shows_the_plan(
    run_cli: RunCli, scratch_repo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    result = run_cli("file", str(GH_PAGES), "--repo", scratch_repo, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "no GitHub token found" in result.stderr
    assert "GitHub was not checked" in result.stderr
    assert "Dry run: 2 to create" in result.stdout


def test_every_item_of_the_store_is_planned_with_all(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    other = tmp_path / "2026-05-01-queue.md"
    other.write_text("# Queue\n\n## Action items\n\n- Add an alert on queue depth\n", "utf-8")
    assert run_cli("import", str(GH_PAGES), str(other), "--repo", "octo-org/docs").exit_code == 0

    result = run_cli("file", "--all", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "Dry run: 3 to create, 0 to link, 1 skipped, 0 failing." in result.stdout
    assert "title:     Add an alert on queue depth" in result.stdout


def test_files_or_all_are_required_but_not_both(run_cli: RunCli) -> None:
    assert run_cli("file").exit_code == 2
    both = run_cli("file", "--all", str(GH_PAGES))
    assert both.exit_code == 2 and "not both" in both.output


def test_an_item_without_a_repository_fails_the_command(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "2026-05-01-queue.md"
    path.write_text("# Queue\n\n## Action items\n\n- Add an alert on queue depth\n", "utf-8")
    result = run_cli("file", str(path))
    assert result.exit_code == 1
    assert "no repository to file it in: pass --repo" in " ".join(result.stdout.split())


def test_a_draft_is_skipped_with_a_note(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "2026-05-01-queue.md"
    path.write_text(
        "---\nstatus: draft\nrepo: octo-org/docs\n---\n# Queue\n\n"
        "## Action items\n\n- Add an alert\n",
        "utf-8",
    )
    result = run_cli("file", str(path))
    assert result.exit_code == 0, result.output
    assert "a draft (status: draft); its items are not filed" in " ".join(result.stderr.split())
    assert "0 created, 0 linked, 1 skipped, 0 failed." in result.stdout


@pytest.mark.vcr
def test_write_back_adds_the_references_and_a_second_run_sends_nothing(
    run_cli: RunCli, tmp_path: Path, scratch_repo: str
) -> None:
    path = tmp_path / GH_PAGES.name
    shutil.copy(GH_PAGES, path)
    original = path.read_text(encoding="utf-8")

    first = run_cli("file", str(path), "--repo", scratch_repo, "--write-back")

    assert first.exit_code == 0, first.output
    assert "wrote 2 issue references into" in first.stdout
    items = listing(run_cli)
    changed = path.read_text(encoding="utf-8")
    differ = [
        (a, b) for a, b in zip(original.split("\n"), changed.split("\n"), strict=True) if a != b
    ]
    assert len(differ) == 2
    for title, (before, after) in zip((DEBUGGING, OTHER_TECH), differ, strict=True):
        ref = f"{scratch_repo}#{items[title]['issue']['number']}"
        assert after == before.replace("| TODO |", f"| {ref} |")
        assert [link["text"] for link in items[title]["links"]] == [ref]

    second = run_cli("file", str(path), "--repo", scratch_repo)

    assert second.exit_code == 0, second.output
    assert "0 created, 0 linked, 3 skipped, 0 failed." in second.stdout
    assert {t: i["id"] for t, i in listing(run_cli).items()} == {
        t: i["id"] for t, i in items.items()
    }


def test_a_first_ctrl_c_asks_to_stop_and_a_second_stops_at_once() -> None:
    progress = BarProgress(Console(file=io.StringIO()))
    before = signal.getsignal(signal.SIGINT)
    with stop_on_interrupt(progress):
        signal.raise_signal(signal.SIGINT)
        assert progress.cancelled() is True
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before


SECRET = "ghp_followupSecretThatMustNeverBeWritten0001"


@pytest.mark.vcr("test_the_gh_pages_example_files_two_issues_and_leaves_protection_alone.yaml")
def test_the_token_is_written_nowhere(
    run_cli: RunCli,
    scratch_repo: str,
    db_url: str,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    caplog.set_level("DEBUG")
    result = run_cli("file", str(GH_PAGES), "--repo", scratch_repo)
    shown = run_cli("list", "--format", "json")
    assert result.exit_code == 0, result.output

    assert SECRET not in result.output + shown.output
    # Every library's DEBUG log of the requests was captured, and holds no token.
    assert "api.github.com" in caplog.text
    assert SECRET not in caplog.text
    # Every row of every table, on either backend, and on SQLite its files too.
    stored = _every_row(db_url)
    assert scratch_repo in stored
    assert SECRET not in stored
    written = [p for p in isolated_home.rglob("*") if p.is_file()]
    if db_url.startswith("sqlite:///"):
        database = Path(db_url.removeprefix("sqlite:///"))
        written += [p for p in database.parent.glob(database.name + "*") if p.is_file()]
        assert database in written
    for path in written:
        assert SECRET.encode() not in path.read_bytes(), path


@pytest.mark.vcr("test_the_gh_pages_example_files_two_issues_and_leaves_protection_alone.yaml")
def test_a_run_reports_each_item_as_json(run_cli: RunCli, scratch_repo: str) -> None:
    result = run_cli("file", str(GH_PAGES), "--repo", scratch_repo, "--format", "json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["command"] == "file" and report["ok"] is True and report["exit_code"] == 0
    assert report["summary"] == {"created": 2, "linked": 0, "skipped": 1, "failed": 0}
    items = {item["title"]: item for item in report["items"]}
    for title in (DEBUGGING, OTHER_TECH):
        issue = items[title]["issue"]
        assert items[title]["action"] == "created" and items[title]["ok"] is True
        assert issue["repo"] == scratch_repo.lower()
        assert issue["url"] == f"https://github.com/{scratch_repo}/issues/{issue['number']}"
        assert items[title]["target"] == f"{scratch_repo.lower()}#{issue['number']}"
    skipped = items[PROTECT]
    assert skipped["action"] == "skipped" and skipped["issue"] is None
    assert "branch-protection item" in skipped["message"]
    assert skipped["source"] == {"file": str(GH_PAGES.relative_to(Path.cwd())), "line": 70}
    imported = report["import"]["postmortems"]
    assert [(pm["slug"], pm["file"], pm["created"]) for pm in imported] == [
        ("2019-12-05-gh-pages", skipped["source"]["file"], 3)
    ]
    listed = listing(run_cli)
    assert {i["id"] for i in report["items"]} == {i["id"] for i in listed.values()}


@pytest.mark.vcr("test_the_gh_pages_example_files_two_issues_and_leaves_protection_alone.yaml")
def test_piped_at_80_columns_each_issue_url_stays_whole_on_its_items_line(
    run_cli: RunCli, scratch_repo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = run_cli("file", str(GH_PAGES), "--repo", scratch_repo)

    assert result.exit_code == 0, result.output
    items = listing(run_cli)
    for title in (DEBUGGING, OTHER_TECH):
        issue = items[title]["issue"]
        line = next(line for line in result.stdout.splitlines() if items[title]["id"] in line)
        assert title in line
        assert f"{issue['repo']}#{issue['number']}" in line
        assert line.endswith(issue["url"])
    assert max(len(line) for line in result.stdout.splitlines()) > 80


def _every_row(db_url: str) -> str:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        text = repr([list(conn.execute(select(t))) for t in SQLModel.metadata.sorted_tables])
    engine.dispose()
    return text
