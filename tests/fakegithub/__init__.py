"""A small stateful GitHub on 127.0.0.1, for what cassettes cannot express.

A cassette replays one fixed sequence; runs that race, a write applied whose answer is
lost, a process killed between two writes, need a GitHub that keeps state between
requests. FakeGitHub keeps issues, labels, assignees and comments (issues.py) and branch
protection and rulesets (protection.py), answers in GitHub's shapes (built from the
examples in GitHub's OpenAPI description; tests/faults/test_fake_contract.py checks
them), and fails on demand (server.py):

    with FakeGitHub() as fake:
        fake.barrier("POST issues", parties=2)        # both creates land before either answer
        fake.drop_answer("POST comments")            # carried out, then the connection drops
        fake.fail("PATCH issue", "error_before", status=503)   # refused, not carried out
        fake.fail("*", "kill", skip=7, who="A")      # client A's 8th request: on_kill, drop
        fake.latency("GET issues", 0.05)
        client = fake.client("A")                    # a followup GitHub pointed at it

Tests that use it must let the client reach the loopback address past --block-network:
mark them with LOOPBACK. A followup process reaches it through `env(fake)`.
"""

from __future__ import annotations

import os
from typing import ClassVar

import pytest

from tests.fakegithub.issues import ISSUE_ROUTES, START, IssueState
from tests.fakegithub.protection import PROTECTION_ROUTES, ProtectionState
from tests.fakegithub.server import (
    ANY,
    FAULTS,
    TOKEN,
    Answer,
    Exchange,
    Request,
    Route,
    Server,
    token_for,
)

LOOPBACK = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])


class FakeGitHub(IssueState, ProtectionState, Server):
    """A GitHub that keeps issues, comments and protection in memory and serves them."""

    routes: ClassVar[list[Route]] = [*ISSUE_ROUTES, *PROTECTION_ROUTES]

    def __init__(self, *, per_page_cap: int = 100, login: str = "github-actions[bot]") -> None:
        Server.__init__(self)
        self._setup_issues(per_page_cap=per_page_cap, login=login)
        self._setup_protection()


def env(fake: FakeGitHub, who: str = "") -> dict[str, str]:
    """Return the environment a followup process needs to talk to the fake as `who`."""
    out = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")}
    out.update(
        GH_TOKEN=token_for(who),
        FOLLOWUP_GITHUB_URL=fake.url,
        FOLLOWUP_WRITE_INTERVAL="0",
        FOLLOWUP_MAX_RETRIES="0",
    )
    return out


__all__ = [
    "ANY",
    "FAULTS",
    "LOOPBACK",
    "START",
    "TOKEN",
    "Answer",
    "Exchange",
    "FakeGitHub",
    "Request",
    "Route",
    "env",
    "token_for",
]
