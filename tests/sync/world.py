"""The store and the GitHub answers the sync tests share.

Two post-mortems: four issue items in octo-org/followup-scratch (three filed by
followup with the `followup` label, one naming an existing issue without it), and in
octo-org/docs one filed item and one branch-protection item that was applied and
verified. GitHub's answers are built from the OpenAPI examples, adapted.

The cassette authoring script (see tests/cassettes/README.md) uses the same builders,
so what a test stores and what its cassette answers agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from scripts.cassette_kit import example
from sqlalchemy import Engine
from sqlmodel import select

from followup.github.issue_mapping import FOLLOWUP_LABEL, item_marker, remote_issue_from_rest
from followup.postmortem.model import ActionItem, PostMortem, ProtectionSpec
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.importer import import_all
from followup.store.models import IssueRow, ItemRow, Status
from followup.sync.links import apply_issue

SCRATCH = "octo-org/followup-scratch"
DOCS = "octo-org/docs"
QUEUE = "2026-11-01-queue-outage"
PAGES = "2026-11-02-gh-pages"
FILED_AT = "2026-11-01T10:00:00Z"
CHANGED_AT = "2026-11-20T09:15:00Z"
LATER_AT = "2026-11-20T09:40:00Z"

ALERT = "Add an alert on queue depth"
RUNBOOK = "Write a runbook for failover"
LOADTEST = "Load-test the new broker"
CLIENT = "Upgrade the client library"
PIN = "Pin the docs builder version"
PROTECT = "Protect gh-pages branch"

# title -> (repo, issue number, assignees, labels)
ISSUES: dict[str, tuple[str, int, tuple[str, ...], tuple[str, ...]]] = {
    ALERT: (SCRATCH, 12, ("alice",), (FOLLOWUP_LABEL, f"postmortem:{QUEUE}")),
    RUNBOOK: (SCRATCH, 13, ("bob",), (FOLLOWUP_LABEL, f"postmortem:{QUEUE}")),
    LOADTEST: (SCRATCH, 14, (), (FOLLOWUP_LABEL, f"postmortem:{QUEUE}")),
    CLIENT: (SCRATCH, 7, (), ("bug",)),
    PIN: (DOCS, 40, ("carol",), (FOLLOWUP_LABEL, f"postmortem:{PAGES}")),
}
REPO_IDS = {SCRATCH: 881234, DOCS: 881235}
# followup's clock in the tests: the items were filed at FILED_TIME, the tests run at NOW,
# after every time GitHub's answers name.
FILED_TIME = datetime(2026, 11, 1, 10, 0, 30, tzinfo=UTC)
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


class FakeClock:
    """A clock the tests set; monkeypatched over followup.clock.now."""

    def __init__(self, time: datetime) -> None:
        self.time = time

    def now(self) -> datetime:
        """Return the time the test set."""
        return self.time


def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Put a FakeClock, set to FILED_TIME, in place of followup.clock.now."""
    fake = FakeClock(FILED_TIME)
    monkeypatch.setattr("followup.clock.now", fake.now)
    return fake


def filed_store(engine: Engine, clock: FakeClock) -> dict[str, str]:
    """Build the store as filed on the first and last synced five minutes ago; clock at NOW."""
    clock.time = FILED_TIME
    built = build_store(engine, read_at=NOW - timedelta(minutes=5))
    clock.time = NOW
    return built


PROTECTION_SETTINGS = {"allow_deletions": False}


def node_id(repo: str, number: int) -> str:
    """Return the GraphQL node id the tests give an issue."""
    return f"I_kwDONTg{REPO_IDS[repo] % 1000:03d}zM{number:04d}"


def postmortems() -> list[PostMortem]:
    """Return the two post-mortems as the reader would."""
    queue = PostMortem(
        title="Queue outage",
        slug=QUEUE,
        source="# Queue outage\n",
        repo=SCRATCH,
        items=(
            ActionItem(title=ALERT, line=10, text=f"- {ALERT}", owner="alice", priority="P1"),
            ActionItem(title=RUNBOOK, line=11, text=f"- {RUNBOOK}", owner="bob"),
            ActionItem(title=LOADTEST, line=12, text=f"- {LOADTEST}"),
            ActionItem(title=CLIENT, line=13, text=f"- {CLIENT} ({SCRATCH}#7)"),
        ),
    )
    pages = PostMortem(
        title="gh-pages deleted",
        slug=PAGES,
        source="# gh-pages deleted\n",
        repo=DOCS,
        items=(
            ActionItem(title=PIN, line=20, text=f"- {PIN}", owner="carol"),
            ActionItem(
                title=PROTECT,
                line=21,
                text=f"- {PROTECT}. Don't allow deletion.",
                protection=ProtectionSpec(branch="gh-pages", repo=DOCS, allow_deletions=False),
            ),
        ),
    )
    return [queue, pages]


def _user(login: str) -> dict[str, Any]:
    user: dict[str, Any] = example("issue")["user"]
    user["login"] = login
    user["url"] = f"https://api.github.com/users/{login}"
    user["html_url"] = f"https://github.com/{login}"
    return user


def _label(name: str, index: int) -> dict[str, Any]:
    label: dict[str, Any] = example("issue")["labels"][0]
    label.update({"id": 208045946 + index, "name": name, "default": False, "description": None})
    return label


def rest_issue(
    title: str,
    *,
    state: str = "open",
    state_reason: str | None = None,
    assignees: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    updated_at: str = FILED_AT,
    closed_at: str | None = None,
    new_title: str | None = None,
    item_id: str | None = None,
    postmortem: str | None = None,
    repo: str | None = None,
    number: int | None = None,
) -> dict[str, Any]:
    """Return one of the world's issues as the REST API answers it."""
    home, default_number, default_assignees, default_labels = ISSUES[title]
    repo = repo or home
    number = number or default_number
    logins = list(default_assignees if assignees is None else assignees)
    data: dict[str, Any] = example("issue")
    for optional in ("pull_request", "pinned_comment", "closed_by", "active_lock_reason"):
        data.pop(optional, None)
    base = f"https://api.github.com/repos/{repo}"
    data.update(
        {
            "id": 2_000_000 + number,
            "node_id": node_id(home, default_number),
            "number": number,
            "title": new_title or title,
            "state": state,
            "state_reason": state_reason,
            "url": f"{base}/issues/{number}",
            "repository_url": base,
            "labels_url": f"{base}/issues/{number}/labels{{/name}}",
            "comments_url": f"{base}/issues/{number}/comments",
            "events_url": f"{base}/issues/{number}/events",
            "html_url": f"https://github.com/{repo}/issues/{number}",
            "labels": [
                _label(n, i) for i, n in enumerate(default_labels if labels is None else labels)
            ],
            "assignee": _user(logins[0]) if logins else None,
            "assignees": [_user(login) for login in logins],
            "milestone": None,
            "locked": False,
            "comments": 0,
            "created_at": FILED_AT,
            "updated_at": updated_at,
            "closed_at": closed_at,
            "body": item_marker(item_id, postmortem) if item_id and postmortem else "",
        }
    )
    return data


def graphql_issue(
    title: str,
    *,
    state: str = "OPEN",
    state_reason: str | None = None,
    assignees: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    updated_at: str = FILED_AT,
    closed_at: str | None = None,
    repo: str | None = None,
    number: int | None = None,
    closing_prs: Sequence[tuple[str, bool]] = (),
) -> dict[str, Any]:
    """Return one of the world's issues as the FollowupIssue fragment selects it."""
    home, default_number, default_assignees, default_labels = ISSUES[title]
    where = repo or home
    number = number or default_number
    return {
        "id": node_id(home, default_number),
        "number": number,
        "title": title,
        "url": f"https://github.com/{where}/issues/{number}",
        "state": state,
        "stateReason": state_reason,
        "createdAt": FILED_AT,
        "updatedAt": updated_at,
        "closedAt": closed_at,
        "repository": {"nameWithOwner": where},
        "assignees": {
            "nodes": [
                {"login": login}
                for login in (default_assignees if assignees is None else assignees)
            ]
        },
        "labels": {"nodes": [{"name": n} for n in (default_labels if labels is None else labels)]},
        "closedByPullRequestsReferences": {
            "nodes": [{"state": pr_state, "merged": merged} for pr_state, merged in closing_prs]
        },
    }


def rate_limit(cost: int = 1) -> dict[str, Any]:
    """Return the rateLimit field of an answer."""
    return {"cost": cost, "remaining": 4999 - cost, "resetAt": "2027-01-01T00:00:00Z"}


def build_store(
    engine: Engine, *, link: bool = True, read_at: datetime | None = None
) -> dict[str, str]:
    """Import both post-mortems, link the issue items as filing would; return title -> id.

    read_at is when a sync last read the issues (default: when they were filed).
    """
    with session_scope(engine) as session:
        import_all(session, postmortems())
    with session_scope(engine) as session:
        items = {item.title: item for item in session.exec(select(ItemRow))}
        ids = {title: item.id for title, item in items.items()}
        if link:
            changes = Changes(source="followup")
            for title in ISSUES:
                remote = remote_issue_from_rest(rest_issue(title, item_id=ids[title]))
                apply_issue(session, items[title], remote, changes, how="created")
            changes.flush(session)
        if read_at is not None:
            for row in session.exec(select(IssueRow)):
                row.synced_at = read_at
        protect = items[PROTECT]
        protect.status = Status.DONE.value
        protect.protection_applied = {
            "method": "classic",
            "repo": DOCS,
            "branch": "gh-pages",
            "settings": PROTECTION_SETTINGS,
            "verified": True,
        }
        protect.verified_at = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    return ids
