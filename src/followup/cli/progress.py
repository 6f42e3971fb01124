"""The progress bar long commands draw on stderr, with notes printed above it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from followup.sync.progress import Level

NOTE_STYLE: dict[str, str] = {"info": "cyan", "warning": "yellow", "error": "red"}
AFTER_ITEM = "stopping after the current item (Ctrl-C again to stop at once)"
AT_SAFE_POINT = "stopping at the next safe point (Ctrl-C again to stop at once)"

NoteSink = Callable[[Level, str], None]


class BarProgress:
    """A sync.progress.Progress drawn as a bar on stderr; it vanishes when the work ends.

    show_notes=False drops the notes the work sends (for commands whose report says the
    same afterwards); on_note receives every note either way (the JSON report keeps them).
    """

    def __init__(
        self,
        console: Console,
        *,
        stopping: str = AFTER_ITEM,
        show_notes: bool = True,
        on_note: NoteSink | None = None,
    ) -> None:
        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None
        self._stop = threading.Event()
        self._told = False
        self._stopping = stopping
        self._show_notes = show_notes
        self._on_note = on_note

    def __enter__(self) -> BarProgress:
        self._bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bar.stop()

    def start(self, total: int, description: str) -> None:
        """Show a bar for a phase of total steps."""
        if self._task is None:
            self._task = self._bar.add_task(description, total=total)
        else:
            self._bar.reset(self._task, total=total, description=description)

    def advance(self, label: str = "") -> None:
        """Move the bar one step."""
        if self._task is not None:
            self._bar.update(self._task, advance=1)

    def note(self, level: Level, message: str) -> None:
        """Print a note above the bar (unless notes are hidden) and pass it on."""
        if self._on_note is not None:
            self._on_note(level, message)
        if self._show_notes:
            self._print(level, message)

    def _print(self, level: Level, message: str) -> None:
        prefix = "" if level == "info" else f"{level}: "
        self._bar.console.print(
            Text.assemble((prefix, NOTE_STYLE.get(level, "")), message),
            highlight=False,
            soft_wrap=True,
        )

    def request_cancel(self) -> None:
        """Ask the work to stop at its next safe point."""
        self._stop.set()

    @property
    def cancel_requested(self) -> bool:
        """Tell whether a stop was asked for."""
        return self._stop.is_set()

    def cancelled(self) -> bool:
        """Tell the work whether to stop; says once that it is stopping."""
        if self._stop.is_set() and not self._told:
            self._told = True
            self._print("warning", self._stopping)
        return self._stop.is_set()
