"""`followup sync`: bring the store up to date with GitHub, once or every few minutes."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import click
from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from followup.cli import printing
from followup.cli.context import CliContext, pass_cli
from followup.cli.exits import ExitCode
from followup.cli.interrupts import stop_after_round, stop_on_interrupt
from followup.cli.options import examples
from followup.cli.progress import AT_SAFE_POINT, BarProgress
from followup.cli.protection_views import verdicts as protection_verdicts
from followup.cli.reporting import Entry, IssueRef, Report, format_option
from followup.cli.repos import REPO, RepoSpec, repo_for
from followup.errors import InputError
from followup.github import GitHubFactory
from followup.store.failures import StoreError, is_transient
from followup.sync.edits import PendingOutcome
from followup.sync.issue_state import ItemChange
from followup.sync.polling import SyncReport, sync_all

MAX_CHANGES_SHOWN = 100
MIN_WATCH_SECONDS = 10
# After a round the store failed (busy, a lost race, its server restarting), --watch waits
# this long before the next, twice as long after each further failure, at most the interval.
STORE_RETRY_SECONDS = 10.0
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])", re.IGNORECASE)
_ADVICE = re.compile(r";[^;]*\btry again$")  # the store error's advice: the watch does it
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
SYNC_SUMMARY = dict.fromkeys(
    ("repositories", "failed_repositories", "items_changed", "requests", "not_modified", "points"),
    0,
)
SYNC_EXTRA: dict[str, Any] = {
    "started_at": None,
    "finished_at": None,
    "repos": [],
    "projects": [],
    "edits": [],
    "protection": None,
    "rate_limited_until": None,
    "checked_by_id": 0,
    "rebuild": None,
}
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


# -- the report ---------------------------------------------------------------------------


def _change_text(field: str, old: str | None, new: str | None) -> str:
    if old is None:
        return f"{field} set to {new}"
    if new is None:
        return f"{field} cleared (was {old})"
    return f"{field}: {old} → {new}"


def _change_entries(changes: Sequence[ItemChange]) -> list[Entry]:
    """Return one entry per changed item, its changes in order."""
    by_item: dict[str, Entry] = {}
    for change in changes:
        entry = by_item.get(change.item_id)
        if entry is None:
            entry = Entry(id=change.item_id, action="changed", details={"changes": []})
            by_item[change.item_id] = entry
        if change.issue:
            entry.issue = IssueRef.parse(change.issue) or entry.issue
        entry.details["changes"].append(
            {"field": change.field, "old": change.old, "new": change.new, "at": _iso(change.at)}
        )
    return list(by_item.values())


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _say_changes(report: Report, changes: Sequence[ItemChange]) -> None:
    shown = changes[:MAX_CHANGES_SHOWN]
    rows = [
        (c.item_id, _change_text(c.field, c.old, c.new), f"{c.at:%Y-%m-%d %H:%M}", c.issue or "")
        for c in shown
    ]
    widths = [max(cell_len(row[i]) for row in rows) for i in (0, 2, 3)]
    if report.plain or sum(widths) + 16 + 6 > report.out.width:
        for item_id, text, when, issue in rows:
            report.say(Text.assemble((item_id, "bold"), f"  {text}  ", (when, "dim"), f"  {issue}"))
    else:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("Item", style="bold", no_wrap=True)
        table.add_column("Change", ratio=1, min_width=16)
        table.add_column("When (UTC)", no_wrap=True, style="dim")
        table.add_column("Where", no_wrap=True)
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        printing.show(report.out, table)
    hidden = len(changes) - MAX_CHANGES_SHOWN
    if hidden > 0:
        report.say(f"… and {hidden} more (see 'followup show ID')", style="dim")


def _edit_json(edit: PendingOutcome) -> dict[str, Any]:
    issue = IssueRef.parse(edit.issue)
    return {
        "id": edit.item_id,
        "field": edit.field,
        "value": edit.value,
        "outcome": edit.outcome,
        "message": edit.message,
        "issue": issue.to_json() if issue else None,
    }


def report_sync(cli: CliContext, report: Report, synced: SyncReport, *, stamp: bool) -> None:
    """Add what a sync changed, what failed and what it cost to the report."""
    if synced.rebuild is not None:
        rec = synced.rebuild
        report.say(
            f"Rebuilt {rec.repo}: {len(rec.issues)} followup issues, "
            f"{len(rec.matches)} matched to items."
        )
    for warning in synced.warnings:
        report.warn(warning)
    for entry in _change_entries(synced.changes):
        report.add(entry, shown=True)
    if synced.changes and not report.is_json:
        _say_changes(report, synced.changes)
    for edit in synced.edits:
        icon, style = EDIT_STYLE.get(edit.outcome, ("·", ""))
        report.say(Text.assemble((f"{icon} ", style), edit.message))
    protection = synced.protection
    verdicts: list[dict[str, Any]] = []
    if protection is not None:
        regressed = protection.count("regressed", "still_regressed")
        checked = len(protection.results)
        line = f"Protection: {checked} item{'' if checked == 1 else 's'} verified"
        if regressed:
            line += f", {regressed} regressed (see 'followup list --status regressed')"
        report.say(line, style="red" if regressed else "")
        if protection.error:
            report.error(f"protection: {protection.error}")
        for entry in protection_verdicts(cli.engine(), protection.results):
            verdicts.append(entry.to_json())
            if entry.action == "error":
                report.error(f"{entry.id} {entry.target}: {entry.message}")
    for repo in synced.failed_repos:
        report.error(f"{repo.repo}: {repo.reason}")
    for project in synced.failed_projects:
        report.error(f"project {project.project}: {project.reason}")
    for error in synced.errors:
        report.error(error)
    if synced.rate_limited_until is not None:
        when = synced.rate_limited_until.astimezone().strftime("%H:%M:%S")
        report.error(f"stopped: GitHub's rate limit is used up until {when}")
    report.cancelled = synced.cancelled
    if not synced.ok:
        report.code = ExitCode.FAILED
    polled = len(synced.repos)
    failed = len(synced.failed_repos)
    changed = len({c.item_id for c in synced.changes})
    report.summary.update(
        {
            "repositories": polled,
            "failed_repositories": failed,
            "items_changed": changed,
            "requests": synced.requests,
            "not_modified": synced.not_modified,
            "points": synced.points,
        }
    )
    report.extra.update(
        {
            "started_at": _iso(synced.started_at),
            "finished_at": _iso(synced.finished_at),
            "repos": [
                {
                    "repo": r.repo,
                    "ok": r.ok,
                    "reason": r.reason,
                    "not_modified": r.not_modified,
                    "issues_read": r.issues_read,
                    "issues_changed": r.issues_changed,
                    "requests": r.requests,
                }
                for r in synced.repos
            ],
            "projects": [
                {
                    "project": p.project,
                    "ok": p.ok,
                    "reason": p.reason,
                    "items_read": p.items_read,
                    "items_changed": p.items_changed,
                    "requests": p.requests,
                }
                for p in synced.projects
            ],
            "edits": [_edit_json(edit) for edit in synced.edits],
            "protection": None
            if protection is None
            else {"items": verdicts, "reads": protection.reads, "error": protection.error},
            "rate_limited_until": _iso(synced.rate_limited_until),
            "checked_by_id": synced.checked_by_id,
            "rebuild": None
            if synced.rebuild is None
            else {
                "repo": synced.rebuild.repo,
                "issues": len(synced.rebuild.issues),
                "matched": len(synced.rebuild.matches),
            },
        }
    )
    prefix = f"[{synced.finished_at.astimezone():%H:%M:%S}] " if stamp else ""
    summary = (
        f"{prefix}Synced {polled - failed} of {polled} repositor{'y' if polled == 1 else 'ies'}: "
        f"{changed} item{'' if changed == 1 else 's'} changed; "
        f"{synced.requests} requests ({synced.not_modified} not modified), "
        f"{synced.points} rate-limit point{'' if synced.points == 1 else 's'}."
    )
    report.say(summary, style="" if changed else "dim")


# -- running ------------------------------------------------------------------------------


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
        lock_timeout=cli.settings.lock_timeout,
    )


@click.command(
    "sync",
    epilog=examples(
        "followup sync",
        "followup sync -R googleapis/docs --full",
        "followup sync --watch 5m",
        "followup sync --format json | jq .summary",
    ),
)
@click.option(
    "--repo",
    "-R",
    "repos",
    multiple=True,
    type=REPO,
    help="Only this repository, owner/name or its URL (repeat for more).",
)
@click.option(
    "--watch",
    metavar="DURATION",
    help=f"Keep syncing every DURATION (30s, 5m, 1h; at least {MIN_WATCH_SECONDS}s); Ctrl-C "
    "stops after the current round. With --format json, one JSON document per line per round.",
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
@format_option
@pass_cli
def sync_command(
    cli: CliContext,
    repos: tuple[RepoSpec, ...],
    watch: str | None,
    rebuild: bool,
    full: bool,
    fmt: str,
) -> None:
    """Bring status back from GitHub and push local edits; prints what changed."""
    wanted = [repo_for(r, cli.settings) for r in repos] or None
    rebuild_repo: str | None = None
    if rebuild:
        if not wanted or len(wanted) != 1:
            raise InputError("--rebuild needs exactly one --repo OWNER/NAME")
        rebuild_repo = wanted[0]
    interval = parse_duration(watch) if watch is not None else None
    factory = GitHubFactory(cli.settings)

    if interval is None:
        report = Report.start(cli, "sync", fmt, summary=SYNC_SUMMARY, extra=SYNC_EXTRA)
        with (
            BarProgress(cli.err, stopping=AT_SAFE_POINT, on_note=report.collect) as progress,
            stop_on_interrupt(progress),
        ):
            synced = _round(cli, factory, wanted, rebuild_repo, full, progress)
        report_sync(cli, report, synced, stamp=False)
        report.finish()
        return

    stop = threading.Event()
    with stop_after_round(stop, lambda message: printing.line(cli.err, message, style="yellow")):
        rounds = 0
        failures = 0
        while True:
            report = Report.start(cli, "sync", fmt, summary=SYNC_SUMMARY, extra=SYNC_EXTRA)
            report.compact = True
            if rounds == 0:
                # A store that cannot be opened is a configuration to fix: it ends the
                # command, as without --watch. Once open, a round it fails is run again.
                cli.engine()
            try:
                with BarProgress(
                    cli.err, stopping=AT_SAFE_POINT, on_note=report.collect
                ) as progress:
                    synced = _round(cli, factory, wanted, rebuild_repo, full, progress)
            except StoreError as exc:
                if not is_transient(exc):
                    raise
                rounds += 1
                failures += 1
                wait = min(interval, STORE_RETRY_SECONDS * 2 ** (failures - 1))
                again = datetime.fromtimestamp(datetime.now().timestamp() + wait)
                said = _ADVICE.sub("", str(exc))
                report.error(f"this round failed: {said}; trying again at {again:%H:%M:%S}")
                report.code = ExitCode.FAILED
                report.emit()
                if stop.is_set() or stop.wait(wait):
                    break
                continue
            rounds += 1
            failures = 0
            rebuild_repo = None  # links are restored once; later rounds only poll
            report_sync(cli, report, synced, stamp=True)
            report.emit()
            if stop.is_set():
                break
            next_at = datetime.now().timestamp() + interval
            printing.line(
                cli.err,
                f"next sync at {datetime.fromtimestamp(next_at):%H:%M:%S} (Ctrl-C to stop)",
                style="dim",
            )
            if stop.wait(interval):
                break
    printing.line(cli.err, f"stopped after {rounds} round{'s' if rounds != 1 else ''}", style="dim")


__all__ = ["parse_duration", "report_sync", "sync_all", "sync_command"]
