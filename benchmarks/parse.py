"""Measure the reader's throughput and a whole import of 1,000 post-mortems into a fresh store.

    python benchmarks/parse.py [--documents 1000] [--seed 7]

Documents are generated: about 7 KB each, with the sections real post-mortems have
(timeline, lessons learned, an action-items table and a checklist with nested details),
so the reader does the work it does in practice. Prints documents/s, MB/s, the end-to-end
import time (files on disk -> parsed -> stored, one transaction) and peak memory.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from followup import postmortem
from followup.store import create_store_engine
from followup.sync.importing import import_files

TARGET_SECONDS = 2.0
TARGET_PARSE_MB_S = 20.0  # issue 12

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
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    texts = [document(i, rng) for i in range(args.documents)]
    total_bytes = sum(len(t.encode()) for t in texts)

    runs = []
    items = 0
    for _ in range(3):
        start = time.perf_counter()
        items = sum(len(postmortem.parse(t, path=f"doc-{i}.md").items) for i, t in enumerate(texts))
        runs.append(time.perf_counter() - start)
    parse_seconds = statistics.median(runs)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = []
        for i, text in enumerate(texts):
            path = folder / f"2025-incident-{i:04d}.md"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        engine = create_store_engine(f"sqlite:///{folder / 'store.db'}")
        start = time.perf_counter()
        report = import_files(engine, paths)
        import_seconds = time.perf_counter() - start
        start = time.perf_counter()
        again = import_files(engine, paths)
        reimport_seconds = time.perf_counter() - start
        engine.dispose()
        # Memory is measured in a second run: tracemalloc slows everything it watches.
        engine = create_store_engine(f"sqlite:///{folder / 'memory.db'}")
        tracemalloc.start()
        import_files(engine, paths)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        engine.dispose()
    stored = sum(r.items for r in report.results)
    unchanged = sum(r.unchanged for r in again.results)

    mb = total_bytes / 1e6
    n = args.documents
    size = f"{total_bytes / n / 1000:.1f} KB each"
    rate = "{:.3f} s  ->  {:,.0f} docs/s, {:.1f} MB/s".format
    print(f"documents            {n} ({mb:.2f} MB, {size})")
    print(f"items extracted      {items}")
    print(f"parse only           {rate(parse_seconds, n / parse_seconds, mb / parse_seconds)}")
    print(
        f"import end to end    {rate(import_seconds, n / import_seconds, mb / import_seconds)}"
        f"  ({stored} items stored)"
    )
    print(f"re-import unchanged  {reimport_seconds:.3f} s  ({unchanged} documents unchanged)")
    print(f"peak memory (import) {peak / 1e6:.1f} MB (tracemalloc)")
    verdict = "meets" if import_seconds < TARGET_SECONDS else "MISSES"
    print(f"target               import under {TARGET_SECONDS:.0f} s: {verdict}")
    parse_rate = mb / parse_seconds
    verdict = "meets" if parse_rate >= TARGET_PARSE_MB_S else "MISSES"
    print(f"target               parse at {TARGET_PARSE_MB_S:.0f} MB/s or more: {verdict}")
    return 0 if import_seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
