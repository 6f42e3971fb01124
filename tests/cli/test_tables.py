"""The table writer (cli/tables.py) writes, byte for byte, what the writer it replaced wrote.

tests/cli/reference_table.py keeps that writer. Both write generated post-mortems of
every shape a table meets (wide characters, control codes, titles that wrap, owners cut
short, targets that fold, notes, protections, every due date and mark) at terminals
from wide to too narrow for a table, with and without colour; the new one also takes
them in the chunks the direct reader gives (many post-mortems, plain and not, at once).
"""

from __future__ import annotations

import io
import random
from collections.abc import Hashable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from rich.console import Console

from followup.cli import table_cells, table_texts, tables
from followup.cli.listing import marks_of, write_table
from followup.cli.output import due_cell
from followup.cli.tables import write_groups
from followup.statuses import Status
from followup.store.protection import BranchProtection
from followup.store.table_rows import TableChunk, TableRow, chunks_of, due_fields, due_key
from followup.store.views import IssueLink, ItemView
from tests.cli import reference_table
from tests.sample_view import sample_view

TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, tzinfo=UTC)

WORDS = ["alert", "queue", "depth", "drain", "the", "a", "backlog", "of", "millions", "x"]
ODD_TEXTS = [
    "把告警阈值调低 and page the on-call",
    "emoji 🚒 in the middle",
    "bell\x07 escape \x1b[2J tab\there line\nbreak c1\x85 del\x7f",
    "⛨ starts with the protection mark",
    "  leading and trailing spaces  ",
    "double  spaces  between  words",
    "averyveryveryveryveryveryveryveryveryverylongwordthatcannotwrapanywhereatall",
    "ends with a space ",
    "é accents à la carte, ü",
    "",
]


OWNERS = [None, "", "kim", "a-very-long-login-name", "eve\x1b]0", "李雷", "\x07"]


def _text(rng: random.Random, longest: int) -> str:
    if rng.random() < 0.2:
        return rng.choice(ODD_TEXTS)
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, longest)))


def _day(rng: random.Random) -> date:
    return TODAY + timedelta(days=rng.randint(-60, 60))


def _item(rng: random.Random, n: int, postmortem: tuple[str, str]) -> ItemView:
    fields: dict[str, Any] = {
        "id": rng.choice([f"i{n:06d}", f"id{n}", f"x{n}\x07", f"漢{n}"]),
        "postmortem": postmortem[0],
        "postmortem_title": postmortem[1],
        "title": _text(rng, 25),
        "owner": rng.choice(
            [None, "", "kim", "a-very-long-login-name", "eve\x1b]0", "李雷", "\x07"]
        ),
        "priority": rng.choice([None, "", "P0", "P1", "P3\x07", "urgent"]),
        "status": rng.choice([*(s.value for s in Status), "mystery"]),
        "kind": "issue",
        "due": None,
        "due_text": None,
    }
    due = rng.random()
    if due < 0.5:
        fields["due"] = _day(rng)
        fields["due_text"] = fields["due"].isoformat()
        fields["due_source"] = rng.choice([None, "document", "policy", "edited"])
    elif due < 0.8:
        fields["due_text"] = rng.choice(["", "end of Q3", "soon! *", "⚑ flagged", "next week"])
    policy = rng.random()
    if policy < 0.5:
        fields["policy_due"] = _day(rng)
    elif policy < 0.55:
        fields["policy_due"] = date.max
    if rng.random() < 0.15:
        fields["status_reason"] = _text(rng, 12)
    target = rng.random()
    if target < 0.4:
        repo = rng.choice(["octo-org/app", "an-org-with-a-long-name/and-a-long-repository"])
        fields["issue"] = IssueLink(repo=repo, number=rng.randint(1, 99999), url=None, state=None)
    elif target < 0.5:
        fields["kind"] = "branch_protection"
        fields["protection"] = BranchProtection.from_stored(
            {"repo": "octo-org/docs", "branch": rng.choice(["main", "gh-pages", "release/1.x"])}
        )
    return sample_view(NOW, **fields)


def _items(seed: int, postmortems: int = 40) -> list[ItemView]:
    rng = random.Random(seed)
    items: list[ItemView] = []
    n = 0
    for pm in range(postmortems):
        slug = rng.choice([f"pm-{pm}", f"pm-{pm}-a-long-slug-too"])
        title = rng.choice([f"Post-mortem {pm}", _text(rng, 20)])
        for _ in range(rng.randint(1, 8)):
            items.append(_item(rng, n, (slug, title)))
            n += 1
    return items


# Post-mortems whose every item is plain ASCII: the fast path's own (wrapping included).
def _plain_items(seed: int) -> list[ItemView]:
    rng = random.Random(seed)
    items = []
    for n in range(300):
        items.append(
            sample_view(
                NOW,
                id=f"p{n:05d}",
                postmortem=f"pm-{n // 7}",
                postmortem_title=f"Incident {n // 7}",
                title=" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 30))),
                owner=rng.choice(["kim", "lee", "a-login-longer-than-fourteen", None]),
                priority=rng.choice(["P0", "P2", None]),
                status=rng.choice(["open", "filed", "done"]),
                due=_day(rng) if rng.random() < 0.8 else None,
                due_source=rng.choice([None, "policy"]),
                policy_due=_day(rng) if rng.random() < 0.5 else None,
                issue=IssueLink("octo-org/app", n, None, None) if rng.random() < 0.7 else None,
            )
        )
    return items


def _console(width: int, colour: str | None) -> Console:
    return Console(
        file=io.StringIO(),
        width=width,
        force_terminal=True,
        color_system=colour,  # type: ignore[arg-type]
        legacy_windows=False,
    )


def reference(items: list[ItemView], width: int, colour: str | None) -> str:
    console = _console(width, colour)
    assert reference_table.write_table(items, TODAY, console) == len(items)
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


def written(items: list[ItemView], width: int, colour: str | None) -> str:
    console = _console(width, colour)
    assert write_table(items, TODAY, console) == len(items)
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


def in_one_chunk(items: list[ItemView], width: int, colour: str | None) -> tuple[str, set[str]]:
    """Write the items as the direct reader hands them over: many post-mortems a chunk."""
    headings: dict[Hashable, tuple[str, str]] = {}
    rows: list[TableRow] = []
    for chunk in chunks_of(items, TODAY):
        headings.update(chunk.headings)
        rows.extend(chunk.rows)
    console = _console(width, colour)
    marks: set[str] = set()
    half = len(rows) // 2
    # Cut at a post-mortem's end, as the reader does.
    while 0 < half < len(rows) and rows[half][0] == rows[half - 1][0]:
        half += 1
    parts = [TableChunk.of_rows(headings, rows[:half]), TableChunk.of_rows(headings, rows[half:])]
    assert write_groups(parts, TODAY, console, marks) == len(items)
    return console.file.getvalue(), marks  # type: ignore[attr-defined]


WIDTHS = [200, 160, 120, 100, 80, 60, 45, 30]
COLOURS = [None, "standard", "truecolor"]


@pytest.mark.parametrize("colour", COLOURS)
@pytest.mark.parametrize("width", WIDTHS)
def test_tables_of_every_shape_are_the_reference_ones(width: int, colour: str | None) -> None:
    for seed in range(3):
        items = _items(seed)
        expected = reference(items, width, colour)
        assert written(items, width, colour) == expected
        chunked, marks = in_one_chunk(items, width, colour)
        assert chunked == expected
        assert marks == set().union(*(marks_of(item, TODAY) for item in items))


@pytest.mark.parametrize("colour", COLOURS)
@pytest.mark.parametrize("width", [300, 160, 120, 90])
def test_plain_tables_are_the_reference_ones(width: int, colour: str | None) -> None:
    items = _plain_items(width)
    expected = reference(items, width, colour)
    assert written(items, width, colour) == expected
    assert in_one_chunk(items, width, colour)[0] == expected


def test_the_data_covers_what_the_writer_tells_apart() -> None:
    text = reference(_items(0) + _items(1) + _items(2), 100, "standard")
    for seen in ("漢", "…", "→ ", "\x1b[35m⛨ \x1b[0m", "\x1b[33m", "!", "⚑", "*", "? mystery"):
        assert seen in text, seen
    # Plain tables with rows whose title wraps and owners cut short.
    plain = reference(_plain_items(120), 120, None)
    assert "@a-login-long…" in plain and "\n" + " " * 20 in plain
    narrow = reference(_items(0), 45, None)
    assert "Target" not in narrow  # narrow tables
    assert any(line.startswith("  ") and "  due " in line for line in narrow.splitlines())


def test_a_due_key_gives_the_due_cell_of_the_item() -> None:
    rng = random.Random(7)
    for n in range(500):
        item = _item(rng, n, ("pm", "Post-mortem"))
        for today in (TODAY, date.max):
            key = due_key(
                item.status,
                None if item.due is None else item.due.isoformat(),
                item.due_text,
                item.due_source,
                None if item.policy_due is None else item.policy_due.isoformat(),
                TODAY.isoformat(),
            )
            fields = due_fields(key, TODAY)
            stand_in = table_texts.stand_in(fields)
            assert due_cell(stand_in, today) == due_cell(item, today), (item, today)
            assert (stand_in.due is None and stand_in.policy_due is None) == (
                item.due is None and item.policy_due is None
            )


def test_wrapping_plain_text_is_wrapping_any() -> None:
    rng = random.Random(3)
    alphabet = ["a", "bb", "ccc", "dddddddd", " ", " ", "  ", "x" * 25]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        width = rng.randint(1, 40)
        assert table_cells.wrap_plain(text, width) == table_cells.wrap(text, width), (text, width)


@pytest.mark.parametrize("colour", COLOURS)
def test_due_cells_made_from_another_date_are_rich_ones(colour: str | None) -> None:
    # The writer works a due date's cell out once per flags and puts the other dates in;
    # each must be the cell Rich gives for that date (the last day too: never late).
    rng = random.Random(11)
    writer = tables.TableWriter(_console(120, colour), TODAY).cells
    fresh = tables.TableWriter(_console(120, colour), TODAY).cells
    days = [TODAY, TODAY - timedelta(days=1), date.max, date.max - timedelta(days=1), date.min]
    days += [_day(rng) for _ in range(40)]
    for n in range(400):
        item = _item(rng, n, ("pm", "Post-mortem"))
        for day in (item.due, rng.choice(days)):
            key = due_key(
                item.status,
                None if day is None else day.isoformat(),
                item.due_text,
                item.due_source,
                None if item.policy_due is None else item.policy_due.isoformat(),
                TODAY.isoformat(),
            )
            got = writer.due(key)
            expected = fresh.new_due(key)
            assert (got.plain, got.painted, got.width, got.widest, got.marks) == (
                expected.plain,
                expected.painted,
                expected.width,
                expected.widest,
                expected.marks,
            ), key
    assert writer.due_shapes  # the dates' cells were made from others
