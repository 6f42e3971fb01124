"""Issues as followup files them (title, owner, due date, hidden marker), put in the fake.

The reminder tests start from issues some earlier run filed; a test changes one (a new
due date, another assignee) as a person editing it on github.com would, with `put`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from followup.github.issue_mapping import item_marker
from tests.fakegithub.issues import IssueState


@dataclass
class FiledIssue:
    """An issue followup filed for an item, and where it lives in the fake once put."""

    repo: str
    item_id: str
    title: str
    owner: str | None
    due: date | None
    state: str = "open"
    assignees: tuple[str, ...] = ()
    number: int = 0  # given by the fake

    def body(self) -> str:
        """Return the body followup writes for the item."""
        lines = [f"Action item from a post-mortem: **{self.title}**", ""]
        if self.owner:
            lines.append(f"- **Owner:** @{self.owner}")
        if self.due:
            lines.append(f"- **Due:** {self.due.isoformat()}")
        lines += ["", item_marker(self.item_id, "queue")]
        return "\n".join(lines)


def put(fake: IssueState, issue: FiledIssue) -> FiledIssue:
    """File the issue in the fake the first time; later, bring the fake's copy up to date."""
    if not issue.number:
        issue.number = fake.add_issue(
            issue.repo,
            issue.title,
            issue.body(),
            labels=("followup",),
            state=issue.state,
            assignees=issue.assignees,
            login="github-actions[bot]",
        )
    else:
        fake.edit_issue(issue.repo, issue.number, body=issue.body(), assignees=issue.assignees)
    return issue
