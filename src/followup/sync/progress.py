"""How long-running work reports progress: the CLI draws a bar, the TUI posts messages."""

from __future__ import annotations

from typing import Literal, Protocol

Level = Literal["info", "warning", "error"]


class Progress(Protocol):
    """What orchestration calls while it works; every method must be cheap and thread-safe."""

    def start(self, total: int, description: str) -> None:
        """Announce a phase of `total` steps."""

    def advance(self, label: str = "") -> None:
        """Mark one step done."""

    def note(self, level: Level, message: str) -> None:
        """Report a one-line message worth showing to the user."""

    def cancelled(self) -> bool:
        """Tell whether the user asked to stop; work stops at the next safe point."""


class SilentProgress:
    """A Progress that shows nothing and never cancels; notes are kept for inspection."""

    def __init__(self) -> None:
        self.notes: list[tuple[Level, str]] = []

    def start(self, total: int, description: str) -> None:
        """Ignore the phase."""

    def advance(self, label: str = "") -> None:
        """Ignore the step."""

    def note(self, level: Level, message: str) -> None:
        """Keep the note."""
        self.notes.append((level, message))

    def cancelled(self) -> bool:
        """Never cancel."""
        return False
