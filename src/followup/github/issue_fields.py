"""Where an item's fields live on its issue: the priority label, and followup's block.

An issue filed by followup lists the item's fields (Owner, Due, Priority, …, Post-mortem:
`- **Due:** 2026-03-01`, see issue_mapping.build_issue) above its hidden marker.

- `issue_fields` reads them back for a run with an empty store, in CI (remind): the
  last such line of each field counts, as the marker does.
- The priority is also a `priority:P0`…`priority:P3` label, which a priority edit swaps
  (`priority_label`, `priority_of`).
- A due-date edit changes the Due line of followup's block only: the run of field lines
  above the marker that ends with Post-mortem (`body_due`, `with_due`). The rest of the
  body is the user's, and the marker stays as it is. A date the due-date policy set
  says so after it (`due_line`, `split_policy`), as filing writes it.

Everything here is pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from followup.github.issue_mapping import fit_label, parse_marker, policy_note

_FIELD = re.compile(r"^\s*[-*]\s+\*\*(?P<name>Owner|Due|Priority):\*\*\s*(?P<value>.+?)\s*$", re.M)
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})\b")
_LOGIN = re.compile(r"^@([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})(?![\w/-])")
_PRIORITY = re.compile(r"^(P[0-3])\b", re.I)


@dataclass(frozen=True, slots=True)
class IssueFields:
    """The item's fields as its issue's body gives them (None when absent or unreadable)."""

    owner: str | None = None
    due: date | None = None
    priority: str | None = None


def issue_fields(body: str | None) -> IssueFields:
    """Return the owner (a login), due date and priority followup wrote into a body."""
    found: dict[str, str] = {}
    for match in _FIELD.finditer(body or ""):
        found[match["name"]] = match["value"]
    owner = _LOGIN.match(found.get("Owner", ""))
    due = _DATE.match(found.get("Due", ""))
    priority = _PRIORITY.match(found.get("Priority", ""))
    day: date | None = None
    if due is not None:
        try:
            day = date.fromisoformat(due[1])
        except ValueError:
            day = None
    return IssueFields(
        owner=owner[1] if owner else None,
        due=day,
        priority=priority[1].upper() if priority else None,
    )


# -- priority labels and followup's block ----------------------------------------

PRIORITIES = ("P0", "P1", "P2", "P3")
PRIORITY_PREFIX = "priority:"

# One line of followup's block: "- **Name:** value".
_BLOCK_LINE = re.compile(r"^- \*\*(?P<name>[^*\r\n]+?):\*\*(?P<value>[^\r\n]*)$")
# The field every block ends with; it tells followup's list apart from any other.
_ANCHOR = "post-mortem"
_DUE = "due"
# Where a Due line goes when the block has none: after the first of these.
_BEFORE_DUE = ("owner",)


# -- priority labels ------------------------------------------------------------------


def priority_label(priority: str) -> str:
    """Return the label that carries a priority: priority:P1."""
    return fit_label(PRIORITY_PREFIX, priority.strip().upper())


def label_priority(name: str) -> str | None:
    """Return the priority a label carries (P0…P3), or None for any other label."""
    prefix, value = name[: len(PRIORITY_PREFIX)], name[len(PRIORITY_PREFIX) :]
    if prefix.casefold() != PRIORITY_PREFIX:
        return None
    value = value.strip().upper()
    return value if value in PRIORITIES else None


def priority_of(labels: Iterable[str]) -> str | None:
    """Return the priority an issue's labels give it: the most urgent of them, or None."""
    found = sorted({p for p in (label_priority(name) for name in labels) if p is not None})
    return found[0] if found else None


def priority_labels(labels: Iterable[str]) -> list[str]:
    """Return the labels among these that carry a priority, in their order."""
    return [name for name in labels if label_priority(name) is not None]


# -- the Due line of followup's block -------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Block:
    """Followup's block in a body: its lines (with their endings) and where it is."""

    lines: list[str]
    start: int
    end: int  # one past the last field line

    def field(self, name: str) -> int | None:
        for index in range(self.start, self.end):
            found = _BLOCK_LINE.match(self.lines[index].rstrip("\r\n"))
            if found is not None and found["name"].strip().casefold() == name:
                return index
        return None


def _block(body: str | None) -> _Block | None:
    """Find followup's block: the first run of field lines above the marker with a Post-mortem."""
    if not body:
        return None
    marker = parse_marker(body)
    if marker is None or marker.tracking:
        return None
    lines = body.splitlines(keepends=True)
    start: int | None = None
    for index, line in enumerate([*lines, ""]):
        text = line.rstrip("\r\n")
        if "<!--" in text and "followup:" in text and "postmortem=" in text:
            return None  # reached the marker without finding the block
        if _BLOCK_LINE.match(text):
            if start is None:
                start = index
            continue
        if start is not None:
            block = _Block(lines, start, index)
            if block.field(_ANCHOR) is not None:
                return block
            start = None
    return None


def body_due(body: str | None) -> str | None:
    """Return the Due line's value in followup's block ("" when it has none), or None.

    None means the body has no block of followup's: not filed by followup, or the
    user rewrote it. The value is as written: an ISO date, or words ("end of Q1").
    """
    block = _block(body)
    if block is None:
        return None
    index = block.field(_DUE)
    if index is None:
        return ""
    found = _BLOCK_LINE.match(block.lines[index].rstrip("\r\n"))
    assert found is not None
    return found["value"].strip()


def with_due(body: str | None, due: str | None) -> str | None:
    """Return the body with its block's Due line set to due (removed for None).

    Returns None when the body has no block of followup's to hold it. Nothing outside
    the block changes; a body that already says so comes back unchanged.
    """
    block = _block(body)
    if block is None:
        return None
    lines = list(block.lines)
    index = block.field(_DUE)
    first = lines[block.start]
    ending = first[len(first.rstrip("\r\n")) :] or "\n"
    if not due:
        if index is not None:
            del lines[index]
        return "".join(lines)
    line = f"- **Due:** {due.strip()}"
    if index is not None:
        old = lines[index]
        lines[index] = line + old[len(old.rstrip("\r\n")) :]
        return "".join(lines)
    at = block.start
    for name in _BEFORE_DUE:
        before = block.field(name)
        if before is not None:
            at = before + 1
            break
    lines.insert(at, line + ending)
    return "".join(lines)


_POLICY_NOTE = re.compile(
    r"\s*\(the due-date policy's deadline for (?P<priority>P[0-3])\)\s*$", re.I
)


def due_line(due: date | None, policy_for: str | None = None) -> str | None:
    """Return the Due line's value for a date; policy_for names the policy's priority."""
    if due is None:
        return None
    return due.isoformat() + (policy_note(policy_for) if policy_for else "")


def split_policy(value: str) -> tuple[str, str | None]:
    """Return a Due line's value without the policy's note, and the priority it names."""
    found = _POLICY_NOTE.search(value)
    if found is None:
        return value.strip(), None
    return value[: found.start()].strip(), found["priority"].upper()
