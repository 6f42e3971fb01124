"""The hidden marker of a kept comment, its body within GitHub's limit, and its mapping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scripts.cassette_kit import example

from followup.github.comments import (
    MAX_COMMENT,
    check_key,
    comment_from_rest,
    comment_marker,
    has_marker,
    marked_body,
    same_body,
)


def test_a_key_names_a_kind_and_a_subject() -> None:
    assert comment_marker("plan:12") == "<!-- followup:plan:12 -->"
    assert check_key("report:2026-W47") == "report:2026-W47"
    assert check_key("remind:digest:octo-org/docs#7") == "remind:digest:octo-org/docs#7"


@pytest.mark.parametrize(
    "key", ["plan", "Plan:12", "plan:", "plan:1 2", "plan:-->", "plan:a--b", "plan:<x>", ""]
)
def test_a_key_that_could_break_out_of_the_marker_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="not a comment key"):
        comment_marker(key)


def test_only_a_last_line_marker_names_the_comment() -> None:
    body = marked_body("The plan.", "plan:12")
    assert body == "The plan.\n\n<!-- followup:plan:12 -->\n"
    assert has_marker(body, "plan:12")
    assert has_marker(body.replace("\n", "\r\n") + "\n\n", "plan:12")
    assert not has_marker(body, "plan:1")
    assert not has_marker(body, "plan:123")
    assert not has_marker(f"quoting {comment_marker('plan:12')} here\nthanks", "plan:12")
    assert not has_marker(f"> {comment_marker('plan:12')}", "plan:12")


def test_a_body_too_long_for_github_is_cut_at_a_line_and_keeps_its_marker() -> None:
    rows = "\n".join(f"| item {n} | would be filed |" for n in range(10_000))
    body = marked_body(rows, "plan:12")

    assert len(body) <= MAX_COMMENT
    assert has_marker(body, "plan:12")
    assert "(cut: GitHub keeps at most 65,536 characters in a comment)" in body
    kept = body.split("\n\n…")[0]
    assert kept.endswith("would be filed |")  # no row is left half
    assert len(marked_body("short", "plan:12", limit=MAX_COMMENT)) < 40


def test_a_body_is_the_same_whatever_its_line_endings() -> None:
    assert same_body("a\r\nb\n", "a\nb")
    assert not same_body("a\nb", "a\nc")


def test_github_s_comment_maps_to_a_comment() -> None:
    data = example("issue-comment") | {"body": "one\r\ntwo"}
    comment = comment_from_rest(data)

    assert comment.id == 1 and comment.author == "octocat"
    assert comment.body == "one\ntwo"
    assert comment.url == "https://github.com/octocat/Hello-World/issues/1347#issuecomment-1"
    assert comment.created_at == datetime(2011, 4, 14, 16, 0, 49, tzinfo=UTC)
