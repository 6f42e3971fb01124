"""GitHub objects for the report and reminder tests, in GitHub's shapes (OpenAPI examples).

scripts/author_review_cassettes.py writes the cassettes of tests/cli/test_report_cmd.py and
tests/cli/test_remind_cmd.py from these.
"""

from __future__ import annotations

from typing import Any

from scripts.cassette_kit import example

BOT = "github-actions[bot]"
API = "https://api.github.com"


def rest_comment(
    repo: str,
    number: int,
    comment_id: int,
    body: str,
    *,
    login: str = BOT,
    at: str = "2026-03-18T09:00:00Z",
    api: str = API,
    page: str = "issues",
) -> dict[str, Any]:
    """Return GitHub's issue-comment object (its OpenAPI example, adapted).

    page is where the comment shows on github.com: `issues`, or `pull` on a pull request.
    """
    data: dict[str, Any] = example("issue-comment")
    owner, name = repo.split("/")
    data.update(
        id=comment_id,
        node_id=f"IC_kwDOscratch{comment_id}",
        url=f"{api}/repos/{repo}/issues/comments/{comment_id}",
        html_url=f"https://github.com/{owner}/{name}/{page}/{number}#issuecomment-{comment_id}",
        issue_url=f"{api}/repos/{repo}/issues/{number}",
        body=body,
        created_at=at,
        updated_at=at,
        author_association="NONE" if login == BOT else "MEMBER",
    )
    data["user"] = {**data["user"], "login": login, "type": "Bot" if login == BOT else "User"}
    return data


def rest_issue(
    repo: str,
    number: int,
    title: str,
    body: str,
    *,
    assignees: tuple[str, ...] = (),
    state: str = "open",
    labels: tuple[str, ...] = ("followup",),
    at: str = "2026-03-01T09:00:00Z",
    api: str = API,
) -> dict[str, Any]:
    """Return GitHub's issue object (its OpenAPI example, adapted)."""
    data: dict[str, Any] = example("issue")
    owner, name = repo.split("/")
    user = dict(data["user"])
    people = [{**user, "login": login, "id": 100 + n} for n, login in enumerate(assignees)]
    data.update(
        id=9_000_000 + number,
        node_id=f"I_kwDOscratch{number}",
        url=f"{api}/repos/{repo}/issues/{number}",
        repository_url=f"{api}/repos/{repo}",
        labels_url=f"{api}/repos/{repo}/issues/{number}/labels{{/name}}",
        comments_url=f"{api}/repos/{repo}/issues/{number}/comments",
        events_url=f"{api}/repos/{repo}/issues/{number}/events",
        html_url=f"https://github.com/{owner}/{name}/issues/{number}",
        number=number,
        title=title,
        body=body,
        state=state,
        state_reason="completed" if state == "closed" else None,
        assignee=people[0] if people else None,
        assignees=people,
        labels=[
            {**data["labels"][0], "id": 200 + n, "name": label, "default": False}
            for n, label in enumerate(labels)
        ],
        created_at=at,
        updated_at=at,
        closed_at=at if state == "closed" else None,
        pull_request=None,
        milestone=None,
        locked=False,
        comments=0,
    )
    data.pop("pull_request", None)
    return data
