"""Measure followup on a team's store: 100,000 items in 10,000 post-mortems, 200 repositories.

    python benchmarks/scale.py [--backend sqlite|postgresql] [--url URL]
                               [--items 100000] [--postmortems 10000] [--repos 200]

The store is generated with bulk inserts (a few seconds, not an import): each post-mortem
has its Markdown text (about 4 KB, so a query that loaded it per item would show), ten
items, nine of them linked to an issue of one of the repositories (the `followup` label),
and a history. A local server answers like GitHub for those issues (benchmarks/sync_cost.py).
PostgreSQL is a throwaway server (tests/pgcluster.py: initdb and pg_ctl, run as the
`postgres` user when root) unless --url names a database to fill.

Each figure is taken in a fresh process (after one untimed run, which leaves the modules'
bytecode as an installed package has it) and printed against its target:

- `followup list` (plain lines: its output is not a terminal) and `followup list --format
  json`: < 1 s and < 200 MB (peak RSS of the whole process, interpreter start included);
  the command's own time is shown too; `followup list` at a terminal (its tables, on a
  pseudo-terminal of 160 x 50) the same, written straight to it (--no-pager), unless
  skipped (--skip terminal);
- `followup list` at that terminal through its pager (cli/pager.py), the pager being a
  shell that notes the time (and followup's CPU time) once it has read the first screen
  (50 lines), then reads the rest as fast as it can: the time to the first screen and to
  the end, each < 1 s (the median of five runs, and the best);
- `followup show ID`: < 0.3 s;

  (the store is opened once first, untimed: that works out the policy's deadlines, after
  which `list` and `show` read it directly, store/direct.py);
- the TUI: first table < 1 s, a search keystroke < 50 ms (benchmarks/tui.py's probes);
- `sync` when nothing changed, every repository polled: <= 200 requests, 0 points;
- reading a 2 MB post-mortem of one million lines: peak memory a small multiple of its size.

Times are wall-clock and the machine may be shared: the CPU time of each process is shown
next to it, which other work on the machine does not inflate.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
import random
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402
from sqlmodel import col  # noqa: E402

from benchmarks import parse, sync_cost  # noqa: E402
from benchmarks.backends import store_url  # noqa: E402
from followup.github.client import ClientOptions, GitHub  # noqa: E402
from followup.store import create_store_engine  # noqa: E402
from followup.store.models import (  # noqa: E402
    EventRow,
    IssueRow,
    ItemRow,
    PostMortemRow,
)
from followup.sync.polling import sync_all  # noqa: E402

TODAY = date(2026, 6, 1)
OWNERS = ("dana", "lee", "sam", "kim", "ola", "raj", "mei", "tom", "ana", "bo")
# The words of benchmarks/parse.py's documents; the first 32, which the generated store
# has always used, keep its contents (and so its figures) as they were.
WORDS = parse.WORDS[:32]
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
BATCH = 5_000
# The pseudo-terminal's size.
COLUMNS, ROWS = 160, 50


# -- the store ---------------------------------------------------------------------------


@dataclass
class Built:
    """What the benchmark needs to know about the generated store."""

    url: str
    items: int
    postmortems: int
    first_title: str
    some_item: str
    source_mb: float


def _words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def _source(rng: random.Random, title: str, items: Sequence[str], day: date) -> str:
    """Return a post-mortem's Markdown, about 4 KB."""
    summary = "\n".join(_words(rng, 10, 16).capitalize() + "." for _ in range(12))
    timeline = "\n".join(
        f"| {9 + h}:{m:02d} | {_words(rng, 5, 9)} |" for h in range(3) for m in (0, 20, 40)
    )
    actions = "\n".join(f"- [ ] {t} Owner: @{rng.choice(OWNERS)}" for t in items)
    return (
        f"---\ntitle: {title}\ndate: {day.isoformat()}\nstatus: final\n---\n\n# {title}\n\n"
        f"## Summary\n\n{summary}\n\n## Timeline\n\n| Time | Event |\n| --- | --- |\n"
        f"{timeline}\n\n## Lessons learned\n\n{_words(rng, 60, 90)}.\n\n"
        f"## Action items\n\n{actions}\n"
    )


def build_store(
    url: str, fake: sync_cost.FakeGitHub, *, items: int, postmortems: int, repos: int
) -> Built:
    """Fill an empty store with bulk inserts; put the linked issues on the fake server."""
    rng = random.Random(12)
    engine = create_store_engine(url)
    now = datetime.now(UTC).replace(microsecond=0)
    per = max(1, items // postmortems)
    taken: set[str] = set()
    numbers: dict[str, int] = {}
    source_bytes = 0
    first_title = ""
    some_item = ""
    pm_rows: list[dict[str, Any]] = []
    plans: list[tuple[int, list[dict[str, Any]]]] = []
    # Post-mortems first (their ids are needed), in batches.
    for p in range(postmortems):
        day = date(2016, 1, 1) + timedelta(days=p * 3650 // postmortems)
        title = f"Incident {p}: {_words(rng, 3, 6)}"
        titles = [f"Action {p}-{i}: {_words(rng, 4, 9)}." for i in range(per)]
        source = _source(rng, title, titles, day)
        source_bytes += len(source)
        pm_rows.append(
            {
                "id": p + 1,
                "slug": f"{day.isoformat()}-incident-{p:05d}",
                "path": f"/srv/postmortems/{day.year}/{p:05d}.md",
                "title": title,
                "incident_date": day,
                "status": "final",
                "repo": f"bench-org/service-{p % repos:03d}",
                "source": source,
                "content_hash": f"{rng.getrandbits(256):064x}",
                "imported_at": now,
                "updated_at": now,
            }
        )
        plans.append((p, [{"title": t} for t in titles]))
    with engine.begin() as conn:
        for start in range(0, len(pm_rows), BATCH):
            conn.execute(insert(PostMortemRow), pm_rows[start : start + BATCH])
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT setval('postmortem_id_seq', :n)"), {"n": len(pm_rows)})
    newest = max(pm_rows, key=lambda r: (r["incident_date"], r["slug"]))
    del pm_rows

    item_rows: list[dict[str, Any]] = []
    issue_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []

    def flush() -> None:
        with engine.begin() as conn:
            if issue_rows:
                conn.execute(insert(IssueRow), issue_rows)
            conn.execute(insert(ItemRow), item_rows)
            conn.execute(insert(EventRow), event_rows)
        item_rows.clear()
        issue_rows.clear()
        event_rows.clear()

    issue_id = 0
    for p, entries in plans:
        repo = f"bench-org/service-{p % repos:03d}"
        for i, entry in enumerate(entries):
            item_id = _new_id(rng, taken)
            owner = rng.choice(OWNERS)
            linked = i != 0  # nine in ten are filed
            status = "open"
            row_issue: int | None = None
            if linked:
                number = numbers[repo] = numbers.get(repo, 0) + 1
                created = now - timedelta(days=rng.randint(1, 3000), seconds=number)
                closed = rng.random() < 0.3
                issue = sync_cost.FakeIssue(
                    repo=repo,
                    repo_id=p % repos + 1,
                    number=number,
                    title=entry["title"],
                    state="closed" if closed else "open",
                    state_reason="completed" if closed else None,
                    assignees=[owner],
                    created_at=created,
                    updated_at=created,
                    closed_at=created if closed else None,
                )
                fake.add(issue)
                issue_id += 1
                row_issue = issue_id
                issue_rows.append({"id": issue_id, **sync_cost.issue_row(fake, issue, now)})
                status = "done" if closed else "filed"
            item_rows.append(
                {
                    "id": item_id,
                    "postmortem_id": p + 1,
                    "position": i,
                    "title": entry["title"],
                    "text": f"- [ ] {entry['title']} Owner: @{owner}",
                    "fingerprint": entry["title"].lower(),
                    "line": 40 + i,
                    "owner": owner,
                    "due": TODAY + timedelta(days=rng.randint(-200, 200)),
                    "due_text": None,
                    "priority": f"P{rng.randint(0, 3)}",
                    "type": rng.choice(("prevent", "mitigate", "detect")),
                    "kind": "issue",
                    "section": "Action items",
                    "parent": None,
                    "repo": repo,
                    "doc_done": False,
                    "status": status,
                    "status_reason": None,
                    "references": [],
                    "protection": None,
                    "protection_applied": None,
                    "overrides": {},
                    "issue_id": row_issue,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
            event_rows.append(
                {
                    "item_id": item_id,
                    "at": now,
                    "field": "status",
                    "old": None,
                    "new": "open",
                    "source": "document",
                    "detail": None,
                }
            )
            if linked:
                event_rows.append(
                    {
                        "item_id": item_id,
                        "at": now,
                        "field": "link",
                        "old": None,
                        "new": f"{repo}#{numbers[repo]}",
                        "source": "followup",
                        "detail": {"how": "created"},
                    }
                )
            if p == postmortems - 1 and i == per // 2:
                some_item = item_id
        if len(item_rows) >= BATCH:
            flush()
    if item_rows:
        flush()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT setval('github_issue_id_seq', :n)"), {"n": issue_id})
        conn.execute(text("ANALYZE"))
        first = conn.execute(
            select(col(ItemRow.title))
            .where(col(ItemRow.postmortem_id) == newest["id"])
            .order_by(col(ItemRow.position))
            .limit(1)
        ).scalar_one()
        first_title = str(first)
    engine.dispose()
    return Built(url, len(taken), postmortems, first_title, some_item, source_bytes / 1e6)


def _new_id(rng: random.Random, taken: set[str]) -> str:
    while True:
        candidate = "".join(rng.choice(ALPHABET) for _ in range(7))
        if candidate not in taken:
            taken.add(candidate)
            return candidate


# -- measuring ---------------------------------------------------------------------------


@dataclass
class Figure:
    """One measured figure and its target."""

    name: str
    value: float
    unit: str
    target: float
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.value <= self.target


def run_process(
    args: Sequence[str], env: dict[str, str], *, terminal: bool = False
) -> tuple[float, float, str]:
    """Run a process (its output to a terminal, or dropped); return wall, CPU and stderr."""
    _, wall, cpu, stderr = _run_process(args, env, terminal=terminal)
    return wall, cpu, stderr


def _run_process(
    args: Sequence[str], env: dict[str, str], *, terminal: bool = False
) -> tuple[float, float, float, str]:
    """Run a process as run_process does; return also when it started (time.time())."""
    started = time.time()
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        if terminal:
            proc, reader = _on_terminal(args, env, err)
            _, status, usage = os.wait4(proc.pid, 0)
            reader.join()
        else:
            proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, env=env)
            _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {stderr.strip()[-500:]}")
    return started, wall, usage.ru_utime + usage.ru_stime, stderr


def _on_terminal(
    args: Sequence[str], env: dict[str, str], err: Any
) -> tuple[subprocess.Popen[bytes], threading.Thread]:
    """Start a process on a pseudo-terminal (stdin, stdout); a thread reads and drops it."""
    main, side = pty.openpty()
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    proc = subprocess.Popen(args, stdin=side, stdout=side, stderr=err, env=env)
    os.close(side)

    def drain() -> None:
        with contextlib.suppress(OSError):  # EIO once the process has gone
            while os.read(main, 1 << 16):
                pass
        os.close(main)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    return proc, reader


# Runs one command, then reports the command's own time and the process's peak memory
# (VmHWM: ru_maxrss would include the parent this process was forked from).
_IN_PROCESS = """
import json, sys, time
start = time.perf_counter()
from followup.cli import cli
cli.main(sys.argv[1:], prog_name="followup", standalone_mode=False)
from benchmarks.tui import peak_rss_mb
print(json.dumps({"command_s": time.perf_counter() - start, "peak_mb": peak_rss_mb()}),
      file=sys.stderr)
"""


def measure_command(
    name: str,
    args: Sequence[str],
    env: dict[str, str],
    target_s: float,
    target_mb: float | None,
    *,
    terminal: bool = False,
) -> list[Figure]:
    """Time a followup command three times, each in a fresh process; keep the median."""
    walls: list[float] = []
    cpus: list[float] = []
    rss: list[float] = []
    own: list[float] = []
    # Once untimed: the modules this command imports are compiled to bytecode then, as an
    # installed package's are (see main: PYTHONPYCACHEPREFIX).
    run_process([sys.executable, "-c", _IN_PROCESS, *args], env, terminal=terminal)
    for _ in range(3):
        command = [sys.executable, "-c", _IN_PROCESS, *args]
        wall, cpu, stderr = run_process(command, env, terminal=terminal)
        figures = json.loads(stderr.strip().splitlines()[-1])
        walls.append(wall)
        cpus.append(cpu)
        rss.append(figures["peak_mb"])
        own.append(figures["command_s"])
    detail = (
        f"process CPU {statistics.median(cpus):.2f} s; after the interpreter started "
        f"{statistics.median(own):.2f} s"
    )
    found = [Figure(f"{name}: time", statistics.median(walls), "s", target_s, detail)]
    if target_mb is not None:
        found.append(Figure(f"{name}: peak memory", max(rss), "MB", target_mb, "peak RSS"))
    return found


# A pager that notes the time (as time.time() gives it) and followup's CPU time so far
# (its parent's, in clock ticks) once it has read the first screen, then reads the rest:
# what reaches the terminal first is what less would show.
_FIRST_SCREEN_PAGER = (
    'sh -c "head -n {rows} > /dev/null; date +%s.%N > {stamp}; '
    "cut -d' ' -f14,15 /proc/$PPID/stat >> {stamp}; exec cat > /dev/null\""
)
PAGED_RUNS = 5


def measure_paged(args: Sequence[str], env: dict[str, str], folder: Path) -> list[Figure]:
    """Time `list` through a pager at a terminal: to its first screen, and to the end."""
    stamp = folder / "first-screen"
    paged = {**env, "FOLLOWUP_PAGER": _FIRST_SCREEN_PAGER.format(rows=ROWS, stamp=stamp)}
    tick = os.sysconf("SC_CLK_TCK")
    firsts: list[float] = []
    first_cpus: list[float] = []
    walls: list[float] = []
    cpus: list[float] = []
    command = [sys.executable, "-c", _IN_PROCESS, *args]
    run_process(command, paged, terminal=True)  # once untimed, as measure_command
    for _ in range(PAGED_RUNS):
        stamp.unlink(missing_ok=True)
        started, wall, cpu, _ = _run_process(command, paged, terminal=True)
        at, ticks = stamp.read_text().splitlines()
        firsts.append(float(at) - started)
        first_cpus.append(sum(map(int, ticks.split())) / tick)
        walls.append(wall)
        cpus.append(cpu)
    return [
        Figure(
            f"list at a terminal, paged: first screen ({ROWS} lines)",
            statistics.median(firsts),
            "s",
            1.0,
            f"best {min(firsts):.2f} s; followup's CPU by then "
            f"{statistics.median(first_cpus):.2f} s (best {min(first_cpus):.2f} s)",
        ),
        Figure(
            "list at a terminal, paged: all of it read",
            statistics.median(walls),
            "s",
            1.0,
            f"best {min(walls):.2f} s; process CPU {statistics.median(cpus):.2f} s "
            f"(best {min(cpus):.2f} s)",
        ),
    ]


def measure_tui(url: str, marker: str, env: dict[str, str], home: str) -> list[Figure]:
    """Run benchmarks/tui.py's probes on this store."""
    from benchmarks import tui

    launches = []
    for _ in range(3):
        launches.append(tui.measure_launch(url, marker, home))
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "tui.py"), "--in-process", url],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    f = json.loads(done.stdout.strip().splitlines()[-1])
    return [
        Figure(
            "TUI: first table (process start to first rows)",
            statistics.median(launches),
            "s",
            1.0,
            f"in-process make_app to first row {f['first_row_s'] * 1000:.0f} ms; "
            f"all {f['items']:,} loaded after {f['all_loaded_s']:.1f} s",
        ),
        Figure(
            "TUI: search keystroke (filter + full render)",
            f["keystroke_median_ms"],
            "ms",
            50.0,
            f"worst {f['keystroke_max_ms']:.0f} ms; filter {f['filter_median_ms']:.1f} ms, "
            f"render {f['render_median_ms']:.1f} ms",
        ),
        Figure("TUI: peak memory", f["peak_rss_mb"], "MB", 200.0, "peak RSS, all items loaded"),
    ]


def measure_sync(url: str, fake: sync_cost.FakeGitHub, repos: int) -> list[Figure]:
    """Sync once to settle, then measure a sync where nothing changed."""
    with sync_cost.serve(fake, 3600) as base:
        options = ClientOptions(base_url=base, write_interval=0, max_retries=0, timeout=60)
        engine = create_store_engine(url)

        def factory() -> GitHub:
            return GitHub("bench-token", options)

        started = time.perf_counter()
        first = sync_all(engine, factory, concurrency=8)
        settle = time.perf_counter() - started
        before = fake.counts()
        cpu0 = time.process_time()
        started = time.perf_counter()
        report = sync_all(engine, factory, concurrency=8)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu0
        after = fake.counts()
        engine.dispose()
    requests, points, not_modified = (a - b for a, b in zip(after, before, strict=True))
    polled = len(report.repos)
    detail = (
        f"{polled} repositories polled, {not_modified} answered 304, {wall:.1f} s "
        f"(CPU {cpu:.1f} s); the first sync took {settle:.0f} s, {len(first.changes)} changes"
    )
    return [
        Figure(f"sync, nothing changed, {repos} repos: requests", requests, "", 200, detail),
        Figure("sync, nothing changed: rate-limit points", points, "", 0),
    ]


_READ_DOCUMENT = """
import sys, time
from pathlib import Path
from benchmarks.tui import peak_rss_mb
from followup import postmortem
before = peak_rss_mb()
start = time.perf_counter()
postmortem.read(Path(sys.argv[1]))
print(f"{peak_rss_mb() - before} {time.perf_counter() - start}", file=sys.stderr)
"""


def measure_document(folder: Path, env: dict[str, str]) -> list[Figure]:
    """Read a 2 MB file of one million lines; return how much the process grew."""
    path = folder / "million-lines.md"
    lines = ["# Incident", "", "## Action items", "", "- Fix it. Owner: @dana", ""]
    lines += ["x"] * (1_000_000 - len(lines))
    path.write_text("\n".join(lines), encoding="utf-8")
    size_mb = path.stat().st_size / 1e6
    _, _, stderr = run_process([sys.executable, "-c", _READ_DOCUMENT, str(path)], env)
    grown, seconds = (float(x) for x in stderr.strip().splitlines()[-1].split())
    return [
        Figure(
            f"reading a {size_mb:.1f} MB document of 1,000,000 lines: memory",
            grown,
            "MB",
            100.0,
            f"{grown / size_mb:.0f}x its size; {seconds:.1f} s",
        )
    ]


# -- the backends ------------------------------------------------------------------------


def print_figures(figures: Sequence[Figure]) -> None:
    """Print each figure against its target."""
    width = max(len(f.name) for f in figures)
    for f in figures:
        mark = "ok  " if f.ok else "MISS"
        value = f"{f.value:,.2f}" if f.unit in ("s",) else f"{f.value:,.0f}"
        target = f"{f.target:g}"
        print(f"{mark} {f.name:<{width}}  {value:>8} {f.unit:<2} (target <= {target} {f.unit})")
        if f.detail:
            print(f"     {'':<{width}}  {f.detail}")


def main(argv: list[str] | None = None) -> int:
    """Build the store, take every figure, print them against their targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", help="an empty PostgreSQL database to use (default: a throwaway)")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--postmortems", type=int, default=10_000)
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument(
        "--skip", nargs="*", default=(), choices=("tui", "sync", "document", "terminal")
    )
    args = parser.parse_args(argv)

    with (
        tempfile.TemporaryDirectory() as tmp,
        store_url(args.backend, args.url, Path(tmp), "scale") as url,
    ):
        fake = sync_cost.FakeGitHub(0.0)
        started = time.perf_counter()
        built = build_store(
            url, fake, items=args.items, postmortems=args.postmortems, repos=args.repos
        )
        print(
            f"{args.backend}: {built.items:,} items in {built.postmortems:,} post-mortems "
            f"({built.source_mb:.0f} MB of Markdown), issues in {args.repos} repositories, "
            f"built in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        env = {
            **os.environ,
            "HOME": tmp,
            "XDG_CONFIG_HOME": tmp,
            "XDG_DATA_HOME": tmp,
            "COLUMNS": str(COLUMNS),
            "TERM": "xterm-256color",
            # Never the user's own pager (measure_paged names its own).
            "FOLLOWUP_PAGER": "cat",
            "FOLLOWUP_SYNC_INTERVAL": "0",
            "PYTHONPATH": str(ROOT),
        }
        for var in ("GH_TOKEN", "GITHUB_TOKEN", "FOLLOWUP_DATABASE_URL"):
            env.pop(var, None)
        # An installed package runs from bytecode compiled at install time; a checkout run
        # with PYTHONDONTWRITEBYTECODE would compile its sources in every process (some
        # 50 ms a command). The bytecode goes to the temporary folder, not the checkout.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        figures: list[Figure] = []
        db = ["--db", url]
        # The bulk inserts leave the policy's deadlines to work out, which the first
        # command does (and writes); a team's store has long had that done.
        run_process([sys.executable, "-m", "followup", *db, "list", "--format", "json"], env)
        figures += measure_command("list", [*db, "list"], env, 1.0, 200.0)
        figures += measure_command(
            "list --format json", [*db, "list", "--format", "json"], env, 1.0, 200.0
        )
        figures += measure_command("show", [*db, "show", built.some_item], env, 0.3, None)
        if "terminal" not in args.skip:
            # At a terminal `list` lays out tables (cli/listing.write_table), not lines.
            figures += measure_command(
                "list at a terminal, --no-pager",
                [*db, "list", "--no-pager"],
                env,
                1.0,
                200.0,
                terminal=True,
            )
            figures += measure_paged([*db, "list"], env, Path(tmp))
        if "tui" not in args.skip:
            figures += measure_tui(url, built.first_title[:30], env, tmp)
        if "sync" not in args.skip:
            figures += measure_sync(url, fake, args.repos)
        if "document" not in args.skip:
            figures += measure_document(Path(tmp), env)
    print_figures(figures)
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
