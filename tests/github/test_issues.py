"""REST operations on issues, labels and assignees, replayed from cassettes."""

from __future__ import annotations

import os

import pytest

from followup.github import ClientOptions, GitHub
from followup.github.issue_mapping import NewIssue, item_marker, label_spec
from followup.github.issues import (
    can_be_assigned,
    create_issue,
    create_label,
    get_issue,
    list_label_names,
    list_labelled_issues,
    update_issue_body,
)


@pytest.fixture
def client(github_token: str) -> GitHub:
    return GitHub(github_token, ClientOptions(write_interval=0, backoff=0))


@pytest.mark.vcr
def test_labelled_issues_are_listed_in_every_state(client: GitHub, scratch_repo: str) -> None:
    issues = list(list_labelled_issues(client, scratch_repo))
    assert [(i.number, i.state, i.state_reason, i.is_pull_request) for i in issues] == [
        (4, "open", None, True),
        (2, "closed", "not_planned", False),
        (1, "open", None, False),
    ]
    first = issues[-1]
    assert first.repo == scratch_repo.lower()
    assert first.item_id == "k3v9q2m" and first.postmortem == "2026-05-01-queue-backlog"
    assert "followup" in first.labels
    assert first.url == f"https://github.com/{scratch_repo}/issues/1"


@pytest.mark.vcr
def test_an_issue_is_created_read_and_its_body_replaced(client: GitHub, scratch_repo: str) -> None:
    body = "Details\n\n" + item_marker("k3v9q2m", "2026-05-01-queue-backlog")
    created = create_issue(
        client, scratch_repo, NewIssue("Add an alert on queue depth", body, ("followup",))
    )
    assert created.number > 0 and created.node_id
    assert created.item_id == "k3v9q2m"
    assert created.labels == ("followup",)
    again = get_issue(client, scratch_repo, created.number)
    assert (again.number, again.title, again.body) == (created.number, created.title, body)
    edited = update_issue_body(client, scratch_repo, created.number, "New body")
    assert edited.body == "New body" and edited.item_id is None
    assert client.stats.writes == 2


@pytest.mark.vcr
def test_a_label_that_exists_already_is_not_an_error(client: GitHub, scratch_repo: str) -> None:
    assert "followup" not in list_label_names(client, scratch_repo)
    assert create_label(client, scratch_repo, label_spec("followup")) is True
    assert create_label(client, scratch_repo, label_spec("followup")) is False
    assert "followup" in list_label_names(client, scratch_repo)


@pytest.mark.vcr
def test_assignability_is_a_204_or_a_404(client: GitHub, scratch_repo: str) -> None:
    assignee = os.environ.get("FOLLOWUP_RECORD_ASSIGNEE", "octocat")
    assert can_be_assigned(client, scratch_repo, assignee) is True
    assert can_be_assigned(client, scratch_repo, "ghost") is False
