"""Words, icons and styles for statuses, shared by the CLI and the TUI."""

from __future__ import annotations

from followup.store.models import Status

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
