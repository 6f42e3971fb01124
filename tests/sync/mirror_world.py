"""The store and GitHub the mirroring tests share: priority labels, Due lines, a Project (v2).

One post-mortem in octo-org/followup-scratch with three linked items: ALERT (#12,
alice, P1, due 2026-12-01) and RUNBOOK (#13, bob, no priority, no due date), both filed
by followup, so their bodies hold followup's block; and CLIENT, which names the existing
issue #7 (a bug report with no block). GitHub starts as the store last saw it: #12
carries priority:P1, and the repository's last poll has the ETag INITIAL_ETAG.

The cassette authoring script (scripts/author_mirroring_cassettes.py) builds the same
GitHub from these functions, so what a test stores and what its cassette answers agree.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from followup.github.issue_mapping import FOLLOWUP_LABEL, build_issue, remote_issue_from_rest
from followup.postmortem.model import ActionItem, PostMortem
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.importer import import_all
from followup.store.models import IssueRow, ItemRow, ProjectItemRow, ProjectRow, RepoSyncRow
from followup.store.queries import get_item
from followup.sync.links import apply_issue
from tests.sync.world import ALERT, CLIENT, NOW, QUEUE, RUNBOOK, SCRATCH, node_id, rest_issue

DOCUMENT = f"docs/postmortems/{QUEUE}.md"
ALERT_DUE = date(2026, 12, 1)
INITIAL_ETAG = 'W/"mirror-0"'
POSTMORTEM_LABEL = f"postmortem:{QUEUE}"
ISSUES = {ALERT: 12, RUNBOOK: 13, CLIENT: 7}
LABELS = {
    ALERT: [FOLLOWUP_LABEL, POSTMORTEM_LABEL, "priority:P1"],
    RUNBOOK: [FOLLOWUP_LABEL, POSTMORTEM_LABEL],
    CLIENT: ["bug"],
}
# Labels the repository has (filing created them with the first issues).
REPO_LABELS = [FOLLOWUP_LABEL, POSTMORTEM_LABEL, "priority:P1", "bug"]

PROJECT = "octo-org/5"
PROJECT_ID = "PVT_kwDOBf5zgAB1"
PROJECT_URL = "https://github.com/orgs/octo-org/projects/5"
PRIORITY_FIELD = "PVTSSF_lADOBf5zgAB1zgPrio"
DUE_FIELD = "PVTF_lADOBf5zgAB1zgDue0"
STATUS_FIELD = "PVTSSF_lADOBf5zgAB1zgStat"
OPTIONS = {"P0": "79628723", "P1": "a1b2c3d4", "P2": "0c4f8e21", "P3": "f00dbabe"}


def postmortem() -> PostMortem:
    """Return the post-mortem as the reader would."""
    return PostMortem(
        title="Queue outage",
        slug=QUEUE,
        source="# Queue outage\n",
        repo=SCRATCH,
        items=(
            ActionItem(
                title=ALERT,
                line=10,
                text=f"- {ALERT}",
                owner="alice",
                priority="P1",
                due=ALERT_DUE,
                due_text=ALERT_DUE.isoformat(),
            ),
            ActionItem(title=RUNBOOK, line=11, text=f"- {RUNBOOK}", owner="bob"),
            ActionItem(title=CLIENT, line=13, text=f"- {CLIENT} ({SCRATCH}#7)"),
        ),
    )


def filed_body(engine: Engine, item_id: str) -> str:
    """Return the body followup files for an item of the store."""
    with session_scope(engine) as session:
        view = get_item(session, item_id)
    return build_issue(view, document=DOCUMENT).body


def item_ids(engine: Engine) -> dict[str, str]:
    """Return title -> item id."""
    with session_scope(engine) as session:
        return {item.title: item.id for item in session.exec(select(ItemRow))}


def github_issues(engine: Engine) -> dict[int, dict[str, Any]]:
    """Return the three issues as GitHub's REST API has them at the start."""
    ids = item_ids(engine)
    found = {}
    for title, number in ISSUES.items():
        if title == CLIENT:
            data = rest_issue(title, labels=LABELS[title])
        else:
            data = rest_issue(title, labels=LABELS[title], item_id=ids[title], postmortem=QUEUE)
            data["body"] = filed_body(engine, ids[title])
        found[number] = data
    return found


def build_store(engine: Engine) -> dict[str, str]:
    """Import the post-mortem and link its items as filing and a poll five minutes ago left them."""
    with session_scope(engine) as session:
        import_all(session, [postmortem()])
    issues = github_issues(engine)
    with session_scope(engine) as session:
        items = {item.title: item for item in session.exec(select(ItemRow))}
        changes = Changes(source="followup")
        for title, number in ISSUES.items():
            remote = remote_issue_from_rest(issues[number])
            how = "referenced" if title == CLIENT else "created"
            apply_issue(session, items[title], remote, changes, how=how)
        changes.flush(session)
        for row in session.exec(select(IssueRow)):
            row.synced_at = NOW - timedelta(minutes=5)
        session.add(RepoSyncRow(repo=SCRATCH, etag=INITIAL_ETAG))
    return item_ids(engine)


def in_project(engine: Engine, values: dict[str, tuple[str | None, str | None]]) -> None:
    """Record that the project holds these items' issues: title -> (priority, due)."""
    ids = item_ids(engine)
    with session_scope(engine) as session:
        session.add(
            ProjectRow(
                id=PROJECT_ID,
                ref=PROJECT,
                title="Incident follow-ups",
                url=PROJECT_URL,
                priority_field={"id": PRIORITY_FIELD, "name": "Priority", "options": OPTIONS},
                due_field={"id": DUE_FIELD, "name": "Due"},
            )
        )
        session.flush()
        for title, (priority, due) in values.items():
            item = session.get(ItemRow, ids[title])
            assert item is not None and item.issue_id is not None
            session.add(
                ProjectItemRow(
                    project_id=PROJECT_ID,
                    issue_id=item.issue_id,
                    node_id=project_item_id(title),
                    priority=priority,
                    due=due,
                    updated_at=None,
                )
            )


def project_item_id(title: str) -> str:
    """Return the ProjectV2Item id the tests give an issue's item in the project."""
    return f"PVTI_lADOBf5zgAB1zg{ISSUES[title]:04d}"


def issue_node_id(title: str) -> str:
    """Return the node id of one of the three issues."""
    return node_id(SCRATCH, ISSUES[title])
