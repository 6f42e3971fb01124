"""How fast the TUI opens and filters a team's store, and how much memory it needs.

    python benchmarks/tui.py [--backend sqlite|postgresql] [--items 100000]
                             [--postmortems 10000] [--runs 3]
    python benchmarks/tui.py --store URL --marker TEXT   # a store built before

Builds a temporary store (by default 100,000 items in 10,000 post-mortems, on SQLite or
a throwaway PostgreSQL), or takes one given with --store and the start of the title of
its first row, then measures, each in a fresh process so one measurement's memory does
not leak into another's:

- launch: `followup tui` started in a pseudo-terminal, until the first rows of the table
  reach the terminal (interpreter start, imports, store, first page);
- in-process: make_app(), built as `followup tui` builds it (first rows read directly
  when the store allows, the engine opened afterwards), until the table's first rendered
  row, and until all items are loaded (the rest arrives in a background thread);
- keystroke: a user typing into the search box: a word from an item's title, deleted
  again, then another word, deleted too; each key's cost is the filtering it triggers
  (timed as it runs) plus a full-screen render, median and worst, in wall-clock and
  in CPU time (which other work on the machine does not inflate);
- memory: the peak resident size of the process running the TUI.

Targets: first table under 1 s, a keystroke under 50 ms, memory under 200 MB. The
machine may be shared: CPU times are shown beside wall-clock ones, and the best of the
launches is shown beside their median.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pty
import resource
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

TODAY = date(2024, 6, 1)
OWNERS = ("dana", "lee", "sam", "kim", "ola", "raj", "mei", "tom")


def build_store(url: str, items: int, postmortems: int) -> str:
    """Fill a store with items; return the title of the first row the table shows."""
    from followup.config import Settings
    from followup.postmortem.model import ActionItem, PostMortem, ProtectionSpec
    from followup.store import create_store_engine, session_scope
    from followup.store.importer import import_all
    from followup.sync.policy import refresh_deadlines

    engine = create_store_engine(url)
    docs = []
    count = max(1, postmortems)
    per = max(1, items // count)
    for p in range(count):
        entries = []
        for i in range(per):
            protection = (
                ProtectionSpec(branch=f"release-{i}", repo="octo-org/site", allow_deletions=False)
                if i % 10 == 0
                else None
            )
            entries.append(
                ActionItem(
                    title=f"Follow-up {p}-{i}: fix the failure mode {i} seen in service {p}",
                    line=10 + i,
                    text=f"- Follow-up {p}-{i}",
                    owner=OWNERS[(p + i) % len(OWNERS)],
                    due=date(2024, 1, 1) + timedelta(days=(p * 7 + i) % 400),
                    priority=f"P{i % 4}",
                    type="prevent",
                    done=i % 5 == 0,
                    protection=protection,
                )
            )
        docs.append(
            PostMortem(
                title=f"Incident {p}: service {p} degraded",
                slug=f"2024-incident-{p:03d}",
                source="# Incident\n",
                items=tuple(entries),
                path=f"/nonexistent/postmortems/{p:03d}.md",
                date=date(2023, 1, 1) + timedelta(days=p),
            )
        )
    with session_scope(engine) as session:
        import_all(session, docs, default_repo="octo-org/app")
    # As a store in use: its deadlines worked out (the first command would do it).
    refresh_deadlines(engine, Settings().policy)
    engine.dispose()
    return f"Follow-up {count - 1}-0:"


def process_cpu(pid: int) -> float:
    """Return the CPU seconds a running process has used (user and system)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:  # noqa: PTH123
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_launch(url: str, marker: str, home: str, cpu: list[float] | None = None) -> float:
    """Start `followup tui` in a pseudo-terminal; return seconds until the first rows show.

    With `cpu`, append the CPU seconds the process had used by then.
    """
    master, slave = pty.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLUMNS": "160",
        "LINES": "50",
        "HOME": home,
        "XDG_CONFIG_HOME": home,
        "FOLLOWUP_SYNC_INTERVAL": "0",
    }
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "followup", "--db", url, "tui"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    seen = b""
    elapsed = float("nan")
    deadline = start + 30
    try:
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                seen += chunk
                if marker.encode() in seen:
                    elapsed = time.perf_counter() - start
                    if cpu is not None:
                        cpu.append(process_cpu(proc.pid))
                    break
        os.write(master, b"\x11")  # ctrl+q
        end = time.perf_counter() + 5
        while proc.poll() is None and time.perf_counter() < end:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(master)
    return elapsed


def peak_rss_mb() -> float:
    """Return this process's peak resident memory since it started its program.

    ru_maxrss would not do: it keeps the size of the parent the process was forked from.
    """
    with open("/proc/self/status", encoding="ascii") as status:  # noqa: PTH123
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure_in_process(url: str) -> dict[str, Any]:
    """Time make_app to the first rendered row and to a full load, then typed keystrokes."""
    start = time.perf_counter()
    from followup.config import Settings
    from followup.tui.app import make_app
    from followup.tui.first_page import open_direct
    from followup.tui.screens.items import ItemsScreen
    from followup.tui.widgets.items_table import ItemsTable

    first_row: list[float] = []
    original = ItemsTable.render_line

    def spy(self: ItemsTable, y: int) -> Any:
        if not first_row and self.items and y == 1:
            first_row.append(time.perf_counter())
            first_row.append(time.process_time())
        return original(self, y)

    ItemsTable.render_line = spy  # type: ignore[method-assign]
    imported = time.perf_counter()
    settings = Settings(sync_interval=0)
    engines: list[Any] = []

    def open_engine() -> Any:
        from followup.store import create_store_engine

        engines.append(create_store_engine(url))
        return engines[-1]

    # As `followup tui` builds it: the first rows read directly when the store allows.
    first_page = open_direct(url, settings.policy.key)
    app = make_app(
        engine=open_engine if first_page is not None else open_engine(),
        settings=settings,
        github_factory=None,
        today=lambda: TODAY,
        first_page=first_page,
    )
    built, built_cpu = time.perf_counter(), time.process_time()
    result: dict[str, Any] = {}
    async with app.run_test(size=(160, 50)) as pilot:
        while not first_row:
            await asyncio.sleep(0.001)
        result["first_row_s"] = first_row[0] - built
        result["first_row_cpu_s"] = first_row[1] - built_cpu
        result["first_row_with_imports_s"] = first_row[0] - start
        while not app.complete:
            await asyncio.sleep(0.005)
        result["all_loaded_s"] = time.perf_counter() - built
        result["all_loaded_cpu_s"] = time.process_time() - built_cpu
        result["items"] = len(app.items)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ItemsScreen)
        # The filter as the keystroke runs it (the Input's Changed message), not again after.
        filtered: list[float] = []
        apply = ItemsScreen.apply_filters

        filtered_cpu: list[float] = []

        def timed(self: ItemsScreen) -> None:
            t0, c0 = time.perf_counter(), time.thread_time()
            apply(self)
            filtered.append(time.perf_counter() - t0)
            filtered_cpu.append(time.thread_time() - c0)

        ItemsScreen.apply_filters = timed  # type: ignore[method-assign]
        handler: list[float] = []
        render: list[float] = []
        press: list[float] = []
        await pilot.press("slash")
        first, second = typing_words(app.items)
        keys = [*first, *["backspace"] * len(first), *second, *["backspace"] * len(second)]
        result["typed"] = f"{first}, deleted, {second}, deleted"
        shown: list[int] = []
        cpu: list[float] = []
        for key in keys:
            filtered.clear()
            filtered_cpu.clear()
            t0 = time.perf_counter()
            await pilot.press(key)
            press.append(time.perf_counter() - t0)
            t2, c2 = time.perf_counter(), time.thread_time()
            screen._compositor.render_update(full=True)
            render.append(time.perf_counter() - t2)
            cpu.append(time.thread_time() - c2 + sum(filtered_cpu))
            handler.append(sum(filtered))
            shown.append(len(screen.query_one(ItemsTable).items))
        result["shown_after_word"] = shown[len(first) - 1]
        keystroke = [h + r for h, r in zip(handler, render, strict=True)]
        worst = max(range(len(keys)), key=keystroke.__getitem__)
        result["keystroke_median_ms"] = statistics.median(keystroke) * 1000
        result["keystroke_max_ms"] = keystroke[worst] * 1000
        result["keystroke_worst_key"] = f"{keys[worst]} (key {worst + 1} of {len(keys)})"
        result["keystroke_cpu_median_ms"] = statistics.median(cpu) * 1000
        result["keystroke_cpu_max_ms"] = max(cpu) * 1000
        result["filter_median_ms"] = statistics.median(handler) * 1000
        result["filter_max_ms"] = max(handler) * 1000
        result["render_median_ms"] = statistics.median(render) * 1000
        result["render_max_ms"] = max(render) * 1000
        result["pilot_press_median_ms"] = statistics.median(press) * 1000
    result["imports_s"] = imported - start
    result["first_page_direct"] = first_page is not None
    result["peak_rss_mb"] = peak_rss_mb()
    for engine in engines:
        engine.dispose()
    return result


def typing_words(items: Sequence[Any]) -> tuple[str, str]:
    """Return two words of item titles a user might search for, from different items."""

    def longest_word(title: str) -> str:
        words = ["".join(c for c in w if c.isalpha()) for w in title.lower().split()]
        return max(words, key=len)

    first = longest_word(items[len(items) // 3].title)
    for item in items[2 * len(items) // 3 :]:
        second = longest_word(item.title)
        if second != first and len(second) >= 4:
            return first, second
    return first, first[::-1]


async def pilot_baseline() -> float:
    """Return the test driver's own cost of one key press on an empty app."""
    from textual.app import App
    from textual.widgets import Input

    class Empty(App[None]):
        def compose(self) -> Any:
            yield Input()

    times = []
    async with Empty().run_test() as pilot:
        await pilot.pause()
        for _ in range(20):
            t0 = time.perf_counter()
            await pilot.press("a")
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    """Build the store, run each measurement in its own process, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--postmortems", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="launches to time")
    parser.add_argument("--store", metavar="URL", help="measure this store (built before)")
    parser.add_argument("--marker", help="with --store: the start of its first row's title")
    parser.add_argument("--in-process", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:
        figures = asyncio.run(measure_in_process(args.in_process))
        figures["pilot_baseline_ms"] = asyncio.run(pilot_baseline())
        print(json.dumps(figures))
        return
    if args.store and not args.marker:
        parser.error("--store needs --marker")
    root = Path(__file__).resolve().parent.parent
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        if args.store:
            url, marker = args.store, args.marker
        else:
            sys.path.insert(0, str(root))
            from benchmarks.backends import store_url

            url = stack.enter_context(store_url(args.backend, None, Path(tmp), "tui"))
            t0 = time.perf_counter()
            build = (
                "import benchmarks.tui as b; "
                f"print(b.build_store({url!r}, {args.items}, {args.postmortems}))"
            )
            marker = subprocess.run(
                [sys.executable, "-c", build],
                capture_output=True,
                text=True,
                check=True,
                cwd=root,
            ).stdout.strip()
            print(
                f"store ({args.backend}): {args.items:,} items in {args.postmortems:,} "
                f"post-mortems, built in {time.perf_counter() - t0:.1f} s"
            )
        cpu: list[float] = []
        launches = [measure_launch(url, marker, tmp, cpu) for _ in range(args.runs)]
        print(
            "launch (`followup tui` in a terminal, to the first rows): "
            + ", ".join(f"{s:.2f} s (CPU {c:.2f} s)" for s, c in zip(launches, cpu, strict=True))
            + f"\n            best {min(launches):.2f} s, "
            + f"median {statistics.median(launches):.2f} s; "
            + f"CPU best {min(cpu):.2f} s, median {statistics.median(cpu):.2f} s"
        )
        done = subprocess.run(
            [sys.executable, __file__, "--in-process", url],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "HOME": tmp, "XDG_CONFIG_HOME": tmp},
        )
        f = json.loads(done.stdout.strip().splitlines()[-1])
    how = "read directly" if f["first_page_direct"] else "read through the engine"
    print(
        f"in-process: make_app to first rendered row   {f['first_row_s'] * 1000:7.0f} ms "
        f"(CPU {f['first_row_cpu_s'] * 1000:.0f} ms; first rows {how})"
    )
    print(f"            imports before make_app           {f['imports_s'] * 1000:7.0f} ms")
    loaded = f"all {f['items']:,} items loaded"
    print(
        f"            {loaded:<34}{f['all_loaded_s'] * 1000:7.0f} ms "
        f"(CPU {f['all_loaded_cpu_s'] * 1000:.0f} ms)"
    )
    print(f"keystroke:  typing {f['typed']} ({f['shown_after_word']:,} items match the word)")
    print(
        f"            filter + full-screen render: median {f['keystroke_median_ms']:.1f} ms, "
        f"worst {f['keystroke_max_ms']:.1f} ms ({f['keystroke_worst_key']}); CPU median "
        f"{f['keystroke_cpu_median_ms']:.1f} ms, worst {f['keystroke_cpu_max_ms']:.1f} ms"
    )
    print(
        f"            filter median {f['filter_median_ms']:.1f} ms, worst {f['filter_max_ms']:.1f} "
        f"ms; render median {f['render_median_ms']:.1f} ms, worst {f['render_max_ms']:.1f} ms"
    )
    print(
        f"            through the test driver: median {f['pilot_press_median_ms']:.0f} ms "
        f"(its own cost on an empty app: {f['pilot_baseline_ms']:.0f} ms)"
    )
    print(f"memory:     peak RSS of the TUI process        {f['peak_rss_mb']:7.0f} MB")


if __name__ == "__main__":
    main()
