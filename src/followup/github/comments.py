"""Comments on issues and pull requests: REST calls, and the hidden marker that keys them.

followup keeps some comments up to date rather than adding new ones (a pull request's
plan, a weekly report). Each such comment ends with a hidden marker line naming its key,
`<!-- followup:plan:12 -->`, which is how a later run finds it again: sync/comments.py
builds the create-or-update on top of these calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from followup.github.client import GitHub
from followup.github.errors import NotFound
from followup.github.repos import repo_path

# GitHub refuses a comment body longer than this many characters.
MAX_COMMENT = 65_536
# A key names one kept comment: a kind, then what it is about (plan:12, report:2026-W47).
_KEY = re.compile(r"^[a-z][a-z0-9-]*(?::[A-Za-z0-9._/#+-]+)+$")
CUT_NOTE = "\n\n… (cut: GitHub keeps at most {limit} characters in a comment)\n"


def normalise_newlines(text: str) -> str:
    """Return text with \\n line endings, as GitHub may answer with \\r\\n."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment on an issue or pull request, as followup reads it."""

    id: int
    body: str
    url: str | None
    author: str | None
    created_at: datetime | None
    updated_at: datetime | None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def comment_from_rest(data: dict[str, Any]) -> Comment:
    """Map GitHub's issue-comment object to a Comment."""
    user = data.get("user") or {}
    return Comment(
        id=int(data["id"]),
        body=normalise_newlines(str(data.get("body") or "")),
        url=data.get("html_url"),
        author=user.get("login") if isinstance(user, dict) else None,
        created_at=_time(data.get("created_at")),
        updated_at=_time(data.get("updated_at")),
    )


# -- markers --------------------------------------------------------------------------


def check_key(key: str) -> str:
    """Return key if it can name a kept comment (kind:subject…), else raise ValueError."""
    if not _KEY.match(key) or "--" in key:
        raise ValueError(f"not a comment key: {key!r} (expected kind:subject, e.g. plan:12)")
    return key


def comment_marker(key: str) -> str:
    """Return the hidden line that ends the comment kept under key."""
    return f"<!-- followup:{check_key(key)} -->"


def has_marker(body: str, key: str) -> bool:
    """Tell whether a comment is the one kept under key: its last line is the marker.

    Only the last line counts, so a comment that quotes or mentions a marker elsewhere
    (or one kept under another key) is never taken for this one.
    """
    lines = normalise_newlines(body).rstrip().rsplit("\n", 1)
    return lines[-1].strip() == comment_marker(key)


def marked_body(text: str, key: str, *, limit: int = MAX_COMMENT) -> str:
    """Return text with the marker line appended, cut to fit GitHub's limit if needed.

    The marker always survives a cut: without it the next run would not find the
    comment and would post another.
    """
    marker = comment_marker(key)
    body = normalise_newlines(text).rstrip("\n")
    whole = f"{body}\n\n{marker}\n"
    if len(whole) <= limit:
        return whole
    note = CUT_NOTE.format(limit=f"{limit:,}")
    room = limit - len(note) - len(marker) - 2
    kept = body[:room]
    # Cut at a line break when there is one near, so no line (a table row) is left half.
    if "\n" in kept[room // 2 :]:
        kept = kept[: kept.rfind("\n")]
    return f"{kept}{note}\n{marker}\n"


def same_body(current: str, wanted: str) -> bool:
    """Tell whether a comment already says what it should (line endings and edges aside)."""
    return normalise_newlines(current).strip() == normalise_newlines(wanted).strip()


# -- REST -----------------------------------------------------------------------------


def list_comments(client: GitHub, repo: str, number: int) -> Iterator[Comment]:
    """Yield every comment of an issue or pull request, oldest first (all pages)."""
    for data in client.paginate(repo_path(repo, "issues", number, "comments")):
        yield comment_from_rest(data)


def create_comment(client: GitHub, repo: str, number: int, body: str) -> Comment:
    """Add a comment; a create that may have reached GitHub is never re-sent here."""
    response = client.post(repo_path(repo, "issues", number, "comments"), {"body": body})
    return comment_from_rest(response.data)


def update_comment(client: GitHub, repo: str, comment_id: int, body: str) -> Comment:
    """Replace a comment's body."""
    response = client.patch(repo_path(repo, "issues", "comments", comment_id), {"body": body})
    return comment_from_rest(response.data)


def delete_comment(client: GitHub, repo: str, comment_id: int) -> bool:
    """Delete a comment; False when it was already gone."""
    try:
        client.delete(repo_path(repo, "issues", "comments", comment_id))
    except NotFound:
        return False
    return True
