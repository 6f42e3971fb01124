"""The fake GitHub speaks GitHub's API: every request followup sends it, and every answer."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine

from followup.github.client import GitHub
from followup.sync.drift import verify_protection
from followup.sync.protect import apply_protection, plan_protection
from tests.contract.github_api import (
    Exchange,
    documented_statuses,
    validate_request,
    validate_response,
)
from tests.faults.fake_github import FakeGitHub
from tests.faults.scenarios import SCENARIOS, add_item

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


def exchanges(fake: FakeGitHub) -> list[Exchange]:
    out = []
    for index, e in enumerate(fake.exchanges):
        query = f"?{e.query}" if e.query else ""
        out.append(
            Exchange(
                cassette="fake",
                index=index,
                method=e.method,
                uri=f"https://api.github.com{e.path}{query}",
                request_headers={"Content-Type": "application/json"},
                request_body=json.dumps(e.body).encode() if e.body is not None else None,
                status=e.status,
                response_headers={},
                response_body=json.dumps(e.answer).encode() if e.answer is not None else b"",
            )
        )
    return out


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_exchange_follows_the_openapi_description(
    name: str, engine: Engine, client: GitHub, fake: FakeGitHub
) -> None:
    scenario = SCENARIOS[name]
    scenario.arrange(fake)
    add_item(engine, scenario.branch, scenario.requested)
    plans = plan_protection(engine, client, method=scenario.method)  # type: ignore[arg-type]
    report = apply_protection(engine, client, plans, allow_unseen_checks=True)
    assert report.ok, report
    assert verify_protection(engine, client).ok
    checked = exchanges(fake)
    assert {f"{e.method} {e.status}" for e in checked} >= {"GET 200"}
    for exchange in checked:
        validate_request(exchange)
        if str(exchange.status) in documented_statuses(exchange):
            validate_response(exchange)
