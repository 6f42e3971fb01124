"""GitHub Projects (v2): references, query texts and answers, no network."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import graphql
import pytest

from followup.errors import InputError
from followup.github.project_mapping import (
    ADD_MUTATION,
    FIELDS_MUTATIONS,
    ITEMS_QUERY,
    PROJECT_QUERY,
    fields_mutation,
    option_priority,
    read_items_page,
    read_mutated_item,
    read_project,
)
from followup.project_ref import ProjectRef, parse_project
from tests.contract.github_api import graphql_schema

REF = ProjectRef("octo-org", 5)


def field(name: str, kind: str, node_id: str, options: list[str] | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {
        "__typename": "ProjectV2SingleSelectField" if options is not None else "ProjectV2Field",
        "id": node_id,
        "name": name,
        "dataType": kind,
    }
    if options is not None:
        node["options"] = [{"id": f"opt-{o}", "name": o} for o in options]
    return node


def project_answer(*fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "repositoryOwner": {
            "__typename": "Organization",
            "projectV2": {
                "id": "PVT_kwDOA",
                "title": "Incident follow-ups",
                "url": "https://github.com/orgs/octo-org/projects/5",
                "closed": False,
                "fields": {"nodes": list(fields)},
            },
        }
    }


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("octo-org/5", ProjectRef("octo-org", 5)),
        (" octocat/12 ", ProjectRef("octocat", 12)),
        ("octo-org/projects/5", ProjectRef("octo-org", 5)),
        ("https://github.com/orgs/octo-org/projects/5", ProjectRef("octo-org", 5)),
        ("https://github.com/users/octocat/projects/3/views/1", ProjectRef("octocat", 3)),
    ],
)
def test_a_project_is_named_as_gh_names_it(text: str, ref: ProjectRef) -> None:
    assert parse_project(text) == ref


@pytest.mark.parametrize("text", ["octo-org", "5", "octo-org/five", "octo-org/0", "a/b/c", ""])
def test_anything_else_is_refused_in_one_line(text: str) -> None:
    with pytest.raises(InputError, match=r"^not a GitHub project: .* \(expected OWNER/NUMBER"):
        parse_project(text)


def test_every_text_followup_sends_is_valid_against_githubs_schema() -> None:
    texts = [PROJECT_QUERY, ITEMS_QUERY, ADD_MUTATION, *FIELDS_MUTATIONS]
    assert len(FIELDS_MUTATIONS) == 8
    for text in texts:
        assert graphql.validate(graphql_schema(), graphql.parse(text)) == []


def test_a_fields_mutation_sets_and_clears_what_it_is_asked_to() -> None:
    both = fields_mutation("set", "clear")
    assert "priority: updateProjectV2ItemFieldValue" in both
    assert "value: {singleSelectOptionId: $priority}" in both
    assert "due: clearProjectV2ItemFieldValue" in both
    assert "$due:" not in both
    assert "due:" not in fields_mutation("set", None)
    with pytest.raises(ValueError, match="at least one field"):
        fields_mutation(None, None)


def test_priority_and_due_are_found_by_name_whatever_their_case() -> None:
    project = read_project(
        REF,
        project_answer(
            field("Status", "SINGLE_SELECT", "F1", ["Todo", "Done"]),
            field("priority", "SINGLE_SELECT", "F2", ["P0", "P1", "p2", "High"]),
            field("DUE", "DATE", "F3"),
        ),
    )
    assert project is not None
    assert (project.id, project.title, project.closed) == (
        "PVT_kwDOA",
        "Incident follow-ups",
        False,
    )
    priority = project.fields.priority
    assert priority is not None and (priority.id, priority.name) == ("F2", "priority")
    assert priority.option("P2") == "opt-p2"
    assert priority.option("P3") is None
    assert project.fields.due is not None and project.fields.due.id == "F3"
    assert project.fields.problems == ()


def test_missing_or_mistyped_fields_are_problems_not_creations() -> None:
    project = read_project(REF, project_answer(field("Priority", "TEXT", "F2")))
    assert project is not None
    assert project.fields.priority is None and project.fields.due is None
    assert project.fields.problems == (
        "project octo-org/5: its Priority field is not a single select; priorities are not set",
        "project octo-org/5 has no Due field; due dates are not set there",
    )


def test_no_project_is_none() -> None:
    assert read_project(REF, {"repositoryOwner": None}) is None
    assert read_project(REF, {"repositoryOwner": {"__typename": "User", "projectV2": None}}) is None


def item_node(
    node_id: str, content: dict[str, Any] | None, *values: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": node_id,
        "updatedAt": "2026-11-21T08:30:00Z",
        "isArchived": False,
        "content": content,
        "fieldValues": {"nodes": list(values)},
    }


def test_a_page_of_items_gives_each_issues_values_by_field_id() -> None:
    data = {
        "rateLimit": {"cost": 1, "remaining": 4999, "resetAt": "2027-01-01T00:00:00Z"},
        "node": {
            "__typename": "ProjectV2",
            "fields": {"nodes": [field("Priority", "SINGLE_SELECT", "F2", ["P1"])]},
            "items": {
                "pageInfo": {"hasNextPage": True, "endCursor": "Y3Vyc29yOjEwMA=="},
                "nodes": [
                    item_node(
                        "PVTI_1",
                        {"__typename": "Issue", "id": "I_1"},
                        {
                            "__typename": "ProjectV2ItemFieldSingleSelectValue",
                            "name": "P1",
                            "optionId": "opt-P1",
                            "field": {"id": "F2"},
                        },
                        {
                            "__typename": "ProjectV2ItemFieldDateValue",
                            "date": "2026-12-15",
                            "field": {"id": "F3"},
                        },
                        {"__typename": "ProjectV2ItemFieldTextValue"},
                    ),
                    item_node("PVTI_2", {"__typename": "DraftIssue"}),
                ],
            },
        },
    }
    page = read_items_page("project octo-org/5", data)
    assert page.next_cursor == "Y3Vyc29yOjEwMA==" and page.cost == 1 and page.found
    first, draft = page.items
    assert first.issue_node_id == "I_1"
    assert first.values == {"F2": "P1", "F3": "2026-12-15"}
    assert first.updated_at == datetime(2026, 11, 21, 8, 30, tzinfo=UTC)
    assert draft.issue_node_id is None
    assert read_items_page("project octo-org/5", {"node": None}).found is False


def test_a_mutations_answer_names_the_item() -> None:
    data = {"addProjectV2ItemById": {"item": {"id": "PVTI_9", "updatedAt": "2026-11-21T09:00:00Z"}}}
    assert read_mutated_item(data, "addProjectV2ItemById") == (
        "PVTI_9",
        datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
    )
    assert read_mutated_item({"priority": None}, "priority") is None


def test_an_option_stands_for_a_priority_only_when_named_like_one() -> None:
    assert option_priority(" p1 ", ("P0", "P1")) == "P1"
    assert option_priority("High", ("P0", "P1")) is None
    assert option_priority(None, ("P0",)) is None
