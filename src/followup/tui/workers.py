"""Progress from worker threads: messages to the UI, and the user's cancel back to the work."""

from __future__ import annotations

from textual.message_pump import MessagePump
from textual.worker import Worker

from followup.sync.progress import Level
from followup.tui.messages import JobNote, JobPhase, JobStep, Severity

_SEVERITY: dict[Level, Severity] = {
    "info": "information",
    "warning": "warning",
    "error": "error",
}


class TuiProgress:
    """A Progress that posts messages (thread-safe) and reports the worker's cancellation."""

    def __init__(self, target: MessagePump, job: str, worker: Worker[object]) -> None:
        self._target = target
        self._job = job
        self._worker = worker
        self.notes: list[tuple[Level, str]] = []

    def start(self, total: int, description: str) -> None:
        """Announce a phase."""
        self._target.post_message(JobPhase(self._job, total, description))

    def advance(self, label: str = "") -> None:
        """Mark a step done."""
        self._target.post_message(JobStep(self._job, label))

    def note(self, level: Level, message: str) -> None:
        """Show a one-line message as a notification."""
        self.notes.append((level, message))
        self._target.post_message(JobNote(self._job, _SEVERITY[level], message))

    def cancelled(self) -> bool:
        """Tell whether the user cancelled the work."""
        return self._worker.is_cancelled
