"""`followup list` and `followup show`: read the store."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator

import click

from followup import clock, postmortem
from followup.cli import output, printing
from followup.cli.context import CliContext, pass_cli
from followup.cli.listing import marks_of, write_json, write_lines, write_table
from followup.cli.options import examples
from followup.cli.repos import REPO, RepoSpec, repo_for
from followup.display import MARK_MEANING
from followup.store import session_scope
from followup.store.models import UNACCEPTED_STATUSES
from followup.store.queries import (
    ItemFilter,
    get_item,
    item_events,
    iter_items,
    list_items,
    parse_statuses,
    postmortem_source,
)
from followup.store.repo_identity import renamed_repos, renames_among, with_current_names
from followup.store.views import ItemView

CONTEXT_RADIUS = 3
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
) -> None:
    """List action items, one table per post-mortem."""
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
    today = clock.today()
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
            return
        if fmt == "csv":
            click.echo(output.items_csv(list(items), today), nl=False)
            return
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
        if empty:
            message = "no action items yet: import a post-mortem with 'followup import FILE'"
        elif given:
            message = f"no items match {given}"
        else:
            message = "no items to list: every item was removed from its post-mortem (see --all)"
        printing.line(cli.err, message)
        return
    count = f"{n} item{'s' if n != 1 else ''}"
    if waiting:
        count += f", {len(waiting)} suggestion{'s' if len(waiting) != 1 else ''}"
    printing.line(cli.out, count, style="dim")
    legend = "   ".join(
        f"{mark} {meaning}" for mark, meaning in MARK_MEANING.items() if mark in marks
    )
    if legend:
        printing.line(cli.out, legend, style="dim")
    _note_renames(cli, sorted(moved.items()))


UNACCEPTED = frozenset(s.value for s in UNACCEPTED_STATUSES)
SUGGESTED_HEADING = (
    "Suggested: commitments found in prose (followup accept ID… / followup dismiss ID…)"
)


def _note_renames(cli: CliContext, moved: list[tuple[str, str]]) -> None:
    """Say which repositories are shown under the name GitHub gives them now."""
    for old, new in moved:
        printing.line(
            cli.err, f"note: {old} is now {new} on GitHub (renamed or transferred)", style="dim"
        )


@click.command(
    "show",
    epilog=examples("followup show 3f2a", "followup show 3f2a9c1 --format json | jq .history"),
)
@click.argument("item_id")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json (docs/schemas/show.schema.json) for scripts.",
)
@pass_cli
def show_command(cli: CliContext, item_id: str, fmt: str) -> None:
    """Show one action item with its source context and history (ID or a unique prefix)."""
    today = clock.today()
    with session_scope(cli.engine()) as session:
        item = get_item(session, item_id)
        events = item_events(session, item.id)
        source = postmortem_source(session, item.postmortem)
        renamed = renamed_repos(session)
    moved = renames_among([item], renamed)
    item = with_current_names(item, renamed)
    if fmt == "json":
        click.echo(output.item_json(item, events, today))
        return
    first = max(1, item.line - CONTEXT_RADIUS)
    context = postmortem.context(source, item.line, CONTEXT_RADIUS)
    panel = None
    if not printing.plain(cli.out):
        panel = output.item_detail(item, events, context, first, today, cli.out.width)
    if panel is not None:
        printing.show(cli.out, panel)
    else:
        for line in output.item_lines(item, events, context, first, today):
            printing.line(cli.out, line)
    _note_renames(cli, moved)
