"""Edit an item from the command line: close, reopen, assign, due, priority."""

from __future__ import annotations

from collections.abc import Callable

import click
from rich.text import Text

from followup import clock
from followup.cli.context import CliContext, pass_cli
from followup.cli.options import examples
from followup.cli.reporting import Entry, IssueRef, Report, format_option
from followup.dates_input import read_due
from followup.errors import InputError
from followup.github import AuthError, GitHub, GitHubFactory
from followup.store import session_scope
from followup.store.queries import get_item
from followup.sync.edits import (
    CloseReason,
    EditResult,
    check_priority,
    close_item,
    reassign_item,
    reopen_item,
    set_due,
    set_priority,
)

EDIT_SUMMARY = dict.fromkeys(("pushed", "queued", "local", "unchanged"), 0)
OUTCOME_STYLE = {
    "pushed": ("✔ ", "green"),
    "local": ("✔ ", "green"),
    "queued": ("⧗ ", "yellow"),
    "unchanged": ("· ", "dim"),
}


def _finish(report: Report, result: EditResult) -> None:
    for warning in result.warnings:
        report.warn(warning)
    icon, style = OUTCOME_STYLE.get(result.outcome, ("", ""))
    report.add(
        Entry(
            id=result.item_id,
            action=result.outcome,
            issue=IssueRef.parse(result.issue),
            message=result.message,
            details={"field": result.field, "old": result.old, "new": result.new},
            text=Text.assemble((icon, style), result.message),
        )
    )
    report.summary[result.outcome] = 1
    report.finish()


def _with_client(
    cli: CliContext, report: Report, item_id: str, edit: Callable[[GitHub | None], EditResult]
) -> None:
    """Run an edit with a GitHub client when the item has an issue and a token is found."""
    with session_scope(cli.engine()) as session:
        linked = get_item(session, item_id).issue is not None
    client: GitHub | None = None
    if linked:
        try:
            client = GitHubFactory(cli.settings)()
        except AuthError as exc:
            report.warn(f"{exc}; the change is kept here and 'followup sync' pushes it later")
    try:
        result = edit(client)
    finally:
        if client is not None:
            client.close()
    _finish(report, result)


def _exactly_one(value: str | None, none: bool, what: str) -> None:
    if (value is None) == (not none):
        raise InputError(f"give either {what} or --none")


@click.command(
    "close",
    epilog=examples("followup close 3f2a", "followup close 3f2a --not-planned --format json"),
)
@click.argument("item_id")
@click.option("--not-planned", is_flag=True, help="Close as not planned (won't do).")
@format_option
@pass_cli
def close_command(cli: CliContext, item_id: str, not_planned: bool, fmt: str) -> None:
    """Close an item, and its GitHub issue (as completed, or not planned)."""
    report = Report.start(cli, "close", fmt, summary=EDIT_SUMMARY)
    reason: CloseReason = "not_planned" if not_planned else "completed"
    _with_client(
        cli,
        report,
        item_id,
        lambda client: close_item(cli.engine(), client, item_id, reason=reason),
    )


@click.command("reopen", epilog=examples("followup reopen 3f2a"))
@click.argument("item_id")
@format_option
@pass_cli
def reopen_command(cli: CliContext, item_id: str, fmt: str) -> None:
    """Reopen an item, and its GitHub issue."""
    report = Report.start(cli, "reopen", fmt, summary=EDIT_SUMMARY)
    _with_client(cli, report, item_id, lambda client: reopen_item(cli.engine(), client, item_id))


@click.command(
    "assign", epilog=examples("followup assign 3f2a dana", "followup assign 3f2a --none")
)
@click.argument("item_id")
@click.argument("login", required=False)
@click.option("--none", "nobody", is_flag=True, help="Assign the item to nobody.")
@format_option
@pass_cli
def assign_command(
    cli: CliContext, item_id: str, login: str | None, nobody: bool, fmt: str
) -> None:
    """Give an item (and its issue) to a GitHub user: assign ID LOGIN, or ID --none."""
    _exactly_one(login, nobody, "a LOGIN")
    report = Report.start(cli, "assign", fmt, summary=EDIT_SUMMARY)
    _with_client(
        cli, report, item_id, lambda client: reassign_item(cli.engine(), client, item_id, login)
    )


@click.command(
    "due",
    epilog=examples(
        "followup due 3f2a 2026-06-30", "followup due 3f2a +14", "followup due 3f2a --none"
    ),
)
@click.argument("item_id")
@click.argument("when", metavar="DATE", required=False)
@click.option("--none", "nobody", is_flag=True, help="Clear the due date.")
@format_option
@pass_cli
def due_command(cli: CliContext, item_id: str, when: str | None, nobody: bool, fmt: str) -> None:
    """Set an item's due date, or clear it with --none.

    DATE is read as in the TUI, counted from today: 2026-06-30, +14, 2w, friday, end of
    Q1. On a linked item it also goes into the Due line of followup's block in the issue
    body (and the Due field of the item's GitHub Project, if any).
    """
    _exactly_one(when, nobody, "a DATE")
    due = read_due(when, clock.today()) if when else None
    report = Report.start(cli, "due", fmt, summary=EDIT_SUMMARY)
    _with_client(cli, report, item_id, lambda client: set_due(cli.engine(), client, item_id, due))


@click.command(
    "priority", epilog=examples("followup priority 3f2a P0", "followup priority 3f2a --none")
)
@click.argument("item_id")
@click.argument("priority", metavar="P0..P3", required=False)
@click.option("--none", "nobody", is_flag=True, help="Clear the priority.")
@format_option
@pass_cli
def priority_command(
    cli: CliContext, item_id: str, priority: str | None, nobody: bool, fmt: str
) -> None:
    """Set an item's priority (P0 to P3), or clear it with --none.

    On a linked item the issue gets the priority:P0…P3 label (created if missing), its old
    priority label goes, and the item's GitHub Project, if any, gets it in its Priority field.
    """
    _exactly_one(priority, nobody, "a priority")
    priority = check_priority(priority)
    report = Report.start(cli, "priority", fmt, summary=EDIT_SUMMARY)
    _with_client(
        cli,
        report,
        item_id,
        lambda client: set_priority(
            cli.engine(), client, item_id, priority, policy=cli.settings.policy
        ),
    )
