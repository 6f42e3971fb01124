"""In-memory filtering means what the store's filter means; sorting keeps empty values last."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

import pytest
from sqlalchemy import Engine

from followup.store import session_scope
from followup.store.queries import ItemFilter, list_items
from followup.tui.filtering import Filters, SearchIndex, Sort

from .conftest import ALERT, DEBUG, LOADTEST, PROTECT, RUNBOOK, TECH, TODAY

FILTERS = [
    ItemFilter(),
    ItemFilter(include_removed=True),
    ItemFilter(statuses=frozenset({"open"})),
    ItemFilter(statuses=frozenset({"done", "filed"})),
    ItemFilter(owner="@DANA"),
    ItemFilter(owner="lee", overdue=True),
    ItemFilter(postmortem="2019-12-05-gh-pages"),
    ItemFilter(kind="branch_protection"),
    ItemFilter(kind="issue", overdue=True),
    ItemFilter(repo="Octo-Org/Followup-Scratch"),
    ItemFilter(repo="octo-org/elsewhere"),
    ItemFilter(overdue=True),
    ItemFilter(text="GH-PAGES"),
    ItemFilter(text="dan"),
    ItemFilter(text="queue", statuses=frozenset({"done"})),
]


def describe(flt: ItemFilter) -> str:
    """Name a filter by the fields it sets (sorted, so every process names it alike)."""
    parts = []
    for name, value in sorted((f.name, getattr(flt, f.name)) for f in fields(flt)):
        shown = "+".join(sorted(value)) if isinstance(value, frozenset) else value
        if shown not in (None, False, ""):
            parts.append(f"{name}={shown}")
    return ",".join(parts) or "all"


@pytest.mark.parametrize("flt", FILTERS, ids=describe)
def test_the_index_filters_as_the_store_does(store: Engine, flt: ItemFilter) -> None:
    with session_scope(store) as session:
        everything = list_items(session, ItemFilter(include_removed=True), today=TODAY)
        expected = [i.id for i in list_items(session, flt, today=TODAY)]
    got = [i.id for i in SearchIndex(everything).filter(flt, today=TODAY)]
    assert got == expected


def test_the_index_lists_owners_once_each(store: Engine) -> None:
    with session_scope(store) as session:
        index = SearchIndex(list_items(session, ItemFilter(), today=TODAY))
    assert index.owners() == ["dana", "kim", "lee", "sam"]


def test_mine_stands_for_the_login_and_wins_over_an_owner() -> None:
    filters = Filters(owner="lee", mine=True, text="  queue ")
    assert filters.item_filter("dana") == ItemFilter(owner="dana", text="queue")
    # Without a login 'mine' cannot narrow anything; the owner still does.
    assert filters.item_filter(None).owner == "lee"
    assert filters.describe("dana") == ["mine (@dana)"]
    assert filters.describe(None) == ["mine", "owner @lee"]


def test_filters_read_as_words() -> None:
    filters = Filters(
        statuses=frozenset({"wont_do", "open"}),
        overdue=True,
        kind="branch_protection",
        postmortem="2020-01-06-queue",
    )
    assert filters.describe(None) == [
        "status open, won't do",
        "overdue",
        "protection",
        "in 2020-01-06-queue",
    ]
    assert filters.active and not filters.cleared().active
    assert filters.toggled("overdue").overdue is False
    assert Filters().toggled("mine").mine is True


def titles_sorted(store: Engine, sort: Sort) -> list[str]:
    with session_scope(store) as session:
        items = list_items(session, ItemFilter(), today=TODAY)
    return [i.title for i in sort.apply(items)]


def test_sorting_by_due_puts_items_without_a_date_last_both_ways(store: Engine) -> None:
    by_due = Sort(column="due")
    assert titles_sorted(store, by_due) == [PROTECT, RUNBOOK, ALERT, DEBUG, TECH, LOADTEST]
    assert titles_sorted(store, by_due.flipped()) == [
        TECH,
        DEBUG,
        ALERT,
        RUNBOOK,
        PROTECT,
        LOADTEST,
    ]


def test_status_sorts_outstanding_work_first(store: Engine) -> None:
    order = titles_sorted(store, Sort(column="status"))
    assert order[-2:] == [RUNBOOK, ALERT]


def test_next_cycles_every_column_then_document_order() -> None:
    sort = Sort()
    seen = []
    for _ in range(len(sort.columns) + 1):
        sort = sort.next()
        seen.append(sort.column)
    assert seen == [*Sort().columns, None]
    assert Sort(column="due").by("due") == Sort(column="due", reverse=True)
    assert Sort(column="due", reverse=True).by("owner") == Sort(column="owner")


def test_priorities_sort_by_number_then_words(store: Engine) -> None:
    with session_scope(store) as session:
        items = list_items(session, ItemFilter(), today=TODAY)
    items = [
        replace(items[0], priority="high"),
        replace(items[1], priority="P10"),
        replace(items[2], priority="p2"),
        replace(items[3], priority=None),
    ]
    assert [i.priority for i in Sort(column="priority").apply(items)] == ["p2", "P10", "high", None]


def test_the_overdue_filter_uses_the_injected_day(store: Engine) -> None:
    with session_scope(store) as session:
        index = SearchIndex(list_items(session, ItemFilter(), today=TODAY))
    late = ItemFilter(overdue=True)
    assert [i.title for i in index.filter(late, today=TODAY)] == [RUNBOOK, PROTECT]
    assert index.filter(late, today=date(2019, 1, 1)) == []
