"""Write-back adds a reference to each item's own line and leaves every other byte alone."""

from __future__ import annotations

import shutil
import stat
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from followup.store import create_store_engine, session_scope
from followup.store.queries import ItemFilter, list_items
from followup.sync.importing import import_files
from followup.sync.writeback import (
    Edit,
    WriteBackError,
    add_references,
    cell_spans,
    split_lines,
    write_back,
)
from tests.conftest import GH_PAGES, MakeDbUrl

REF = "octo-org/docs#12"
TODAY = date(2026, 5, 4)


def test_a_list_item_gets_the_reference_at_the_end_of_its_line() -> None:
    text = "## Action items\n\n- Add an alert on queue depth @octocat\n- Write a runbook\n"
    new, added = add_references(text, [Edit(3, REF)])
    assert added == 1
    assert new == (
        "## Action items\n\n- Add an alert on queue depth @octocat (octo-org/docs#12)\n"
        "- Write a runbook\n"
    )


def test_a_wrapped_item_gets_it_after_its_last_line_not_in_its_children() -> None:
    text = (
        "- Add an alert on queue depth\n"
        "  before the next release  \n"
        "  - Owner: @octocat\n"
        "- Write a runbook\n"
    )
    new, _ = add_references(text, [Edit(1, REF)])
    # The hard break (two trailing spaces) stays after the reference.
    assert new.split("\n")[1] == "  before the next release (octo-org/docs#12)  "
    assert new.split("\n")[2] == "  - Owner: @octocat"


def test_a_table_row_fills_an_empty_or_todo_bug_cell() -> None:
    text = (
        "| Action Item | Owner | Bug |\n"
        "| --- | --- | --- |\n"
        "| Protect gh-pages | @dana | TODO |\n"
        "| Add an alert | @lee |  |\n"
        "| Write a runbook | @sam | |\n"
    )
    new, added = add_references(text, [Edit(3, "o/r#1"), Edit(4, "o/r#2"), Edit(5, "o/r#3")])
    assert added == 3
    assert new.split("\n")[2:5] == [
        "| Protect gh-pages | @dana | o/r#1 |",
        "| Add an alert | @lee | o/r#2 |",
        "| Write a runbook | @sam | o/r#3 |",
    ]


def test_a_table_row_with_a_filled_bug_cell_gets_it_in_the_item_cell() -> None:
    text = "Action | Bug\n--- | ---\nAdd an alert | [OPS-7](https://jira.example.com/OPS-7)\n"
    new, _ = add_references(text, [Edit(3, REF)])
    assert new.split("\n")[2] == (
        "Add an alert (octo-org/docs#12) | [OPS-7](https://jira.example.com/OPS-7)"
    )


def test_a_table_without_a_bug_column_gets_it_in_the_item_cell() -> None:
    text = "| Owner | Action item |\n|:--|:--|\n| @dana | Protect gh-pages \\| main |\n"
    new, _ = add_references(text, [Edit(3, REF)])
    assert new.split("\n")[2] == "| @dana | Protect gh-pages \\| main (octo-org/docs#12) |"


def test_cells_split_on_unescaped_pipes_only() -> None:
    row = "| a \\| b | c |"
    assert [row[s:e] for s, e in cell_spans(row)] == [" a \\| b ", " c "]
    assert [r[s:e] for r in ["a | b"] for s, e in cell_spans(r)] == ["a ", " b"]


def test_a_reference_already_there_is_not_added_twice() -> None:
    text = "- Add an alert (octo-org/docs#12)\n"
    assert add_references(text, [Edit(1, REF)]) == (text, 0)


def test_a_line_past_the_end_is_an_error() -> None:
    with pytest.raises(WriteBackError, match="line 9"):
        add_references("- one\n", [Edit(9, REF)])


def test_line_endings_and_the_bom_survive_byte_for_byte(tmp_path: Path) -> None:
    original = (
        "\ufeff# Outage\r\n"
        "\r\n"
        "## Action items\r\n"
        "\r\n"
        "- Add an alert on queue depth\r\n"
        "- Write a runbook\r\n"
        "\r\n"
        "| Action | Bug |\r\n"
        "| --- | --- |\r\n"
        "| Fix retries | TODO |\r\n"
        "Trailing text without a newline"
    ).encode()
    path = tmp_path / "pm.md"
    path.write_bytes(original)
    path.chmod(0o640)
    assert write_back(path, [Edit(5, "o/r#1"), Edit(10, "o/r#2")]) == 2
    data = path.read_bytes()
    assert data == original.replace(
        b"- Add an alert on queue depth\r\n", b"- Add an alert on queue depth (o/r#1)\r\n"
    ).replace(b"| Fix retries | TODO |", b"| Fix retries | o/r#2 |")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["pm.md"]


def test_old_mac_line_endings_are_kept() -> None:
    lines = split_lines("- one\r- two\r")
    assert lines == ["- one\r", "- two\r"]
    assert add_references("- one\r- two\r", [Edit(2, REF)])[0] == f"- one\r- two ({REF})\r"


def test_a_file_changed_since_import_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "pm.md"
    path.write_text("- Add an alert\n- Write a runbook\n", encoding="utf-8")
    with pytest.raises(WriteBackError, match="changed since it was imported"):
        write_back(path, [Edit(1, REF)], expected="- Add an alert\n")
    assert path.read_text(encoding="utf-8") == "- Add an alert\n- Write a runbook\n"


def test_after_write_back_a_reimport_keeps_ids_titles_and_records_the_links(
    tmp_path: Path, engine: Engine, make_db_url: MakeDbUrl
) -> None:
    path = tmp_path / GH_PAGES.name
    shutil.copy(GH_PAGES, path)
    import_files(engine, [path], default_repo="octo-org/docs")
    with session_scope(engine) as session:
        before = list_items(session, ItemFilter(), today=TODAY)
    lines = {item.title: item.line for item in before}
    edits = [
        Edit(lines["Investigate if debugging gh-pages could be improved."], "octo-org/docs#12"),
        Edit(
            lines[
                "Investigate if there are other technologies we ought to be using instead of "
                "gh-pages."
            ],
            "octo-org/docs#13",
        ),
    ]
    original = path.read_text(encoding="utf-8")
    assert write_back(path, edits, expected=original) == 2
    changed = path.read_text(encoding="utf-8")
    assert changed.count("octo-org/docs#1") == 2
    assert [
        a for a, b in zip(original.split("\n"), changed.split("\n"), strict=True) if a != b
    ] == [
        original.split("\n")[lines["Investigate if debugging gh-pages could be improved."] - 1],
        original.split("\n")[edits[1].line - 1],
    ]

    import_files(engine, [path], default_repo="octo-org/docs")
    with session_scope(engine) as session:
        after = list_items(session, ItemFilter(), today=TODAY)
    assert [(i.id, i.title, i.line) for i in after] == [(i.id, i.title, i.line) for i in before]
    refs = {i.title: [ref.text for ref in i.links] for i in after}
    assert refs["Investigate if debugging gh-pages could be improved."] == ["octo-org/docs#12"]
    # A fresh store (a CI job) reading the edited file derives the same ids too.
    fresh = create_store_engine(make_db_url())
    import_files(fresh, [path], default_repo="octo-org/docs")
    with session_scope(fresh) as session:
        again = list_items(session, ItemFilter(), today=TODAY)
    fresh.dispose()
    assert [(i.id, i.title) for i in again] == [(i.id, i.title) for i in before]


def test_list_items_and_filled_table_rows_keep_their_titles_after_write_back(
    tmp_path: Path, engine: Engine
) -> None:
    path = tmp_path / "2026-05-01-queue.md"
    path.write_text(
        "# Queue\n\n## Action items\n\n"
        "- Add an alert on queue depth @octocat\n"
        "- Write a runbook for draining\n  the queue (P2)\n"
        "\n## Follow-ups\n\n"
        "| Action | Owner | Bug |\n| --- | --- | --- |\n"
        "| Raise the worker pool limit | @hubot | OPS-7 |\n",
        encoding="utf-8",
    )
    import_files(engine, [path], default_repo="octo-org/docs")
    with session_scope(engine) as session:
        before = list_items(session, ItemFilter(), today=TODAY)
    edits = [Edit(item.line, f"octo-org/docs#{n}") for n, item in enumerate(before, start=1)]
    assert write_back(path, edits) == 3
    text = path.read_text(encoding="utf-8")
    assert "- Add an alert on queue depth @octocat (octo-org/docs#1)\n" in text
    assert "  the queue (P2) (octo-org/docs#2)\n" in text
    assert "| Raise the worker pool limit (octo-org/docs#3) | @hubot | OPS-7 |\n" in text

    import_files(engine, [path], default_repo="octo-org/docs")
    with session_scope(engine) as session:
        after = list_items(session, ItemFilter(), today=TODAY)
    assert [(i.id, i.title) for i in after] == [(i.id, i.title) for i in before]
    assert [[ref.text for ref in i.links if ref.kind.value == "issue"] for i in after] == [
        ["octo-org/docs#1"],
        ["octo-org/docs#2"],
        ["octo-org/docs#3"],
    ]
