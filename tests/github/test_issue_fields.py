"""An item's priority label and the Due line of followup's block, read and written, no network."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from followup.github.issue_fields import (
    body_due,
    label_priority,
    priority_label,
    priority_labels,
    priority_of,
    with_due,
)
from followup.github.issue_mapping import build_issue, parse_marker
from tests.github.test_issue_mapping import view

USER_ABOVE = "Context from the on-call: the queue filled in 4 minutes.\n\n"
USER_BELOW = "\n\n- **Due:** whenever (a note of the reader's, not followup's)\n"


def filed_body(**fields: object) -> str:
    return build_issue(view(**fields), document="docs/pm.md", context="- Add an alert").body


def test_a_priority_label_is_read_whatever_its_case() -> None:
    assert label_priority("priority:P1") == "P1"
    assert label_priority("Priority:p0") == "P0"
    assert label_priority("priority: P2 ") == "P2"
    assert label_priority("priority:P7") is None
    assert label_priority("priority:high") is None
    assert label_priority("prio:P1") is None
    assert priority_label("p3") == "priority:P3"


def test_an_issues_priority_is_its_most_urgent_priority_label() -> None:
    assert priority_of(["followup", "priority:P2", "bug", "priority:P1"]) == "P1"
    assert priority_of(["followup", "priority:high"]) is None
    assert priority_labels(["priority:P2", "bug", "Priority:P0"]) == ["priority:P2", "Priority:P0"]


def test_the_due_line_of_a_filed_body_is_read() -> None:
    assert body_due(filed_body()) == "2026-12-01"
    assert body_due(filed_body(due=None, due_text="end of Q1")) == "end of Q1"
    assert body_due(filed_body(due=None, due_text=None)) == ""


def test_a_body_without_followups_block_has_no_due_line_to_read_or_write() -> None:
    for body in (None, "", "Just a bug report.\n- **Due:** 2026-01-01", "- **Due:** tomorrow"):
        assert body_due(body) is None
        assert with_due(body, "2026-12-15") is None
    # The tracking issue's marker is not an item's.
    tracking = (
        "- **Post-mortem:** x\n- **Due:** 2026-01-01\n\n<!-- followup:tracking postmortem=x -->"
    )
    assert body_due(tracking) is None


def test_changing_the_due_date_changes_that_line_only() -> None:
    body = USER_ABOVE + filed_body() + USER_BELOW
    changed = with_due(body, "2026-12-15")

    assert changed == body.replace("- **Due:** 2026-12-01", "- **Due:** 2026-12-15", 1)
    assert body_due(changed) == "2026-12-15"
    assert parse_marker(changed) == parse_marker(body)
    assert changed is not None and changed.endswith(USER_BELOW)


def test_a_due_date_is_added_after_the_owner_and_removed_again() -> None:
    body = filed_body(due=None, due_text=None)
    added = with_due(body, "2026-12-15")
    assert added is not None
    lines = added.splitlines()
    owner = lines.index("- **Owner:** @octocat")
    assert lines[owner + 1] == "- **Due:** 2026-12-15"
    assert with_due(added, None) == body
    assert with_due(body, None) == body


def test_a_body_edited_on_github_keeps_its_windows_line_endings() -> None:
    body = filed_body().replace("\n", "\r\n")
    changed = with_due(body, "2027-01-31")
    assert changed == body.replace("- **Due:** 2026-12-01\r\n", "- **Due:** 2027-01-31\r\n")
    without = with_due(body, None)
    assert without == body.replace("- **Due:** 2026-12-01\r\n", "")
    added = with_due(without, "2027-01-31")
    assert added is not None and "- **Due:** 2027-01-31\r\n" in added


@pytest.mark.parametrize("owner", [None, "a team of people"])
def test_a_due_line_goes_first_when_there_is_no_owner_line_before_it(owner: str | None) -> None:
    body = filed_body(owner=owner, due=None, due_text=None)
    added = with_due(body, "2026-12-15")
    assert added is not None
    fields = [line for line in added.splitlines() if line.startswith("- **")]
    expected_first = "- **Due:** 2026-12-15" if owner is None else f"- **Owner:** {owner}"
    assert fields[0] == expected_first
    assert body_due(added) == "2026-12-15"


def test_the_quoted_document_is_never_taken_for_the_block() -> None:
    # The post-mortem quoted in <details> may hold a Due line of its own.
    item = replace(view(), due=None, due_text=None)
    body = build_issue(item, document="docs/pm.md", context="- **Due:** 2019-01-01").body
    assert body_due(body) == ""
    changed = with_due(body, "2026-12-15")
    assert changed is not None and "- **Due:** 2019-01-01" in changed
    assert body_due(changed) == "2026-12-15"
    assert date.fromisoformat(body_due(changed) or "") == date(2026, 12, 15)
