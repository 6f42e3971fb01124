"""Ctrl-C for long runs: the first press asks for a stop at a safe point, a second stops at once."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Protocol


class Stoppable(Protocol):
    """Work that can be asked to stop at its next safe point."""

    @property
    def cancel_requested(self) -> bool:
        """Tell whether a stop was asked for."""
        ...

    def request_cancel(self) -> None:
        """Ask the work to stop at its next safe point."""


@contextmanager
def _second_press_raises(asked: Callable[[], bool], ask: Callable[[], None]) -> Iterator[None]:
    # Signal handlers can only be set from the main thread; elsewhere Ctrl-C keeps its default.
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if asked():
            raise KeyboardInterrupt
        ask()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def stop_on_interrupt(work: Stoppable) -> Iterator[None]:
    """Turn a first Ctrl-C into a stop between items; a second one stops at once."""
    with _second_press_raises(lambda: work.cancel_requested, work.request_cancel):
        yield


@contextmanager
def stop_after_round(stop: threading.Event, say: Callable[[str], None]) -> Iterator[None]:
    """Turn a first Ctrl-C into 'stop after this round'; a second one stops at once."""

    def ask() -> None:
        stop.set()
        say("stopping after this round (Ctrl-C again to stop at once)")

    with _second_press_raises(stop.is_set, ask):
        yield
