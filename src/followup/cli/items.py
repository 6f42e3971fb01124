"""Commands over the local store: import, list, show."""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text

from followup import clock, postmortem
from followup.cli import output
from followup.cli.context import CliContext, pass_cli
from followup.store import session_scope
from followup.store.queries import (
    ItemFilter,
    get_item,
    item_events,
    list_items,
    parse_statuses,
    postmortem_source,
)
from followup.sync.importing import ImportFailed, ImportReport, import_files

CONTEXT_RADIUS = 3


def print_import(cli: CliContext, report: ImportReport) -> None:
    """Print what an import did, one line per document and a total."""
    for problem in report.skipped:
        cli.warn(f"skipped {problem.message}")
    created = updated = removed = 0
    for result in report.results:
        for warning in result.warnings:
            cli.warn(f"{result.path}: {warning}")
        if result.unchanged:
            change = "unchanged"
        else:
            bits = [f"{result.created} new"] if result.created else []
            if result.suggested:
                bits.append(f"{result.suggested} suggested")
            if result.updated:
                bits.append(f"{result.updated} updated")
            if result.removed:
                bits.append(f"{result.removed} removed")
            change = ", ".join(bits) or "no item changed"
        noun = "item" if result.items == 1 else "items"
        cli.out.print(
            Text.assemble(
                ("✔ ", "green"), (result.slug, "bold"), f"  {result.items} {noun} ({change})"
            ),
            highlight=False,
        )
        created += result.created
        updated += result.updated
        removed += result.removed
    docs = len(report.results)
    cli.out.print(
        f"{docs} post-mortem{'s' if docs != 1 else ''} imported: "
        f"{created} new, {updated} updated, {removed} removed items.",
        highlight=False,
    )


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--repo", metavar="OWNER/NAME", help="Repository for items that name none.")
@click.option("--skip-invalid", is_flag=True, help="Import the readable files even if others fail.")
@click.option(
    "--force", is_flag=True, help="Import files even if they do not look like post-mortems."
)
@pass_cli
def import_command(
    cli: CliContext, paths: tuple[Path, ...], repo: str | None, skip_invalid: bool, force: bool
) -> None:
    """Read post-mortems and store their action items (safe to re-run)."""
    try:
        report = import_files(
            cli.engine(),
            list(paths),
            default_repo=repo or cli.settings.repo,
            skip_invalid=skip_invalid,
            force=force,
        )
    except ImportFailed as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem.message}", err=True)
        raise
    print_import(cli, report)


@click.command("list")
@click.option("--owner", help="Only items owned by this login (with or without @).")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    help="Only items with this status (repeat or comma-separate): open, filed, in_progress, "
    "done, wont_do, regressed, removed, suggested, dismissed.",
)
@click.option("--postmortem", "-p", metavar="SLUG", help="Only items of this post-mortem.")
@click.option("--kind", type=click.Choice(["issue", "branch_protection"]), help="Only this kind.")
@click.option("--repo", metavar="OWNER/NAME", help="Only items for this repository.")
@click.option("--overdue", is_flag=True, help="Only items past their due date and not closed.")
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
)
@pass_cli
def list_command(
    cli: CliContext,
    owner: str | None,
    statuses: tuple[str, ...],
    postmortem: str | None,
    kind: str | None,
    repo: str | None,
    overdue: bool,
    search: str | None,
    include_removed: bool,
    fmt: str,
) -> None:
    """List action items."""
    flt = ItemFilter(
        statuses=parse_statuses(statuses),
        owner=owner,
        postmortem=postmortem,
        kind=kind,
        repo=repo,
        overdue=overdue,
        text=search,
        include_removed=include_removed,
    )
    today = clock.today()
    with session_scope(cli.engine()) as session:
        items = list_items(session, flt, today=today)
    if fmt == "json":
        click.echo(output.items_json(items, today))
    elif fmt == "csv":
        click.echo(output.items_csv(items, today), nl=False)
    elif not items:
        cli.err.print("No action items match. Import a post-mortem with 'followup import FILE'.")
    else:
        cli.out.print(output.items_table(items, today, cli.out.width))
        n = len(items)
        cli.out.print(f"{n} item{'s' if n != 1 else ''}", style="dim", highlight=False)


@click.command("show")
@click.argument("item_id")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_cli
def show_command(cli: CliContext, item_id: str, fmt: str) -> None:
    """Show one action item with its source context and history (ID or a unique prefix)."""
    today = clock.today()
    with session_scope(cli.engine()) as session:
        item = get_item(session, item_id)
        events = item_events(session, item.id)
        source = postmortem_source(session, item.postmortem)
    if fmt == "json":
        click.echo(output.item_json(item, events, today))
        return
    first = max(1, item.line - CONTEXT_RADIUS)
    context = postmortem.context(source, item.line, CONTEXT_RADIUS)
    cli.out.print(output.item_detail(item, events, context, first, today))
