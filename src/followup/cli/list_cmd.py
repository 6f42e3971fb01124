"""`followup list`: the items of the store, one table per post-mortem."""

from __future__ import annotations

import functools
import itertools
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, TypeVar

import click

from followup import clock
from followup.cli import output, pager, printing
from followup.cli.context import CliContext, pass_cli
from followup.cli.listing import (
    OBJECT_SEPARATOR,
    item_json,
    marks_of,
    plain_line,
    write_formed_lines,
    write_json,
    write_json_batches,
    write_lines,
    write_table,
)
from followup.cli.options import examples
from followup.cli.reading import note_renames, open_directly
from followup.cli.repos import REPO, RepoSpec, repo_for
from followup.cli.tables import write_groups
from followup.display import MARK_MEANING
from followup.errors import FollowupError
from followup.statuses import UNACCEPTED_STATUSES
from followup.store.filters import ItemFilter, parse_statuses
from followup.store.views import ItemView
from followup.text import clean

if TYPE_CHECKING:
    from followup.store.direct import DirectStore

T = TypeVar("T")

# The ordinary path (SQLAlchemy, SQLModel, the migrations) is imported only when the
# store cannot be read directly (store/direct.py): its imports alone cost half a second.

KINDS = ("issue", "branch_protection")


def _filters_given(**given: object) -> str:
    """Return the filters a user gave, as they would type them."""
    words = []
    for flag, value in given.items():
        if not value:
            continue
        name = "--" + flag.replace("_", "-")
        if value is True:
            words.append(name)
        elif isinstance(value, tuple):
            words.extend(f"{name} {part}" for part in value)
        else:
            words.append(f"{name} {value}")
    return " ".join(words)


@click.command(
    "list",
    epilog=examples(
        "followup list",
        "followup list --owner @dana --status open,filed",
        "followup list --overdue --format csv > overdue.csv",
        "followup list -R googleapis/docs --kind branch_protection --format json",
    ),
)
@click.option("--owner", help="Only items owned by this login (with or without @).")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    help="Only items with this status (repeat or comma-separate): open, filed, in_progress, "
    "done, wont_do, regressed, removed, suggested, dismissed.",
)
@click.option("--postmortem", "-p", metavar="SLUG", help="Only items of this post-mortem.")
@click.option("--kind", type=click.Choice(KINDS), help="Only this kind.")
@click.option(
    "--repo", "-R", type=REPO, help="Only items for this repository (owner/name or its URL)."
)
@click.option("--overdue", is_flag=True, help="Only items past their due date and not closed.")
@click.option(
    "--past-policy",
    is_flag=True,
    help="Only items still open after the due-date policy's deadline for their priority.",
)
@click.option("--search", "-s", metavar="TEXT", help="Only items whose title contains TEXT.")
@click.option(
    "--all",
    "include_removed",
    is_flag=True,
    help="Include removed items and dismissed suggestions.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table for people (plain lines when piped), json (docs/schemas/list.schema.json) "
    "or csv for scripts.",
)
@click.option(
    "--no-pager",
    is_flag=True,
    help="Write tables longer than the terminal straight to it, not through the pager "
    "(FOLLOWUP_PAGER, PAGER or less).",
)
@pass_cli
def list_command(
    cli: CliContext,
    owner: str | None,
    statuses: tuple[str, ...],
    postmortem: str | None,
    kind: str | None,
    repo: RepoSpec | None,
    overdue: bool,
    past_policy: bool,
    search: str | None,
    include_removed: bool,
    fmt: str,
    no_pager: bool,
) -> None:
    """List action items, one table per post-mortem."""
    given = _filters_given(
        owner=owner,
        status=statuses,
        postmortem=postmortem,
        kind=kind,
        repo=str(repo) if repo else None,
        overdue=overdue,
        past_policy=past_policy,
        search=search,
    )
    flt = ItemFilter(
        statuses=parse_statuses(statuses),
        owner=owner,
        postmortem=postmortem,
        kind=kind,
        repo=repo_for(repo, cli.settings) if repo else None,
        overdue=overdue,
        past_policy=past_policy,
        text=search,
        include_removed=include_removed,
    )
    # Long tables at a terminal go through a pager, as they are formed (cli/pager.py);
    # a note on stderr waits until the pager is quit.
    moved: list[tuple[str, str]] = []
    with pager.paged(cli, enabled=fmt == "table" and not no_pager):
        moved = _list(cli, flt, fmt, given)
    note_renames(cli, moved)


def _list(cli: CliContext, flt: ItemFilter, fmt: str, given: str) -> list[tuple[str, str]]:
    """Write the list; return the repositories shown under their new names (old, new)."""
    today = clock.today()
    # Plain lines and JSON are formed by the database when the store allows (the table
    # at a terminal, colour and CSV take the ordinary path).
    if (fmt == "json" or (fmt == "table" and _plain_uncoloured(cli))) and _list_directly(
        cli, flt, today, fmt
    ):
        return []
    # So are the tables at a terminal, from plain rows (cli/tables.py).
    if fmt == "table" and not printing.plain(cli.out) and _tables_directly(cli, flt, today):
        return []
    from followup.store import session_scope
    from followup.store.queries import iter_items, list_items
    from followup.store.repo_identity import renamed_repos, renames_among, with_current_names

    marks: set[str] = set()
    moved: dict[str, str] = {}
    waiting: list[ItemView] = []
    # Items are written as they are read: 100,000 of them never sit in memory at once.
    with session_scope(cli.engine()) as session:
        renamed = renamed_repos(session)

        def shown(items: Iterable[ItemView]) -> Iterator[ItemView]:
            for stored in items:
                item = stored
                if renamed:
                    moved.update(renames_among([stored], renamed))
                    item = with_current_names(stored, renamed)
                if fmt != "table":
                    yield item
                    continue
                marks.update(marks_of(item, today))
                # Suggestions found in prose are no commitment yet: listed apart, after the
                # rest (they are few; the items stream past them).
                if item.status in UNACCEPTED:
                    waiting.append(item)
                else:
                    yield item

        items = shown(iter_items(session, flt, today=today, brief=True))
        if fmt == "json":
            write_json(items, today, sys.stdout)
            return []
        if fmt == "csv":
            click.echo(output.items_csv(list(items), today), nl=False)
            return []
        write = write_lines if printing.plain(cli.out) else write_table
        n = write(items, today, cli.out)
        if waiting:
            if n:
                printing.line(cli.out, "")
            printing.line(cli.out, SUGGESTED_HEADING, style="bold")
            write(waiting, today, cli.out)
        empty = (
            not n
            and not waiting
            and not list_items(session, ItemFilter(include_removed=True), today=today, limit=1)
        )
    if not n and not waiting:
        if empty:
            message = "no action items yet: import a post-mortem with 'followup import FILE'"
        elif given:
            message = f"no items match {given}"
        else:
            message = "no items to list: every item was removed from its post-mortem (see --all)"
        printing.line(cli.err, message)
        return []
    _summary(cli, n, len(waiting), marks)
    return sorted(moved.items())


def _summary(cli: CliContext, n: int, suggestions: int, marks: set[str]) -> None:
    """Print the count of items (and suggestions) and the legend of the marks shown."""
    count = f"{n} item{'s' if n != 1 else ''}"
    if suggestions:
        count += f", {suggestions} suggestion{'s' if suggestions != 1 else ''}"
    printing.line(cli.out, count, style="dim")
    legend = "   ".join(
        f"{mark} {meaning}" for mark, meaning in MARK_MEANING.items() if mark in marks
    )
    if legend:
        printing.line(cli.out, legend, style="dim")


def _plain_uncoloured(cli: CliContext) -> bool:
    return printing.plain(cli.out) and cli.out.color_system is None


def _list_directly(cli: CliContext, flt: ItemFilter, today: date, fmt: str) -> bool:
    """List as the ordinary path would, reading the store directly; False if it cannot.

    An empty list is left to the ordinary path too, which says why it is empty.
    """
    from followup.store import direct

    store = open_directly(cli)
    if store is None:
        return False
    with _reading(store):
        if fmt == "json":
            form = functools.partial(item_json, today=today)
            # SQLite forms the objects; PostgreSQL, slow at forming text, sends them packed.
            if store.dialect == "sqlite":
                objects = direct.sqlite_objects(store, flt, today, form, OBJECT_SEPARATOR)
            else:
                from followup.store import packed_json

                objects = packed_json.iter_objects(store, flt, today, form, OBJECT_SEPARATOR)
            write_json_batches(objects, sys.stdout)
            return True
        headings = direct.headings(store)
        line = functools.partial(plain_line, today=today)
        out = cli.out.file
        candidates: set[str] = set()
        counts = _apart(
            cli,
            lambda suggested: direct.iter_lines(store, flt, today, line, suggested=suggested),
            lambda batches: write_formed_lines(batches, headings, out, candidates),
        )
        if counts is None:
            return False
        marks = direct.marks_shown(store, flt, today, candidates)
    _summary(cli, *counts, marks)
    return True


def _tables_directly(cli: CliContext, flt: ItemFilter, today: date) -> bool:
    """Write the list's tables as the ordinary path would, reading the store directly.

    False if the store cannot be read so, or the list is empty (the ordinary path says
    why).
    """
    from followup.store import table_rows

    store = open_directly(cli)
    if store is None:
        return False
    marks: set[str] = set()
    with _reading(store):
        counts = _apart(
            cli,
            lambda suggested: table_rows.iter_chunks(store, flt, today, suggested=suggested),
            lambda chunks: write_groups(chunks, today, cli.out, marks),
        )
        if counts is None:
            return False
    _summary(cli, *counts, marks)
    return True


def _apart(
    cli: CliContext,
    read: Callable[[bool], Iterator[T]],
    write: Callable[[Iterable[T]], int],
) -> tuple[int, int] | None:
    """Write the items, then the suggestions under their heading; return both counts.

    None when there is neither. Each reading is closed before this returns or raises (its
    threads and cursors ended while the store is open): a pager quit early stops the
    writing half-way.
    """
    with _closed(read(False)) as items:
        n = write(items)
    with _closed(read(True)) as waiting:
        first = next(waiting, None)
        if not n and first is None:
            return None
        suggestions = 0
        if first is not None:
            if n:
                printing.line(cli.out, "")
            printing.line(cli.out, SUGGESTED_HEADING, style="bold")
            suggestions = write(itertools.chain([first], waiting))
    return n, suggestions


@contextmanager
def _closed(items: Iterator[T]) -> Iterator[Iterator[T]]:
    """Yield items, closing them (a generator's) when the block ends, however it ends."""
    try:
        yield items
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()


@contextmanager
def _reading(store: DirectStore) -> Iterator[None]:
    """Close a store read directly, and say in one line what went wrong reading it."""
    from followup.store import direct

    try:
        yield
    except FollowupError:
        raise
    except direct.StoreChanged as exc:
        raise FollowupError(str(exc)) from None
    except Exception as exc:
        detail = clean(" ".join(str(exc).split()))
        raise FollowupError(f"cannot read the store: {detail}") from None
    finally:
        store.close()


UNACCEPTED = frozenset(s.value for s in UNACCEPTED_STATUSES)
SUGGESTED_HEADING = (
    "Suggested: commitments found in prose (followup accept ID… / followup dismiss ID…)"
)
