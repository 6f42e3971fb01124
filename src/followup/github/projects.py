"""GitHub Projects (v2) over GraphQL: find a project, add an issue, set its fields, read items.

Projects need the `project` scope (`read:project` to read); GitHub's refusal becomes a
ScopeError whose one line says so and how to get it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from followup.github.client import GitHub, GraphQLResult
from followup.github.errors import BadAnswer, NotFound, ScopeError
from followup.github.project_mapping import (
    ADD_MUTATION,
    ITEMS_QUERY,
    PROJECT_QUERY,
    Action,
    ItemsPage,
    Project,
    ProjectShapeError,
    fields_mutation,
    read_items_page,
    read_mutated_item,
    read_project,
)
from followup.project_ref import ProjectRef

SCOPE_HINT = (
    "the token cannot use GitHub Projects: it needs the 'project' scope "
    "(gh auth refresh -s project; a fine-grained token needs Projects: read and write)"
)


def _run(client: GitHub, query: str, variables: dict[str, Any]) -> GraphQLResult:
    try:
        return client.graphql(query, variables)
    except ScopeError as exc:
        raise ScopeError(SCOPE_HINT, scopes=exc.scopes) from None


def find_project(client: GitHub, ref: ProjectRef) -> Project:
    """Return the project OWNER/NUMBER with its Priority and Due fields."""
    result = _run(client, PROJECT_QUERY, {"owner": ref.owner, "number": ref.number})
    try:
        project = read_project(ref, result.data)
    except ProjectShapeError as exc:
        raise BadAnswer(f"GitHub's answer about project {ref} is not a project ({exc})") from None
    if project is None:
        raise NotFound(f"GitHub has no project {ref} that this token can see")
    return project


def add_item(client: GitHub, project_id: str, content_id: str) -> tuple[str, datetime | None]:
    """Add an issue to a project (GitHub returns the item it has if it is there already)."""
    result = _run(client, ADD_MUTATION, {"project": project_id, "content": content_id})
    found = read_mutated_item(result.data, "addProjectV2ItemById")
    if found is None:
        raise BadAnswer(_refused("add the issue to the project", result))
    return found


@dataclass(frozen=True, slots=True)
class FieldChange:
    """A value to give one field of an item: an option id or ISO date, or None to clear it."""

    field_id: str
    value: str | None

    @property
    def action(self) -> Action:
        """Return whether the field is set or cleared."""
        return "clear" if self.value is None else "set"


def set_fields(
    client: GitHub,
    project_id: str,
    item_id: str,
    *,
    priority: FieldChange | None = None,
    due: FieldChange | None = None,
) -> datetime | None:
    """Set or clear an item's Priority and Due in one mutation; return the item's new time."""
    query = fields_mutation(priority.action if priority else None, due.action if due else None)
    variables: dict[str, Any] = {"project": project_id, "item": item_id}
    for name, change in (("priority", priority), ("due", due)):
        if change is None:
            continue
        variables[f"{name}Field"] = change.field_id
        if change.value is not None:
            variables[name] = change.value
    result = _run(client, query, variables)
    found = read_mutated_item(result.data, "priority", "due")
    if found is None:
        raise BadAnswer(_refused("set the project's fields", result))
    return found[1]


def item_pages(client: GitHub, project_id: str, where: str) -> Iterator[ItemsPage]:
    """Yield every page of a project's items with their field values, 100 a query."""
    cursor: str | None = None
    while True:
        result = _run(client, ITEMS_QUERY, {"project": project_id, "after": cursor})
        page = read_items_page(where, result.data)
        yield page
        if page.next_cursor is None or not page.items:
            return
        cursor = page.next_cursor


def _refused(what: str, result: GraphQLResult) -> str:
    said = next((str(e.get("message")) for e in result.errors if e.get("message")), None)
    return f"GitHub did not {what}" + (f": {said}" if said else "")
