"""One-line summaries of what a job did, for the notification that ends it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import TYPE_CHECKING

from followup.tui.jobs import ItemResult, ItemState, Outcome, Severity

if TYPE_CHECKING:
    from followup.sync.drift import VerifyReport
    from followup.sync.edits import EditResult
    from followup.sync.filing import FilingReport, ItemOutcome
    from followup.sync.forget import Forgettable
    from followup.sync.importing import ImportReport
    from followup.sync.polling import SyncReport
    from followup.sync.projects import ProjectReport
    from followup.sync.protect import ProtectionReport

FILING_STATE: dict[str, ItemState] = {
    "created": "done",
    "linked": "done",
    "skipped": "skipped",
    "failed": "failed",
}


def plural(count: int, noun: str) -> str:
    """Return a count with its noun, e.g. '1 item', '3 items', '2 branches'."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {noun}{'es' if noun.endswith(('s', 'sh', 'ch', 'x', 'z')) else 's'}"


def filing(report: FilingReport) -> Outcome:
    """Summarise a filing run."""
    parts = [f"{report.count('created')} filed", f"{report.count('linked')} linked"]
    failed = report.count("failed")
    if failed:
        reasons = {i.reason for i in report.items if i.outcome == "failed" and i.reason}
        first = sorted(reasons)[0] if reasons else ""
        parts.append(f"{failed} failed" + (f" ({first})" if first else ""))
    raced = sum(1 for i in report.items if i.raced)
    if raced:
        parts.append(f"{plural(raced, 'item')} filed twice by runs at once (duplicates closed)")
    text = "Filing: " + ", ".join(parts)
    if report.stopped:
        text += f"; stopped: {report.stopped}"
    if report.cancelled:
        text += "; cancelled"
    severity: Severity = "error" if report.failed else "warning" if raced else "information"
    results = tuple(_filed(item) for item in report.items)
    return Outcome(text, severity, results=results if len(results) > 1 else (), title="Filing")


@dataclass(frozen=True, slots=True)
class Filed:
    """A filing run, and what putting its issues in the configured project did."""

    filing: FilingReport
    project: ProjectReport | None = None


def filed(result: Filed) -> Outcome:
    """Summarise a filing run and, when a project is configured, its issues' adding."""
    outcome = filing(result.filing)
    project = result.project
    if project is None:
        return outcome
    text = f"{outcome.summary}; project {project.project}: {project.count('added')} added"
    problems = [i.message for i in project.items if i.action == "failed"]
    problems += [project.error] if project.error else []
    problems += list(project.warnings)
    if problems:
        text += f" ({problems[0]})"
    ranks: tuple[Severity, ...] = ("information", "warning", "error")
    mine: Severity = "error" if project.failed else "warning" if project.warnings else "information"
    severity = max(outcome.severity, mine, key=ranks.index)
    return replace(outcome, summary=text, severity=severity)


def _filed(item: ItemOutcome) -> ItemResult:
    if item.outcome == "created":
        message = f"filed as {item.issue}"
    elif item.outcome == "linked":
        message = f"linked to {item.issue}"
        if item.reason and item.reason.startswith("another run"):
            message += f" ({item.reason})"
    else:
        message = item.reason or item.outcome
    return ItemResult(item.item_id, item.title, FILING_STATE.get(item.outcome, "failed"), message)


def protection(report: ProtectionReport) -> Outcome:
    """Summarise a protection run."""
    done = sum(1 for r in report.results if r.ok)
    text = f"Protection: {done} of {plural(len(report.results), 'branch')} protected"
    problems = [r for r in report.results if not r.ok and r.outcome != "skipped"]
    if problems:
        first = problems[0]
        text += f"; {first.target}: {first.message or first.outcome}"
        if len(problems) > 1:
            text += f" (and {len(problems) - 1} more)"
    return Outcome(text, "error" if report.failed else "information")


def imported(report: ImportReport) -> Outcome:
    """Summarise an import."""
    created = sum(r.created for r in report.results)
    updated = sum(r.updated for r in report.results)
    removed = sum(r.removed for r in report.results)
    names = ", ".join(
        f"{r.slug} (moved from {PurePath(r.moved_from).name})" if r.moved_from else r.slug
        for r in report.results
    )
    text = (
        f"Imported {names}: {created} new, {updated} updated, {removed} removed"
        if report.results
        else "Nothing imported"
    )
    warnings = [w for r in report.results for w in r.warnings]
    warnings += [p.message for p in report.skipped]
    if warnings:
        text += f"; {warnings[0]}"
        if len(warnings) > 1:
            text += f" (and {len(warnings) - 1} more warnings)"
        return Outcome(text, "warning")
    return Outcome(text)


def synced(report: SyncReport) -> Outcome:
    """Summarise a sync: what changed, what failed, which local edits GitHub overruled."""
    changed = len(report.changes)
    text = f"Synced: {plural(changed, 'change')}, {plural(report.requests, 'request')}"
    pushed = sum(1 for e in report.edits if e.outcome == "pushed")
    if pushed:
        text += f", {plural(pushed, 'edit')} pushed"
    error = report.summary_error()
    if error:
        return Outcome(f"{text}; {error}", "error")
    dropped = report.dropped_edits
    if dropped:
        return Outcome(f"{text}; {dropped[0].message}", "warning")
    if report.warnings:
        return Outcome(f"{text}; {report.warnings[0]}", "warning")
    return Outcome(text)


def edited(result: EditResult) -> Outcome:
    """Summarise one edit: pushed to GitHub, waiting for the next sync, or local."""
    if result.outcome == "unchanged":
        return Outcome(result.message, "warning", changed=False)
    severity: Severity = (
        "warning" if result.outcome == "queued" or result.warnings else "information"
    )
    text = "; ".join((result.message, *result.warnings))
    return Outcome(text, severity, items=(result.item_id,))


def verified(report: VerifyReport) -> Outcome:
    """Summarise a verification: how many branches are still protected as asked."""
    total = len(report.results)
    drifted = report.count("regressed", "still_regressed")
    text = (
        f"Verified {plural(total, 'branch')}: {total - drifted - report.count('error')} in effect"
    )
    if drifted:
        first = next(r for r in report.results if r.outcome in ("regressed", "still_regressed"))
        text += f", {drifted} regressed ({first.target}: {first.message or first.outcome})"
    if report.error:
        return Outcome(f"{text}; stopped: {report.error}", "error")
    if report.count("error"):
        first = next(r for r in report.results if r.outcome == "error")
        return Outcome(f"{text}; {first.target}: {first.message}", "error")
    return Outcome(text, "warning" if drifted else "information")


def forgot(gone: list[Forgettable]) -> Outcome:
    """Summarise forgetting post-mortems: what left the store, which issues stay."""
    items = sum(pm.items for pm in gone)
    names = ", ".join(pm.slug for pm in gone)
    text = f"Forgot {names} and {plural(items, 'item')}"
    kept = [filed for pm in gone for filed in pm.filed]
    if kept:
        refs = ", ".join(filed.ref for filed in kept[:3]) + (", …" if len(kept) > 3 else "")
        text += f"; {plural(len(kept), 'GitHub issue')} stay on GitHub ({refs})"
    results = tuple(
        ItemResult(filed.item_id, filed.title, "done", f"forgotten; {filed.ref} stays on GitHub")
        for filed in kept
    )
    unconfirmed = tuple(
        ItemResult(
            item_id,
            item_id,
            "done",
            "forgotten; a filing run was stopped while creating its issue: GitHub may have one",
        )
        for pm in gone
        for item_id in pm.unconfirmed
    )
    if unconfirmed:
        text += f"; {plural(len(unconfirmed), 'item')} may have an issue on GitHub"
    return Outcome(
        text,
        "warning" if unconfirmed else "information",
        results=results + unconfirmed,
        title="Forget",
    )
