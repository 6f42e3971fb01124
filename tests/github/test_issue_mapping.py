"""Issue mapping: markers, labels, bodies, GitHub's answers and the status rule, no network."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from followup.github.issue_mapping import (
    FOLLOWUP_LABEL,
    MAX_LABEL,
    MAX_TITLE,
    Marker,
    TrackedEntry,
    build_issue,
    build_tracking_body,
    display_repo,
    fit_label,
    is_login,
    issue_labels,
    item_marker,
    label_spec,
    parse_marker,
    postmortem_label,
    remote_issue_from_rest,
    status_for_issue,
    tracking_marker,
)
from followup.store.models import Status
from followup.store.views import ItemView
from tests.sample_view import sample_view

SPEC = Path(__file__).resolve().parent.parent / "contract" / "github-openapi.json"
NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def example(name: str) -> Any:
    return json.loads(SPEC.read_text(encoding="utf-8"))["components"]["examples"][name]["value"]


def view(**fields: Any) -> ItemView:
    defaults = {"postmortem": "2026-05-01-queue-backlog", "repo": "octo-org/followup-scratch"}
    return sample_view(NOW, **{**defaults, **fields})


# -- markers


def test_a_marker_round_trips_and_the_last_one_wins() -> None:
    marker = item_marker("k3v9q2m", "2026-05-01-queue-backlog")
    assert marker == "<!-- followup:item=k3v9q2m postmortem=2026-05-01-queue-backlog -->"
    body = f"Quoting another issue:\n{item_marker('aaaaaaa', 'other')}\n\nMine:\n{marker}\n"
    assert parse_marker(body) == Marker("2026-05-01-queue-backlog", "k3v9q2m")
    # GitHub's editor turns line endings into \r\n; the marker still reads.
    assert parse_marker(body.replace("\n", "\r\n")) == Marker("2026-05-01-queue-backlog", "k3v9q2m")


def test_a_tracking_marker_is_told_apart_from_an_item_marker() -> None:
    found = parse_marker(f"- [ ] o/r#1\n\n{tracking_marker('2019-12-05-gh-pages')}")
    assert found is not None and found.tracking and found.postmortem == "2019-12-05-gh-pages"
    assert not Marker("x", "abc").tracking


@pytest.mark.parametrize(
    "body", [None, "", "no marker here", "<!-- followup:item= postmortem=x -->", "<!-- other -->"]
)
def test_bodies_without_a_marker_have_none(body: str | None) -> None:
    assert parse_marker(body) is None


# -- labels


def test_labels_name_followup_the_postmortem_priority_and_type() -> None:
    assert issue_labels("2019-12-05-gh-pages", "P1", "prevent") == (
        "followup",
        "postmortem:2019-12-05-gh-pages",
        "priority:P1",
        "type:prevent",
    )
    assert issue_labels("x", None, None) == ("followup", "postmortem:x")


def test_long_labels_are_shortened_to_50_characters_the_same_way_every_time() -> None:
    slug = "2026-05-01-" + "a-very-long-post-mortem-slug-about-a-queue-" * 2
    label = postmortem_label(slug)
    assert len(label) == MAX_LABEL
    assert label == postmortem_label(slug)
    assert label.startswith("postmortem:2026-05-01-a-very-long")
    # Two slugs that differ only past the cut still get different labels.
    assert postmortem_label(slug + "x") != label
    assert fit_label("type:", "prevent") == "type:prevent"


def test_created_labels_get_colours_and_descriptions() -> None:
    assert label_spec(FOLLOWUP_LABEL).color == "5319e7"
    assert label_spec("priority:P0").color == "b60205"
    assert label_spec("priority:P3").color == "0e8a16"
    spec = label_spec("postmortem:2019-12-05-gh-pages")
    assert spec.to_json() == {
        "name": "postmortem:2019-12-05-gh-pages",
        "color": "c5def5",
        "description": "Action items of the post-mortem 2019-12-05-gh-pages",
    }
    assert len(label_spec("type:" + "x" * 200).description) <= 100


# -- issues


def test_an_issue_carries_the_items_details_context_and_marker_last() -> None:
    context = "## Action items\n\n- Add an alert on queue depth"
    issue = build_issue(view(), document="docs/pm.md", context=context)
    assert issue.title == "Add an alert on queue depth"
    assert issue.assignees == ("octocat",)
    assert issue.labels == (
        "followup",
        "postmortem:2026-05-01-queue-backlog",
        "priority:P1",
        "type:detect",
    )
    for text in (
        "- **Owner:** @octocat",
        "- **Due:** 2026-12-01",
        "- **Priority:** P1",
        "- **Type:** detect",
        "- **Post-mortem:** Queue backlog took the API down (`docs/pm.md`, line 10)",
        "```markdown\n## Action items\n\n- Add an alert on queue depth\n```",
    ):
        assert text in issue.body
    assert issue.body.endswith(item_marker("k3v9q2m", "2026-05-01-queue-backlog"))
    assert parse_marker(issue.body) == Marker("2026-05-01-queue-backlog", "k3v9q2m")
    assert issue.to_json() == {
        "title": issue.title,
        "body": issue.body,
        "labels": list(issue.labels),
        "assignees": ["octocat"],
    }


def test_a_due_date_set_by_the_policy_says_so() -> None:
    issue = build_issue(
        view(due=date(2026, 5, 29), due_text=None, due_source="policy"), document="pm.md"
    )
    assert "- **Due:** 2026-05-29 (the due-date policy's deadline for P1)" in issue.body
    assert "- **Due:** 2026-12-01\n" in build_issue(view(), document="pm.md").body


def test_an_owner_who_cannot_be_assigned_is_mentioned_instead() -> None:
    issue = build_issue(view(), document="pm.md", assign=False)
    assert issue.assignees == ()
    assert "- **Owner:** @octocat (cannot be assigned in this repository)" in issue.body
    assert "assignees" not in issue.to_json()


def test_an_owner_who_is_not_a_login_is_named_as_written() -> None:
    issue = build_issue(view(owner="Dana Smith"), document="pm.md")
    assert issue.assignees == ()
    assert "- **Owner:** Dana Smith\n" in issue.body
    team = build_issue(view(owner="octo-org/sre"), document="pm.md")
    assert team.assignees == () and "- **Owner:** @octo-org/sre" in team.body
    assert is_login("lee") and not is_login("octo-org/sre") and not is_login("-x")


def test_context_with_backticks_gets_a_longer_fence() -> None:
    context = "- Run ```make drain``` before restarting"
    issue = build_issue(view(), document="pm.md", context=context)
    assert "````markdown\n- Run ```make drain``` before restarting\n````" in issue.body


def test_titles_fit_githubs_limit_and_stay_on_one_line() -> None:
    issue = build_issue(view(title="Fix\nthe " + "queue " * 100), document="pm.md")
    assert len(issue.title) == MAX_TITLE and "\n" not in issue.title
    assert issue.title.endswith("…")


def test_an_item_without_details_still_gets_its_post_mortem_and_marker() -> None:
    item = replace(view(), owner=None, priority=None, due=None, due_text=None, type=None)
    issue = build_issue(item, document="pm.md", links=("https://jira.example.com/OPS-7",))
    assert "Owner" not in issue.body and "Priority" not in issue.body
    assert "- **Link:** https://jira.example.com/OPS-7" in issue.body
    assert issue.labels == ("followup", "postmortem:2026-05-01-queue-backlog")


def test_a_tracking_body_lists_each_issue_checked_when_done() -> None:
    body = build_tracking_body(
        "2019-12-05-gh-pages",
        "Docs offline",
        "pm.md",
        [TrackedEntry("octo-org/docs#12", False), TrackedEntry("octo-org/docs#13", True)],
    )
    assert "- [ ] octo-org/docs#12\n- [x] octo-org/docs#13\n" in body
    assert body.endswith(tracking_marker("2019-12-05-gh-pages"))


# -- GitHub's answers


def test_a_rest_issue_becomes_a_remote_issue() -> None:
    data = example("issue")
    data.pop("pull_request")
    data["body"] = "Text\n" + item_marker("k3v9q2m", "queue")
    data["state"], data["state_reason"] = "closed", "completed"
    data["closed_at"] = "2026-05-05T09:30:00Z"
    issue = remote_issue_from_rest(data, "OctoCat/Hello-World")
    assert issue.repo == "octocat/hello-world"
    assert issue.number == 1347
    assert issue.node_id == "MDU6SXNzdWUx"
    assert issue.url == "https://github.com/octocat/Hello-World/issues/1347"
    assert issue.ref == "octocat/Hello-World#1347"
    assert issue.labels == ("bug",)
    assert issue.assignees == ("octocat",)
    assert issue.item_id == "k3v9q2m" and issue.postmortem == "queue" and not issue.tracking
    assert issue.created_at == datetime(2011, 4, 22, 13, 33, 48, tzinfo=UTC)
    assert issue.closed_at == datetime(2026, 5, 5, 9, 30, tzinfo=UTC)
    assert not issue.is_pull_request and issue.pull_request_state is None


def test_a_pull_request_is_recognised_and_its_repo_read_from_its_urls() -> None:
    data = example("issue")
    data["pull_request"]["merged_at"] = "2026-05-05T09:30:00Z"
    data["state"] = "closed"
    issue = remote_issue_from_rest(data)
    assert issue.repo == "octocat/hello-world"
    assert issue.is_pull_request and issue.pull_request_state == "merged"
    assert issue.item_id is None


def test_display_repo_keeps_githubs_spelling_only_for_the_same_repo() -> None:
    url = "https://github.com/Octo-Org/Docs/issues/12"
    assert display_repo(url, "octo-org/docs") == "Octo-Org/Docs"
    assert display_repo(url, "octo-org/other") == "octo-org/other"
    assert display_repo(None, "octo-org/docs") == "octo-org/docs"


@pytest.mark.parametrize(
    ("state", "reason", "status"),
    [
        ("open", None, Status.FILED),
        ("open", "reopened", Status.FILED),
        ("closed", "completed", Status.DONE),
        ("closed", None, Status.DONE),
        ("closed", "not_planned", Status.WONT_DO),
        ("closed", "duplicate", Status.WONT_DO),
        ("CLOSED", "NOT_PLANNED", Status.WONT_DO),
    ],
)
def test_the_status_an_item_gets_from_its_issue(
    state: str, reason: str | None, status: Status
) -> None:
    assert status_for_issue(state, reason) is status
