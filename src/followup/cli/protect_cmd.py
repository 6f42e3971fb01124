"""`followup protect` and `followup verify`: branch protection from the command line."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click
from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from followup.cli.context import CliContext, pass_cli
from followup.cli.file_cmd import CANCELLED_EXIT, BarProgress, stop_on_interrupt
from followup.config import ProtectionMethod
from followup.errors import InputError
from followup.github.client import GitHub, GitHubFactory
from followup.sync.drift import VerifyReport, verify_protection
from followup.sync.progress import Level
from followup.sync.protect import (
    ProtectionPlan,
    ProtectionReport,
    apply_protection,
    plan_protection,
    protection_targets,
)
from followup.sync.protection_targets import protected_items

NEEDS_YES = (
    "refusing to change branch protection without confirmation: pass --yes "
    "(or --dry-run to only see the plan)"
)

STOPPING = "stopping after the current item (Ctrl-C again to stop at once)"


def _interactive() -> bool:
    """Tell whether a person can answer a question on this terminal."""
    return sys.stdin.isatty()


class QuietBar(BarProgress):
    """The filing bar without notes: every outcome is printed once, after the bar."""

    def note(self, level: Level, message: str) -> None:
        """Drop the note; the report printed afterwards says the same."""

    def cancelled(self) -> bool:
        """Tell the work whether to stop; says once that it is stopping."""
        if self.cancel_requested and not self._told:
            self._told = True
            super().note("warning", STOPPING)
        return self.cancel_requested


def _client(cli: CliContext) -> GitHub:
    return GitHubFactory(cli.settings)()


def plan_view(plan: ProtectionPlan) -> RenderableType:
    """Return one plan as a heading and a setting / live / new / note table."""
    method = f"  ({plan.method})" if plan.method else ""
    heading = Text.assemble((plan.item_id, "bold"), "  ", plan.title, "\n", (plan.target, "cyan"))
    heading.append(method, style="dim")
    parts: list[RenderableType] = [heading]
    if plan.error is not None:
        parts.append(Text(f"✘ cannot protect: {plan.error}", style="red"))
        return Group(*parts, Text())
    if plan.note:
        parts.append(Text(plan.note, style="dim"))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Setting", no_wrap=True)
    table.add_column("Live")
    table.add_column("New")
    table.add_column("Note", style="dim")
    for row in plan.rows:
        setting, live, new, note = row.cells()
        table.add_row(
            setting,
            live,
            Text(new, style="bold green" if row.changed else ""),
            note,
        )
    parts.append(table)
    if plan.satisfied:
        parts.append(Text("✔ already satisfied: nothing to change", style="green"))
    for warning in plan.warnings:
        parts.append(Text(f"⚠ {warning}", style="yellow"))
    return Group(*parts, Text())


def _print_report(cli: CliContext, report: ProtectionReport) -> None:
    for result in report.results:
        if result.outcome == "done":
            line = Text.assemble(("✔ ", "green"), (result.item_id, "bold"), f"  {result.target}: ")
            line.append(f"protected ({result.method}) and verified")
            if result.restored:
                line.append(f"; restored what a write had weakened: {'; '.join(result.restored)}")
        elif result.outcome == "already":
            line = Text.assemble(("✔ ", "green"), (result.item_id, "bold"), f"  {result.target}: ")
            line.append("already in effect; marked done")
        elif result.outcome == "skipped":
            line = Text.assemble(("– ", "dim"), (result.item_id, "bold"), f"  {result.target}: ")
            line.append(f"skipped ({result.message})")
        else:
            line = Text.assemble(("✘ ", "red"), (result.item_id, "bold"), f"  {result.target}: ")
            line.append(result.message, style="red")
        cli.out.print(line, highlight=False)
    done = sum(1 for r in report.results if r.ok)
    cli.out.print(
        f"{done} of {len(report.results)} protection item(s) done; {report.failed} failed.",
        highlight=False,
    )


@click.command("protect")
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
@pass_cli
def protect_command(
    cli: CliContext,
    item_ids: tuple[str, ...],
    all_items: bool,
    dry_run: bool,
    yes: bool,
    method: ProtectionMethod | None,
    allow_unseen_checks: bool,
) -> None:
    """Apply recommended branch protection: plan, confirm, apply, verify.

    Settings already on the branch are kept; a recommendation only ever tightens them.
    Exits 1 when an item could not be protected or verified.
    """
    if item_ids and all_items:
        raise InputError("give item ids or --all, not both")
    engine = cli.engine()
    chosen: ProtectionMethod = method or cli.settings.protection_method
    if not item_ids:
        cli.err.print("Planning every pending branch-protection item.", highlight=False)
    if not protection_targets(engine, item_ids=item_ids or None):
        cli.out.print("No pending branch-protection items.", highlight=False)
        return
    client = _client(cli)
    with QuietBar(cli.err) as bar, stop_on_interrupt(bar):
        plans = plan_protection(
            engine, client, item_ids=item_ids or None, method=chosen, progress=bar
        )
    if bar.cancel_requested:
        cli.err.print("Stopped before every branch was read; nothing was changed.")
        click.get_current_context().exit(CANCELLED_EXIT)
    for plan in plans:
        cli.out.print(plan_view(plan))
    errors = sum(1 for p in plans if p.error is not None)
    writes = [p for p in plans if p.writes]
    unseen = [p for p in writes if p.unseen_checks]
    if dry_run:
        asked = f", {len(unseen)} asking for checks that never reported" if unseen else ""
        cli.out.print(
            f"Dry run: {len(writes)} branch(es) would change, "
            f"{sum(1 for p in plans if p.satisfied)} already satisfied, {errors} with errors"
            f"{asked}. Nothing was sent to GitHub.",
            highlight=False,
        )
        if errors:
            click.get_current_context().exit(1)
        return
    if writes and not yes:
        if not _interactive():
            raise InputError(NEEDS_YES)
        if not click.confirm(
            f"Apply the changes above to {len(writes)} branch(es)?", default=False
        ):
            cli.out.print("Nothing was changed.", highlight=False)
            return
        if unseen and not allow_unseen_checks:
            names = sorted({c for p in unseen for c in p.unseen_checks})
            allow_unseen_checks = click.confirm(
                f"Require {', '.join(names)} although it never reported on the branch "
                "(every pull request waits for it)?",
                default=False,
            )
    with QuietBar(cli.err) as bar, stop_on_interrupt(bar):
        report = apply_protection(
            engine, client, plans, progress=bar, allow_unseen_checks=allow_unseen_checks
        )
    _print_report(cli, report)
    if bar.cancel_requested:
        click.get_current_context().exit(CANCELLED_EXIT)
    if not report.ok:
        click.get_current_context().exit(1)


def _print_verify(cli: CliContext, report: VerifyReport) -> None:
    styles = {
        "ok": ("✔ ", "green", "in effect"),
        "restored": ("✔ ", "green", "back in effect: done again"),
        "regressed": ("▲ ", "bold red", "regressed: "),
        "still_regressed": ("▲ ", "red", "still regressed: "),
        "error": ("? ", "yellow", "not checked: "),
    }
    for result in report.results:
        icon, style, words = styles[result.outcome]
        line = Text.assemble((icon, style), (result.item_id, "bold"), f"  {result.target}: ")
        line.append(words + result.message, style=style if result.outcome != "ok" else "")
        cli.out.print(line, highlight=False)
    if report.error:
        cli.err.print(f"error: stopped early: {report.error}", highlight=False)
    cli.out.print(
        f"{len(report.results)} item(s) checked with {report.reads} read(s): "
        f"{report.count('regressed', 'still_regressed')} regressed, "
        f"{report.count('restored')} restored, {report.count('error')} not checked.",
        highlight=False,
    )


@click.command("verify")
@click.argument("item_ids", nargs=-1)
@pass_cli
def verify_command(cli: CliContext, item_ids: Sequence[str]) -> None:
    """Re-read the protection followup applied and flag what was weakened since.

    Exits 1 when an item regressed or could not be checked.
    """
    engine = cli.engine()
    if not item_ids and not protected_items(engine):
        cli.out.print("No protection applied by followup to verify.", highlight=False)
        return
    client = _client(cli)
    with QuietBar(cli.err) as bar, stop_on_interrupt(bar):
        report = verify_protection(
            engine,
            client,
            item_ids=item_ids or None,
            progress=bar,
            concurrency=cli.settings.sync_concurrency,
        )
    _print_verify(cli, report)
    if not report.ok:
        click.get_current_context().exit(1)
