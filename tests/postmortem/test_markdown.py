"""The Markdown layer: the outline's sections, text runs, lists, tables and line numbers."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from followup.postmortem import markdown, parse
from followup.postmortem import outline as outline_module
from followup.postmortem.markdown import Source
from followup.postmortem.outline import Blocks, Resolver, build

FIXTURES = Path(__file__).parent / "fixtures"


def read_list(text: str) -> list[markdown.ListItem]:
    it = markdown.events(text)
    for ev, _ in it:
        if type(ev) is dict and "Start" in ev:
            return markdown.list_items(it)
    raise AssertionError("no list")


def test_outline_sections_and_lines_with_multibyte_text() -> None:
    src = Source("# Ünïcödé 🚀\n\nÄ paragraph — with dashes.\n\n## Äction\n\n- ✅ item\n")
    outline = build(src)
    assert [(s.level, s.text) for s in outline.sections] == [
        (0, ""),
        (1, "Ünïcödé 🚀"),
        (2, "Äction"),
    ]
    title, action = outline.sections[1:]
    assert (title.paragraphs, title.lists, title.first) == (1, 0, "paragraph")
    assert (action.lists, action.first) == (1, "list")
    assert [src.line(s.start) for s in outline.sections[1:]] == [1, 5]
    assert src.slice(action.body, action.end) == "\n- ✅ item\n"


def test_outline_counts_action_tables() -> None:
    outline = build(
        Source("Intro.\n\n| Action item | Owner |\n| --- | --- |\n| Add alerts | @bo |\n")
    )
    (pre,) = outline.sections
    assert (pre.tables, pre.action_tables, pre.paragraphs, pre.first) == (1, 1, 1, "paragraph")


TRICKY = [
    "# A\n\n```\n# not a heading\n```\n\n## B\n\ntext\n",
    "Setext\n======\n\npara\n\nTwo lines\nof title\n---\n\n- a\n\n---\n\n## C\n",
    "<!--\n# hidden\n-->\n\n# Shown\n",
    "- item\n  # nested heading\n\n# Top\n",
    "---\ntitle: x\n# comment: yes\n---\n\n# Title\n\n## Part\n",
    "~~~~\n```\n# in code\n~~~~\n\n#Not a heading\n\n### Real ###\n",
    "# [Linked](https://x.example) heading\n\n> # quoted\n\n    # code\n\n# End\n",
]


@pytest.mark.parametrize("text", TRICKY + [p.read_text() for p in sorted(FIXTURES.glob("*.md"))])
def test_the_cheap_outline_agrees_with_the_ranged_one(text: str) -> None:
    src = Source(text)
    ranged = outline_module._walk(src, markdown.events(text), ranged=True)
    built = build(src)
    assert [
        (s.level, s.text, s.start, s.body, s.end, s.lists, s.tables, s.paragraphs, s.first)
        for s in built.sections
    ] == [
        (s.level, s.text, s.start, s.body, s.end, s.lists, s.tables, s.paragraphs, s.first)
        for s in ranged.sections
    ]
    assert built.metadata == ranged.metadata


def test_the_cheap_outline_is_taken_when_headings_are_plain() -> None:
    assert outline_module._build_bare(Source("# A\n\ntext\n\n## B\n\n- x\n")) is not None
    assert outline_module._build_bare(Source("<!--\n# hidden\n-->\n\n# Shown\n")) is None


def test_inline_plain_text_keeps_spans() -> None:
    inline = read_list("- **Bold** and `code` and [a link](https://x.example/y) and *em* ~~x~~\n")[
        0
    ].inline
    assert inline.text == "Bold and code and a link and em x"
    assert [inline.text[s:e] for s, e in inline.strong] == ["Bold"]
    assert inline.code_texts() == ["code"]
    assert [inline.text[s:e] for s, e in inline.emphasis] == ["em"]
    assert [inline.text[s:e] for s, e in inline.struck] == ["x"]
    link = inline.links[0]
    assert (inline.text[link.start : link.end], link.url) == ("a link", "https://x.example/y")
    cut = inline.cut(9, 24)
    assert cut.text == "code and a link"
    assert cut.code_texts() == ["code"]
    assert cut.text[cut.links[0].start : cut.links[0].end] == "a link"


def test_nested_lists_code_blocks_and_html_are_kept_apart() -> None:
    text = (
        "1. Parent item\n   continued line\n\n   ```\n   code here\n   ```\n"
        "   <!-- note -->\n   - child one\n   - child two\n2. Second\n"
    )
    parent, second = read_list(text)
    assert parent.inline.text == "Parent item continued line"
    assert [c.inline.text for c in parent.children] == ["child one", "child two"]
    assert second.inline.text == "Second"
    assert Source(text).source(parent.start, parent.end).startswith("1. Parent item\n   cont")


def test_tables_head_and_rows() -> None:
    src = Source("| Item | Owner |\n| --- | --- |\n| Fix *it* | @al |\n| Other | |\n")
    blocks = Blocks(src, 0, len(src.data), Resolver(src.text))
    kinds = []
    for kind, _, _ in blocks:
        kinds.append(kind)
        table = blocks.table()
    assert kinds == ["table"]
    assert [c.text for c in table.head] == ["Item", "Owner"]
    assert [[c.text for c in row.cells] for row in table.rows] == [["Fix it", "@al"], ["Other", ""]]
    assert [src.line(r.start) for r in table.rows] == [3, 4]


def test_task_list_markers() -> None:
    items = read_list("- [x] done\n- [ ] open\n- plain\n")
    assert [i.checked for i in items] == [True, False, None]


def test_source_dedents_nested_items() -> None:
    text = "- parent\n    - child\n      more of the child\n"
    child = read_list(text)[0].children[0]
    assert Source(text).source(child.start, child.end) == "- child\n  more of the child"


def test_lines_when_looked_up_out_of_order() -> None:
    src = Source("a\n\nb\n\nc\n")
    assert [src.line(s) for s in (6, 3, 0)] == [5, 3, 1]


def test_blocks_of_a_slice_keep_absolute_offsets_and_document_references() -> None:
    text = "# T\n\n## Action items\n\n- [Fix it][r]\n\n## Notes\n\n[r]: https://x.example/1\n"
    src = Source(text)
    action = build(src).sections[2]
    blocks = Blocks(src, action.body, action.end, Resolver(text))
    for kind, start, _ in blocks:
        assert kind == "list"
        assert src.line(start) == 5
        (item,) = blocks.items()
        assert item.inline.links[0].url == "https://x.example/1"


def test_deep_nesting_needs_no_recursion() -> None:
    depth = 3000
    text = "## Action items\n\n" + "".join("  " * i + f"- step {i}\n" for i in range(depth))
    pm = parse(text)
    assert len(pm.items) == depth
    assert pm.items[-1].parent == f"step {depth - 2}"
    quotes = parse("## Action items\n\n" + ">" * 5000 + " deep\n\n- Real item\n")
    assert [i.title for i in quotes.items] == ["Real item"]


def test_reading_a_long_document_needs_memory_proportional_to_its_size() -> None:
    # One paragraph of a million short lines: 2 MB that once took a gigabyte to read.
    text = "# Incident\n\n## Summary\n\n" + "a\n" * 1_000_000
    tracemalloc.start()
    try:
        parse(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * len(text)


def test_a_paragraph_of_many_lines_in_an_action_section_stays_small() -> None:
    # Read closely, not skipped: its text once sat in a list of two pieces per line.
    text = "# Incident\n\n## Action items\n\n- Fix it. Owner: @dana\n\n" + "x\n" * 300_000
    tracemalloc.start()
    try:
        pm = parse(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [item.title for item in pm.items] == ["Fix it."]
    assert peak < 10 * len(text)


def test_a_long_run_of_text_keeps_every_piece_and_span_in_place() -> None:
    # Thousands of lines: the run joins its pieces as it goes, spans must still line up.
    lines = [f"w{i} **b{i}** `c{i}`" for i in range(3000)]
    run = markdown.parse_inline("\n".join(lines))
    assert run.text == " ".join(f"w{i} b{i} c{i}" for i in range(3000))
    assert [run.text[s:e] for s, e in run.strong] == [f"b{i}" for i in range(3000)]
    assert run.code_texts() == [f"c{i}" for i in range(3000)]
