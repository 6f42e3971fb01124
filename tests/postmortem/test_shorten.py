"""Long runs of plain lines reach the parser shortened, and the reader sees the same events."""

from __future__ import annotations

import random
from pathlib import Path

import pyromark
import pytest

from followup.errors import InputError
from followup.postmortem import markdown, outline, shorten
from followup.postmortem.markdown import Source
from followup.postmortem.reader import parse

FIXTURES = Path(__file__).parent / "fixtures"
RUN = "".join(f"plain line {i} of the run\n" for i in range(8))
ITEMS = "".join(f"- step {i} went fine\n" for i in range(8))
ACTION = "# Incident\n\n## Action items\n\n- Fix it. Owner: @dana\n\n"
TIMELINE = "# Incident\n\n## Timeline\n\n"


@pytest.fixture
def short_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorten runs of three plain lines or more in documents of any size."""
    monkeypatch.setattr(shorten, "LONG_DOCUMENT", 0)
    monkeypatch.setattr(shorten, "RUN_LINES", 3)


# Runs the parser reads as a paragraph's own text: left out, then put back.
HELD = {
    "paragraph": ACTION + RUN,
    "paragraph after text": ACTION + "Some words first\n" + RUN + "and after\n",
    "two runs": ACTION + RUN + "\n## Notes\n\n" + RUN,
    "no final newline": ACTION + RUN + "last words",
    "list item, lazily": ACTION + "- An item that goes on\n" + RUN + "\n- Another item\n",
    "quote, lazily": ACTION + "> quoted\n" + RUN,
    "between spans": ACTION + "*a* `b` [c](u)\n" + RUN + "**d** <b>e</b>\n",
    "reference used after": ACTION + "- See [t]\n\n" + RUN + "\n[t]: https://x.example/t\n",
    "list items": TIMELINE + ITEMS,
    "list items after others": TIMELINE + "- [ ] a *first* one\n" + ITEMS + "- a **last** one\n",
    "list items, nested after": TIMELINE + ITEMS + "  - nested under the last\n",
    "list items, star": TIMELINE + ITEMS.replace("- ", "* "),
    "list items, two bullets": TIMELINE + ITEMS + ITEMS.replace("- ", "+ "),
    "action items": ACTION.rstrip("\n") + "\n" + ITEMS.replace("went fine", "to fix, owner @kim"),
}

# Runs whose lines are something else: handed to the parser whole.
WHOLE = {
    "setext heading": ACTION + RUN + "===\n",
    "setext heading, dashes": ACTION + RUN + "---\n",
    "fenced code": ACTION + "```\n" + RUN + "```\n\n- After the code\n",
    "unclosed fence": ACTION + "~~~\n" + RUN,
    "indented code": ACTION + "".join("    " + ln + "\n" for ln in RUN.splitlines()),
    "table rows": ACTION + "| a | b |\n| - | - |\n" + RUN,
    "html block": ACTION + "<div>\n" + RUN + "</div>\n\n- After\n",
    "html comment": ACTION + "<!--\n" + RUN + "-->\n\n- After\n",
    "emphasis": ACTION + "*opens\n" + RUN + "closes*\n",
    "code span": ACTION + "`opens\n" + RUN + "closes`\n",
    "link text": ACTION + "[opens\n" + RUN + "](https://example.com)\n",
    "link title": ACTION + '[a](https://example.com "opens\n' + RUN + 'closes")\n',
    "inline html": ACTION + '<span title="\n' + RUN + '">x</span>\n',
    "definition title": ACTION + '[d]: /url "opens\n' + RUN + 'closes"\n\n[d]\n',
    "front matter": "---\n" + RUN + "---\n" + ACTION,
    "loose list": TIMELINE + ITEMS + "\n- after a blank line\n",
    "items in a fence": TIMELINE + "```\n" + ITEMS + "```\n",
    "items in html": TIMELINE + "<div>\n" + ITEMS + "</div>\n",
    "items in a comment": TIMELINE + "<!--\n" + ITEMS + "-->\n",
}


@pytest.mark.usefixtures("short_runs")
@pytest.mark.parametrize("text", list(HELD.values()), ids=list(HELD))
def test_a_run_of_paragraph_lines_is_left_out_and_put_back(text: str) -> None:
    src = Source(text)
    assert len(shorten._whole(src)) < len(text)
    assert list(shorten.events(src, 0, len(src.data))) == list(markdown.events(text))


@pytest.mark.usefixtures("short_runs")
@pytest.mark.parametrize("text", list(WHOLE.values()), ids=list(WHOLE))
def test_a_run_that_is_no_paragraph_text_is_parsed_whole(text: str) -> None:
    src = Source(text)
    assert shorten._whole(src) == text
    assert list(shorten.events(src, 0, len(src.data))) == list(markdown.events(text))
    assert list(shorten.bare_events(src)) == list(pyromark.events(text, options=markdown.OPTIONS))


@pytest.mark.usefixtures("short_runs")
def test_a_run_that_holds_in_one_slice_and_not_in_another_is_checked_per_slice() -> None:
    # Fenced in the first section, a paragraph in the second: each slice checks its own.
    text = "# A\n\n```\n" + RUN + "```\n\n# B\n\n" + RUN + "\n# C\n\n`x\n" + RUN + "x`\n"
    src = Source(text)
    resolve = outline.Resolver(src)
    for sec in outline.build(src).sections:
        want = markdown.events(src.slice(sec.body, sec.end), outline.Resolver(text))
        assert list(shorten.events(src, sec.body, sec.end, resolve)) == list(want)


@pytest.mark.usefixtures("short_runs")
def test_reference_definitions_are_read_from_the_shortened_document() -> None:
    url = "https://github.com/o/r/issues/7"
    text = ACTION + "- Fix [it][t]\n\n## Notes\n\n" + RUN + f"\n[t]: {url} 'T'\n"
    assert len(shorten._whole(Source(text))) < len(text)
    assert shorten.definitions(Source(text))["t"]["dest"] == url
    items = parse(text).items
    assert [ref.url for ref in items[1].references] == [url]


@pytest.mark.usefixtures("short_runs")
def test_the_ranges_of_put_back_lines_point_at_them_in_the_document() -> None:
    text = ACTION + "First words\n" + RUN + "Last words\n"
    src = Source(text)
    texts = [(ev["Text"], rng) for ev, rng in shorten.events(src, 0, len(src.data)) if "Text" in ev]
    for piece, rng in texts:
        assert src.slice(rng["start"], rng["end"]) == piece


def _mutated(rng: random.Random, texts: list[str]) -> str:
    lines = rng.choice(texts).split("\n")
    for _ in range(rng.randint(1, 5)):
        at = rng.randrange(len(lines) + 1)
        snippet = rng.choice(
            [RUN, ITEMS, "```", "===", "- item", "> quote", "*", "`", "[t]: /u", "    code", ""]
        )
        lines[at:at] = snippet.rstrip("\n").split("\n")
    return "\n".join(lines)


def _read(text: str) -> str:
    try:
        return repr(parse(text))
    except InputError as exc:
        return f"error: {exc}"


def test_the_reader_extracts_the_same_with_runs_shortened(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.md"))]
    texts += list(HELD.values()) + list(WHOLE.values())
    texts += ["\ufeff" + text.replace("\n", "\r\n") for text in HELD.values()]  # BOM, CRLF
    rng = random.Random(12)
    texts += [_mutated(rng, texts) for _ in range(150)]
    monkeypatch.setattr(shorten, "LONG_DOCUMENT", 1 << 40)
    plain = [_read(text) for text in texts]
    monkeypatch.setattr(shorten, "LONG_DOCUMENT", 0)
    monkeypatch.setattr(shorten, "RUN_LINES", 3)
    assert sum(len(shorten._whole(Source(t))) < len(t) for t in texts) > 50
    assert [_read(text) for text in texts] == plain


def test_a_long_paragraph_of_short_lines_reaches_the_parser_as_two_lines() -> None:
    # The pathological document of issue 12, a third of its size: the parser gets kilobytes.
    text = ACTION + "x\n" * 300_000
    src = Source(text)
    assert len(text) > shorten.LONG_DOCUMENT
    assert len(shorten._whole(src)) < 100
    assert [item.title for item in parse(text).items] == ["Fix it."]


def test_a_short_document_is_parsed_as_it_is() -> None:
    text = ACTION + RUN * 100
    assert shorten._whole(Source(text)) == text
