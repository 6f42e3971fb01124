"""GraphQL for polling: fetch many issues by node id, and read GitHub's answers.

One query fetches up to MAX_FIELDS_PER_QUERY x MAX_IDS_PER_FIELD issues: `nodes(ids:)`
takes at most 100 ids, so several aliased `nodes` fields share a query. GitHub charges a
query by its connections: each issue asks for three (assignees, labels, closing pull
requests), so 100 issues cost 3 points and a full query of 500 costs 15. `rateLimit`
rides along for free and tells what the query really cost. Pull requests an item names
(rare) get queries of their own, with two connections each.

Everything here is pure: building query text and variables, and turning the answer into
RemoteIssue values, with a reason for every id that came back empty (deleted, hidden,
not an issue).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from followup.errors import InputError
from followup.github.issue_mapping import RemoteIssue
from followup.github.repos import normalise_repo

MAX_IDS_PER_FIELD = 100
MAX_FIELDS_PER_QUERY = 5
MAX_ASSIGNEES = 10
MAX_LABELS = 100
MAX_CLOSING_PRS = 5

ISSUE_FRAGMENT = f"""\
fragment FollowupIssue on Issue {{
  id
  number
  title
  url
  state
  stateReason
  createdAt
  updatedAt
  closedAt
  repository {{ nameWithOwner }}
  assignees(first: {MAX_ASSIGNEES}) {{ nodes {{ login }} }}
  labels(first: {MAX_LABELS}) {{ nodes {{ name }} }}
  closedByPullRequestsReferences(first: {MAX_CLOSING_PRS}, includeClosedPrs: true) {{
    nodes {{ state merged }}
  }}
}}
"""

PULL_FRAGMENT = f"""\
fragment FollowupPull on PullRequest {{
  id
  number
  title
  url
  state
  merged
  createdAt
  updatedAt
  closedAt
  repository {{ nameWithOwner }}
  assignees(first: {MAX_ASSIGNEES}) {{ nodes {{ login }} }}
  labels(first: {MAX_LABELS}) {{ nodes {{ name }} }}
}}
"""

# Why an id came back without an issue.
MISSING_NOT_FOUND = "not_found"  # deleted, or hidden from this token: GitHub does not say which
MISSING_FORBIDDEN = "forbidden"  # visible to GitHub's policy but refused (SAML, IP allow list)
MISSING_NOT_AN_ISSUE = "not_an_issue"  # the id names a pull request or something else


def _field(index: int) -> str:
    return f"b{index}"


def issues_query(fields: int, *, pulls: bool = False) -> str:
    """Return the query text that fetches `fields` batches of issues (or pull requests)."""
    if not 1 <= fields <= MAX_FIELDS_PER_QUERY:
        raise ValueError(f"a query holds 1 to {MAX_FIELDS_PER_QUERY} batches, not {fields}")
    # Pull requests get a query of their own: GitHub prices every connection a query
    # names, so one query with both fragments would cost more for every issue in it.
    fragment, spread, name = (
        (PULL_FRAGMENT, "FollowupPull", "FollowupPulls")
        if pulls
        else (ISSUE_FRAGMENT, "FollowupIssue", "FollowupIssues")
    )
    names = [_field(i) for i in range(fields)]
    params = ", ".join(f"${n}: [ID!]!" for n in names)
    selections = "\n".join(f"  {n}: nodes(ids: ${n}) {{ id ...{spread} }}" for n in names)
    return (
        f"query {name}({params}) {{\n"
        "  rateLimit { cost remaining resetAt }\n"
        f"{selections}\n"
        "}\n" + fragment
    )


# Every query text followup may send; tests validate each against GitHub's schema.
ISSUES_QUERIES: tuple[str, ...] = tuple(issues_query(n) for n in range(1, MAX_FIELDS_PER_QUERY + 1))
PULLS_QUERIES: tuple[str, ...] = tuple(
    issues_query(n, pulls=True) for n in range(1, MAX_FIELDS_PER_QUERY + 1)
)


@dataclass(frozen=True, slots=True)
class NodesQuery:
    """One query to send: its text, its variables and the ids it asks for, in order."""

    query: str
    variables: dict[str, list[str]]
    ids: tuple[str, ...]


def plan_queries(ids: Iterable[str], *, pulls: bool = False) -> list[NodesQuery]:
    """Split node ids into as few queries as GitHub's limits allow (duplicates dropped)."""
    texts = PULLS_QUERIES if pulls else ISSUES_QUERIES
    unique = list(dict.fromkeys(i for i in ids if i))
    per_query = MAX_IDS_PER_FIELD * MAX_FIELDS_PER_QUERY
    plans: list[NodesQuery] = []
    for start in range(0, len(unique), per_query):
        chunk = unique[start : start + per_query]
        batches = [
            chunk[i : i + MAX_IDS_PER_FIELD] for i in range(0, len(chunk), MAX_IDS_PER_FIELD)
        ]
        plans.append(
            NodesQuery(
                query=texts[len(batches) - 1],
                variables={_field(i): batch for i, batch in enumerate(batches)},
                ids=tuple(chunk),
            )
        )
    return plans


@dataclass(frozen=True, slots=True)
class FetchedNode:
    """What GitHub said about one node id: the issue, or why there is none."""

    node_id: str
    issue: RemoteIssue | None
    closing_pr_state: str | None = None  # merged / open / closed, None if no closing PR
    missing: str | None = None  # one of the MISSING_* reasons when issue is None
    message: str | None = None  # GitHub's words about a missing node


@dataclass(frozen=True, slots=True)
class NodesAnswer:
    """A parsed answer: one FetchedNode per id asked for, and the query's cost."""

    nodes: tuple[FetchedNode, ...]
    cost: int | None
    remaining: int | None
    reset_at: datetime | None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _names(connection: Any, key: str) -> tuple[str, ...]:
    if not isinstance(connection, Mapping):
        return ()
    return tuple(
        str(node[key])
        for node in connection.get("nodes") or ()
        if isinstance(node, Mapping) and node.get(key)
    )


def closing_pr_state(node: Mapping[str, Any]) -> str | None:
    """Return merged, open or closed for the pull requests that close an issue; None if none."""
    refs = node.get("closedByPullRequestsReferences")
    found = refs.get("nodes") if isinstance(refs, Mapping) else None
    pulls = [p for p in found or () if isinstance(p, Mapping) and p.get("state")]
    if not pulls:
        return None
    if any(p.get("merged") or p.get("state") == "MERGED" for p in pulls):
        return "merged"
    if any(p.get("state") == "OPEN" for p in pulls):
        return "open"
    return "closed"


def remote_issue_from_graphql(node: Mapping[str, Any]) -> RemoteIssue:
    """Convert an Issue (FollowupIssue) or PullRequest (FollowupPull) node to a RemoteIssue."""
    repository = node.get("repository") or {}
    name = repository.get("nameWithOwner") if isinstance(repository, Mapping) else None
    if not name:
        raise ValueError("the issue names no repository")
    is_pull = "merged" in node
    state = str(node.get("state") or "OPEN").lower()
    reason = node.get("stateReason")
    return RemoteIssue(
        repo=normalise_repo(str(name)),
        number=int(node["number"]),
        node_id=str(node["id"]),
        url=node.get("url"),
        title=str(node.get("title") or ""),
        # A pull request is OPEN, CLOSED or MERGED; merged ones are closed issues too.
        state="closed" if state == "merged" else state,
        state_reason=str(reason).lower() if reason else None,
        assignees=_names(node.get("assignees"), "login"),
        labels=_names(node.get("labels"), "name"),
        created_at=_time(node.get("createdAt")),
        updated_at=_time(node.get("updatedAt")),
        closed_at=_time(node.get("closedAt")),
        is_pull_request=is_pull,
        merged=bool(node.get("merged")),
    )


def _issue_or_none(node: Any) -> RemoteIssue | None:
    """Return the node as an issue, or None when it is not one (or not in its shape)."""
    if not isinstance(node, Mapping) or not isinstance(node.get("number"), int):
        return None
    try:
        return remote_issue_from_graphql(node)
    except (KeyError, TypeError, ValueError, InputError):
        return None


def _missing_reasons(errors: Sequence[Mapping[str, Any]]) -> dict[tuple[str, int], tuple[str, str]]:
    """Map (field, index) to (reason, message) from the errors GitHub put beside the data."""
    found: dict[tuple[str, int], tuple[str, str]] = {}
    for error in errors:
        path: Sequence[Any] = error.get("path") or ()
        if len(path) < 2 or not isinstance(path[0], str) or not isinstance(path[1], int):
            continue
        kind = str(error.get("type") or "")
        reason = MISSING_FORBIDDEN if kind == "FORBIDDEN" else MISSING_NOT_FOUND
        found[(path[0], path[1])] = (reason, str(error.get("message") or kind))
    return found


def parse_nodes_answer(
    plan: NodesQuery, data: Mapping[str, Any], errors: Sequence[Mapping[str, Any]] = ()
) -> NodesAnswer:
    """Return one FetchedNode per id of the plan, in the plan's order."""
    reasons = _missing_reasons(errors)
    nodes: list[FetchedNode] = []
    for name, ids in plan.variables.items():
        answer = data.get(name)
        values: Sequence[Any] = answer if isinstance(answer, list) else ()
        for index, node_id in enumerate(ids):
            node = values[index] if index < len(values) else None
            if node is None:
                reason, message = reasons.get((name, index), (MISSING_NOT_FOUND, "no answer"))
                nodes.append(FetchedNode(node_id, None, missing=reason, message=message))
                continue
            issue = _issue_or_none(node)
            if issue is None or not isinstance(node, Mapping):
                nodes.append(
                    FetchedNode(node_id, None, missing=MISSING_NOT_AN_ISSUE, message="not an issue")
                )
                continue
            nodes.append(FetchedNode(node_id, issue, closing_pr_state(node)))
    limit = data.get("rateLimit")
    limit = limit if isinstance(limit, Mapping) else {}
    cost = limit.get("cost")
    remaining = limit.get("remaining")
    return NodesAnswer(
        nodes=tuple(nodes),
        cost=int(cost) if isinstance(cost, int) else None,
        remaining=int(remaining) if isinstance(remaining, int) else None,
        reset_at=_time(limit.get("resetAt")),
    )
