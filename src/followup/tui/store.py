"""What the screens read from the store, each read in its own short session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from followup import postmortem
from followup.store import session_scope
from followup.store.metrics import Dashboard, PostMortemSummary, dashboard, postmortem_summary
from followup.store.queries import (
    ItemFilter,
    get_item,
    item_events,
    iter_items,
    list_items,
    postmortem_source,
    postmortems,
)
from followup.store.synced import sync_times
from followup.store.views import EventView, ItemView, PostMortemView
from followup.tui.annotate import item_markdown
from followup.tui.first_page import compact

if TYPE_CHECKING:
    from followup.policy import DuePolicy
    from followup.sync.polling import SyncRunView

CONTEXT_RADIUS = 3


@dataclass(frozen=True, slots=True)
class ItemDetail:
    """One item with its history and the lines around it in its post-mortem."""

    item: ItemView
    events: list[EventView]
    context: str
    context_first_line: int
    markdown: str  # the item's text, renderable on its own


def read_items(
    engine: Engine, *, today: date, limit: int | None = None, names: dict[Any, Any] | None = None
) -> list[ItemView]:
    """Return every live item (or the first `limit`), in document order, held compactly.

    Brief views (listing.brief_views) with the two times the table shows: an item's
    text, history and issue details are read again when its detail is shown. Values
    already in `names` are shared (first_page.compact).
    """
    with session_scope(engine) as session:
        brief = iter_items(session, ItemFilter(), today=today, limit=limit, brief=True)
        items = compact(brief, names)
        times = sync_times(session, {i.id for i in items} if limit is not None else None)
    for item in items:
        known = times.get(item.id)
        if known is not None:
            item.verified_at = known[0]
            if item.issue is not None:
                item.issue.synced_at = known[1]
    return items


def read_items_by_id(engine: Engine, item_ids: Sequence[str]) -> list[ItemView]:
    """Return some items as they are now."""
    with session_scope(engine) as session:
        return [get_item(session, item_id) for item_id in item_ids]


def read_postmortems(
    engine: Engine, *, today: date, names: dict[Any, Any] | None = None
) -> list[PostMortemView]:
    """Return the post-mortems with their counts, sharing the values already in `names`."""
    with session_scope(engine) as session:
        return postmortems(session, today=today, names=names)


def read_last_sync(engine: Engine) -> SyncRunView | None:
    """Return the latest sync as the store recorded it."""
    from followup.sync.polling import last_run

    return last_run(engine)


def read_item(engine: Engine, item_id: str) -> ItemDetail:
    """Return one item with its history and source context."""
    with session_scope(engine) as session:
        item = get_item(session, item_id)
        events = item_events(session, item.id)
        source = postmortem_source(session, item.postmortem)
    first = max(1, item.line - CONTEXT_RADIUS)
    context = postmortem.context(source, item.line, CONTEXT_RADIUS)
    markdown = item_markdown(item.text or item.title, source, item.line)
    return ItemDetail(item, events, context, first, markdown)


def read_postmortem(
    engine: Engine, slug: str, *, today: date
) -> tuple[str, PostMortemSummary, list[ItemView]]:
    """Return a post-mortem's text, its summary and its items."""
    with session_scope(engine) as session:
        source = postmortem_source(session, slug)
        summary = postmortem_summary(session, slug, today=today)
        items = list_items(session, ItemFilter(postmortem=slug), today=today)
    return source, summary, items


def read_dashboard(engine: Engine, *, today: date) -> Dashboard:
    """Return the weekly review's numbers."""
    with session_scope(engine) as session:
        return dashboard(session, today=today)


def read_report(
    engine: Engine,
    *,
    days: int,
    today: date,
    postmortems: tuple[str, ...],
    owner: str | None,
    policy: DuePolicy,
) -> tuple[str, str]:
    """Return the Markdown of the last `days` days' review report, and its period's key."""
    from followup.sync import review
    from followup.sync.review.markdown import render_markdown

    report = review.make_report(
        engine,
        since=review.parse_since(f"{days}d", today),
        today=today,
        postmortems=postmortems,
        owner=owner,
    )
    context = review.context_for(report, policy, f"{days}d")
    return render_markdown(report, context, html_footer=False), context.period.key
