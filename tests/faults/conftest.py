"""Fixtures of the fault suite: a fake GitHub served on 127.0.0.1 and a client of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from followup import clock
from followup.github.client import GitHub
from tests.fakegithub import FakeGitHub
from tests.faults.matrix import client_for
from tests.faults.scenarios import NOW


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    """Return a fake GitHub, serving while the test runs."""
    github = FakeGitHub()
    with github.serve():
        yield github


@pytest.fixture
def client(fake: FakeGitHub) -> Iterator[GitHub]:
    """Return a client of the fake, without pauses or retries."""
    github = client_for(fake)
    yield github
    github.close()
