"""`followup file --project`: the option, and the report of the issues put in the project."""

from __future__ import annotations

from typing import Any

import click
from rich.text import Text

from followup.cli.exits import ExitCode
from followup.cli.reporting import Report
from followup.errors import InputError
from followup.github.project_mapping import Project
from followup.project_ref import parse_project
from followup.sync.filing import FilingReport
from followup.sync.projects import ProjectReport


def _check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        parse_project(value)
    except InputError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None
    return value


project_option = click.option(
    "--project",
    metavar="OWNER/NUMBER",
    callback=_check,
    help="Add each filed issue to this GitHub Project (v2), or its URL, and set its Priority "
    "and Due fields; default: the `project` setting. Needs the token's project scope.",
)


def filed_ids(filed: FilingReport) -> list[str]:
    """Return the items that have an issue after a filing run, in its order."""
    return [i.item_id for i in filed.items if i.outcome in ("created", "linked")]


def planned_project(report: Report, ref: str, project: Project | None) -> None:
    """Say which project a filing run would add its issues to (a dry run)."""
    for problem in project.fields.problems if project else ():
        report.warn(problem)
    title = f" ({project.title})" if project and project.title else ""
    report.say(f"Each issue filed would be added to project {ref}{title}.")
    report.extra["project"] = {
        "project": ref,
        "title": project.title if project else None,
        "url": project.url if project else None,
        "items": [],
        "error": None,
    }


def report_project(report: Report, added: ProjectReport) -> None:
    """Add what putting the filed issues in the project did to the report."""
    for warning in added.warnings:
        report.warn(warning)
    items: list[dict[str, Any]] = []
    for item in added.items:
        items.append(
            {
                "id": item.item_id,
                "issue": item.issue,
                "action": item.action,
                "message": item.message,
            }
        )
        if item.action == "failed":
            report.error(f"{item.item_id} {item.issue or ''}: {item.message}".replace("  ", " "))
    counts = ", ".join(
        f"{count} {word}"
        for word, count in (
            ("added", added.count("added")),
            ("already there", added.count("already")),
            ("skipped", added.count("skipped")),
            ("failed", added.count("failed")),
        )
        if count
    )
    report.say(
        Text.assemble(("project ", "bold"), f"{added.project}: {counts or 'nothing to add'}")
    )
    if added.error:
        report.error(f"project {added.project}: {added.error}")
    if added.failed:
        report.code = ExitCode.FAILED
    report.extra["project"] = {
        "project": added.project,
        "title": added.title,
        "url": added.url,
        "items": items,
        "error": added.error,
    }
