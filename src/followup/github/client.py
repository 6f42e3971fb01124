"""HTTP to GitHub: one exchange at a time over requests, followup's policy for everything else.

The policy: reads retried with backoff, writes never retried blindly, writes paced,
secondary rate limits waited out, an exhausted primary limit reported (or waited for,
if asked). Redirects are followed as HTTP and GitHub's documentation say: 301, 302,
307 and 308 are repeated at the new location with the same method and body (a write is
never turned into a GET) and the query string kept; any other 3xx, a redirect to another
host or scheme, or a loop is an error. A redirect's body is never read as an answer.
After a repository is renamed or transferred GitHub redirects /repos/{owner}/{name}/...
to /repositories/{id}/...; the client notes each such move (`moved`) so that the caller
can record the repository's new name.

Every answer is decoded and cleaned once, by `answers.py`; `responses.py` holds what the
rest of followup reads from it.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from followup import __version__, logs
from followup.config import DEFAULT_GITHUB_URL, Settings
from followup.github import answers
from followup.github.errors import (
    AuthError,
    BadAnswer,
    GraphQLError,
    RateLimited,
    RedirectError,
    TransientError,
)
from followup.github.responses import GraphQLResult, RateLimit, Response, Stats
from followup.github.transport import RawResponse, Transport, with_query
from followup.text import clean

log = logging.getLogger("followup.github")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The redirects GitHub documents; each is repeated with the same method and body.
FOLLOWED_REDIRECTS = frozenset({301, 302, 307, 308})
MAX_REDIRECTS = 5
MAX_RATE_LIMIT_WAITS = 5
PER_PAGE = 100
API_VERSION = "2022-11-28"

Sleep = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """How a client behaves; everything but the token."""

    base_url: str = DEFAULT_GITHUB_URL
    write_interval: float = 1.0
    wait_for_rate_limit: bool = False
    max_retries: int = 3
    timeout: float = 15.0
    backoff: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ClientOptions:
        """Take the options from followup's settings."""
        return cls(
            base_url=settings.github_url,
            write_interval=settings.write_interval,
            wait_for_rate_limit=settings.wait_for_rate_limit,
            max_retries=settings.max_retries,
            timeout=settings.request_timeout,
        )


class GitHub:
    """A GitHub REST and GraphQL client; one per thread (connections are not shared)."""

    def __init__(
        self,
        token: str,
        options: ClientOptions | None = None,
        *,
        sleep: Sleep = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.options = options or ClientOptions()
        self._token = token
        self._sleep = sleep
        self._monotonic = monotonic
        self._last_write: float | None = None
        self.stats = Stats()
        self.rate = RateLimit()
        # Repositories GitHub redirected to /repositories/{id}: owner/name (lowercase) -> id.
        self.moved: dict[str, int] = {}
        logs.route_library_logs()
        logs.mask(token)
        # requests loads with the first client, not at import: the TUI and most
        # commands start without ever talking to GitHub.
        self._transport = Transport(
            token,
            self.options.base_url,
            timeout=max(1.0, self.options.timeout),
            user_agent=f"followup/{__version__}",
        )
        self._prefix = urlsplit(self.options.base_url).path.rstrip("/")

    def __repr__(self) -> str:
        return f"GitHub(base_url={self.options.base_url!r})"

    def clone(self) -> GitHub:
        """Return a client with the same token and options and its own connection."""
        return GitHub(self._token, self.options, sleep=self._sleep, monotonic=self._monotonic)

    def close(self) -> None:
        """Close the connection."""
        self._transport.close()

    # -- requests -------------------------------------------------------------------

    def get(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        etag: str | None = None,
        raw: bool = False,
    ) -> Response:
        """GET a path; with etag, a 304 comes back instead of an unchanged body.

        With raw, the answer also comes as GitHub sent it (Response.raw).
        """
        headers = {"If-None-Match": etag} if etag else None
        return self.request("GET", path, params=params, headers=headers, keep_raw=raw)

    def post(self, path: str, body: Any = None) -> Response:
        """POST a JSON body."""
        return self.request("POST", path, body=body)

    def put(self, path: str, body: Any = None) -> Response:
        """PUT a JSON body."""
        return self.request("PUT", path, body=body)

    def patch(self, path: str, body: Any = None) -> Response:
        """PATCH a JSON body."""
        return self.request("PATCH", path, body=body)

    def delete(self, path: str, body: Any = None) -> Response:
        """DELETE a path."""
        return self.request("DELETE", path, body=body)

    def paginate(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """Yield every element of a list endpoint, following the Link header."""
        query = {"per_page": PER_PAGE, **(params or {})}
        response = self.get(path, query)
        while True:
            yield from response.array()
            next_url = response.link("next")
            if not next_url:
                return
            response = self.get(next_url)

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> GraphQLResult:
        """Run a GraphQL query or mutation; errors beside data are returned, not raised."""
        method_is_write = query.lstrip().startswith("mutation")
        response = self.request(
            "POST",
            self._transport.graphql_url,
            body={"query": query, "variables": dict(variables or {})},
            write=method_is_write,
        )
        payload = response.object()
        raw_errors = payload.get("errors") or ()
        if not isinstance(raw_errors, list):
            raw_errors = [raw_errors]
        errors = tuple(e if isinstance(e, dict) else {"message": str(e)} for e in raw_errors)
        if any(e.get("type") == "RATE_LIMITED" for e in errors):
            raise self._rate_limited(response.status)
        scoped = [e for e in errors if e.get("type") == "INSUFFICIENT_SCOPES"]
        if scoped:
            raise answers.scope_error(scoped)
        data = payload.get("data")
        if data is None:
            first = errors[0].get("message") if errors else "no data in the answer"
            raise GraphQLError(f"GitHub GraphQL query failed: {first}", status=response.status)
        if not isinstance(data, dict):
            raise BadAnswer(
                f"GitHub's answer to {response.where} holds {answers.kind_of(data)} as data"
            )
        return GraphQLResult(data=data, errors=errors)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        write: bool | None = None,
        keep_raw: bool = False,
    ) -> Response:
        """Send one request under followup's retry, pacing, redirect and rate-limit policy."""
        import requests

        method = method.upper()
        is_write = method in WRITE_METHODS if write is None else write
        request_headers = {"X-GitHub-Api-Version": API_VERSION, **(headers or {})}
        url = self._transport.url(path)
        if params:
            url = with_query(url, params)
        where = f"{method} {answers.short_path(path)}"
        failures = 0
        rate_waits = 0
        while True:
            if is_write:
                self._pace_write()
            try:
                raw = self._exchange(method, url, request_headers, body, is_write)
            except requests.RequestException as exc:
                if is_write:
                    raise TransientError(
                        f"{where} did not complete ({answers.describe_failure(exc)})",
                        maybe_applied=True,
                    ) from None
                failures += 1
                if failures > self.options.max_retries:
                    raise TransientError(
                        f"GitHub did not answer {where} ({answers.describe_failure(exc)})"
                    ) from None
                self._backoff(failures)
                continue

            status, response_headers = raw.status, raw.headers
            self._note_rate(response_headers)
            data = answers.decode(raw, where)
            if status == 304:
                self.stats.not_modified += 1
            if status < 400:
                kept = json.loads(raw.text) if keep_raw and data is not None else None
                return Response(status, data, response_headers, where, kept)

            if status in (403, 429) and answers.is_rate_limit(response_headers, data):
                rate_waits += 1
                if rate_waits > MAX_RATE_LIMIT_WAITS:
                    raise self._rate_limited(status)
                if self._primary_exhausted(response_headers):
                    if not self.options.wait_for_rate_limit:
                        raise self._rate_limited(status)
                    self._wait(self._seconds_until_reset())
                else:
                    # A secondary limit means the request was refused, not carried out,
                    # so sending it again after the wait is safe even for a write.
                    self._wait(answers.retry_after(response_headers, rate_waits))
                continue

            if status >= 500:
                message = f"GitHub answered {status} to {method} {answers.short_path(path)}"
                if is_write:
                    raise TransientError(message, status=status, maybe_applied=True)
                failures += 1
                if failures > self.options.max_retries:
                    raise TransientError(message, status=status)
                self._backoff(failures)
                continue

            raise answers.error_for(status, data, method, path)

    def _exchange(
        self, method: str, url: str, headers: Mapping[str, str], body: Any, is_write: bool
    ) -> RawResponse:
        """Send a request and follow GitHub's redirects; return the final answer."""
        hops = 0
        while True:
            try:
                raw = self._transport.send(method, url, headers=headers, body=body)
            finally:
                self.stats.requests += 1
                if is_write:
                    self.stats.writes += 1
                    self._last_write = self._monotonic()
            log.debug("%s %s -> %s", method, answers.short_path(url, query=True), raw.status)
            if not 300 <= raw.status < 400 or raw.status == 304:
                return raw
            target = self._redirect_target(method, url, raw)
            hops += 1
            if hops > MAX_REDIRECTS:
                shown = answers.short_path(url)
                raise RedirectError(
                    f"GitHub redirected {method} {shown} more than {MAX_REDIRECTS} times"
                )
            self._note_move(url, target)
            log.info(
                "following %s for %s %s to %s",
                raw.status,
                method,
                answers.short_path(url, query=True),
                answers.short_path(target, query=True),
            )
            url = target

    def _redirect_target(self, method: str, url: str, raw: RawResponse) -> str:
        """Return where a redirect points, or fail if followup must not follow it."""
        where = f"{method} {answers.short_path(url)}"
        location = clean(raw.headers.get("location") or "")
        if raw.status not in FOLLOWED_REDIRECTS:
            raise RedirectError(
                f"GitHub answered {raw.status} to {where}, a redirect followup does not follow"
            )
        if not location:
            raise RedirectError(f"GitHub answered {raw.status} to {where} without saying where to")
        target = urljoin(url, location)
        old, new = urlsplit(url), urlsplit(target)
        if new.scheme != old.scheme:
            base = urlunsplit((new.scheme, new.netloc, self._prefix, "", ""))
            raise RedirectError(
                f"{old.scheme}://{old.netloc} redirects to {new.scheme}://{new.netloc}: "
                f"set github_url to {base}"
            )
        if new.netloc.lower() != old.netloc.lower():
            raise RedirectError(
                f"GitHub redirected {where} to another host ({new.netloc}); "
                "followup sends its token only to github_url"
            )
        if not new.query and old.query:
            # A GET's query is the request: keep it when the new location names none.
            target = urlunsplit((new.scheme, new.netloc, new.path, old.query, ""))
        return target

    def _note_move(self, url: str, target: str) -> None:
        """Remember a moved repository: /repos/{owner}/{name}/... -> /repositories/{id}/..."""
        old = _REPOS.match(urlsplit(url).path.removeprefix(self._prefix))
        new = _REPOSITORIES.match(urlsplit(target).path.removeprefix(self._prefix))
        if old is not None and new is not None:
            self.moved[f"{old['owner']}/{old['name']}".lower()] = int(new["id"])

    # -- policy -----------------------------------------------------------------------

    def _pace_write(self) -> None:
        if self._last_write is None or self.options.write_interval <= 0:
            return
        remaining = self.options.write_interval - (self._monotonic() - self._last_write)
        if remaining > 0:
            self._wait(remaining)

    def _backoff(self, failures: int) -> None:
        self.stats.retries += 1
        self._wait(self.options.backoff * 2 ** (failures - 1))

    def _wait(self, seconds: float) -> None:
        if seconds <= 0:
            return
        self.stats.waited_seconds += seconds
        self._sleep(seconds)

    def _note_rate(self, headers: Mapping[str, str]) -> None:
        def number(name: str) -> int | None:
            value = headers.get(name)
            try:
                return int(float(value)) if value is not None else None
            except ValueError:
                return None

        if "x-ratelimit-remaining" not in headers:
            return
        reset = number("x-ratelimit-reset")
        self.rate = RateLimit(
            limit=number("x-ratelimit-limit"),
            remaining=number("x-ratelimit-remaining"),
            used=number("x-ratelimit-used"),
            reset_at=datetime.fromtimestamp(reset, UTC) if reset is not None else None,
            resource=headers.get("x-ratelimit-resource"),
        )

    def _primary_exhausted(self, headers: Mapping[str, str]) -> bool:
        return headers.get("x-ratelimit-remaining") == "0" and "retry-after" not in headers

    def _seconds_until_reset(self) -> float:
        if self.rate.reset_at is None:
            return answers.SECONDARY_DEFAULT_WAIT
        # One extra second: GitHub's reset is rounded to the second.
        return max(1.0, (self.rate.reset_at - datetime.now(UTC)).total_seconds() + 1)

    def _rate_limited(self, status: int | None) -> RateLimited:
        reset = self.rate.reset_at
        when = reset.astimezone().strftime("%H:%M:%S") if reset else "later"
        return RateLimited(
            f"GitHub's rate limit is used up until {when}; "
            "try again then, or set wait_for_rate_limit = true",
            reset_at=reset,
            status=status,
        )


_REPOS = re.compile(r"^/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)(?:/|$)")
_REPOSITORIES = re.compile(r"^/repositories/(?P<id>\d+)(?:/|$)")


@dataclass
class GitHubFactory:
    """Build clients on demand, so nothing touches the network or a token until needed."""

    settings: Settings
    token_finder: Callable[[str], str] | None = None
    _token: str | None = field(default=None, repr=False)

    def __call__(self) -> GitHub:
        """Return a new client with the configured token and options."""
        if self._token is None:
            finder = self.token_finder or _default_token
            self._token = finder(self.settings.github_url)
        return GitHub(self._token, ClientOptions.from_settings(self.settings))


def _default_token(github_url: str) -> str:
    from followup.github.auth import find_token

    return find_token(github_url).value


__all__ = [
    "AuthError",
    "ClientOptions",
    "GitHub",
    "GitHubFactory",
    "GraphQLResult",
    "RateLimit",
    "Response",
    "Stats",
]
