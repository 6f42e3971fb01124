"""Read post-mortem files ahead in worker processes, when there are enough to pay for them.

An import asks for each document it needs, in file order, with `Reading.take`. Files the
import said it would likely need (`ahead`) are parsed in a pool of forked processes, a
bounded number ahead of the one taken, while the importer stores the ones before: the
store and the reader use both cores. A file taken that was not read ahead, and every
file of a small import, is read in this process, by the same function. Either way a file
comes back as its document (with its diagnosis, postmortem/diagnosis.py) or as why it
could not be read, exactly as reading it here would give them.

Workers are forked, so they start in milliseconds with the reader already loaded. A
process running other threads (the TUI's workers) is never forked: a lock another thread
holds would stay locked in the child. It reads in-process, as does a machine with one core
or one where a pool cannot start, and a system other than Linux.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType

from followup import postmortem
from followup.errors import InputError, RefusedFile
from followup.postmortem import diagnosis
from followup.postmortem.diagnosis import Diagnosis
from followup.postmortem.model import PostMortem

# Documents to read ahead before a pool pays: below this, forking (about 10 ms) and sending
# each document back (about 0.4 ms of CPU) cost more than a second core saves.
PARALLEL_FROM = 64
# Documents per task: larger tasks mean fewer messages; smaller ones a shorter wait at the
# start and at Ctrl-C, which lets the running tasks finish.
GROUP = 8
# Tasks read ahead of the one taken, at most: bounds the documents held at once. Two
# batches' worth, so the workers keep reading while this process stores one.
WINDOW = 64


@dataclass(frozen=True, slots=True)
class Job:
    """A file to read and how."""

    path: Path
    default_repo: str | None
    force: bool


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Why a file could not be read: its one-line message, and the refusal forcing skips."""

    message: str
    refused: str | None = None


@dataclass(frozen=True, slots=True)
class Read:
    """A document read, its diagnosis's warning first among its own, and the diagnosis."""

    doc: PostMortem
    diagnosis: Diagnosis


Outcome = Read | Unreadable


def read_one(job: Job) -> Outcome:
    """Return the file's document and its diagnosis, or why it could not be read."""
    try:
        doc = postmortem.read(job.path, default_repo=job.default_repo, force=job.force)
    except RefusedFile as exc:
        return Unreadable(str(exc), exc.reason)
    except InputError as exc:
        return Unreadable(str(exc))
    # Diagnosed where it was read: in a worker, that is one more cost off the storing process.
    found = diagnosis.diagnose(doc)
    warnings = diagnosis.warnings_with(doc, found)
    return Read(doc if warnings == doc.warnings else replace(doc, warnings=warnings), found)


def _read_group(jobs: Sequence[Job]) -> list[Outcome]:
    return [read_one(job) for job in jobs]


def _start_worker() -> None:
    # Ctrl-C reaches the whole process group: the parent stops the import, and its
    # workers finish their task and leave quietly instead of each printing a traceback.
    # They were forked with it blocked (see Reading._start), so none came in between.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    # A parent killed outright (SIGKILL, out of memory) cannot stop its workers: each
    # leaves when it sees the parent gone rather than wait for tasks forever.
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def workers() -> int:
    """Return how many worker processes reading ahead may use here; 0 to read in-process."""
    if not sys.platform.startswith("linux"):
        return 0  # macOS offers fork too, but its system libraries are not safe across it
    if threading.active_count() > 1:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return cores if cores and cores > 1 else 0


class Reading:
    """Hand out documents in file order, reading the likely ones ahead in worker processes.

    Use it as a context manager: leaving it, even by Ctrl-C or an error, cancels what is
    still queued and waits for the workers' running tasks, so none outlives the import.
    """

    def __init__(self, jobs: Sequence[Job], ahead: Sequence[int]) -> None:
        """Prepare to read `jobs`; the indexes in `ahead` (increasing) may be read ahead."""
        self._jobs = jobs
        self._groups = [ahead[i : i + GROUP] for i in range(0, len(ahead), GROUP)]
        self._next_group = 0
        self._running: deque[tuple[Sequence[int], Future[list[Outcome]]]] = deque()
        self._ready: dict[int, Outcome] = {}
        self._pool: ProcessPoolExecutor | None = None
        count = workers()
        if len(ahead) >= PARALLEL_FROM and count:
            self._start(count)
        # Whether worker processes read ahead.
        self.parallel = self._pool is not None

    def _start(self, count: int) -> None:
        # The first tasks fork the workers: a Ctrl-C meanwhile waits until they are ready to
        # ignore it, then stops this process as it would have.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self._pool = ProcessPoolExecutor(
                count,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
            )
            self._fill()
        except OSError:
            # No pool here (no /dev/shm, no processes left): read in-process instead.
            self._stop()
            self._groups = []
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def _fill(self) -> None:
        assert self._pool is not None
        while len(self._running) < WINDOW and self._next_group < len(self._groups):
            group = self._groups[self._next_group]
            self._next_group += 1
            jobs = [self._jobs[i] for i in group]
            self._running.append((group, self._pool.submit(_read_group, jobs)))

    def take(self, index: int) -> Outcome:
        """Return the document (or the failure) of jobs[index]; take them in increasing order."""
        if index in self._ready:
            return self._ready.pop(index)
        while self._running and self._running[0][0][0] <= index:
            group, future = self._running.popleft()
            # What was read ahead and skipped since (unchanged after all) is dropped.
            self._ready = dict(zip(group, future.result(), strict=True))
            self._fill()
            if index in self._ready:
                return self._ready.pop(index)
        return read_one(self._jobs[index])

    def _stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._running.clear()
        self._ready.clear()

    def __enter__(self) -> Reading:
        """Return the reading itself."""
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the workers, cancelling what is queued."""
        self._stop()
