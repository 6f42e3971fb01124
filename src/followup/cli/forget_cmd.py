"""`followup forget`: remove post-mortems imported by mistake, and their items, from the store."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click
from rich.text import Text

from followup.cli import printing
from followup.cli.context import CliContext, pass_cli
from followup.cli.options import examples
from followup.cli.reporting import Entry, IssueRef, Report, format_option
from followup.errors import InputError
from followup.store.locks import StoreLock
from followup.sync.forget import Forgettable, forget, plan_forget

FORGET_SUMMARY = ("postmortems", "forgotten", "kept_issues")


def stdin_is_terminal() -> bool:
    """Tell whether someone at a terminal can answer a question."""
    return sys.stdin.isatty()


def _question(plans: Sequence[Forgettable]) -> str:
    items = sum(p.items for p in plans)
    filed = sum(len(p.filed) for p in plans)
    names = ", ".join(p.slug for p in plans)
    what = f"{names} and its {items} item" if len(plans) == 1 else f"{names} and their {items} item"
    text = f"Forget {what}{'' if items == 1 else 's'}"
    if filed:
        text += f" ({filed} filed: their GitHub issues stay)"
    return text + "?"


def _confirmed(plans: Sequence[Forgettable], yes: bool) -> bool:
    if yes:
        return True
    if not stdin_is_terminal():
        raise InputError("forget asks for confirmation and stdin is not a terminal: pass --yes")
    return click.confirm(_question(plans), default=False, err=True)


@click.command(
    "forget",
    epilog=examples(
        "followup forget 2019-12-05-gh-pages",
        "followup forget docs/postmortems/README.md --yes",
        "followup forget 2019-12-05-gh-pages --yes --format json",
    ),
)
@click.argument("postmortems", metavar="PM...", nargs=-1, required=True)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@format_option
@pass_cli
def forget_command(cli: CliContext, postmortems: tuple[str, ...], yes: bool, fmt: str) -> None:
    """Remove post-mortems (slug or file path) and their items from the store.

    GitHub is not touched: items already filed keep their issues, which are listed.
    """
    report = Report.start(
        cli,
        "forget",
        fmt,
        summary=dict.fromkeys(FORGET_SUMMARY, 0),
        extra={"postmortems": []},
    )
    plans = plan_forget(cli.engine(), postmortems)
    if not _confirmed(plans, yes):
        report.cancelled = True
        report.say("nothing forgotten")
        report.finish()
        return
    lock = StoreLock(
        cli.engine(),
        timeout=cli.settings.lock_timeout,
        on_wait=lambda message: printing.line(report.err, message),
    )
    gone = forget(cli.engine(), [p.slug for p in plans], lock=lock)
    _report(report, gone)


def _report(report: Report, gone: Sequence[Forgettable]) -> None:
    for pm in gone:
        report.extra["postmortems"].append(
            {
                "slug": pm.slug,
                "title": pm.title,
                "file": pm.path,
                "items": pm.items,
                "kept_issues": [
                    {"id": f.item_id, "title": f.title, "issue": f.ref, "url": f.url}
                    for f in pm.filed
                ],
            }
        )
        for item_id in pm.unconfirmed:
            report.warn(
                f"{item_id}: a filing run was stopped while creating its issue, so GitHub may "
                "have one; followup no longer tracks it"
            )
        noun = "item" if pm.items == 1 else "items"
        report.say(Text.assemble(("✔ forgot ", "green"), (pm.slug, "bold"), f"  {pm.items} {noun}"))
        for filed in pm.filed:
            report.add(
                Entry(
                    id=filed.item_id,
                    action="forgotten",
                    title=filed.title,
                    postmortem=pm.slug,
                    issue=IssueRef(filed.repo, filed.number, filed.url),
                    message="its GitHub issue stays",
                    text=Text.assemble(
                        "  ",
                        (filed.item_id, "bold"),
                        f"  {filed.title}  ",
                        (filed.url or filed.ref, "cyan"),
                    ),
                )
            )
    report.summary.update(
        {
            "postmortems": len(gone),
            "forgotten": sum(pm.items for pm in gone),
            "kept_issues": sum(len(pm.filed) for pm in gone),
        }
    )
    kept = report.summary["kept_issues"]
    if kept:
        report.say(
            f"{kept} item{' keeps its' if kept == 1 else 's keep their'} GitHub issue"
            f"{'' if kept == 1 else 's'} (open or closed as they were; followup no longer "
            "tracks them):"
        )
    report.finish()
