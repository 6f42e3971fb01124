"""Hostile text from GitHub and from documents reaches the terminal inert, never as markup.

Before: `\\x1b[2J` in an issue title cleared the screen, `\\x1b]0;…` retitled the
terminal (and the TUI's pane), and `show` rendered GitHub strings as Rich markup, so a
title `[link=http://evil]L[/link]` became a real hyperlink. Every string from outside is
now cleaned once where it enters (followup/text.py), and no console reads markup.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from followup import postmortem
from followup.config import Settings
from followup.github import ClientOptions, GitHub, GraphQLError
from followup.github.issue_mapping import remote_issue_from_rest
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.models import IssueRow, ItemRow, PostMortemRow
from followup.sync.importing import import_files
from followup.sync.links import apply_issue
from followup.text import REPLACEMENT, clean, clean_fields, clean_json_text, is_clean
from tests.conftest import RunCli
from tests.sync.world import ALERT, PIN, RUNBOOK, fake_clock, filed_store

# The corpus: each entry would do something to a terminal or to Rich if shown raw.
HOSTILE: dict[str, str] = {
    "clear screen": "\x1b[2J",
    "retitle": "\x1b]0;pwned\x07",
    "hyperlink": "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\",
    "rich link": "[link=http://evil]L[/link]",
    "rich style": "[bold red]loud[/bold red]",
    "emoji code": ":warning:",
    "right-to-left override": "txt.exe\u202egnp",
    "isolate": "\u2067abc\u2069",
    "nul": "a\x00b",
    "carriage return": "safe\roverwritten",
    "backspace": "abc\x08\x08\x08xyz",
    "bell": "\x07",
    "c1 csi": "\x9b31mred",
    "delete": "a\x7fb",
    "long line": "x" * 5000,
}
UNSAFE = [
    *(chr(c) for c in range(0x20) if chr(c) not in "\t\n"),
    *(chr(c) for c in range(0x7F, 0xA0)),
    *(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))),
]


# -- the sanitiser --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_every_hostile_string_comes_out_inert(name: str) -> None:
    cleaned = clean(HOSTILE[name])
    assert is_clean(cleaned)
    assert not any(ch in cleaned for ch in UNSAFE)
    assert clean(cleaned) == cleaned  # once is enough: cleaning again changes nothing


def test_control_characters_become_visible_not_removed() -> None:
    assert clean("\x1b[2J") == "␛[2J"
    assert clean("\x1b]0;pwned\x07") == "␛]0;pwned␇"
    assert clean("a\x00b\x7fc") == "a␀b␡c"
    assert clean("safe\roverwritten") == "safe␍overwritten"
    assert clean("txt.exe\u202egnp") == f"txt.exe{REPLACEMENT}gnp"
    assert clean("\x9b31m") == f"{REPLACEMENT}31m"


def test_tabs_newlines_and_ordinary_text_stay() -> None:
    text = "Line one\n\tindented — «quoted» 日本語 [not markup] :ok:"
    assert clean(text) is text
    assert clean("a\r\nb") == "a\nb"


def cleaned(value: Any) -> Any:
    """Return what decoding should give: every string of value cleaned."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [cleaned(v) for v in value]
    if isinstance(value, dict):
        return {clean(k): cleaned(v) for k, v in value.items()}
    return value


def decode(raw: str) -> Any:
    return json.loads(clean_json_text(raw))


@pytest.mark.parametrize("char", UNSAFE, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("ascii_only", [True, False])
def test_json_text_with_any_unsafe_character_decodes_clean(char: str, ascii_only: bool) -> None:
    # Every spelling JSON allows, escaped or raw, in values and in keys.
    value = {"title": f"a{char}b", "labels": [{"name": char}], f"k{char}": 1}
    assert decode(json.dumps(value, ensure_ascii=ascii_only)) == cleaned(value)


def test_crlf_is_a_newline_however_json_spells_it() -> None:
    assert decode('"a\\r\\nb"') == decode('"a\\u000D\\u000ab"') == "a\nb"
    assert decode('"a\\rb"') == "a␍b"


@pytest.mark.parametrize(
    "raw",
    [
        '"\\u000d\\u000a"',
        '"\\u000D\\n"',
        '"\\r\\u000A"',
        '"\\u000d\\r\\n"',
        '"\\r\\r\\n\\r\\n"',
        '"\\\\r\\n"',
        '"\\\\\\r\\n"',
        '"\\u001B\\u009b\\u202E\\u2069\\u007F"',
    ],
)
def test_every_spelling_of_a_control_character_in_json_is_cleaned(raw: str) -> None:
    assert decode(raw) == clean(json.loads(raw))


def test_a_literal_backslash_is_not_an_escape() -> None:
    value = {"body": "C:\\repo\\readme \\r\\n \\u001b \\\\b"}
    assert decode(json.dumps(value)) == value


def test_decoding_clean_json_text_equals_cleaning_what_json_decodes() -> None:
    # Random strings over an alphabet of the characters that matter to the escapes.
    alphabet = [
        "a",
        "\\",
        '"',
        "r",
        "n",
        "u",
        "0",
        "\r",
        "\n",
        "\t",
        "\x1b",
        "\x7f",
        "\x9b",
        "\u202e",
        "\u2066",
        "é",
        "\U0001f600",
        "/",
    ]
    rng = random.Random(9)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
        for ascii_only in (True, False):
            raw = json.dumps({"t": text, text: [text]}, ensure_ascii=ascii_only)
            assert decode(raw) == cleaned(json.loads(raw)), repr(raw)


def test_clean_json_text_leaves_a_clean_answer_as_it_is() -> None:
    raw = json.dumps({"title": "Add an alert", "body": "line\nline \\ tab\t"})
    assert clean_json_text(raw) == raw


class Colour(StrEnum):
    RED = "\x1b[31m"


@dataclass(frozen=True)
class Doc:
    title: str
    source: str
    tags: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    colour: Colour = Colour.RED


def test_clean_fields_cleans_nested_strings_and_keeps_what_it_is_told() -> None:
    doc = Doc("\x1b[2J", "\x1b[2J raw", ("\u202e",), {"k": ["\x07"]})
    cleaned = clean_fields(doc, keep=("source",))
    assert cleaned == Doc("␛[2J", "\x1b[2J raw", (REPLACEMENT,), {"k": ["␇"]})
    assert cleaned.colour is Colour.RED  # an enum is a value, not text
    assert clean_fields(doc, source="all clean") is doc


# -- GitHub's answers ---------------------------------------------------------------------


@pytest.mark.vcr
def test_graphql_error_text_is_cleaned(github_token: str) -> None:
    client = GitHub(github_token, ClientOptions(write_interval=0, max_retries=0))
    with pytest.raises(GraphQLError) as info:
        client.graphql("query { viewer { login } }")
    assert str(info.value) == "GitHub GraphQL query failed: ␛]0;pwned␇ [link=http://evil]L[/link]"


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, github_token: str) -> None:
    monkeypatch.setenv("GH_TOKEN", github_token)
    monkeypatch.setenv("FOLLOWUP_MAX_RETRIES", "0")
    monkeypatch.setenv("FOLLOWUP_SYNC_CONCURRENCY", "1")
    monkeypatch.setenv("COLUMNS", "200")


def assert_inert(output: str) -> None:
    """Assert that printed output holds no control sequence and no interpreted markup."""
    assert not any(ch in output for ch in UNSAFE), repr(output)


@pytest.mark.vcr
@pytest.mark.usefixtures("environment")
def test_hostile_titles_logins_and_labels_from_a_sync_print_inert(
    run_cli: RunCli, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = filed_store(engine, fake_clock(monkeypatch))

    synced = run_cli("sync")

    assert synced.exit_code == 0, synced.output
    assert_inert(synced.output)
    with session_scope(engine) as session:
        stored = {r.number: r for r in session.exec(select(IssueRow))}
    assert stored[12].title == "␛[2J Add an alert on queue depth"
    assert stored[12].assignees == ["al␛]0;x␇"]
    assert f"{REPLACEMENT}label" in stored[12].labels
    assert stored[13].title == "[link=http://evil]L[/link]"

    listed = run_cli("list")
    assert_inert(listed.output)
    assert "al␛]0;x␇" in listed.stdout  # the owner, taken from the assignee
    for title in (ALERT, RUNBOOK, PIN):
        shown = run_cli("show", ids[title])
        assert shown.exit_code == 0, shown.output
        assert_inert(shown.output)
    runbook = run_cli("show", ids[RUNBOOK]).stdout
    assert "[link=http://evil]L[/link]" in runbook  # shown as written, not as a link
    assert "\x1b]8;" not in runbook


HOSTILE_DOCUMENT = """---
title: "Queue \\e[2J outage"
repo: octo-org/followup-scratch
---
# Queue outage \x1b]0;pwned\x07

## Action items

- Add an alert \x1b[2J on queue depth. Owner: @lee
- [link=http://evil]Write a runbook[/link] for txt.exe\u202egnp
- Rotate the \x9b31m keys; the old ones are :warning: stale\x08\x08\x08
"""


@pytest.fixture
def hostile_doc(tmp_path: Path) -> Path:
    path = tmp_path / "2026-11-20-hostile.md"
    path.write_text(HOSTILE_DOCUMENT, encoding="utf-8")
    return path


def test_the_reader_cleans_what_it_returns_and_keeps_the_raw_text(hostile_doc: Path) -> None:
    doc = postmortem.read(hostile_doc)
    assert doc.source == HOSTILE_DOCUMENT  # kept exact: write-back compares it
    assert doc.items[0].title == "Add an alert ␛[2J on queue depth."
    assert "txt.exe\ufffdgnp" in doc.items[1].text
    for item in doc.items:
        assert is_clean(item.title) and is_clean(item.text)
    assert is_clean(doc.title)


def test_hostile_document_text_prints_inert_in_list_and_show(
    run_cli: RunCli, hostile_doc: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    imported = run_cli("import", str(hostile_doc))
    assert imported.exit_code == 0, imported.output
    assert_inert(imported.output)
    listed = run_cli("list")
    assert_inert(listed.output)
    assert "[link=http://evil]Write a runbook[/link]" in listed.stdout
    assert ":warning:" in listed.stdout and "⚠" not in listed.stdout
    with session_scope(engine) as session:
        ids = [item.id for item in session.exec(select(ItemRow).order_by(col(ItemRow.position)))]
        (stored,) = session.exec(select(PostMortemRow)).all()
    assert stored.source == HOSTILE_DOCUMENT.replace("\r\n", "\n")
    for item_id in ids:
        shown = run_cli("show", item_id)
        assert shown.exit_code == 0, shown.output
        assert_inert(shown.output)  # the source lines around the item included
    assert "␛[2J" in run_cli("show", ids[0]).stdout


# -- the TUI ------------------------------------------------------------------------------


@pytest.fixture
def hostile_store(engine: Engine, hostile_doc: Path) -> Iterator[Engine]:
    """Import the hostile document and link its first item to a hostile issue."""
    import_files(engine, [hostile_doc])
    raw = {
        "number": 7,
        "node_id": "I_kwDOABC7",
        "title": "\x1b]0;pwned\x07 [link=http://evil]L[/link]",
        "html_url": "https://github.com/octo-org/followup-scratch/issues/7",
        "repository_url": "https://api.github.com/repos/octo-org/followup-scratch",
        "state": "open",
        "assignees": [{"login": "le\x1b[2Je"}],
        "labels": [{"name": "[bold red]followup"}],
        "body": "",
    }
    text = json.dumps(raw)
    remote = remote_issue_from_rest(json.loads(clean_json_text(text)))  # as the client does
    with session_scope(engine) as session:
        item = session.exec(select(ItemRow).order_by(col(ItemRow.position))).first()
        assert item is not None
        changes = Changes(source="github")
        apply_issue(session, item, remote, changes, how="synced")
        changes.flush(session)
    yield engine


def screen_text(svg: str) -> str:
    """Return the text of an exported screenshot (its SVG text elements)."""
    import html

    text = html.unescape("".join(re.findall(r">([^<>]*)</text>", svg)))
    return text.replace("\xa0", " ")


async def test_the_tui_shows_hostile_text_inert_and_keeps_its_title(
    hostile_store: Engine,
) -> None:
    from textual.widgets._toast import Toast

    from followup.tui.app import make_app
    from followup.tui.screens.item_detail import ItemDetailScreen
    from followup.tui.screens.postmortem import PostMortemScreen
    from tests.tui.conftest import settle

    with session_scope(hostile_store) as session:
        first = session.exec(select(ItemRow).order_by(col(ItemRow.position))).first()
        assert first is not None
        item_id, slug = first.id, "2026-11-20-hostile"
    app = make_app(
        engine=hostile_store,
        settings=Settings(sync_interval=0),
        github_factory=None,
        today=lambda: date(2026, 11, 21),
    )
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await settle(pilot)
        title = app.title
        shots = [app.export_screenshot()]
        await app.push_screen(ItemDetailScreen(item_id))
        await settle(pilot)
        shots.append(app.export_screenshot())
        await app.push_screen(PostMortemScreen(slug))
        await settle(pilot)
        shots.append(app.export_screenshot())
        app.notify("GitHub said: [link=http://evil]L[/link] [bold red]x[/bold red]")
        await pilot.pause()
        toasts = [str(toast.render()) for toast in app.screen.query(Toast)]
        assert app.title == title == "followup"

    texts = [screen_text(svg) for svg in shots]
    for text in texts:
        assert not any(ch in text for ch in UNSAFE), text
    assert "Add an alert ␛[2J on queue depth." in texts[0]  # the items table
    assert "[link=http://evil]Write a runbook" in texts[0]
    assert "␛]0;pwned␇ [link=http://evil]L[/link]" in texts[1]  # the issue's title
    assert "@le␛[2Je" in texts[1] and "[bold red]followup" in texts[1]  # assignee, label
    assert "Queue outage ␛]0;pwned␇" in texts[2]  # the document itself
    assert toasts == ["GitHub said: [link=http://evil]L[/link] [bold red]x[/bold red]"]
