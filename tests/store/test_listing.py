"""Brief item views: what `followup list` reads holds every field the list shows."""

from __future__ import annotations

import io
import json
from dataclasses import astuple
from datetime import date

from sqlalchemy import Engine
from sqlmodel import select

from followup.cli.listing import write_json
from followup.cli.output import items_csv, items_lines
from followup.store import session_scope
from followup.store.models import IssueRow, ItemRow
from followup.store.queries import ItemFilter, iter_items
from followup.store.views import ItemView
from followup.sync.importing import import_files
from tests.conftest import EXAMPLES

TODAY = date(2026, 6, 1)


def listed(engine: Engine, *, brief: bool) -> list[ItemView]:
    with session_scope(engine) as session:
        flt = ItemFilter(include_removed=True)
        return list(iter_items(session, flt, today=TODAY, brief=brief))


def test_brief_views_show_and_print_as_full_ones(engine: Engine) -> None:
    import_files(engine, sorted(EXAMPLES.glob("*.md")), default_repo="octo-org/app")
    with session_scope(engine) as session:
        issue = IssueRow(repo="octo-org/app", number=42, url="https://x/42", state="open")
        session.add(issue)
        session.flush()
        first = session.exec(select(ItemRow).where(ItemRow.kind == "issue")).first()
        assert first is not None
        first.issue_id = issue.id
        first.status_reason = "moved"
    full, brief = listed(engine, brief=False), listed(engine, brief=True)
    assert len(full) == len(brief) > 2
    assert any(v.issue for v in brief) and any(v.protection for v in brief)
    assert [v.to_json(TODAY) for v in brief] == [v.to_json(TODAY) for v in full]
    assert [line.plain for line in items_lines(brief, TODAY)] == [
        line.plain for line in items_lines(full, TODAY)
    ]
    assert items_csv(brief, TODAY) == items_csv(full, TODAY)
    written = io.StringIO()
    write_json(iter(brief), TODAY, written)
    encode = json.JSONEncoder(ensure_ascii=False).encode
    assert (
        written.getvalue()
        == "[\n  " + ",\n  ".join(encode(v.to_json(TODAY)) for v in full) + "\n]\n"
    )
    for b, f in zip(brief, full, strict=True):
        assert (b.postmortem_title, b.target, b.protection) == (
            f.postmortem_title,
            f.target,
            f.protection,
        )
        assert b.issue is None or astuple(b.issue)[:4] == astuple(f.issue)[:4]  # type: ignore[arg-type]
