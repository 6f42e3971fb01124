"""`followup accept`: make suggestions found in prose ordinary items, to file and track."""

from __future__ import annotations

import click

from followup.cli.context import CliContext, pass_cli
from followup.cli.decisions import add_decisions, closing, summary
from followup.cli.options import examples
from followup.cli.reporting import Report, format_option
from followup.sync.suggestions import accept


@click.command(
    "accept",
    epilog=examples(
        "followup list --status suggested",
        "followup accept 3f2a 9c1b",
        "followup accept 3f2a --format json",
    ),
)
@click.argument("item_ids", metavar="ID...", nargs=-1, required=True)
@format_option
@pass_cli
def accept_command(cli: CliContext, item_ids: tuple[str, ...], fmt: str) -> None:
    """Accept suggested items (IDs or unique prefixes): they become open items to file."""
    report = Report.start(cli, "accept", fmt, summary=summary("accepted"))
    add_decisions(cli, report, accept(cli.engine(), item_ids), "accepted")
    report.finish(closing(report, "accepted"))
