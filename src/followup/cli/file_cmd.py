"""`followup file`: file a GitHub issue for each action item, never twice."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType, TracebackType

import click
from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from followup.cli.context import CliContext, pass_cli
from followup.cli.items import print_import
from followup.github import AuthError, GitHub, GitHubFactory
from followup.github.repos import normalise_repo
from followup.postmortem.model import is_draft
from followup.sync.filing import (
    Action,
    FilingPlan,
    FilingReport,
    PlannedItem,
    file_items,
    plan_filing,
)
from followup.sync.importing import ImportFailed, import_files
from followup.sync.progress import Level

CANCELLED_EXIT = 130
NOTE_STYLE: dict[str, str] = {"info": "cyan", "warning": "yellow", "error": "red"}
OUTCOME_STYLE: dict[str, str] = {
    "created": "green",
    "linked": "cyan",
    "skipped": "dim",
    "failed": "bold red",
}
ACTION_WORD: dict[str, tuple[str, str]] = {
    "create": ("+ create", "green"),
    "link": ("= link", "cyan"),
    "skip": ("- skip", "dim"),
    "fail": ("✘ fail", "bold red"),
}


class BarProgress:
    """A Progress drawn as a rich bar on stderr; notes print above it."""

    def __init__(self, console: Console) -> None:
        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None
        self._stop = threading.Event()
        self._told = False

    def __enter__(self) -> BarProgress:
        self._bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bar.stop()

    def start(self, total: int, description: str) -> None:
        """Show a bar for a phase of total steps."""
        if self._task is None:
            self._task = self._bar.add_task(description, total=total)
        else:
            self._bar.reset(self._task, total=total, description=description)

    def advance(self, label: str = "") -> None:
        """Move the bar one step."""
        if self._task is not None:
            self._bar.update(self._task, advance=1)

    def note(self, level: Level, message: str) -> None:
        """Print a note above the bar."""
        prefix = "" if level == "info" else f"{level}: "
        self._bar.console.print(
            Text.assemble((prefix, NOTE_STYLE.get(level, "")), message), highlight=False
        )

    def request_cancel(self) -> None:
        """Ask the work to stop at its next safe point."""
        self._stop.set()

    @property
    def cancel_requested(self) -> bool:
        """Tell whether a stop was asked for."""
        return self._stop.is_set()

    def cancelled(self) -> bool:
        """Tell the work whether to stop; says once that it is stopping."""
        if self._stop.is_set() and not self._told:
            self._told = True
            self.note("warning", "stopping after the current item (Ctrl-C again to stop at once)")
        return self._stop.is_set()


@contextmanager
def stop_on_interrupt(progress: BarProgress) -> Iterator[None]:
    """Turn a first Ctrl-C into a stop between items; a second one stops at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if progress.cancel_requested:
            raise KeyboardInterrupt
        progress.request_cancel()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _field(name: str, value: str) -> Text:
    return Text.assemble(("  " + f"{name}:".ljust(11), "bold"), value)


def print_plan(cli: CliContext, plan: FilingPlan) -> None:
    """Print what a filing run would do, with every issue exactly as it would be sent."""
    for note in plan.notes:
        cli.warn(note)
    for repo, labels in plan.labels_to_create:
        names = ", ".join(f"{label.name} (#{label.color})" for label in labels)
        cli.out.print(Text.assemble(("labels to create in ", "bold"), repo, ": ", names))
    for item in plan.items:
        _print_planned(cli, item)
    for tracking in plan.tracking:
        word = {"create": "+ create", "update": "~ update", "skip": "- skip"}.get(
            tracking.action, tracking.action
        )
        cli.out.print(
            Text.assemble(
                (word.ljust(9), "bold"),
                f"tracking issue of {tracking.postmortem}",
                f" ({tracking.target})" if tracking.target else "",
                f": {tracking.reason}" if tracking.reason else "",
            ),
            highlight=False,
            soft_wrap=True,
        )
        if tracking.action in ("create", "update"):
            cli.out.print(_field("repo", tracking.repo or "?"), highlight=False, soft_wrap=True)
            cli.out.print(_field("title", tracking.title), highlight=False, soft_wrap=True)
            _print_body(cli, tracking.body)
    actions: tuple[Action, ...] = ("create", "link", "skip", "fail")
    counts = {a: len(plan.having(a)) for a in actions}
    cli.out.print(
        f"Dry run: {counts['create']} to create, {counts['link']} to link, "
        f"{counts['skip']} skipped, {counts['fail']} failing. Nothing was sent to GitHub.",
        highlight=False,
        soft_wrap=True,
    )


def _print_planned(cli: CliContext, item: PlannedItem) -> None:
    word, style = ACTION_WORD[item.action]
    head = Text.assemble((word.ljust(9), style), (item.item_id, "bold"), "  ", item.title)
    if item.action == "link" and item.target:
        head.append(f" → {item.target}", style="cyan")
    cli.out.print(head, highlight=False, soft_wrap=True)
    if item.issue is None:
        if item.reason:
            cli.out.print(Text("  " + item.reason, style="dim"), highlight=False, soft_wrap=True)
        return
    issue = item.issue
    cli.out.print(_field("repo", item.repo or "?"), highlight=False, soft_wrap=True)
    cli.out.print(_field("title", issue.title), highlight=False, soft_wrap=True)
    cli.out.print(_field("labels", ", ".join(issue.labels)), highlight=False, soft_wrap=True)
    cli.out.print(
        _field("assignees", ", ".join(issue.assignees) or "none"), highlight=False, soft_wrap=True
    )
    if item.reason:
        cli.out.print(_field("note", item.reason), highlight=False, soft_wrap=True)
    _print_body(cli, issue.body)


def _print_body(cli: CliContext, body: str) -> None:
    cli.out.print(_field("body", ""), highlight=False, soft_wrap=True)
    for line in body.split("\n"):
        cli.out.print(Text.assemble(("    │ ", "dim"), line), highlight=False, soft_wrap=True)


def print_report(cli: CliContext, report: FilingReport) -> None:
    """Print the table of items and their issues, then the tracking issues and a total."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Item", style="bold", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    table.add_column("Title", ratio=1, min_width=16, overflow="fold")
    widest = max((len(i.url or "") for i in report.items), default=10)
    table.add_column("Issue", min_width=min(widest, 80), overflow="fold")
    for item in report.items:
        where = Text(item.url or item.issue or "")
        if item.reason and item.outcome in ("skipped", "failed"):
            where = Text(item.reason, style="yellow" if item.outcome == "failed" else "dim")
        table.add_row(
            item.item_id, Text(item.outcome, style=OUTCOME_STYLE[item.outcome]), item.title, where
        )
    if report.items:
        cli.out.print(table)
    for tracking in report.tracking:
        detail = tracking.url or tracking.issue or tracking.reason or ""
        cli.out.print(
            Text.assemble(
                ("tracking issue ", "bold"),
                f"of {tracking.postmortem}: ",
                (tracking.outcome, OUTCOME_STYLE.get(tracking.outcome, "")),
                f"  {detail}" if detail else "",
            ),
            highlight=False,
        )
    for path, added in report.written_back:
        noun = "reference" if added == 1 else "references"
        cli.out.print(f"wrote {added} issue {noun} into {path}", highlight=False)
    cli.out.print(
        f"{report.count('created')} created, {report.count('linked')} linked, "
        f"{report.count('skipped')} skipped, {report.count('failed')} failed.",
        highlight=False,
    )
    if report.stopped:
        cli.err.print(Text.assemble(("stopped: ", "red"), report.stopped), highlight=False)
    if report.cancelled:
        cli.err.print("cancelled: the items not yet filed are left for the next run")


@click.command("file")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--all", "all_items", is_flag=True, help="File every unfiled item in the store.")
@click.option("--repo", metavar="OWNER/NAME", help="Repository for items that name none.")
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
@pass_cli
@click.pass_context
def file_command(
    ctx: click.Context,
    cli: CliContext,
    paths: tuple[Path, ...],
    all_items: bool,
    repo: str | None,
    dry_run: bool,
    include_drafts: bool,
    write_back: bool,
    tracking_issue: bool,
) -> None:
    """File a GitHub issue for each action item of the post-mortems in PATHS (or --all).

    The files are imported first, so this works on an empty store (a CI job). Items
    whose issue already exists on GitHub are linked to it, never filed twice.
    """
    if paths and all_items:
        raise click.UsageError("give post-mortem files or --all, not both")
    if not paths and not all_items:
        raise click.UsageError("give the post-mortem files to file, or --all for every item")
    default_repo = normalise_repo(repo) if repo else cli.settings.repo
    postmortems: list[str] | None = None
    if paths:
        try:
            imported = import_files(cli.engine(), list(paths), default_repo=default_repo)
        except ImportFailed as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem.message}", err=True)
            raise
        print_import(cli, imported)
        postmortems = [result.slug for result in imported.results]
        for result in imported.results:
            if is_draft(result.status) and not include_drafts:
                cli.warn(
                    f"{result.path}: a draft (status: {result.status}); its items are not "
                    "filed (pass --include-drafts to file them)"
                )

    factory = GitHubFactory(cli.settings)
    if dry_run:
        if write_back:
            cli.warn("--write-back changes nothing in a dry run")
        client: GitHub | None
        try:
            client = factory()
        except AuthError as exc:
            cli.warn(str(exc))
            client = None
        plan = plan_filing(
            cli.engine(),
            client,
            postmortems=postmortems,
            include_drafts=include_drafts,
            tracking_issue=tracking_issue,
            default_repo=default_repo,
        )
        print_plan(cli, plan)
        if plan.failed:
            ctx.exit(1)
        return

    client = factory()
    with BarProgress(cli.err) as progress, stop_on_interrupt(progress):
        report = file_items(
            cli.engine(),
            client,
            postmortems=postmortems,
            include_drafts=include_drafts,
            write_back=write_back,
            tracking_issue=tracking_issue,
            default_repo=default_repo,
            progress=progress,
        )
    print_report(cli, report)
    if report.cancelled:
        ctx.exit(CANCELLED_EXIT)
    if report.failed:
        ctx.exit(1)
