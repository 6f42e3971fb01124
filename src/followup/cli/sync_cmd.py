"""`followup sync`: bring the store up to date with GitHub, once or every few minutes."""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from types import FrameType

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from followup.cli.context import CliContext, pass_cli
from followup.cli.file_cmd import CANCELLED_EXIT, BarProgress, stop_on_interrupt
from followup.errors import InputError
from followup.github import GitHubFactory
from followup.github.repos import normalise_repo
from followup.sync.edits import PendingOutcome
from followup.sync.polling import SyncReport, sync_all

MAX_CHANGES_SHOWN = 100
MIN_WATCH_SECONDS = 10
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
EDIT_STYLE = {
    "pushed": ("✔", "green"),
    "confirmed": ("✔", "green"),
    "kept": ("⧗", "yellow"),
    "dropped": ("✘", "yellow"),
    "failed": ("✘", "red"),
}


def parse_duration(text: str) -> float:
    """Return the seconds in a duration such as 30s, 5m, 1h or 1h30m (bare numbers: minutes)."""
    raw = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", raw):
        seconds = float(raw) * 60
    else:
        parts = _DURATION.findall(raw)
        if not parts or _DURATION.sub("", raw).strip():
            raise InputError(f"not a duration: {text!r} (use e.g. 30s, 5m or 1h)")
        seconds = sum(float(n) * _UNIT_SECONDS[unit.lower()] for n, unit in parts)
    if seconds < MIN_WATCH_SECONDS:
        raise InputError(f"--watch {text}: sync at most every {MIN_WATCH_SECONDS} seconds")
    return seconds


class SyncProgress(BarProgress):
    """The filing bar, with a stop that waits for the current repository."""

    def cancelled(self) -> bool:
        """Tell the sync whether to stop; says once that it is stopping."""
        if self.cancel_requested and not self._told:
            self._told = True
            self.note("warning", "stopping at the next safe point (Ctrl-C again to stop at once)")
        return self.cancel_requested


# -- printing -----------------------------------------------------------------------------


def _change_text(field: str, old: str | None, new: str | None) -> str:
    if old is None:
        return f"{field} set to {new}"
    if new is None:
        return f"{field} cleared (was {old})"
    return f"{field}: {old} → {new}"


def _edit_line(edit: PendingOutcome) -> Text:
    icon, style = EDIT_STYLE.get(edit.outcome, ("·", ""))
    return Text.assemble((f"{icon} ", style), edit.message)


def print_report(cli: CliContext, report: SyncReport, *, stamp: bool = False) -> None:
    """Print what a sync changed, what failed and what it cost."""
    out, err = cli.out, cli.err
    if report.rebuild is not None:
        rec = report.rebuild
        out.print(
            f"Rebuilt {rec.repo}: {len(rec.issues)} followup issues, "
            f"{len(rec.matches)} matched to items.",
            highlight=False,
        )
    for warning in report.warnings:
        cli.warn(warning)
    if report.changes:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
        table.add_column("Item", style="bold", no_wrap=True)
        table.add_column("Change")
        table.add_column("When (UTC)", no_wrap=True, style="dim")
        table.add_column("Where", overflow="fold")
        for change in report.changes[:MAX_CHANGES_SHOWN]:
            table.add_row(
                change.item_id,
                _change_text(change.field, change.old, change.new),
                change.at.strftime("%Y-%m-%d %H:%M"),
                change.issue or "",
            )
        out.print(table)
        hidden = len(report.changes) - MAX_CHANGES_SHOWN
        if hidden > 0:
            out.print(f"… and {hidden} more (see 'followup show ID')", style="dim")
    for edit in report.edits:
        out.print(_edit_line(edit), highlight=False)
    protection = report.protection
    if protection is not None:
        regressed = protection.count("regressed", "still_regressed")
        checked = len(protection.results)
        line = f"Protection: {checked} item{'' if checked == 1 else 's'} verified"
        if regressed:
            line += f", {regressed} regressed (see 'followup list --status regressed')"
        out.print(line, style="red" if regressed else "", highlight=False)
        if protection.error:
            err.print(Text.assemble(("✘ protection: ", "red"), protection.error))
        for result in protection.results:
            if result.outcome == "error":
                err.print(
                    Text.assemble(
                        ("✘ ", "red"), f"{result.item_id} {result.target}: ", result.message
                    )
                )
    for repo in report.failed_repos:
        err.print(Text.assemble(("✘ ", "red"), (repo.repo, "bold"), f": {repo.reason}"))
    for error in report.errors:
        err.print(Text.assemble(("✘ ", "red"), error))
    if report.rate_limited_until is not None:
        when = report.rate_limited_until.astimezone().strftime("%H:%M:%S")
        err.print(Text(f"Stopped: GitHub's rate limit is used up until {when}.", style="red"))
    polled = len(report.repos)
    failed = len(report.failed_repos)
    changed = len({c.item_id for c in report.changes})
    prefix = f"[{report.finished_at.astimezone():%H:%M:%S}] " if stamp else ""
    summary = (
        f"{prefix}Synced {polled - failed} of {polled} repositor{'y' if polled == 1 else 'ies'}: "
        f"{changed} item{'' if changed == 1 else 's'} changed; "
        f"{report.requests} requests ({report.not_modified} not modified), "
        f"{report.points} rate-limit point{'' if report.points == 1 else 's'}."
    )
    out.print(summary, style="dim" if not changed else "", highlight=False)


# -- running ------------------------------------------------------------------------------


@contextmanager
def stop_after_round(stop: threading.Event, console: Console) -> Iterator[None]:
    """Turn a first Ctrl-C into 'stop after this round'; a second one stops at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        console.print("stopping after this round (Ctrl-C again to stop at once)", style="yellow")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _round(
    cli: CliContext,
    factory: GitHubFactory,
    repos: list[str] | None,
    rebuild: str | None,
    full: bool,
    progress: BarProgress,
) -> SyncReport:
    return sync_all(
        cli.engine(),
        factory,
        repos=repos,
        rebuild_repo=rebuild,
        full=full,
        concurrency=max(1, cli.settings.sync_concurrency),
        progress=progress,
    )


@click.command("sync")
@click.option(
    "--repo",
    "repos",
    multiple=True,
    metavar="OWNER/NAME",
    help="Only this repository (repeat for more).",
)
@click.option(
    "--watch",
    metavar="DURATION",
    help="Keep syncing every DURATION (30s, 5m, 1h); Ctrl-C stops after the current round.",
)
@click.option(
    "--rebuild",
    is_flag=True,
    help="First re-create the links of --repo from its issues' markers (a lost store).",
)
@click.option(
    "--full",
    is_flag=True,
    help="Also re-read every linked issue by id: finds deleted or moved issues now "
    "(about 3 GraphQL points per 100 issues).",
)
@click.pass_context
@pass_cli
def sync_command(
    cli: CliContext,
    ctx: click.Context,
    repos: tuple[str, ...],
    watch: str | None,
    rebuild: bool,
    full: bool,
) -> None:
    """Bring status back from GitHub and push local edits; prints what changed."""
    wanted = [normalise_repo(r) for r in repos] or None
    rebuild_repo: str | None = None
    if rebuild:
        if not wanted or len(wanted) != 1:
            raise InputError("--rebuild needs exactly one --repo OWNER/NAME")
        rebuild_repo = wanted[0]
    interval = parse_duration(watch) if watch is not None else None
    factory = GitHubFactory(cli.settings)

    if interval is None:
        with SyncProgress(cli.err) as progress, stop_on_interrupt(progress):
            report = _round(cli, factory, wanted, rebuild_repo, full, progress)
        print_report(cli, report)
        if report.cancelled:
            ctx.exit(CANCELLED_EXIT)
        if not report.ok:
            ctx.exit(1)
        return

    stop = threading.Event()
    with stop_after_round(stop, cli.err):
        rounds = 0
        while True:
            with SyncProgress(cli.err) as progress:
                report = _round(cli, factory, wanted, rebuild_repo, full, progress)
            rounds += 1
            rebuild_repo = None  # links are restored once; later rounds only poll
            print_report(cli, report, stamp=True)
            if stop.is_set():
                break
            next_at = datetime.now().timestamp() + interval
            cli.err.print(
                f"next sync at {datetime.fromtimestamp(next_at):%H:%M:%S} (Ctrl-C to stop)",
                style="dim",
                highlight=False,
            )
            if stop.wait(interval):
                break
    cli.err.print(f"stopped after {rounds} round{'s' if rounds != 1 else ''}", style="dim")


__all__ = ["parse_duration", "print_report", "sync_all", "sync_command"]
