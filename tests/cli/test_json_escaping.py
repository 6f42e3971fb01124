"""`list --format json` read directly writes every character as Python's encoder does.

SQLite forms the objects in SQL (json_object, spaced afterwards in Python, a chunk of
post-mortems at a time) and PostgreSQL's columns are formed by store/forming.py. Here
titles, owners, paths and the other texts are made of every class of character JSON
escapes or passes through, and each object listed must be what `json.dumps` makes of the
item's view, read the ordinary way.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text as sql

from followup import clock
from followup.cli import cli
from followup.policy import DEFAULT_POLICY
from followup.store import create_store_engine, direct, session_scope
from followup.store.filters import ItemFilter
from followup.store.models import IssueRow, ItemRow, PostMortemRow
from followup.store.queries import iter_items
from followup.sync.policy import refresh_deadlines
from tests.conftest import MakeDbUrl

TODAY = date(2026, 6, 1)
NOW = datetime(2026, 5, 30, 12, 0, tzinfo=UTC)

# Each class of character a JSON encoder may treat apart: the C0 controls (their short
# escapes and \u00XX), quote, backslash and solidus, DEL and the C1 controls, the line
# and paragraph separators (which JavaScript escapes and Python does not), a BOM, a
# private-use and a non-BMP character, a combining mark, and text that looks like JSON or
# like the spacing the list puts between members.
CONTROLS = [chr(c) for c in range(1, 32)]
PIECES = [
    *CONTROLS,
    '"',
    "\\",
    "/",
    "'",
    "\x7f",
    "\x80",
    "\x85",
    "\x9f",
    "\xa0",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ue000",
    "\U0001f600",
    "\U0010fffd",
    "e\u0301",
    "\u202e",
    "漢字",
    '":',
    ',"',
    '\\"',
    '\\":',
    '", "',
    '{"k": "v"}',
    "\\u0041",
    "%_",
    "plain words",
]


def hostile(rng: random.Random, *, nul: bool) -> str:
    """Return a short text of random pieces (NUL among them where the store keeps it)."""
    pieces = [*PIECES, "\x00"] if nul else PIECES
    return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def fill(url: str, folder: Path, *, nul: bool) -> None:
    """Fill a store with 12 post-mortems of items whose every text is random hostile text."""
    rng = random.Random(20261205)
    engine = create_store_engine(url)

    def text() -> str:
        return hostile(rng, nul=nul)

    def maybe() -> str | None:
        return None if rng.random() < 0.2 else text()

    with session_scope(engine) as session:
        for pm_id in range(1, 13):
            # Paths inside the working folder are listed relative to it.
            place = folder if pm_id % 2 else Path("/elsewhere")
            session.add(
                PostMortemRow(
                    id=pm_id,
                    slug=f"{pm_id}-{text()}",
                    path=str(place / f"{text()}.md"),
                    title=text(),
                    incident_date=date(2026, 1, pm_id) if pm_id % 5 else None,
                    source="# doc\n",
                    content_hash=f"h{pm_id}",
                    imported_at=NOW,
                    updated_at=NOW,
                )
            )
        session.flush()
        for n in range(1, 25):
            session.add(
                IssueRow(
                    id=n,
                    repo=f"acme/{text()}",
                    number=n,
                    url=maybe(),
                    title="issue",
                    state=maybe(),
                    updated_at=NOW,
                )
            )
        session.flush()
        for pm_id in range(1, 13):
            for position in range(8):
                fields: dict[str, Any] = {}
                if position == 5:
                    # A row formed from its view on both backends (links).
                    fields["references"] = [{"kind": "url", "text": text(), "url": None}]
                session.add(
                    ItemRow(
                        id=f"x{pm_id:02d}{position}",
                        postmortem_id=pm_id,
                        position=position,
                        # Every piece in some title, whatever the random draws.
                        title=PIECES[(pm_id * 8 + position) % len(PIECES)] + text(),
                        text="- [ ] it",
                        fingerprint=f"f{pm_id}-{position}",
                        line=position + 1,
                        kind="issue",
                        status=rng.choice(["open", "filed", "done", "suggested"]),
                        owner=maybe(),
                        priority=maybe(),
                        due=TODAY + timedelta(days=rng.randint(-9, 9))
                        if rng.random() < 0.5
                        else None,
                        due_text=maybe(),
                        type=maybe(),
                        status_reason=maybe(),
                        repo=maybe(),
                        issue_id=rng.randint(1, 24) if rng.random() < 0.6 else None,
                        created_at=NOW,
                        updated_at=NOW,
                        **fields,
                    )
                )
    refresh_deadlines(engine, DEFAULT_POLICY)
    with engine.begin() as conn:
        # The source of a due date is free text to the list: hostile too.
        conn.execute(
            sql("UPDATE action_item SET due_source = :s WHERE position = 2"), {"s": text()}
        )
    engine.dispose()


def encoded(url: str) -> str:
    """Return what json.dumps writes of each listed item's view, as the list lays them out."""
    engine = create_store_engine(url)
    with session_scope(engine) as session:
        objects = [
            json.dumps(item.to_json(TODAY), ensure_ascii=False)
            for item in iter_items(session, ItemFilter(), today=TODAY, brief=True)
        ]
    engine.dispose()
    return "[\n  " + ",\n  ".join(objects) + "\n]\n"


@pytest.mark.parametrize("chunk", [100, 1, 5])
def test_json_lists_write_every_character_as_the_encoder_does(
    make_db_url: MakeDbUrl,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    chunk: int,
) -> None:
    url = make_db_url()
    # PostgreSQL's text cannot hold NUL; SQLite's can.
    fill(url, tmp_path, nul=backend == "sqlite")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(direct, "CHUNK_POSTMORTEMS", chunk)
    monkeypatch.setattr(direct, "FETCH_BATCH", 7)
    answered: list[bool] = []
    real = direct.ready

    def ready(store: direct.DirectStore, policy_key: str) -> bool:
        answered.append(real(store, policy_key))
        return answered[-1]

    monkeypatch.setattr(direct, "ready", ready)

    result = CliRunner().invoke(cli, ["--db", url, "list", "--format", "json"])

    assert answered == [True], "the direct reader did not answer"
    assert result.exit_code == 0, result.output
    expected = encoded(url)
    assert result.stdout == expected
    # The comparison saw what it is about.
    items = json.loads(result.stdout)
    assert len(items) == 96
    titles = "".join(item["title"] for item in items)
    assert all(piece in titles for piece in PIECES)
    assert ("\x00" in result.stdout) is False  # written as \u0000, never raw
    assert ("\\u0000" in result.stdout) is (backend == "sqlite")
    assert any(item["links"] for item in items)
    assert any(item["source"]["file"].startswith("/elsewhere/") for item in items)
    assert any(not item["source"]["file"].startswith("/") for item in items)
