"""The app's store side: opens the engine, reads the items in threads, keeps the newest.

The first rows go out on their own so the table shows before the sidebar's post-mortems
are counted; every later read is a whole one, and a read started after another wins.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.worker import get_current_worker

from followup.store.views import ItemView, PostMortemView
from followup.tui import first_page as first_rows
from followup.tui.filtering import SearchIndex
from followup.tui.jobs import one_line
from followup.tui.messages import ItemsLoaded, ItemsRefreshed, LoadFailed

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from followup.sync.polling import SyncRunView

# How long the load waits for the first rows to be drawn before reading the rest anyway.
FIRST_PAINT_WAIT = 3.0


class LoadingApp(App[None]):
    """Hold the store's engine and the items read from it; the screens watch data_version."""

    data_version: reactive[int] = reactive(0, init=False)
    status_version: reactive[int] = reactive(0, init=False)

    def __init__(
        self,
        *,
        engine: Engine | Callable[[], Engine],
        today: Callable[[], date],
        first_page: first_rows.FirstPage | None = None,
    ) -> None:
        super().__init__()
        if callable(engine):
            self._engine: Engine | None = None
            self._open_engine: Callable[[], Engine] | None = engine
        else:
            self._engine = engine
            self._open_engine = None
        self._engine_lock = threading.Lock()
        self._first_page = first_page
        self.today = today
        self.items: list[ItemView] = []
        self.index = SearchIndex([])
        self.postmortems: list[PostMortemView] = []
        self.loaded = False
        self.complete = False
        self.last_sync: SyncRunView | None = None
        self._generation = 0
        self._first_load_seen = False

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Show a notification; its text is never read as markup (it may quote GitHub)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    @property
    def engine(self) -> Engine:
        """Return the store's engine, opening it on first use (from whichever thread)."""
        with self._engine_lock:
            if self._engine is None:
                assert self._open_engine is not None
                self._engine = self._open_engine()
            return self._engine

    def reload(self, *, first_page: bool = False) -> None:
        """Read the items again in a thread; the screens follow."""
        self._generation += 1
        self._load(self._generation, first_page)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self, generation: int, first_page: bool) -> None:
        worker = get_current_worker()
        today = self.today()
        # The values the reads below share: items and post-mortems name the same slugs,
        # titles and files, and the two reads of the post-mortems the same everything.
        names: dict[Any, Any] = {}
        try:
            if first_page:
                limit = first_rows.FIRST_PAGE
                items = self._read_first_page(limit)
                if items is None:
                    from followup.tui import store

                    items = store.read_items(self.engine, today=today, limit=limit, names=names)
                    if len(items) < limit:
                        # Everything fitted in the first page: one read was enough.
                        pms = store.read_postmortems(self.engine, today=today, names=names)
                        sync = store.read_last_sync(self.engine)
                        self.post_message(ItemsLoaded(items, pms, sync, True, generation))
                        return
                # The first rows go out before the sidebar's post-mortems: counting and
                # showing 10,000 of them takes longer than the rows themselves. The rest
                # waits until they are on screen: this thread's Python work (importing
                # SQLAlchemy too, when the rows were read without it) would take the
                # interpreter's lock from the UI thread drawing them.
                painted = threading.Event()
                self.post_message(
                    ItemsLoaded(
                        items, self.postmortems, self.last_sync, False, generation, painted=painted
                    )
                )
                painted.wait(FIRST_PAINT_WAIT)
                from followup.tui import store

                pms = store.read_postmortems(self.engine, today=today, names=names)
                if worker.is_cancelled:
                    return
                self.post_message(ItemsLoaded(items, pms, self.last_sync, False, generation))
            from followup.tui import store

            items = store.read_items(self.engine, today=today, names=names)
            pms = store.read_postmortems(self.engine, today=today, names=names)
            sync = store.read_last_sync(self.engine)
            del names
        except Exception as exc:
            self.post_message(LoadFailed(one_line(exc)))
            return
        if worker.is_cancelled:
            return
        # With 10,000 items a full garbage collection takes 100-200 ms and would land on a
        # keystroke: collect once here, off the UI thread, then keep what is loaded out of
        # the collector's sight (freed items still go by reference counting).
        index = SearchIndex(items)
        if len(items) >= first_rows.FIRST_PAGE:
            gc.collect()
            gc.freeze()
        self.post_message(ItemsLoaded(items, pms, sync, True, generation, index))

    def _read_first_page(self, limit: int) -> list[ItemView] | None:
        """Return the first rows read directly, or None for the ordinary path to read them."""
        reader, self._first_page = self._first_page, None
        if reader is None:
            return None
        try:
            return reader(limit)
        except Exception as exc:
            # The ordinary path reads the same rows, and says properly what is wrong if
            # the store cannot be read.
            self.log.warning(f"reading the first rows directly failed: {one_line(exc)}")
            return None

    def on_items_loaded(self, message: ItemsLoaded) -> None:
        """Keep the newest data and tell the screens."""
        if message.generation != self._generation:
            return
        if not self._first_load_seen:
            self._first_load_seen = True
            self.after_first_load()
        self.items = message.items
        self.index = message.index or SearchIndex(message.items)
        self.postmortems = message.postmortems
        self.last_sync = message.last_sync
        self.loaded = True
        self.complete = message.complete
        self.data_version += 1
        if message.painted is not None:
            self.call_after_refresh(message.painted.set)
        self.status_version += 1

    @work(thread=True, exit_on_error=False, group="refresh")
    def _refresh_items(self, generation: int, item_ids: tuple[str, ...]) -> None:
        from followup.tui import store

        today = self.today()
        try:
            items = store.read_items_by_id(self.engine, item_ids)
            pms = store.read_postmortems(self.engine, today=today)
        except Exception as exc:
            self.post_message(LoadFailed(one_line(exc)))
            return
        self.post_message(ItemsRefreshed(items, pms, generation))

    def on_items_refreshed(self, message: ItemsRefreshed) -> None:
        """Swap the re-read items in place; a full load started meanwhile wins."""
        if message.generation != self._generation or not self.complete:
            return
        self.index = self.index.replaced(message.items)
        self.items = self.index.items
        self.postmortems = message.postmortems
        self.data_version += 1

    def after_first_load(self) -> None:
        """Start what waits for the first rows to arrive (nothing, at this layer)."""

    def on_load_failed(self, message: LoadFailed) -> None:
        """Say the store could not be read."""
        self.notify(message.error, title="Cannot read the store", severity="error")
