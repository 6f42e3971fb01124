"""The narrow interface screens use to reach the app: its data, its jobs, going elsewhere.

Screens never import the app; they ask for `app_context(self)` and get this Protocol,
which the app satisfies (mypy checks that in app.py). Modal dialogs need none of it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar, cast

from textual.dom import DOMNode

from followup.config import Settings
from followup.store.views import ItemView, PostMortemView
from followup.tui.filtering import SearchIndex
from followup.tui.jobs import JobSpec
from followup.tui.sorting import Sort
from followup.tui.status import StatusInfo

if TYPE_CHECKING:
    from sqlalchemy import Engine

A = TypeVar("A")
# Whether 'mine' can filter: the login is known, being looked up, cannot be had, or unasked.
LoginState = Literal["known", "looking", "unavailable", "unknown"]


class AppContext(Protocol):
    """What a screen may ask of the app."""

    @property
    def engine(self) -> Engine:
        """Return the open store."""
        ...

    @property
    def settings(self) -> Settings:
        """Return the settings."""
        ...

    @property
    def items(self) -> list[ItemView]:
        """Return every loaded item, in document order."""
        ...

    @property
    def index(self) -> SearchIndex:
        """Return the loaded items, ready to filter."""
        ...

    @property
    def postmortems(self) -> list[PostMortemView]:
        """Return the post-mortems with their counts."""
        ...

    @property
    def loaded(self) -> bool:
        """Tell whether a first page of items has arrived."""
        ...

    @property
    def complete(self) -> bool:
        """Tell whether every item has arrived (not just a first page)."""
        ...

    @property
    def me(self) -> str | None:
        """Return the user's GitHub login, when known."""
        ...

    @property
    def login_state(self) -> LoginState:
        """Tell where the lookup of the user's login stands."""
        ...

    def today(self) -> date:
        """Return the day that decides what is overdue."""
        ...

    def want_mine(self) -> bool:
        """Tell whether 'mine' can filter now; otherwise look the login up, or say why not."""
        ...

    def status(self) -> StatusInfo:
        """Return the app's part of the status bar."""
        ...

    def start(self, spec: JobSpec[A, Any], args: A, *, quiet: bool = False) -> bool:
        """Run a job in a thread worker unless the same one is already running."""
        ...

    def open_item(self, item_id: str) -> None:
        """Show an item's detail."""
        ...

    def open_postmortem(self, slug: str, *, focus_item: str | None = None) -> None:
        """Show a post-mortem with its items marked."""
        ...

    def open_link(self, url: str | None, what: str) -> None:
        """Open a URL in the browser, or say there is none."""
        ...

    def copy_link(self, url: str | None, what: str) -> None:
        """Copy a URL to the clipboard, or say there is none."""
        ...

    def remember_sort(self, sort: Sort) -> None:
        """Keep the items' sort for the next run."""
        ...


def app_context(node: DOMNode) -> AppContext:
    """Return the app behind a screen or widget, as the interface screens may use."""
    return cast(AppContext, node.app)
