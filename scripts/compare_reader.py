"""Check that the reader extracts exactly what a baseline revision's reader extracts.

    python scripts/compare_reader.py [--baseline main] [--mutations 12] [--corpus DIR]

Speed work on the reader must not change one field of one item. This runs the reader of a
baseline git revision (extracted with `git archive` into a temporary folder) and the working
tree's reader, each in its own process, over the same documents, and compares the complete
PostMortem each returns (every item, warning, title, date...), or the error each raises.

The documents: every Markdown file under tests/ and docs/, the README and its Markdown
examples, documents generated as benchmarks/parse.py makes them, the shared post-mortem
corpus when it is present (--corpus; never needed), a few large documents (long paragraphs,
code blocks and lists, the kind the reader parses in pieces), and seeded mutations of all of
them: lines dropped, doubled and moved, headings and fences and setext underlines and
reference definitions inserted, CRLF line ends, a byte order mark, indentation changed.
Prints how many documents matched and the first differences; exits 1 if any differ.
"""

from __future__ import annotations

import argparse
import difflib
import os
import pickle
import random
import re
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = ROOT.parent.parent / "shared" / "postmortem-corpus"

_CHILD = """
import pickle, sys
from followup.errors import InputError
from followup.postmortem import reader
docs = pickle.load(open(sys.argv[1], "rb"))
out = []
for name, text in docs:
    try:
        out.append(repr(reader.parse(text, path=name, default_repo="octo/repo")))
    except InputError as exc:
        out.append(f"InputError: {exc}")
pickle.dump(out, open(sys.argv[2], "wb"))
"""

# Lines a mutation splices in: each stresses one way Markdown's blocks begin or end.
_SNIPPETS = [
    "# Action items",
    "## Action Items",
    "### Follow-ups",
    "## Lessons learned",
    "## Timeline",
    "Action items",
    "============",
    "------------",
    "```",
    "~~~",
    "```text",
    "    indented code",
    "# not a heading inside a fence?",
    "<!--",
    "-->",
    "<div>",
    "</div>",
    "> quoted line",
    "- [ ] Add an alert on queue depth. Owner: @dana, due 2026-02-01",
    "- [x] Fix the retry loop (#123)",
    "  - Owner: @lee",
    "1. Rotate the certificate before it expires",
    "* Add a runbook [link][ref]",
    "| Action | Owner | Due |",
    "| --- | --- | --- |",
    "| Add a dashboard | @kim | 2026-03-01 |",
    "[ref]: https://example.com/tracker/42",
    "[REF]: https://example.com/other",
    "Action: page the on-call when the queue stalls.",
    "TODO: write the runbook for failover",
    "We will add a canary stage before every rollout.",
    "**Action Items:**",
    "Next steps:",
    "---",
    "",
    "",
    "plain words on a line",
    "*emphasis that opens",
    "and closes here*",
    "`code that opens",
    "closes`",
    "[a link that opens",
    "](https://example.com/x)",
    "ending with two spaces  ",
    "ending with a backslash\\",
]


def corpus(extra: Path | None, generated: int) -> list[tuple[str, str]]:
    """Return the (name, text) documents to compare before mutation."""
    docs: list[tuple[str, str]] = []
    for folder in (ROOT / "tests", ROOT / "docs"):
        for path in sorted(folder.rglob("*.md")):
            docs.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    docs.append(("README.md", readme))
    for i, block in enumerate(re.findall(r"```markdown\n(.*?)```", readme, re.DOTALL)):
        docs.append((f"README-example-{i}.md", block))
    if extra is not None and extra.is_dir():
        for path in sorted(extra.glob("*.md")):
            docs.append((f"corpus/{path.name}", path.read_text(encoding="utf-8")))
    sys.path.insert(0, str(ROOT))
    from benchmarks import parse as bench

    rng = random.Random(7)
    for i in range(generated):
        docs.append((f"generated-{i}.md", bench.document(i, rng)))
        if i % 10 == 0:
            docs.append((f"bulk-{i}.md", bench.bulk_document(i, rng)))
    docs += large_documents()
    return docs


def large_documents() -> list[tuple[str, str]]:
    """Return documents over 256 KB with long runs of plain lines in every kind of block."""
    # Long enough that the reader hands the parser their runs shortened (shorten.py).
    run = "".join(f"plain line {i} of the run\n" for i in range(12000))
    items = "".join(f"- step {i} of the incident\n" for i in range(12000))
    head = "# Incident\n\n## Action items\n\n- Fix it. Owner: @dana\n\n"
    return [
        ("large-paragraph.md", head + run),
        ("large-paragraph-setext.md", head + run + "===\n"),
        ("large-code.md", head + "```\n" + run + "```\n\n- After the code\n"),
        ("large-unclosed-code.md", head + "```\n" + run),
        ("large-indented.md", head + "".join("    " + ln + "\n" for ln in run.splitlines())),
        ("large-item.md", head + "- An item that goes on\n" + run + "\n- Another item\n"),
        ("large-quote.md", head + "> quoted\n" + run),
        ("large-html.md", head + "<div>\n" + run + "</div>\n\n- After\n"),
        ("large-comment.md", head + "<!--\n" + run + "-->\n\n- After\n"),
        ("large-emphasis.md", head + "*opens\n" + run + "closes*\n"),
        ("large-code-span.md", head + "`opens\n" + run + "closes`\n"),
        ("large-link.md", head + "[opens\n" + run + "](https://example.com)\n"),
        ("large-table.md", head + "| a | b |\n| - | - |\n" + run),
        ("large-labelled.md", "# Incident\n\n## Notes\n\nAction: fix the pager\n" + run),
        ("large-promise.md", "# Incident\n\n## Notes\n\n" + run + "We will add a canary.\n"),
        ("large-many-sections.md", "".join(f"## S{i}\n\n{run[:8000]}\n" for i in range(40))),
        ("large-crlf.md", (head + run).replace("\n", "\r\n")),
        ("large-bom.md", "\ufeff" + head + run),
        ("large-frontmatter.md", "---\ntitle: Big\n---\n" + head + run),
        ("large-list.md", head + "## Timeline\n\n" + items),
        ("large-loose-list.md", head + "## Timeline\n\n" + items + "\n- after a blank line\n"),
        ("large-action-list.md", head.rstrip("\n") + "\n" + items),
        (
            "large-refs.md",
            head + "- See [the tracker][t]\n\n" + run + "\n[t]: https://x.example/t\n",
        ),
    ]


def mutate(text: str, rng: random.Random, pool: list[str]) -> str:
    """Return the text changed in a few random places."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 6)):
        if not lines:
            lines = [""]
        at = rng.randrange(len(lines))
        op = rng.random()
        if op < 0.25:
            lines.insert(at, rng.choice(_SNIPPETS))
        elif op < 0.35:
            del lines[at]
        elif op < 0.45:
            lines.insert(at, lines[rng.randrange(len(lines))])
        elif op < 0.55:
            lines[at] = "  " + lines[at]
        elif op < 0.65:
            lines[at] = lines[at].lstrip()
        elif op < 0.75:
            donor = rng.choice(pool).split("\n")
            s = rng.randrange(len(donor))
            lines[at:at] = donor[s : s + rng.randint(1, 12)]
        elif op < 0.85:
            s = rng.randrange(len(lines))
            block = lines[s : s + rng.randint(1, 8)]
            del lines[s : s + len(block)]
            at = rng.randrange(len(lines) + 1)
            lines[at:at] = block
        else:
            lines.insert(at, "\n".join(f"filler line {i}" for i in range(rng.randint(50, 400))))
    out = "\n".join(lines)
    if rng.random() < 0.1:
        out = out.replace("\n", "\r\n")
    if rng.random() < 0.05:
        out = "\ufeff" + out
    return out


def run_reader(src: Path, docs_file: Path, out_file: Path) -> list[str]:
    """Parse every document with the reader under src, in a child process."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    subprocess.run(
        [sys.executable, "-c", _CHILD, str(docs_file), str(out_file)], check=True, env=env
    )
    with out_file.open("rb") as handle:
        result: list[str] = pickle.load(handle)
    return result


def baseline_source(revision: str, into: Path) -> Path:
    """Extract the baseline revision's src/ into a folder; return its path."""
    data = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def main(argv: list[str] | None = None) -> int:
    """Compare the baseline's and the working tree's readers; print what differs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="git revision to compare against")
    parser.add_argument("--mutations", type=int, default=12, help="mutated copies per document")
    parser.add_argument("--generated", type=int, default=200, help="generated post-mortems")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS)
    args = parser.parse_args(argv)

    docs = corpus(args.corpus, args.generated)
    rng = random.Random(args.seed)
    pool = [text for _, text in docs]
    for name, text in list(docs):
        # Large documents take long to read: a few mutations of each are enough.
        for n in range(args.mutations if len(text) < 100_000 else min(args.mutations, 3)):
            docs.append((f"{name}~{n}", mutate(text, rng, pool)))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        docs_file = folder / "docs.pickle"
        with docs_file.open("wb") as handle:
            pickle.dump(docs, handle)
        old = run_reader(baseline_source(args.baseline, folder / "old"), docs_file, folder / "a")
        new = run_reader(ROOT / "src", docs_file, folder / "b")
    differ = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    print(f"{len(docs) - len(differ)} of {len(docs)} documents read the same as {args.baseline}")
    for i in differ[:5]:
        print(f"--- {docs[i][0]}")
        diff = difflib.unified_diff(
            re.split(r"(?<=\), )", old[i]), re.split(r"(?<=\), )", new[i]), lineterm="", n=0
        )
        print("\n".join(list(diff)[:20]))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
