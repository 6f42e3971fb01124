"""Filter and sort loaded items in memory, with the same meaning as the store's queries.

The store answers a filter in seconds for 100,000 items; a keystroke must cost well
under 50 ms, so the TUI loads the items once and filters them here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass, replace
from datetime import date
from operator import attrgetter, indexOf
from typing import Literal, overload

from followup.display import KIND_LABEL, STATUS_LABEL
from followup.statuses import Status
from followup.store.filters import HIDDEN_STATUSES, ItemFilter, normalise_owner
from followup.store.views import ItemView
from followup.tui.sorting import Sort, is_overdue

# Hidden unless asked for, as in the store: removed items and dismissed suggestions.
_HIDDEN = frozenset(HIDDEN_STATUSES)
# How many positions the search keeps answers for (8 bytes each).
KEPT_POSITIONS = 1_000_000


@dataclass(frozen=True, slots=True)
class Filters:
    """What the user asked to see on the items screen; all criteria combine."""

    text: str = ""
    statuses: frozenset[str] = frozenset()
    owner: str | None = None
    postmortem: str | None = None
    kind: str | None = None
    overdue: bool = False
    mine: bool = False

    @property
    def active(self) -> bool:
        """Tell whether anything narrows the list."""
        return self != Filters()

    def item_filter(self, me: str | None) -> ItemFilter:
        """Return the store's filter; 'mine' stands for the owner me."""
        owner = me if self.mine and me else self.owner
        return ItemFilter(
            statuses=self.statuses,
            owner=owner,
            postmortem=self.postmortem,
            kind=self.kind,
            overdue=self.overdue,
            text=self.text.strip() or None,
        )

    def cleared(self) -> Filters:
        """Return no filter at all."""
        return Filters()

    def toggled(self, name: Literal["mine", "overdue"]) -> Filters:
        """Return these filters with a yes/no criterion flipped."""
        if name == "mine":
            return replace(self, mine=not self.mine)
        return replace(self, overdue=not self.overdue)

    def describe(self, me: str | None, *, looking_up: bool = False) -> list[str]:
        """Return the active criteria as short phrases, for the filter bar."""
        out: list[str] = []
        if self.mine:
            if me:
                out.append(f"mine (@{me})")
            else:
                out.append("mine (looking up your GitHub login…)" if looking_up else "mine")
        if self.owner and not (self.mine and me):
            out.append(f"owner @{normalise_owner(self.owner)}")
        if self.statuses:
            names = [STATUS_LABEL.get(s, s) for s in sorted(self.statuses, key=_status_rank)]
            out.append("status " + ", ".join(names))
        if self.overdue:
            out.append("overdue")
        if self.kind:
            out.append(KIND_LABEL.get(self.kind, self.kind))
        if self.postmortem:
            out.append(f"in {self.postmortem}")
        return out


class SearchIndex:
    """Lowercased text of each item, computed once per load, for incremental search.

    A keystroke must cost well under 50 ms with 100,000 items, deleting a character
    included: the positions that pass the other criteria are kept (in the sort's order),
    and so are the answers to the last few search texts. Typing on filters the smallest
    kept answer whose text is part of the new one; deleting finds its answer kept.
    """

    def __init__(self, items: Sequence[ItemView]) -> None:
        # The app's list itself, not a copy: nobody changes a loaded list in place.
        self.items = items if isinstance(items, list) else list(items)
        # One int object per position, shared by every list of positions below: each
        # list made from a range would hold 100,000 ints of its own (3 MB apiece).
        self._numbers = list(range(len(self.items)))
        self._text = list(map(_search_text, self.items))
        # The owners named, as given: a few, where a list by position would be 100,000.
        self._owners: frozenset[str | None] | None = None
        # The last order asked for: sorting 100,000 items by three keys costs a second,
        # so a filter change reuses the sorted positions instead of sorting again.
        self._order: tuple[Sort, date, list[int]] | None = None
        # The other criteria the kept answers are for, and the answers by search text
        # ("" for no search), oldest first.
        self._rest: tuple[ItemFilter, date, Sort | None] | None = None
        self._found: dict[str, list[int]] = {}

    def position(self, item_id: str) -> int | None:
        """Return where an item is among the loaded ones.

        A scan in C (a few milliseconds for 100,000 items), not a dict by id, which
        would hold 4 MB for this: the table finds its cursor's item by position instead
        (Shown.row_of), and asks this only after a reload.
        """
        try:
            return indexOf(map(_ID, self.items), item_id)
        except ValueError:
            return None

    def replaced(self, fresh: Iterable[ItemView]) -> SearchIndex:
        """Return the index with some items read again; the rest is shared, not rebuilt."""
        index = copy(self)
        index.items = list(self.items)
        index._text = list(self._text)
        index._owners = None
        index._order = None
        index._rest = None
        index._found = {}
        by_id = {item.id: item for item in fresh}
        if by_id:
            found = [n for n, item_id in enumerate(map(_ID, self.items)) if item_id in by_id]
            for n in found:
                item = by_id[self.items[n].id]
                index.items[n] = item
                index._text[n] = _search_text(item)
        return index

    def ordered(self, sort: Sort, *, today: date) -> list[int]:
        """Return the positions of the items in the sort's order, computed once per sort."""
        cached = self._order
        if cached is not None and cached[0] == sort and cached[1] == today:
            return cached[2]
        positions = sort.order(self.items, today=today, positions=self._numbers)
        self._order = (sort, today, positions)
        return positions

    def __len__(self) -> int:
        return len(self.items)

    def filter(self, flt: ItemFilter, *, today: date, sort: Sort | None = None) -> list[ItemView]:
        """Return the items that pass the filter, in the sort's order (else load order)."""
        return list(self.shown(flt, today=today, sort=sort))

    def shown(self, flt: ItemFilter, *, today: date, sort: Sort | None = None) -> Shown:
        """Return the items that pass the filter, in the sort's order, without copying them."""
        return Shown(self, self.positions(flt, today=today, sort=sort))

    def positions(self, flt: ItemFilter, *, today: date, sort: Sort | None = None) -> list[int]:
        """Return the positions of the items that pass the filter, in the sort's order."""
        needle = flt.text.lower() if flt.text else ""
        rest = (replace(flt, text=None), today, sort)
        if rest != self._rest:
            self._rest = rest
            self._found = {"": self._scan(flt, today, sort)}
        found = self._found.get(needle)
        if found is not None:
            return found
        # Only the items of an answer for a part of the text can match the whole of it.
        narrowest = min((kept for text, kept in self._found.items() if text in needle), key=len)
        text = self._text
        found = [n for n in narrowest if needle in text[n]]
        self._keep(needle, found)
        return found

    def _keep(self, needle: str, found: list[int]) -> None:
        kept = self._found
        kept[needle] = found
        # Bounded: a few dozen answers of 100,000 positions would be tens of megabytes.
        total = sum(map(len, kept.values()))
        while total > KEPT_POSITIONS and len(kept) > 2:
            oldest = next(text for text in kept if text and text != needle)
            total -= len(kept.pop(oldest))

    def _scan(self, flt: ItemFilter, today: date, sort: Sort | None) -> list[int]:
        """Return the positions that pass every criterion but the search text."""
        items = self.items
        positions = self._numbers
        if sort is not None and (sort.keys or sort.reverse_document):
            positions = self.ordered(sort, today=today)
        # One pass per criterion given, each a comprehension over what is left.
        if flt.statuses:
            statuses = flt.statuses
            out = [n for n in positions if items[n].status in statuses]
        elif not flt.include_removed:
            out = [n for n in positions if items[n].status not in _HIDDEN]
        else:
            out = list(positions)
        if flt.owner:
            owner = normalise_owner(flt.owner).lower()
            named = {name for name in self._named_owners() if (name or "").lower() == owner}
            out = [n for n in out if items[n].owner in named]
        if flt.postmortem:
            slug = flt.postmortem
            out = [n for n in out if items[n].postmortem == slug]
        if flt.kind:
            kind = flt.kind
            out = [n for n in out if items[n].kind == kind]
        if flt.repo:
            repo = flt.repo.lower()
            out = [n for n in out if items[n].repo == repo]
        if flt.overdue:
            out = [n for n in out if is_overdue(items[n], today)]
        return out

    def _named_owners(self) -> frozenset[str | None]:
        """Return every owner of a loaded item as written (None for none)."""
        if self._owners is None:
            self._owners = frozenset(map(_OWNER, self.items))
        return self._owners

    def owners(self) -> list[str]:
        """Return every owner named by a loaded item, sorted."""
        return sorted((name for name in self._named_owners() if name), key=str.lower)


class Shown(Sequence[ItemView]):
    """Some of an index's items, in order: their positions, not a list of the items."""

    __slots__ = ("_index", "positions")

    def __init__(self, index: SearchIndex, positions: list[int]) -> None:
        self._index = index
        self.positions = positions

    def __len__(self) -> int:
        return len(self.positions)

    @overload
    def __getitem__(self, at: int) -> ItemView: ...

    @overload
    def __getitem__(self, at: slice) -> list[ItemView]: ...

    def __getitem__(self, at: int | slice) -> ItemView | list[ItemView]:
        items = self._index.items
        if isinstance(at, slice):
            return list(map(items.__getitem__, self.positions[at]))
        return items[self.positions[at]]

    def __iter__(self) -> Iterator[ItemView]:
        return map(self._index.items.__getitem__, self.positions)

    def index_of(self, item_id: str) -> int:
        """Return where an item is shown, or -1."""
        position = self._index.position(item_id)
        if position is None:
            return -1
        try:
            return self.positions.index(position)
        except ValueError:
            return -1

    def row_of(self, item: ItemView, before: Sequence[ItemView], row: int) -> int:
        """Return where an item shown at `row` of `before` is shown now, or -1.

        Through its position when `before` shows the same loaded items (a keystroke
        filters the same index): a scan of ints in C, with no lookup by id.
        """
        if isinstance(before, Shown) and 0 <= row < len(before):
            position = before.positions[row]
            items = self._index.items
            if position < len(items) and items[position] is item:
                try:
                    return self.positions.index(position)
                except ValueError:
                    return -1
        return self.index_of(item.id)


_ID = attrgetter("id")
_OWNER = attrgetter("owner")


def _search_text(item: ItemView) -> str:
    return f"{item.title}\n{item.owner or ''}\n{item.id}".lower()


def _status_rank(status: str) -> int:
    order = [s.value for s in Status]
    return order.index(status) if status in order else len(order)
