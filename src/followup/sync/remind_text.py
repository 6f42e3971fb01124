"""What a reminder and a digest say: short, once, and about what the owner can do.

The owner is mentioned (that is the point); titles come from documents and are escaped
like the report's, so they can neither format the comment nor ping anyone else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from followup.github.issue_mapping import mention
from followup.sync.review.markdown import escape
from followup.sync.review.words import plural


@dataclass(frozen=True, slots=True)
class Overdue:
    """An overdue item as a reminder names it."""

    item_id: str
    title: str
    repo: str
    number: int
    url: str | None
    owner: str | None
    due: date

    @property
    def ref(self) -> str:
        """Return owner/name#N."""
        return f"{self.repo}#{self.number}"

    def late(self, today: date) -> int:
        """Return how many days late the item is."""
        return (today - self.due).days


def reminder_text(item: Overdue, *, today: date, next_wait: timedelta, n: int) -> str:
    """Return the comment that reminds an item's owner (its marker is added when posted)."""
    assert item.owner is not None
    days = plural(item.late(today), "day")
    again = "Another reminder" if n else "A reminder"
    return "\n".join(
        [
            f"{mention(item.owner)}, this post-mortem follow-up was due on "
            f"**{item.due.isoformat()}** ({days} ago).",
            "",
            "If it is done, please close this issue; if it needs more time, give it a new due "
            "date; if something blocks it, say what here.",
            "",
            f"<sub>{again} from followup. The next one comes in {plural(next_wait.days, 'day')} "
            "if this stays unanswered; a comment here, a new owner or a new due date resets "
            "that, and closing the issue stops it.</sub>",
        ]
    )


def digest_text(items: Sequence[Overdue], *, today: date, period: str) -> str:
    """Return the digest: each owner mentioned once, with all of their overdue items."""
    by_owner: dict[str | None, list[Overdue]] = defaultdict(list)
    for item in items:
        by_owner[item.owner].append(item)
    lines = [
        f"## Overdue post-mortem follow-ups: {period}",
        "",
        f"{plural(len(items), 'item')} past their due date, "
        f"{plural(len([o for o in by_owner if o]), 'owner')}.",
        "",
    ]
    order = sorted(by_owner, key=lambda o: (o is None, -len(by_owner[o]), (o or "").lower()))
    for owner in order:
        name = mention(owner) if owner else "**Nobody named**"
        lines.append(f"{name} — {plural(len(by_owner[owner]), 'item')}")
        lines.append("")
        for item in sorted(by_owner[owner], key=lambda i: (i.due, i.ref)):
            # The reference is followup's own text: GitHub may link it to its issue.
            link = f"[{item.ref}]({item.url})" if item.url else item.ref
            lines.append(
                f"- {link} {escape(item.title)} — due {item.due.isoformat()}, "
                f"{plural(item.late(today), 'day')} late"
            )
        lines.append("")
    lines.append(
        "<sub>Kept up to date by followup for this period: one comment, edited rather than "
        "posted again. Close an item's issue or give it a new due date to drop it.</sub>"
    )
    return "\n".join(lines)
