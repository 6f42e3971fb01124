"""GitHub's answers as the rest of followup sees them: a response, a GraphQL result, counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from followup.github.errors import BadAnswer


def kind_of(value: Any) -> str:
    """Return what a JSON value is, for an error message."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true or false"
    names = {str: "a string", int: "a number", float: "a number", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


@dataclass(frozen=True, slots=True)
class Response:
    """A response with its status, decoded JSON body and lowercased headers.

    where names the request (method and path) for error messages. raw is the body as
    GitHub sent it, not cleaned, when the request asked for it: only to write a text
    back exactly as it was (an issue body whose one line followup changes).
    """

    status: int
    data: Any
    headers: Mapping[str, str]
    where: str = "GitHub's API"
    raw: Any = None

    def object(self) -> dict[str, Any]:
        """Return the body as a JSON object, or fail naming the endpoint."""
        if not isinstance(self.data, dict):
            raise BadAnswer(
                f"GitHub's answer to {self.where} is {kind_of(self.data)}, not an object"
            )
        return self.data

    def array(self) -> list[Any]:
        """Return the body as a JSON array, or fail naming the endpoint."""
        if not isinstance(self.data, list):
            raise BadAnswer(f"GitHub's answer to {self.where} is {kind_of(self.data)}, not a list")
        return self.data

    @property
    def etag(self) -> str | None:
        """Return the ETag GitHub sent, for a later conditional request."""
        return self.headers.get("etag")

    @property
    def not_modified(self) -> bool:
        """Tell whether a conditional request found nothing new (304)."""
        return self.status == 304

    def link(self, rel: str) -> str | None:
        """Return the URL of a pagination link such as 'next'."""
        raw = self.headers.get("link")
        if not raw:
            return None
        from requests.utils import parse_header_links

        for entry in parse_header_links(raw):
            if entry.get("rel") == rel:
                return entry.get("url")
        return None


@dataclass(frozen=True, slots=True)
class GraphQLResult:
    """A GraphQL answer: data, and the errors GitHub reported beside it."""

    data: dict[str, Any]
    errors: tuple[dict[str, Any], ...] = ()


@dataclass(slots=True)
class RateLimit:
    """The primary rate limit as the last response reported it."""

    limit: int | None = None
    remaining: int | None = None
    used: int | None = None
    reset_at: datetime | None = None
    resource: str | None = None


@dataclass(slots=True)
class Stats:
    """Counts of what this client sent, for summaries and benchmarks."""

    requests: int = 0
    writes: int = 0
    not_modified: int = 0
    retries: int = 0
    waited_seconds: float = 0.0
