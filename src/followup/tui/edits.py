"""The changes the TUI makes to items, each declared once: its key, its question, its words
and the core function that makes it.

One EditSpec serves one item (the cursor's) and many (a selection): the "edit" job runs it
over every item and keeps one result per item. A new kind of change is a member of Edit
and one entry in EDITS; its key, the palette, the help, the question, the confirmation
over a selection and the per-item results come from that entry: accepting and dismissing
suggestions (found in prose) are two such entries, with no question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from followup.display import STATUS_LABEL
from followup.statuses import Status
from followup.store.views import ItemView, is_closed

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from followup.github.client import GitHub
    from followup.policy import DuePolicy
    from followup.store.suggestions import Decision
    from followup.sync.edits import CloseReason, EditResult


class Edit(StrEnum):
    """A change the user can make to items."""

    CLOSE = "close"
    REOPEN = "reopen"
    ASSIGN = "assign"
    DUE = "due"
    PRIORITY = "priority"
    ACCEPT = "accept"
    DISMISS = "dismiss"


@dataclass(frozen=True, slots=True)
class Choose:
    """Ask by offering a few choices; the value is the chosen one's id."""

    choices: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class TypeIn:
    """Ask for a line of text; parse turns it into the value or raises ValueError."""

    prompt: str
    current: Callable[[ItemView], str]
    parse: Callable[[str, date], object]


Apply = Callable[["Engine", "GitHub | None", str, Any], "EditResult"]


@dataclass(frozen=True, slots=True)
class EditSpec:
    """One kind of change: how it is asked for, shown, and made.

    `title` is a format string for the dialogs ("Close {}" for "Close abc1234" or
    "Close 3 items"; `{issue}` adds " and its issue …" for one linked item).
    `refuse` says why an item cannot take the change at all; `change` says what the
    change does to one item, or None when it has nothing to do; `value_words` ends the
    confirmation's headline with the value (" as done", ": P1").
    """

    edit: Edit
    key: str
    label: str
    tooltip: str
    title: str
    doing: str
    apply: Apply
    change: Callable[[ItemView, Any], str | None]
    value_words: Callable[[Any], str]
    ask: Choose | TypeIn | None = None
    refuse: Callable[[ItemView], str | None] = lambda _item: None
    reaches_github: bool = False
    show: bool = False


# -- values ---------------------------------------------------------------------------

# GitHub logins: letters, digits and single hyphens, at most 39 characters.
_LOGIN = re.compile(r"^@?[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")


def validate_login(text: str) -> str | None:
    """Return why text is not a GitHub login (empty is allowed), or None."""
    text = text.strip()
    if not text or _LOGIN.match(text):
        return None
    return f"{text!r} is not a GitHub login"


def parse_login(text: str, _today: date) -> str | None:
    """Return the login typed (without @), None for nobody; ValueError when it is not one."""
    problem = validate_login(text)
    if problem:
        raise ValueError(problem)
    return text.strip().removeprefix("@") or None


def parse_due(text: str, today: date) -> date | None:
    """Return the date typed, read as `followup due` reads it; empty means no due date."""
    # Imported when a date is typed: its patterns cost the TUI's start-up a few hundredths.
    from followup.dates_input import read_due

    return read_due(text, today)


def parse_priority(text: str, _today: date) -> str | None:
    """Return the priority typed, in capitals; None for none."""
    from followup.sync.edits import PRIORITIES

    value = text.strip().upper()
    if value and value not in PRIORITIES:
        raise ValueError(f"a priority is one of {', '.join(PRIORITIES)}, not {text.strip()!r}")
    return value or None


def _status(item: ItemView) -> str:
    return STATUS_LABEL.get(item.status, item.status)


def _issue_too(item: ItemView, verb: str) -> str:
    return f", and {verb} {item.issue.ref}" if item.issue is not None else ""


def _person(login: str | None) -> str:
    return f"@{login}" if login else "nobody"


def _same_login(a: str | None, b: str | None) -> bool:
    return (a or "").lower().removeprefix("@") == (b or "").lower().removeprefix("@")


# -- the changes ----------------------------------------------------------------------

CLOSE_CHOICES = (
    ("completed", "✔ Done: the work is finished"),
    ("not_planned", "✘ Won't do: not planned"),
)
CLOSED_AS = {"completed": "done", "not_planned": "won't do"}


def _close(engine: Engine, client: GitHub | None, item_id: str, reason: Any) -> EditResult:
    from followup.sync import edits

    why: CloseReason = "not_planned" if reason == "not_planned" else "completed"
    return edits.close_item(engine, client, item_id, reason=why)


def _reopen(engine: Engine, client: GitHub | None, item_id: str, _value: Any) -> EditResult:
    from followup.sync import edits

    return edits.reopen_item(engine, client, item_id)


def _assign(engine: Engine, client: GitHub | None, item_id: str, login: Any) -> EditResult:
    from followup.sync import edits

    return edits.reassign_item(engine, client, item_id, login if login else None)


def _due(engine: Engine, client: GitHub | None, item_id: str, due: Any) -> EditResult:
    from followup.sync import edits

    return edits.set_due(engine, client, item_id, due if isinstance(due, date) else None)


def _priority(engine: Engine, client: GitHub | None, item_id: str, value: Any) -> EditResult:
    from followup.sync import edits

    return edits.set_priority(engine, client, item_id, str(value) if value else None)


def priority_by(policy: DuePolicy) -> Apply:
    """Return the priority edit that dates items by this policy (and tells their issues)."""

    def apply(engine: Engine, client: GitHub | None, item_id: str, value: Any) -> EditResult:
        from followup.sync import edits

        priority = str(value) if value else None
        return edits.set_priority(engine, client, item_id, priority, policy=policy)

    return apply


def _decided(decision: Decision, done: str) -> EditResult:
    """Return a suggestion's decision as the result of an edit of its status."""
    from followup.sync.edits import EditResult

    if not decision.changed:
        message = f"{decision.item_id}: {decision.reason}"
        return EditResult(
            decision.item_id, "status", decision.before, decision.after, "unchanged", message
        )
    message = f"{decision.item_id} {done}: {STATUS_LABEL.get(decision.after, decision.after)}"
    return EditResult(decision.item_id, "status", decision.before, decision.after, "local", message)


def _accept(engine: Engine, _client: GitHub | None, item_id: str, _value: Any) -> EditResult:
    from followup.sync import suggestions

    (decision,) = suggestions.accept(engine, [item_id])
    return _decided(decision, "accepted")


def _dismiss(engine: Engine, _client: GitHub | None, item_id: str, _value: Any) -> EditResult:
    from followup.sync import suggestions

    (decision,) = suggestions.dismiss(engine, [item_id])
    return _decided(decision, "dismissed")


def _not_suggested(item: ItemView) -> str | None:
    if item.status in (Status.SUGGESTED, Status.DISMISSED):
        return None
    return f"not a suggestion ({_status(item)})"


def _not_waiting(item: ItemView) -> str | None:
    if item.status == Status.SUGGESTED:
        return None
    if item.status == Status.DISMISSED:
        return "already dismissed"
    return f"not a suggestion ({_status(item)})"


def _not_open(item: ItemView) -> str | None:
    return f"already closed ({_status(item)})" if is_closed(item.status) else None


def _not_closed(item: ItemView) -> str | None:
    return None if is_closed(item.status) else "not closed"


def _due_text(item: ItemView) -> str:
    return item.due.isoformat() if isinstance(item.due, date) else ""


EDITS: dict[Edit, EditSpec] = {
    spec.edit: spec
    for spec in (
        EditSpec(
            Edit.CLOSE,
            key="c",
            label="Close",
            tooltip="Close the item (done or won't do)",
            title="Close {}{issue}",
            doing="Closing",
            apply=_close,
            ask=Choose(CLOSE_CHOICES),
            refuse=_not_open,
            change=lambda item, reason: (
                f"{_status(item)} → {CLOSED_AS.get(reason, reason)}{_issue_too(item, 'closes')}"
            ),
            value_words=lambda reason: f" as {CLOSED_AS.get(reason, reason)}",
            reaches_github=True,
            show=True,
        ),
        EditSpec(
            Edit.REOPEN,
            key="r",
            label="Reopen",
            tooltip="Reopen a closed item",
            title="Reopen {}",
            doing="Reopening",
            apply=_reopen,
            refuse=_not_closed,
            change=lambda item, _v: f"{_status(item)} → open{_issue_too(item, 'reopens')}",
            value_words=lambda _v: "",
            reaches_github=True,
        ),
        EditSpec(
            Edit.ASSIGN,
            key="a",
            label="Assign",
            tooltip="Give the item to someone else",
            title="Assign {}",
            doing="Assigning",
            apply=_assign,
            ask=TypeIn(
                "GitHub login of the new owner (empty: nobody)",
                lambda item: item.owner or "",
                parse_login,
            ),
            change=lambda item, login: (
                None
                if _same_login(item.owner, login)
                else f"{_person(item.owner)} → {_person(login)}"
            ),
            value_words=lambda login: f" to {_person(login)}",
            reaches_github=True,
            show=True,
        ),
        EditSpec(
            Edit.DUE,
            key="d",
            label="Due",
            tooltip="Set or clear the due date",
            title="Due date of {}",
            doing="Setting the due date of",
            apply=_due,
            ask=TypeIn(
                "YYYY-MM-DD, +14, 2w, friday, end of Q1… (empty: no due date)",
                _due_text,
                parse_due,
            ),
            change=lambda item, due: (
                None
                if item.due == due
                else f"{_due_text(item) or 'none'} → {due.isoformat() if due else 'none'}"
            ),
            value_words=lambda due: f": {due.isoformat()}" if due else ": none",
            reaches_github=True,
        ),
        EditSpec(
            Edit.PRIORITY,
            key="p",
            label="Priority",
            tooltip="Set or clear the priority",
            title="Priority of {}",
            doing="Setting the priority of",
            apply=_priority,
            # The priorities are sync.edits.PRIORITIES, which parse_priority checks; naming
            # them here spares loading the GitHub code to draw a prompt.
            ask=TypeIn("P0, P1, P2, P3 (empty: none)", lambda i: i.priority or "", parse_priority),
            change=lambda item, value: (
                None
                if (item.priority or None) == value
                else f"{item.priority or 'none'} → {value or 'none'}"
            ),
            value_words=lambda value: f": {value}" if value else ": none",
            reaches_github=True,
        ),
        EditSpec(
            Edit.ACCEPT,
            key="plus",
            label="Accept",
            tooltip="Accept a suggestion found in prose: it becomes an item to file",
            title="Accept {}",
            doing="Accepting",
            apply=_accept,
            refuse=_not_suggested,
            change=lambda item, _v: f"{_status(item)} → open",
            value_words=lambda _v: "",
        ),
        EditSpec(
            Edit.DISMISS,
            key="minus",
            label="Dismiss",
            tooltip="Dismiss a suggestion: never filed, and re-imports keep it dismissed",
            title="Dismiss {}",
            doing="Dismissing",
            apply=_dismiss,
            refuse=_not_waiting,
            change=lambda item, _v: f"{_status(item)} → dismissed",
            value_words=lambda _v: "",
        ),
    )
}


# -- planning a change over several items ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Planned:
    """One item of a change over several: what it does to the item, or why it is skipped."""

    item: ItemView
    change: str | None
    skip: str | None


def plan(spec: EditSpec, items: Sequence[ItemView], value: object) -> list[Planned]:
    """Return what the change would do to each item."""
    out = []
    for item in items:
        why = "removed from its post-mortem" if item.status == "removed" else spec.refuse(item)
        change = None if why else spec.change(item, value)
        if why is None and change is None:
            why = "unchanged"
        out.append(Planned(item, change, why))
    return out
