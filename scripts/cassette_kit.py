"""Author vcrpy cassettes in GitHub's real shapes, from the examples in its OpenAPI description.

Cassettes are normally recorded against a scratch repository (see README, Development).
Exchanges a real repository will not produce on demand (a 502, a secondary rate limit,
a dropped connection) are authored with this kit instead:

    from scripts.cassette_kit import Cassette, example
    c = Cassette()
    issue = example("issue") | {"number": 12}
    c.add("POST", "/repos/octo-org/docs/issues", status=502, body=None, request={"title": "x"})
    c.add("GET", "/repos/octo-org/docs/issues?labels=followup&state=all&per_page=100", body=[issue])
    c.write("tests/cassettes/test_filing/test_drop_after_create.yaml")

Bodies come from tests/contract/github-openapi.json, so they have GitHub's fields;
adapt ids and numbers, never invent fields (the contract test checks every response).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tests" / "contract" / "github-openapi.json"
API = "https://api.github.com"
STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "No Content",
    300: "Multiple Choices",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    304: "Not Modified",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    410: "Gone",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@cache
def _examples() -> dict[str, Any]:
    return dict(json.loads(SPEC.read_text(encoding="utf-8"))["components"]["examples"])


def example(name: str) -> Any:
    """Return a deep copy of one of GitHub's response examples, e.g. 'issue' or 'label-items'."""
    return copy.deepcopy(_examples()[name]["value"])


def error_body(message: str, status: int) -> dict[str, Any]:
    """Return GitHub's error body ('basic-error' shape)."""
    return {
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
        "status": str(status),
    }


# Where GitHub's redirect answers point for an explanation.
REDIRECT_DOCS = (
    "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects"
)


def redirect_body(status: int, location: str) -> dict[str, Any]:
    """Return the body GitHub sends with a redirect: the status text and where to go."""
    return {"message": STATUS_TEXT[status], "url": location, "documentation_url": REDIRECT_DOCS}


class Cassette:
    """A list of interactions written in vcrpy's YAML format."""

    def __init__(self, base: str = API) -> None:
        self.base = base.rstrip("/")
        self.interactions: list[dict[str, Any]] = []
        self.remaining = 4999

    def add(
        self,
        method: str,
        path: str,
        *,
        status: int = 200,
        body: Any = None,
        request: Any = None,
        headers: dict[str, str] | None = None,
        etag: str | None = None,
        request_headers: dict[str, str] | None = None,
    ) -> Cassette:
        """Append one exchange; body is JSON-encoded unless it is None."""
        uri = path if path.startswith("http") else f"{self.base}{path}"
        req_headers = {
            "Accept": ["*/*"],
            "Authorization": ["<redacted>"],
            "User-Agent": ["followup/0.1.0"],
            "X-GitHub-Api-Version": ["2022-11-28"],
        }
        if request is not None:
            req_headers["Content-Type"] = ["application/json"]
        for key, value in (request_headers or {}).items():
            req_headers[key] = [value]
        resp_headers: dict[str, list[str]] = {
            "Content-Type": ["application/json; charset=utf-8"],
            "X-GitHub-Media-Type": ["github.v3; format=json"],
            "X-RateLimit-Limit": ["5000"],
            "X-RateLimit-Remaining": [str(self.remaining)],
            "X-RateLimit-Reset": ["1798761600"],
            "X-RateLimit-Used": [str(5000 - self.remaining)],
            "X-RateLimit-Resource": ["graphql" if uri.endswith("/graphql") else "core"],
        }
        if status != 304:
            self.remaining = max(0, self.remaining - 1)
        if etag:
            resp_headers["ETag"] = [etag]
        for key, value in (headers or {}).items():
            resp_headers[key] = [value]
        self.interactions.append(
            {
                "request": {
                    "body": json.dumps(request) if request is not None else None,
                    "headers": req_headers,
                    "method": method.upper(),
                    "uri": uri,
                },
                "response": {
                    "body": {"string": json.dumps(body) if body is not None else ""},
                    "headers": resp_headers,
                    "status": {"code": status, "message": STATUS_TEXT.get(status, "")},
                },
            }
        )
        return self

    def redirect(
        self,
        method: str,
        path: str,
        to: str,
        *,
        status: int = 301,
        request: Any = None,
        request_headers: dict[str, str] | None = None,
    ) -> Cassette:
        """Append a redirect as GitHub sends it: Location header and a small JSON body."""
        location = to if to.startswith("http") else f"{self.base}{to}"
        return self.add(
            method,
            path,
            status=status,
            body=redirect_body(status, location),
            request=request,
            headers={"Location": location},
            request_headers=request_headers,
        )

    def write(self, path: str | Path) -> None:
        """Write the cassette, creating its folder."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = {"interactions": self.interactions, "version": 1}
        target.write_text(yaml.safe_dump(data, sort_keys=False, width=100), encoding="utf-8")
