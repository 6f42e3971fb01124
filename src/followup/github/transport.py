"""One HTTP exchange with GitHub, over requests; redirects are the client's to follow.

followup sends its requests itself rather than through PyGithub's requester: that
requester follows a 301 on its own (dropping the query string, and re-sending a write),
does not follow a 307 at all, raises a bare RuntimeError when a server redirects to
https, and logs each redirect at INFO. Here every answer, a redirect included, comes
back as it is, and GitHub.request decides what to do with it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    import requests

DEFAULT_API = "https://api.github.com"


@dataclass(frozen=True, slots=True)
class RawResponse:
    """An answer before followup reads it: status, headers (lowercased) and text."""

    status: int
    headers: dict[str, str]
    text: str


def graphql_url(base_url: str) -> str:
    """Return the GraphQL endpoint of a REST base URL (Enterprise: /api/v3 -> /api/graphql)."""
    base = base_url.rstrip("/")
    if base.endswith("/api/v3"):
        return base.removesuffix("/v3") + "/graphql"
    return base + "/graphql"


class Transport:
    """Send requests to one GitHub with a token; one per client (sessions are not shared)."""

    def __init__(self, token: str, base_url: str, *, timeout: float, user_agent: str) -> None:
        import requests

        self.base_url = base_url.rstrip("/")
        self.graphql_url = graphql_url(self.base_url)
        self._timeout = timeout
        self._session = requests.Session()
        # An auth of its own stops requests from reading ~/.netrc: the token given is the
        # only credential sent. Proxies and CA bundles from the environment still apply.
        self._session.auth = _as_is
        self._session.headers.update(
            {
                "Authorization": f"token {token}",
                "User-Agent": user_agent,
                "Accept": "application/vnd.github+json",
            }
        )

    def url(self, path: str) -> str:
        """Return the absolute URL of a path, or the URL itself if it is one."""
        if "://" in path:
            return path
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def send(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None, body: Any = None
    ) -> RawResponse:
        """Send one request (never following a redirect) and return the answer."""
        data = None
        request_headers = dict(headers or {})
        if body is not None:
            data = json.dumps(body)
            request_headers["Content-Type"] = "application/json"
        answer = self._session.request(
            method,
            self.url(url),
            data=data,
            headers=request_headers,
            timeout=self._timeout,
            allow_redirects=False,
        )
        return _raw(answer)

    def close(self) -> None:
        """Close the connections."""
        self._session.close()


def _as_is(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


def with_query(url: str, params: Mapping[str, Any]) -> str:
    """Return url with params added to its query string."""
    parts = urlsplit(url)
    extra = urlencode([(k, _param(v)) for k, v in params.items()])
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _raw(answer: requests.Response) -> RawResponse:
    headers = {k.lower(): v for k, v in answer.headers.items()}
    # GitHub's JSON is UTF-8; requests would guess an encoding when no charset is named.
    text = answer.content.decode("utf-8", errors="replace")
    return RawResponse(answer.status_code, headers, text)
