"""Plan, apply and verify branch protection against recorded GitHub exchanges."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from followup import clock
from followup.config import ProtectionMethod
from followup.github import ClientOptions, GitHub
from followup.github import protection as rest
from followup.github.protection_classic import LiveProtection, parse_classic
from followup.store import session_scope
from followup.store.models import EventRow, ItemRow, PostMortemRow
from followup.sync.drift import verify_protection
from followup.sync.progress import SilentProgress
from followup.sync.protect import (
    ProtectionPlan,
    ProtectionReport,
    apply_protection,
    plan_protection,
)
from tests.conftest import SCRATCH_REPO
from tests.github.protection_helpers import protection_json

# The scratch repository the cassettes were recorded against (see tests/cassettes/README.md).
REPO = SCRATCH_REPO
NOW = datetime(2024, 5, 6, 7, 8, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def client(github_token: str) -> GitHub:
    return GitHub(github_token, ClientOptions(write_interval=0, backoff=0, max_retries=0))


def add_item(
    engine: Engine,
    item_id: str,
    branch: str,
    *,
    repo: str | None = REPO,
    position: int = 0,
    **settings: Any,
) -> None:
    """Store one pending protection item asking for exactly these settings."""
    now = clock.now()
    with session_scope(engine) as session:
        pm = session.exec(select(PostMortemRow)).first()
        if pm is None:
            pm = PostMortemRow(
                slug="2019-12-05-gh-pages",
                path="/nowhere/2019-12-05-gh-pages.md",
                title="Docs offline",
                source="# Docs offline\n",
                content_hash="x",
                imported_at=now,
                updated_at=now,
            )
            session.add(pm)
            session.flush()
        assert pm.id is not None
        session.add(
            ItemRow(
                id=item_id,
                postmortem_id=pm.id,
                position=position,
                title=f"Protect {branch}",
                text=f"Protect {branch}",
                fingerprint=f"protect {branch} {item_id}",
                line=1 + position,
                kind="branch_protection",
                repo=repo,
                status="open",
                protection={"repo": repo, "branch": branch, **settings},
                created_at=now,
                updated_at=now,
            )
        )


def item(engine: Engine, item_id: str) -> ItemRow:
    with session_scope(engine) as session:
        row = session.get(ItemRow, item_id)
        assert row is not None
        return row


def events(engine: Engine, item_id: str) -> list[EventRow]:
    with session_scope(engine) as session:
        return list(session.exec(select(EventRow).where(EventRow.item_id == item_id)))


def protect(
    engine: Engine, client: GitHub, method: ProtectionMethod = "auto", **kwargs: Any
) -> tuple[list[ProtectionPlan], ProtectionReport]:
    plans = plan_protection(engine, client, method=method, **kwargs)
    return plans, apply_protection(engine, client, plans, progress=SilentProgress())


def recorded_body(cassette: Any, method: str) -> Any:
    (request,) = [r for r in cassette.requests if r.method == method]
    return json.loads(request.body)


def writes(cassette: Any) -> list[str]:
    return [f"{r.method} {r.path}" for r in cassette.requests if r.method != "GET"]


@pytest.mark.vcr
def test_an_unprotected_branch_is_protected_and_verified(
    engine: Engine, client: GitHub, vcr: Any
) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    plans, report = protect(engine, client)
    (plan,) = plans
    assert plan.method == "classic" and not plan.satisfied and plan.error is None
    assert [(r.setting, r.live, r.new) for r in plan.changes] == [
        ("protection", "none", "classic"),
        ("allow_deletions", True, False),
        ("allow_force_pushes", True, False),
    ]
    assert [r.outcome for r in report.results] == ["done"]
    row = item(engine, "gh00001")
    assert row.status == "done" and row.status_reason is None
    assert row.verified_at is not None
    assert row.protection_applied is not None
    assert row.protection_applied["method"] == "classic"
    assert row.protection_applied["settings"] == {"allow_deletions": False}
    assert row.protection_applied["verified"] is True
    history = {e.field: e for e in events(engine, "gh00001")}
    assert (history["status"].old, history["status"].new) == ("open", "done")
    assert history["protection"].new == "classic: allow_deletions=false"
    assert history["protection"].detail is not None
    assert {c["setting"] for c in history["protection"].detail["changes"]} == {
        "protection",
        "allow_deletions",
        "allow_force_pushes",
    }
    assert vcr.all_played


@pytest.mark.vcr
def test_existing_reviews_and_status_checks_survive(
    engine: Engine, client: GitHub, vcr: Any
) -> None:
    add_item(
        engine,
        "main001",
        "main",
        allow_deletions=False,
        required_signatures=True,
        required_approving_review_count=1,
        contexts=["ci/docs"],
    )
    # Asked for classic: auto would add a ruleset rather than rewrite someone's protection.
    plans, report = protect(engine, client, "classic")
    review_row = next(r for r in plans[0].rows if r.setting == "required_approving_review_count")
    assert (review_row.live, review_row.new) == (2, 2) and "kept" in review_row.note
    assert report.results[0].outcome == "done", report.results[0].message
    put = recorded_body(vcr, "PUT")
    # What was there before is all still sent: reviews, checks, restrictions, admin enforcement.
    assert put["required_pull_request_reviews"]["required_approving_review_count"] == 2
    assert put["required_pull_request_reviews"]["dismiss_stale_reviews"] is True
    assert put["required_pull_request_reviews"]["dismissal_restrictions"]["teams"] == [
        "justice-league"
    ]
    assert put["required_status_checks"] == {
        "strict": True,
        "contexts": ["continuous-integration/travis-ci", "ci/docs"],
    }
    assert put["restrictions"]["apps"] == ["octoapp"]
    assert put["enforce_admins"] is True and put["required_linear_history"] is True
    assert put["lock_branch"] is True and put["allow_fork_syncing"] is True
    assert put["allow_deletions"] is False
    # The PUT lost the check's app binding; it is put back, then signatures switched on.
    assert recorded_body(vcr, "PATCH")["checks"][0] == {
        "context": "continuous-integration/travis-ci",
        "app_id": 15368,
    }
    assert writes(vcr) == [
        f"PUT /repos/{REPO}/branches/main/protection",
        f"PATCH /repos/{REPO}/branches/main/protection/required_status_checks",
        f"POST /repos/{REPO}/branches/main/protection/required_signatures",
    ]
    assert vcr.all_played


@pytest.mark.vcr
def test_an_already_satisfied_item_sends_no_write(engine: Engine, client: GitHub, vcr: Any) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    plans, report = protect(engine, client)
    assert plans[0].satisfied and not plans[0].writes
    assert [(r.setting, r.note) for r in plans[0].rows] == [
        ("allow_deletions", "already in effect")
    ]
    assert report.results[0].outcome == "already"
    assert client.stats.writes == 0 and writes(vcr) == []
    row = item(engine, "gh00001")
    assert row.status == "done"
    assert row.protection_applied is not None and row.protection_applied["changes"] == []
    assert [e.field for e in events(engine, "gh00001")] == ["status"]
    assert vcr.all_played


@pytest.mark.vcr
def test_a_missing_branch_gets_a_ruleset(engine: Engine, client: GitHub, vcr: Any) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    plans, report = protect(engine, client)
    (plan,) = plans
    assert plan.method == "ruleset"
    assert plan.note is not None and "does not exist yet" in plan.note
    assert plan.rows[0].new == "followup: gh-pages (active)"
    assert report.results[0].outcome == "done"
    body = recorded_body(vcr, "POST")
    assert body["conditions"]["ref_name"]["include"] == ["refs/heads/gh-pages"]
    assert body["rules"] == [{"type": "deletion"}]
    applied = item(engine, "gh00001").protection_applied
    assert applied is not None
    assert (applied["method"], applied["ruleset_id"]) == ("ruleset", 101)
    assert item(engine, "gh00001").status == "done"
    assert vcr.all_played


@pytest.mark.vcr
def test_a_pattern_updates_the_existing_followup_ruleset(
    engine: Engine, client: GitHub, vcr: Any
) -> None:
    add_item(engine, "rel0001", "release/*", allow_deletions=False, allow_force_pushes=False)
    plans, report = protect(engine, client)
    (plan,) = plans
    assert plan.method == "ruleset" and plan.ruleset_id == 314
    assert plan.rows[0].cells() == (
        "ruleset",
        "followup: release/* (evaluate)",
        "followup: release/* (active)",
        "updated and switched on for this branch",
    )
    assert report.results[0].outcome == "done"
    assert writes(vcr) == [f"PUT /repos/{REPO}/rulesets/314"]  # no duplicate
    body = recorded_body(vcr, "PUT")
    assert body["rules"][0]["parameters"]["required_approving_review_count"] == 2
    assert body["bypass_actors"] == [
        {"actor_id": 234, "actor_type": "Team", "bypass_mode": "always"}
    ]
    assert vcr.all_played


@pytest.mark.vcr
def test_not_an_admin_is_told_so_and_other_items_proceed(
    engine: Engine, client: GitHub, vcr: Any
) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    add_item(engine, "web0001", "main", repo="octo-org/website", position=1, allow_deletions=False)
    plans, report = protect(engine, client)
    assert plans[0].error is not None and f"may not administer {REPO}" in plans[0].error
    assert [r.outcome for r in report.results] == ["failed", "already"]
    assert not report.ok and report.failed == 1
    failed = item(engine, "gh00001")
    assert failed.status == "open"
    assert failed.status_reason == plans[0].error
    assert "\n" not in failed.status_reason
    assert item(engine, "web0001").status == "done"
    assert vcr.all_played


@pytest.mark.vcr
def test_a_missing_repository_is_told_so(engine: Engine, client: GitHub) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    (plan,) = plan_protection(engine, client)
    assert plan.error is not None
    assert plan.error.startswith(f"repository {REPO} not found")


@pytest.mark.vcr
def test_a_private_repository_on_a_free_plan_is_told_to_upgrade(
    engine: Engine, client: GitHub
) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    _, report = protect(engine, client)
    message = report.results[0].message
    assert "is private" in message and "GitHub Pro" in message
    row = item(engine, "gh00001")
    assert row.status == "open" and row.status_reason == message


@pytest.mark.vcr
def test_a_token_without_administration_is_told_so(engine: Engine, client: GitHub) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    (plan,) = plan_protection(engine, client)
    assert plan.error is not None and "Administration: write" in plan.error


@pytest.mark.vcr
def test_classic_on_a_missing_branch_says_what_to_do(engine: Engine, client: GitHub) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    (plan,) = plan_protection(engine, client, method="classic")
    assert plan.error is not None
    assert plan.error.startswith(f"branch gh-pages does not exist in {REPO}")
    assert "protection_method" in plan.error


def test_an_item_without_a_repository_says_how_to_give_one(engine: Engine, client: GitHub) -> None:
    add_item(engine, "gh00001", "gh-pages", repo=None, allow_deletions=False)
    _, report = protect(engine, client)  # no cassette: no request may be sent
    assert "--repo" in report.results[0].message and "repo:" in report.results[0].message
    assert item(engine, "gh00001").status_reason == report.results[0].message


def test_a_pattern_with_classic_protection_is_refused(engine: Engine, client: GitHub) -> None:
    add_item(engine, "rel0001", "release/*", allow_deletions=False)
    (plan,) = plan_protection(engine, client, method="classic")
    assert plan.error is not None and "needs a ruleset" in plan.error


@pytest.mark.vcr
def test_a_setting_missing_after_the_write_is_not_done(
    engine: Engine, client: GitHub, vcr: Any
) -> None:
    add_item(engine, "main001", "main", allow_deletions=False, required_linear_history=True)
    _, report = protect(engine, client)
    (result,) = report.results
    assert result.outcome == "unverified" and not report.ok
    row = item(engine, "main001")
    assert row.status == "open" and row.verified_at is None
    assert row.status_reason is not None
    assert "require linear history is no (wanted yes)" in row.status_reason
    assert row.protection_applied is not None and row.protection_applied["verified"] is False
    protection_event = next(e for e in events(engine, "main001") if e.field == "protection")
    assert protection_event.detail is not None and protection_event.detail["verified"] is False
    assert vcr.all_played


@pytest.mark.vcr
def test_a_put_without_an_answer_is_checked_by_reading_back(
    engine: Engine, client: GitHub, vcr: Any
) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    _, report = protect(engine, client)
    assert report.results[0].outcome == "done"
    assert client.stats.writes == 1  # the PUT was not sent twice
    assert vcr.all_played


@pytest.mark.vcr
def test_drift_is_detected_and_protect_puts_it_back(
    engine: Engine, client: GitHub, vcr: Any
) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    protect(engine, client)
    assert item(engine, "gh00001").status == "done"

    report = verify_protection(engine, client)
    (result,) = report.results
    assert result.outcome == "regressed" and not report.ok
    row = item(engine, "gh00001")
    assert row.status == "regressed"
    assert row.status_reason is not None
    assert row.status_reason.startswith("drift seen 2024-05-06 07:08 UTC: allow deletions is yes")
    drift = [e for e in events(engine, "gh00001") if e.new == "regressed"]
    assert len(drift) == 1 and drift[0].detail is not None
    assert drift[0].detail["seen_at"] == NOW.isoformat()
    assert drift[0].detail["weakened"] == [
        {"setting": "allow_deletions", "wanted": False, "live": True}
    ]

    again = verify_protection(engine, client)
    assert again.results[0].outcome == "still_regressed"
    assert len([e for e in events(engine, "gh00001") if e.new == "regressed"]) == 1

    plans, applied = protect(engine, client)  # regressed items are pending again
    assert [p.item_id for p in plans] == ["gh00001"]
    assert applied.results[0].outcome == "done"
    assert item(engine, "gh00001").status == "done"
    statuses = [(e.old, e.new) for e in events(engine, "gh00001") if e.field == "status"]
    assert statuses == [("open", "done"), ("done", "regressed"), ("regressed", "done")]
    assert vcr.all_played


@pytest.mark.vcr
def test_a_regressed_item_whose_setting_is_back_is_done_again(
    engine: Engine, client: GitHub, vcr: Any
) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    protect(engine, client)
    first = verify_protection(engine, client)
    assert first.results[0].outcome == "regressed"
    assert "gh-pages is no longer protected" in first.results[0].message
    second = verify_protection(engine, client)
    assert second.results[0].outcome == "restored" and second.ok
    row = item(engine, "gh00001")
    assert row.status == "done" and row.status_reason is None
    assert vcr.all_played


@pytest.mark.vcr
def test_a_deleted_branch_is_drift(engine: Engine, client: GitHub) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    protect(engine, client)
    (result,) = verify_protection(engine, client).results
    assert result.outcome == "regressed"
    assert result.message.startswith("branch gh-pages no longer exists")


@pytest.mark.vcr
def test_a_disabled_ruleset_is_drift(engine: Engine, client: GitHub, vcr: Any) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    protect(engine, client)
    (result,) = verify_protection(engine, client).results
    assert result.outcome == "regressed"
    assert item(engine, "gh00001").status == "regressed"
    assert vcr.all_played


@pytest.mark.vcr
def test_items_on_one_branch_share_their_reads(engine: Engine, client: GitHub, vcr: Any) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    add_item(engine, "gh00002", "gh-pages", position=1, allow_force_pushes=False)
    plans = plan_protection(engine, client)
    # One read of the protection and one of the rules in effect, for both items.
    assert client.stats.requests == 2
    assert [p.satisfied for p in plans] == [False, False]
    report = apply_protection(engine, client, plans)
    # A re-read, the PUT and a verifying read; the second item is met by the first's PUT.
    assert client.stats.requests == 5
    assert [r.outcome for r in report.results] == ["done", "already"]
    verified = verify_protection(engine, client)
    assert client.stats.requests == 6 and verified.reads == 1
    assert [r.outcome for r in verified.results] == ["ok", "ok"]
    assert vcr.all_played


def mark_done(engine: Engine, item_id: str, branch: str) -> None:
    """Record an item as protected by followup earlier, the way apply_protection does."""
    with session_scope(engine) as session:
        row = session.get(ItemRow, item_id)
        assert row is not None
        row.status = "done"
        row.protection_applied = {
            "method": "classic",
            "repo": REPO,
            "branch": branch,
            "ruleset_id": None,
            "settings": {"allow_deletions": False},
        }


def test_verify_reads_branches_in_parallel(
    engine: Engine, client: GitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n, branch in enumerate(("gh-pages", "main", "docs")):
        add_item(engine, f"it{n:05d}", branch, position=n, allow_deletions=False)
        mark_done(engine, f"it{n:05d}", branch)
    # All three reads must be in flight at once to pass the barrier.
    barrier = threading.Barrier(3, timeout=5)
    callers: list[GitHub] = []
    answers = {
        "gh-pages": parse_classic(protection_json(allow_deletions=False)),
        "main": parse_classic(protection_json(allow_deletions=True)),
    }

    def fake_read(
        caller: GitHub, repo: str, branch: str, etag: str | None
    ) -> tuple[LiveProtection, str | None]:
        callers.append(caller)
        caller.stats.requests += 1
        barrier.wait()
        if branch not in answers:
            raise rest.BranchNotFound("gone", status=404)
        return answers[branch], None

    monkeypatch.setattr(rest, "get_protection_if_changed", fake_read)
    report = verify_protection(engine, client, concurrency=3)
    assert {r.item_id: r.outcome for r in report.results} == {
        "it00000": "ok",
        "it00001": "regressed",
        "it00002": "regressed",
    }
    assert len({id(c) for c in callers}) == 3 and client not in callers  # a client per thread
    assert report.reads == 3 and client.stats.requests == 3  # the threads' reads count too
    assert "branch docs no longer exists" in str(item(engine, "it00002").status_reason)


class CancelAfter(SilentProgress):
    def __init__(self, steps: int) -> None:
        super().__init__()
        self.steps = steps

    def advance(self, label: str = "") -> None:
        self.steps -= 1

    def cancelled(self) -> bool:
        return self.steps <= 0


def test_cancelling_stops_between_items(engine: Engine, client: GitHub) -> None:
    add_item(engine, "gh00001", "gh-pages", repo=None, allow_deletions=False)
    add_item(engine, "gh00002", "gh-pages", repo=None, position=1, allow_deletions=False)
    plans = plan_protection(engine, client, progress=CancelAfter(1))
    assert [p.item_id for p in plans] == ["gh00001"]
    report = apply_protection(engine, client, plans * 2, progress=CancelAfter(1))
    assert [r.outcome for r in report.results] == ["failed", "skipped"]


def test_verify_never_raises_for_a_refused_token(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    mark_done(engine, "gh00001", "gh-pages")
    from followup.github import AuthError

    def refuse(*args: object) -> object:
        raise AuthError("GitHub refused the token (401 Bad credentials)")

    monkeypatch.setattr(rest, "get_protection_if_changed", refuse)
    report = verify_protection(engine, GitHub("x", ClientOptions(write_interval=0)))
    assert report.error is not None and "401" in report.error
    assert [r.outcome for r in report.results] == ["error"]
    assert item(engine, "gh00001").status == "done"


@pytest.mark.vcr
def test_an_unchanged_branch_costs_no_points_and_writes_nothing(
    engine: Engine, client: GitHub, vcr: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_item(engine, "gh00001", "gh-pages", allow_deletions=False)
    mark_done(engine, "gh00001", "gh-pages")
    first = verify_protection(engine, client)
    assert first.results[0].outcome == "ok"
    judged = item(engine, "gh00001")
    assert judged.protection_applied is not None
    assert judged.protection_applied["etag"] == 'W/"prot-1"'

    later = NOW.replace(hour=9)
    monkeypatch.setattr(clock, "now", lambda: later)
    second = verify_protection(engine, client)
    assert second.results[0].outcome == "ok"
    assert vcr.requests[1].headers["If-None-Match"] == 'W/"prot-1"'
    assert client.stats.not_modified == 1
    unchanged = item(engine, "gh00001")
    assert (unchanged.verified_at, unchanged.updated_at) == (judged.verified_at, judged.updated_at)

    # Someone allowed deletions: the ETag changes, the full answer is judged again.
    third = verify_protection(engine, client)
    assert third.results[0].outcome == "regressed"
    assert vcr.requests[2].headers["If-None-Match"] == 'W/"prot-1"'
    regressed = item(engine, "gh00001")
    assert regressed.protection_applied is not None
    assert regressed.protection_applied["etag"] == 'W/"prot-2"'
    assert vcr.all_played
