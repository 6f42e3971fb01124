"""Words, icons and styles for statuses, shared by the CLI and the TUI."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from followup.policy import DUE_EDITED, DUE_POLICY
from followup.statuses import Status


class Dated(Protocol):
    """What the words for an item's due date read (an ItemView has it)."""

    @property
    def due(self) -> date | None: ...
    @property
    def due_source(self) -> str | None: ...
    @property
    def priority(self) -> str | None: ...
    @property
    def postmortem_date(self) -> date | None: ...


# Each status has a word and an icon, so it reads the same without colour.
STATUS_LABEL: dict[str, str] = {
    Status.OPEN: "open",
    Status.FILED: "filed",
    Status.IN_PROGRESS: "in progress",
    Status.DONE: "done",
    Status.WONT_DO: "won't do",
    Status.REGRESSED: "regressed",
    Status.REMOVED: "removed",
    Status.SUGGESTED: "suggested",
    Status.DISMISSED: "dismissed",
}

STATUS_ICON: dict[str, str] = {
    Status.OPEN: "○",
    Status.FILED: "◔",
    Status.IN_PROGRESS: "◑",
    Status.DONE: "✔",
    Status.WONT_DO: "✘",
    Status.REGRESSED: "▲",
    Status.REMOVED: "–",
    Status.SUGGESTED: "◌",
    Status.DISMISSED: "⊘",
}

STATUS_STYLE: dict[str, str] = {
    Status.OPEN: "",
    Status.FILED: "cyan",
    Status.IN_PROGRESS: "blue",
    Status.DONE: "green",
    Status.WONT_DO: "dim",
    Status.REGRESSED: "bold red",
    Status.REMOVED: "dim strike",
    Status.SUGGESTED: "italic yellow",
    Status.DISMISSED: "dim",
}

KIND_LABEL: dict[str, str] = {"issue": "issue", "branch_protection": "protection"}


def status_text(status: str) -> str:
    """Return a status as icon and word, e.g. '✔ done'."""
    return f"{STATUS_ICON.get(status, '?')} {STATUS_LABEL.get(status, status)}"


# What the marks beside a due date mean (lists explain those they show).
POLICY_MARK = "*"
OVERDUE_MARK = "!"
PAST_POLICY_MARK = "⚑"
MARK_MEANING = {
    POLICY_MARK: "due date set by the policy",
    OVERDUE_MARK: "overdue",
    PAST_POLICY_MARK: "past its policy deadline",
}


def due_origin(item: Dated) -> str | None:
    """Return where an item's due date comes from, in words, or None when it has none."""
    if item.due_source == DUE_POLICY:
        return "the policy for its priority"
    if item.due_source == DUE_EDITED:
        return "an edit (beats the document and the policy)"
    if item.due is not None:
        return "the post-mortem"
    return None


def policy_basis(item: Dated) -> str:
    """Return what an item's policy deadline is counted from."""
    if item.postmortem_date is not None:
        return f"{item.priority}, from the post-mortem's date {item.postmortem_date.isoformat()}"
    return f"{item.priority}, from its first import: the post-mortem has no date"
