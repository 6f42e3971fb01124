"""The outline built from pyromark's events: blocks, plain text, links and line numbers."""

from __future__ import annotations

import time
from pathlib import Path

import pyromark
import pytest

from followup.postmortem import markdown, parse
from followup.postmortem.markdown import Document

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_blocks_and_lines_with_multibyte_text() -> None:
    doc = Document("# Ünïcödé 🚀\n\nÄ paragraph — with dashes.\n\n## Äction\n\n- ✅ item\n")
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph", "heading", "list"]
    assert [doc.line(b.start) for b in doc.blocks] == [1, 3, 5, 7]
    assert doc.blocks[0].heading.text == "Ünïcödé 🚀"
    assert doc.blocks[2].level == 2


def test_inline_plain_text_keeps_spans() -> None:
    doc = Document("- **Bold** and `code` and [a link](https://x.example/y) and *em*\n")
    item = doc.list_items(doc.blocks[0].first)[0]
    inline = item.inline
    assert inline.text == "Bold and code and a link and em"
    assert [inline.text[s:e] for s, e in inline.strong] == ["Bold"]
    assert inline.code_texts() == ["code"]
    link = inline.links[0]
    assert (inline.text[link.start : link.end], link.url) == ("a link", "https://x.example/y")


def test_nested_lists_code_blocks_and_html_are_kept_apart() -> None:
    doc = Document(
        "1. Parent item\n   continued line\n\n   ```\n   code here\n   ```\n"
        "   <!-- note -->\n   - child one\n   - child two\n2. Second\n"
    )
    parent, second = doc.list_items(doc.blocks[0].first)
    assert parent.inline.text == "Parent item continued line"
    assert [c.inline.text for c in parent.children] == ["child one", "child two"]
    assert second.inline.text == "Second"
    assert doc.source(parent.start, parent.end).startswith("1. Parent item\n   continued")


def test_tables_head_and_rows() -> None:
    doc = Document("| Item | Owner |\n| --- | --- |\n| Fix *it* | @al |\n| Other | |\n")
    table = doc.table(doc.blocks[0].first)
    assert [c.text for c in table.head] == ["Item", "Owner"]
    assert [[c.text for c in row.cells] for row in table.rows] == [["Fix it", "@al"], ["Other", ""]]
    assert doc.table_head(doc.blocks[0].first) == ["Item", "Owner"]
    assert [doc.line(r.start) for r in table.rows] == [3, 4]


def test_task_list_markers() -> None:
    doc = Document("- [x] done\n- [ ] open\n- plain\n")
    assert [i.checked for i in doc.list_items(doc.blocks[0].first)] == [True, False, None]


def test_source_dedents_nested_items() -> None:
    doc = Document("- parent\n    - child\n      more of the child\n")
    child = doc.list_items(doc.blocks[0].first)[0].children[0]
    assert doc.source(child.start, child.end) == "- child\n  more of the child"


def test_lines_when_looked_up_out_of_order() -> None:
    doc = Document("a\n\nb\n\nc\n")
    starts = [b.start for b in doc.blocks]
    assert [doc.line(s) for s in reversed(starts)] == [5, 3, 1]


def _synthetic_document(items: int = 10) -> str:
    body = "\n".join(
        f"- **P{i % 4}** Fix the thing number {i} (@owner{i}) "
        f"[Issue](https://github.com/o/r/issues/{i})"
        for i in range(items)
    )
    prose = "Some prose about what happened, with a [link](https://example.com). " * 60
    return (
        f"---\ntitle: Speed\n---\n\n# Speed\n\n## Summary\n\n{prose}\n\n## Timeline\n\n"
        f"| Time | Event |\n| --- | --- |\n| 10:00 | Something |\n\n## Action items\n\n{body}\n"
    )


def test_a_document_of_many_short_lines_is_held_as_merged_text() -> None:
    words = [f"word{i}" for i in range(50_000)]
    text = "# Outage\n\n## Action items\n\n- Fix the alerting. Owner: @dana\n\n" + "\n".join(words)
    doc = Document(text)
    # Three blocks of a few events each, not two events per line.
    assert len(doc.events) < 20
    assert doc.paragraph(doc.blocks[-1]).text == " ".join(words)
    assert [i.title for i in parse(text).items] == ["Fix the alerting."]


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.md")), ids=lambda p: p.stem)
def test_merged_text_runs_read_exactly_like_separate_events(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_text(encoding="utf-8")
    separate = parse(text, path=str(path))
    monkeypatch.setattr(
        markdown,
        "_events",
        lambda t: markdown._coalesced(pyromark.events_with_range(t, options=markdown._OPTIONS)),
    )
    merged = parse(text, path=str(path))
    assert merged == separate


def test_many_items_scale_linearly() -> None:
    text = _synthetic_document(items=3000)
    start = time.perf_counter()
    assert len(parse(text).items) == 3000
    assert time.perf_counter() - start < 2.0
