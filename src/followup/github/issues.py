"""REST operations on issues, labels and assignees; answers come back as RemoteIssue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from followup.github.client import GitHub, Response
from followup.github.errors import BadAnswer, NotFound, Unprocessable
from followup.github.issue_mapping import (
    FOLLOWUP_LABEL,
    LabelSpec,
    NewIssue,
    RemoteIssue,
    ShapeError,
    remote_issue_from_rest,
)
from followup.github.repos import normalise_repo, repo_path


def as_issue(data: Any, where: str, repo: str | None = None) -> RemoteIssue:
    """Convert one issue of an answer, or fail with a line naming the endpoint."""
    try:
        return remote_issue_from_rest(data, repo)
    except ShapeError as exc:
        raise BadAnswer(f"GitHub's answer to {where} is not an issue ({exc})") from None


def issue_from(response: Response, repo: str | None = None) -> RemoteIssue:
    """Return the issue an answer holds (its repository as the answer names it)."""
    return as_issue(response.object(), response.where, repo)


def list_labelled_issues(
    client: GitHub, repo: str, label: str = FOLLOWUP_LABEL, *, state: str = "all"
) -> Iterator[RemoteIssue]:
    """Yield every issue (open or closed) with a label; pull requests are included.

    This reads the issues list, never the search API: search lags behind by minutes,
    and an issue created a moment ago must be found.
    """
    name = normalise_repo(repo)
    path = repo_path(repo, "issues")
    for data in client.paginate(path, {"labels": label, "state": state}):
        yield as_issue(data, f"GET {path}", name)


def get_issue(client: GitHub, repo: str, number: int) -> RemoteIssue:
    """Return one issue (or pull request) by number, where GitHub has it now."""
    return issue_from(client.get(repo_path(repo, "issues", number)), normalise_repo(repo))


def get_issue_and_body(client: GitHub, repo: str, number: int) -> tuple[RemoteIssue, str | None]:
    """Return one issue, and its body exactly as GitHub holds it (to edit and write back).

    The issue's text is cleaned as every answer is; the body beside it is not, so that a
    write of it changes only what followup meant to change.
    """
    response = client.get(repo_path(repo, "issues", number), raw=True)
    body = response.raw.get("body") if isinstance(response.raw, dict) else None
    return issue_from(response, normalise_repo(repo)), body if isinstance(body, str) else None


def create_issue(client: GitHub, repo: str, issue: NewIssue) -> RemoteIssue:
    """Create an issue; the write is never re-sent (see GitHub.request)."""
    return issue_from(client.post(repo_path(repo, "issues"), issue.to_json()), normalise_repo(repo))


def update_issue_body(client: GitHub, repo: str, number: int, body: str) -> RemoteIssue:
    """Replace an issue's body."""
    response = client.patch(repo_path(repo, "issues", number), {"body": body})
    return issue_from(response, normalise_repo(repo))


def list_label_names(client: GitHub, repo: str) -> list[str]:
    """Return the names of every label the repository has."""
    path = repo_path(repo, "labels")
    names = []
    for label in client.paginate(path):
        name = label.get("name") if isinstance(label, dict) else None
        if not isinstance(name, str):
            raise BadAnswer(f"GitHub's answer to GET {path} is not a list of labels")
        names.append(name)
    return names


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
    return issue_from(response, normalise_repo(repo))


def set_assignees(client: GitHub, repo: str, number: int, logins: list[str]) -> RemoteIssue:
    """Replace an issue's assignees in one write ([] clears them)."""
    response = client.patch(repo_path(repo, "issues", number), {"assignees": logins})
    return issue_from(response, normalise_repo(repo))


def label_exists(client: GitHub, repo: str, name: str) -> bool:
    """Tell whether the repository has a label (GitHub ignores case)."""
    try:
        client.get(repo_path(repo, "labels", name))
    except NotFound:
        return False
    return True


def _label_names(response: Response) -> tuple[str, ...]:
    names = []
    for label in response.array():
        name = label.get("name") if isinstance(label, dict) else None
        if not isinstance(name, str):
            raise BadAnswer(f"GitHub's answer to {response.where} is not a list of labels")
        names.append(name)
    return tuple(names)


def add_labels(client: GitHub, repo: str, number: int, names: list[str]) -> tuple[str, ...]:
    """Add labels to an issue, leaving its others; return all its labels now.

    GitHub creates a label it does not know, without a colour: create it first.
    """
    response = client.post(repo_path(repo, "issues", number, "labels"), {"labels": names})
    return _label_names(response)


def remove_label(client: GitHub, repo: str, number: int, name: str) -> tuple[str, ...] | None:
    """Remove one label from an issue; return its labels now, None if it did not have it."""
    try:
        response = client.delete(repo_path(repo, "issues", number, "labels", name))
    except NotFound:
        return None
    return _label_names(response)
