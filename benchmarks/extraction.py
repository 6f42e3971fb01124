"""Measure the reader against the hand-labelled corpus: P/R/F1, field accuracy and speed."""

# Run: python benchmarks/extraction.py [--corpus DIR] [--verbose]

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "postmortem-corpus"

try:
    import followup.postmortem as reader
    from followup.postmortem.markdown import Document
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "src"))
    import followup.postmortem as reader
    from followup.postmortem.markdown import Document

_MARKUP = re.compile(r"[*_`]+")
_QUOTED = re.compile(r"'([^']{12,})'")
# Sections no item may come from, whatever the reader thinks of them.
_FORBIDDEN = re.compile(
    r"lessons?\s+learn|timeline|root\s+cause|what\s+went|where\s+we\s+got\s+lucky|contributing"
    r"|insights|five\s+whys|5\s+whys",
    re.IGNORECASE,
)
_DONE_WORDS = frozenset({"done", "completed", "complete", "closed", "fixed", "resolved"})
_PRIORITIES = {"critical": "P0", "urgent": "P0", "high": "P1", "medium": "P2", "low": "P3"}


def normalise(text: str) -> str:
    """Lower-case a title, drop Markdown emphasis and collapse spaces and end punctuation."""
    return " ".join(_MARKUP.sub("", text).lower().split()).strip(" .:;")


def similar(a: str, b: str, threshold: float) -> float:
    """Score two titles: 1.0 when one contains the other, else difflib's ratio if high enough."""
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    short, long = sorted((na, nb), key=len)
    if len(short) >= 12 and short in long:
        return 1.0
    ratio = difflib.SequenceMatcher(None, na, nb).ratio()
    return ratio if ratio >= threshold else 0.0


@dataclass
class Tally:
    """Counts for one document or the whole corpus."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    fields: dict[str, list[int]] = field(default_factory=dict)

    def field(self, name: str, ok: bool) -> None:
        """Count one comparison of a field on a matched item."""
        right, total = self.fields.setdefault(name, [0, 0])
        self.fields[name] = [right + ok, total + 1]

    def add(self, other: Tally) -> None:
        """Fold another tally into this one."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        for name, (right, total) in other.fields.items():
            r, t = self.fields.setdefault(name, [0, 0])
            self.fields[name] = [r + right, t + total]

    def prf(self) -> tuple[float, float, float]:
        """Return precision, recall and F1."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def match(
    predicted: Sequence[reader.ActionItem], labels: Sequence[dict[str, Any]], threshold: float
) -> dict[int, int]:
    """Pair predicted items with labels one to one, best scores first."""
    scores = [
        (score, i, j)
        for i, item in enumerate(predicted)
        for j, label in enumerate(labels)
        if (score := similar(item.title, label["title"], threshold)) > 0
    ]
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in sorted(scores, reverse=True):
        if i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)
    return pairs


def compare_fields(tally: Tally, item: reader.ActionItem, label: dict[str, Any]) -> list[str]:
    """Count the matched item's fields against its label; return the mismatches."""
    wrong: list[str] = []

    def check(name: str, ok: bool, got: object, want: object) -> None:
        tally.field(name, ok)
        if not ok:
            wrong.append(f"{name}: got {got!r}, want {want!r}")

    want_owner = (label.get("owner") or "").lstrip("@").lower() or None
    check("owner", (item.owner or "").lower() == (want_owner or ""), item.owner, want_owner)
    want_kind = label.get("kind", "issue")
    check("kind", item.kind.value == want_kind, item.kind.value, want_kind)
    want_type = label.get("type")
    got_type = item.type
    check("type", (got_type or "").lower() == (want_type or "").lower(), got_type, want_type)
    want_pri = label.get("priority")
    want_pri = _PRIORITIES.get((want_pri or "").lower(), want_pri)
    check("priority", item.priority == want_pri, item.priority, want_pri)
    want_due = label.get("due")
    got_due = item.due_text
    ok_due = got_due is None if want_due is None else got_due is not None and got_due in want_due
    check("due", ok_due, got_due, want_due)
    want_done = (label.get("status") or "").lower() in _DONE_WORDS
    check("done", item.done == want_done, item.done, want_done)
    urls = set((label.get("tracking_ref") or "").split())
    got_urls = {r.url for r in item.references if r.url}
    check("refs", urls <= got_urls and (bool(urls) or not got_urls), sorted(got_urls), sorted(urls))
    return wrong


def forbidden_origin(doc: Document, line: int) -> str | None:
    """Return the heading of a lessons/timeline-like section enclosing a line, if any."""
    chain: list[tuple[int, str]] = []
    for block in doc.blocks:
        if block.kind != "heading":
            continue
        if doc.line(block.start) > line:
            break
        while chain and chain[-1][0] >= block.level:
            chain.pop()
        chain.append((block.level, block.heading.text))
    return next((text for _, text in chain if _FORBIDDEN.search(text)), None)


def run(corpus: Path, threshold: float, verbose: bool, repeat: int) -> int:
    """Score every labelled document and print the figures; return the exit status."""
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    total = Tally()
    violations: list[str] = []
    texts: list[str] = []
    print(f"{'document':52} {'labels':>6} {'found':>5} {'tp':>3} {'fp':>3} {'fn':>3}")
    for entry in labels["documents"]:
        path = corpus / entry["file"]
        pm = reader.read(path)
        texts.append(pm.source)
        explicit = [lb for lb in entry["items"] if not lb.get("implicit")]
        implicit = [lb for lb in entry["items"] if lb.get("implicit")]
        tally = Tally()
        pairs = match(pm.items, explicit, threshold)
        unmatched = [it for i, it in enumerate(pm.items) if i not in pairs]
        optional = match(unmatched, implicit, threshold)
        tally.tp = len(pairs)
        tally.fp = len(unmatched) - len(optional)
        tally.fn = len(explicit) - len(pairs)
        notes: list[str] = []
        for i, j in pairs.items():
            for problem in compare_fields(tally, pm.items[i], explicit[j]):
                notes.append(f"  field  L{pm.items[i].line} {pm.items[i].title[:50]!r}: {problem}")
        extra = [it for k, it in enumerate(unmatched) if k not in optional]
        notes += [f"  extra  L{it.line} {it.title!r}" for it in extra]
        missed = set(range(len(explicit))) - set(pairs.values())
        notes += [f"  missed {explicit[j]['title']!r}" for j in sorted(missed)]
        doc = Document(pm.source)
        for item in pm.items:
            origin = forbidden_origin(doc, item.line)
            if origin is not None:
                violations.append(f"{entry['file']} L{item.line} {item.title!r} under {origin!r}")
        for candidate in entry.get("excluded_candidates", []):
            for quoted in _QUOTED.findall(candidate["text"]):
                for item in pm.items:
                    if similar(item.title, quoted, 0.9):
                        violations.append(f"{entry['file']} excluded text extracted: {quoted!r}")
        print(
            f"{entry['file'][:52]:52} {len(explicit):6} {len(pm.items):5} "
            f"{tally.tp:3} {tally.fp:3} {tally.fn:3}"
        )
        if verbose:
            for note in notes:
                print(note)
        total.add(tally)

    p, r, f1 = total.prf()
    print()
    counts = f"tp {total.tp}, fp {total.fp}, fn {total.fn}"
    print(f"items      precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}  ({counts})")
    for name, (right, count) in total.fields.items():
        print(f"{name:10} accuracy {right / count:.3f}  ({right}/{count} matched items)")
    if violations:
        print("\nitems from sections that must give none:")
        for v in violations:
            print(f"  {v}")
    else:
        print("\nno item came from a Lessons learned, Timeline, Root cause or similar section")

    size = sum(len(t.encode()) for t in texts)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            for text in texts:
                reader.parse(text)
        best = min(best, time.perf_counter() - start)
    per_doc = best / (repeat * len(texts)) * 1e3
    print(f"throughput {size * repeat / best / 1e6:.1f} MB/s ({per_doc:.3f} ms per document)")
    return 1 if violations else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run the benchmark."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="labelled corpus folder")
    ap.add_argument("--threshold", type=float, default=0.8, help="title similarity to match")
    ap.add_argument("--repeat", type=int, default=50, help="parses per document for speed")
    ap.add_argument("-v", "--verbose", action="store_true", help="list misses and extras")
    args = ap.parse_args(argv)
    if not (args.corpus / "labels.json").is_file():
        print(
            f"no labelled corpus at {args.corpus} (expected labels.json there); pass --corpus DIR",
            file=sys.stderr,
        )
        return 2
    return run(args.corpus, args.threshold, args.verbose, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
