"""Run GitHub jobs on worker threads, each thread with its own client.

A requests session is not safe to share between threads, so every worker thread gets
a clone of one client, made on first use and kept for the pool's life (its connection
too). When the pool closes, the clones' counts are added to the client they were cloned
from, so the caller sees what the whole run cost in one place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import fields
from types import TracebackType
from typing import TypeVar

from followup.github.client import GitHub

T = TypeVar("T")

Job = Callable[[GitHub], T]


def merge_stats(into: GitHub, clone: GitHub) -> None:
    """Count a clone's requests and moved repositories as the client's; keep the lowest limit."""
    into.moved.update(clone.moved)
    for f in fields(clone.stats):
        setattr(into.stats, f.name, getattr(into.stats, f.name) + getattr(clone.stats, f.name))
    remaining = clone.rate.remaining
    if remaining is not None and (into.rate.remaining is None or remaining < into.rate.remaining):
        into.rate = clone.rate


class ClientPool:
    """Worker threads with a client each; with one worker, jobs run inline on the client."""

    def __init__(self, client: GitHub, workers: int, *, name: str = "github") -> None:
        self.client = client
        self.workers = max(1, workers)
        self._local = threading.local()
        self._guard = threading.Lock()
        self._clones: list[GitHub] = []
        self._executor: ThreadPoolExecutor | None = None
        if self.workers > 1:
            self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=name)

    def here(self) -> GitHub:
        """Return the calling thread's client: a clone on a worker, the client inline."""
        if self._executor is None:
            return self.client
        clone: GitHub | None = getattr(self._local, "client", None)
        if clone is None:
            clone = self.client.clone()
            self._local.client = clone
            with self._guard:
                self._clones.append(clone)
        return clone

    @property
    def clients(self) -> list[GitHub]:
        """Return the client and every clone made so far."""
        with self._guard:
            return [self.client, *self._clones]

    def _call(self, job: Job[T]) -> T:
        return job(self.here())

    def run(self, jobs: Sequence[Job[T]]) -> Iterator[tuple[int, T | BaseException]]:
        """Run the jobs; yield (index, result or the exception it raised) as each ends."""
        if self._executor is None:
            for index, job in enumerate(jobs):
                try:
                    yield index, job(self.client)
                except Exception as exc:  # the caller decides what a failure means
                    yield index, exc
            return
        futures: dict[Future[T], int] = {
            self._executor.submit(self._call, job): index for index, job in enumerate(jobs)
        }
        for future in as_completed(futures):
            try:
                yield futures[future], future.result()
            except Exception as exc:  # the caller decides what a failure means
                yield futures[future], exc

    def close(self) -> None:
        """Wait for the workers, merge the clones' counts into the client, close the clones."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        with self._guard:
            clones, self._clones = self._clones, []
        for clone in clones:
            merge_stats(self.client, clone)
            clone.close()

    def __enter__(self) -> ClientPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


__all__ = ["ClientPool", "Job", "merge_stats"]
