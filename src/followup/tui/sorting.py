"""Sort the TUI's loaded items in memory: each column's key, and a sort of several levels.

tui/filtering.py chooses which loaded items show; this orders them, in memory for the
same reason (a keystroke must cost well under 50 ms).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from followup.statuses import Status
from followup.store.filters import OPEN_STATUSES
from followup.store.views import ItemView

_OPEN = frozenset(OPEN_STATUSES)


# Outstanding work first: what needs attention sorts to the top of an ascending sort.
_STATUS_ORDER = {
    s.value: n
    for n, s in enumerate(
        (
            Status.REGRESSED,
            Status.OPEN,
            Status.IN_PROGRESS,
            Status.FILED,
            Status.DONE,
            Status.WONT_DO,
            Status.SUGGESTED,
            Status.DISMISSED,
            Status.REMOVED,
        )
    )
}


def _priority_key(item: ItemView, _today: date) -> Any:
    if not item.priority:
        return None
    text = item.priority.strip().lower()
    # P0/P1... and 0/1... sort by number; words sort after them, alphabetically.
    digits = text.lstrip("p")
    return (0, int(digits), "") if digits.isdigit() else (1, 0, text)


def _synced(item: ItemView, _today: date) -> Any:
    if item.issue is not None and item.issue.synced_at is not None:
        return item.issue.synced_at.replace(tzinfo=None)
    if item.verified_at is not None:
        return item.verified_at.replace(tzinfo=None)
    return None


def is_overdue(item: ItemView, today: date) -> bool:
    """Tell whether a loaded item is open and past its due date (the filter's meaning too)."""
    return item.due is not None and item.due < today and item.status in _OPEN


def _overdue(item: ItemView, today: date) -> Any:
    return 0 if is_overdue(item, today) else 1


SortKeyFn = Callable[[ItemView, date], Any]

# The table's columns, in the order `s` cycles through them.
COLUMN_KEYS: dict[str, SortKeyFn] = {
    "status": lambda i, _t: _STATUS_ORDER.get(i.status, 99),
    "id": lambda i, _t: i.id,
    "title": lambda i, _t: i.title.lower(),
    "owner": lambda i, _t: i.owner.lower() if i.owner else None,
    "priority": _priority_key,
    "due": lambda i, _t: i.due,
    "postmortem": lambda i, _t: i.postmortem,
    "target": lambda i, _t: i.target.lower() if i.target else None,
    "synced": _synced,
}
# Keys that are not a column of their own: shown on the column named here.
EXTRA_KEYS: dict[str, tuple[SortKeyFn, str]] = {
    "overdue": (_overdue, "due"),
}
SORT_NAMES = {
    "status": "status",
    "id": "id",
    "title": "title",
    "owner": "owner",
    "priority": "priority",
    "due": "due date",
    "postmortem": "post-mortem",
    "target": "issue / target",
    "synced": "last sync",
    "overdue": "overdue first",
}
# What the review meeting wants to see first.
REVIEW_ORDER = ("overdue", "priority", "due")


def key_function(column: str) -> SortKeyFn:
    """Return the sort key of a column (or of an extra key such as 'overdue')."""
    if column in EXTRA_KEYS:
        return EXTRA_KEYS[column][0]
    return COLUMN_KEYS[column]


def shown_on(column: str) -> str:
    """Return the table column whose header shows a sort key."""
    return EXTRA_KEYS[column][1] if column in EXTRA_KEYS else column


@dataclass(frozen=True, slots=True)
class SortKey:
    """One level of the sort: a column (or extra key) and its direction."""

    column: str
    reverse: bool = False

    def flipped(self) -> SortKey:
        """Return the same key in the other direction."""
        return replace(self, reverse=not self.reverse)


@dataclass(frozen=True, slots=True)
class Sort:
    """How the table is ordered: keys in order of importance; none is document order.

    `reverse_document` flips document order when there is no key.
    """

    keys: tuple[SortKey, ...] = ()
    reverse_document: bool = False

    @classmethod
    def of(cls, *columns: str) -> Sort:
        """Return the sort by these columns, each ascending."""
        return cls(tuple(SortKey(c) for c in columns))

    @property
    def column(self) -> str | None:
        """Return the main column, or None for document order."""
        return self.keys[0].column if self.keys else None

    def next(self) -> Sort:
        """Return the sort by the next column alone, wrapping back to document order."""
        columns = list(COLUMN_KEYS)
        if self.column not in columns:
            return Sort.of(columns[0])
        index = columns.index(self.column) + 1
        return Sort.of(columns[index]) if index < len(columns) else Sort()

    def by(self, column: str) -> Sort:
        """Return the sort by one column; asking for the sole current one flips it."""
        if len(self.keys) == 1 and self.keys[0].column == column:
            return Sort((self.keys[0].flipped(),))
        return Sort.of(column)

    def then(self, column: str) -> Sort:
        """Return this sort with one more key; a key already used flips instead."""
        for n, key in enumerate(self.keys):
            if key.column == column:
                return replace(self, keys=(*self.keys[:n], key.flipped(), *self.keys[n + 1 :]))
        return Sort((*self.keys, SortKey(column)))

    def flipped(self) -> Sort:
        """Return the sort with its last key (or document order) in the other direction."""
        if not self.keys:
            return replace(self, reverse_document=not self.reverse_document)
        return replace(self, keys=(*self.keys[:-1], self.keys[-1].flipped()))

    def unused(self) -> list[str]:
        """Return the keys not used yet, in the order a user picks from."""
        used = {key.column for key in self.keys}
        return [c for c in (*EXTRA_KEYS, *COLUMN_KEYS) if c not in used]

    def describe(self) -> str | None:
        """Return the sort in words, e.g. 'overdue first ▲, then priority ▲'."""
        if not self.keys:
            return "document order ▼" if self.reverse_document else None
        words = [
            f"{SORT_NAMES.get(k.column, k.column)} {'▼' if k.reverse else '▲'}" for k in self.keys
        ]
        return "sorted by " + ", then ".join(words)

    def order(
        self, items: Sequence[ItemView], *, today: date, positions: list[int] | None = None
    ) -> list[int]:
        """Return the positions of the items in this order; empty values go last, both ways.

        `positions` is range(len(items)) as a list, when the caller keeps one to share.
        """
        positions = list(range(len(items)) if positions is None else positions)
        if not self.keys:
            return positions[::-1] if self.reverse_document else positions
        # Stable sorts from the least important key up give the order of all keys at once.
        for key in reversed(self.keys):
            function = key_function(key.column)
            values = [function(item, today) for item in items]
            present = [p for p in positions if values[p] is not None]
            missing = [p for p in positions if values[p] is None]
            present.sort(key=values.__getitem__, reverse=key.reverse)
            positions = present + missing
        return positions

    def apply(self, items: Sequence[ItemView], *, today: date) -> list[ItemView]:
        """Return the items in this order."""
        return [items[p] for p in self.order(items, today=today)]

    def to_data(self) -> list[list[Any]]:
        """Return the sort as JSON-ready data."""
        return [[key.column, key.reverse] for key in self.keys]

    @classmethod
    def from_data(cls, data: object) -> Sort:
        """Return the sort stored by to_data, leaving out what is not understood."""
        keys: list[SortKey] = []
        if isinstance(data, list):
            for entry in data:
                if (
                    isinstance(entry, list)
                    and len(entry) == 2
                    and isinstance(entry[0], str)
                    and isinstance(entry[1], bool)
                    and (entry[0] in COLUMN_KEYS or entry[0] in EXTRA_KEYS)
                    and all(k.column != entry[0] for k in keys)
                ):
                    keys.append(SortKey(entry[0], entry[1]))
        return cls(tuple(keys))
