"""Say what a filing run did: per item, per tracking issue, and overall."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Outcome = Literal["created", "linked", "skipped", "failed"]
TrackingResult = Literal["created", "updated", "unchanged", "skipped", "failed"]


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """What filing did with one item: the issue's URL, or a one-line reason."""

    item_id: str
    title: str
    postmortem: str
    repo: str | None
    outcome: Outcome
    issue: str | None = None  # owner/name#12
    url: str | None = None
    reason: str | None = None
    warnings: tuple[str, ...] = ()
    raced: bool = False  # runs at once filed it twice; the duplicates were closed


@dataclass(frozen=True, slots=True)
class TrackingOutcome:
    """What filing did with a post-mortem's tracking issue."""

    postmortem: str
    outcome: TrackingResult
    issue: str | None = None
    url: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class FilingReport:
    """Everything a filing run did, item by item."""

    items: tuple[ItemOutcome, ...]
    tracking: tuple[TrackingOutcome, ...] = ()
    written_back: tuple[tuple[str, int], ...] = ()  # (path, references added)
    warnings: tuple[str, ...] = ()
    stopped: str | None = None  # why the run ended early (rate limit, bad token)
    cancelled: bool = False

    def count(self, outcome: Outcome) -> int:
        """Return how many items had an outcome."""
        return sum(1 for item in self.items if item.outcome == outcome)

    @property
    def failed(self) -> bool:
        """Tell whether something failed, so the exit code must say so."""
        return (
            self.stopped is not None
            or any(item.outcome == "failed" for item in self.items)
            or any(t.outcome == "failed" for t in self.tracking)
        )
