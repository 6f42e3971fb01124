"""Measure the reader's throughput and a whole import of 1,000 post-mortems into a fresh store.

    python benchmarks/parse.py [--documents 1000] [--seed 7] [--backend sqlite|postgresql]
    python benchmarks/parse.py --bulk 560000     # one big import: time and peak memory
    python benchmarks/parse.py --big             # reading single big documents: memory

Documents are generated: about 7 KB each, with the sections real post-mortems have
(timeline, lessons learned, an action-items table and a checklist with nested details),
so the reader does the work it does in practice. Prints documents/s, MB/s, the end-to-end
import time (files on disk -> parsed -> stored, one transaction) and the store's part of it
(the same documents, parsed already, stored into another empty store), a re-import where no
file changed, and peak memory, each against issue 12's target, on SQLite or PostgreSQL.
An import reads ahead in worker processes (sync/reading.py) where it can; --in-process
measures it without them. Its CPU time counts the workers' too.
--bulk imports that many items (56 per document) in a fresh process and prints its time and
peak resident memory. --big reads big documents of short lines (2 MB of them takes
pulldown-cmark's tree the most memory per byte), each in a fresh process, and prints how much
its peak resident memory grew against issue 12's "a small multiple of its size". Wall times
are noisy on a shared machine: each comes with its CPU time.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import text as sql_text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.backends import store_url  # noqa: E402
from followup import collector, postmortem  # noqa: E402
from followup.store import create_store_engine, retry  # noqa: E402
from followup.store.importer import import_all  # noqa: E402
from followup.sync import reading  # noqa: E402
from followup.sync.importing import import_files  # noqa: E402

# Issue 12's targets for 1,000 documents of about 7 KB.
PARSE_MB_S = 20.0
IMPORT_SECONDS = 1.0
REIMPORT_SECONDS = 0.2

WORDS = [
    "cache",
    "queue",
    "deploy",
    "rollout",
    "replica",
    "primary",
    "failover",
    "latency",
    "alert",
    "dashboard",
    "runbook",
    "config",
    "flag",
    "timeout",
    "retry",
    "pool",
    "connection",
    "shard",
    "region",
    "certificate",
    "token",
    "quota",
    "disk",
    "memory",
    "worker",
    "cron",
    "backup",
    "restore",
    "index",
    "migration",
    "schema",
    "gateway",
    "proxy",
    "dns",
    "load",
]
OWNERS = ("dana", "lee", "sam", "ana-b", "kofi", "mei")
TYPES = ("prevent", "mitigate", "detect", "process", "repair")


def sentence(rng: random.Random, low: int = 8, high: int = 18) -> str:
    """Return one plausible sentence."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    """Return a paragraph of sentences."""
    return " ".join(sentence(rng) for _ in range(sentences))


def document(index: int, rng: random.Random) -> str:
    """Return one generated post-mortem of about 7 KB."""
    day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    lines = [
        "---",
        f'title: "Incident {index}: {sentence(rng, 3, 6)[:-1]}"',
        f"date: {day}",
        "status: final",
        f"repo: octo-org/service-{index % 20}",
        "---",
        "",
        f"# Incident {index}",
        "",
        "## Summary",
        "",
        paragraph(rng, 6),
        "",
        "## Root Cause",
        "",
        paragraph(rng, 8),
        "",
        "## User Impact",
        "",
        paragraph(rng, 5),
        "",
        "## Detection",
        "",
        paragraph(rng, 5),
        "",
        "## Timeline",
        "",
    ]
    lines += [f"- {9 + i // 4:02d}:{(i * 7) % 60:02d} {sentence(rng, 6, 12)}" for i in range(22)]
    lines += ["", "## Lessons learned", ""]
    lines += [f"- We should {sentence(rng, 6, 10).lower()}" for _ in range(5)]
    lines += ["", "## What went poorly", "", paragraph(rng, 6), ""]
    lines += [
        "## Action Items",
        "",
        "| Action Item | Type | Owner | Priority | Due | Bug |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for _ in range(6):
        lines.append(
            f"| {sentence(rng, 6, 12)} | {rng.choice(TYPES)} | @{rng.choice(OWNERS)} "
            f"| P{rng.randint(0, 3)} | 2026-{rng.randint(1, 12):02d}-15 "
            f"| {rng.choice(['TODO', 'DONE', f'#{rng.randint(10, 999)}'])} |"
        )
    lines += ["", "### Follow-ups", ""]
    for _ in range(4):
        box = rng.choice(["[ ]", "[x]"])
        lines += [
            f"- {box} {sentence(rng, 6, 12)}",
            f"  - Owner: @{rng.choice(OWNERS)}",
            f"  - Due: 2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "  - Priority: high",
        ]
    lines += ["", "## Where we got lucky", "", paragraph(rng, 5), ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Generate, parse, import and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bulk", type=int, metavar="ITEMS", help="measure one big import")
    parser.add_argument("--bulk-into", metavar="FOLDER", help=argparse.SUPPRESS)
    parser.add_argument("--big", action="store_true", help="measure reading big documents")
    parser.add_argument("--read", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", help="an empty PostgreSQL database to use (else a throwaway)")
    parser.add_argument(
        "--in-process", action="store_true", help="import without reading ahead in workers"
    )
    args = parser.parse_args(argv)
    if args.bulk_into:
        return _bulk_child(Path(args.bulk_into))
    if args.bulk:
        return bulk(args.bulk)
    if args.read:
        return _read_child(Path(args.read))
    if args.big:
        return big()

    if args.in_process:
        reading.PARALLEL_FROM = sys.maxsize
    rng = random.Random(args.seed)
    texts = [document(i, rng) for i in range(args.documents)]
    total_bytes = sum(len(t.encode()) for t in texts)

    runs = []
    cpu_runs = []
    items = 0
    parsed: list[postmortem.PostMortem] = []
    for _ in range(3):
        start, cpu = time.perf_counter(), time.process_time()
        parsed = [postmortem.parse(t, path=f"doc-{i}.md") for i, t in enumerate(texts)]
        items = sum(len(doc.items) for doc in parsed)
        runs.append(time.perf_counter() - start)
        cpu_runs.append(time.process_time() - cpu)
    parse_seconds = statistics.median(runs)
    parse_cpu = statistics.median(cpu_runs)

    backend = "postgresql" if args.url else args.backend
    with (
        tempfile.TemporaryDirectory() as tmp,
        store_url(backend, args.url, Path(tmp), "parse") as url,
    ):
        folder = Path(tmp)
        paths = []
        for i, text in enumerate(texts):
            path = folder / f"2025-incident-{i:04d}.md"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        # The store's part: the parsed documents into a fresh store, as an import stores them.
        engine = create_store_engine(_fresh(url, backend, folder, "stored"))
        start, cpu = time.perf_counter(), time.process_time()
        with collector.paused():
            retry.write(engine, lambda session: import_all(session, parsed))
        store_seconds = time.perf_counter() - start
        store_cpu = time.process_time() - cpu
        engine.dispose()
        # Best of three, each into a fresh store; the CPU time counts the reading workers'.
        import_seconds = import_cpu = float("inf")
        for attempt in range(3):
            engine = create_store_engine(_fresh(url, backend, folder, f"store-{attempt}"))
            start, cpu = time.perf_counter(), _cpu()
            report = import_files(engine, paths)
            if time.perf_counter() - start < import_seconds:
                import_seconds, import_cpu = time.perf_counter() - start, _cpu() - cpu
            if attempt < 2:
                engine.dispose()
        start, cpu = time.perf_counter(), _cpu()
        again = import_files(engine, paths)
        reimport_seconds = time.perf_counter() - start
        reimport_cpu = _cpu() - cpu
        engine.dispose()
        # Memory is measured in a second run: tracemalloc slows everything it watches.
        engine = create_store_engine(_fresh(url, backend, folder, "memory"))
        tracemalloc.start()
        import_files(engine, paths)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        engine.dispose()
    stored = sum(r.items for r in report.results)
    unchanged = sum(r.unchanged for r in again.results)

    mb = total_bytes / 1e6
    n = args.documents
    workers = reading.workers() if n >= reading.PARALLEL_FROM else 0
    how = f"read ahead by {workers} workers" if workers else "read in-process"
    size = f"{total_bytes / n / 1000:.1f} KB each"
    rate = "{:.3f} s  ->  {:,.0f} docs/s, {:.1f} MB/s".format
    print(f"documents            {n} ({mb:.2f} MB, {size})")
    print(f"items extracted      {items}")
    print(
        f"parse only           {rate(parse_seconds, n / parse_seconds, mb / parse_seconds)}"
        f"  (CPU {parse_cpu:.3f} s)"
    )
    print(
        f"import end to end    {rate(import_seconds, n / import_seconds, mb / import_seconds)}"
        f"  (CPU {import_cpu:.3f} s; {stored} items stored; {how})"
    )
    print(f"  of which storing   {store_seconds:.3f} s  (CPU {store_cpu:.3f} s; {backend})")
    print(
        f"re-import unchanged  {reimport_seconds:.3f} s  (CPU {reimport_cpu:.3f} s; "
        f"{unchanged} documents unchanged)"
    )
    print(f"peak memory (import) {peak / 1e6:.1f} MB (tracemalloc, this process)")
    checks = [
        ("parse", mb / parse_seconds, ">=", PARSE_MB_S, "MB/s"),
        ("first import, end to end", import_seconds, "<", IMPORT_SECONDS, "s"),
        ("re-import, nothing changed", reimport_seconds, "<", REIMPORT_SECONDS, "s"),
    ]
    ok = True
    for name, value, op, target, unit in checks:
        met = value >= target if op == ">=" else value < target
        ok = ok and met
        mark = "ok  " if met else "MISS"
        print(f"{mark} {name:<27} {value:8.3f} {unit:<4} (target {op} {target:g} {unit})")
    return 0 if ok else 1


def _cpu() -> float:
    """Return the CPU time of this process and of its finished children (reading workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _fresh(url: str, backend: str, folder: Path, name: str) -> str:
    """Return the URL of an empty store: a new SQLite file, or the PostgreSQL one emptied."""
    if backend == "sqlite":
        return f"sqlite:///{folder / f'{name}.db'}"
    engine = create_store_engine(url)
    with engine.begin() as conn:
        conn.execute(sql_text("TRUNCATE event, action_item, postmortem RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


BULK_PER_DOCUMENT = 56


def _child(option: str, path: Path) -> tuple[str, float]:
    """Run this script on `path` in a fresh process; return what it printed and its wall time."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, option, str(path)], capture_output=True, text=True, check=True
    )
    return done.stdout, time.perf_counter() - start


def bulk_document(index: int, rng: random.Random) -> str:
    """Return a post-mortem with BULK_PER_DOCUMENT checklist items, about 6 KB."""
    lines = [f"# Incident {index}", "", paragraph(rng, 3), "", "## Action items", ""]
    for n in range(BULK_PER_DOCUMENT):
        owner = rng.choice(("dana", "lee", "sam", "kim"))
        lines.append(f"- [ ] {sentence(rng, 6, 10)} ({index}-{n}) Owner: @{owner}, P{n % 4}")
    return "\n".join(lines) + "\n"


def bulk(items: int) -> int:
    """Import items (in documents of 56) in a fresh process; print time and peak memory."""
    documents = max(1, items // BULK_PER_DOCUMENT)
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        size = 0
        for i in range(documents):
            text = bulk_document(i, rng)
            size += len(text)
            (folder / f"2024-incident-{i:05d}.md").write_text(text, encoding="utf-8")
        out, seconds = _child("--bulk-into", folder)
    stored, cpu, peak_mb = out.split()
    print(
        f"bulk import          {documents:,} documents ({size / 1e6:.0f} MB), {int(stored):,} "
        f"items: {seconds:.1f} s (CPU {float(cpu):.1f} s), peak RSS {float(peak_mb):.0f} MB"
    )
    return 0


def _bulk_child(folder: Path) -> int:
    engine = create_store_engine(f"sqlite:///{folder / 'bulk.db'}")
    report = import_files(engine, sorted(folder.glob("*.md")))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        sum(r.items for r in report.results),
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
    )
    engine.dispose()
    return 0


# Issue 12's bound for reading one document: its memory a small multiple of its size.
BIG_MULTIPLE = 10
_BIG_HEAD = "# Incident\n\n## Action items\n\n- Fix it. Owner: @dana\n\n"
BIG_DOCUMENTS = {
    "one paragraph of 1,000,000 lines (issue 12's)": _BIG_HEAD + "x\n" * 999_994,
    "a timeline list of 500,000 entries": _BIG_HEAD + "## Timeline\n\n" + "- x\n" * 500_000,
    "a code block of 250,000 log lines": _BIG_HEAD + "```\n" + "log line\n" * 250_000 + "```\n",
    "30,000 lines of prose": _BIG_HEAD + "The cache was cold and the queue grew.\n" * 30_000,
}


def big() -> int:
    """Read each big document in a fresh process; print its memory against its size."""
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in BIG_DOCUMENTS.items():
            path = Path(tmp) / "big.md"
            path.write_text(text, encoding="utf-8")
            size = path.stat().st_size / 1e6
            out, seconds = _child("--read", path)
            grown, cpu = (float(x) for x in out.split())
            met = grown <= BIG_MULTIPLE * size
            ok = ok and met
            print(
                f"{'ok  ' if met else 'MISS'} {name:<46} {size:.1f} MB: +{grown:.0f} MB "
                f"({grown / size:.0f}x its size, target <= {BIG_MULTIPLE}x); "
                f"{seconds:.1f} s (CPU {cpu:.1f} s)"
            )
    return 0 if ok else 1


def _peak_rss_mb() -> float:
    """Return this process's peak resident memory (VmHWM: not inherited from a parent)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _read_child(path: Path) -> int:
    from followup.postmortem import reader

    reader.parse(_BIG_HEAD)  # what the reader loads on first use is not the document's
    before = _peak_rss_mb()
    cpu = time.process_time()
    reader.read(path)
    print(_peak_rss_mb() - before, time.process_time() - cpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
