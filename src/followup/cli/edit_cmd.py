"""Edit an item from the command line: close, reopen, assign, due, priority."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import click
from dateutil import parser as dateparser
from rich.text import Text

from followup.cli.context import CliContext, pass_cli
from followup.errors import InputError
from followup.github import AuthError, GitHub, GitHubFactory
from followup.store import session_scope
from followup.store.queries import get_item
from followup.sync.edits import (
    CloseReason,
    EditResult,
    close_item,
    reassign_item,
    reopen_item,
    set_due,
    set_priority,
)

OUTCOME_STYLE = {
    "pushed": ("✔ ", "green"),
    "local": ("✔ ", "green"),
    "queued": ("⧗ ", "yellow"),
    "unchanged": ("· ", "dim"),
}


def parse_date(text: str) -> date:
    """Return the date a user wrote: 2026-03-01, 1 March 2026, Mar 1 2026..."""
    try:
        return dateparser.parse(text).date()
    except (ValueError, OverflowError):
        raise InputError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def _print(cli: CliContext, result: EditResult) -> None:
    icon, style = OUTCOME_STYLE.get(result.outcome, ("", ""))
    cli.out.print(Text.assemble((icon, style), result.message), highlight=False)


def _with_client(
    cli: CliContext, item_id: str, edit: Callable[[GitHub | None], EditResult]
) -> None:
    """Run an edit with a GitHub client when the item has an issue and a token is found."""
    with session_scope(cli.engine()) as session:
        linked = get_item(session, item_id).issue is not None
    client: GitHub | None = None
    if linked:
        try:
            client = GitHubFactory(cli.settings)()
        except AuthError as exc:
            cli.warn(f"{exc}; the change is kept here and 'followup sync' pushes it later")
    try:
        _print(cli, edit(client))
    finally:
        if client is not None:
            client.close()


def _exactly_one(value: str | None, none: bool, what: str) -> None:
    if (value is None) == (not none):
        raise InputError(f"give either {what} or --none")


@click.command("close")
@click.argument("item_id")
@click.option("--not-planned", is_flag=True, help="Close as not planned (won't do).")
@pass_cli
def close_command(cli: CliContext, item_id: str, not_planned: bool) -> None:
    """Close an item, and its GitHub issue (as completed, or not planned)."""
    reason: CloseReason = "not_planned" if not_planned else "completed"
    _with_client(
        cli, item_id, lambda client: close_item(cli.engine(), client, item_id, reason=reason)
    )


@click.command("reopen")
@click.argument("item_id")
@pass_cli
def reopen_command(cli: CliContext, item_id: str) -> None:
    """Reopen an item, and its GitHub issue."""
    _with_client(cli, item_id, lambda client: reopen_item(cli.engine(), client, item_id))


@click.command("assign")
@click.argument("item_id")
@click.argument("login", required=False)
@click.option("--none", "nobody", is_flag=True, help="Assign the item to nobody.")
@pass_cli
def assign_command(cli: CliContext, item_id: str, login: str | None, nobody: bool) -> None:
    """Give an item (and its issue) to a GitHub user: assign ID LOGIN, or ID --none."""
    _exactly_one(login, nobody, "a LOGIN")
    _with_client(cli, item_id, lambda client: reassign_item(cli.engine(), client, item_id, login))


@click.command("due")
@click.argument("item_id")
@click.argument("when", metavar="DATE", required=False)
@click.option("--none", "nobody", is_flag=True, help="Clear the due date.")
@pass_cli
def due_command(cli: CliContext, item_id: str, when: str | None, nobody: bool) -> None:
    """Set an item's due date (YYYY-MM-DD), or clear it with --none."""
    _exactly_one(when, nobody, "a DATE")
    _print(cli, set_due(cli.engine(), item_id, parse_date(when) if when else None))


@click.command("priority")
@click.argument("item_id")
@click.argument("priority", metavar="P0..P3", required=False)
@click.option("--none", "nobody", is_flag=True, help="Clear the priority.")
@pass_cli
def priority_command(cli: CliContext, item_id: str, priority: str | None, nobody: bool) -> None:
    """Set an item's priority (P0 to P3), or clear it with --none."""
    _exactly_one(priority, nobody, "a priority")
    _print(cli, set_priority(cli.engine(), item_id, priority))
