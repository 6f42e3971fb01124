"""A post-mortem file renamed (`git mv`) files none of its items again.

Each run below is a CI job: a fresh store, `followup file docs/pm/*.md` against the
stateful fake GitHub (tests/fakegithub). The first run files the items under the old
file name; after the rename, the items get other ids (the slug comes from the file
name), yet every later run finds the issues filed under the old name and creates none.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, col, select

from followup.cli import cli
from followup.store import create_store_engine
from followup.store.models import IssueRow, ItemRow
from tests.cli.schemas import check_output
from tests.fakegithub import LOOPBACK, TOKEN, FakeGitHub

pytestmark = LOOPBACK

REPO = "octo-org/app"


def postmortem(title: str, items: list[str], *, date: str = "2026-11-01") -> str:
    """Return a post-mortem's text with these action items, filed in REPO."""
    rows = "\n".join(f"- [ ] {item}" for item in items)
    return (
        f"---\ntitle: {title}\ndate: {date}\nstatus: final\nrepo: {REPO}\n---\n\n"
        f"# {title}\n\n## Summary\n\nSomething broke.\n\n## Action Items\n\n{rows}\n"
    )


QUEUE = ["Add an alert on the queue backlog", "Cap the retry rate", "Write the runbook"]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """Return a git checkout with docs/pm/ in it."""
    root = tmp_path / "checkout"
    (root / "docs" / "pm").mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, capture_output=True)
    return root


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    with fake.serve():
        monkeypatch.setenv("GH_TOKEN", TOKEN)
        monkeypatch.setenv("FOLLOWUP_GITHUB_URL", fake.url)
        monkeypatch.setenv("FOLLOWUP_WRITE_INTERVAL", "0")
        monkeypatch.setenv("FOLLOWUP_MAX_RETRIES", "0")
        yield fake


def file_fresh(
    tmp_path: Path, checkout: Path, run: str, *extra: str, only: str | None = None
) -> dict[str, object]:
    """Run `followup file docs/pm/*.md` on a store named run (a CI job's: a new one each
    time); return its JSON, with the store's links under "links"."""
    db = f"sqlite:///{tmp_path / f'{run}.db'}"
    folder = checkout / "docs" / "pm"
    paths = [str(folder / only)] if only else sorted(str(p) for p in folder.glob("*.md"))
    args = ["file", *paths, "--format", "json", *extra]
    result = CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    check_output(args, result.stdout)
    document: dict[str, object] = json.loads(result.stdout)
    document["links"] = _links(db)
    return document


def _links(db: str) -> dict[str, int]:
    """Return, by item title, the number of the issue the store links it to."""
    engine = create_store_engine(db)
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(ItemRow.title, IssueRow.number).join(
                    IssueRow, col(ItemRow.issue_id) == col(IssueRow.id)
                )
            )
            return dict(rows.all())
    finally:
        engine.dispose()


def creates(fake: FakeGitHub) -> int:
    return len(fake.requests("POST issues"))


def test_a_renamed_file_files_nothing_again(
    tmp_path: Path, checkout: Path, github: FakeGitHub
) -> None:
    old = checkout / "docs" / "pm" / "2026-11-01-queue.md"
    old.write_text(postmortem("Queue outage", QUEUE), encoding="utf-8")
    first = file_fresh(tmp_path, checkout, "first")
    assert creates(github) == 3
    old.rename(old.with_name("2026-11-01-queue-outage.md"))

    second = file_fresh(tmp_path, checkout, "second")
    third = file_fresh(tmp_path, checkout, "third")

    assert creates(github) == 3, [i["title"] for i in github.all_issues(REPO)]
    assert second["links"] == first["links"] == third["links"]
    assert sorted(first["links"]) == sorted(QUEUE)  # type: ignore[call-overload]


def test_the_tracking_issue_follows_and_a_kept_store_files_nothing_either(
    tmp_path: Path, checkout: Path, github: FakeGitHub
) -> None:
    old = checkout / "docs" / "pm" / "queue.md"
    old.write_text(postmortem("Queue outage", QUEUE), encoding="utf-8")
    file_fresh(tmp_path, checkout, "kept", "--tracking-issue")
    assert creates(github) == 4  # three items and the tracking issue
    new = old.rename(old.with_name("2026-11-01-queue-outage.md"))
    edits_before = len(github.requests("PATCH issue"))

    fresh = file_fresh(tmp_path, checkout, "fresh", "--tracking-issue")
    kept = file_fresh(tmp_path, checkout, "kept", "--tracking-issue")
    again = file_fresh(tmp_path, checkout, "again", "--tracking-issue")

    assert creates(github) == 4
    # The tracking issue's body names the new file once; stores that know the post-mortem
    # by either slug then agree on it, rather than take turns rewriting its marker.
    assert len(github.requests("PATCH issue")) - edits_before == 1
    assert fresh["links"] == kept["links"] == again["links"]
    summary = fresh["summary"]
    assert (summary["created"], summary["linked"]) == (0, 3), summary  # type: ignore[index]
    reasons = {o["message"] for o in fresh["items"]}  # type: ignore[attr-defined]
    assert reasons == {"already on GitHub (found under the post-mortem's earlier file name)"}
    # The kept store recorded the move; its post-mortem keeps its slug.
    assert kept["import"]["postmortems"][0]["slug"] == "queue"  # type: ignore[index]
    # The issues keep the markers they were filed with.
    markers = [i["body"].rsplit("postmortem=", 1)[1] for i in github.all_issues(REPO)]
    assert markers == ["queue -->"] * 4
    assert Path(new).exists()


def test_another_postmortem_with_the_same_items_files_its_own(
    tmp_path: Path, checkout: Path, github: FakeGitHub
) -> None:
    old = checkout / "docs" / "pm" / "queue.md"
    old.write_text(postmortem("Queue outage", QUEUE), encoding="utf-8")
    file_fresh(tmp_path, checkout, "first")
    old.unlink()
    other = checkout / "docs" / "pm" / "cache.md"
    other.write_text(postmortem("Cache outage", QUEUE), encoding="utf-8")

    second = file_fresh(tmp_path, checkout, "second")

    assert creates(github) == 6
    assert second["summary"]["created"] == 3  # type: ignore[index]


def test_a_copy_whose_original_is_still_there_files_its_own(
    tmp_path: Path, checkout: Path, github: FakeGitHub
) -> None:
    old = checkout / "docs" / "pm" / "queue.md"
    old.write_text(postmortem("Queue outage", QUEUE), encoding="utf-8")
    file_fresh(tmp_path, checkout, "first")
    copy = checkout / "docs" / "pm" / "queue-copy.md"
    copy.write_text(old.read_text(encoding="utf-8"), encoding="utf-8")

    # Filed alone, the copy's store does not know the original: its file says it is there.
    alone = file_fresh(tmp_path, checkout, "alone", only="queue-copy.md")
    assert creates(github) == 6
    both = file_fresh(tmp_path, checkout, "both")

    assert creates(github) == 6
    assert alone["summary"]["created"] == 3  # type: ignore[index]
    assert both["summary"]["created"] == 0  # type: ignore[index]


def test_the_same_incident_again_files_its_own(
    tmp_path: Path, checkout: Path, github: FakeGitHub
) -> None:
    # The queue broke in January and again in November: same title, same items.
    january = checkout / "docs" / "pm" / "2026-01-05-queue.md"
    january.write_text(postmortem("Queue outage", QUEUE, date="2026-01-05"), encoding="utf-8")
    file_fresh(tmp_path, checkout, "first")
    january.unlink()  # archived elsewhere
    november = checkout / "docs" / "pm" / "2026-11-01-queue.md"
    november.write_text(postmortem("Queue outage", QUEUE), encoding="utf-8")

    second = file_fresh(tmp_path, checkout, "second")

    assert second["summary"]["created"] == 3  # type: ignore[index]
    assert creates(github) == 6
