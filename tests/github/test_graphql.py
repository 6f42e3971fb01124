"""The GraphQL followup sends is valid, batched within GitHub's limits, and read back right."""

from __future__ import annotations

import json
from typing import Any

import graphql
import pytest

from followup.github.graphql import (
    ISSUES_QUERIES,
    MAX_FIELDS_PER_QUERY,
    MAX_IDS_PER_FIELD,
    MISSING_FORBIDDEN,
    MISSING_NOT_AN_ISSUE,
    MISSING_NOT_FOUND,
    PULLS_QUERIES,
    closing_pr_state,
    issues_query,
    parse_nodes_answer,
    plan_queries,
    remote_issue_from_graphql,
)
from tests.contract.github_api import CASSETTES, Exchange, graphql_schema, load_exchanges
from tests.sync.world import ALERT, LOADTEST, RUNBOOK, SCRATCH, graphql_issue, rate_limit

# The cassettes of the sync tests, whose answers are checked against the schema too.
SYNC_CASSETTES = ("test_polling", "test_local_edits", "test_sync_cmd")


@pytest.mark.parametrize("query", ISSUES_QUERIES + PULLS_QUERIES)
def test_every_query_is_valid_against_githubs_schema(query: str) -> None:
    errors = graphql.validate(graphql_schema(), graphql.parse(query))
    assert [e.message for e in errors] == []


def test_a_query_holds_one_to_five_batches() -> None:
    assert issues_query(3).count("nodes(ids:") == 3
    with pytest.raises(ValueError, match="1 to 5"):
        issues_query(MAX_FIELDS_PER_QUERY + 1)


def test_ids_are_split_into_batches_of_100_and_queries_of_500() -> None:
    ids = [f"I_{n}" for n in range(1234)] + ["I_7", ""]  # a duplicate and an empty id

    plans = plan_queries(ids)

    assert [len(p.ids) for p in plans] == [500, 500, 234]
    assert all(len(batch) <= MAX_IDS_PER_FIELD for p in plans for batch in p.variables.values())
    assert [len(p.variables) for p in plans] == [5, 5, 3]
    assert plans[2].query == ISSUES_QUERIES[2]
    assert [i for p in plans for i in p.ids] == [f"I_{n}" for n in range(1234)]
    assert plan_queries([]) == []
    assert plan_queries(["PR_1"], pulls=True)[0].query == PULLS_QUERIES[0]


def _answer_errors(query: str, variables: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """Execute the query on GitHub's schema with the answer as data; report any mismatch."""

    def resolve(source: Any, info: Any, **args: Any) -> Any:
        return source.get(info.path.key) if isinstance(source, dict) else None

    def type_of(value: Any, info: Any, abstract: Any) -> str:
        return "PullRequest" if str(value.get("id", "")).startswith("PR_") else "Issue"

    result = graphql.execute_sync(
        graphql_schema(),
        graphql.parse(query),
        root_value=data,
        variable_values=variables,
        field_resolver=resolve,
        type_resolver=type_of,
    )
    errors = [e.message for e in result.errors or ()]
    if not errors and result.data != data:
        errors.append("the answer holds fields the query does not select")
    return errors


def _sync_graphql_exchanges() -> list[Exchange]:
    found: list[Exchange] = []
    for name in SYNC_CASSETTES:
        if (CASSETTES / name).is_dir():
            found.extend(e for e in load_exchanges(CASSETTES / name) if e.is_graphql)
    return found


@pytest.mark.parametrize("exchange", _sync_graphql_exchanges(), ids=lambda e: e.name)
def test_recorded_answers_have_exactly_the_schemas_shape(exchange: Exchange) -> None:
    request = json.loads(exchange.request_body or b"{}")
    answer = json.loads(exchange.response_body)
    assert _answer_errors(request["query"], request["variables"], answer["data"]) == []


def test_the_shape_check_catches_a_wrong_answer() -> None:
    (plan,) = plan_queries(["I_1"])
    node = graphql_issue(ALERT)
    good = {"rateLimit": rate_limit(), "b0": [node]}
    assert _answer_errors(plan.query, plan.variables, good) == []
    bad_state = {"rateLimit": rate_limit(), "b0": [{**node, "state": "open"}]}
    assert _answer_errors(plan.query, plan.variables, bad_state) != []
    extra = {"rateLimit": rate_limit(), "b0": [{**node, "body": "x"}]}
    assert _answer_errors(plan.query, plan.variables, extra) != []


def test_an_answer_is_read_in_the_order_of_the_ids_with_a_reason_for_each_gap() -> None:
    ids = ["I_a", "I_b", "I_c", "I_d"]
    (plan,) = plan_queries(ids)
    data = {
        "rateLimit": rate_limit(3),
        "b0": [
            graphql_issue(
                ALERT, state="CLOSED", state_reason="NOT_PLANNED", closed_at="2026-11-20T09:15:00Z"
            ),
            None,
            None,
            {"id": "I_d"},  # a node that is not an issue
        ],
    }
    errors = [
        {"type": "NOT_FOUND", "path": ["b0", 1], "message": "Could not resolve to a node"},
        {"type": "FORBIDDEN", "path": ["b0", 2], "message": "Resource protected by SAML"},
    ]

    answer = parse_nodes_answer(plan, data, errors)

    assert [n.node_id for n in answer.nodes] == ids
    first = answer.nodes[0].issue
    assert first is not None
    assert (first.repo, first.number, first.state, first.state_reason) == (
        SCRATCH,
        12,
        "closed",
        "not_planned",
    )
    assert first.assignees == ("alice",)
    assert (
        first.closed_at is not None and first.closed_at.isoformat() == "2026-11-20T09:15:00+00:00"
    )
    assert [n.missing for n in answer.nodes] == [
        None,
        MISSING_NOT_FOUND,
        MISSING_FORBIDDEN,
        MISSING_NOT_AN_ISSUE,
    ]
    assert answer.nodes[2].message == "Resource protected by SAML"
    assert answer.cost == 3 and answer.remaining == 4996


def test_a_transferred_issue_names_its_new_repository() -> None:
    node = graphql_issue(LOADTEST, repo="Octo-Org/Archive", number=3)
    issue = remote_issue_from_graphql(node)
    assert (issue.repo, issue.number) == ("octo-org/archive", 3)
    assert issue.ref == "Octo-Org/Archive#3"


def test_a_pull_request_node_is_read_as_one() -> None:
    node = {
        "id": "PR_kwDOA1",
        "number": 31,
        "title": "Fix the broker",
        "url": "https://github.com/octo-org/followup-scratch/pull/31",
        "state": "MERGED",
        "merged": True,
        "createdAt": "2026-11-02T10:00:00Z",
        "updatedAt": "2026-11-03T10:00:00Z",
        "closedAt": "2026-11-03T10:00:00Z",
        "repository": {"nameWithOwner": SCRATCH},
        "assignees": {"nodes": []},
        "labels": {"nodes": []},
    }
    pull = remote_issue_from_graphql(node)
    assert pull.is_pull_request and pull.merged and pull.state == "closed"
    assert pull.pull_request_state == "merged"


@pytest.mark.parametrize(
    ("prs", "expected"),
    [
        ([], None),
        ([("CLOSED", False)], "closed"),
        ([("CLOSED", False), ("OPEN", False)], "open"),
        ([("OPEN", False), ("MERGED", True)], "merged"),
    ],
)
def test_the_closing_pull_requests_sum_up_to_one_state(
    prs: list[tuple[str, bool]], expected: str | None
) -> None:
    assert closing_pr_state(graphql_issue(RUNBOOK, closing_prs=prs)) == expected
