"""Runs that race: a post-mortem, followup processes filing it at once, and the verdict.

Shared by tests/faults/test_concurrency.py and benchmarks/concurrency.py. The fake
GitHub runs in this process; each racer is a real `followup file` process (or, for the
TUI, its filing job called on a thread of this process) talking to it over 127.0.0.1
with its own token, so that the fake can tell the racers apart, hold them at a barrier
or kill one of them.

The promise judged: every item of the post-mortem has exactly one open issue carrying
its marker, and every store links the item to that issue.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlmodel import Session, col, select

from followup import postmortem
from followup.config import Settings
from followup.github.issue_mapping import parse_marker
from followup.postmortem.model import RefKind
from followup.store import create_store_engine
from followup.store.models import IssueRow, ItemRow
from followup.sync.importing import import_files
from followup.sync.progress import SilentProgress
from followup.tui import registry
from followup.tui.jobs import JobContext
from tests.fakegithub import Exchange, FakeGitHub, env

REPO = "octo-org/app"
SLUG = "2026-11-01-queue-outage"
OWNER = "lee"


def write_postmortem(folder: Path, items: int = 20) -> Path:
    """Write a post-mortem with `items` action items (each assigned to OWNER) into folder."""
    rows = "\n".join(
        f"| Add alert number {n} for the queue backlog | detect | @{OWNER} | P2 | 2027-01-31 |"
        for n in range(1, items + 1)
    )
    text = (
        f"---\ntitle: Queue outage\ndate: 2026-11-01\nstatus: final\nslug: {SLUG}\n---\n\n"
        "# Queue outage\n\n## Summary\n\nThe queue stopped for an hour.\n\n"
        "## Action Items\n\n| Action Item | Type | Owner | Priority | Due |\n"
        f"| --- | --- | --- | --- | --- |\n{rows}\n"
    )
    path = folder / f"{SLUG}.md"
    path.write_text(text, encoding="utf-8")
    return path


def arrange(fake: FakeGitHub) -> None:
    """Make OWNER assignable in the repository, as a member would be."""
    fake.assignable.add(OWNER)


def followup_command(db_url: str, *args: str) -> list[str]:
    """Return the command line of followup on the store at db_url."""
    return [sys.executable, "-m", "followup", "--db", db_url, *args]


def file_command(db_url: str, path: Path, *extra: str) -> list[str]:
    """Return the command line of `followup file` for the post-mortem, in JSON."""
    return followup_command(db_url, "file", str(path), "--repo", REPO, "--format", "json", *extra)


def start(
    fake: FakeGitHub, who: str, db_url: str, path: Path, *extra: str, write_interval: float = 0
) -> subprocess.Popen[str]:
    """Start `followup file` as client `who` of the fake (pacing its writes, if asked)."""
    return subprocess.Popen(
        file_command(db_url, path, *extra),
        env={**env(fake, who), "FOLLOWUP_WRITE_INTERVAL": str(write_interval)},
        cwd=path.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@dataclass
class Watched:
    """A followup process whose stderr is read as it comes, to see when it says `mark`."""

    proc: subprocess.Popen[str]
    mark: str
    lines: list[str] = field(default_factory=list)
    said: threading.Event = field(default_factory=threading.Event)
    _reader: threading.Thread | None = None

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)
            if self.mark in line:
                self.said.set()

    def until_said_or_ended(self, timeout: float = 60) -> None:
        """Wait until the process said its mark or ended, whichever comes first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None and not self.said.is_set():
            time.sleep(0.02)

    def finish(self, timeout: float = 120) -> tuple[str, str]:
        """Wait for the process to end; return its stdout and stderr."""
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()
        self.proc.wait(timeout=timeout)
        if self._reader is not None:
            self._reader.join(timeout)
        return out, "".join(self.lines)


def watch(command: list[str], environ: dict[str, str], cwd: Path, mark: str) -> Watched:
    """Start a followup process and read its stderr as it comes, for `mark`."""
    proc = subprocess.Popen(
        command, env=environ, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    watched = Watched(proc, mark)
    watched._reader = threading.Thread(target=watched._read, daemon=True)
    watched._reader.start()
    return watched


@dataclass
class Verdict:
    """What the racers left: per item, the issues created and left open, and each store's link."""

    created: dict[str, int] = field(default_factory=dict)  # item id -> issues carrying its marker
    open: dict[str, int] = field(default_factory=dict)  # item id -> open ones
    winners: dict[str, int] = field(default_factory=dict)  # item id -> its open issue's number
    links: list[dict[str, int | None]] = field(default_factory=list)  # per store: item -> number
    problems: list[str] = field(default_factory=list)

    @property
    def kept(self) -> bool:
        """Tell whether the promise held: one open issue per item, every store linked to it."""
        return not self.problems


def linked_numbers(db_url: str) -> dict[str, int | None]:
    """Return each issue item of a store with the number of the issue it is linked to."""
    engine = create_store_engine(db_url)
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(ItemRow, IssueRow).outerjoin(
                    IssueRow, col(ItemRow.issue_id) == col(IssueRow.id)
                )
            )
            return {
                item.id: (issue.number if issue is not None else None)
                for item, issue in rows
                if item.kind == "issue"
            }
    finally:
        engine.dispose()


def judge(fake: FakeGitHub, db_urls: Sequence[str], items: int) -> Verdict:
    """Judge what the racers left on the fake and in their stores."""
    verdict = Verdict()
    created: Counter[str] = Counter()
    opened: Counter[str] = Counter()
    for issue in fake.all_issues(REPO):
        marker = parse_marker(issue["body"])
        if marker is None or marker.item_id is None:
            continue
        created[marker.item_id] += 1
        if issue["state"] == "open":
            opened[marker.item_id] += 1
            verdict.winners[marker.item_id] = issue["number"]
    verdict.created, verdict.open = dict(created), dict(opened)
    if len(created) != items:
        verdict.problems.append(f"{len(created)} items have an issue, not {items}")
    for item_id, count in sorted(opened.items()):
        if count != 1:
            verdict.problems.append(f"item {item_id} has {count} open issues")
    for item_id in sorted(set(created) - set(opened)):
        verdict.problems.append(f"item {item_id} has no open issue")
    for db_url in db_urls:
        links = linked_numbers(db_url)
        verdict.links.append(links)
        for item_id, number in sorted(links.items()):
            if number != verdict.winners.get(item_id):
                verdict.problems.append(
                    f"{db_url}: item {item_id} is linked to {number}, "
                    f"not to its open issue {verdict.winners.get(item_id)}"
                )
    return verdict


# -- a trial --------------------------------------------------------------------------------

Mode = Literal["same", "two", "tui-same", "tui-two"]
MODES: tuple[Mode, ...] = ("same", "two", "tui-same", "tui-two")


@dataclass
class Kill:
    """Kill -9 racer A, `delay` after the fake carried out the `after`-th request (anyone's)."""

    after: int
    delay: float
    done: bool = False


@dataclass
class Trial:
    """One race: what each racer said, whether one was killed, and the verdict."""

    mode: Mode
    exits: list[int | None] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    killed: bool = False
    verdict: Verdict = field(default_factory=Verdict)

    @property
    def created(self) -> int:
        """Return how many issues the racers created in all."""
        return sum(self.verdict.created.values())

    @property
    def left_open(self) -> int:
        """Return how many issues are open at the end."""
        return sum(self.verdict.open.values())


def _killer(fake: FakeGitHub, kill: Kill, pid: Callable[[], int | None]) -> None:
    count = 0
    guard = threading.Lock()

    def watch(exchange: Exchange) -> None:
        nonlocal count
        with guard:
            count += 1
            if count != kill.after:
                return
        target = pid()

        def shoot() -> None:
            if target is not None:
                try:
                    os.kill(target, signal.SIGKILL)
                    kill.done = True
                except ProcessLookupError:
                    pass

        threading.Timer(kill.delay, shoot).start()

    fake.watch(watch)


def _tui_file(
    fake: FakeGitHub,
    db_url: str,
    path: Path,
    started: threading.Event,
    errors: list[BaseException],
    write_interval: float = 0,
) -> None:
    """File every item as the TUI's filing job does, once the CLI racer has started."""
    engine = create_store_engine(db_url)
    try:
        import_files(engine, [path], default_repo=REPO)
        started.wait(30)
        context = JobContext(
            engine,
            Settings(repo=REPO),
            lambda: fake.client("T", write_interval=write_interval),
            token_missing=lambda: None,
        )
        registry.FILE.work(context, None, SilentProgress())
    except BaseException as exc:  # reported by the trial, in its own thread
        errors.append(exc)
    finally:
        engine.dispose()


def race(
    fake: FakeGitHub,
    folder: Path,
    mode: Mode,
    items: int = 20,
    *,
    kill: Kill | None = None,
    timeout: float = 120,
    write_interval: float = 0,
) -> Trial:
    """Run two racers filing one post-mortem of `items` items, then judge (see module doc).

    A racer killed -9 is run once more, as a user or the next CI job would, before the
    verdict. write_interval > 0 makes the racers pace their writes, as followup does by
    default (and so look again before each create: sync/filing_look.py).
    """
    arrange(fake)
    path = write_postmortem(folder, items)
    first = f"sqlite:///{folder / 'a.db'}"
    second = first if mode in ("same", "tui-same") else f"sqlite:///{folder / 'b.db'}"
    trial = Trial(mode)
    processes: list[subprocess.Popen[str]] = []
    if kill is not None:
        _killer(fake, kill, lambda: processes[0].pid if processes else None)
    processes.append(start(fake, "A", first, path, write_interval=write_interval))
    errors: list[BaseException] = []
    if mode.startswith("tui"):
        # The CLI takes a second to start; the TUI's job starts when it first asks GitHub.
        started = threading.Event()
        fake.watch(lambda exchange: started.set() if exchange.who == "A" else None)
        thread = threading.Thread(
            target=_tui_file, args=(fake, second, path, started, errors, write_interval)
        )
        thread.start()
        thread.join(timeout)
    else:
        processes.append(start(fake, "B", second, path, write_interval=write_interval))
    for process in processes:
        _, err = process.communicate(timeout=timeout)
        trial.exits.append(process.returncode)
        trial.stderr.append(err)
    if errors:
        raise errors[0]
    trial.killed = trial.exits[0] == -signal.SIGKILL
    if trial.killed:
        again = start(fake, "A", first, path, write_interval=write_interval)
        _, err = again.communicate(timeout=timeout)
        trial.exits.append(again.returncode)
        trial.stderr.append(err)
    trial.verdict = judge(fake, sorted({first, second}), items)
    trial.verdict.problems += damaged(path, trial.verdict, items)
    return trial


def damaged(path: Path, verdict: Verdict, items: int) -> list[str]:
    """Return what is wrong with the post-mortem file: unreadable, items lost, wrong refs."""
    try:
        doc = postmortem.read(path, default_repo=REPO)
    except Exception as exc:  # any failure to read it back is damage
        return [f"{path.name} cannot be read: {exc}"]
    if len(doc.items) != items:
        return [f"{path.name} has {len(doc.items)} items, not {items}"]
    open_numbers = set(verdict.winners.values())
    problems = []
    for item in doc.items:
        for ref in item.references:
            if ref.kind in (RefKind.ISSUE, RefKind.NUMBER) and ref.number not in open_numbers:
                problems.append(f"{path.name}: {item.title!r} refers to #{ref.number}")
    return problems


def requests_of_a_run(items: int) -> int:
    """Return how many requests one run filing `items` items into an empty repository sends.

    The list, the labels, four labels created, the assignee, the creates and the list
    after them.
    """
    return items + 8


def random_kill(rng: random.Random, items: int) -> Kill:
    """Return a kill at a random moment of a run filing `items` items: after any of its
    requests, up to 50 ms later (so also while it writes the store or the file)."""
    return Kill(after=rng.randint(1, requests_of_a_run(items)), delay=rng.uniform(0, 0.05))


def once(fake: FakeGitHub, folder: Path, items: int, kill: Kill, timeout: float = 120) -> Trial:
    """File with --write-back, kill -9 the run at `kill`, run it again; judge store and file."""
    arrange(fake)
    path = write_postmortem(folder, items)
    db_url = f"sqlite:///{folder / 'a.db'}"
    trial = Trial("same")
    processes: list[subprocess.Popen[str]] = []
    _killer(fake, kill, lambda: processes[0].pid if processes else None)
    for _ in range(2):
        processes[:] = [start(fake, "A", db_url, path, "--write-back")]
        _, err = processes[0].communicate(timeout=timeout)
        trial.exits.append(processes[0].returncode)
        trial.stderr.append(err)
    trial.killed = trial.exits[0] == -signal.SIGKILL
    trial.verdict = judge(fake, [db_url], items)
    trial.verdict.problems += damaged(path, trial.verdict, items)
    return trial
