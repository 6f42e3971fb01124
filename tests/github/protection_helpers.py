"""Whole protection answers in GitHub's shape, and checks that payloads follow its description."""

from __future__ import annotations

import json
from typing import Any

from scripts.cassette_kit import example

from tests.contract.github_api import Exchange, validate_request

PROTECTION_PATH = "/repos/octo-org/followup-scratch/branches/main/protection"
RULESETS_PATH = "/repos/octo-org/followup-scratch/rulesets"

# The flags every GET .../protection answer carries, as a branch newly protected has them.
BASE_FLAGS: dict[str, bool] = {
    "enforce_admins": False,
    "required_signatures": False,
    "required_linear_history": False,
    "allow_force_pushes": False,
    "allow_deletions": False,
    "block_creations": False,
    "required_conversation_resolution": False,
    "lock_branch": False,
    "allow_fork_syncing": False,
}


def protection_json(**parts: Any) -> dict[str, Any]:
    """Return a whole GET .../protection answer: flags given as booleans, sections as JSON."""
    data: dict[str, Any] = {"url": f"https://api.github.com{PROTECTION_PATH}"}
    for name, value in BASE_FLAGS.items():
        data[name] = {"enabled": value}
    for name, value in parts.items():
        data[name] = {"enabled": value} if isinstance(value, bool) else value
    return data


def full_example() -> dict[str, Any]:
    """Return GitHub's example of a branch with every setting on, its check bound to an app."""
    data: dict[str, Any] = example("branch-protection")
    data["required_status_checks"]["checks"] = [
        {"context": "continuous-integration/travis-ci", "app_id": 15368}
    ]
    data["required_status_checks"]["strict"] = True
    return data


def _request(method: str, path: str, body: Any) -> Exchange:
    return Exchange(
        cassette="inline",
        index=0,
        method=method,
        uri=f"https://api.github.com{path}",
        request_headers={"Content-Type": "application/json"},
        request_body=json.dumps(body).encode() if body is not None else None,
        status=200,
        response_headers={},
        response_body=b"",
    )


def assert_valid_write(method: str, endpoint: tuple[str, ...], body: Any) -> None:
    """Raise unless the request to .../protection[/endpoint] follows GitHub's description."""
    validate_request(_request(method, "/".join((PROTECTION_PATH, *endpoint)), body))


def assert_valid_put(payload: dict[str, Any]) -> None:
    """Raise unless the PUT .../protection body follows GitHub's description."""
    assert_valid_write("PUT", (), payload)


def assert_valid_ruleset(method: str, payload: dict[str, Any]) -> None:
    """Raise unless the ruleset body follows GitHub's description."""
    path = RULESETS_PATH if method == "POST" else f"{RULESETS_PATH}/42"
    validate_request(_request(method, path, payload))
