"""Classic protection read from GitHub's JSON (refused when partial), compared and merged."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from scripts.cassette_kit import example

from followup.github.protection_classic import (
    NEWLY_PROTECTED,
    UNPROTECTED,
    Actors,
    LiveProtection,
    NotProtection,
    Reviews,
    StatusCheck,
    StatusChecks,
    classic_from_json,
    classic_json,
    parse_classic,
)
from followup.github.protection_compare import Weakening, strictest, weakenings
from tests.github.protection_helpers import full_example, protection_json


@pytest.fixture
def full_live() -> LiveProtection:
    return parse_classic(full_example())


# -- reading ----------------------------------------------------------------------------------


def test_the_full_example_is_read_setting_by_setting(full_live: LiveProtection) -> None:
    assert full_live.protected
    reviews = full_live.required_pull_request_reviews
    assert reviews is not None
    assert reviews.required_approving_review_count == 2
    assert reviews.dismiss_stale_reviews and reviews.require_code_owner_reviews
    assert reviews.require_last_push_approval
    assert reviews.dismissal_restrictions == Actors(("octocat",), ("justice-league",), ("octoapp",))
    assert full_live.required_status_checks == StatusChecks(
        strict=True, checks=(StatusCheck("continuous-integration/travis-ci", 15368),)
    )
    assert full_live.restrictions == Actors(("octocat",), ("justice-league",), ("octoapp",))
    assert full_live.enforce_admins and full_live.required_linear_history
    assert full_live.allow_deletions and full_live.allow_force_pushes and full_live.lock_branch
    assert full_live.allow_fork_syncing and full_live.required_conversation_resolution
    # GitHub's example does not say; unknown is not "off".
    assert full_live.required_signatures is None and full_live.block_creations is None


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({}, "no url"),
        ([], "not a JSON object"),
        ("Moved Permanently", "not a JSON object"),
        ({"url": "https://api.github.com/x"}, "missing enforce_admins"),
        (
            {"url": "https://api.github.com/x", "enforce_admins": {"enabled": True}},
            "missing required_linear_history",
        ),
        (protection_json(allow_deletions={"enabled": "yes"}), "allow_deletions is not an object"),
        (protection_json(required_status_checks={"strict": True}), "neither contexts nor checks"),
        (
            protection_json(required_pull_request_reviews={"required_approving_review_count": "2"}),
            "not a review protection",
        ),
        (protection_json(restrictions={"users": "octocat"}), "restrictions.users is not a list"),
    ],
)
def test_an_empty_or_partial_answer_is_refused(answer: Any, problem: str) -> None:
    with pytest.raises(NotProtection) as caught:
        parse_classic(answer)
    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_a_whole_answer_with_nothing_on_reads_as_a_newly_protected_branch() -> None:
    assert parse_classic(protection_json()) == NEWLY_PROTECTED


def test_contexts_missing_from_checks_are_kept() -> None:
    live = parse_classic(
        protection_json(
            required_status_checks={
                "contexts": ["a", "b"],
                "checks": [{"context": "a", "app_id": 7}],
            }
        )
    )
    assert live.required_status_checks is not None
    assert live.required_status_checks.checks == (StatusCheck("a", 7), StatusCheck("b"))


def test_empty_bypass_lists_mean_nobody_as_absent_ones_do() -> None:
    reviews = {"required_approving_review_count": 1}
    empty = {**reviews, "bypass_pull_request_allowances": {"users": [], "teams": [], "apps": []}}
    a = parse_classic(protection_json(required_pull_request_reviews=reviews))
    b = parse_classic(protection_json(required_pull_request_reviews=empty))
    assert a == b


def test_a_snapshot_reads_back_to_the_same_protection(full_live: LiveProtection) -> None:
    for live in (full_live, NEWLY_PROTECTED, replace(full_live, required_signatures=True)):
        assert classic_from_json(classic_json(live)) == live
    assert classic_json(UNPROTECTED) is None
    assert classic_from_json(None) == UNPROTECTED


# -- comparing and merging ----------------------------------------------------------------------


def test_nothing_is_weaker_than_itself(full_live: LiveProtection) -> None:
    assert weakenings(full_live, full_live) == []
    assert weakenings(UNPROTECTED, full_live) == []


def test_a_put_that_lost_signatures_and_an_app_binding_is_weaker() -> None:
    before = parse_classic(
        protection_json(
            required_signatures=True,
            required_status_checks={
                "strict": True,
                "contexts": ["ci/build"],
                "checks": [{"context": "ci/build", "app_id": 15368}],
            },
        )
    )
    after = parse_classic(
        protection_json(
            required_status_checks={
                "strict": True,
                "contexts": ["ci/build"],
                "checks": [{"context": "ci/build", "app_id": None}],
            }
        )
    )
    assert weakenings(before, after) == [
        Weakening("required_signatures", "yes", "no"),
        Weakening("app binding of ci/build", "app 15368", "any app"),
    ]


def test_every_kind_of_loosening_is_seen(full_live: LiveProtection) -> None:
    strict = replace(
        full_live,
        allow_deletions=False,
        allow_force_pushes=False,
        allow_fork_syncing=False,
        required_signatures=True,
    )
    reviews = strict.required_pull_request_reviews
    assert reviews is not None
    loose = replace(
        strict,
        enforce_admins=False,
        allow_deletions=True,
        required_signatures=False,
        lock_branch=False,
        required_status_checks=StatusChecks(strict=False, checks=()),
        required_pull_request_reviews=replace(
            reviews,
            required_approving_review_count=1,
            dismiss_stale_reviews=False,
            dismissal_restrictions=None,
            bypass_pull_request_allowances=Actors(users=("mallory",)),
        ),
        restrictions=Actors(users=("octocat", "mallory")),
    )
    names = [w.setting for w in weakenings(strict, loose)]
    assert names == [
        "enforce_admins",
        "required_signatures",
        "allow_deletions",
        "lock_branch",
        "require branches to be up to date",
        "status check continuous-integration/travis-ci",
        "required approving reviews",
        "dismiss_stale_reviews",
        "who may dismiss reviews",
        "who may bypass pull requests",
        "push restrictions",
    ]
    assert weakenings(strict, replace(strict, protected=False)) == [
        Weakening("branch protection", "on", "off")
    ]
    assert weakenings(strict, replace(strict, required_pull_request_reviews=None)) == [
        Weakening("require a pull request", "yes", "no")
    ]


def test_an_unknown_setting_is_never_called_weaker() -> None:
    before = parse_classic(protection_json(required_signatures=True))
    unreported = {k: v for k, v in protection_json().items() if k != "required_signatures"}
    assert weakenings(before, parse_classic(unreported)) == []


def test_the_strictest_of_two_keeps_every_stricter_setting(full_live: LiveProtection) -> None:
    admin = replace(
        NEWLY_PROTECTED,
        lock_branch=True,
        required_pull_request_reviews=Reviews(required_approving_review_count=4),
        required_status_checks=StatusChecks(checks=(StatusCheck("ci/extra"),)),
    )
    merged = strictest(full_live, admin)
    assert weakenings(full_live, merged) == [] and weakenings(admin, merged) == []
    assert merged.allow_deletions is False and merged.lock_branch
    assert merged.required_pull_request_reviews is not None
    assert merged.required_pull_request_reviews.required_approving_review_count == 4
    assert merged.required_status_checks is not None
    assert merged.required_status_checks.checks == (
        StatusCheck("continuous-integration/travis-ci", 15368),
        StatusCheck("ci/extra"),
    )
    assert strictest(UNPROTECTED, admin) == admin and strictest(admin, UNPROTECTED) == admin


def test_lists_of_people_merge_to_the_smaller_and_the_first_wins_a_tie() -> None:
    few = replace(NEWLY_PROTECTED, restrictions=Actors(users=("octocat",)))
    many = replace(NEWLY_PROTECTED, restrictions=Actors(users=("octocat", "mallory")))
    other = replace(NEWLY_PROTECTED, restrictions=Actors(users=("hubot",)))
    assert strictest(many, few).restrictions == few.restrictions
    assert strictest(few, many).restrictions == few.restrictions
    assert strictest(NEWLY_PROTECTED, few).restrictions == few.restrictions
    assert strictest(other, few).restrictions == other.restrictions


def test_an_app_binding_survives_a_merge_with_the_unbound_check() -> None:
    bound = replace(
        NEWLY_PROTECTED, required_status_checks=StatusChecks(checks=(StatusCheck("ci", 7),))
    )
    unbound = replace(
        NEWLY_PROTECTED, required_status_checks=StatusChecks(checks=(StatusCheck("ci"),))
    )
    assert strictest(unbound, bound).required_status_checks == bound.required_status_checks
    assert strictest(bound, unbound).required_status_checks == bound.required_status_checks


def test_an_example_answer_is_a_whole_protection() -> None:
    assert parse_classic(example("branch-protection")).protected
