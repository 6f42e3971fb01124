"""The contract checks themselves catch what they are meant to catch."""

from __future__ import annotations

import json

import pytest
from openapi_core.exceptions import OpenAPIError

from followup.github.project_mapping import fields_mutation
from tests.contract.github_api import (
    Exchange,
    graphql_answer_errors,
    graphql_errors,
    graphql_variable_errors,
    validate_request,
    validate_response,
)


def exchange(
    method: str, path: str, body: object = None, status: int = 200, answer: object = None
) -> Exchange:
    return Exchange(
        cassette="inline",
        index=0,
        method=method,
        uri=f"https://api.github.com{path}",
        request_headers={"Accept": "application/vnd.github+json"},
        request_body=json.dumps(body).encode() if body is not None else None,
        status=status,
        response_headers={"Content-Type": "application/json"},
        response_body=json.dumps(answer).encode() if answer is not None else b"",
    )


def test_a_valid_issue_creation_passes() -> None:
    validate_request(
        exchange("POST", "/repos/o/r/issues", {"title": "Protect gh-pages", "labels": ["followup"]})
    )


def test_an_issue_without_a_title_is_rejected() -> None:
    with pytest.raises(OpenAPIError):
        validate_request(exchange("POST", "/repos/o/r/issues", {"body": "no title"}))


def test_protection_with_null_for_a_non_nullable_boolean_is_rejected() -> None:
    body = {
        "required_status_checks": None,
        "enforce_admins": None,
        "required_pull_request_reviews": None,
        "restrictions": None,
        "allow_deletions": None,
    }
    with pytest.raises(OpenAPIError):
        validate_request(exchange("PUT", "/repos/o/r/branches/main/protection", body))


def test_an_endpoint_followup_does_not_use_is_rejected() -> None:
    with pytest.raises(OpenAPIError):
        validate_request(exchange("DELETE", "/repos/o/r"))


def test_a_closed_issue_with_a_null_state_reason_is_a_valid_response() -> None:
    # GitHub's description lists no null in the enum; the vendored copy adds it.
    issue = json.loads(
        (__import__("pathlib").Path(__file__).parent / "github-openapi.json").read_text()
    )["components"]["examples"]["issue"]["value"]
    issue = {**issue, "state_reason": None}
    validate_response(exchange("GET", "/repos/o/r/issues/1", status=200, answer=issue))


def test_a_wrong_shape_is_rejected() -> None:
    with pytest.raises(OpenAPIError):
        validate_response(
            exchange("GET", "/repos/o/r/issues/1", status=200, answer={"number": "one"})
        )


def test_graphql_validation_reports_unknown_fields() -> None:
    good = exchange(
        "POST",
        "/graphql",
        {"query": "query($ids:[ID!]!){nodes(ids:$ids){id ... on Issue{number state}}}"},
    )
    bad = exchange("POST", "/graphql", {"query": "query{viewer{loginz}}"})
    assert graphql_errors(good) == []
    assert graphql_errors(bad)


def test_graphql_variables_are_checked_against_the_querys_types() -> None:
    query = fields_mutation(None, "set")

    def sent(variables: dict[str, object]) -> list[str]:
        return graphql_variable_errors(
            exchange("POST", "/graphql", {"query": query, "variables": variables})
        )

    good: dict[str, object] = {
        "project": "PVT_1",
        "item": "PVTI_1",
        "dueField": "PVTF_1",
        "due": "2026-11-08",
    }
    assert sent(good) == []
    assert sent({k: v for k, v in good.items() if k != "due"})  # a required one missing
    assert sent({**good, "item": 12.5})  # not an ID
    assert sent({**good, "priority": "P0"}) == ["$priority is sent but not declared"]
    noted = "2026-11-08 (the due-date policy's deadline for P0)"
    assert sent({**good, "due": noted}) == [f"$due is not an ISO date: {noted!r}"]


PROJECT_ITEM = (
    "query($id: ID!) { node(id: $id) { __typename ... on ProjectV2 { title items(first: 1) "
    "{ nodes { id content { __typename ... on Issue { number } } } } } } }"
)


def project_answer(**changes: object) -> dict[str, object]:
    item = {"id": "PVTI_1", "content": {"__typename": "Issue", "number": 12}}
    node: dict[str, object] = {"__typename": "ProjectV2", "title": "Follow-ups"}
    node["items"] = {"nodes": [{**item, **changes}]}
    return {"data": {"node": node}}


def test_a_graphql_answer_in_the_querys_shape_passes() -> None:
    asked = {"query": PROJECT_ITEM, "variables": {"id": "PVT_1"}}
    assert graphql_answer_errors(exchange("POST", "/graphql", asked, answer=project_answer())) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"id": None}, "null where ID! is due"),
        ({"content": {"__typename": "Issue", "number": "12"}}, "'12' is not a Int"),
        ({"content": {"__typename": "Issue"}}, "number: missing"),
        ({"content": {"__typename": "Team", "number": 1}}, "Team is not a ProjectV2ItemContent"),
        ({"extra": 1}, "extra: not asked for"),
    ],
)
def test_a_graphql_answer_not_in_the_querys_shape_is_rejected(
    change: dict[str, object], problem: str
) -> None:
    asked = {"query": PROJECT_ITEM, "variables": {"id": "PVT_1"}}
    found = graphql_answer_errors(
        exchange("POST", "/graphql", asked, answer=project_answer(**change))
    )
    assert any(problem in p for p in found), found
