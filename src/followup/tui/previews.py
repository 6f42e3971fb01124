"""Plans as the confirm dialogs show them: filing as a list, protection as a diff."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.content import Content

from followup.text import clean
from followup.tui.edits import EditSpec, Planned
from followup.tui.jobs import Preview
from followup.tui.outcomes import plural

if TYPE_CHECKING:
    from followup.sync.filing import FilingPlan, PlannedItem
    from followup.sync.forget import Forgettable
    from followup.sync.importing import FileProblem
    from followup.sync.protect import ProtectionPlan

ACTION_LABEL = {
    "create": ("+ create", "$success"),
    "link": ("= link", "$accent"),
    "skip": ("· skip", "$text-muted"),
    "fail": ("✘ cannot", "$error"),
}


def filing_headline(plan: FilingPlan) -> str:
    """Return what confirming would do, in one line."""
    creates = len(plan.having("create"))
    links = len(plan.having("link"))
    if not creates and not links:
        return "Nothing to file"
    parts = []
    if creates:
        parts.append(f"create {plural(creates, 'issue')}")
    if links:
        parts.append(f"link {plural(links, 'item')} to existing issues")
    return "Filing will " + " and ".join(parts)


def _where(item: PlannedItem) -> str:
    if item.action == "link":
        return item.target or item.repo or ""
    if item.action == "create":
        return item.repo or ""
    return item.reason


def filing_preview(plan: FilingPlan) -> Content:
    """Return the plan, one item a line, then labels and notes."""
    lines: list[Content] = []
    for item in plan.items:
        label, style = ACTION_LABEL.get(item.action, (item.action, ""))
        lines.append(
            Content.assemble(
                (f"{label:<9}", style),
                " ",
                (item.item_id, "bold"),
                "  ",
                item.title,
            )
        )
        detail = _where(item)
        if item.action == "create" and item.issue is not None:
            extras = [f"labels {', '.join(item.issue.labels)}"] if item.issue.labels else []
            if item.issue.assignees:
                extras.append("assign " + ", ".join(f"@{a}" for a in item.issue.assignees))
            detail = " · ".join([detail, *extras]) if detail else " · ".join(extras)
        if detail:
            lines.append(Content.styled(f"{'':<10}{detail}", "$text-muted"))
    if not plan.items:
        lines.append(Content.styled("No unfiled items.", "$text-muted"))
    for repo, labels in plan.labels_to_create:
        names = ", ".join(label.name for label in labels)
        lines.append(
            Content.assemble("\n", ("labels to create in ", "$text-muted"), repo, ": ", names)
        )
    for note in plan.notes:
        lines.append(Content.styled(f"note: {note}", "$warning"))
    return Content("\n").join(lines)


def protection_headline(plans: Sequence[ProtectionPlan]) -> str:
    """Return what confirming would do, in one line."""
    writes = [p for p in plans if p.writes]
    if not writes:
        return "Nothing to change"
    return f"Protection will change {plural(len(writes), 'branch')}"


def protection_preview(plans: Sequence[ProtectionPlan]) -> Content:
    """Return each plan as a diff: '-' the live value, '+' the value it will have."""
    from followup.github.protection_mapping import format_value

    lines: list[Content] = []
    for plan in plans:
        if lines:
            lines.append(Content(""))
        method = f" · {plan.method}" if plan.method else ""
        lines.append(
            Content.assemble(
                (plan.target, "bold"), ("  ", ""), (f"{plan.item_id}{method}", "$text-muted")
            )
        )
        if plan.error:
            lines.append(Content.styled(f"  ✘ {plan.error}", "$error"))
            continue
        if plan.satisfied:
            lines.append(Content.styled("  ✔ already protected as asked", "$success"))
            continue
        for row in plan.rows:
            label = row.label
            note = f"  ({row.note})" if row.note else ""
            if row.changed:
                old = format_value(row.setting, row.live)
                new = format_value(row.setting, row.new)
                lines.append(Content.styled(f"- {label}: {old}", "$error"))
                lines.append(Content.styled(f"+ {label}: {new}{note}", "$success"))
            else:
                value = format_value(row.setting, row.new)
                lines.append(Content.styled(f"  {label}: {value}{note}", "$text-muted"))
        if plan.note:
            lines.append(Content.styled(f"  note: {plan.note}", "$warning"))
        # Confirming this dialog is the consent the CLI asks for apart: say what it means.
        for warning in plan.warnings:
            lines.append(Content.styled(f"  ⚠ {warning}", "$warning"))
    if not plans:
        lines.append(Content.styled("No branch-protection item is waiting.", "$text-muted"))
    return Content("\n").join(lines)


NO_TOKEN = (
    "Filing needs a GitHub token: set GH_TOKEN or GITHUB_TOKEN, or log in with 'gh auth login'"
)


def filing_confirmation(plan: FilingPlan, *, has_github: bool) -> Preview:
    """Return the dialog's content for a filing plan."""
    blocked = None
    if not plan.having("create") and not plan.having("link"):
        blocked = "Nothing to file."
    elif not has_github:
        blocked = NO_TOKEN
    return Preview(
        "File issues",
        filing_headline(plan),
        filing_preview(plan),
        confirm_label="File",
        blocked=blocked,
    )


def protection_confirmation(plans: Sequence[ProtectionPlan]) -> Preview:
    """Return the dialog's content for protection plans."""
    return Preview(
        "Apply branch protection",
        protection_headline(plans),
        protection_preview(plans),
        confirm_label="Apply",
        blocked=None if any(p.writes for p in plans) else "Nothing to change.",
    )


def edit_confirmation(spec: EditSpec, planned: Sequence[Planned], value: object) -> Preview:
    """Return the dialog's content for one change over several items: one line each."""
    doing = [p for p in planned if p.change is not None]
    skipped = len(planned) - len(doing)
    headline = spec.title.format(plural(len(doing), "item"), issue="") + spec.value_words(value)
    if skipped:
        headline += f"; {skipped} left as {'it is' if skipped == 1 else 'they are'}"
    lines: list[Content] = []
    for entry in planned:
        item = entry.item
        if entry.change is not None:
            mark, detail, style = (f"✔ {spec.label.lower()}", entry.change, "$success")
        else:
            mark, detail, style = ("· skip", entry.skip or "", "$text-muted")
        lines.append(
            Content.assemble((f"{mark:<10}", style), " ", (item.id, "bold"), "  ", item.title)
        )
        lines.append(Content.styled(f"{'':<11}{detail}", "$text-muted"))
    return Preview(
        spec.title.format(plural(len(planned), "item"), issue=""),
        headline if doing else "Nothing to change",
        Content("\n").join(lines),
        confirm_label=spec.label,
        blocked=None if doing else "Nothing to change.",
    )


def forget_confirmation(plan: Forgettable) -> Preview:
    """Return the dialog that asks before a post-mortem and its items leave the store."""
    lines = [
        Content.assemble(("File  ", "$text-muted"), plan.path),
        Content(f"Removes the post-mortem and its {plural(plan.items, 'item')} from the store."),
    ]
    if plan.filed:
        lines.append(
            Content.styled(
                f"{plural(len(plan.filed), 'item')} "
                + ("keeps its GitHub issue" if len(plan.filed) == 1 else "keep their GitHub issues")
                + ": GitHub is not touched, followup stops tracking "
                + ("it." if len(plan.filed) == 1 else "them."),
                "$warning",
            )
        )
        for filed in plan.filed:
            lines.append(
                Content.assemble(
                    "  ", (filed.item_id, "bold"), "  ", filed.title, "  ", (filed.ref, "$accent")
                )
            )
    return Preview(
        f"Forget {plan.slug}",
        f"Forget {plan.title}?",
        Content("\n").join(lines),
        confirm_label="Forget",
    )


def import_anyway(refused: Sequence[FileProblem]) -> Preview:
    """Return the dialog that asks before refused files are imported all the same."""
    lines: list[Content] = []
    for problem in refused:
        # A file's name is the user's, but may hold anything a terminal would act on.
        lines.append(Content.assemble(("File  ", "$text-muted"), clean(problem.path)))
        lines.append(Content.styled(f"  {clean(problem.refused or '')}", "$warning"))
    return Preview(
        "Import anyway",
        f"Import {clean(refused[0].path)} anyway?"
        if len(refused) == 1
        else f"Import {len(refused)} files anyway?",
        Content("\n").join(lines),
        confirm_label="Import anyway",
    )
