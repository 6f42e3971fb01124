"""Typed GitHub failures, each with a one-line message that never carries the token."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from followup.errors import FollowupError


class GitHubError(FollowupError):
    """A request to GitHub failed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        github_message: str | None = None,
        errors: tuple[dict[str, Any], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.github_message = github_message
        self.errors = errors


class AuthError(GitHubError):
    """No usable token, or GitHub refused it (401)."""


class ScopeError(AuthError):
    """The token works but lacks a scope the request needs (GraphQL INSUFFICIENT_SCOPES).

    `scopes` are the ones GitHub named, any of which would do.
    """

    def __init__(self, message: str, *, scopes: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.scopes = scopes


class NotFound(GitHubError):
    """GitHub answered 404: missing, or hidden from this token."""


class Forbidden(GitHubError):
    """GitHub answered 403 for a reason other than a rate limit."""


class Gone(GitHubError):
    """GitHub answered 410: the resource was deleted or the feature is off."""


class Unprocessable(GitHubError):
    """GitHub answered 422: the request was understood but refused."""


class RateLimited(GitHubError):
    """The primary rate limit is used up until reset_at."""

    def __init__(self, message: str, *, reset_at: datetime | None, status: int | None) -> None:
        super().__init__(message, status=status)
        self.reset_at = reset_at


class TransientError(GitHubError):
    """A 5xx, a timeout or a dropped connection that retries did not get past.

    `maybe_applied` is true for a write GitHub may have carried out before the failure:
    the caller must look before it writes again.
    """

    def __init__(
        self, message: str, *, status: int | None = None, maybe_applied: bool = False
    ) -> None:
        super().__init__(message, status=status)
        self.maybe_applied = maybe_applied


class GraphQLError(GitHubError):
    """A GraphQL query came back with errors."""


class RedirectError(GitHubError):
    """GitHub (or something in front of it) redirected a request followup must not follow."""


class BadAnswer(GitHubError):
    """GitHub's answer was not what the endpoint returns: not JSON, or the wrong shape."""
