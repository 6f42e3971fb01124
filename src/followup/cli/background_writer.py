"""Write text to a stream from a thread of its own, while the next text is formed."""

from __future__ import annotations

import threading
from queue import Queue
from typing import IO


class BackgroundWriter:
    """Write text to a stream from a thread, so that the next text is formed meanwhile.

    A terminal reads what is written at its own pace: the writer waits for it (a
    quarter of a second for a list of 100,000 items) while the thread, waiting, lets
    the tables be formed. The stream is the thread's alone until the block ends.
    """

    def __init__(self, out: IO[str], depth: int = 4) -> None:
        self.out = out
        self.queue: Queue[str | None] = Queue(maxsize=depth)
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="followup-list-write", daemon=True)

    def __enter__(self) -> BackgroundWriter:
        self.thread.start()
        return self

    def write(self, text: str) -> None:
        """Queue text to write (raise what writing raised, if it failed)."""
        if self.failure is not None:
            raise self.failure
        self.queue.put(text)

    def _run(self) -> None:
        while (text := self.queue.get()) is not None:
            if self.failure is None:
                try:
                    self.out.write(text)
                except BaseException as exc:  # raised again in the writer's thread
                    self.failure = exc

    def __exit__(self, *exc: object) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.failure is not None and exc[0] is None:
            raise self.failure
