"""Runs that race: a post-mortem, followup processes filing it at once, and the verdict.

Shared by tests/faults/test_concurrency.py and benchmarks/concurrency.py. The fake
GitHub runs in this process; each racer is a real `followup file` process (or, for the
TUI, its filing job called on a thread of this process) talking to it over 127.0.0.1
with its own token, so that the fake can tell the racers apart, hold them at a barrier
or kill one of them.

The promise judged: every item of the post-mortem has exactly one open issue carrying
its marker, and every store links the item to that issue.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from followup.github.issue_mapping import parse_marker
from followup.store import create_store_engine
from followup.store.models import IssueRow, ItemRow
from tests.fakegithub import FakeGitHub, env

REPO = "octo-org/app"
SLUG = "2026-11-01-queue-outage"
OWNER = "lee"


def write_postmortem(folder: Path, items: int = 20) -> Path:
    """Write a post-mortem with `items` action items (each assigned to OWNER) into folder."""
    rows = "\n".join(
        f"| Add alert number {n} for the queue backlog | detect | @{OWNER} | P2 | 2027-01-31 |"
        for n in range(1, items + 1)
    )
    text = (
        f"---\ntitle: Queue outage\ndate: 2026-11-01\nstatus: final\nslug: {SLUG}\n---\n\n"
        "# Queue outage\n\n## Summary\n\nThe queue stopped for an hour.\n\n"
        "## Action Items\n\n| Action Item | Type | Owner | Priority | Due |\n"
        f"| --- | --- | --- | --- | --- |\n{rows}\n"
    )
    path = folder / f"{SLUG}.md"
    path.write_text(text, encoding="utf-8")
    return path


def arrange(fake: FakeGitHub) -> None:
    """Make OWNER assignable in the repository, as a member would be."""
    fake.assignable.add(OWNER)


def file_command(db_url: str, path: Path, *extra: str) -> list[str]:
    """Return the command line of `followup file` for the post-mortem, in JSON."""
    return [
        sys.executable,
        "-m",
        "followup",
        "--db",
        db_url,
        "file",
        str(path),
        "--repo",
        REPO,
        "--format",
        "json",
        *extra,
    ]


def start(
    fake: FakeGitHub, who: str, db_url: str, path: Path, *extra: str
) -> subprocess.Popen[str]:
    """Start `followup file` as client `who` of the fake."""
    return subprocess.Popen(
        file_command(db_url, path, *extra),
        env=env(fake, who),
        cwd=path.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@dataclass
class Verdict:
    """What the racers left: per item, the issues created and left open, and each store's link."""

    created: dict[str, int] = field(default_factory=dict)  # item id -> issues carrying its marker
    open: dict[str, int] = field(default_factory=dict)  # item id -> open ones
    winners: dict[str, int] = field(default_factory=dict)  # item id -> its open issue's number
    links: list[dict[str, int | None]] = field(default_factory=list)  # per store: item -> number
    problems: list[str] = field(default_factory=list)

    @property
    def kept(self) -> bool:
        """Tell whether the promise held: one open issue per item, every store linked to it."""
        return not self.problems


def linked_numbers(db_url: str) -> dict[str, int | None]:
    """Return each issue item of a store with the number of the issue it is linked to."""
    engine = create_store_engine(db_url)
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(ItemRow, IssueRow).outerjoin(
                    IssueRow, col(ItemRow.issue_id) == col(IssueRow.id)
                )
            )
            return {
                item.id: (issue.number if issue is not None else None)
                for item, issue in rows
                if item.kind == "issue"
            }
    finally:
        engine.dispose()


def judge(fake: FakeGitHub, db_urls: Sequence[str], items: int) -> Verdict:
    """Judge what the racers left on the fake and in their stores."""
    verdict = Verdict()
    created: Counter[str] = Counter()
    opened: Counter[str] = Counter()
    for issue in fake.all_issues(REPO):
        marker = parse_marker(issue["body"])
        if marker is None or marker.item_id is None:
            continue
        created[marker.item_id] += 1
        if issue["state"] == "open":
            opened[marker.item_id] += 1
            verdict.winners[marker.item_id] = issue["number"]
    verdict.created, verdict.open = dict(created), dict(opened)
    if len(created) != items:
        verdict.problems.append(f"{len(created)} items have an issue, not {items}")
    for item_id, count in sorted(opened.items()):
        if count != 1:
            verdict.problems.append(f"item {item_id} has {count} open issues")
    for item_id in sorted(set(created) - set(opened)):
        verdict.problems.append(f"item {item_id} has no open issue")
    for db_url in db_urls:
        links = linked_numbers(db_url)
        verdict.links.append(links)
        for item_id, number in sorted(links.items()):
            if number != verdict.winners.get(item_id):
                verdict.problems.append(
                    f"{db_url}: item {item_id} is linked to {number}, "
                    f"not to its open issue {verdict.winners.get(item_id)}"
                )
    return verdict
