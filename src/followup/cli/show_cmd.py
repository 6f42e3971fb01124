"""`followup show`: one item, its source context and its history.

Apart from `followup list` (cli/list_cmd.py), so that showing one item imports nothing
of the list's machinery: on PostgreSQL the driver alone costs a tenth of a second.
"""

from __future__ import annotations

import click

from followup import clock, postmortem
from followup.cli import output, printing
from followup.cli.context import CliContext, pass_cli
from followup.cli.options import examples
from followup.cli.reading import note_renames, open_directly
from followup.store.views import EventView, ItemView
from followup.text import clean

CONTEXT_RADIUS = 3


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
    found = _show_directly(cli, item_id)
    if found is not None:
        item, events, source = found
        moved: list[tuple[str, str]] = []
    else:
        from followup.store import session_scope
        from followup.store.queries import get_item, item_events, postmortem_source
        from followup.store.repo_identity import (
            renamed_repos,
            renames_among,
            with_current_names,
        )

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
    note_renames(cli, moved)


def _show_directly(cli: CliContext, ref: str) -> tuple[ItemView, list[EventView], str] | None:
    """Return the item, its history and its document made safe to show, read directly."""
    from followup.store import direct_items

    store = open_directly(cli)
    if store is None:
        return None
    try:
        shown = direct_items.find_item(store, ref)
    finally:
        store.close()
    if shown is None:
        return None
    # As queries.postmortem_source: only what is shown has its control characters made
    # visible.
    return shown.item, shown.events, clean(shown.source)
