"""The comment a pull request gets: what merging it will file and which protection it changes.

The comment is kept up to date on each push (sync/comments.py, key `plan:<number>`), and
is only rewritten when the plan changes: so it names nothing that differs from push to
push (no commit, no run, no time). Owners and labels are shown as code, which mentions
nobody; every outside value goes through cli/ci/markdown.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from followup.cli.ci import markdown as md
from followup.cli.ci.outcomes import Outcome, changed_branches, counts
from followup.cli.ci.summary import item_cell, plural, protection_notes, protection_rows

TITLE = "### followup: what merging this pull request will do"


def plan_key(number: int) -> str:
    """Return the key the plan comment of pull request number is kept under."""
    return f"plan:{number}"


def _place(outcome: Outcome) -> str:
    if not outcome.file:
        return ""
    return md.code(f"{outcome.file}:{outcome.line}" if outcome.line else outcome.file)


def _ref(outcome: Outcome) -> str:
    issue = outcome.issue
    if issue:
        return f"{issue.get('repo')}#{issue.get('number')}"
    return outcome.target or ""


def _codes(values: object) -> str:
    if not isinstance(values, list | tuple):
        return ""
    return " ".join(md.code(value) for value in values) or "—"


def _to_file(outcomes: Sequence[Outcome]) -> list[str]:
    creates = [o for o in outcomes if o.result == "filed"]
    if not creates:
        return []
    rows = []
    for o in creates:
        new = o.new_issue or {}
        rows.append(
            [
                f"{item_cell(o)}<br>{_place(o)}",
                md.code(new.get("repo") or o.repo or "?"),
                _codes(new.get("labels")),
                _codes(new.get("assignees")),
            ]
        )
    parts = [
        f"#### {plural(len(creates), 'issue')} to file",
        "",
        md.table(["Action item", "Repository", "Labels", "Assignees"], rows),
        "",
    ]
    bodies = [o for o in creates if o.new_issue and o.new_issue.get("body")]
    if bodies:
        parts += ["<details><summary>The issues exactly as they would be filed</summary>", ""]
        for o in bodies:
            new = o.new_issue or {}
            parts += [f"**{md.text(new.get('title') or o.title or '')}**", ""]
            parts += [md.fence(new.get("body"), "markdown"), ""]
        parts += ["</details>", ""]
    return parts


def _note(outcome: Outcome) -> str:
    """Return ': the plan's note' for a protection already in effect, if it has one."""
    return f": {md.text(outcome.message)}" if outcome.message else ""


def _bullets(title: str, lines: list[str]) -> list[str]:
    return [f"#### {title}", "", *lines, ""] if lines else []


def plan_comment(outcomes: Sequence[Outcome], *, version: str = "") -> str:
    """Return the Markdown of the plan comment (without its hidden key line)."""
    n = counts(outcomes)
    branches = changed_branches(outcomes)
    parts = [TITLE, ""]
    if not n["filed"] and not branches:
        parts += ["Nothing to file and no branch protection to change.", ""]
    else:
        said = [f"**{plural(n['filed'], 'issue')} to file**"]
        if branches:
            said.append(f"**protection changes on {plural(len(branches), 'branch', 'branches')}**")
        parts += [", ".join(said) + ".", ""]
    parts += _to_file(outcomes)
    linked = [f"- {item_cell(o)} → {md.code(_ref(o))}" for o in outcomes if o.result == "linked"]
    parts += _bullets("Linked to issues that exist", linked)
    failing = [
        f"- ✘ {item_cell(o, with_reason=False)} {_place(o)}: {md.text(o.reason or 'fails')}"
        for o in outcomes
        if o.result == "failed"
    ]
    parts += _bullets("Would fail", failing)
    skipped = [
        f"- {item_cell(o, with_reason=False)} {_place(o)}: {md.text(o.reason or 'skipped')}"
        for o in outcomes
        if o.result == "skipped"
    ]
    parts += _bullets("Not filed", skipped)
    rows = protection_rows(outcomes)
    if rows:
        parts += ["#### Branch protection that would change", ""]
        parts += [md.table(["Branch", "Setting", "Now", "After the merge", "Note"], rows), ""]
        notes = protection_notes(outcomes)
        parts += [*notes, ""] if notes else []
    satisfied = [
        f"- {item_cell(o)} {md.code(o.target or '')}{_note(o)}"
        for o in outcomes
        if o.result == "satisfied"
    ]
    parts += _bullets("Protection already in effect", satisfied)
    parts.append(
        f"<sub>followup {md.html(version)} keeps this comment up to date on each push. "
        "Nothing is filed or changed until the pull request is merged.</sub>"
    )
    return "\n".join(parts) + "\n"
