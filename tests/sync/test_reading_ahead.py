"""Reading ahead in worker processes: the same import, report and failures as reading here."""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from benchmarks.parse import document
from sqlalchemy import Engine, text

from followup.store import create_store_engine, importer
from followup.sync import importing, reading
from followup.sync.importing import ImportFailed, ImportReport, import_files
from tests.conftest import GH_PAGES, MakeDbUrl

FIXTURES = Path(__file__).resolve().parent.parent / "postmortem" / "fixtures"


@pytest.fixture
def readings(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record each import's reading (and what it might read ahead), to tell if workers did."""
    made: list[Any] = []

    class Recorded(reading.Reading):
        def __init__(self, jobs: Any, ahead: Any) -> None:
            super().__init__(jobs, ahead)
            self.ahead = list(ahead)
            made.append(self)

    monkeypatch.setattr(importing, "Reading", Recorded)
    return made


@pytest.fixture
def ahead(monkeypatch: pytest.MonkeyPatch) -> Callable[[bool], None]:
    """Return a switch: workers read ahead (even in a test run with threads) or never."""

    def switch(on: bool) -> None:
        monkeypatch.setattr(reading, "workers", lambda: 2 if on else 0)
        # Small groups and a short window, so a few dozen files go through all of it:
        # several tasks in flight, the window refilled, read-ahead dropped.
        monkeypatch.setattr(reading, "PARALLEL_FROM", 4)
        monkeypatch.setattr(reading, "GROUP", 3)
        monkeypatch.setattr(reading, "WINDOW", 2)
        monkeypatch.setattr(importing, "BATCH", 7)

    return switch


@pytest.fixture
def stores(make_db_url: MakeDbUrl) -> Iterator[Callable[[], Engine]]:
    """Return a maker of fresh, migrated stores on the test's backend."""
    made: list[Engine] = []

    def make() -> Engine:
        made.append(create_store_engine(make_db_url()))
        return made[-1]

    yield make
    for engine in made:
        engine.dispose()


def documents(folder: Path) -> list[Path]:
    """Write the reader's fixtures (post-mortems of every shape, and some it refuses)."""
    folder.mkdir(exist_ok=True)
    paths = []
    for n, source in enumerate([GH_PAGES, *sorted(FIXTURES.glob("*.md"))]):
        path = folder / f"2026-01-{n % 28 + 1:02d}-{source.stem}.md"
        shutil.copyfile(source, path)
        paths.append(path)
    # Two the reader refuses unless forced: a note, and a post-mortem with broken front matter.
    refused = {"2026-02-11-groceries.md": "# Groceries\n\n- Milk\n- Bread\n"}
    refused["2026-02-12-broken.md"] = "---\ntitle: [unclosed\n---\n# Outage\n\n## Action items\n"
    for n, (name, body) in zip((9, 30), refused.items(), strict=True):
        (folder / name).write_text(body, encoding="utf-8")
        paths.insert(n, folder / name)
    return paths


def dump(engine: Engine) -> list[list[tuple[Any, ...]]]:
    """Return what the store holds of the imported documents, but for times and row ids."""
    queries = [
        "SELECT slug, path, title, incident_date, status, repo, source, content_hash, file_hash"
        " FROM postmortem ORDER BY slug",
        "SELECT p.slug, i.* FROM action_item i JOIN postmortem p ON p.id = i.postmortem_id"
        " ORDER BY p.slug, i.position, i.fingerprint",
        "SELECT i.fingerprint, e.* FROM event e JOIN action_item i ON i.id = e.item_id"
        " ORDER BY i.fingerprint, e.id",
    ]
    tables = []
    with engine.connect() as conn:
        for query in queries:
            result = conn.execute(text(query))
            keep = [
                n
                for n, key in enumerate(result.keys())
                if not key.endswith("_at") and key not in {"id", "postmortem_id", "item_id", "at"}
            ]
            tables.append([tuple(row[n] for n in keep) for row in result])
    return tables


def outcome(report: ImportReport) -> tuple[Any, ...]:
    """Return everything a report says, in its order."""
    return (report.results, report.skipped, report.without_repo)


def import_twice(engine: Engine, folder: Path) -> tuple[Any, ...]:
    """Import the documents, change some, add one, and import them all again."""
    paths = documents(folder)
    first = import_files(engine, paths, skip_invalid=True, default_repo="octo/site")
    # Changed in place, another default repo for one, a new one, one gone unreadable.
    for path in paths[1::5]:
        path.write_text(path.read_text(encoding="utf-8") + "\n- [ ] One more. Owner: @kim\n")
    paths[10].write_text(paths[10].read_text(encoding="utf-8").replace("@", "@x-"))
    paths[20].write_bytes(b"\xff\xfe# not UTF-8")
    extra = folder / "2026-02-01-extra.md"
    shutil.copyfile(GH_PAGES, extra)
    second = import_files(engine, [*paths, extra], skip_invalid=True, default_repo="octo/site")
    return outcome(first), outcome(second)


def test_reading_ahead_imports_exactly_what_reading_here_does(
    stores: Callable[[], Engine],
    tmp_path: Path,
    ahead: Callable[[bool], None],
    readings: list[Any],
) -> None:
    ahead(False)
    here = stores()
    expected = import_twice(here, tmp_path / "docs")
    assert not any(r.parallel for r in readings)
    shutil.rmtree(tmp_path / "docs")

    ahead(True)
    forked = stores()
    got = import_twice(forked, tmp_path / "docs")

    assert [r.parallel for r in readings[2:]] == [True, True]
    assert got == expected
    assert dump(forked) == dump(here)
    # Not every file changed: the second import read only some, and stored the rest as is.
    assert any(r.unchanged for r in got[1][0]) and not all(r.unchanged for r in got[1][0])
    assert got[1][1], "the unreadable file is reported"


def test_unreadable_files_are_reported_alike_and_nothing_is_written(
    stores: Callable[[], Engine], tmp_path: Path, ahead: Callable[[bool], None]
) -> None:
    paths = documents(tmp_path / "docs")
    (tmp_path / "docs" / "2026-03-01-binary.md").write_bytes(b"\xff\xfe# UTF-16")
    paths.insert(5, tmp_path / "docs" / "2026-03-01-binary.md")
    paths.insert(17, tmp_path / "docs" / "missing.md")
    failures = []
    for on in (False, True):
        ahead(on)
        engine = stores()
        with pytest.raises(ImportFailed) as failed:
            import_files(engine, paths)
        failures.append((str(failed.value), failed.value.problems))
        assert dump(engine) == [[], [], []]

    assert failures[1] == failures[0]
    problems = failures[0][1]
    bad = ("binary", "groceries", "missing", "broken")
    assert [p.path for p in problems] == [str(p) for p in paths if p.stem.endswith(bad)]
    assert [bool(p.refused) for p in problems] == [False, True, False, True]


def test_an_interrupted_import_writes_nothing_and_leaves_no_worker(
    engine: Engine,
    tmp_path: Path,
    ahead: Callable[[bool], None],
    readings: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ahead(True)
    stored = importer.import_all
    batches = []

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        batches.append(1)
        if len(batches) == 2:
            raise KeyboardInterrupt  # Ctrl-C while the workers read the batches after
        return stored(*args, **kwargs)

    monkeypatch.setattr(importing, "import_all", interrupted)

    with pytest.raises(KeyboardInterrupt):
        import_files(engine, documents(tmp_path / "docs"), skip_invalid=True)

    assert [r.parallel for r in readings] == [True]
    assert multiprocessing.active_children() == []
    assert dump(engine) == [[], [], []]


def test_a_small_import_reads_in_this_process(
    engine: Engine, tmp_path: Path, readings: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "workers", lambda: 2)
    paths = documents(tmp_path / "docs")[: reading.PARALLEL_FROM - 1]

    import_files(engine, paths, skip_invalid=True)

    assert [r.parallel for r in readings] == [False]


def test_files_the_store_has_unchanged_are_not_read_ahead(
    engine: Engine,
    tmp_path: Path,
    ahead: Callable[[bool], None],
    readings: list[Any],
) -> None:
    paths = documents(tmp_path / "docs")
    paths[7].write_bytes(b"\xff\xfe# UTF-16")
    ahead(True)
    import_files(engine, paths, skip_invalid=True)
    paths[2].write_text(paths[2].read_text(encoding="utf-8") + "\n- [ ] More. Owner: @kim\n")

    again = import_files(engine, paths, skip_invalid=True)

    # Read again: the changed file, and those the store holds nothing of (it refused them).
    unread = {p.path for p in again.skipped}
    assert str(paths[7]) in unread
    assert [paths[i] for i in readings[1].ahead] == [
        p for p in paths if p == paths[2] or str(p) in unread
    ]
    assert readings[0].ahead == list(range(len(paths)))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork on Linux only")
def test_no_workers_while_other_threads_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    assert reading.workers() == 2
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert reading.workers() == 0
    finally:
        release.set()
        other.join()
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert reading.workers() == 0


def start_import(tmp_path: Path, db_url: str) -> tuple[subprocess.Popen[str], list[str]]:
    """Start `followup import` of 300 documents; return it once its workers are reading."""
    folder = tmp_path / "docs"
    folder.mkdir()
    rng = random.Random(5)
    for n in range(300):  # enough to be still reading when the signal comes
        (folder / f"2025-incident-{n:04d}.md").write_text(document(n, rng), encoding="utf-8")
    command = [sys.executable, "-m", "followup", "--db", db_url, "import", "-R", "octo/site"]
    run = subprocess.Popen(
        [*command, *map(str, sorted(folder.glob("*.md")))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a process group of its own, as a terminal gives a command
        env={**os.environ, "HOME": str(tmp_path), "COLUMNS": "200"},
    )
    children = Path(f"/proc/{run.pid}/task/{run.pid}/children")
    deadline = time.monotonic() + 60
    while run.poll() is None and not children.read_text().split():
        assert time.monotonic() < deadline, "no worker started"
        time.sleep(0.005)
    assert run.poll() is None, "the import ended before its workers were seen"
    return run, children.read_text().split()


def running(pids: list[str]) -> list[str]:
    """Return those of these processes still running (not exited, nor waiting to be reaped)."""
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


PROC = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds workers in /proc")


@pytest.mark.slow
@PROC
def test_ctrl_c_stops_the_import_in_one_line_and_its_workers_with_it(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    run, workers = start_import(tmp_path, db_url)

    os.killpg(run.pid, signal.SIGINT)  # Ctrl-C reaches the whole group, workers too
    out, err = run.communicate(timeout=60)

    assert workers, "workers were reading"
    assert (run.returncode, out, err) == (130, "", "error: interrupted\n")
    assert running(workers) == []
    assert dump(engine) == [[], [], []]


@pytest.mark.slow
@PROC
def test_workers_leave_when_the_import_is_killed_outright(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    run, workers = start_import(tmp_path, db_url)

    run.kill()  # SIGKILL to the parent alone: it cannot stop its workers
    run.wait(timeout=60)

    deadline = time.monotonic() + 30
    while running(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = running(workers)
    for pid in left:  # not to leave them behind when this fails
        os.kill(int(pid), signal.SIGKILL)
    run.communicate(timeout=60)
    assert workers, "workers were reading"
    assert left == []
    assert dump(engine) == [[], [], []]
