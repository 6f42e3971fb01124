"""`followup file`: file a GitHub issue for each action item, never twice."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click
from rich.text import Text

from followup import clock
from followup.cli.context import CliContext, pass_cli
from followup.cli.exits import ExitCode
from followup.cli.imports import default_repo, run_import
from followup.cli.interrupts import stop_on_interrupt
from followup.cli.options import examples
from followup.cli.progress import BarProgress
from followup.cli.project_report import filed_ids, planned_project, project_option, report_project
from followup.cli.reporting import Entry, IssueRef, Report, Source, format_option
from followup.cli.repos import RepoSpec, document_repo_option
from followup.github import AuthError, GitHub, GitHubFactory
from followup.github.project_mapping import Project
from followup.github.projects import find_project
from followup.postmortem.model import is_draft
from followup.project_ref import parse_project
from followup.store import session_scope
from followup.store.queries import ItemFilter, list_items
from followup.sync.filing import (
    Action,
    FilingPlan,
    FilingReport,
    PlannedItem,
    file_items,
    plan_filing,
)
from followup.sync.projects import add_to_project, resolve_project

PLAN_COUNTS = ("create", "link", "skip", "fail")
RUN_COUNTS = ("created", "linked", "skipped", "failed")
ACTION_WORD: dict[str, tuple[str, str]] = {
    "create": ("+ create", "green"),
    "link": ("= link", "cyan"),
    "skip": ("- skip", "dim"),
    "fail": ("✘ fail", "bold red"),
}


def sources(cli: CliContext, postmortems: Iterable[str]) -> dict[str, Source]:
    """Return where each item of these post-mortems is written, by item id."""
    found: dict[str, Source] = {}
    with session_scope(cli.engine()) as session:
        for slug in sorted(set(postmortems)):
            flt = ItemFilter(postmortem=slug, include_removed=True)
            for item in list_items(session, flt, today=clock.today()):
                found[item.id] = Source(item.source_path, item.line)
    return found


# -- the plan of a dry run -----------------------------------------------------------------


def _field(name: str, value: str) -> Text:
    return Text.assemble(("  " + f"{name}:".ljust(11), "bold"), value)


def report_plan(cli: CliContext, report: Report, plan: FilingPlan) -> None:
    """Say what a filing run would do, with every issue exactly as it would be sent."""
    for note in plan.notes:
        report.warn(note)
    for repo, labels in plan.labels_to_create:
        names = ", ".join(f"{label.name} (#{label.color})" for label in labels)
        report.say(Text.assemble(("labels to create in ", "bold"), repo, ": ", names))
    where = sources(cli, (item.postmortem for item in plan.items))
    for item in plan.items:
        _say_planned(report, item)
        report.add(_planned_entry(item, where.get(item.item_id)), shown=True)
    for tracking in plan.tracking:
        word = {"create": "+ create", "update": "~ update", "skip": "- skip"}.get(
            tracking.action, tracking.action
        )
        report.say(
            Text.assemble(
                (word.ljust(9), "bold"),
                f"tracking issue of {tracking.postmortem}",
                f" ({tracking.target})" if tracking.target else "",
                f": {tracking.reason}" if tracking.reason else "",
            )
        )
        if tracking.action in ("create", "update"):
            report.say(_field("repo", tracking.repo or "?"))
            report.say(_field("title", tracking.title))
            _say_body(report, tracking.body)
    actions: tuple[Action, ...] = ("create", "link", "skip", "fail")
    counts: dict[str, int] = {a: len(plan.having(a)) for a in actions}
    report.summary.update(counts)
    report.extra.update(
        {
            "checked_github": plan.checked_github,
            "labels_to_create": [
                {"repo": repo, "labels": [{"name": x.name, "color": x.color} for x in labels]}
                for repo, labels in plan.labels_to_create
            ],
            "tracking": [
                {
                    "postmortem": t.postmortem,
                    "action": t.action,
                    "repo": t.repo,
                    "issue": _issue_json(t.target, None),
                    "title": t.title,
                    "body": t.body,
                    "message": t.reason or None,
                }
                for t in plan.tracking
            ],
        }
    )
    report.say(
        f"Dry run: {counts['create']} to create, {counts['link']} to link, "
        f"{counts['skip']} skipped, {counts['fail']} failing. Nothing was sent to GitHub."
    )


def _issue_json(ref: str | None, url: str | None) -> dict[str, object] | None:
    issue = IssueRef.parse(ref, url)
    return issue.to_json() if issue else None


def _planned_entry(item: PlannedItem, source: Source | None) -> Entry:
    new_issue = None
    if item.issue is not None:
        new_issue = {"repo": item.repo, **item.issue.to_json()}
        new_issue.setdefault("assignees", [])
    return Entry(
        id=item.item_id,
        action=item.action,
        ok=item.action != "fail",
        title=item.title,
        postmortem=item.postmortem,
        source=source,
        issue=IssueRef.parse(item.target, item.url),
        message=item.reason or None,
        error=item.reason if item.action == "fail" else None,
        details={"repo": item.repo, "new_issue": new_issue},
    )


def _say_planned(report: Report, item: PlannedItem) -> None:
    word, style = ACTION_WORD[item.action]
    head = Text.assemble((word.ljust(9), style), (item.item_id, "bold"), "  ", item.title)
    if item.action == "link" and item.target:
        head.append(f" → {item.target}", style="cyan")
    report.say(head)
    if item.issue is None:
        if item.reason:
            report.say(Text("  " + item.reason, style="dim"))
        return
    issue = item.issue
    report.say(_field("repo", item.repo or "?"))
    report.say(_field("title", issue.title))
    report.say(_field("labels", ", ".join(issue.labels)))
    report.say(_field("assignees", ", ".join(issue.assignees) or "none"))
    if item.reason:
        report.say(_field("note", item.reason))
    _say_body(report, issue.body)


def _say_body(report: Report, body: str) -> None:
    report.say(_field("body", ""))
    for line in body.split("\n"):
        report.say(Text.assemble(("    │ ", "dim"), line))


# -- the report of a real run -------------------------------------------------------------


def report_filing(cli: CliContext, report: Report, filed: FilingReport) -> None:
    """Add each item's outcome, the tracking issues and a total to the report."""
    where = sources(cli, (item.postmortem for item in filed.items))
    for item in filed.items:
        failed = item.outcome == "failed"
        report.add(
            Entry(
                id=item.item_id,
                action=item.outcome,
                ok=not failed,
                title=item.title,
                postmortem=item.postmortem,
                source=where.get(item.item_id),
                issue=IssueRef.parse(item.issue, item.url),
                message=item.reason,
                error=item.reason if failed else None,
                warnings=list(item.warnings),
                details={"repo": item.repo},
            )
        )
    report.print_entries()
    for tracking in filed.tracking:
        detail = tracking.url or tracking.issue or tracking.reason or ""
        report.say(
            Text.assemble(
                ("tracking issue ", "bold"),
                f"of {tracking.postmortem}: ",
                tracking.outcome,
                f"  {detail}" if detail else "",
            )
        )
    for path, added in filed.written_back:
        noun = "reference" if added == 1 else "references"
        report.say(f"wrote {added} issue {noun} into {path}")
    counts = {outcome: filed.count(outcome) for outcome in ("created", "linked", "skipped")}
    counts["failed"] = filed.count("failed")
    report.summary.update(counts)
    report.extra.update(
        {
            "tracking": [
                {
                    "postmortem": t.postmortem,
                    "action": t.outcome,
                    "issue": _issue_json(t.issue, t.url),
                    "message": t.reason,
                }
                for t in filed.tracking
            ],
            "written_back": [
                {"file": path, "references": added} for path, added in filed.written_back
            ],
        }
    )
    if filed.stopped:
        report.error(f"stopped early: {filed.stopped}")
    if filed.failed:
        report.code = ExitCode.FAILED
    if filed.cancelled:
        report.cancelled = True
        report.warn("cancelled: the items not yet filed are left for the next run")


@click.command(
    "file",
    epilog=examples(
        "followup file docs/postmortems/2019-12-05-gh-pages.md --dry-run",
        "followup file docs/postmortems/*.md -R googleapis/docs --write-back",
        "followup file --all --format json > filed.json",
    ),
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--all", "all_items", is_flag=True, help="File every unfiled item in the store.")
@document_repo_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the issues that would be filed, exactly; send no write to GitHub.",
)
@click.option("--include-drafts", is_flag=True, help="File the items of draft post-mortems too.")
@click.option(
    "--write-back",
    is_flag=True,
    help="Add each issue's reference, e.g. (owner/name#12), to its item in the post-mortem.",
)
@click.option(
    "--tracking-issue",
    is_flag=True,
    help="Keep one issue per post-mortem with a task list of its items' issues.",
)
@project_option
@format_option
@pass_cli
def file_command(
    cli: CliContext,
    paths: tuple[Path, ...],
    all_items: bool,
    repo: RepoSpec | None,
    dry_run: bool,
    include_drafts: bool,
    write_back: bool,
    tracking_issue: bool,
    project: str | None,
    fmt: str,
) -> None:
    """File a GitHub issue for each action item of the post-mortems in PATHS (or --all).

    The files are imported first, so this works on an empty store (a CI job). Items
    whose issue already exists on GitHub are linked to it, never filed twice.
    """
    if paths and all_items:
        raise click.UsageError("give post-mortem files or --all, not both")
    if not paths and not all_items:
        raise click.UsageError("give the post-mortem files to file, or --all for every item")
    report = Report.start(
        cli,
        "file",
        fmt,
        dry_run=dry_run,
        summary=dict.fromkeys(PLAN_COUNTS if dry_run else RUN_COUNTS, 0),
        extra={
            "import": None,
            "checked_github": None,
            "labels_to_create": [],
            "tracking": [],
            "written_back": [],
            "project": None,
        },
    )
    project = project or cli.settings.project
    fallback = default_repo(cli, repo)
    postmortems: list[str] | None = None
    if paths:
        imported = run_import(cli, report, paths, repo)
        postmortems = [result.slug for result in imported.results]
        for result in imported.results:
            if is_draft(result.status) and not include_drafts:
                report.warn(
                    f"{result.path}: a draft (status: {result.status}); its items are not "
                    "filed (pass --include-drafts to file them)"
                )

    factory = GitHubFactory(cli.settings)
    if dry_run:
        if write_back:
            report.warn("--write-back changes nothing in a dry run")
        client: GitHub | None
        try:
            client = factory()
        except AuthError as exc:
            report.warn(str(exc))
            client = None
        plan = plan_filing(
            cli.engine(),
            client,
            postmortems=postmortems,
            include_drafts=include_drafts,
            tracking_issue=tracking_issue,
            default_repo=fallback,
        )
        report_plan(cli, report, plan)
        if project:
            found: Project | None = None
            if client is not None:
                found = find_project(client, parse_project(project))
            planned_project(report, project, found)
        report.finish()
        return

    client = factory()
    # Found before anything is filed: a project the token cannot use stops the run here.
    target = resolve_project(cli.engine(), client, project) if project else None
    with (
        BarProgress(cli.err, on_note=report.collect) as progress,
        stop_on_interrupt(progress),
    ):
        filed = file_items(
            cli.engine(),
            client,
            postmortems=postmortems,
            include_drafts=include_drafts,
            write_back=write_back,
            tracking_issue=tracking_issue,
            default_repo=fallback,
            progress=progress,
            lock_timeout=cli.settings.lock_timeout,
        )
        added = None
        if target is not None and not filed.cancelled and filed.stopped is None:
            added = add_to_project(
                cli.engine(), client, target, filed_ids(filed), progress=progress
            )
    report_filing(cli, report, filed)
    if added is not None:
        report_project(report, added)
    report.finish(
        f"{filed.count('created')} created, {filed.count('linked')} linked, "
        f"{filed.count('skipped')} skipped, {filed.count('failed')} failed."
    )
