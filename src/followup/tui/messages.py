"""Messages worker threads send to the UI; each carries plain data, never ORM rows."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual.message import Message

from followup.store.views import ItemView, PostMortemView
from followup.tui.filtering import SearchIndex
from followup.tui.jobs import Outcome

if TYPE_CHECKING:
    from followup.sync.polling import SyncRunView

Severity = Literal["information", "warning", "error"]


@dataclass
class ItemsLoaded(Message):
    """Items and post-mortems read from the store; complete is False for a first page."""

    items: list[ItemView]
    postmortems: list[PostMortemView]
    last_sync: SyncRunView | None
    complete: bool
    generation: int
    # Built in the worker: lowering 100,000 titles would hold up the UI.
    index: SearchIndex | None = None
    # Set once the items are on screen: the worker waits for it to read the rest.
    painted: threading.Event | None = None


@dataclass
class LoadFailed(Message):
    """The store could not be read."""

    error: str


@dataclass
class JobPhase(Message):
    """Long work announced a phase of `total` steps."""

    job: str
    total: int
    description: str


@dataclass
class JobStep(Message):
    """Long work finished one step."""

    job: str
    label: str


@dataclass
class JobNote(Message):
    """Long work reported something worth a notification."""

    job: str
    severity: Severity
    message: str


@dataclass
class JobFinished(Message):
    """Long work ended: its outcome, or the one-line reason it failed."""

    job: str
    outcome: Outcome | None = None
    error: str | None = None
    cancelled: bool = False


@dataclass
class LoginFound(Message):
    """The authenticated GitHub login for the 'mine' filter; None when it cannot be found."""

    login: str | None


@dataclass
class TokenMissing(Message):
    """No token was found: GitHub actions cannot run in this session."""


@dataclass
class TokenFound(Message):
    """A token was found; sync_due says the last sync is older than the interval."""

    sync_due: bool


@dataclass
class ItemsRefreshed(Message):
    """A few items read again after an edit, with the post-mortems' new counts."""

    items: list[ItemView]
    postmortems: list[PostMortemView]
    generation: int
