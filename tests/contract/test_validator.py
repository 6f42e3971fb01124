"""The contract checks themselves catch what they are meant to catch."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from openapi_core.exceptions import OpenAPIError

from followup.github.project_mapping import fields_mutation
from tests.contract.github_api import (
    Exchange,
    error_reply_problems,
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


# -- the replies GitHub's description does not list for an operation ---------------------

DOCS = "https://docs.github.com/rest"


def reply(status: int, answer: object = None, **headers: str) -> Exchange:
    sent = exchange("GET", "/repos/o/r/issues", status=status, answer=answer)
    return replace(sent, response_headers={**sent.response_headers, **headers})


def test_a_304_is_empty_and_answers_a_conditional_request() -> None:
    conditional = replace(reply(304), request_headers={"If-None-Match": 'W/"abc"'})
    assert error_reply_problems(conditional) == []
    assert error_reply_problems(reply(304)) == [
        "a 304 answers only a conditional request (If-None-Match...)"
    ]
    with_body = replace(conditional, response_body=b'{"message": "Not Modified"}')
    assert error_reply_problems(with_body) == ["a 304 has no body"]


def test_a_redirect_names_where_to_go() -> None:
    moved = replace(reply(301), response_body=b"<html><body>Moved</body></html>")
    assert error_reply_problems(moved) == ["a 301 names an absolute https URL in Location"]
    there = {**moved.response_headers, "Location": "https://ghe.example.com/api/v3/user"}
    assert error_reply_problems(replace(moved, response_headers=there)) == []


def test_an_error_carries_githubs_error_object() -> None:
    ok = {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"}
    assert error_reply_problems(reply(401, ok)) == []
    assert error_reply_problems(reply(502)) == []  # a gateway's, with nothing to say
    assert error_reply_problems(reply(401)) == ["a 401 from GitHub says why in its body"]
    assert error_reply_problems(reply(410, {"error": "gone"})) == [
        "GitHub's error object has a message",
        "GitHub's error object links its documentation",
    ]
    assert error_reply_problems(reply(401, {**ok, "status": 401})) == [
        "401 is not of type 'string'"
    ]


def test_rate_limits_look_like_githubs() -> None:
    primary = {"message": "API rate limit exceeded for user ID 1.", "documentation_url": DOCS}
    assert error_reply_problems(reply(403, primary, **{"X-RateLimit-Remaining": "0"})) == []
    assert error_reply_problems(reply(403, primary, **{"X-RateLimit-Remaining": "4999"})) == [
        "a primary rate limit reply says X-RateLimit-Remaining: 0"
    ]
    secondary = {"message": "You have exceeded a secondary rate limit.", "documentation_url": DOCS}
    assert error_reply_problems(reply(429, secondary)) == []
    assert error_reply_problems(reply(500, secondary)) == [
        "a secondary rate limit is a 403 or a 429"
    ]


def test_replay_matches_requests_on_their_conditional_headers() -> None:
    """A poll that stops sending If-None-Match must not find its recorded 304."""
    from vcr.request import Request

    from tests.conftest import matched_headers, vcr_config

    url = "https://api.github.com/repos/o/r/issues"
    recorded = Request("GET", url, None, {"If-None-Match": 'W/"abc"'})
    matched_headers(Request("GET", url, None, {"if-none-match": 'W/"abc"'}), recorded)
    for sent in ({}, {"If-None-Match": 'W/"old"'}, {"If-Modified-Since": "x"}):
        with pytest.raises(AssertionError):
            matched_headers(Request("GET", url, None, sent), recorded)
    assert "matched_headers" in vcr_config.__wrapped__()["match_on"]  # type: ignore[attr-defined]


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
