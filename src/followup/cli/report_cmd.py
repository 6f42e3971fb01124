"""`followup report`: the weekly review as Markdown, standalone HTML or JSON, posted if asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.text import Text

from followup import clock
from followup.cli import pager, printing
from followup.cli.context import CliContext, pass_cli
from followup.cli.options import examples
from followup.errors import FollowupError
from followup.sync import review
from followup.sync.review.period import DEFAULT_SINCE, parse_since


@click.command(
    "report",
    epilog=examples(
        "followup report",
        "followup report --since 14d --owner @dana",
        "followup report --format html -o review.html",
        "followup report -p 2019-12-05-gh-pages --format json | jq .totals",
        "followup report --post acme/ops#42",
    ),
)
@click.option(
    "--since",
    default=DEFAULT_SINCE,
    show_default=True,
    metavar="7d|2w|DATE",
    help="The period the report looks back on, up to today: days, weeks or a first date.",
)
@click.option(
    "--post-mortem",
    "-p",
    "postmortems",
    multiple=True,
    metavar="SLUG",
    help="Only this post-mortem's items (repeat for several).",
)
@click.option("--owner", help="Only items owned by this login (with or without @).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(review.FORMATS),
    default=None,
    help="markdown (default; reads well pasted into a GitHub issue), html (one standalone "
    "page with charts) or json (docs/schemas/review.schema.json). With --output, the "
    "file's suffix (.md, .html, .json) chooses when this is not given.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of printing it.",
)
@click.option(
    "--post",
    "post",
    metavar="OWNER/NAME#N",
    help="Also keep the report (as Markdown) as one comment per period on this issue: "
    "created the first time, updated after, never posted twice.",
)
@click.option(
    "--no-pager",
    is_flag=True,
    help="Write a report longer than the terminal straight to it, not through the pager "
    "(FOLLOWUP_PAGER, PAGER or less).",
)
@pass_cli
def report_command(
    cli: CliContext,
    since: str,
    postmortems: tuple[str, ...],
    owner: str | None,
    fmt: str | None,
    output: Path | None,
    post: str | None,
    no_pager: bool,
) -> None:
    """Report on the follow-ups for the weekly review: totals, completion, what is late.

    Totals (open, done, overdue, past their policy deadline, suggested), completion per
    post-mortem, overdue items per owner, what was closed and opened in the period, the
    median and 90th-percentile time to close per priority, how many items met their
    policy deadline, whether the backlog grew, and branch protection that regressed.
    """
    today = clock.today()
    first_day = parse_since(since, today)
    target = _issue(post) if post else None
    chosen = review.format_for(output, fmt)
    report = review.make_report(
        cli.engine(),
        since=first_day,
        today=today,
        postmortems=tuple(dict.fromkeys(postmortems)),
        owner=owner,
    )
    context = review.context_for(report, cli.settings.policy, since)
    posted: dict[str, Any] | None = None
    failure: FollowupError | None = None
    if target is not None:
        try:
            posted = _post(cli, report, context, target)
        except FollowupError as exc:
            failure = exc
    # As gh does: JSON indented for a person at a terminal, compact for a pipe or a file.
    pretty = output is None and not printing.plain(cli.out)
    text = review.render(report, chosen, context, posted=posted, pretty=pretty)
    if output is not None:
        review.write_report(output, text)
        _note(cli, f"wrote the report to {output}")
    else:
        # A long report at a terminal goes through the pager, as a long list does.
        with pager.paged(cli, enabled=not no_pager):
            click.echo(text, file=cli.out.file, nl=False)
    if failure is not None:
        raise failure


def _issue(ref: str) -> tuple[str, int]:
    """Return the issue a report is posted to."""
    # Imported here: the GitHub client is a noticeable part of start-up, and only --post
    # needs it.
    from followup.github.repos import parse_issue_ref

    return parse_issue_ref(ref)


def _note(cli: CliContext, message: str) -> None:
    """Say what happened on stderr: stdout may be the report itself."""
    printing.line(cli.err, Text.assemble(("✔ ", "green"), message))


def _post(
    cli: CliContext,
    report: review.ReviewReport,
    context: review.ReportContext,
    target: tuple[str, int],
) -> dict[str, Any]:
    """Keep the report as the period's comment on the issue; say what that did."""
    from followup.github import GitHubFactory
    from followup.sync.review.post import post_report

    repo, number = target
    client = GitHubFactory(cli.settings)()
    try:
        posted = post_report(
            client,
            repo,
            number,
            report,
            context,
            on_note=lambda note: printing.line(cli.err, Text(f"note: {note}", style="dim")),
        )
    finally:
        client.close()
    _note(cli, posted.describe())
    return posted.to_json()
