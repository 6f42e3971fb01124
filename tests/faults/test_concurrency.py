"""Issue 9 §1: concurrent runs file each item once, whatever the interleaving.

Real `followup file` processes race against tests/fakegithub (see racing.py): on one
store, on two stores, and the TUI's filing job (called on a thread) against a CLI run;
the fake holds requests at a barrier to force the worst interleavings, and kills one
racer with SIGKILL at random points. The promise checked each time: every item has
exactly one open issue, every store links the item to it, and the post-mortem file is
whole. benchmarks/concurrency.py runs many more trials and prints the figures.
"""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest

from followup.store import create_store_engine
from followup.store.locks import StoreLock
from tests.fakegithub import LOOPBACK, FakeGitHub, env
from tests.faults import racing

pytestmark = LOOPBACK
ITEMS = 8


def _assert_kept(trial: racing.Trial) -> None:
    assert trial.verdict.kept, (trial.verdict.problems, trial.stderr)
    assert trial.left_open == ITEMS
    for said in trial.stderr:
        assert "unexpected" not in said and "Error" not in said, said


def test_two_runs_on_one_store_take_turns(tmp_path: Path) -> None:
    with FakeGitHub() as fake:
        racing.arrange(fake)
        path = racing.write_postmortem(tmp_path, ITEMS)
        db_url = f"sqlite:///{tmp_path / 'a.db'}"
        # The first run's first create waits until the second run, started then, says
        # that it waits for the repository's lock (or ends without waiting: the bug).
        second: list[racing.Watched] = []

        def start_second(_fake: object) -> None:
            # Text output this time: it shows the note of the wait.
            text = racing.file_command(db_url, path)[:-2]
            second.append(racing.watch(text, env(fake, "B"), tmp_path, "waiting for it"))
            second[0].until_said_or_ended()

        fake.when("POST issues", start_second)
        first = racing.start(fake, "A", db_url, path)
        out_a, err_a = first.communicate(timeout=120)
        assert second, "the first run created nothing"
        out_b, err_b = second[0].finish()

        assert (first.returncode, second[0].proc.returncode) == (0, 0), (err_a, err_b)
        assert "another followup run is working on octo-org/app in this store; waiting" in err_b
        assert json.loads(out_a)["summary"]["created"] == ITEMS
        # The second run found every item filed: linked, or skipped as already filed.
        assert "0 created" in out_b and "0 failed." in out_b
        assert fake.requests("POST issues", who="B") == []
        verdict = racing.judge(fake, [db_url], ITEMS)
        assert verdict.kept, verdict.problems
        assert sum(verdict.created.values()) == ITEMS


def test_two_runs_on_one_new_store_import_it_once(tmp_path: Path) -> None:
    # Both start on a store that does not exist yet: schema, import, filing all race.
    with FakeGitHub() as fake:
        trial = racing.race(fake, tmp_path, "same", ITEMS)
    assert trial.exits == [0, 0], trial.stderr
    _assert_kept(trial)
    assert trial.created == ITEMS  # one store: the lock lets no item be created twice


def test_runs_on_two_stores_converge_on_the_lowest_issue(tmp_path: Path) -> None:
    with FakeGitHub() as fake:
        # Both creates of the first item land before either run hears back: a true race.
        fake.barrier("POST issues", parties=2)
        trial = racing.race(fake, tmp_path, "two", ITEMS)
        closed = [i for i in fake.all_issues(racing.REPO) if i["state_reason"] == "duplicate"]
    assert trial.exits == [0, 0], trial.stderr
    _assert_kept(trial)
    assert trial.created > ITEMS  # the race happened...
    assert len(closed) == trial.created - ITEMS  # ...and every extra issue was closed
    assert trial.verdict.links[0] == trial.verdict.links[1]


@pytest.mark.parametrize("mode", ["two", "tui-two"])
def test_runs_on_two_stores_that_pace_their_writes_file_each_item_about_once(
    tmp_path: Path, mode: racing.Mode
) -> None:
    # Two CI jobs (or the TUI and a CI job), each with a store of its own, file one
    # post-mortem into one repository at the same moment, pacing their writes as followup
    # does by default. Their first creates land together (a true race); from then on each
    # looks again right before each create, and the one that lost the first item files
    # the rest in reverse order (sync/filing_look.py). Before, every item was filed twice.
    with FakeGitHub() as fake:
        fake.barrier("POST issues", parties=2)
        trial = racing.race(fake, tmp_path, mode, ITEMS, write_interval=0.2)
        creates = fake.requests("POST issues")
    assert all(code == 0 for code in trial.exits), trial.stderr
    _assert_kept(trial)
    # The first item twice (the barrier), usually one more where the two meet; a busy
    # machine stretches the look-and-create round trip, and with it the odds of another.
    # Without the look, each run files all ITEMS.
    assert ITEMS + 1 <= trial.created <= ITEMS + ITEMS // 2, (trial.created, trial.stderr)
    assert len(creates) == trial.created
    assert trial.verdict.links[0] == trial.verdict.links[1]


@pytest.mark.parametrize("mode", ["tui-same", "tui-two"])
def test_the_tui_filing_job_racing_a_cli_run(tmp_path: Path, mode: racing.Mode) -> None:
    with FakeGitHub() as fake:
        if mode == "tui-two":
            fake.barrier("POST issues", parties=2)
        trial = racing.race(fake, tmp_path, mode, ITEMS)
    assert trial.exits == [0], trial.stderr
    _assert_kept(trial)
    if mode == "tui-same":
        assert trial.created == ITEMS


@pytest.mark.parametrize(("mode", "seed"), [("two", 1), ("two", 2), ("same", 3), ("tui-two", 4)])
def test_kill_9_of_one_racer_at_a_random_point(
    tmp_path: Path, mode: racing.Mode, seed: int
) -> None:
    kill = racing.random_kill(random.Random(seed), ITEMS)
    with FakeGitHub() as fake:
        trial = racing.race(fake, tmp_path, mode, ITEMS, kill=kill)
    assert trial.killed, (kill, trial.exits)
    assert trial.exits[1:] == [0] * (len(trial.exits) - 1), trial.stderr
    assert trial.verdict.kept, (kill, trial.verdict.problems, trial.stderr)
    assert trial.left_open == ITEMS


@pytest.mark.parametrize("seed", range(6))
def test_kill_9_at_a_random_moment_of_one_run(tmp_path: Path, seed: int) -> None:
    """No duplicate, no unlinked item, no damaged file (benchmarks/concurrency.py: 48 moments)."""
    kill = racing.random_kill(random.Random(100 + seed), ITEMS)
    with FakeGitHub() as fake:
        trial = racing.once(fake, tmp_path, ITEMS, kill)
    assert trial.killed and trial.exits[1] == 0, (kill, trial.stderr)
    assert trial.verdict.kept, (kill, trial.verdict.problems)
    assert trial.created == ITEMS  # one run at a time: never a duplicate, not even closed


def test_a_run_that_cannot_get_the_lock_fails_its_items_and_says_why(tmp_path: Path) -> None:
    with FakeGitHub() as fake:
        racing.arrange(fake)
        path = racing.write_postmortem(tmp_path, 3)
        db_url = f"sqlite:///{tmp_path / 'a.db'}"
        engine = create_store_engine(db_url)
        command = racing.file_command(db_url, path)
        variables = {**env(fake, "A"), "FOLLOWUP_LOCK_TIMEOUT": "0.5"}
        with StoreLock(engine).locked(racing.REPO):  # another run, busy filing
            done = subprocess.run(
                command, env=variables, capture_output=True, text=True, timeout=120, check=False
            )
        engine.dispose()
        report = json.loads(done.stdout)

        assert done.returncode == 1, done.stderr
        assert report["summary"]["failed"] == 3
        said = report["items"][0]["error"]
        assert said == (
            "another followup run has been working on octo-org/app in this store for more than "
            "0.5 s; run again once it has finished (or raise lock_timeout)"
        )
        assert fake.requests("POST issues") == []
