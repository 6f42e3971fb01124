"""An import writes exactly the rows and values it always wrote, on both backends.

A run of imports over varied documents (suggestions, a dismissed one kept across
re-imports, changed and removed items, a forgotten post-mortem, hostile text, a due-date
policy) is compared, table by table and value by value, with expectations recorded from
the importer as it was before its write path was sped up (tests/store/expected/). Set
FOLLOWUP_RECORD_IMPORT_ROWS=1 to record them again, on purpose.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, Engine, Table, Text, cast, select, text
from sqlmodel import Session, col

from followup import clock
from followup.errors import InputError
from followup.policy import DuePolicy
from followup.postmortem.model import ActionItem, PostMortem, ProtectionSpec, Reference, RefKind
from followup.store import session_scope
from followup.store.forget import find_postmortems, forget_postmortems
from followup.store.importer import ImportResult, import_all
from followup.store.models import EventRow, IssueRow, ItemRow, PostMortemRow
from followup.store.suggestions import dismiss_items

EXPECTED = Path(__file__).parent / "expected" / "import_rows.json"
RECORD = os.environ.get("FOLLOWUP_RECORD_IMPORT_ROWS") == "1"
START = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
TABLES: tuple[Table, ...] = (
    PostMortemRow.__table__,  # type: ignore[attr-defined]
    ItemRow.__table__,  # type: ignore[attr-defined]
    EventRow.__table__,  # type: ignore[attr-defined]
)
HOSTILE = (
    "Fix\tthe 'queue'; DROP TABLE action_item; -- \\N \\\\ [red]markup[/red] \x1b[31m ☃ 𝔘 \u202e"
)


def item(title: str, line: int, **values: Any) -> ActionItem:
    return ActionItem(title=title, line=line, text=f"- {title}", **values)


def documents(folder: Path) -> list[PostMortem]:
    db = PostMortem(
        title="Database outage",
        slug="2026-01-02-db",
        source="# Database outage\n\nIt was the disk.\n",
        path=str(folder / "db.md"),
        date=date(2026, 1, 2),
        status="final",
        repo="Octo-Org/DB",
        items=(
            item(
                "Add an alert on replica lag",
                10,
                owner="dana",
                due=date(2026, 2, 1),
                due_text="Feb 1",
                priority="P1",
                type="detect",
            ),
            item("Write the failover runbook", 11, done=True, priority="P0"),
            item("Write the failover runbook", 12),
            item("Rotate the certificates sooner", 13, suggested=True, section="Lessons"),
            item(
                "Link the old tickets",
                14,
                references=(
                    Reference(RefKind.ISSUE, "octo/db#12", repo="octo/db", number=12),
                    Reference(RefKind.URL, "https://x.test/T-1", url="https://x.test/T-1"),
                ),
                parent="Write the failover runbook",
            ),
            item(
                "Protect main",
                15,
                protection=ProtectionSpec(
                    branch="main", required_approving_review_count=2, contexts=("ci", "lint")
                ),
            ),
            item(HOSTILE, 16, owner="ana-b", due=date(1, 1, 2), priority="p2"),
            item("Keep backups for ever", 17, due=date(9999, 12, 31), type="prevent"),
        ),
    )
    cdn = PostMortem(
        title="CDN “incident” 🚨",
        slug="2026-02-03-cdn",
        source="# CDN\n\r\nnul-free but \x07 odd\n",
        items=(
            item("We should cache the purge list", 5, suggested=True),
            item("We should page on 5xx", 6, suggested=True),
            item("Shorten the TTL", 7, owner="lee"),
        ),
    )
    empty = PostMortem(title="Nothing to do", slug="2026-03-04-empty", source="# Nothing\n")
    return [db, cdn, empty]


class Clock:
    """A clock that moves a little for every step of the run."""

    def __init__(self) -> None:
        self.at = START

    def step(self) -> None:
        self.at += timedelta(hours=1, microseconds=7)

    def __call__(self) -> datetime:
        return self.at


def _value(value: Any, folder: Path) -> Any:
    """Return value as JSON holds it, the test's folder named <tmp>."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.replace(str(folder), "<tmp>")
    if isinstance(value, list | tuple):
        return [_value(v, folder) for v in value]
    return value


def dump(engine: Engine, folder: Path) -> dict[str, Any]:
    """Return every row of the import's tables, values made comparable across backends."""
    found: dict[str, Any] = {}
    with engine.connect() as conn:
        for table in TABLES:
            raw_json = [
                cast(c, Text).label(f"{c.name}:text") for c in table.c if isinstance(c.type, JSON)
            ]
            rows = conn.execute(select(*table.c, *raw_json).order_by(*table.primary_key))
            found[table.name] = [
                {key: _value(value, folder) for key, value in row._mapping.items()} for row in rows
            ]
        if conn.dialect.name == "sqlite":
            # What SQLite holds, byte for byte: its storage class and text of every value.
            for table in TABLES:
                picks = ", ".join(f'typeof("{c.name}"), CAST("{c.name}" AS TEXT)' for c in table.c)
                order = ", ".join(c.name for c in table.primary_key)
                rows = conn.execute(text(f"SELECT {picks} FROM {table.name} ORDER BY {order}"))
                found[f"sqlite:{table.name}"] = [_value(list(row), folder) for row in rows]
    return found


def run_imports(engine: Engine, folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Import, decide, edit, change, forget and import again; return each step's results."""
    moving = Clock()
    monkeypatch.setattr(clock, "now", moving)
    for name in ("db.md",):
        (folder / name).write_text("# stands in for the document\n", encoding="utf-8")
    db, cdn, empty = documents(folder)
    steps: list[Any] = []

    def run(docs: list[PostMortem], **kwargs: Any) -> None:
        moving.step()
        with session_scope(engine) as session:
            results = import_all(session, docs, **kwargs)
        # No document moves here; the field came after the expectations were recorded.
        assert [r.moved_from for r in results] == [None] * len(results)
        recorded = [n for n in ImportResult.__slots__ if n != "moved_from"]
        steps.append([_value([getattr(r, n) for n in recorded], folder) for r in results])

    run([db, cdn, empty], default_repo="Octo/App", file_hashes={db.slug: "hash-of-db"})

    moving.step()
    with session_scope(engine) as session:
        suggestion = _item_id(session, "We should cache the purge list")
        dismiss_items(session, [suggestion])
        issue = IssueRow(repo="octo-org/db", number=41, state="open")
        session.add(issue)
        session.flush()
        linked = session.get(ItemRow, _item_id(session, "Add an alert on replica lag"))
        assert linked is not None
        linked.issue_id = issue.id
        linked.status = "filed"
        edited = session.get(ItemRow, _item_id(session, "Shorten the TTL"))
        assert edited is not None
        edited.owner = "mei"
        edited.overrides = {"owner": "mei"}

    # The database document changes: an item is reworded, one goes, one comes, the done
    # one is open again, the linked one leaves the document.
    db2 = replace(
        db,
        source=db.source + "Edited.\n",
        items=(
            item("Write the failover runbook", 11, priority="P0"),
            item("Write the failover runbook", 12),
            item("Rotate the TLS certificates sooner", 13, suggested=True, section="Lessons"),
            item(HOSTILE, 16, owner="ana-b", due=date(1, 1, 2), priority="p2"),
            item("Keep backups for ever", 17, due=date(9999, 12, 31), type="prevent"),
            item("Add a second region", 18, owner="kofi", priority="P3"),
        ),
    )
    # The dismissed suggestion's sentence goes; the other one is now a listed item.
    cdn2 = replace(
        cdn,
        source=cdn.source + "v2\n",
        items=(
            item("We should page on 5xx", 6),
            item("Shorten the TTL", 7, owner="sam", priority="P2"),
        ),
    )
    run([db2, cdn2, empty], file_hashes={db.slug: "hash-of-db-2"})
    # Both come back: the dismissed suggestion stays dismissed, the linked item is filed.
    run([db, cdn], policy=DuePolicy(7, 28, 56, None))

    moving.step()
    with session_scope(engine) as session:
        forget_postmortems(session, find_postmortems(session, [empty.slug]))
    run([replace(empty, items=(item("Say something", 3),))], policy=DuePolicy(1, 2, 3, 4))
    return steps


def _item_id(session: Session, title: str) -> str:
    query = select(col(ItemRow.id)).where(col(ItemRow.title) == title)
    return str(session.execute(query).scalar_one())


def test_an_import_writes_the_rows_and_values_it_always_wrote(
    engine: Engine, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = run_imports(engine, tmp_path, monkeypatch)
    found = {"results": steps, **dump(engine, tmp_path)}
    recorded = json.loads(EXPECTED.read_text(encoding="utf-8")) if EXPECTED.exists() else {}
    if RECORD:
        shared = {k: v for k, v in found.items() if not k.startswith("sqlite:")}
        recorded.update({k: v for k, v in found.items() if k.startswith("sqlite:")})
        recorded.setdefault(backend, {}).update(shared)
        EXPECTED.parent.mkdir(exist_ok=True)
        EXPECTED.write_text(json.dumps(recorded, indent=1, ensure_ascii=True) + "\n")
    for key, value in found.items():
        want = recorded[key] if key.startswith("sqlite:") else recorded[backend][key]
        assert value == want, key


def test_a_refused_import_leaves_every_row_as_it_was(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_imports(engine, tmp_path, monkeypatch)
    before = dump(engine, tmp_path)
    db, cdn, _ = documents(tmp_path)
    clash = replace(cdn, slug=db.slug, path=str(tmp_path / "other.md"))  # db.md has it
    (tmp_path / "other.md").write_text("# other\n", encoding="utf-8")
    fresh = replace(cdn, slug="2026-05-06-new", items=(item("A new thing", 1),))
    with pytest.raises(InputError), session_scope(engine) as session:
        import_all(session, [fresh, replace(cdn, source="changed"), clash])
    assert dump(engine, tmp_path) == before
