"""When an overdue item's owner is reminded: the backoff, and what counts as an answer.

Everything here is worked out from what GitHub shows, so two runs (or a run with an
empty store, in CI) agree. Each reminder is a comment whose hidden marker names its key:

    remind:<item>:<due date>:<owner>:<n>

The due date and the owner make a *chain*: reminders about one deadline to one person.
A new due date or a new owner starts a new chain, so an item whose date moved into the
future is not reminded at all, and a new owner of an overdue item hears of it once.
Within a chain, reminder n+1 waits after reminder n:

- if nobody answered it: the interval (remind_interval, 7 days) doubled for each
  unanswered reminder before it, up to four times: 7, then 14, then 28, 28, …;
- if someone answered it (a later comment by anyone but the reminder's author that is
  not followup's own): the interval again, counted from the answer.

So a run never sends a second reminder while the last one is unanswered within its
period, and n makes the key unique: runs that see the same state send the same key,
which is how a rerun or a concurrent run finds the reminder instead of sending another.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from followup.github.comments import Comment

MAX_DOUBLINGS = 2  # 7, 14, 28 days, then 28 again
_REMINDER = re.compile(
    r"<!--\s*followup:(?P<key>remind:(?P<item>[0-9a-z]+):(?P<due>\d{4}-\d{2}-\d{2}):"
    r"(?P<owner>[A-Za-z0-9-]+):(?P<n>\d+))\s*-->\s*$"
)

Decision = Literal["remind", "wait"]


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder comment followup posted, as its marker and GitHub describe it."""

    key: str
    item_id: str
    due: date
    owner: str
    n: int
    comment: Comment

    @property
    def at(self) -> datetime | None:
        """Return when the reminder was posted."""
        return self.comment.created_at


def reminder_key(item_id: str, due: date, owner: str, n: int) -> str:
    """Return the key of the n-th reminder of a chain."""
    return f"remind:{item_id}:{due.isoformat()}:{owner.lower()}:{n}"


def parse_reminder(comment: Comment) -> Reminder | None:
    """Return the reminder a comment is, from the marker on its last line, or None."""
    lines = comment.body.rstrip().rsplit("\n", 1)
    match = _REMINDER.search(lines[-1])
    if match is None:
        return None
    return Reminder(
        key=match["key"],
        item_id=match["item"],
        due=date.fromisoformat(match["due"]),
        owner=match["owner"],
        n=int(match["n"]),
        comment=comment,
    )


def _is_answer(comment: Comment, reminder: Reminder) -> bool:
    """Tell whether a comment answers a reminder: someone else's, later, not followup's."""
    if comment.created_at is None or reminder.at is None or comment.created_at <= reminder.at:
        return False
    if comment.author is not None and comment.author == reminder.comment.author:
        return False
    return "<!-- followup:" not in comment.body


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do about one overdue item now."""

    decision: Decision
    key: str
    n: int
    # When the next reminder may go, while waiting; the unanswered reminders so far.
    not_before: datetime | None = None
    unanswered: int = 0
    answered_at: datetime | None = None
    last: Reminder | None = None


def backoff(interval: timedelta, unanswered: int) -> timedelta:
    """Return the wait after a reminder that `unanswered` earlier ones went without answer."""
    return interval * int(2 ** min(unanswered, MAX_DOUBLINGS))


def plan(
    item_id: str,
    due: date,
    owner: str,
    comments: Sequence[Comment],
    *,
    now: datetime,
    interval: timedelta,
) -> Plan:
    """Decide whether to remind the owner of an overdue item now, and under which key."""
    chain = [
        r
        for r in (parse_reminder(c) for c in comments)
        if r is not None
        and r.item_id == item_id
        and r.due == due
        and r.owner.lower() == owner.lower()
    ]
    chain.sort(key=lambda r: (r.n, r.comment.id))
    if not chain:
        return Plan("remind", reminder_key(item_id, due, owner, 0), 0)
    answers = [
        _first_answer(comments, reminder, chain[i + 1] if i + 1 < len(chain) else None)
        for i, reminder in enumerate(chain)
    ]
    # How many reminders in a row went unanswered just before the last one.
    unanswered = 0
    for answer in answers[:-1]:
        unanswered = 0 if answer is not None else unanswered + 1
    last = chain[-1]
    answered_at = answers[-1]
    if answered_at is not None:
        not_before = answered_at + interval
        unanswered = 0
    else:
        not_before = (last.at or now) + backoff(interval, unanswered)
    # Whole days: a run scheduled at the same hour each day reminds on the day it may,
    # even when the last reminder went out a few minutes later in the day.
    decision: Decision = "remind" if now.date() >= not_before.date() else "wait"
    return Plan(
        decision,
        reminder_key(item_id, due, owner, last.n + 1),
        last.n + 1,
        not_before=not_before,
        unanswered=unanswered,
        answered_at=answered_at,
        last=last,
    )


def _first_answer(
    comments: Sequence[Comment], reminder: Reminder, following: Reminder | None
) -> datetime | None:
    """Return when a reminder was first answered before the next one, if it was."""
    times = [
        c.created_at
        for c in comments
        if c.created_at is not None
        and _is_answer(c, reminder)
        and (following is None or following.at is None or c.created_at < following.at)
    ]
    return min(times) if times else None
