"""What GitHub's raw answers mean: decoded JSON, typed errors, rate limits. Pure functions.

Every JSON answer is cleaned once here (followup.text.clean_json_text): titles, bodies,
logins, labels and error messages reach the rest of followup with their control
characters made visible. An answer that is not JSON, or a bare JSON value where GitHub
always sends an object or a list, is a BadAnswer naming the endpoint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from followup.github.errors import (
    AuthError,
    BadAnswer,
    Forbidden,
    GitHubError,
    Gone,
    NotFound,
    ScopeError,
    Unprocessable,
)
from followup.github.responses import kind_of

__all__ = [
    "SECONDARY_DEFAULT_WAIT",
    "decode",
    "describe_failure",
    "error_for",
    "is_rate_limit",
    "kind_of",
    "retry_after",
    "scope_error",
    "short_path",
]
from followup.github.transport import RawResponse
from followup.text import clean, clean_json_text

# GitHub's advice when a secondary limit names no Retry-After: wait at least a minute.
SECONDARY_DEFAULT_WAIT = 60.0


def decode(raw: RawResponse, where: str) -> Any:
    """Return the answer's JSON, cleaned; a success that is not JSON is a BadAnswer."""
    text = raw.text
    if not text.strip():
        return None
    try:
        value = json.loads(clean_json_text(text))
    except ValueError:
        if raw.status >= 400:
            # Proxies in front of GitHub answer some errors with HTML; the status says enough.
            return None
        kind = raw.headers.get("content-type", "no content type").split(";", 1)[0]
        raise BadAnswer(
            f"GitHub's answer to {where} is not JSON ({clean(kind)}, {len(text):,} characters); "
            "a proxy or a sign-in page may be in the way"
        ) from None
    if raw.status < 400 and not isinstance(value, dict | list):
        raise BadAnswer(f"GitHub's answer to {where} is {kind_of(value)}, not an object or a list")
    return value


_SCOPES = re.compile(r"requires one of the following scopes: \[([^\]]*)\]")


def scope_error(errors: list[dict[str, Any]]) -> ScopeError:
    """Return the error for a query the token's scopes do not cover, naming the scopes."""
    scopes: list[str] = []
    for error in errors:
        found = _SCOPES.search(str(error.get("message") or ""))
        if found is not None:
            for scope in re.findall(r"'([^']+)'", found[1]):
                if scope not in scopes:
                    scopes.append(scope)
    wanted = " or ".join(f"'{s}'" for s in scopes) or "a scope it needs"
    return ScopeError(
        f"GitHub refused the query: the token lacks the {wanted} scope", scopes=tuple(scopes)
    )


def short_path(path: str, *, query: bool = False) -> str:
    """Return a URL's path (and query), which is what a user can act on; never a token."""
    if "://" in path:
        path = "/" + path.split("://", 1)[1].split("/", 1)[-1]
    return clean(path if query else path.split("?", 1)[0])


def describe_failure(exc: BaseException) -> str:
    """Return how a request failed before any answer, in a few words."""
    import requests

    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return type(exc).__name__


def is_rate_limit(headers: Mapping[str, str], data: Any) -> bool:
    """Tell whether a 403 or 429 is a rate limit rather than a refusal."""
    if "retry-after" in headers or headers.get("x-ratelimit-remaining") == "0":
        return True
    message = (data or {}).get("message", "") if isinstance(data, dict) else ""
    return "rate limit" in message.lower()


def retry_after(headers: Mapping[str, str], attempt: int) -> float:
    """Return how long to wait out a secondary rate limit, in seconds."""
    value = headers.get("retry-after")
    if value is not None:
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
    return float(SECONDARY_DEFAULT_WAIT * 2 ** (attempt - 1))


def error_for(status: int, data: Any, method: str, path: str) -> GitHubError:
    """Return the typed error for a failed answer, in one line that names the endpoint."""
    body = data if isinstance(data, dict) else {}
    message = str(body.get("message") or "").strip()
    errors = tuple(e for e in body.get("errors") or () if isinstance(e, dict))
    where = f"{method} {short_path(path)}"
    said = f": {message}" if message else ""
    kwargs: dict[str, Any] = {"status": status, "github_message": message or None, "errors": errors}
    if status == 401:
        return AuthError(
            "GitHub refused the token (401 Bad credentials); "
            "check that it is valid and not expired",
            **kwargs,
        )
    if status == 403:
        return Forbidden(f"GitHub refused {where} (403{said})", **kwargs)
    if status == 404:
        return NotFound(f"GitHub found nothing at {where} (404)", **kwargs)
    if status == 410:
        return Gone(f"GitHub answered 410 Gone to {where}{said}", **kwargs)
    if status == 422:
        details = "; ".join(_describe_422(e) for e in errors)
        return Unprocessable(
            f"GitHub rejected {where} (422{said}{': ' + details if details else ''})", **kwargs
        )
    return GitHubError(f"GitHub answered {status} to {where}{said}", **kwargs)


def _describe_422(error: Mapping[str, Any]) -> str:
    if error.get("message"):
        return str(error["message"])
    parts = [str(error.get(k)) for k in ("resource", "field", "code") if error.get(k)]
    return " ".join(parts)
