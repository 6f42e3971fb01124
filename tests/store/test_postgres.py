"""The store on PostgreSQL: migrations, import, re-import, queries.

Needs a server: FOLLOWUP_TEST_POSTGRES_URL=postgresql+psycopg://user@host:port/db, with
`pip install -e '.[postgres]'`. Each run works in a schema of its own and drops it after.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, create_engine, text

from followup import postmortem
from followup.store import create_store_engine, migrate, session_scope
from followup.store.importer import import_all
from followup.store.queries import ItemFilter, list_items, postmortems
from tests.conftest import GH_PAGES

# Read at import: the autouse fixture clears FOLLOWUP_* variables before each test.
URL = os.environ.get("FOLLOWUP_TEST_POSTGRES_URL", "")

pytestmark = pytest.mark.skipif(not URL, reason="set FOLLOWUP_TEST_POSTGRES_URL to run")


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    schema = f"followup_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{URL}{'&' if '?' in URL else '?'}options=-csearch_path%3D{schema}"
    engine = create_store_engine(url)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_the_store_works_on_postgresql(pg_engine: Engine) -> None:
    assert migrate.current_revision(pg_engine) == migrate.head_revision()
    doc = postmortem.read(GH_PAGES, default_repo="googleapis/docs")
    for _ in range(2):
        with session_scope(pg_engine) as session:
            import_all(session, [doc])
    with session_scope(pg_engine) as session:
        items = list_items(session, ItemFilter(overdue=True), today=date(2026, 11, 21))
        summary = postmortems(session, today=date(2026, 11, 21))
    assert [i.owner for i in items] == ["dana", "lee", "sam"]
    assert (
        items[0].protection is not None
        and items[0].protection.requested()["allow_deletions"] is False
    )
    assert (summary[0].total, summary[0].overdue) == (3, 3)
