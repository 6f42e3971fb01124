"""The fake GitHub speaks GitHub's API: every request followup sends it, and every answer."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine

from followup.github.client import GitHub
from followup.github.issues import remove_label
from followup.store import create_store_engine
from followup.sync.drift import verify_protection
from followup.sync.filing import file_items
from followup.sync.importing import import_files
from followup.sync.mirror import push_priority
from followup.sync.polling import sync_all
from followup.sync.progress import SilentProgress
from followup.sync.protect import apply_protection, plan_protection
from tests.contract.github_api import (
    Exchange,
    documented_statuses,
    validate_request,
    validate_response,
)
from tests.fakegithub import FakeGitHub
from tests.faults import racing
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


def test_racing_filings_and_their_converge_follow_the_openapi_description(
    tmp_path: Path, fake: FakeGitHub
) -> None:
    """Issues, labels, assignees and comments: every request and answer of two stores racing."""
    fake.assignable.add(racing.OWNER)
    fake.barrier("POST issues", parties=2)
    path = racing.write_postmortem(tmp_path, 3)
    engines = [create_store_engine(f"sqlite:///{tmp_path / name}") for name in ("a.db", "b.db")]
    errors: list[BaseException] = []

    def run(engine: Engine, who: str) -> None:
        try:
            import_files(engine, [path], default_repo=racing.REPO)
            # Paced: each create is preceded by a look (sync/filing_look.py).
            file_items(engine, fake.client(who, write_interval=0.05), progress=SilentProgress())
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=pair) for pair in zip(engines, "AB", strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    fake.reopen(racing.REPO, max(i["number"] for i in fake.all_issues(racing.REPO)))
    sync_all(engines[0], fake.client, concurrency=1, progress=SilentProgress())
    for engine in engines:
        engine.dispose()

    assert errors == []
    endpoints = set(fake.requests())
    assert any("since=" in e.query for e in fake.exchanges if e.endpoint == "GET issues")
    assert {"POST issues", "GET issues", "PATCH issue", "GET issue", "POST comments"} <= endpoints
    for exchange in exchanges(fake):
        if exchange.uri.endswith("/graphql"):
            # The fake serves REST only. The sync asks GraphQL about the reopened issue
            # when this store is the racer that created it (which one did varies); the
            # fake's 404 to that is not GitHub's answer, and tests/contract checks queries.
            continue
        validate_request(exchange)
        if str(exchange.status) in documented_statuses(exchange):
            validate_response(exchange)


def test_the_priority_label_endpoints_follow_the_openapi_description(
    client: GitHub, fake: FakeGitHub
) -> None:
    """A label read, created, added to an issue and removed from it, as a priority push does."""
    number = fake.add_issue(racing.REPO, "Add an alert", labels=("followup", "priority:P2"))
    push_priority(client, racing.REPO, number, "P0", ("followup", "priority:P2"))
    now = push_priority(client, racing.REPO, number, "P1", ("followup", "priority:P0"))
    gone = remove_label(client, racing.REPO, number, "priority:P0")

    assert gone is None  # the issue no longer has it: GitHub's 404
    assert sorted(now.labels) == ["followup", "priority:P1"]
    assert [label["name"] for label in fake.issue(racing.REPO, number)["labels"]] == [
        "followup",
        "priority:P1",
    ]
    assert {"GET label", "POST labels", "POST issue labels", "DELETE issue label"} <= set(
        fake.requests()
    )
    for exchange in exchanges(fake):
        validate_request(exchange)
        if str(exchange.status) in documented_statuses(exchange):
            validate_response(exchange)
