"""Classic plans tighten only, restore what interrupted runs lost, and write no more than needed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from followup.github.classic_plan import Write, plan_classic, put_payload, writes_toward
from followup.github.protection_classic import (
    NEWLY_PROTECTED,
    UNPROTECTED,
    Actors,
    LiveProtection,
    Reviews,
    StatusCheck,
    StatusChecks,
    parse_classic,
)
from followup.github.protection_compare import weakenings
from followup.github.protection_mapping import (
    NOTE_DEFAULT,
    NOTE_IN_EFFECT,
    NOTE_REQUESTED,
    NOTE_RESTORE,
)
from tests.github.protection_helpers import (
    assert_valid_put,
    assert_valid_write,
    full_example,
    protection_json,
)


@pytest.fixture
def full_live() -> LiveProtection:
    return parse_classic(full_example())


def names(writes: list[Write]) -> list[str]:
    return [w.name for w in writes]


def assert_valid(writes: list[Write]) -> None:
    for write in writes:
        assert_valid_write(write.method, write.endpoint, write.body)


# -- plans --------------------------------------------------------------------------------------


def test_an_unprotected_branch_gets_the_setting_and_githubs_defaults() -> None:
    plan = plan_classic(UNPROTECTED, {"allow_deletions": False})
    assert not plan.satisfied
    assert plan.desired == NEWLY_PROTECTED
    assert [(r.setting, r.live, r.new, r.note) for r in plan.rows] == [
        ("protection", "none", "classic", "the branch is not protected yet"),
        ("allow_deletions", True, False, NOTE_REQUESTED),
        ("allow_force_pushes", True, False, NOTE_DEFAULT),
    ]
    writes = writes_toward(plan.live, plan.desired)
    assert names(writes) == ["PUT …/protection"]
    assert writes[0].body == {
        "required_status_checks": None,
        "enforce_admins": False,
        "required_pull_request_reviews": None,
        "restrictions": None,
        "required_linear_history": False,
        "allow_force_pushes": False,
        "allow_deletions": False,
        "block_creations": False,
        "required_conversation_resolution": False,
        "lock_branch": False,
        "allow_fork_syncing": False,
    }
    assert_valid(writes)


def test_every_existing_setting_survives_a_tightening(full_live: LiveProtection) -> None:
    plan = plan_classic(full_live, {"allow_deletions": False, "required_approving_review_count": 1})
    payload = put_payload(plan.desired)
    assert_valid_put(payload)
    assert payload["allow_deletions"] is False
    # The live review requirement is stricter than the recommendation: kept, and the plan says so.
    assert payload["required_pull_request_reviews"] == {
        "dismiss_stale_reviews": True,
        "require_code_owner_reviews": True,
        "required_approving_review_count": 2,
        "require_last_push_approval": True,
        "dismissal_restrictions": {
            "users": ["octocat"],
            "teams": ["justice-league"],
            "apps": ["octoapp"],
        },
    }
    review_row = next(r for r in plan.rows if r.setting == "required_approving_review_count")
    assert (review_row.live, review_row.new, review_row.changed) == (2, 2, False)
    assert "stricter" in review_row.note and "kept" in review_row.note
    assert payload["required_status_checks"] == {
        "strict": True,
        "contexts": ["continuous-integration/travis-ci"],
    }
    assert payload["restrictions"] == {
        "users": ["octocat"],
        "teams": ["justice-league"],
        "apps": ["octoapp"],
    }
    for name in (
        "enforce_admins",
        "required_linear_history",
        "allow_force_pushes",
        "required_conversation_resolution",
        "lock_branch",
        "allow_fork_syncing",
    ):
        assert payload[name] is True, name
    # GitHub's example does not say whether creations are blocked: not sent, so not reset.
    assert "block_creations" not in payload
    assert [r.setting for r in plan.rows if r.changed] == ["allow_deletions"]


def test_bypass_allowances_are_sent_back_as_they_were() -> None:
    live = parse_classic(
        protection_json(
            allow_deletions=True,
            required_pull_request_reviews={
                "url": "https://api.github.com/x",
                "dismiss_stale_reviews": False,
                "require_code_owner_reviews": False,
                "required_approving_review_count": 1,
                "bypass_pull_request_allowances": {
                    "users": [{"login": "octocat"}],
                    "teams": [],
                    "apps": [],
                },
            },
        )
    )
    payload = put_payload(plan_classic(live, {"allow_deletions": False}).desired)
    assert payload["required_pull_request_reviews"]["bypass_pull_request_allowances"] == {
        "users": ["octocat"],
        "teams": [],
        "apps": [],
    }
    assert "dismissal_restrictions" not in payload["required_pull_request_reviews"]
    assert_valid_put(payload)


def test_a_new_review_requirement_gets_conservative_defaults() -> None:
    plan = plan_classic(NEWLY_PROTECTED, {"required_approving_review_count": 2})
    reviews = put_payload(plan.desired)["required_pull_request_reviews"]
    assert reviews == {
        "dismiss_stale_reviews": False,
        "require_code_owner_reviews": False,
        "required_approving_review_count": 2,
        "require_last_push_approval": False,
    }


def test_requested_checks_join_the_live_ones_with_their_app_bindings(
    full_live: LiveProtection,
) -> None:
    plan = plan_classic(full_live, {"contexts": ["ci/docs"]})
    assert plan.desired.required_status_checks == StatusChecks(
        strict=True,
        checks=(StatusCheck("continuous-integration/travis-ci", 15368), StatusCheck("ci/docs")),
    )
    row = next(r for r in plan.rows if r.setting == "contexts")
    assert row.note == "requested; existing checks kept"
    # A check is added on its own endpoint: nothing else is rewritten, no binding is lost.
    writes = writes_toward(plan.live, plan.desired)
    assert [(w.name, w.body) for w in writes] == [
        ("POST …/protection/required_status_checks/contexts", {"contexts": ["ci/docs"]})
    ]
    assert_valid(writes)


def test_a_satisfied_recommendation_changes_nothing() -> None:
    live = replace(NEWLY_PROTECTED, required_linear_history=True)
    plan = plan_classic(live, {"allow_deletions": False, "required_linear_history": True})
    assert plan.satisfied and plan.desired == live
    assert writes_toward(plan.live, plan.desired) == []
    assert [(r.setting, r.note) for r in plan.rows] == [
        ("allow_deletions", NOTE_IN_EFFECT),
        ("required_linear_history", NOTE_IN_EFFECT),
    ]


def test_a_weaker_recommendation_keeps_the_live_value(full_live: LiveProtection) -> None:
    live = replace(full_live, allow_deletions=False)
    plan = plan_classic(live, {"allow_deletions": True})
    assert plan.satisfied
    (row,) = plan.rows
    assert (row.live, row.new) == (False, False)
    assert row.note == "live is stricter than the requested yes; kept"


def test_what_an_interrupted_run_lost_is_planned_back() -> None:
    floor = replace(
        NEWLY_PROTECTED,
        required_signatures=True,
        required_status_checks=StatusChecks(checks=(StatusCheck("ci/build", 15368),)),
    )
    live = replace(
        NEWLY_PROTECTED, required_status_checks=StatusChecks(checks=(StatusCheck("ci/build"),))
    )
    plan = plan_classic(live, {"allow_deletions": False}, floor)
    assert not plan.satisfied and not plan.missing
    assert [w.setting for w in plan.restore] == ["required_signatures", "app binding of ci/build"]
    restored = [r for r in plan.rows if r.note == NOTE_RESTORE]
    assert [r.setting for r in restored] == ["required_signatures", "app binding of ci/build"]
    assert weakenings(floor, plan.desired) == []
    writes = writes_toward(plan.live, plan.desired)
    assert names(writes) == [
        "PATCH …/protection/required_status_checks",
        "POST …/protection/required_signatures",
    ]
    assert writes[0].body == {"strict": False, "checks": [{"context": "ci/build", "app_id": 15368}]}
    assert_valid(writes)


# -- the requests -------------------------------------------------------------------------------


def test_settings_with_an_endpoint_of_their_own_are_written_there() -> None:
    live = replace(
        NEWLY_PROTECTED,
        required_pull_request_reviews=Reviews(required_approving_review_count=1),
        required_status_checks=StatusChecks(checks=(StatusCheck("ci/a", 7),)),
    )
    plan = plan_classic(
        live,
        {
            "enforce_admins": True,
            "required_signatures": True,
            "required_approving_review_count": 2,
            "contexts": ["ci/a", "ci/b"],
        },
    )
    writes = writes_toward(plan.live, plan.desired)
    assert [(w.name, w.body) for w in writes] == [
        ("POST …/protection/enforce_admins", None),
        ("POST …/protection/required_status_checks/contexts", {"contexts": ["ci/b"]}),
        (
            "PATCH …/protection/required_pull_request_reviews",
            {"required_approving_review_count": 2},
        ),
        ("POST …/protection/required_signatures", None),
    ]
    assert_valid(writes)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("allow_deletions", False),
        ("allow_force_pushes", False),
        ("required_linear_history", True),
        ("required_conversation_resolution", True),
        ("lock_branch", True),
    ],
)
def test_a_setting_only_a_put_can_change_sends_the_whole_protection(
    setting: str, value: Any
) -> None:
    live = replace(
        NEWLY_PROTECTED,
        allow_deletions=True,
        allow_force_pushes=True,
        required_signatures=True,
        required_status_checks=StatusChecks(strict=True, checks=(StatusCheck("ci/a", 7),)),
    )
    plan = plan_classic(live, {setting: value})
    writes = writes_toward(plan.live, plan.desired)
    # The PUT resets signed commits and app bindings: both are sent again after it.
    assert names(writes) == [
        "PUT …/protection",
        "PATCH …/protection/required_status_checks",
        "POST …/protection/required_signatures",
    ]
    assert writes[0].body[setting] == value
    assert writes[1].body == {"strict": True, "checks": [{"context": "ci/a", "app_id": 7}]}
    assert_valid(writes)


def test_a_section_that_is_off_is_switched_on_by_a_put() -> None:
    plan = plan_classic(NEWLY_PROTECTED, {"contexts": ["ci/a"]})
    writes = writes_toward(plan.live, plan.desired)
    assert names(writes) == ["PUT …/protection"]
    assert writes[0].body["required_status_checks"] == {"strict": False, "contexts": ["ci/a"]}


def test_what_a_read_shows_stricter_than_the_target_is_kept() -> None:
    # An admin tightened the branch after the plan was made: the next requests keep it.
    target = replace(NEWLY_PROTECTED, allow_deletions=False, required_linear_history=True)
    admin = replace(
        NEWLY_PROTECTED,
        allow_deletions=True,
        lock_branch=True,
        required_pull_request_reviews=Reviews(required_approving_review_count=4),
        required_status_checks=StatusChecks(checks=(StatusCheck("ci/extra"),)),
    )
    (put,) = writes_toward(admin, target)
    assert put.body["lock_branch"] is True and put.body["allow_deletions"] is False
    assert put.body["required_linear_history"] is True
    assert put.body["required_pull_request_reviews"]["required_approving_review_count"] == 4
    assert put.body["required_status_checks"]["contexts"] == ["ci/extra"]


def test_nobody_may_bypass_is_said_with_empty_lists() -> None:
    reviews = Reviews(required_approving_review_count=1)
    target = replace(NEWLY_PROTECTED, required_pull_request_reviews=reviews)
    live = replace(
        target,
        required_pull_request_reviews=replace(
            reviews, bypass_pull_request_allowances=Actors(users=("mallory",))
        ),
    )
    writes = writes_toward(live, target)
    assert [(w.name, w.body) for w in writes] == [
        (
            "PATCH …/protection/required_pull_request_reviews",
            {"bypass_pull_request_allowances": {"users": [], "teams": [], "apps": []}},
        )
    ]
    assert_valid(writes)


def test_unknown_signatures_are_neither_sent_nor_asked_for(full_live: LiveProtection) -> None:
    assert full_live.required_signatures is None
    plan = plan_classic(full_live, {"allow_deletions": False})
    assert plan.desired.required_signatures is None
    assert names(writes_toward(plan.live, plan.desired)) == [
        "PUT …/protection",
        "PATCH …/protection/required_status_checks",
    ]
    asked = plan_classic(full_live, {"required_signatures": True})
    assert names(writes_toward(asked.live, asked.desired)) == [
        "POST …/protection/required_signatures"
    ]
