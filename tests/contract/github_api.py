"""Check HTTP exchanges against GitHub's OpenAPI description and GraphQL schema."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import graphql
import requests
import yaml
from graphql.execution.values import get_variable_values
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

HERE = Path(__file__).resolve().parent
CASSETTES = HERE.parent / "cassettes"
GITHUB = "https://api.github.com"


@dataclass(frozen=True)
class Exchange:
    """One recorded request and its response."""

    cassette: str
    index: int
    method: str
    uri: str
    request_headers: dict[str, str]
    request_body: bytes | None
    status: int
    response_headers: dict[str, str]
    response_body: bytes

    @property
    def name(self) -> str:
        """Return a readable id for test reports."""
        return f"{self.cassette}#{self.index} {self.method} {urlsplit(self.uri).path}"

    @property
    def is_graphql(self) -> bool:
        """Tell whether the exchange is a GraphQL query."""
        return urlsplit(self.uri).path.endswith("/graphql")


@cache
def openapi() -> OpenAPI:
    """Return the vendored, trimmed OpenAPI description."""
    spec = json.loads((HERE / "github-openapi.json").read_text(encoding="utf-8"))
    return OpenAPI.from_dict(spec)


@cache
def graphql_schema() -> graphql.GraphQLSchema:
    """Return GitHub's GraphQL schema from the vendored introspection result."""
    with gzip.open(HERE / "github-graphql-schema.json.gz", "rt", encoding="utf-8") as fh:
        introspection = json.load(fh)
    return graphql.build_client_schema(introspection, assume_valid=True)


def _flat(headers: dict[str, Any]) -> dict[str, str]:
    return {k: v[0] if isinstance(v, list) else str(v) for k, v in (headers or {}).items()}


def _bytes(body: Any) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, dict):
        body = body.get("string")
    if body is None:
        return None
    return body if isinstance(body, bytes) else str(body).encode()


def load_exchanges(root: Path = CASSETTES) -> Iterator[Exchange]:
    """Yield every exchange of every cassette under root."""
    for path in sorted(root.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for index, interaction in enumerate(data.get("interactions") or ()):
            req, resp = interaction["request"], interaction["response"]
            yield Exchange(
                cassette=str(path.relative_to(root)),
                index=index,
                method=req["method"].upper(),
                uri=req["uri"],
                request_headers=_flat(req.get("headers") or {}),
                request_body=_bytes(req.get("body")),
                status=int(resp["status"]["code"]),
                response_headers=_flat(resp.get("headers") or {}),
                response_body=_bytes(resp.get("body")) or b"",
            )


def _as_github_url(uri: str) -> str:
    """Map an Enterprise Server URL (https://host/api/v3/...) onto api.github.com's."""
    parts = urlsplit(uri)
    path = parts.path
    if path.startswith("/api/v3/"):
        path = path.removeprefix("/api/v3")
    # GitHub's Link headers page through /repositories/{id}/..., and its redirects of a
    # renamed repository point there: an alias of /repos/{owner}/{repo}/... that its
    # description does not list.
    if path.startswith("/repositories/"):
        rest = path.split("/", 3)[3:]
        path = "/".join(["/repos/owner/repo", *rest])
    return urlunsplit(("https", "api.github.com", path, parts.query, ""))


def _request(exchange: Exchange) -> RequestsOpenAPIRequest:
    headers = {k: v for k, v in exchange.request_headers.items() if k.lower() != "authorization"}
    if exchange.request_body is not None:
        headers.setdefault("Content-Type", "application/json")
    prepared = requests.Request(
        exchange.method,
        _as_github_url(exchange.uri),
        headers=headers,
        data=exchange.request_body,
    ).prepare()
    return RequestsOpenAPIRequest(prepared)


def validate_request(exchange: Exchange) -> None:
    """Raise if the request does not follow GitHub's description."""
    openapi().validate_request(_request(exchange))


def documented_statuses(exchange: Exchange) -> set[str]:
    """Return the response codes GitHub documents for the exchange's operation."""
    request = _request(exchange)
    spec = json.loads((HERE / "github-openapi.json").read_text(encoding="utf-8"))
    path = urlsplit(request.request.url or "").path
    for template, item in spec["paths"].items():
        if _matches(template, path) and exchange.method.lower() in item:
            return set(item[exchange.method.lower()]["responses"])
    return set()


def _matches(template: str, path: str) -> bool:
    t_parts, p_parts = template.strip("/").split("/"), path.strip("/").split("/")
    if len(t_parts) != len(p_parts):
        return False
    return all(t.startswith("{") or t == p for t, p in zip(t_parts, p_parts, strict=True))


def validate_response(exchange: Exchange) -> None:
    """Raise if the response body does not follow GitHub's description."""
    response = requests.Response()
    response.status_code = exchange.status
    response._content = exchange.response_body
    response.headers.update(exchange.response_headers)
    response.headers.setdefault("Content-Type", "application/json; charset=utf-8")
    openapi().validate_response(_request(exchange), RequestsOpenAPIResponse(response))


def graphql_errors(exchange: Exchange) -> list[str]:
    """Return what is wrong with the exchange's GraphQL query against GitHub's schema."""
    payload = json.loads(exchange.request_body or b"{}")
    try:
        document = graphql.parse(payload["query"])
    except graphql.GraphQLError as exc:
        return [exc.message]
    return [error.message for error in graphql.validate(graphql_schema(), document)]


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def graphql_variable_errors(exchange: Exchange) -> list[str]:
    """Return what is wrong with the variables sent beside the query, against its types.

    Every variable the query declares is coerced as GitHub would (a missing required
    one, a number for a string...), no variable is sent that it does not declare, and a
    Date is a date: GitHub's Date scalar takes an ISO 8601 day only.
    """
    payload = json.loads(exchange.request_body or b"{}")
    variables = payload.get("variables") or {}
    if not isinstance(variables, dict):
        return ["the variables are not an object"]
    definitions = _operation(graphql.parse(payload["query"])).variable_definitions or ()
    declared = {d.variable.name.value: d for d in definitions}
    problems = [f"${name} is sent but not declared" for name in variables if name not in declared]
    coerced = get_variable_values(graphql_schema(), definitions, variables)
    if isinstance(coerced, list):
        problems.extend(error.message for error in coerced)
    for name, definition in declared.items():
        kind = definition.type
        while isinstance(kind, graphql.NonNullTypeNode | graphql.ListTypeNode):
            kind = kind.type
        assert isinstance(kind, graphql.NamedTypeNode)
        value = variables.get(name)
        if kind.name.value == "Date" and value is not None and not _ISO_DATE.match(str(value)):
            problems.append(f"${name} is not an ISO date: {value!r}")
    return problems


# -- GraphQL answers ------------------------------------------------------------------

_STRING_SCALARS = frozenset({"String", "ID", "DateTime", "Date", "URI", "HTML", "GitTimestamp"})


def _operation(document: graphql.DocumentNode) -> graphql.OperationDefinitionNode:
    for definition in document.definitions:
        if isinstance(definition, graphql.OperationDefinitionNode):
            return definition
    raise ValueError("no operation in the document")


class _AnswerCheck:
    """Walk an answer's data along the query, type by type, collecting what does not fit."""

    def __init__(self, schema: graphql.GraphQLSchema, document: graphql.DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, graphql.FragmentDefinitionNode)
        }
        self.problems: list[str] = []

    def applies(self, condition: str | None, concrete: graphql.GraphQLObjectType) -> bool:
        if condition is None or condition == concrete.name:
            return True
        target = self.schema.get_type(condition)
        if isinstance(target, graphql.GraphQLInterfaceType | graphql.GraphQLUnionType):
            return self.schema.is_sub_type(target, concrete)
        return False

    def collect(
        self, concrete: graphql.GraphQLObjectType, selections: graphql.SelectionSetNode
    ) -> dict[str, list[graphql.FieldNode]]:
        found: dict[str, list[graphql.FieldNode]] = {}
        for node in selections.selections:
            if isinstance(node, graphql.FieldNode):
                key = (node.alias or node.name).value
                found.setdefault(key, []).append(node)
            elif isinstance(node, graphql.InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else None
                if self.applies(condition, concrete):
                    for key, nodes in self.collect(concrete, node.selection_set).items():
                        found.setdefault(key, []).extend(nodes)
            elif isinstance(node, graphql.FragmentSpreadNode):
                fragment = self.fragments[node.name.value]
                if self.applies(fragment.type_condition.name.value, concrete):
                    for key, nodes in self.collect(concrete, fragment.selection_set).items():
                        found.setdefault(key, []).extend(nodes)
        return found

    def concrete(
        self,
        kind: graphql.GraphQLNamedType,
        selections: graphql.SelectionSetNode,
        value: dict[str, Any],
        path: str,
    ) -> graphql.GraphQLObjectType | None:
        if isinstance(kind, graphql.GraphQLObjectType):
            return kind
        assert isinstance(kind, graphql.GraphQLInterfaceType | graphql.GraphQLUnionType)
        possible = self.schema.get_possible_types(kind)
        named = value.get("__typename")
        if isinstance(named, str):
            for candidate in possible:
                if candidate.name == named:
                    return candidate
            self.problems.append(f"{path}: {named} is not a {kind.name}")
            return None
        # Without __typename, the type is the one whose selection gives exactly these keys.
        for candidate in possible:
            if set(self.collect(candidate, selections)) == set(value):
                return candidate
        self.problems.append(f"{path}: no {kind.name} has exactly the fields {sorted(value)}")
        return None

    def walk(
        self,
        kind: graphql.GraphQLOutputType,
        selections: graphql.SelectionSetNode | None,
        value: Any,
        path: str,
    ) -> None:
        if isinstance(kind, graphql.GraphQLNonNull):
            if value is None:
                self.problems.append(f"{path}: null where {kind} is due")
                return
            kind = kind.of_type
        if value is None:
            return
        if isinstance(kind, graphql.GraphQLList):
            if not isinstance(value, list):
                self.problems.append(f"{path}: not a list")
                return
            for index, element in enumerate(value):
                self.walk(kind.of_type, selections, element, f"{path}[{index}]")
            return
        if isinstance(kind, graphql.GraphQLEnumType):
            if value not in kind.values:
                self.problems.append(f"{path}: {value!r} is not a {kind.name}")
            return
        if isinstance(kind, graphql.GraphQLScalarType):
            self.scalar(kind.name, value, path)
            return
        assert selections is not None
        if not isinstance(value, dict):
            self.problems.append(f"{path}: not an object")
            return
        assert isinstance(kind, graphql.GraphQLNamedType)
        concrete = self.concrete(kind, selections, value, path)
        if concrete is None:
            return
        expected = self.collect(concrete, selections)
        for key in sorted(set(value) - set(expected)):
            self.problems.append(f"{path}.{key}: not asked for")
        for key, nodes in expected.items():
            if key not in value:
                self.problems.append(f"{path}.{key}: missing")
                continue
            name = nodes[0].name.value
            if name == "__typename":
                if value[key] != concrete.name:
                    self.problems.append(f"{path}.{key}: {value[key]!r} is not {concrete.name}")
                continue
            merged = [n.selection_set for n in nodes if n.selection_set is not None]
            sub = (
                graphql.SelectionSetNode(selections=tuple(s for m in merged for s in m.selections))
                if merged
                else None
            )
            self.walk(concrete.fields[name].type, sub, value[key], f"{path}.{key}")

    def scalar(self, name: str, value: Any, path: str) -> None:
        ok = {
            "Int": isinstance(value, int) and not isinstance(value, bool),
            "Float": isinstance(value, int | float) and not isinstance(value, bool),
            "Boolean": isinstance(value, bool),
        }.get(name)
        if ok is None and name in _STRING_SCALARS:
            ok = isinstance(value, str) or (name == "ID" and isinstance(value, int))
        if ok is False:
            self.problems.append(f"{path}: {value!r} is not a {name}")


def graphql_answer_errors(exchange: Exchange) -> list[str]:
    """Return where the answer's data does not have the shape the query asks for."""
    if exchange.status != 200:
        return []
    answer = json.loads(exchange.response_body or b"{}")
    data = answer.get("data") if isinstance(answer, dict) else None
    if data is None:
        return []
    payload = json.loads(exchange.request_body or b"{}")
    document = graphql.parse(payload["query"])
    operation = _operation(document)
    schema = graphql_schema()
    root = schema.mutation_type if operation.operation.value == "mutation" else schema.query_type
    assert root is not None
    check = _AnswerCheck(schema, document)
    check.walk(graphql.GraphQLNonNull(root), operation.selection_set, data, "data")
    return check.problems
