"""Claims on comments posted once: one run per key, a stopped run's claim taken over."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from followup import clock
from followup.store import claims

NOW = datetime(2026, 3, 18, 9, tzinfo=UTC)
KEY = "remind:abc1234:2026-03-01:dana:0"
WHERE = ("acme/web", 7, KEY)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def test_one_run_gets_a_key_the_other_waits_then_sees_it_posted(engine: Engine) -> None:
    first, second = "elsewhere:1:a", "elsewhere:2:b"
    assert claims.claim(engine, *WHERE, run=first).state == "mine"
    assert claims.claim(engine, *WHERE, run=first).state == "mine"  # asking again is fine
    busy = claims.claim(engine, *WHERE, run=second)
    assert (busy.state, busy.claimed_by) == ("busy", first)
    assert claims.state(engine, *WHERE) == "pending"
    claims.record(engine, *WHERE, run=first, comment_id=9, url="https://x/9")
    posted = claims.claim(engine, *WHERE, run=second)
    assert (posted.state, posted.url) == ("posted", "https://x/9")
    assert claims.state(engine, *WHERE) == "posted"


def test_a_stale_claim_is_taken_over(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    claims.claim(engine, *WHERE, run="elsewhere:1:a")
    monkeypatch.setattr(clock, "now", lambda: NOW + claims.LEASE + timedelta(seconds=1))
    assert claims.claim(engine, *WHERE, run="elsewhere:2:b").state == "mine"
    assert claims.claim(engine, *WHERE, run="elsewhere:1:a").state == "busy"


def test_a_claim_of_a_dead_process_on_this_machine_is_taken_over_at_once(
    engine: Engine,
) -> None:
    dead = f"{socket.gethostname()}:999999999:a"  # no such process
    claims.claim(engine, *WHERE, run=dead)
    assert claims.claim(engine, *WHERE, run=claims.new_run()).state == "mine"


def test_a_released_claim_can_be_claimed_again_and_a_record_without_claim_is_kept(
    engine: Engine,
) -> None:
    claims.claim(engine, *WHERE, run="elsewhere:1:a")
    claims.release(engine, *WHERE, run="elsewhere:1:a")
    assert claims.state(engine, *WHERE) == "none"
    claims.record(engine, *WHERE, run="ci:1:x", comment_id=3, url=None)
    assert claims.state(engine, *WHERE) == "posted"
