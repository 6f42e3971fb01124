"""GitHub Projects (v2) in GraphQL: project references, query texts, and reading the answers.

A project is named as gh names it: `OWNER/NUMBER` (an organisation's or a user's), or
its page's URL. followup sets two of its fields, found by name whatever their case:
Priority, a single select whose options are matched to P0…P3 by name, and Due, a date.
It creates neither fields nor options.

Every query and mutation text followup may send is a constant here (or one of the few
combinations of MUTATIONS), so that the contract tests validate each against GitHub's
schema. Everything here is pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import product
from typing import Any, Literal

from followup.project_ref import ProjectRef

PRIORITY_FIELD = "Priority"
DUE_FIELD = "Due"
MAX_FIELDS = 50
ITEMS_PER_PAGE = 100

_FIELDS = f"""\
fields(first: {MAX_FIELDS}) {{
      nodes {{
        __typename
        ... on ProjectV2FieldCommon {{ id name dataType }}
        ... on ProjectV2SingleSelectField {{ options {{ id name }} }}
      }}
    }}"""

PROJECT_QUERY = f"""\
query FollowupProject($owner: String!, $number: Int!) {{
  rateLimit {{ cost remaining resetAt }}
  repositoryOwner(login: $owner) {{
    __typename
    ... on ProjectV2Owner {{
      projectV2(number: $number) {{
        id
        title
        url
        closed
        {_FIELDS}
      }}
    }}
  }}
}}
"""

ITEMS_QUERY = f"""\
query FollowupProjectItems($project: ID!, $after: String) {{
  rateLimit {{ cost remaining resetAt }}
  node(id: $project) {{
    __typename
    ... on ProjectV2 {{
      {_FIELDS}
      items(first: {ITEMS_PER_PAGE}, after: $after) {{
        pageInfo {{ hasNextPage endCursor }}
        nodes {{
          id
          updatedAt
          isArchived
          content {{ __typename ... on Issue {{ id }} }}
          fieldValues(first: {MAX_FIELDS}) {{
            nodes {{
              __typename
              ... on ProjectV2ItemFieldSingleSelectValue {{
                name
                optionId
                field {{ ... on ProjectV2FieldCommon {{ id }} }}
              }}
              ... on ProjectV2ItemFieldDateValue {{
                date
                field {{ ... on ProjectV2FieldCommon {{ id }} }}
              }}
            }}
          }}
        }}
      }}
    }}
  }}
}}
"""

ADD_MUTATION = """\
mutation FollowupAddToProject($project: ID!, $content: ID!) {
  addProjectV2ItemById(input: {projectId: $project, contentId: $content}) {
    item { id updatedAt }
  }
}
"""

Action = Literal["set", "clear"]
FieldName = Literal["priority", "due"]
_VALUE_TYPE: dict[FieldName, tuple[str, str]] = {
    "priority": ("String!", "singleSelectOptionId"),
    "due": ("Date!", "date"),
}


def fields_mutation(priority: Action | None, due: Action | None) -> str:
    """Return the mutation that sets or clears Priority and/or Due of one project item."""
    asked: tuple[tuple[FieldName, Action | None], ...] = (("priority", priority), ("due", due))
    wanted = [(name, action) for name, action in asked if action is not None]
    if not wanted:
        raise ValueError("a fields mutation changes at least one field")
    params = ["$project: ID!", "$item: ID!"]
    parts = []
    for name, action in wanted:
        params.append(f"${name}Field: ID!")
        target = f"projectId: $project, itemId: $item, fieldId: ${name}Field"
        if action == "set":
            kind, key = _VALUE_TYPE[name]
            params.append(f"${name}: {kind}")
            call = f"updateProjectV2ItemFieldValue(input: {{{target}, value: {{{key}: ${name}}}}})"
        else:
            call = f"clearProjectV2ItemFieldValue(input: {{{target}}})"
        parts.append(f"  {name}: {call} {{\n    projectV2Item {{ id updatedAt }}\n  }}")
    return (
        f"mutation FollowupSetProjectFields({', '.join(params)}) {{\n" + "\n".join(parts) + "\n}\n"
    )


# Every mutation text that sets fields; the tests validate each against the schema.
_ACTIONS: tuple[Action | None, ...] = (None, "set", "clear")
FIELDS_MUTATIONS: tuple[str, ...] = tuple(
    fields_mutation(p, d) for p, d in product(_ACTIONS, repeat=2) if p is not None or d is not None
)


# -- answers --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProjectField:
    """A field followup sets: its id, its name as the project spells it, and its options."""

    id: str
    name: str
    options: Mapping[str, str] = field(default_factory=dict)  # option name -> id

    def to_json(self) -> dict[str, Any]:
        """Return the field as the store keeps it."""
        return {"id": self.id, "name": self.name, "options": dict(self.options)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> ProjectField | None:
        """Return a stored field, or None."""
        if not data or not isinstance(data.get("id"), str):
            return None
        options = data.get("options") or {}
        return cls(str(data["id"]), str(data.get("name") or ""), dict(options))

    def option(self, priority: str) -> str | None:
        """Return the id of the option named like a priority (P1 matches p1), or None."""
        for name, option_id in self.options.items():
            if name.strip().casefold() == priority.casefold():
                return option_id
        return None


@dataclass(frozen=True, slots=True)
class ProjectFields:
    """The Priority and Due fields of a project, and what is wrong with them."""

    priority: ProjectField | None
    due: ProjectField | None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Project:
    """A project as followup needs it."""

    id: str
    ref: ProjectRef
    title: str
    url: str | None
    closed: bool
    fields: ProjectFields


class ProjectShapeError(ValueError):
    """An answer does not have the shape of the project query's."""


def _nodes(connection: Any) -> list[Mapping[str, Any]]:
    if not isinstance(connection, Mapping):
        return []
    return [n for n in connection.get("nodes") or () if isinstance(n, Mapping)]


def read_fields(connection: Any, where: str) -> ProjectFields:
    """Find Priority (single select) and Due (date) among a project's fields."""
    found: dict[str, Mapping[str, Any]] = {}
    for each in _nodes(connection):
        name = each.get("name")
        if isinstance(name, str) and isinstance(each.get("id"), str):
            found.setdefault(name.strip().casefold(), each)
    problems = []
    priority = due = None
    node = found.get(PRIORITY_FIELD.casefold())
    if node is None:
        problems.append(f"{where} has no {PRIORITY_FIELD} field; priorities are not set there")
    elif node.get("dataType") != "SINGLE_SELECT":
        problems.append(
            f"{where}: its {node['name']} field is not a single select; priorities are not set"
        )
    else:
        options = {
            str(o["name"]): str(o["id"])
            for o in node.get("options") or ()
            if isinstance(o, Mapping) and o.get("name") and o.get("id")
        }
        priority = ProjectField(str(node["id"]), str(node["name"]), options)
    node = found.get(DUE_FIELD.casefold())
    if node is None:
        problems.append(f"{where} has no {DUE_FIELD} field; due dates are not set there")
    elif node.get("dataType") != "DATE":
        problems.append(f"{where}: its {node['name']} field is not a date; due dates are not set")
    else:
        due = ProjectField(str(node["id"]), str(node["name"]))
    return ProjectFields(priority, due, tuple(problems))


def read_project(ref: ProjectRef, data: Mapping[str, Any]) -> Project | None:
    """Return the project in an answer to PROJECT_QUERY, or None when there is none."""
    owner = data.get("repositoryOwner")
    node = owner.get("projectV2") if isinstance(owner, Mapping) else None
    if not isinstance(node, Mapping):
        return None
    if not isinstance(node.get("id"), str):
        raise ProjectShapeError("the project has no id")
    return Project(
        id=str(node["id"]),
        ref=ref,
        title=str(node.get("title") or ""),
        url=node.get("url") if isinstance(node.get("url"), str) else None,
        closed=bool(node.get("closed")),
        fields=read_fields(node.get("fields"), f"project {ref}"),
    )


@dataclass(frozen=True, slots=True)
class ProjectItem:
    """One item of a project as a poll reads it: the issue and its field values by field id."""

    id: str
    issue_node_id: str | None  # None for drafts and pull requests
    updated_at: datetime | None
    archived: bool
    values: Mapping[str, str]  # field id -> option name or ISO date


@dataclass(frozen=True, slots=True)
class ItemsPage:
    """One page of a project's items, with the project's fields as they are now."""

    items: tuple[ProjectItem, ...]
    fields: ProjectFields
    next_cursor: str | None
    cost: int | None
    found: bool = True


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _item(node: Mapping[str, Any]) -> ProjectItem | None:
    if not isinstance(node.get("id"), str):
        return None
    content = node.get("content")
    issue_id = None
    if isinstance(content, Mapping) and content.get("__typename") == "Issue":
        issue_id = content.get("id") if isinstance(content.get("id"), str) else None
    values: dict[str, str] = {}
    for value in _nodes(node.get("fieldValues")):
        target = value.get("field")
        field_id = target.get("id") if isinstance(target, Mapping) else None
        if not isinstance(field_id, str):
            continue
        if value.get("__typename") == "ProjectV2ItemFieldSingleSelectValue" and value.get("name"):
            values[field_id] = str(value["name"])
        elif value.get("__typename") == "ProjectV2ItemFieldDateValue" and value.get("date"):
            values[field_id] = str(value["date"])
    return ProjectItem(
        id=str(node["id"]),
        issue_node_id=issue_id,
        updated_at=_time(node.get("updatedAt")),
        archived=bool(node.get("isArchived")),
        values=values,
    )


def read_items_page(where: str, data: Mapping[str, Any]) -> ItemsPage:
    """Return one page of an answer to ITEMS_QUERY."""
    limit = data.get("rateLimit")
    cost = limit.get("cost") if isinstance(limit, Mapping) else None
    cost = cost if isinstance(cost, int) else None
    node = data.get("node")
    if not isinstance(node, Mapping) or "items" not in node:
        return ItemsPage((), ProjectFields(None, None), None, cost, found=False)
    items = node.get("items")
    page = items.get("pageInfo") if isinstance(items, Mapping) else None
    cursor = None
    if isinstance(page, Mapping) and page.get("hasNextPage") and page.get("endCursor"):
        cursor = str(page["endCursor"])
    read = [_item(n) for n in _nodes(items)]
    return ItemsPage(
        items=tuple(i for i in read if i is not None),
        fields=read_fields(node.get("fields"), where),
        next_cursor=cursor,
        cost=cost,
    )


def read_mutated_item(data: Mapping[str, Any], *keys: str) -> tuple[str, datetime | None] | None:
    """Return the item id and time a mutation answered with (the first key that has one)."""
    for key in keys:
        payload = data.get(key)
        if not isinstance(payload, Mapping):
            continue
        for name in ("item", "projectV2Item"):
            node = payload.get(name)
            if isinstance(node, Mapping) and isinstance(node.get("id"), str):
                return str(node["id"]), _time(node.get("updatedAt"))
    return None


def due_value(value: str | None) -> date | None:
    """Return a project's Due value as a date (it is always an ISO date), or None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def option_priority(name: str | None, priorities: Sequence[str]) -> str | None:
    """Return the priority an option's name stands for (P0…P3), or None for another name."""
    if not name:
        return None
    value = name.strip().upper()
    return value if value in priorities else None
