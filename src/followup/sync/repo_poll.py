"""Poll one repository's followup issues with one conditional list request.

The request stays the same URL for a repository until its window moves:

    GET /repos/{owner}/{repo}/issues?labels=followup&state=all&sort=updated
        &direction=desc&per_page=100&since=<window start>
    If-None-Match: <ETag of the last answer to that URL>

The window holds the issues updated since its start; newest first, any change to any
issue of the repository lands on page 1, so page 1's ETag changes. Nothing changed
gives a 304, which costs no rate-limit points. A change costs one request per page of
the window, and the window stays under a page: once a poll finds a full page, its start
moves up to the newest change seen and the new URL is asked for at once, so that the
ETag kept always belongs to the URL the next poll sends. Moving the window costs that
one request, at most once per 100 changed issues. (Moving `since` on every change would
make the next poll a 200 even when nothing changed: a new URL has no ETag yet.)

Because a poll reads its whole window, an issue the store knows as labelled and
updated inside the window that the list no longer shows has left it: label removed,
deleted, transferred or hidden. The caller checks those by id.

This module runs on worker threads: it only talks to GitHub and returns what it read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from followup.github.client import GitHub, Response
from followup.github.errors import AuthError, GitHubError, RateLimited
from followup.github.issue_mapping import FOLLOWUP_LABEL, RemoteIssue
from followup.github.issues import as_issue
from followup.github.repos import normalise_repo, repo_path

PER_PAGE = 100


def as_utc(value: datetime | None) -> datetime | None:
    """Return a datetime as aware UTC (SQLite may give back naive ones)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def list_params(since: datetime | None) -> dict[str, Any]:
    """Return the query of the conditional list request."""
    params: dict[str, Any] = {
        "labels": FOLLOWUP_LABEL,
        "state": "all",
        "sort": "updated",
        "direction": "desc",
        "per_page": PER_PAGE,
    }
    if since is not None:
        params["since"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    return params


@dataclass(frozen=True, slots=True)
class RepoPlan:
    """What the store knows of a repository's last poll: its window and that URL's ETag."""

    repo: str
    etag: str | None = None
    since: datetime | None = None


@dataclass(slots=True)
class RepoPoll:
    """What one poll of a repository read; the store is updated from it on the main thread."""

    repo: str
    issues: list[RemoteIssue] = field(default_factory=list)
    not_modified: bool = False
    complete: bool = False  # the poll finished: since and etag may be stored
    etag: str | None = None
    since: datetime | None = None
    # When listed, the whole window was read: every labelled issue updated after
    # `window` (every one, if it is None) should have been in it.
    listed: bool = False
    window: datetime | None = None
    error: str | None = None
    # A refused token or a used-up rate limit: the whole sync must stop (see RunControl).
    ends_run: GitHubError | None = None
    requests: int = 0
    not_modified_count: int = 0

    @property
    def ok(self) -> bool:
        """Tell whether the poll got through."""
        return self.error is None


class _Stopped(Exception):
    """The run was asked to stop between two pages."""


@dataclass(slots=True)
class _Reader:
    """Read every page of a window, keeping what was read even if a page fails."""

    client: GitHub
    repo: str
    stop: Callable[[], bool]
    issues: list[RemoteIssue] = field(default_factory=list)

    def read(self, since: datetime | None, etag: str | None) -> tuple[Response, int]:
        """Read one window; return page 1's response and how many issues the window holds."""
        path = repo_path(self.repo, "issues")
        first = response = self.client.get(path, list_params(since), etag=etag)
        if response.not_modified:
            return first, 0
        known = {i.number for i in self.issues}
        count = 0
        while True:
            page = [as_issue(data, response.where, self.repo) for data in response.array()]
            count += len(page)
            self.issues.extend(i for i in page if i.number not in known)
            known.update(i.number for i in page)
            next_url = response.link("next")
            if not next_url:
                return first, count
            if self.stop():
                raise _Stopped
            response = self.client.get(next_url)


def poll_repo(client: GitHub, plan: RepoPlan, stop: Callable[[], bool] = lambda: False) -> RepoPoll:
    """Poll one repository; GitHub's failures are reported in the result, never raised.

    Issues read before a failure are kept in the result (the store takes them); the
    window and ETag only move when the poll completes.
    """
    repo = normalise_repo(plan.repo)
    since = as_utc(plan.since)
    result = RepoPoll(repo=repo, etag=plan.etag, since=since)
    before_requests = client.stats.requests
    before_304 = client.stats.not_modified
    reader = _Reader(client, repo, stop)
    try:
        first, size = reader.read(since, plan.etag)
        if first.not_modified:
            result.not_modified = True
            result.complete = True
            return result
        result.listed, result.window = True, since
        etag = first.etag
        times = [t for t in (as_utc(i.updated_at) for i in reader.issues) if t is not None]
        if size >= PER_PAGE and times and max(times) != since:
            # The window filled a page: start it at the newest change, and ask for the
            # new URL now so that the ETag kept is its own.
            since = max(times)
            again, _ = reader.read(since, None)
            etag = again.etag
        result.since = since
        result.etag = etag
        result.complete = True
    except _Stopped:
        result.error = "stopped before the end of the list"
    except (AuthError, RateLimited) as exc:
        result.ends_run = exc
        result.error = str(exc)
    except GitHubError as exc:
        result.error = str(exc)
    finally:
        result.issues = reader.issues
        result.requests = client.stats.requests - before_requests
        result.not_modified_count = client.stats.not_modified - before_304
    return result
