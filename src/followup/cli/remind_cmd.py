"""`followup remind`: nudge the owners of overdue items on their issues, once per period."""

from __future__ import annotations

import re
from datetime import timedelta

import click
from rich.text import Text

from followup import clock
from followup.cli.context import CliContext, pass_cli
from followup.cli.options import examples
from followup.cli.reporting import Entry, IssueRef, Report, format_option
from followup.cli.repos import REPO, RepoSpec, configured_repo, repo_for
from followup.errors import InputError
from followup.github.repos import parse_issue_ref

SUMMARY = dict.fromkeys(("reminded", "would_remind", "waiting", "recorded", "skipped", "failed"), 0)
ICONS = {
    "reminded": ("✉ ", "green"),
    "would_remind": ("✉ ", "cyan"),
    "waiting": ("· ", "dim"),
    "recorded": ("= ", "cyan"),
    "skipped": ("– ", "yellow"),
    "failed": ("✘ ", "bold red"),
}
_AGE = re.compile(r"^\s*(\d+)\s*([dw])\s*$", re.IGNORECASE)


def parse_age(text: str) -> timedelta:
    """Return a number of days or weeks written as 3d or 2w."""
    match = _AGE.match(text)
    if match is None:
        raise InputError(f"--older-than takes days or weeks (3d, 2w), not {text!r}")
    return timedelta(days=int(match[1]) * (7 if match[2].lower() == "w" else 1))


@click.command(
    "remind",
    epilog=examples(
        "followup remind --dry-run",
        "followup remind -R acme/web --older-than 3d",
        "followup remind --digest acme/ops#42",
        "followup remind --format json | jq '.items[] | select(.action == \"reminded\")'",
    ),
)
@click.option(
    "--repo",
    "-R",
    "repos",
    type=REPO,
    multiple=True,
    help="Read this repository's open followup issues (repeat for several); default: the "
    "repo setting, else every repository the store has issues in.",
)
@click.option("--dry-run", is_flag=True, help="Say who would be reminded; write nothing.")
@click.option(
    "--older-than",
    metavar="3d|2w",
    help="Only items overdue by more than this.",
)
@click.option(
    "--digest",
    metavar="OWNER/NAME#N",
    help="Instead of a comment on each issue, keep one comment per period on this review "
    "issue, mentioning each owner once with all of their overdue items.",
)
@format_option
@pass_cli
def remind_command(
    cli: CliContext,
    repos: tuple[RepoSpec, ...],
    dry_run: bool,
    older_than: str | None,
    digest: str | None,
    fmt: str,
) -> None:
    """Remind the owners of overdue items on their GitHub issues, never twice a period.

    Each overdue item's issue gets a comment mentioning its owner; the next one waits
    remind_interval days (7), then twice as long while reminders go unanswered (14,
    28). A comment by someone else, a new owner or a new due date resets the wait;
    closing the issue or moving the due date stops it. Reads what it needs from GitHub,
    so it works from CI with an empty store.
    """
    report = Report.start(
        cli,
        "remind",
        fmt,
        dry_run=dry_run,
        summary=SUMMARY,
        extra={"repos": [], "issues_read": 0, "digest": None},
    )
    age = parse_age(older_than) if older_than else timedelta(0)
    target = parse_issue_ref(digest) if digest else None
    from followup.github import GitHubFactory
    from followup.sync.remind import remind, repos_to_remind

    names = [repo_for(spec, cli.settings) for spec in repos]
    default = configured_repo(cli.settings, cli.loaded.sources.get("repo", "repo"))
    engine = cli.engine()
    chosen = repos_to_remind(engine, names, default)
    if not chosen:
        raise InputError(
            "no repository to read: name one with --repo (the store has no issues yet)"
        )
    client = GitHubFactory(cli.settings)()
    try:
        done = remind(
            engine,
            client,
            chosen,
            interval=timedelta(days=cli.settings.remind_interval),
            older_than=age,
            dry_run=dry_run,
            digest=target,
            today=clock.today(),
            on_note=report.warn,
        )
    finally:
        client.close()
    report.extra.update(repos=done.repos, issues_read=done.issues_read)
    today = clock.today()
    for outcome in done.outcomes:
        item = outcome.item
        icon, style = ICONS[outcome.action]
        report.summary[outcome.action] += 1
        report.add(
            Entry(
                id=item.item_id,
                action=outcome.action,
                ok=outcome.action != "failed",
                title=item.title,
                issue=IssueRef(item.repo, item.number, item.url),
                message=outcome.message,
                error=outcome.message if outcome.action == "failed" else None,
                details={
                    "owner": item.owner,
                    "due": item.due.isoformat(),
                    "days_late": item.late(today),
                    "key": outcome.key,
                    "comment_url": outcome.url,
                    "not_before": outcome.not_before.isoformat() if outcome.not_before else None,
                },
                text=Text.assemble((icon, style), outcome.message),
            )
        )
    closing: list[Text | str] = []
    if done.digest is not None:
        d = done.digest
        report.extra["digest"] = {"issue": d.issue, "key": d.key, "action": d.action, "url": d.url}
        if d.action == "would_post":
            closing.append(Text(d.text))
        closing.append(f"digest {d.key} on {d.issue}: {d.action.replace('_', ' ')}")
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in report.summary.items() if n)
    closing.append(
        f"{done.issues_read} open followup issues read in {len(done.repos)} repositories"
        + (f": {counts}." if counts else ": nothing overdue.")
    )
    report.finish(*closing)
