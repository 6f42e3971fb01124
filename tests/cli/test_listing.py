"""The fast writers of `followup list`: Rich's table layout without Rich's cost, and JSON."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console

from followup.cli.listing import (
    OBJECT_SEPARATOR,
    marks_of,
    write_json,
    write_json_batches,
    write_lines,
    write_table,
)
from followup.cli.output import due_cell, items_lines, items_table
from followup.store.protection import BranchProtection
from followup.store.views import IssueLink, ItemView
from tests.sample_view import sample_view

TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def item(**fields: Any) -> ItemView:
    return sample_view(NOW, **fields)


def table(items: list[ItemView], width: int = 120, *, colour: bool = False) -> list[str]:
    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=colour,
        color_system="truecolor" if colour else None,
    )
    assert write_table(items, TODAY, console) == len(items)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return str(out).splitlines()


ITEMS = [
    item(),
    item(
        id="p8d2x1z",
        title="Rewrite the consumer so that a backlog of millions of messages drains within "
        "an hour instead of a day, and document how",
        owner="a-very-long-login-name",
        status="done",
        due=date(2026, 1, 5),
        issue=IssueLink(repo="octo-org/app", number=1234, url=None, state="closed"),
    ),
    item(id="q0w9e8r", title="把告警阈值调低 and page the on-call", status_reason="issue deleted"),
    item(
        id="z7y6x5w",
        postmortem="2026-04-01-pages",
        postmortem_title="Docs offline",
        kind="branch_protection",
        title="Protect gh-pages",
        protection=BranchProtection.from_stored({"repo": "octo-org/docs", "branch": "gh-pages"}),
        due=None,
        due_text="end of Q3",
    ),
]


@pytest.mark.parametrize("width", [120, 80])
def test_every_line_fits_the_terminal_and_columns_line_up(width: int) -> None:
    lines = table(ITEMS, width)
    assert all(cell_len(line) <= width for line in lines)
    header = next(line for line in lines if line.startswith(" ID "))
    status_at = header.index("Status")
    rows = [line for line in lines if line[1:8] in {i.id for i in ITEMS}]
    assert len(rows) == 4
    assert all(line[status_at - 1] == " " and line[status_at] in "○✔" for line in rows)
    # One table per post-mortem, in the order the items come.
    titles = [line for line in lines if "2026-05-01-queue" in line or "2026-04-01-pages" in line]
    assert [t.split()[-1] for t in titles] == ["2026-05-01-queue", "2026-04-01-pages"]


@pytest.mark.parametrize("width", [120, 100, 80])
def test_the_tables_are_the_ones_rich_draws(width: int) -> None:
    # Rich wraps a line that starts with wide characters oddly (it cuts a word it could
    # move down): the comparison is on the items without them.
    ascii_items = [i for i in ITEMS if i.title.isascii()]
    console = Console(file=io.StringIO(), width=width, color_system=None)
    drawn = items_table(ascii_items, TODAY, width)
    assert drawn is not None
    console.print(drawn)
    rich_lines = [line.rstrip() for line in console.file.getvalue().splitlines()]  # type: ignore[attr-defined]
    assert [line.rstrip() for line in table(ascii_items, width)] == rich_lines


def test_long_cells_wrap_fold_or_end_in_an_ellipsis() -> None:
    lines = table(ITEMS, 120)
    text = "\n".join(lines)
    assert "@a-very-long-…" in text  # the owner column stops at 14 cells
    assert "instead of a day, and document how" in " ".join(line.strip() for line in lines)
    assert "2026-01-05" in text and "2026-01-05 !" not in text  # done: never overdue
    assert "2026-12-01" in text
    assert "end of Q3" in text
    assert "octo-org/app#1234" in text
    assert "octo-org/docs:gh-pages" in text
    assert "issue deleted" in text  # the status reason, under the title


def test_narrow_terminals_show_the_target_under_the_title() -> None:
    lines = table(ITEMS, 80)
    assert not any("Target" in line for line in lines)
    assert any(line.strip() == "→ octo-org/app#1234" for line in lines)


def test_wide_characters_take_two_cells() -> None:
    lines = table([ITEMS[2]], 120)
    row = next(line for line in lines if "把告警" in line)
    header = next(line for line in lines if line.startswith(" ID "))
    assert cell_len(row[: row.index("@octocat")]) == header.index("Owner")


def test_text_from_documents_cannot_send_terminal_codes() -> None:
    hostile = item(title="Fix \x1b[2J\x1b[31mit\x07", owner="eve\x1b]0;pwned\x07")
    out = "\n".join(table([hostile], 120, colour=True))
    assert "\x1b[2J" not in out and "\x07" not in out and "\x1b]0" not in out
    assert "Fix [2J[31mit" in out  # the printable rest stays, as data


def test_colour_comes_from_the_console() -> None:
    plain = "\n".join(table(ITEMS, 120))
    coloured = "\n".join(table(ITEMS, 120, colour=True))
    assert "\x1b[" not in plain
    assert "\x1b[1mk3v9q2m\x1b[0m" in coloured  # the id in bold
    assert "\x1b[35m⛨ \x1b[0m" in coloured  # the protection mark in magenta


def test_json_is_one_array_of_the_items_json_forms() -> None:
    out = io.StringIO()
    assert write_json(iter(ITEMS), TODAY, out) == 4
    assert json.loads(out.getvalue()) == [i.to_json(TODAY) for i in ITEMS]
    empty = io.StringIO()
    assert write_json(iter([]), TODAY, empty) == 0
    assert json.loads(empty.getvalue()) == []


LINE_ITEMS = [
    *ITEMS,
    item(id="d1", title="Bell\x07 and\rCR", owner="eve\x0b", status_reason="gone\x0c"),
    item(id="d2", due=date(2026, 5, 1), due_source="policy", policy_due=date(2026, 5, 1)),
    item(id="d3", due=date(2026, 7, 1), policy_due=date(2026, 5, 1), priority=None),
    item(id="d4", due=None, due_text=None, policy_due=date(2026, 5, 1), owner=None),
    item(id="d5", due=None, due_text="soon! *", status="wont_do"),
]


def test_plain_lines_are_the_text_of_items_lines() -> None:
    console = Console(file=io.StringIO(), width=80, color_system=None)
    assert write_lines(iter(LINE_ITEMS), TODAY, console) == len(LINE_ITEMS)
    expected = "".join(f"{line.plain}\n" for line in items_lines(LINE_ITEMS, TODAY))
    assert console.file.getvalue() == expected  # type: ignore[attr-defined]


def test_the_marks_are_those_the_due_cells_show() -> None:
    for one in LINE_ITEMS:
        shown = due_cell(one, TODAY).plain if one.due or one.policy_due else ""
        assert marks_of(one, TODAY) == {m for m in ("*", "!", "⚑") if m in shown}, one.id


def test_json_is_byte_for_byte_what_the_encoder_writes() -> None:
    from followup.postmortem.model import Reference, RefKind

    odd = item(
        id="j1",
        title='Quote " backslash \\ tab \t bell \x07 é 把 \u2028 emoji 🚒',
        owner=None,
        priority=None,
        due=None,
        due_text=None,
        type=None,
        repo=None,
        status_reason="why\nnot",
        links=(Reference(kind=RefKind.URL, text="a link", url="https://example.com/x?a=1"),),
        policy_due=date(2026, 5, 1),
        due_source="policy",
    )
    many = [*ITEMS, *LINE_ITEMS, odd] * 150  # past the writer's chunk of 1,000 items
    out = io.StringIO()
    assert write_json(iter(many), TODAY, out) == len(many)
    encode = json.JSONEncoder(ensure_ascii=False).encode
    expected = "[\n  " + ",\n  ".join(encode(i.to_json(TODAY)) for i in many) + "\n]\n"
    assert out.getvalue() == expected


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_json_batches_are_written_as_the_stream_encodes_text(encoding: str) -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="\n")
    batches = ['{"a": "é"}', '{"b": 1}' + OBJECT_SEPARATOR + '{"c": "→"}']
    written = write_json_batches((b.encode() for b in batches), out)
    out.flush()
    assert written == 2
    text = '[\n  {"a": "é"},\n  {"b": 1},\n  {"c": "→"}\n]\n'
    # UTF-8 goes to the buffer as it is; another encoding gets the text, as print would.
    assert raw.getvalue() == text.encode(encoding, errors="replace")
    empty = io.StringIO()
    assert write_json_batches([], empty) == 0
    assert empty.getvalue() == "[]\n"
