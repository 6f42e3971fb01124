"""Reading back the item and post-mortem an issue body was filed from."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from followup.github.filed_from import FiledFrom, filed_from
from followup.github.issue_mapping import build_issue
from tests.sample_view import sample_view

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def test_what_build_issue_writes_reads_back() -> None:
    view = sample_view(
        NOW,
        title="Add an  alert (P1) on **queue** depth",
        postmortem_title="Queue backlog (API down) `prod`",
        owner="lee",
        section="Detection",
    )
    body = build_issue(
        view, document="docs/pm/2026-05-01-queue.md", context="- Add an alert\n- **Post-mortem:** x"
    ).body

    expected = FiledFrom(
        "Add an alert (P1) on **queue** depth",
        "Queue backlog (API down) `prod`",
        "docs/pm/2026-05-01-queue.md",
    )
    assert filed_from(body) == expected
    # GitHub's editor turns line endings into \r\n; it still reads.
    assert filed_from(body.replace("\n", "\r\n")) == expected


@pytest.mark.parametrize(
    "body",
    [
        None,
        "",
        "A person's own issue about an alert",
        "Action item from a post-mortem: **Add an alert**\n\nNo fields: a person cut them.",
        "- **Post-mortem:** Queue (`docs/q.md`, line 3)\n\nAction item from a post-mortem: **A**",
    ],
)
def test_bodies_that_do_not_say_give_none(body: str | None) -> None:
    assert filed_from(body) is None
