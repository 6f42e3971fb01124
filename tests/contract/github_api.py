"""Check HTTP exchanges against GitHub's OpenAPI description and GraphQL schema."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import graphql
import requests
import yaml
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
