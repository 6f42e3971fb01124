"""What every long run against GitHub shares: when to stop, why, and the run lock.

Filing, syncing, protecting and verifying all follow one rule: a refused token or a
used-up rate limit ends the run (every later request would fail the same way), the
user's cancel ends it at the next safe point, and the first reason to stop is the one
reported. RunControl keeps that rule in one place, and is safe to share with worker
threads.

It also carries the run lock: `with control.locked(key):` around work that two runs
must not do at once (filing one item, writing one branch's protection). The default
lock does nothing; a real one (on the store, or on GitHub) is passed in by the caller.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from followup.github.errors import AuthError, GitHubError, RateLimited
from followup.sync.progress import Progress, SilentProgress

CANCELLED = "cancelled"


class RunLock(Protocol):
    """Mutual exclusion between runs, per key (a repository, a branch, an item)."""

    def locked(self, key: str) -> AbstractContextManager[None]:
        """Hold the lock for key while the block runs."""


class NoLock:
    """A RunLock that excludes nothing: one run at a time is the caller's business."""

    @contextmanager
    def locked(self, key: str) -> Iterator[None]:
        """Run the block without locking."""
        yield


class Stopped(Exception):
    """Raised to unwind a run that must end; RunControl.reason says why."""


def ends_run(error: BaseException) -> bool:
    """Tell whether an error ends the whole run: a refused token or a used-up rate limit."""
    return isinstance(error, AuthError | RateLimited)


class RunControl:
    """Stop, cancel and the first reason to stop, for one run and its worker threads."""

    def __init__(self, progress: Progress | None = None, *, lock: RunLock | None = None) -> None:
        self.progress: Progress = progress or SilentProgress()
        self._lock: RunLock = lock or NoLock()
        self._stop = threading.Event()
        self._guard = threading.Lock()
        self._reason: str | None = None
        self._error: GitHubError | None = None
        self._cancelled = False

    def halted(self) -> bool:
        """Tell whether work must stop now: a reason to stop, or the user's cancel."""
        if self._stop.is_set():
            return True
        if self.progress.cancelled():
            with self._guard:
                if self._reason is None:
                    self._cancelled = True
            self._stop.set()
            return True
        return False

    def stop(self, reason: str, error: GitHubError | None = None) -> None:
        """End the run; only the first reason is kept."""
        with self._guard:
            if self._reason is None and not self._cancelled:
                self._reason = reason
                self._error = error
        self._stop.set()

    def stops_run(self, error: BaseException, reason: str | None = None) -> bool:
        """Stop the run if error ends it (see ends_run); tell whether it did.

        reason replaces the error's own message, e.g. with advice for the user.
        """
        if not ends_run(error):
            return False
        assert isinstance(error, GitHubError)
        self.stop(reason or str(error), error)
        return True

    @property
    def reason(self) -> str | None:
        """Return why the run stopped early (not set for a cancel)."""
        return self._reason

    @property
    def cancelled(self) -> bool:
        """Tell whether the run stopped because the user asked it to."""
        return self._cancelled

    @property
    def rate_limited(self) -> RateLimited | None:
        """Return the rate limit that stopped the run, if one did."""
        return self._error if isinstance(self._error, RateLimited) else None

    def locked(self, key: str) -> AbstractContextManager[None]:
        """Hold the run lock for key (a no-op unless the caller passed a lock)."""
        return self._lock.locked(key)


__all__ = ["CANCELLED", "NoLock", "RunControl", "RunLock", "Stopped", "ends_run"]
