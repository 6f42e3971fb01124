"""GitHub: the client (HTTP policy), pure mappings, and issue/protection operations."""

from __future__ import annotations

from followup.github.client import ClientOptions, GitHub, GitHubFactory, GraphQLResult, Response
from followup.github.errors import (
    AuthError,
    Forbidden,
    GitHubError,
    Gone,
    GraphQLError,
    NotFound,
    RateLimited,
    TransientError,
    Unprocessable,
)

__all__ = [
    "AuthError",
    "ClientOptions",
    "Forbidden",
    "GitHub",
    "GitHubError",
    "GitHubFactory",
    "Gone",
    "GraphQLError",
    "GraphQLResult",
    "NotFound",
    "RateLimited",
    "Response",
    "TransientError",
    "Unprocessable",
]
