"""In-memory filtering means what the store's filter means; sorting keeps empty values last."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

import pytest
from sqlalchemy import Engine

from followup.store import session_scope
from followup.store.queries import ItemFilter, list_items
from followup.tui.filtering import Filters, SearchIndex
from followup.tui.sorting import COLUMN_KEYS, Sort, SortKey

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
    return [i.title for i in sort.apply(items, today=TODAY)]


def test_sorting_by_due_puts_items_without_a_date_last_both_ways(store: Engine) -> None:
    by_due = Sort.of("due")
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
    order = titles_sorted(store, Sort.of("status"))
    assert order[-2:] == [RUNBOOK, ALERT]


def test_next_cycles_every_column_then_document_order() -> None:
    sort = Sort()
    seen = []
    for _ in range(len(COLUMN_KEYS) + 1):
        sort = sort.next()
        seen.append(sort.column)
    assert seen == [*COLUMN_KEYS, None]
    assert Sort.of("due").by("due") == Sort((SortKey("due", reverse=True),))
    assert Sort((SortKey("due", reverse=True),)).by("owner") == Sort.of("owner")
    # `s` starts again from one column, whatever keys came before.
    assert Sort.of("owner", "due").next() == Sort.of("priority")


def test_a_second_key_orders_the_items_the_first_one_ties(store: Engine) -> None:
    by_owner = Sort.of("owner")
    assert titles_sorted(store, by_owner) == [RUNBOOK, PROTECT, LOADTEST, ALERT, DEBUG, TECH]
    # dana's and lee's items, each pair by priority, highest number first.
    then_priority = Sort((SortKey("owner"), SortKey("priority", reverse=True)))
    assert titles_sorted(store, then_priority) == [RUNBOOK, PROTECT, LOADTEST, DEBUG, ALERT, TECH]


def test_overdue_first_puts_late_outstanding_work_on_top(store: Engine) -> None:
    # Overdue: the protection (P1) and the runbook (P2); the done alert was due too.
    assert titles_sorted(store, Sort.of("overdue", "priority")) == [
        PROTECT,
        RUNBOOK,
        ALERT,
        DEBUG,
        LOADTEST,
        TECH,
    ]
    # A third key breaks the P3 tie: the load test has no due date and goes last.
    assert titles_sorted(store, Sort.of("overdue", "priority", "due")) == [
        PROTECT,
        RUNBOOK,
        ALERT,
        DEBUG,
        TECH,
        LOADTEST,
    ]


def test_then_adds_a_key_or_flips_one_already_there_and_flipped_turns_the_last() -> None:
    sort = Sort.of("overdue").then("priority").then("due")
    assert [k.column for k in sort.keys] == ["overdue", "priority", "due"]
    assert sort.then("priority").keys[1] == SortKey("priority", reverse=True)
    assert sort.flipped().keys == (SortKey("overdue"), SortKey("priority"), SortKey("due", True))
    assert "overdue" not in sort.unused() and "owner" in sort.unused()
    assert sort.describe() == "sorted by overdue first ▲, then priority ▲, then due date ▲"
    assert Sort().describe() is None
    assert Sort().flipped().describe() == "document order ▼"


def test_a_sort_survives_its_data_form_and_garbage_is_left_out() -> None:
    sort = Sort((SortKey("overdue"), SortKey("due", reverse=True)))
    assert Sort.from_data(sort.to_data()) == sort
    data = [["due", True], ["nonsense", False], ["due", False], ["owner", "yes"], "x", ["id"]]
    assert Sort.from_data(data) == Sort((SortKey("due", reverse=True),))
    assert Sort.from_data({"due": True}) == Sort()


def test_priorities_sort_by_number_then_words(store: Engine) -> None:
    with session_scope(store) as session:
        items = list_items(session, ItemFilter(), today=TODAY)
    items = [
        replace(items[0], priority="high"),
        replace(items[1], priority="P10"),
        replace(items[2], priority="p2"),
        replace(items[3], priority=None),
    ]
    sorted_items = Sort.of("priority").apply(items, today=TODAY)
    assert [i.priority for i in sorted_items] == ["p2", "P10", "high", None]


def test_the_overdue_filter_uses_the_injected_day(store: Engine) -> None:
    with session_scope(store) as session:
        index = SearchIndex(list_items(session, ItemFilter(), today=TODAY))
    late = ItemFilter(overdue=True)
    assert [i.title for i in index.filter(late, today=TODAY)] == [RUNBOOK, PROTECT]
    assert index.filter(late, today=date(2019, 1, 1)) == []


def test_the_index_filters_in_the_sort_order_and_follows_a_new_sort(store: Engine) -> None:
    with session_scope(store) as session:
        index = SearchIndex(list_items(session, ItemFilter(), today=TODAY))
    overdue = ItemFilter(overdue=True)
    by_due = Sort.of("due")
    assert [i.title for i in index.filter(ItemFilter(), today=TODAY, sort=by_due)] == [
        PROTECT,
        RUNBOOK,
        ALERT,
        DEBUG,
        TECH,
        LOADTEST,
    ]
    assert [i.title for i in index.filter(overdue, today=TODAY, sort=by_due)] == [PROTECT, RUNBOOK]
    flipped = by_due.flipped()
    assert [i.title for i in index.filter(overdue, today=TODAY, sort=flipped)] == [RUNBOOK, PROTECT]
    # The same sort on another day is another order: on 2019-12-14 only the protection
    # was overdue; today the runbook is too, and comes first in the document.
    first_overdue = Sort.of("overdue")
    assert index.filter(ItemFilter(), today=TODAY, sort=first_overdue)[0].title == RUNBOOK
    early = date(2019, 12, 14)
    assert index.filter(ItemFilter(), today=early, sort=first_overdue)[0].title == PROTECT
    assert index.filter(ItemFilter(), today=TODAY, sort=Sort()) == index.items


def test_typing_on_narrows_the_last_answer_and_agrees_with_a_fresh_search() -> None:
    from followup.tui.filtering import SearchIndex as Index
    from tests.cli.test_listing import item as view

    titles = ["Add alert", "Add a runbook", "Alert on lag", "Fix the queue", "Queue alert"]
    loaded = [view(id=f"i{n}", title=t) for n, t in enumerate(titles)]
    index = Index(loaded)
    typed = ["", "a", "al", "ale", "aler", "ale", "q", "qu", "que alert"]
    for text in typed:
        flt = ItemFilter(text=text or None)
        got = [i.title for i in index.filter(flt, today=TODAY)]
        assert got == [i.title for i in Index(loaded).filter(flt, today=TODAY)], text
    assert [i.title for i in index.filter(ItemFilter(text="alert"), today=TODAY)] == [
        "Add alert",
        "Alert on lag",
        "Queue alert",
    ]
    # Another criterion is a new search, not a narrowing of the last one.
    only = ItemFilter(text="alert", statuses=frozenset({"done"}))
    assert index.filter(only, today=TODAY) == []


def test_typing_and_deleting_find_what_a_fresh_search_finds(
    store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Kept answers are few here, so typing on also narrows from older ones than the last.
    monkeypatch.setattr("followup.tui.filtering.KEPT_POSITIONS", 8)
    with session_scope(store) as session:
        items = list_items(session, ItemFilter(include_removed=True), today=TODAY)
    index = SearchIndex(items)
    by_due = Sort.of("due")
    typed = ["q", "qu", "que", "queu", "queue", "queu", "que", "qu", "q", "", "d", "da", "dan"]
    typed += ["da", "d", "", "e", "el", "e", ""]
    for sort in (None, by_due):
        for status in (frozenset(), frozenset({"open"})):
            for text in typed:
                flt = ItemFilter(statuses=status, text=text or None)
                fresh = SearchIndex(items).filter(flt, today=TODAY, sort=sort)
                assert index.filter(flt, today=TODAY, sort=sort) == fresh, (sort, status, text)


def test_an_index_with_items_read_again_filters_on_their_new_values(store: Engine) -> None:
    with session_scope(store) as session:
        items = list_items(session, ItemFilter(), today=TODAY)
    index = SearchIndex(items)
    loadtests = ItemFilter(text="load-test")
    assert [i.title for i in index.filter(loadtests, today=TODAY)] == [LOADTEST]
    loadtest = next(i for i in items if i.title == LOADTEST)
    renamed = replace(loadtest, title="Load test the cache", owner="zoe", status="done")
    fresh = index.replaced([renamed])
    assert fresh.filter(loadtests, today=TODAY) == []
    assert fresh.filter(ItemFilter(owner="zoe"), today=TODAY) == [renamed]
    assert [i.id for i in fresh.filter(ItemFilter(), today=TODAY)] == [i.id for i in items]
    # The index it came from is untouched.
    assert index.filter(loadtests, today=TODAY) == [loadtest]


def test_shown_items_say_where_an_item_is(store: Engine) -> None:
    with session_scope(store) as session:
        items = list_items(session, ItemFilter(), today=TODAY)
    shown = SearchIndex(items).shown(ItemFilter(), today=TODAY, sort=Sort.of("title"))
    titles = [i.title for i in shown]
    assert titles == sorted(titles, key=str.lower)
    last = shown[len(shown) - 1]
    assert shown.index_of(last.id) == len(shown) - 1
    assert shown[1:3] == list(shown)[1:3]
    assert shown.index_of("no-such-id") == -1
    one = SearchIndex(items).shown(ItemFilter(text="load-test"), today=TODAY)
    assert [i.title for i in one] == [LOADTEST]
    assert one.index_of(last.id) == (0 if last.title == LOADTEST else -1)
    assert one.index_of(one[0].id) == 0


def test_the_row_of_an_item_follows_it_through_filters_and_a_reload(store: Engine) -> None:
    with session_scope(store) as session:
        items = list_items(session, ItemFilter(), today=TODAY)
        again = list_items(session, ItemFilter(), today=TODAY)
    index = SearchIndex(items)
    everything = index.shown(ItemFilter(), today=TODAY, sort=Sort.of("title"))
    row = everything.index_of(next(i.id for i in items if i.title == LOADTEST))
    item = everything[row]
    narrowed = index.shown(ItemFilter(text="load-test"), today=TODAY)
    assert narrowed.row_of(item, everything, row) == 0
    assert narrowed[0] is item
    assert (
        index.shown(ItemFilter(text="no such text"), today=TODAY).row_of(item, everything, row)
        == -1
    )
    # Read again, in another order: the same position holds another item, found by id.
    reloaded = SearchIndex(again[::-1]).shown(ItemFilter(), today=TODAY)
    found = reloaded.row_of(item, everything, row)
    assert reloaded[found].id == item.id
    assert reloaded[found] is not item


def test_a_search_finds_text_in_any_script_and_case_as_the_titles_hold_it() -> None:
    from tests.cli.test_listing import item as view

    titles = ["Café crème", "CAFÉ ÉCLAIR", "Cafe", "Straße", "Ölwechsel", "naïve \ud800 text"]
    loaded = [view(id=f"i{n}", title=t, owner="Zoë") for n, t in enumerate(titles)]
    index = SearchIndex(loaded)
    for text in ["café", "CAFÉ", "é", "éc", "ß", "öl", "ë", "zoë", "ï", "\ud800", "e c"]:
        got = [i.title for i in index.filter(ItemFilter(text=text), today=TODAY)]
        wanted = [t for t in titles if text.lower() in f"{t}\nzoë".lower()]
        assert got == wanted, text
    assert [i.title for i in index.filter(ItemFilter(text="é"), today=TODAY)] == titles[:2]
