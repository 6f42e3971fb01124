"""The run control every long run shares, and the client pool its worker threads use."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from followup.github import ClientOptions, GitHub
from followup.github.errors import AuthError, NotFound, RateLimited, TransientError
from followup.sync.client_pool import ClientPool
from followup.sync.progress import SilentProgress
from followup.sync.run_control import RunControl

RESET = datetime(2027, 1, 1, tzinfo=UTC)


class Cancellable(SilentProgress):
    def __init__(self) -> None:
        super().__init__()
        self.cancel = False

    def cancelled(self) -> bool:
        return self.cancel


def limited() -> RateLimited:
    return RateLimited("rate limit used up", reset_at=RESET, status=403)


def test_a_refused_token_or_a_used_up_rate_limit_ends_the_run() -> None:
    control = RunControl()
    assert not control.stops_run(NotFound("missing", status=404))
    assert not control.stops_run(TransientError("502", status=502))
    assert not control.halted()
    assert control.reason is None
    stopped = control.stops_run(AuthError("bad token", status=401), "the token was refused")
    assert stopped and control.halted()
    assert str(control.reason) == "the token was refused"
    assert control.rate_limited is None and not control.cancelled


def test_the_first_reason_to_stop_is_the_one_kept() -> None:
    control = RunControl()
    first = limited()
    assert control.stops_run(first)
    assert control.stops_run(AuthError("bad token", status=401))
    assert control.reason == "rate limit used up"
    assert control.rate_limited is first


def test_a_cancel_halts_the_run_and_is_not_a_reason() -> None:
    progress = Cancellable()
    control = RunControl(progress)
    assert not control.halted()
    progress.cancel = True
    assert control.halted() and control.cancelled
    # A rate limit seen after the cancel does not rewrite why the run ended.
    control.stops_run(limited())
    assert control.reason is None and control.cancelled


def test_a_cancel_after_a_stop_is_not_counted() -> None:
    progress = Cancellable()
    control = RunControl(progress)
    control.stops_run(limited())
    progress.cancel = True
    assert control.halted() and not control.cancelled


def test_the_lock_is_a_no_op_unless_one_is_given() -> None:
    with RunControl().locked("octo-org/docs"):
        pass
    held: list[str] = []

    class Recorder:
        @contextmanager
        def locked(self, key: str) -> Iterator[None]:
            held.append(key)
            yield
            held.append(f"released {key}")

    with RunControl(lock=Recorder()).locked("octo-org/docs:main"):
        assert held == ["octo-org/docs:main"]
    assert held == ["octo-org/docs:main", "released octo-org/docs:main"]


def make_client() -> GitHub:
    return GitHub("test-token-not-real", ClientOptions(write_interval=0))


def test_one_worker_runs_the_jobs_inline_on_the_client() -> None:
    client = make_client()
    seen: list[GitHub] = []

    def job(c: GitHub) -> str:
        seen.append(c)
        return threading.current_thread().name

    with ClientPool(client, 1) as pool:
        results = list(pool.run([job, job]))
    assert [index for index, _ in results] == [0, 1]
    assert all(name == threading.current_thread().name for _, name in results)
    assert seen == [client, client]


def test_worker_threads_each_get_a_clone_whose_counts_come_back() -> None:
    client = make_client()
    client.stats.requests = 1
    barrier = threading.Barrier(2)
    seen: list[GitHub] = []
    guard = threading.Lock()

    def job(c: GitHub) -> int:
        barrier.wait(timeout=5)  # both workers busy at once: two threads, two clones
        c.stats.requests += 3
        with guard:
            seen.append(c)
        return 1

    pool = ClientPool(client, 2)
    results = list(pool.run([job, job]))
    assert sorted(index for index, _ in results) == [0, 1]
    assert client not in seen and len({id(c) for c in seen}) == 2
    assert client.stats.requests == 1
    pool.close()
    assert client.stats.requests == 7


def test_a_failing_job_is_yielded_not_raised() -> None:
    def boom(c: GitHub) -> int:
        raise NotFound("gone", status=404)

    def fine(c: GitHub) -> int:
        return 2

    for workers in (1, 2):
        with ClientPool(make_client(), workers) as pool:
            results = dict(pool.run([boom, fine]))
        assert isinstance(results[0], NotFound)
        assert results[1] == 2
