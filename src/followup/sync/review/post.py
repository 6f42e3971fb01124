"""Keep a report as one comment per period on a GitHub issue (sync/comments.py's primitive).

The comment's key is the report's period and scope (`report:2026-W49`, with the post-
mortems and owner it is limited to), so a report posted every day updates one comment
a week, and a new week starts a new comment. It is found again by its hidden marker,
never duplicated: a lost answer is looked for before anything is re-sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from followup.github.client import GitHub
from followup.store.report_model import ReviewReport
from followup.sync.comments import CommentAction, keep_comment
from followup.sync.review.markdown import render_markdown
from followup.sync.review.words import ReportContext


@dataclass(frozen=True, slots=True)
class PostedReport:
    """The comment a report is kept in."""

    issue: str  # owner/name#N
    url: str | None
    action: CommentAction

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form (review.schema.json's `posted`)."""
        return {"issue": self.issue, "url": self.url, "action": self.action}

    def describe(self) -> str:
        """Return what posting did, as one line."""
        verb = {"created": "posted", "updated": "updated", "unchanged": "left as it was"}
        where = self.url or self.issue
        return f"{verb[self.action]} the report's comment on {self.issue}: {where}"


def post_report(
    client: GitHub,
    repo: str,
    number: int,
    report: ReviewReport,
    context: ReportContext,
    *,
    on_note: Callable[[str], None] | None = None,
) -> PostedReport:
    """Make the period's comment on repo#number say the report (as Markdown)."""
    kept = keep_comment(
        client, repo, number, context.period.key, render_markdown(report, context), on_note=on_note
    )
    return PostedReport(f"{repo}#{number}", kept.url, kept.action)
