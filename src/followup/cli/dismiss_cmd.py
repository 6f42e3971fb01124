"""`followup dismiss`: turn down suggestions found in prose; re-imports keep them dismissed."""

from __future__ import annotations

import click

from followup.cli.context import CliContext, pass_cli
from followup.cli.decisions import add_decisions, closing, summary
from followup.cli.options import examples
from followup.cli.reporting import Report, format_option
from followup.sync.suggestions import dismiss


@click.command(
    "dismiss",
    epilog=examples(
        "followup list --status suggested",
        "followup dismiss 3f2a 9c1b",
        "followup list --status dismissed",
    ),
)
@click.argument("item_ids", metavar="ID...", nargs=-1, required=True)
@format_option
@pass_cli
def dismiss_command(cli: CliContext, item_ids: tuple[str, ...], fmt: str) -> None:
    """Dismiss suggested items (IDs or unique prefixes): never filed, hidden from lists."""
    report = Report.start(cli, "dismiss", fmt, summary=summary("dismissed"))
    add_decisions(cli, report, dismiss(cli.engine(), item_ids), "dismissed")
    report.finish(closing(report, "dismissed"))
