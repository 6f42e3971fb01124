"""Measure the reader against the hand-labelled corpus, tuned and held-out documents apart.

    python benchmarks/extraction.py [--corpus DIR] [--verbose]

For each document and overall: precision, recall and F1 on explicit items, owner and due
accuracy on the matched ones, suggestion recall on the commitments labelled implicit, and
false suggestions per document. --verbose lists misses and extras, for tuned documents only.

A corpus holding none of the held-out names below (a blind set kept elsewhere) is measured
as one group against the targets, its misses listed with --verbose. A document `import`
refuses counts as giving no item, as it would for a user without --force.

The held-out split was fixed before any tuning: a seeded shuffle (random.Random(10)) of the
ten documents added after the first reader was written, taking five, with the one document
whose commitments are labelled in prose kept among them so suggestion recall is measured on
text the reader was never tuned on. The six documents of the first collection were already
tuned on and stay on the tuned side. Never tune on held-out documents: their misses are not
printed.

The held-out split has since been examined (issue 10's second round looked at why it failed,
then fixed general classes of text with fixtures of the project's own), so its figures are
printed as "held-out (examined)": a better guide than the tuned ones, no longer a blind one.
"""

from __future__ import annotations

import argparse
import dataclasses
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
# Next to the checkout (../shared), or next to the folder of worktrees it sits in.
CANDIDATES = tuple(base / "shared" / "postmortem-corpus" for base in ROOT.parents[:2])

try:
    import followup.postmortem as reader
    from followup.errors import InputError
    from followup.postmortem import sections
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "src"))
    import followup.postmortem as reader
    from followup.errors import InputError
    from followup.postmortem import sections

HELD_OUT = frozenset(
    {
        "etcd-2022-04-20-v3.5-data-inconsistency.md",
        "flutter-2016-11-08-build-breakage.md",
        "homebrew-2021-04-18-review-cask-pr-vulnerability.md",
        "matrix-2019-04-11-security-incident-remediations.md",
        "mezo-2025-03-12-matsnet-halt.md",
    }
)
HELD_NAME = "held-out (examined)"
TARGETS = {"precision": 1.0, "recall": 0.97, "owner": 0.95, "suggestion recall": 0.7}

_MARKUP = re.compile(r"[*_`]+")
_QUOTED = re.compile(r"'([^']{12,})'")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# Sections no item may come from, whatever the reader thinks of them.
_FORBIDDEN = re.compile(
    r"lessons?\s+learn|timeline|root\s+cause|what\s+went|where\s+we\s+got\s+lucky|contributing"
    r"|insights|five\s+whys|5\s+whys",
    re.IGNORECASE,
)

# A label opening a line: "**Actions planned:**", "Action taken: ...", "- **Review actions**:".
_LABEL = re.compile(
    r"^\s{0,3}(?:(?:(?:[-*+]|\d{1,3}[.)])\s+)?(?:\*\*|__)(?P<bold>[A-Za-z][\w '’-]{0,40}?)\s*"
    r"(?::\s*(?:\*\*|__)|(?:\*\*|__)\s*:)|(?P<plain>[A-Za-z][\w '’-]{0,40}?)\s*:)"
)
# What such a label must say for the lines under it to be action items wherever they sit:
# issue 10 counts labelled paragraphs anywhere, including under Lessons learned.
_ACTION_LABEL = re.compile(
    r"^(?:actions?(?:\s+(?:items?|planned|taken|required))?|planned\s+actions?|ai|todo|to-?do"
    r"|follow[\s-]?ups?|next\s+steps?|(?:review|corrective|preventive|remedial)\s+actions?)$",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """Lower-case a title, drop Markdown emphasis and collapse spaces and end punctuation."""
    return " ".join(_MARKUP.sub("", text).lower().split()).strip(" .:;")


def same_owner(got: str | None, want: str | None) -> bool:
    """Compare owners as people write them: '@amirh', 'amirh@' and 'Amirh' are one person."""

    def norm(value: str | None) -> str:
        return " ".join((value or "").strip().strip("@").lower().split())

    return norm(got) == norm(want)


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


def match(
    predicted: Sequence[reader.ActionItem],
    labels: Sequence[dict[str, Any]],
    threshold: float,
    *,
    sentence: bool = False,
) -> dict[int, int]:
    """Pair predicted items with labels one to one, best scores first.

    With sentence, an item also matches by its text: a suggestion's title is reworded
    ('we're working on X' -> 'Work on X') while its text is the sentence the label quotes.
    """
    scores = [
        (score, i, j)
        for i, item in enumerate(predicted)
        for j, label in enumerate(labels)
        if (
            score := max(
                similar(item.title, label["title"], threshold),
                similar(item.text, label["title"], threshold) if sentence else 0.0,
            )
        )
        > 0
    ]
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in sorted(scores, reverse=True):
        if i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)
    return pairs


@dataclass
class Tally:
    """Counts for one document or a group of them."""

    docs: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    owners: list[int] = field(default_factory=lambda: [0, 0])
    dues: list[int] = field(default_factory=lambda: [0, 0])
    implicit: int = 0
    implicit_found: int = 0
    implicit_as_suggestion: int = 0
    suggestions: int = 0
    false_suggestions: int = 0
    worst_false_suggestions: int = 0
    explicit_read_as_suggestion: int = 0

    def add(self, other: Tally) -> None:
        """Fold another tally into this one."""
        for name in (
            "docs",
            "tp",
            "fp",
            "fn",
            "implicit",
            "implicit_found",
            "implicit_as_suggestion",
            "suggestions",
            "false_suggestions",
            "explicit_read_as_suggestion",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.owners, other.owners), (self.dues, other.dues)):
            mine[0] += theirs[0]
            mine[1] += theirs[1]
        self.worst_false_suggestions = max(
            self.worst_false_suggestions, other.worst_false_suggestions
        )

    def prf(self) -> tuple[float, float, float]:
        """Return precision, recall and F1 on explicit items."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def ratio(pair: list[int]) -> float:
    """Return right/total, or 1.0 when nothing was compared."""
    return pair[0] / pair[1] if pair[1] else 1.0


def score(
    pm: reader.PostMortem, entry: dict[str, Any], threshold: float
) -> tuple[Tally, list[str]]:
    """Compare one document's items with its labels; return the tally and notes."""
    explicit_labels = [lb for lb in entry["items"] if not lb.get("implicit")]
    implicit_labels = [lb for lb in entry["items"] if lb.get("implicit")]
    explicit = list(pm.explicit_items)
    suggested = list(pm.suggested_items)
    tally = Tally(docs=1, implicit=len(implicit_labels), suggestions=len(suggested))
    notes: list[str] = []

    pairs = match(explicit, explicit_labels, threshold)
    unmatched = [it for i, it in enumerate(explicit) if i not in pairs]
    # An explicit item that is a labelled prose commitment is not invented: it is optional.
    optional = match(unmatched, implicit_labels, threshold)
    tally.tp = len(pairs)
    tally.fp = len(unmatched) - len(optional)
    tally.fn = len(explicit_labels) - len(pairs)
    for i, j in pairs.items():
        item, label = explicit[i], explicit_labels[j]
        owner_ok = same_owner(item.owner, label.get("owner"))
        tally.owners[0] += owner_ok
        tally.owners[1] += 1
        if not owner_ok:
            want = label.get("owner")
            notes.append(f"  owner  L{item.line} {item.title[:50]!r}: {item.owner!r} vs {want!r}")
        want_due = label.get("due")
        got_due = item.due_text
        due_ok = (
            got_due is None if want_due is None else got_due is not None and got_due in want_due
        )
        tally.dues[0] += due_ok
        tally.dues[1] += 1
        if not due_ok:
            notes.append(f"  due    L{item.line} {item.title[:50]!r}: {got_due!r} vs {want_due!r}")
    notes += [
        f"  extra  L{it.line} {it.title!r}" for k, it in enumerate(unmatched) if k not in optional
    ]
    missed = [explicit_labels[j] for j in range(len(explicit_labels)) if j not in pairs.values()]

    # Suggestions: matched to implicit labels first, then to explicit items the reader missed.
    s_pairs = match(suggested, implicit_labels, threshold, sentence=True)
    found_implicit = set(s_pairs.values()) | set(optional.values())
    tally.implicit_found = len(found_implicit)
    tally.implicit_as_suggestion = len(s_pairs)
    rest = [it for i, it in enumerate(suggested) if i not in s_pairs]
    as_missed = match(rest, missed, threshold, sentence=True)
    tally.explicit_read_as_suggestion = len(as_missed)
    false = [it for k, it in enumerate(rest) if k not in as_missed]
    # A suggestion restating an explicit item that was found is a duplicate, not a find.
    tally.false_suggestions = len(false)
    tally.worst_false_suggestions = len(false)
    notes += [f"  missed {lb['title']!r}" for lb in missed]
    notes += [f"  false suggestion L{it.line} {it.title!r}" for it in false]
    notes += [
        f"  implicit missed {lb['title']!r}"
        for j, lb in enumerate(implicit_labels)
        if j not in found_implicit
    ]
    return tally, notes


def forbidden_origin(source: str, line: int) -> str | None:
    """Return the heading of a lessons/timeline-like section enclosing a line, if any."""
    chain: list[tuple[int, str]] = []
    fence = False
    for number, text in enumerate(source.split("\n"), start=1):
        if number > line:
            break
        if text.lstrip().startswith(("```", "~~~")):
            fence = not fence
        m = None if fence else _HEADING.match(text)
        if m is not None:
            level = len(m[1])
            while chain and chain[-1][0] >= level:
                chain.pop()
            chain.append((level, m[2]))
    return next((text for _, text in chain if _FORBIDDEN.search(text)), None)


def labelled_origin(source: str, line: int) -> bool:
    """Tell whether a line sits under an action label, or holds one, within its section.

    The nearest label at or above the line, with no heading between, decides: 'Actions
    planned:' or 'Action taken:' makes the line a labelled action; any other label
    ('**Lessons:**') ends that.
    """
    lines = source.split("\n")
    for number in range(min(line, len(lines)), 0, -1):
        text = lines[number - 1]
        if _HEADING.match(text):
            return False
        m = _LABEL.match(text)
        if m is not None:
            label = m["bold"] or m["plain"]
            return _ACTION_LABEL.match(" ".join(label.split())) is not None
    return False


def violations(pm: reader.PostMortem, entry: dict[str, Any]) -> list[str]:
    """Return items that come from sections that must give none, or from excluded text.

    An item under a lessons-like section is false only when no action label introduces it:
    issue 10 counts labelled action paragraphs anywhere.
    """
    out: list[str] = []
    for item in pm.items:
        origin = forbidden_origin(pm.source, item.line)
        if (
            origin is not None
            and sections.role(origin) is not sections.Role.ACTION
            and not labelled_origin(pm.source, item.line)
        ):
            out.append(f"{entry['file']} L{item.line} {item.title!r} under {origin!r}")
    lines = pm.source.split("\n")
    for candidate in entry.get("excluded_candidates", []):
        for quoted in _QUOTED.findall(candidate["text"]):
            # A quote that also names a labelled item ("the ToC repeats the heading") is
            # excluded only where it is quoted from: the item's own line must hold it.
            labelled = any(similar(lb["title"], quoted, 0.9) for lb in entry["items"])
            for item in pm.items:
                if not similar(item.title, quoted, 0.9):
                    continue
                if labelled and normalise(quoted) not in normalise(lines[item.line - 1]):
                    continue
                out.append(f"{entry['file']} excluded text extracted: {quoted!r}")
    return out


def report(name: str, total: Tally) -> None:
    """Print a group's figures with the targets."""
    p, r, f1 = total.prf()
    per_doc = total.false_suggestions / total.docs if total.docs else 0.0
    sugg = total.implicit_found / total.implicit if total.implicit else None
    print(f"\n{name} ({total.docs} documents)")
    print(
        f"  explicit items   precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}"
        f"  (tp {total.tp}, fp {total.fp}, fn {total.fn})"
    )
    print(f"  owner accuracy   {ratio(total.owners):.3f}  ({total.owners[0]}/{total.owners[1]})")
    print(f"  due accuracy     {ratio(total.dues):.3f}  ({total.dues[0]}/{total.dues[1]})")
    if sugg is None:
        print("  suggestion recall n/a (no commitment labelled implicit)")
    else:
        print(
            f"  suggestion recall {sugg:.3f}  ({total.implicit_found}/{total.implicit} found, "
            f"{total.implicit_as_suggestion} of them as suggestions)"
        )
    print(
        f"  false suggestions {per_doc:.2f} per document (worst {total.worst_false_suggestions}, "
        f"{total.suggestions} suggestions in all; {total.explicit_read_as_suggestion} were "
        "explicit items read as suggestions)"
    )


def load(path: Path) -> tuple[reader.PostMortem, str | None]:
    """Read a document as `import` does; a refused one counts as giving no item."""
    try:
        return reader.read(path), None
    except InputError as exc:
        pm = reader.read(path, force=True)
        return dataclasses.replace(pm, items=()), str(exc).removeprefix(f"{path}: ")


def run(corpus: Path, threshold: float, verbose: bool, repeat: int) -> int:
    """Score every labelled document and print the figures; return the exit status."""
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    tuned, held = Tally(), Tally()
    problems: list[str] = []
    texts: list[str] = []
    header = f"{'document':52} {'labels':>6} {'found':>5} {'tp':>3} {'fp':>3} {'fn':>3} {'sugg':>4}"
    # A corpus holding none of the held-out names is another one (a blind set kept
    # elsewhere): all of it is one group, measured against the targets and listed in full.
    foreign = not any(entry["file"] in HELD_OUT for entry in labels["documents"])
    groups = (("corpus", False),) if foreign else (("tuned", False), (HELD_NAME, True))
    for group, wanted in groups:
        print(f"\n{group}\n{header}")
        for entry in labels["documents"]:
            if (entry["file"] in HELD_OUT) != wanted:
                continue
            pm, refused = load(corpus / entry["file"])
            texts.append(pm.source)
            tally, notes = score(pm, entry, threshold)
            if refused:
                notes.insert(0, f"  REFUSED (nothing imported without --force): {refused}")
            explicit = sum(1 for lb in entry["items"] if not lb.get("implicit"))
            print(
                f"{entry['file'][:52]:52} {explicit:6} {len(pm.explicit_items):5} "
                f"{tally.tp:3} {tally.fp:3} {tally.fn:3} {tally.suggestions:4}"
            )
            if verbose and not wanted:
                for note in notes:
                    print(note)
            (held if wanted else tuned).add(tally)
            found = violations(pm, entry)
            problems += (
                found
                if not wanted
                else [f"(held-out) {len(found)} in {entry['file']}"] * bool(found)
            )

    if foreign:
        name, measured = f"corpus {corpus.name}", tuned
        report(name, measured)
    else:
        name, measured = HELD_NAME, held
        report("tuned", tuned)
        report(HELD_NAME, held)
    p, r, _ = measured.prf()
    figures: dict[str, float | None] = {
        "precision": p,
        "recall": r,
        "owner": ratio(measured.owners),
        # Nothing labelled implicit measures nothing: say so rather than pass.
        "suggestion recall": (
            measured.implicit_found / measured.implicit if measured.implicit else None
        ),
    }
    print(f"\n{name} against the targets")
    for name, target in TARGETS.items():
        figure = figures[name]
        if figure is None:
            print(f"  {name:18} n/a    target >= {target:.2f}: nothing labelled to measure")
            continue
        verdict = "meets" if figure >= target else "MISSES"
        print(f"  {name:18} {figure:.3f}  target >= {target:.2f}: {verdict}")
    worst = measured.worst_false_suggestions
    print(
        f"  false suggestions  worst {worst} per document  target <= 1: "
        f"{'meets' if worst <= 1 else 'MISSES'}"
    )
    if problems:
        print("\nitems from sections or text that must give none:")
        for v in problems:
            print(f"  {v}")
    else:
        print("\nno item came from a Lessons learned, Timeline, Root cause or similar section")

    size = sum(len(t.encode()) for t in texts)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            for text in texts:
                # Timing only: a document refused for its front matter is still read.
                reader.parse(text, lenient_front_matter=True)
        best = min(best, time.perf_counter() - start)
    per_doc = best / (repeat * len(texts)) * 1e3
    print(f"\nthroughput {size * repeat / best / 1e6:.1f} MB/s ({per_doc:.3f} ms per document)")
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run the benchmark."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default = next((c for c in CANDIDATES if (c / "labels.json").is_file()), CANDIDATES[0])
    ap.add_argument("--corpus", type=Path, default=default, help="labelled corpus folder")
    ap.add_argument("--threshold", type=float, default=0.8, help="title similarity to match")
    ap.add_argument("--repeat", type=int, default=20, help="parses per document for speed")
    ap.add_argument("-v", "--verbose", action="store_true", help="list misses (tuned only)")
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
