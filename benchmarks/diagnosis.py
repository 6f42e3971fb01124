"""Measure import's diagnosis: how often it warns, how often rightly, and what it costs.

    python benchmarks/diagnosis.py [--corpus DIR ...] [--reader-src SRC] [--verbose]

For each labelled corpus (labels.json as benchmarks/extraction.py reads it): the documents
that warn about lists left unread, and of those lists how many hold an explicit labelled
item the reader missed (a real miss made visible) and how many do not (noise); the
documents whose only warning is the one for a missing action section; the missed items and
how many an unread list points at. --reader-src runs another reader (the src/ folder of an
older checkout, e.g. `git archive <commit> src | tar -x -C /tmp/old`) in a subprocess, to
see what the diagnosis would have said at first sight. Last, the CPU cost of diagnosing the
generated documents of benchmarks/parse.py against parsing them.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.extraction import CANDIDATES, match, normalise  # noqa: E402
from benchmarks.parse import document  # noqa: E402
from followup import postmortem  # noqa: E402
from followup.errors import InputError  # noqa: E402
from followup.postmortem.diagnosis import diagnose, diagnose_text  # noqa: E402
from followup.postmortem.model import ActionItem  # noqa: E402

# Run in a subprocess with another reader first on sys.path: its items per document.
_DUMP = """
import json, sys
from pathlib import Path
import followup.postmortem as reader
from followup.errors import InputError
corpus = Path(sys.argv[1])
out = {}
for entry in json.loads((corpus / "labels.json").read_text())["documents"]:
    try:
        pm = reader.read(corpus / entry["file"])
    except InputError:
        out[entry["file"]] = None
        continue
    out[entry["file"]] = {
        "items": [[i.line, i.suggested, i.title] for i in pm.items],
        "section": pm.has_action_section,
    }
print(json.dumps(out))
"""


def read_all(corpus: Path, reader_src: Path | None) -> dict[str, Any]:
    """Return each labelled document's items (None when refused), by this or another reader."""
    if reader_src is not None:
        done = subprocess.run(
            [sys.executable, "-c", _DUMP, str(corpus)],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONPATH": str(reader_src), "PATH": "/usr/bin:/bin"},
        )
        found: dict[str, Any] = json.loads(done.stdout)
        return found
    out: dict[str, Any] = {}
    for entry in json.loads((corpus / "labels.json").read_text(encoding="utf-8"))["documents"]:
        try:
            pm = postmortem.read(corpus / entry["file"])
        except InputError:
            out[entry["file"]] = None
            continue
        items = [[i.line, i.suggested, i.title] for i in pm.items]
        out[entry["file"]] = {"items": items, "section": pm.has_action_section}
    return out


def line_of(text: str, title: str) -> int | None:
    """Return the line a labelled title is written on (its first 25 characters), if found."""
    want = normalise(title)[:25]
    for number, line in enumerate(text.split("\n"), 1):
        if want and want in normalise(line):
            return number
    return None


def measure(corpus: Path, reader_src: Path | None, verbose: bool) -> dict[str, int]:
    """Return the corpus's counts (see the module's docstring)."""
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    read = read_all(corpus, reader_src)
    counts = dict.fromkeys(
        ("documents", "refused", "warn_unread", "warn_no_section", "real", "noise", "missed"),
        0,
    )
    counts["pointed_at"] = 0
    for entry in labels["documents"]:
        counts["documents"] += 1
        got = read[entry["file"]]
        if got is None:
            counts["refused"] += 1  # refused with an error of its own: no diagnosis
            continue
        text = (corpus / entry["file"]).read_text(encoding="utf-8")
        items = [(int(a), bool(b), str(c)) for a, b, c in got["items"]]
        found = diagnose_text(text, items, has_action_section=got["section"])
        explicit = [ActionItem(title=t, line=n) for n, s, t in items if not s]
        wanted = [lb for lb in entry["items"] if not lb.get("implicit")]
        pairs = match(explicit, wanted, 0.8)
        missed = [
            line_of(text, lb["title"]) for j, lb in enumerate(wanted) if j not in pairs.values()
        ]
        counts["missed"] += len(missed)
        pointed: set[int] = set()
        for unread in found.unread:
            hits = {k for k, n in enumerate(missed) if n and unread.line <= n <= unread.last}
            pointed |= hits
            counts["real" if hits else "noise"] += 1
            if verbose:
                verdict = "real " if hits else "noise"
                print(f"  {verdict} {entry['file']}: line {unread.line} under {unread.heading!r}")
        counts["pointed_at"] += len(pointed)
        if found.unread:
            counts["warn_unread"] += 1
        elif not found.has_action_section:
            counts["warn_no_section"] += 1
    return counts


def cost(documents: int) -> tuple[float, float]:
    """Return the CPU seconds to parse, then to diagnose, the generated documents (best of 3)."""
    rng = random.Random(7)
    texts = [document(i, rng) for i in range(documents)]
    parsed = [postmortem.parse(t, path=f"doc-{i}.md") for i, t in enumerate(texts)]
    best_parse = best_diagnose = float("inf")
    for _ in range(3):
        start = time.process_time()
        for i, t in enumerate(texts):
            postmortem.parse(t, path=f"doc-{i}.md")
        best_parse = min(best_parse, time.process_time() - start)
        start = time.process_time()
        for pm in parsed:
            diagnose(pm)
        best_diagnose = min(best_diagnose, time.process_time() - start)
    return best_parse, best_diagnose


def main(argv: list[str] | None = None) -> int:
    """Print the figures for each corpus, then the cost."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default = next((c for c in CANDIDATES if (c / "labels.json").is_file()), CANDIDATES[0])
    ap.add_argument("--corpus", type=Path, action="append", help="labelled corpus folder(s)")
    ap.add_argument("--reader-src", type=Path, help="another reader's src/ folder")
    ap.add_argument("--documents", type=int, default=1000, help="generated documents for cost")
    ap.add_argument("-v", "--verbose", action="store_true", help="list each unread list")
    args = ap.parse_args(argv)
    for corpus in args.corpus or [default]:
        print(f"{corpus}")
        c = measure(corpus, args.reader_src, args.verbose)
        print(
            f"  documents {c['documents']} (refused {c['refused']}); warn about unread lists "
            f"{c['warn_unread']}, only about a missing action section {c['warn_no_section']}"
        )
        print(
            f"  unread lists: {c['real']} hold a missed item, {c['noise']} noise; "
            f"missed items {c['missed']}, {c['pointed_at']} pointed at"
        )
    parse_s, diagnose_s = cost(args.documents)
    print(
        f"\ncost on {args.documents} generated documents: parse CPU {parse_s:.3f} s, "
        f"diagnose CPU {diagnose_s:.3f} s ({diagnose_s / parse_s * 100:.1f}% of parsing)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
