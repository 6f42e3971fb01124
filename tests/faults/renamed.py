"""A repository renamed on GitHub: the names, and GitHub's answers as the tests replay them.

`octo-org/old-name` became `octo-org/new-name` (repository id 881299). GitHub answers
requests to the old name with redirects to /repositories/881299/...: 301 for reads,
307 for writes, the Location header and a small JSON body naming the new URL. The
cassettes of tests/faults/test_redirects.py are built from these (see
tests/cassettes/README.md, "Redirects").
"""

from __future__ import annotations

from typing import Any

from scripts.cassette_kit import example

from followup.github.issue_mapping import item_marker

OLD = "octo-org/old-name"
NEW = "octo-org/new-name"
REPO_ID = 881299
MOVED = f"/repositories/{REPO_ID}"
CREATED_AT = "2026-11-21T09:00:00Z"


def repository(full_name: str = NEW, repo_id: int = REPO_ID) -> dict[str, Any]:
    """Return GET /repos/{owner}/{repo}'s answer for the repository as it is now."""
    data: dict[str, Any] = example("full-repository-default-response")
    # Not a fork nor made from a template; the example lacks a field its schema requires.
    for key in ("parent", "source", "template_repository"):
        data.pop(key, None)
    data["language"] = None
    owner, name = full_name.split("/")
    base = f"https://api.github.com/repos/{full_name}"
    data.update(
        {
            "id": repo_id,
            "name": name,
            "full_name": full_name,
            "url": base,
            "html_url": f"https://github.com/{full_name}",
        }
    )
    data["owner"]["login"] = owner
    return data


def issue(
    number: int,
    title: str,
    *,
    repo: str = NEW,
    body: str = "",
    labels: tuple[str, ...] = (),
    item_id: str | None = None,
    postmortem: str | None = None,
) -> dict[str, Any]:
    """Return an issue of the repository as the REST API answers it (under its new name)."""
    data: dict[str, Any] = example("issue")
    for optional in ("pull_request", "pinned_comment", "closed_by", "active_lock_reason"):
        data.pop(optional, None)
    base = f"https://api.github.com/repos/{repo}"
    label = example("issue")["labels"][0]
    if item_id and postmortem:
        body = f"{body}\n\n{item_marker(item_id, postmortem)}".strip()
    data.update(
        {
            "id": 3_000_000 + number,
            "node_id": f"I_kwDONTg299zM{number:04d}",
            "number": number,
            "title": title,
            "state": "open",
            "state_reason": None,
            "url": f"{base}/issues/{number}",
            "repository_url": base,
            "labels_url": f"{base}/issues/{number}/labels{{/name}}",
            "comments_url": f"{base}/issues/{number}/comments",
            "events_url": f"{base}/issues/{number}/events",
            "html_url": f"https://github.com/{repo}/issues/{number}",
            "labels": [
                {**label, "id": 208045946 + i, "name": n, "default": False, "description": None}
                for i, n in enumerate(labels)
            ],
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "locked": False,
            "comments": 0,
            "created_at": CREATED_AT,
            "updated_at": CREATED_AT,
            "closed_at": None,
            "body": body,
        }
    )
    return data


def graphql_issue(
    number: int, title: str, *, repo: str = NEW, state: str = "OPEN", closed_at: str | None = None
) -> dict[str, Any]:
    """Return an issue as the FollowupIssue fragment selects it (GraphQL names the new repo)."""
    return {
        "id": f"I_kwDONTg299zM{number:04d}",
        "number": number,
        "title": title,
        "url": f"https://github.com/{repo}/issues/{number}",
        "state": state,
        "stateReason": "COMPLETED" if state == "CLOSED" else None,
        "createdAt": CREATED_AT,
        "updatedAt": closed_at or CREATED_AT,
        "closedAt": closed_at,
        "repository": {"nameWithOwner": repo},
        "assignees": {"nodes": []},
        "labels": {"nodes": [{"name": "followup"}]},
        "closedByPullRequestsReferences": {"nodes": []},
    }
