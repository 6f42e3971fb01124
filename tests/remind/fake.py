"""The stateful fake GitHub (tests/fakegithub) with followup's issues, for reminder runs.

It serves the open issues labelled `followup` of a repository (with the body followup
writes: owner, due date, marker), their comments, and can kill the client process right
after a comment is written, before any answer leaves: a kill -9 between write and record.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from followup import clock
from followup.github.issue_mapping import item_marker
from tests.fakegithub import Answer, FakeGitHub, Request
from tests.review_github import rest_issue


@dataclass
class FakeIssue:
    """An issue followup filed for an item."""

    repo: str
    number: int
    item_id: str
    title: str
    owner: str | None
    due: date | None
    state: str = "open"
    assignees: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [f"Action item from a post-mortem: **{self.title}**", ""]
        if self.owner:
            lines.append(f"- **Owner:** @{self.owner}")
        if self.due:
            lines.append(f"- **Due:** {self.due.isoformat()}")
        lines += ["", item_marker(self.item_id, "queue")]
        return "\n".join(lines)


class IssuesGitHub(FakeGitHub):
    """The fake, with issues, and a kill after a comment is written when asked."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.issues: dict[tuple[str, int], FakeIssue] = {}
        self.on_kill: Callable[[], None] | None = None

    def _now(self) -> str:
        """Stamp comments by followup's clock (tests move it), a second apart."""
        self._tick += 1
        return (clock.now() + timedelta(seconds=self._tick)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def add_issue(self, issue: FakeIssue) -> FakeIssue:
        """Add an issue followup filed."""
        self.issues[(issue.repo, issue.number)] = issue
        return issue

    def posts(self) -> list[Request]:
        """Return every comment create the fake received."""
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/comments")]

    def handle(self, request: Request) -> Answer:
        """Serve the issues list; kill the client after a comment write when asked."""
        listed = re.fullmatch(r"/repos/(?P<repo>[^/]+/[^/]+)/issues", request.path)
        if listed and request.method == "GET":
            return self._list(request, listed["repo"])
        answer = super().handle(request)
        if (
            self.on_kill is not None
            and request.method == "POST"
            and request.path.endswith("/comments")
        ):
            kill, self.on_kill = self.on_kill, None
            kill()
        return answer

    def _list(self, request: Request, repo: str) -> Answer:
        wanted = request.query.get("state", "open")
        label = request.query.get("labels", "")
        found = [
            rest_issue(
                i.repo,
                i.number,
                i.title,
                i.body(),
                assignees=i.assignees,
                state=i.state,
                api=self.url,
            )
            for i in sorted(self.issues.values(), key=lambda i: i.number)
            if i.repo == repo and (wanted == "all" or i.state == wanted) and label == "followup"
        ]
        return Answer(200, found)
