"""Re-importing a post-mortem updates its items in place and never duplicates them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from followup.errors import InputError
from followup.postmortem.model import ActionItem, PostMortem
from followup.store import create_store_engine, session_scope
from followup.store.importer import import_all, import_postmortem
from followup.store.models import EventRow, ItemRow, PostMortemRow
from followup.store.queries import ItemFilter, item_events, list_items
from tests.conftest import MakeDbUrl

TODAY = date(2026, 11, 21)


def doc(*titles: str, slug: str = "2026-01-02-outage", **item_fields: object) -> PostMortem:
    items = tuple(
        ActionItem(title=t, line=10 + i, text=f"- {t}", **item_fields)  # type: ignore[arg-type]
        for i, t in enumerate(titles)
    )
    return PostMortem(title="Outage", slug=slug, source="# Outage\n", items=items)


def store(engine: Engine, pm: PostMortem, repo: str | None = None) -> None:
    with session_scope(engine) as session:
        import_postmortem(session, pm, default_repo=repo)


def items(engine: Engine, **flt: object) -> dict[str, str]:
    with session_scope(engine) as session:
        views = list_items(session, ItemFilter(**flt), today=TODAY)  # type: ignore[arg-type]
    return {v.title: v.id for v in views}


def statuses(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as session:
        rows = session.exec(select(ItemRow)).all()
    return {r.title: r.status for r in rows}


def event_count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return len(session.exec(select(EventRow)).all())


def test_first_import_creates_items_with_short_ids_and_a_history(engine: Engine) -> None:
    store(engine, doc("Add an alert on queue depth", "Write a runbook for failover"))
    found = items(engine)
    assert set(found) == {"Add an alert on queue depth", "Write a runbook for failover"}
    assert all(len(i) == 7 and i.isalnum() for i in found.values())
    assert event_count(engine) == 2
    with session_scope(engine) as session:
        history = item_events(session, found["Add an alert on queue depth"])
    assert [(e.field, e.old, e.new, e.source) for e in history] == [
        ("status", None, "open", "document")
    ]


def test_reimporting_the_same_document_changes_nothing(engine: Engine) -> None:
    pm = doc("Add an alert on queue depth")
    store(engine, pm)
    before = items(engine)
    store(engine, pm)
    store(engine, replace(pm, source=pm.source + "\nEdited prose elsewhere.\n"))
    assert items(engine) == before
    assert event_count(engine) == 1


def test_a_small_rewording_keeps_the_id_and_records_the_new_title(engine: Engine) -> None:
    store(engine, doc("Investigate if debugging gh-pages could be improved", "Protect main"))
    old = items(engine)
    store(
        engine,
        doc("Investigate whether debugging gh-pages can be improved", "Protect main"),
    )
    new = items(engine)
    assert (
        new["Investigate whether debugging gh-pages can be improved"]
        == old["Investigate if debugging gh-pages could be improved"]
    )
    assert len(new) == 2
    with session_scope(engine) as session:
        fields = [e.field for e in item_events(session, new["Protect main"])]
        renamed = item_events(session, old["Investigate if debugging gh-pages could be improved"])
    assert fields == ["status"]
    assert renamed[-1].field == "title"
    assert renamed[-1].old == "Investigate if debugging gh-pages could be improved"


def test_a_different_item_is_not_mistaken_for_an_edit(engine: Engine) -> None:
    store(engine, doc("Add an alert on queue depth"))
    store(engine, doc("Move the cron jobs to the new scheduler"))
    assert statuses(engine) == {
        "Add an alert on queue depth": "removed",
        "Move the cron jobs to the new scheduler": "open",
    }


def test_removed_items_are_kept_and_come_back(engine: Engine) -> None:
    store(engine, doc("Add an alert on queue depth", "Write a runbook for failover"))
    ids = items(engine)
    store(engine, doc("Add an alert on queue depth"))
    assert statuses(engine)["Write a runbook for failover"] == "removed"
    assert "Write a runbook for failover" not in items(engine)
    assert items(engine, include_removed=True) == ids

    store(engine, doc("Add an alert on queue depth", "Write a runbook for failover"))
    assert statuses(engine)["Write a runbook for failover"] == "open"
    assert items(engine) == ids
    with session_scope(engine) as session:
        history = item_events(session, ids["Write a runbook for failover"])
    assert [(e.old, e.new) for e in history] == [
        (None, "open"),
        ("open", "removed"),
        ("removed", "open"),
    ]


def test_checking_an_item_off_in_the_document_marks_it_done(engine: Engine) -> None:
    store(engine, doc("Add an alert on queue depth"))
    store(engine, doc("Add an alert on queue depth", done=True))
    assert statuses(engine) == {"Add an alert on queue depth": "done"}
    store(engine, doc("Add an alert on queue depth"))
    assert statuses(engine) == {"Add an alert on queue depth": "open"}


def test_owner_due_and_priority_changes_are_events(engine: Engine) -> None:
    store(engine, doc("Add an alert", owner="dana", priority="P2"))
    store(engine, doc("Add an alert", owner="lee", priority="P1", due=date(2026, 12, 1)))
    item_id = items(engine)["Add an alert"]
    with session_scope(engine) as session:
        changes = {(e.field, e.old, e.new) for e in item_events(session, item_id)}
    assert {
        ("owner", "dana", "lee"),
        ("priority", "P2", "P1"),
        ("due", None, "2026-12-01"),
    } <= changes


def test_same_title_twice_gives_two_items(engine: Engine) -> None:
    store(engine, doc("Update the runbook", "Update the runbook"))
    with session_scope(engine) as session:
        rows = session.exec(select(ItemRow)).all()
    assert len({r.id for r in rows}) == 2


def test_ids_do_not_depend_on_the_store(make_db_url: MakeDbUrl) -> None:
    """A CI job with an empty store must give the same document the same ids."""
    pm = doc("Add an alert on queue depth", "Write a runbook")
    first = create_store_engine(make_db_url())
    second = create_store_engine(make_db_url())
    store(first, doc("Unrelated item", slug="other"))
    store(first, pm)
    store(second, pm)
    assert items(first, postmortem=pm.slug) == items(second)


def test_items_take_the_repo_of_the_document_or_the_default(engine: Engine) -> None:
    store(engine, replace(doc("Add an alert"), repo="Octo/Docs"), repo="other/repo")
    store(engine, doc("Add a dashboard", slug="second"), repo="other/repo")
    with session_scope(engine) as session:
        repos = {r.title: r.repo for r in session.exec(select(ItemRow))}
    assert repos == {"Add an alert": "octo/docs", "Add a dashboard": "other/repo"}


def test_a_reimport_without_a_repo_keeps_the_one_given_before(engine: Engine) -> None:
    store(engine, doc("Add an alert"), repo="octo/docs")
    store(engine, replace(doc("Add an alert"), source="# Outage, edited\n"))
    with session_scope(engine) as session:
        (row,) = session.exec(select(ItemRow)).all()
    assert row.repo == "octo/docs"
    store(engine, doc("Add an alert"), repo="octo/other")
    with session_scope(engine) as session:
        (row,) = session.exec(select(ItemRow)).all()
    assert row.repo == "octo/other"


def test_two_files_with_one_slug_are_refused(engine: Engine, tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "incident.md", tmp_path / "b" / "incident.md"
    for p in (a, b):
        p.parent.mkdir()
        p.write_text("# x\n")
    with pytest.raises(InputError, match="slug 'incident'"), session_scope(engine) as session:
        import_all(
            session,
            [
                replace(doc("A", slug="incident"), path=str(a)),
                replace(doc("B", slug="incident"), path=str(b)),
            ],
        )
    store(engine, replace(doc("A", slug="incident"), path=str(a)))
    with pytest.raises(InputError, match="already used by"):
        store(engine, replace(doc("B", slug="incident"), path=str(b)))


def test_search_text_is_literal(engine: Engine) -> None:
    store(engine, doc("Raise max_conn to 50%", "Raise maxXconn to 500"))
    assert set(items(engine, text="max_conn")) == {"Raise max_conn to 50%"}
    assert set(items(engine, text="50%")) == {"Raise max_conn to 50%"}


def test_new_and_stored_documents_imported_together_keep_their_own_items(
    engine: Engine,
) -> None:
    # New post-mortems go in as one insert returning their ids: each id must reach its items.
    store(engine, doc("Stored item one", slug="2026-01-01-stored"))
    batch = [doc(f"Fresh item {n}", slug=f"2026-02-0{n}-fresh") for n in (1, 2, 4, 5)]
    batch.insert(2, doc("Stored item one", "Stored item two", slug="2026-01-01-stored"))
    with session_scope(engine) as session:
        results = import_all(session, batch)
    assert [(r.slug, r.created) for r in results] == [
        ("2026-02-01-fresh", 1),
        ("2026-02-02-fresh", 1),
        ("2026-01-01-stored", 1),
        ("2026-02-04-fresh", 1),
        ("2026-02-05-fresh", 1),
    ]
    with session_scope(engine) as session:
        rows = session.exec(
            select(PostMortemRow.slug, ItemRow.title).join(
                ItemRow, col(ItemRow.postmortem_id) == col(PostMortemRow.id)
            )
        ).all()
    assert sorted(rows) == sorted(
        [
            ("2026-01-01-stored", "Stored item one"),
            ("2026-01-01-stored", "Stored item two"),
            *((f"2026-02-0{n}-fresh", f"Fresh item {n}") for n in (1, 2, 4, 5)),
        ]
    )


def test_a_failed_import_leaves_no_post_mortem_behind(engine: Engine) -> None:
    clash = [doc("One", slug="2026-03-01-a"), doc("Two", slug="2026-03-02-b")]
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        import_all(session, clash)
        raise RuntimeError("the import stops before it commits")
    with session_scope(engine) as session:
        assert session.exec(select(PostMortemRow)).all() == []
        assert session.exec(select(ItemRow)).all() == []
