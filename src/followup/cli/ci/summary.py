"""The job summary of a CI run: each item's result with links, protection before and after.

Every value from a document or from GitHub goes through cli/ci/markdown.py; the words and
the table layout are followup's own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from followup.cli.ci import markdown as md
from followup.cli.ci.outcomes import Outcome, Result, changed_branches, counts
from followup.cli.ci.workflow import ActionsEnv

RUN_WORD: dict[Result, str] = {
    "filed": "✔ filed",
    "linked": "= linked",
    "skipped": "– skipped",
    "failed": "✘ failed",
    "protected": "⛨ protected",
    "satisfied": "✔ already protected",
}
DRY_WORD: dict[Result, str] = {
    "filed": "+ would file",
    "linked": "= would link",
    "skipped": "– would skip",
    "failed": "✘ would fail",
    "protected": "⛨ would protect",
    "satisfied": "✔ already protected",
}
MAX_NOTES = 20


def plural(n: int, word: str, many: str | None = None) -> str:
    """Return '1 issue' / '2 issues'."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def headline(outcomes: Sequence[Outcome], *, dry_run: bool) -> str:
    """Return the counts in one sentence (Markdown-safe: only numbers and our words)."""
    n = counts(outcomes)
    branches = len(changed_branches(outcomes))
    if dry_run:
        text = (
            f"{plural(n['filed'], 'issue')} would be filed, {n['linked']} linked, "
            f"{n['skipped']} skipped, {n['failed']} failing"
        )
        if branches:
            text += f"; protection would change on {plural(branches, 'branch', 'branches')}"
        return text
    text = (
        f"{plural(n['filed'], 'issue')} filed, {n['linked']} linked, "
        f"{n['skipped']} skipped, {n['failed']} failed"
    )
    if branches:
        text += f"; protection changed on {plural(branches, 'branch', 'branches')}"
    return text


def where(outcome: Outcome, env: ActionsEnv | None) -> str:
    """Return the item's file and line as code, linked to the file when the run knows it."""
    if not outcome.file:
        return ""
    name = env.relative(outcome.file) if env else outcome.file
    label = md.code(f"{name}:{outcome.line}" if outcome.line else name)
    return md.link(label, env.blob_url(outcome.file, outcome.line) if env else None)


def issue_cell(outcome: Outcome) -> str:
    """Return the item's issue (linked), its branch, or where a new issue would go."""
    issue = outcome.issue
    if issue:
        ref = f"{issue.get('repo')}#{issue.get('number')}"
        return md.link(md.text(ref), issue.get("url"))
    if outcome.step == "protect" or (outcome.protection and outcome.target):
        return md.code(outcome.target or "")
    if outcome.result == "filed" and outcome.repo:
        return "new in " + md.code(outcome.repo)
    return ""


def item_cell(outcome: Outcome, *, with_reason: bool = True) -> str:
    """Return the item's title and id, and (when it was not done) why."""
    cell = f"{md.text(outcome.title or '')} {md.code(outcome.id)}".strip()
    if with_reason and outcome.result in ("skipped", "failed") and outcome.reason:
        cell += f"<br>*{md.text(outcome.reason)}*"
    return cell


def value(setting: Any) -> str:
    """Return a protection setting's value as code; unset as a dash."""
    if setting is None:
        return "—"
    return md.code(json.dumps(setting, ensure_ascii=False, sort_keys=True))


def protection_rows(outcomes: Sequence[Outcome]) -> list[list[str]]:
    """Return a row per setting that changed (would change): branch, setting, before, after, note.

    The note says why the setting changes and where a ruleset already enforces it: without
    it a `true` before reads as unprotected when an organisation's ruleset blocks it.
    """
    rows = []
    for outcome in outcomes:
        if outcome.result != "protected" or not outcome.protection:
            continue
        for change in outcome.protection.get("changes") or ():
            rows.append(
                [
                    md.code(outcome.target or ""),
                    md.code(change.get("setting", "")),
                    value(change.get("before")),
                    value(change.get("after")),
                    md.text(change.get("note") or ""),
                ]
            )
    return rows


def protection_notes(outcomes: Sequence[Outcome]) -> list[str]:
    """Return a bullet per plan note and per warning of the branches that change, once each.

    A plan's note says how the branch is protected (a ruleset for a branch not created
    yet, one layered over someone else's classic protection); its warnings say what to
    know before applying (a status check that never reported, a restoration).
    """
    lines: dict[str, None] = {}
    for outcome in outcomes:
        if outcome.result != "protected":
            continue
        where = md.code(outcome.target or outcome.id)
        # Only a plan's message is its note; a run's says what was done, as its result does.
        if outcome.action == "change" and outcome.message:
            lines.setdefault(f"- {where}: {md.text(outcome.message)}")
        for warning in outcome.warnings:
            lines.setdefault(f"- ⚠ {where} {md.code(outcome.id)}: {md.text(warning)}")
    return list(lines)


def _listed(lines: list[str]) -> list[str]:
    return [*lines, ""] if lines else []


def notes(title: str, lines: Sequence[str]) -> list[str]:
    """Return a list of warnings or errors under a heading, the first MAX_NOTES of them."""
    if not lines:
        return []
    shown = [f"- {md.text(line)}" for line in lines[:MAX_NOTES]]
    if len(lines) > MAX_NOTES:
        shown.append(f"- … and {len(lines) - MAX_NOTES} more (see the JSON report)")
    return [f"#### {title}", "", *shown, ""]


def job_summary(
    outcomes: Sequence[Outcome],
    *,
    dry_run: bool,
    env: ActionsEnv | None,
    warnings: Sequence[str] = (),
    errors: Sequence[str] = (),
    files: int = 0,
    version: str = "",
    comment_url: str | None = None,
) -> str:
    """Return the Markdown of the job summary."""
    title = "followup (dry run)" if dry_run else "followup"
    parts = [f"### {title}: {headline(outcomes, dry_run=dry_run)}", ""]
    if not files:
        parts += ["No post-mortem matched the paths given.", ""]
    words = DRY_WORD if dry_run else RUN_WORD
    if outcomes:
        rows = [[words[o.result], item_cell(o), where(o, env), issue_cell(o)] for o in outcomes]
        parts += [md.table(["Result", "Action item", "Written at", "Issue or branch"], rows), ""]
    changes = protection_rows(outcomes)
    if changes:
        heading = "Branch protection that would change" if dry_run else "Branch protection changed"
        parts += [f"#### {heading}", ""]
        parts += [md.table(["Branch", "Setting", "Before", "After", "Note"], changes), ""]
        parts += _listed(protection_notes(outcomes))
    parts += notes("Errors", list(errors))
    parts += notes("Warnings", list(warnings))
    footer = f"followup {md.html(version)}".strip()
    if comment_url:
        footer += " · " + md.link("the plan on the pull request", comment_url)
    parts.append(f"<sub>{footer}</sub>")
    return "\n".join(parts) + "\n"
