"""The table's first rows, read before SQLAlchemy is even imported when the store allows.

Importing SQLAlchemy, SQLModel and the models costs the TUI half a second of start-up. A
store that needs nothing done first (store/direct.py's `ready`: migrated, deadlines
current, no repository renamed) gives its first page through the database driver alone,
and the engine opens in the background while those rows are on screen. Any other store
takes the ordinary path first, as `followup list` does. Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from followup.store.views import ItemView, lean_issue

if TYPE_CHECKING:
    from followup.store.direct import DirectStore

# Rows in the first page: enough to fill a tall terminal while the rest loads.
FIRST_PAGE = 200

# Returns the first rows (at most `limit`), or None to have the ordinary path read them.
FirstPage = Callable[[int], "list[ItemView] | None"]


class DirectFirstPage:
    """The first page of a store read through its driver, once; then the connection closes."""

    def __init__(self, store: DirectStore) -> None:
        self._store: DirectStore | None = store
        self._lock = threading.Lock()

    def __call__(self, limit: int) -> list[ItemView] | None:
        """Return the first `limit` items as the table loads them (None when already read)."""
        from followup.store import direct_items

        with self._lock:
            store, self._store = self._store, None
        if store is None:
            return None
        try:
            return compact(direct_items.first_items(store, limit))
        finally:
            store.close()

    def close(self) -> None:
        """Close the connection if the page was never read."""
        with self._lock:
            store, self._store = self._store, None
        if store is not None:
            store.close()


def open_direct(url: str, policy_key: str) -> DirectFirstPage | None:
    """Return a reader of the store's first page, or None when the ordinary path must open it.

    The same rule as `followup list`'s direct path: a store that cannot be read as it is
    (a migration, deadlines to work out, a renamed repository, an unknown URL) is left to
    the ordinary path, which does what it needs first.
    """
    from followup.store import direct

    store = direct.open_store(url)
    if store is None:
        return None
    if not direct.ready(store, policy_key):
        store.close()
        return None
    return DirectFirstPage(store)


def compact(views: Iterable[ItemView], names: dict[Any, Any] | None = None) -> list[ItemView]:
    """Return the views with one copy of each repeated value, made as they stream in.

    The database driver gives each row its own strings: with 100,000 items the same
    owners, statuses, repositories and post-mortem titles took some 60 MB. Issues on
    github.com do without their URLs (store/views.py's GitHubIssueLink). `names`, when
    given, holds the values to share with other reads (the post-mortems') and gains these.
    """
    seen: dict[Any, Any] = {} if names is None else names
    one = seen.setdefault
    # Apart: 1 == True, and a number must not come back as a bool.
    numbers: dict[int, int] = {}
    number = numbers.setdefault
    out: list[ItemView] = []
    for view in views:
        # Views are read-only by convention; these are not shared with anyone yet.
        view.text = ""
        view.postmortem = one(view.postmortem, view.postmortem)
        view.postmortem_title = one(view.postmortem_title, view.postmortem_title)
        view.source_path = one(view.source_path, view.source_path)
        view.owner = one(view.owner, view.owner)
        view.priority = one(view.priority, view.priority)
        view.due = one(view.due, view.due)
        view.type = one(view.type, view.type)
        view.kind = one(view.kind, view.kind)
        view.status = one(view.status, view.status)
        view.repo = one(view.repo, view.repo)
        view.section = one(view.section, view.section)
        view.due_source = one(view.due_source, view.due_source)
        view.postmortem_date = one(view.postmortem_date, view.postmortem_date)
        # Deadlines worked out by the policy recur as often as due dates do.
        view.policy_due = one(view.policy_due, view.policy_due)
        # Items imported or synced together share their times.
        view.created_at = one(view.created_at, view.created_at)
        view.updated_at = one(view.updated_at, view.updated_at)
        issue = view.issue
        if issue is not None:
            issue.repo = one(issue.repo, issue.repo)
            issue.state = one(issue.state, issue.state)
            # Issue numbers recur across repositories (#1 ... #n in each).
            issue.number = number(issue.number, issue.number)
            # Its URL, when github.com's, worked out again when asked for.
            view.issue = lean_issue(issue)
            issue.synced_at = one(issue.synced_at, issue.synced_at)
            if issue.title == view.title:
                issue.title = view.title
        out.append(view)
    return out
