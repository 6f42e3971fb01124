"""REST operations on issues, labels and assignees; answers come back as RemoteIssue."""

from __future__ import annotations

from collections.abc import Iterator

from followup.github.client import GitHub
from followup.github.errors import NotFound, Unprocessable
from followup.github.issue_mapping import (
    FOLLOWUP_LABEL,
    LabelSpec,
    NewIssue,
    RemoteIssue,
    remote_issue_from_rest,
)
from followup.github.repos import normalise_repo, repo_path


def list_labelled_issues(
    client: GitHub, repo: str, label: str = FOLLOWUP_LABEL
) -> Iterator[RemoteIssue]:
    """Yield every issue (open or closed) with a label; pull requests are included.

    This reads the issues list, never the search API: search lags behind by minutes,
    and an issue created a moment ago must be found.
    """
    name = normalise_repo(repo)
    params = {"labels": label, "state": "all"}
    for data in client.paginate(repo_path(repo, "issues"), params):
        yield remote_issue_from_rest(data, name)


def get_issue(client: GitHub, repo: str, number: int) -> RemoteIssue:
    """Return one issue (or pull request) by number."""
    response = client.get(repo_path(repo, "issues", number))
    return remote_issue_from_rest(response.data, normalise_repo(repo))


def create_issue(client: GitHub, repo: str, issue: NewIssue) -> RemoteIssue:
    """Create an issue; the write is never re-sent (see GitHub.request)."""
    response = client.post(repo_path(repo, "issues"), issue.to_json())
    return remote_issue_from_rest(response.data, normalise_repo(repo))


def update_issue_body(client: GitHub, repo: str, number: int, body: str) -> RemoteIssue:
    """Replace an issue's body."""
    response = client.patch(repo_path(repo, "issues", number), {"body": body})
    return remote_issue_from_rest(response.data, normalise_repo(repo))


def list_label_names(client: GitHub, repo: str) -> list[str]:
    """Return the names of every label the repository has."""
    return [str(label["name"]) for label in client.paginate(repo_path(repo, "labels"))]


def create_label(client: GitHub, repo: str, label: LabelSpec) -> bool:
    """Create a label; False when it exists already (another run was quicker)."""
    try:
        client.post(repo_path(repo, "labels"), label.to_json())
    except Unprocessable as exc:
        if any(error.get("code") == "already_exists" for error in exc.errors):
            return False
        raise
    return True


def can_be_assigned(client: GitHub, repo: str, login: str) -> bool:
    """Tell whether a user can be assigned issues in the repository (204, else 404)."""
    try:
        client.get(repo_path(repo, "assignees", login))
    except NotFound:
        return False
    return True


def set_issue_state(
    client: GitHub, repo: str, number: int, state: str, reason: str | None = None
) -> RemoteIssue:
    """Close (with a reason: completed or not_planned) or reopen an issue."""
    body: dict[str, str] = {"state": state}
    if reason is not None:
        body["state_reason"] = reason
    response = client.patch(repo_path(repo, "issues", number), body)
    return remote_issue_from_rest(response.data, normalise_repo(repo))


def set_assignees(client: GitHub, repo: str, number: int, logins: list[str]) -> RemoteIssue:
    """Replace an issue's assignees in one write ([] clears them)."""
    response = client.patch(repo_path(repo, "issues", number), {"assignees": logins})
    return remote_issue_from_rest(response.data, normalise_repo(repo))
