"""Issue 9 §2, case by case: protection is never weakened, and never called verified when it is."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import Engine

from followup.github.client import GitHub
from followup.store.locks import StoreLock
from followup.store.protection import protection_of
from followup.sync.drift import verify_protection
from followup.sync.protect import apply_protection, plan_protection
from followup.sync.protect_record import WRITE_EVENT
from tests.fakegithub import FakeGitHub
from tests.fakegithub.protection_shapes import classic, reviews
from tests.faults.scenarios import ITEM, REPO, SCENARIOS, add_item, events, item

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

PUT_CASE = SCENARIOS["classic PUT over an admin's protection"]
WRITES = (
    "PUT protection",
    "PATCH checks",
    "POST contexts",
    "PATCH reviews",
    "POST enforce_admins",
    "POST signatures",
    "POST rulesets",
    "PUT ruleset",
)


def protect(engine: Engine, client: GitHub, method: Any = "auto", **options: Any) -> Any:
    plans = plan_protection(engine, client, method=method)
    return plans, apply_protection(engine, client, plans, **options)


def write_events(engine: Engine) -> list[str]:
    return [str(e.new) for e in events(engine) if e.field == WRITE_EVENT]


# -- writes that fail half-way ------------------------------------------------------------------


def test_a_put_whose_answer_was_lost_is_checked_whole_and_what_it_weakened_restored(
    engine: Engine, client: GitHub, fake: FakeGitHub
) -> None:
    PUT_CASE.arrange(fake)
    add_item(engine, "main", PUT_CASE.requested)
    before = fake.state()
    fake.fail("PUT protection", "drop_after")
    _, report = protect(engine, client, "classic")
    (result,) = report.results
    assert result.outcome == "done", result.message
    # The PUT switched signed commits off and unbound the check: both were seen and put back.
    assert result.restored == (
        "require signed commits went from yes to no",
        "app binding of ci/build went from app 15368 to any app",
    )
    assert "restored what a write had weakened" in result.message
    assert fake.weakened_since(before) == []
    assert write_events(engine) == [
        "started",
        "uncertain: PUT …/protection",
        "found weaker after writing: require signed commits went from yes to no; "
        "app binding of ci/build went from app 15368 to any app",
    ]
    assert protection_of(item(engine)).intent is None  # type: ignore[union-attr]


def test_a_write_that_keeps_failing_is_not_done_says_what_is_weaker_and_is_restored_later(
    engine: Engine, client: GitHub, fake: FakeGitHub
) -> None:
    PUT_CASE.arrange(fake)
    add_item(engine, "main", PUT_CASE.requested)
    before = fake.state()
    for _ in range(3):
        fake.fail("POST signatures", "502_before")
    _, report = protect(engine, client, "classic")
    (result,) = report.results
    assert result.outcome == "failed"
    assert "weaker than before the run and not restored" in result.message
    assert "require signed commits went from yes to no" in result.message
    row = item(engine)
    assert row.status == "open" and row.status_reason == result.message
    assert fake.weakened_since(before) == ["main: required_signatures"]

    # verify and sync do not call it "in effect": the unfinished write is reported.
    checked = verify_protection(engine, client, item_ids=[ITEM])
    assert [r.outcome for r in checked.results] == ["error"]
    assert "may have left it weaker" in checked.results[0].message and not checked.ok

    # The next run finds the intent, restores signed commits first, and only then is done.
    plans, again = protect(engine, client, "classic")
    assert any("restores" in w for w in plans[0].warnings)
    assert [r.outcome for r in again.results] == ["done"]
    assert fake.weakened_since(before) == []
    assert protection_of(item(engine)).intent is None  # type: ignore[union-attr]


def test_a_rerun_after_a_lost_status_check_patch_restores_the_binding_not_already_in_effect(
    engine: Engine, client: GitHub, fake: FakeGitHub
) -> None:
    PUT_CASE.arrange(fake)
    add_item(engine, "main", PUT_CASE.requested)
    before = fake.state()
    for _ in range(3):
        fake.fail("PATCH checks", "502_before")
    _, first = protect(engine, client, "classic")
    # Every requested setting is in effect, yet the check lost its app: not done.
    assert fake.missing(REPO, "main", PUT_CASE.requested) == []
    assert [r.outcome for r in first.results] == ["failed"]
    assert "app binding of ci/build went from app 15368 to any app" in first.results[0].message
    # The failing PATCH did not hold up the other restores: signed commits are back.
    assert fake.weakened_since(before) == ["main: check ci/build lost its app"]
    plans, again = protect(engine, client, "classic")
    assert not plans[0].satisfied
    assert [r.outcome for r in again.results] == ["done"]
    assert fake.requests("PATCH checks")[-1:] == ["PATCH checks"]
    assert fake.weakened_since(before) == []


def test_signed_commits_the_answer_does_not_mention_are_asked_for_and_kept(
    engine: Engine, client: GitHub, fake: FakeGitHub
) -> None:
    PUT_CASE.arrange(fake)
    fake.reports_signatures = False
    add_item(engine, "main", PUT_CASE.requested)
    before = fake.state()
    fake.fail("POST signatures", "502_before")
    _, report = protect(engine, client, "classic")
    assert [r.outcome for r in report.results] == ["done"]
    assert fake.weakened_since(before) == []
    # Asked before the PUT (which switched them off) and after each read that followed.
    assert fake.requests("GET signatures", "PUT protection")[:2] == [
        "GET signatures",
        "PUT protection",
    ]
    snapshot = protection_of(item(engine)).applied  # type: ignore[union-attr]
    assert snapshot is not None and snapshot.verified


# -- answers no write may be built from ---------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        {},
        {"url": "https://api.github.com/x", "enforce_admins": {"enabled": True}},
    ],
    ids=["empty", "partial"],
)
def test_an_empty_or_partial_protection_is_an_error_and_nothing_is_written(
    engine: Engine, client: GitHub, fake: FakeGitHub, answer: dict[str, Any]
) -> None:
    PUT_CASE.arrange(fake)
    add_item(engine, "main", PUT_CASE.requested)
    before = fake.state()
    for _ in range(2):  # the plan's read and apply's
        fake.answer("GET protection", 200, answer)
    plans, report = protect(engine, client, "classic")
    assert plans[0].error is not None and "is not a branch protection" in plans[0].error
    assert [r.outcome for r in report.results] == ["failed"]
    assert fake.requests(*WRITES) == []
    assert fake.weakened_since(before) == []


def test_an_empty_protection_read_after_a_write_is_not_verified(
    engine: Engine, client: GitHub, fake: FakeGitHub
) -> None:
    PUT_CASE.arrange(fake)
    add_item(engine, "main", PUT_CASE.requested)
    plans = plan_protection(engine, client, method="classic")
    fake.when("PUT protection", lambda f: f.answer("GET protection", 200, {}))
    report = apply_protection(engine, client, plans)
    (result,) = report.results
    assert result.outcome == "failed" and "could not read the protection back" in result.message
    assert protection_of(item(engine)).intent is not None  # type: ignore[union-attr]


def test_drift_reads_an_empty_answer_as_an_error_not_as_unprotected(
    engine: Engine, client: GitHub, fake: FakeGitHub
) -> None:
    PUT_CASE.arrange(fake)
    add_item(engine, "main", PUT_CASE.requested)
    protect(engine, client, "classic")
    fake.answer("GET protection", 200, {})
    checked = verify_protection(engine, client)
    assert [r.outcome for r in checked.results] == ["error"]
    assert item(engine).status == "done"


# -- someone else writing meanwhile -------------------------------------------------------------


def admin_tightens(fake: FakeGitHub) -> None:
    """An admin asks for 4 reviews, locks the branch and requires one more check."""
    state = fake.branches[(REPO, "main")].protection
    assert state is not None
    state["reviews"]["count"] = 4
    state["lock_branch"] = True
    state["checks"].append(("ci/extra", None))


def assert_admins_settings_kept(fake: FakeGitHub) -> None:
    state = fake.branches[(REPO, "main")].protection
    assert state is not None
    assert state["reviews"]["count"] == 4 and state["lock_branch"]
    assert ("ci/extra", None) in state["checks"]


def test_auto_adds_a_ruleset_rather_than_rewrite_an_admins_protection(
    engine: Engine, client: GitHub, fake: FakeGitHub
) -> None:
    PUT_CASE.arrange(fake)
    add_item(engine, "main", PUT_CASE.requested)
    fake.when("GET protection", admin_tightens)  # right after followup's read
    plans, report = protect(engine, client)
    assert plans[0].method == "ruleset" and plans[0].note is not None
    assert "nothing set there is rewritten" in plans[0].note
    assert [r.outcome for r in report.results] == ["done"]
    assert "PUT protection" not in fake.requests()
    assert_admins_settings_kept(fake)
    assert fake.missing(REPO, "main", PUT_CASE.requested) == []


def test_classic_keeps_what_an_admin_tightened_after_the_plan(
    engine: Engine, client: GitHub, fake: FakeGitHub
) -> None:
    PUT_CASE.arrange(fake)
    add_item(engine, "main", PUT_CASE.requested)
    plans = plan_protection(engine, client, method="classic")
    admin_tightens(fake)  # while the user reads the plan
    report = apply_protection(engine, client, plans)
    assert [r.outcome for r in report.results] == ["done"]
    assert_admins_settings_kept(fake)


@pytest.mark.xfail(
    strict=True,
    reason="classic protection has no conditional write: a change landing between "
    "followup's last read and its PUT is replaced by the PUT (see docs/protection.md)",
)
def test_classic_keeps_what_an_admin_tightened_between_the_read_and_the_put(
    engine: Engine, client: GitHub, fake: FakeGitHub
) -> None:
    PUT_CASE.arrange(fake)
    add_item(engine, "main", PUT_CASE.requested)
    plans = plan_protection(engine, client, method="classic")
    fake.when("GET protection", admin_tightens)  # apply's read right before the PUT
    apply_protection(engine, client, plans)
    assert_admins_settings_kept(fake)


def test_a_branch_another_run_is_protecting_is_left_alone_until_it_is_done(
    engine: Engine, client: GitHub, fake: FakeGitHub
) -> None:
    PUT_CASE.arrange(fake)
    add_item(engine, "main", PUT_CASE.requested)
    (plan,) = plan_protection(engine, client, method="classic")
    held, release = threading.Event(), threading.Event()

    def other_run() -> None:  # another run of this store, protecting the same branch
        with StoreLock(engine).locked(plan.target):
            held.set()
            release.wait(30)

    other = threading.Thread(target=other_run)
    other.start()
    try:
        assert held.wait(10)
        report = apply_protection(engine, client, [plan], lock_timeout=0.3)
    finally:
        release.set()
        other.join()
    (result,) = report.results
    assert result.outcome == "failed"
    assert result.message.startswith(f"another followup run has been working on {plan.target}")
    assert fake.requests(*WRITES) == []
    assert protection_of(item(engine)).intent is None  # type: ignore[union-attr]
    # Once the other run is done, this one goes ahead.
    (result,) = apply_protection(engine, client, [plan], lock_timeout=0.3).results
    assert result.outcome == "done", result.message


# -- checks that never ran, rules that already apply ---------------------------------------------


def test_a_check_that_never_reported_is_not_required_unless_allowed(
    engine: Engine, client: GitHub, fake: FakeGitHub
) -> None:
    fake.branch(REPO, "main", classic(reviews=reviews(1))).reported = ["ci/build"]
    add_item(engine, "main", {"contexts": ["ci/build", "ci/typo"]})
    plans, report = protect(engine, client)
    assert plans[0].unseen_checks == ("ci/typo",)
    warning = "ci/typo never reported on the latest commit of main"
    assert any(warning in w for w in plans[0].warnings)
    (result,) = report.results
    assert result.outcome == "failed" and "--allow-unseen-checks" in result.message
    assert fake.requests(*WRITES) == []
    _, allowed = protect(engine, client, allow_unseen_checks=True)
    assert [r.outcome for r in allowed.results] == ["done"]
    assert fake.missing(REPO, "main", {"contexts": ["ci/build", "ci/typo"]}) == []


def test_a_plan_says_which_rulesets_already_enforce_a_setting(
    engine: Engine, client: GitHub, fake: FakeGitHub
) -> None:
    fake.branch(REPO, "main", classic(allow_deletions=True))
    fake.org_rules[(REPO, "main")] = [
        {
            "type": "deletion",
            "ruleset_source_type": "Organization",
            "ruleset_source": "octo-org",
            "ruleset_id": 73,
        }
    ]
    add_item(engine, "main", {"allow_deletions": False})
    (plan,) = plan_protection(engine, client, method="classic")
    assert plan.enforced == (("allow_deletions", "ruleset 73 of organisation octo-org"),)
    row = next(r for r in plan.rows if r.setting == "allow_deletions")
    assert row.note.endswith("also enforced by ruleset 73 of organisation octo-org")
