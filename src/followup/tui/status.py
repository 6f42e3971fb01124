"""What the status bar shows, as plain data the app hands to each screen's bar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from followup.sync.polling import SyncRunView


@dataclass(frozen=True, slots=True)
class RunningJob:
    """The job the status bar shows: what it does and how far it got."""

    description: str
    total: int | None
    done: int


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """The app's side of the status bar; the screen adds what it shows and selects."""

    total: int
    loading: bool
    job: RunningJob | None
    last_sync: SyncRunView | None
    syncing: bool
    github_note: str | None
    today: date
