"""`followup protect` and `followup verify`: branch protection from the command line."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click
from rich import box
from rich.table import Table
from rich.text import Text

from followup.cli import printing
from followup.cli.context import CliContext, pass_cli
from followup.cli.interrupts import stop_on_interrupt
from followup.cli.options import examples
from followup.cli.progress import BarProgress
from followup.cli.protection_views import VERIFY_TEXT, protection_json, verdicts
from followup.cli.reporting import Entry, Report, format_option
from followup.config import ProtectionMethod
from followup.errors import InputError
from followup.github.client import GitHub, GitHubFactory
from followup.sync.drift import VerifyReport, verify_protection
from followup.sync.protect import (
    ProtectionPlan,
    ProtectionReport,
    ProtectionResult,
    apply_protection,
    plan_protection,
    protection_targets,
)
from followup.sync.protection_targets import protected_items

NEEDS_YES = (
    "refusing to change branch protection without confirmation: pass --yes "
    "(or --dry-run to only see the plan)"
)
PROTECT_SUMMARY = dict.fromkeys(
    (
        "branches_to_change",
        "items_to_change",
        "unseen_checks",
        "satisfied",
        "errors",
        "done",
        "already",
        "unverified",
        "failed",
        "skipped",
    ),
    0,
)
VERIFY_SUMMARY = dict.fromkeys(
    ("ok", "restored", "regressed", "still_regressed", "error", "reads"), 0
)
RESULT_TEXT: dict[str, tuple[str, str]] = {
    "done": ("✔ ", "green"),
    "already": ("✔ ", "green"),
    "unverified": ("✘ ", "red"),
    "failed": ("✘ ", "red"),
    "skipped": ("– ", "dim"),
}


def _interactive() -> bool:
    """Tell whether a person can answer a question on this terminal."""
    return sys.stdin.isatty()


def _client(cli: CliContext) -> GitHub:
    return GitHubFactory(cli.settings)()


def _bar(cli: CliContext) -> BarProgress:
    # Notes are dropped: every outcome is in the report, printed once after the bar.
    return BarProgress(cli.err, show_notes=False)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 'es' if noun.endswith('ch') else 's'}"


# -- protect -------------------------------------------------------------------------------


def say_plan(report: Report, plan: ProtectionPlan) -> None:
    """Show one plan: a heading, then each setting's live and new value."""
    report.say(Text.assemble((plan.item_id, "bold"), "  ", plan.title))
    report.say(
        Text.assemble(
            "  ", (plan.target, "cyan"), (f"  ({plan.method})", "dim") if plan.method else ""
        )
    )
    if plan.error is not None:
        report.say(Text(f"  ✘ cannot protect: {plan.error}", style="red"))
        report.say("")
        return
    if plan.note:
        report.say(Text(f"  {plan.note}", style="dim"))
    if report.is_json:
        return
    if report.plain:
        for row in plan.rows:
            setting, live, new, note = row.cells()
            line = Text.assemble(
                f"  {setting}: {live} → ", (new, "bold green" if row.changed else "")
            )
            if note:
                line.append(f"  ({note})", style="dim")
            report.say(line)
    else:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("Setting", no_wrap=True)
        table.add_column("Live")
        table.add_column("New")
        table.add_column("Note", style="dim")
        for row in plan.rows:
            setting, live, new, note = row.cells()
            table.add_row(
                Text(setting),
                Text(live),
                Text(new, style="bold green" if row.changed else ""),
                Text(note),
            )
        printing.show(report.out, table)
    if plan.satisfied:
        report.say(Text("  ✔ already satisfied: nothing to change", style="green"))
    for warning in plan.warnings:
        report.say(Text(f"  ⚠ {warning}", style="yellow"))
    report.say("")


def _plan_entry(plan: ProtectionPlan) -> Entry:
    action = "error" if plan.error is not None else "satisfied" if plan.satisfied else "change"
    return Entry(
        id=plan.item_id,
        action=action,
        ok=plan.error is None,
        title=plan.title,
        target=plan.target,
        message=plan.note,
        error=plan.error,
        warnings=list(plan.warnings),
        details={"protection": protection_json(plan)},
    )


def _result_entry(result: ProtectionResult, plan: ProtectionPlan | None) -> Entry:
    icon, style = RESULT_TEXT[result.outcome]
    line = Text.assemble((icon, style), (result.item_id, "bold"), f"  {result.target}: ")
    if result.outcome == "done":
        line.append(f"protected ({result.method}) and verified")
        if result.restored:
            line.append(f"; restored what a write had weakened: {'; '.join(result.restored)}")
    elif result.outcome == "already":
        line.append("already in effect; marked done")
    elif result.outcome == "skipped":
        line.append(f"skipped ({result.message})")
    else:
        line.append(result.message, style="red")
    failed = result.outcome in ("failed", "unverified")
    return Entry(
        id=result.item_id,
        action=result.outcome,
        ok=not failed,
        title=plan.title if plan else None,
        target=result.target,
        message=result.message or None,
        error=result.message if failed else None,
        details={"protection": protection_json(plan, result) if plan else None},
        text=line,
    )


@click.command(
    "protect",
    epilog=examples(
        "followup protect --dry-run",
        "followup protect 3f2a --yes",
        "followup protect --all --yes --method ruleset --format json",
    ),
)
@click.argument("item_ids", nargs=-1)
@click.option(
    "--all",
    "all_items",
    is_flag=True,
    help="Every pending protection item (also what no ITEM_ID means).",
)
@click.option("--dry-run", is_flag=True, help="Show the plan and send no write to GitHub.")
@click.option("--yes", "-y", is_flag=True, help="Apply without asking (for scripts and CI).")
@click.option(
    "--method",
    type=click.Choice(["classic", "ruleset", "auto"]),
    help="classic branch protection, a ruleset, or auto (default: the protection_method setting).",
)
@click.option(
    "--allow-unseen-checks",
    is_flag=True,
    help="Require status checks even if they never reported on the branch (else asked).",
)
@format_option
@pass_cli
def protect_command(
    cli: CliContext,
    item_ids: tuple[str, ...],
    all_items: bool,
    dry_run: bool,
    yes: bool,
    method: ProtectionMethod | None,
    allow_unseen_checks: bool,
    fmt: str,
) -> None:
    """Apply recommended branch protection: plan, confirm, apply, verify.

    Settings already on the branch are kept; a recommendation only ever tightens them.
    Exits 1 when an item could not be protected or verified.
    """
    if item_ids and all_items:
        raise InputError("give item ids or --all, not both")
    report = Report.start(cli, "protect", fmt, dry_run=dry_run, summary=PROTECT_SUMMARY)
    engine = cli.engine()
    chosen: ProtectionMethod = method or cli.settings.protection_method
    if not item_ids and not report.is_json:
        printing.line(cli.err, "Planning every pending branch-protection item.")
    if not protection_targets(engine, item_ids=item_ids or None):
        report.finish("No pending branch-protection items.")
        return
    client = _client(cli)
    with _bar(cli) as bar, stop_on_interrupt(bar):
        plans = plan_protection(
            engine, client, item_ids=item_ids or None, method=chosen, progress=bar
        )
    if bar.cancel_requested:
        report.cancelled = True
        report.warn("stopped before every branch was read; nothing was changed")
        report.finish()
        return
    for plan in plans:
        say_plan(report, plan)
    errors = sum(1 for p in plans if p.error is not None)
    writes = [p for p in plans if p.writes]
    branches = len({p.target for p in writes})
    satisfied = sum(1 for p in plans if p.satisfied)
    report.summary.update(
        {"branches_to_change": branches, "items_to_change": len(writes), "satisfied": satisfied}
    )
    report.summary["errors"] = errors
    unseen = [p for p in writes if p.unseen_checks]
    report.summary["unseen_checks"] = len(unseen)
    if dry_run:
        for plan in plans:
            report.add(_plan_entry(plan), shown=True)
        report.finish(
            f"Dry run: {_count(branches, 'branch')} would change "
            f"({_count(len(writes), 'item')}), {satisfied} already satisfied, "
            f"{errors} with errors"
            + (f", {len(unseen)} asking for checks that never reported" if unseen else "")
            + ". Nothing was sent to GitHub."
        )
        return
    if writes and not yes:
        if report.is_json or not _interactive():
            raise InputError(NEEDS_YES)
        if not click.confirm(f"Apply the changes above to {_count(branches, 'branch')}?"):
            report.finish("Nothing was changed.")
            return
        if unseen and not allow_unseen_checks:
            names = sorted({c for p in unseen for c in p.unseen_checks})
            allow_unseen_checks = click.confirm(
                f"Require {', '.join(names)} although it never reported on the branch "
                "(every pull request waits for it)?",
                default=False,
            )
    with _bar(cli) as bar, stop_on_interrupt(bar):
        applied = apply_protection(
            engine,
            client,
            plans,
            progress=bar,
            allow_unseen_checks=allow_unseen_checks,
            lock_timeout=cli.settings.lock_timeout,
        )
    _report_applied(report, applied, plans)
    report.cancelled = bar.cancel_requested
    done = sum(1 for r in applied.results if r.ok)
    report.finish(
        f"{done} of {len(applied.results)} protection item(s) done; {applied.failed} failed."
    )


def _report_applied(
    report: Report, applied: ProtectionReport, plans: Sequence[ProtectionPlan]
) -> None:
    by_id = {plan.item_id: plan for plan in plans}
    for result in applied.results:
        report.add(_result_entry(result, by_id.get(result.item_id)))
    for outcome in ("done", "already", "unverified", "failed", "skipped"):
        report.summary[outcome] = sum(1 for r in applied.results if r.outcome == outcome)


# -- verify --------------------------------------------------------------------------------


def report_verify(cli: CliContext, report: Report, verified: VerifyReport) -> None:
    """Add each item's verdict, with its reason, and the counts to the report."""
    for entry in verdicts(cli.engine(), verified.results):
        report.add(entry)
    if verified.error:
        report.error(f"stopped early: {verified.error}")
    for outcome in VERIFY_TEXT:
        report.summary[outcome] = sum(1 for r in verified.results if r.outcome == outcome)
    report.summary["reads"] = verified.reads


@click.command(
    "verify",
    epilog=examples("followup verify", "followup verify 3f2a --format json"),
)
@click.argument("item_ids", nargs=-1)
@format_option
@pass_cli
def verify_command(cli: CliContext, item_ids: Sequence[str], fmt: str) -> None:
    """Re-read the protection followup applied and flag what was weakened since.

    Exits 1 when an item regressed or could not be checked.
    """
    report = Report.start(cli, "verify", fmt, summary=VERIFY_SUMMARY)
    engine = cli.engine()
    if not item_ids and not protected_items(engine):
        report.finish("No protection applied by followup to verify.")
        return
    client = _client(cli)
    with _bar(cli) as bar, stop_on_interrupt(bar):
        verified = verify_protection(
            engine,
            client,
            item_ids=item_ids or None,
            progress=bar,
            concurrency=cli.settings.sync_concurrency,
        )
    report_verify(cli, report, verified)
    report.cancelled = bar.cancel_requested
    report.finish(
        f"{len(verified.results)} item(s) checked with {verified.reads} read(s): "
        f"{verified.count('regressed', 'still_regressed')} regressed, "
        f"{verified.count('restored')} restored, {verified.count('error')} not checked."
    )
