"""Branch protection mapping: parse GitHub's JSON, tighten only, build valid payloads, verify."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from typing import Any

import pytest
from scripts.cassette_kit import example

from followup.github.protection_mapping import (
    NEWLY_PROTECTED,
    NOTE_DEFAULT,
    NOTE_IN_EFFECT,
    NOTE_REQUESTED,
    UNPROTECTED,
    Actors,
    DiffRow,
    Effective,
    LiveProtection,
    Ruleset,
    Shortfall,
    StatusCheck,
    StatusChecks,
    effective_classic,
    effective_ruleset,
    find_ruleset_id,
    format_value,
    parse_classic,
    parse_ruleset,
    plan_classic,
    plan_ruleset,
    put_payload,
    ruleset_payload,
    satisfies,
    shortfalls,
    status_checks_fix,
    tighten,
)
from tests.contract.github_api import Exchange, validate_request

PROTECTION_PATH = "/repos/octo-org/followup-scratch/branches/main/protection"
RULESETS_PATH = "/repos/octo-org/followup-scratch/rulesets"


def _request(method: str, path: str, body: Any) -> Exchange:
    return Exchange(
        cassette="inline",
        index=0,
        method=method,
        uri=f"https://api.github.com{path}",
        request_headers={"Content-Type": "application/json"},
        request_body=json.dumps(body).encode(),
        status=200,
        response_headers={},
        response_body=b"",
    )


def assert_valid_put(payload: dict[str, Any]) -> None:
    validate_request(_request("PUT", PROTECTION_PATH, payload))


def assert_valid_ruleset(method: str, payload: dict[str, Any]) -> None:
    path = RULESETS_PATH if method == "POST" else f"{RULESETS_PATH}/42"
    validate_request(_request(method, path, payload))


@pytest.fixture
def full_live() -> LiveProtection:
    """GitHub's own example of a branch with every protection setting on."""
    data = example("branch-protection")
    data["required_status_checks"]["checks"] = [
        {"context": "continuous-integration/travis-ci", "app_id": 15368}
    ]
    data["required_status_checks"]["strict"] = True
    return parse_classic(data)


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
    assert full_live.restrictions is not None
    assert full_live.restrictions.users == ("octocat",)
    assert full_live.restrictions.teams == ("justice-league",)
    assert full_live.restrictions.apps == ("octoapp",)
    assert full_live.enforce_admins and full_live.required_linear_history
    assert full_live.allow_deletions and full_live.allow_force_pushes and full_live.lock_branch
    assert full_live.allow_fork_syncing and full_live.required_conversation_resolution


def test_a_protected_branch_without_allowance_fields_blocks_deletion_and_force_push() -> None:
    live = parse_classic({"url": "https://api.github.com/x", "enforce_admins": {"enabled": False}})
    assert live.protected
    assert live.allow_deletions is False and live.allow_force_pushes is False
    assert live.required_pull_request_reviews is None and live.required_status_checks is None


def test_contexts_missing_from_checks_are_kept() -> None:
    checks = parse_classic(
        {
            "required_status_checks": {
                "contexts": ["a", "b"],
                "checks": [{"context": "a", "app_id": 7}],
            }
        }
    ).required_status_checks
    assert checks is not None
    assert checks.checks == (StatusCheck("a", 7), StatusCheck("b"))


# -- tightening -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "live", "wanted", "ok"),
    [
        ("allow_deletions", True, False, False),
        ("allow_deletions", False, False, True),
        ("allow_deletions", False, True, True),  # asking to allow is weaker than blocking
        ("allow_force_pushes", True, True, True),
        ("required_linear_history", False, True, False),
        ("required_linear_history", True, False, True),
        ("required_approving_review_count", None, 0, False),
        ("required_approving_review_count", 0, 0, True),
        ("required_approving_review_count", 2, 1, True),
        ("required_approving_review_count", 1, 2, False),
        ("contexts", ("a",), ("a", "b"), False),
        ("contexts", ("b", "a", "c"), ("a", "b"), True),
    ],
)
def test_satisfies_compares_strictness(setting: str, live: Any, wanted: Any, ok: bool) -> None:
    assert satisfies(setting, live, wanted) is ok


BOOLEAN_SETTINGS = (
    "allow_deletions",
    "allow_force_pushes",
    "required_linear_history",
    "required_signatures",
    "required_conversation_resolution",
    "lock_branch",
    "enforce_admins",
)


@pytest.mark.parametrize(
    ("setting", "live", "wanted"),
    list(itertools.product(BOOLEAN_SETTINGS, (True, False), (True, False))),
)
def test_tighten_meets_the_request_and_never_loosens(
    setting: str, live: bool, wanted: bool
) -> None:
    changes: dict[str, Any] = {setting: live}
    before = replace(Effective(), **changes)
    after = tighten(before, {setting: wanted})
    assert satisfies(setting, after.value(setting), wanted)
    assert satisfies(setting, after.value(setting), live)  # at least as strict as before
    # Only the requested setting may move.
    assert tighten(before, {}) == before
    assert {n for n in BOOLEAN_SETTINGS if after.value(n) != before.value(n)} <= {setting}


@pytest.mark.parametrize(
    ("live", "wanted", "expected"), [(None, 1, 1), (2, 1, 2), (1, 3, 3), (None, 0, 0)]
)
def test_review_counts_only_go_up(live: int | None, wanted: int, expected: int) -> None:
    after = tighten(
        Effective(required_approving_review_count=live), {"required_approving_review_count": wanted}
    )
    assert after.required_approving_review_count == expected


def test_requested_contexts_are_added_after_the_live_ones() -> None:
    after = tighten(
        Effective(contexts=("ci/lint", "ci/test")), {"contexts": ["ci/test", "ci/docs"]}
    )
    assert after.contexts == ("ci/lint", "ci/test", "ci/docs")


# -- classic plans ----------------------------------------------------------------------------


def test_an_unprotected_branch_gets_the_setting_and_githubs_defaults() -> None:
    plan = plan_classic(UNPROTECTED, {"allow_deletions": False})
    assert not plan.satisfied and plan.needs_put and not plan.needs_signatures
    assert plan.desired == NEWLY_PROTECTED
    assert [(r.setting, r.live, r.new, r.note) for r in plan.rows] == [
        ("protection", "none", "classic", "the branch is not protected yet"),
        ("allow_deletions", True, False, NOTE_REQUESTED),
        ("allow_force_pushes", True, False, NOTE_DEFAULT),
    ]
    payload = put_payload(plan.desired)
    assert payload == {
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
    assert_valid_put(payload)


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
    assert [r.setting for r in plan.rows if r.changed] == ["allow_deletions"]


def test_bypass_allowances_are_sent_back_as_they_were() -> None:
    live = parse_classic(
        {
            "required_pull_request_reviews": {
                "url": "https://api.github.com/x",
                "dismiss_stale_reviews": False,
                "require_code_owner_reviews": False,
                "required_approving_review_count": 1,
                "bypass_pull_request_allowances": {
                    "users": [example("branch-protection")["restrictions"]["users"][0]],
                    "teams": [],
                    "apps": [],
                },
            },
            "allow_deletions": {"enabled": True},
        }
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
    checks = plan.desired.required_status_checks
    assert checks == StatusChecks(
        strict=True,
        checks=(StatusCheck("continuous-integration/travis-ci", 15368), StatusCheck("ci/docs")),
    )
    row = next(r for r in plan.rows if r.setting == "contexts")
    assert row.note == "requested; existing checks kept"
    assert_valid_put(put_payload(plan.desired))


def test_lost_app_bindings_are_restored_with_checks(full_live: LiveProtection) -> None:
    plan = plan_classic(full_live, {"contexts": ["ci/docs"]})
    kept = parse_classic(
        {
            "required_status_checks": {
                "contexts": ["continuous-integration/travis-ci", "ci/docs"],
                "checks": [
                    {"context": "continuous-integration/travis-ci", "app_id": 15368},
                    {"context": "ci/docs", "app_id": None},
                ],
            }
        }
    )
    assert status_checks_fix(plan.desired, kept) is None
    lost = parse_classic(
        {
            "required_status_checks": {
                "contexts": ["continuous-integration/travis-ci", "ci/docs"],
                "checks": [],
            }
        }
    )
    fix = status_checks_fix(plan.desired, lost)
    assert fix == {
        "strict": True,
        "checks": [
            {"context": "continuous-integration/travis-ci", "app_id": 15368},
            {"context": "ci/docs"},
        ],
    }


def test_a_satisfied_recommendation_changes_nothing() -> None:
    live = replace_live(NEWLY_PROTECTED, required_linear_history=True)
    plan = plan_classic(live, {"allow_deletions": False, "required_linear_history": True})
    assert plan.satisfied and not plan.needs_put and not plan.needs_signatures
    assert plan.desired == live
    assert [(r.setting, r.note) for r in plan.rows] == [
        ("allow_deletions", NOTE_IN_EFFECT),
        ("required_linear_history", NOTE_IN_EFFECT),
    ]


def test_a_weaker_recommendation_keeps_the_live_value(full_live: LiveProtection) -> None:
    live = replace_live(full_live, allow_deletions=False)
    plan = plan_classic(live, {"allow_deletions": True})
    assert plan.satisfied
    (row,) = plan.rows
    assert (row.live, row.new) == (False, False)
    assert row.note == "live is stricter than the requested yes; kept"


def test_signed_commits_use_their_own_endpoint() -> None:
    protected = plan_classic(NEWLY_PROTECTED, {"required_signatures": True})
    assert protected.needs_signatures and not protected.needs_put
    fresh = plan_classic(UNPROTECTED, {"required_signatures": True})
    assert fresh.needs_signatures and fresh.needs_put
    assert "required_signatures" not in put_payload(fresh.desired)


def test_verification_names_what_is_missing() -> None:
    live = effective_classic(NEWLY_PROTECTED)
    missing = shortfalls(
        live, {"allow_deletions": False, "required_linear_history": True, "contexts": ["ci/x"]}
    )
    assert missing == [
        Shortfall("required_linear_history", True, False),
        Shortfall("contexts", ("ci/x",), ()),
    ]
    assert missing[0].describe() == "require linear history is no (wanted yes)"
    assert missing[1].describe() == "required status checks lack ci/x"
    assert missing[0].to_json() == {
        "setting": "required_linear_history",
        "wanted": True,
        "live": False,
    }


def replace_live(live: LiveProtection, **changes: Any) -> LiveProtection:
    return replace(live, **changes)


# -- rulesets ---------------------------------------------------------------------------------


def test_a_new_ruleset_carries_every_requested_rule_with_its_parameters() -> None:
    requested = {
        "allow_deletions": False,
        "allow_force_pushes": False,
        "required_approving_review_count": 1,
        "required_linear_history": True,
        "required_signatures": True,
        "required_conversation_resolution": True,
        "lock_branch": True,
        "contexts": ["ci/build"],
    }
    plan = plan_ruleset(None, "release/*", requested)
    payload = ruleset_payload(plan.desired)
    assert payload["name"] == "followup: release/*"
    assert payload["target"] == "branch" and payload["enforcement"] == "active"
    assert payload["conditions"] == {
        "ref_name": {"include": ["refs/heads/release/*"], "exclude": []}
    }
    assert payload["bypass_actors"] == []
    rules = {r["type"]: r.get("parameters") for r in payload["rules"]}
    assert rules == {
        "deletion": None,
        "non_fast_forward": None,
        "update": {"update_allows_fetch_and_merge": False},
        "required_linear_history": None,
        "required_signatures": None,
        "pull_request": {
            "dismiss_stale_reviews_on_push": False,
            "require_code_owner_review": False,
            "require_last_push_approval": False,
            "required_approving_review_count": 1,
            "required_review_thread_resolution": True,
        },
        "required_status_checks": {
            "strict_required_status_checks_policy": False,
            "required_status_checks": [{"context": "ci/build"}],
        },
    }
    assert_valid_ruleset("POST", payload)
    assert plan.rows[0] == DiffRow("ruleset", "none", "followup: release/* (active)", "created")
    assert shortfalls(effective_ruleset(plan.desired, "release/*"), requested) == []


@pytest.fixture
def existing_ruleset() -> Ruleset:
    """GitHub's ruleset example, made into followup's ruleset for release/*, evaluate-only."""
    data = example("repository-ruleset")
    data["name"] = "followup: release/*"
    data["enforcement"] = "evaluate"
    data["conditions"] = {"ref_name": {"include": ["refs/heads/release/*"], "exclude": []}}
    data["rules"].append(
        {
            "type": "pull_request",
            "parameters": {
                "allowed_merge_methods": ["squash"],
                "dismiss_stale_reviews_on_push": True,
                "require_code_owner_review": True,
                "require_last_push_approval": False,
                "required_approving_review_count": 2,
                "required_review_thread_resolution": False,
            },
        }
    )
    data["bypass_actors"].append(
        {"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"}
    )
    return parse_ruleset(data)


def test_an_existing_followup_ruleset_is_tightened_not_replaced(existing_ruleset: Ruleset) -> None:
    requested = {
        "allow_deletions": False,
        "required_approving_review_count": 1,
        "enforce_admins": True,
    }
    plan = plan_ruleset(existing_ruleset, "release/*", requested)
    payload = ruleset_payload(plan.desired)
    assert_valid_ruleset("PUT", payload)
    assert plan.desired.id == 42
    assert payload["enforcement"] == "active"
    types = [r["type"] for r in payload["rules"]]
    assert types == ["commit_author_email_pattern", "pull_request", "deletion"]
    pull = payload["rules"][1]["parameters"]
    assert pull["required_approving_review_count"] == 2  # live is stricter: kept
    assert pull["allowed_merge_methods"] == ["squash"] and pull["require_code_owner_review"] is True
    # Admins lose their bypass; the team keeps its own.
    assert payload["bypass_actors"] == [
        {"actor_id": 234, "actor_type": "Team", "bypass_mode": "always"}
    ]
    assert plan.rows[0].note == "updated and switched on for this branch"


def test_an_active_ruleset_with_every_rule_is_satisfied(existing_ruleset: Ruleset) -> None:
    active = replace(existing_ruleset, enforcement="active")
    plan = plan_ruleset(active, "release/*", {"required_approving_review_count": 1})
    assert plan.satisfied
    assert plan.rows[0].note == "live is stricter than the requested 1; kept"


@pytest.mark.parametrize(
    ("enforcement", "include", "exclude", "applies"),
    [
        ("active", ["refs/heads/gh-pages"], [], True),
        ("active", ["~ALL"], [], True),
        ("evaluate", ["refs/heads/gh-pages"], [], False),
        ("disabled", ["refs/heads/gh-pages"], [], False),
        ("active", ["refs/heads/main"], [], False),
        ("active", ["~ALL"], ["refs/heads/gh-pages"], False),
    ],
)
def test_a_ruleset_protects_only_what_it_targets_while_active(
    enforcement: str, include: list[str], exclude: list[str], applies: bool
) -> None:
    ruleset = Ruleset(
        name="followup: gh-pages",
        enforcement=enforcement,
        include=tuple(include),
        exclude=tuple(exclude),
        rules=({"type": "deletion"},),
    )
    assert (effective_ruleset(ruleset, "gh-pages").allow_deletions is False) is applies


def test_an_admin_bypass_means_admins_are_not_bound() -> None:
    ruleset = Ruleset(
        name="followup: main",
        include=("refs/heads/main",),
        bypass_actors=(
            {"actor_id": 1, "actor_type": "OrganizationAdmin", "bypass_mode": "always"},
        ),
    )
    assert effective_ruleset(ruleset, "main").enforce_admins is False
    assert effective_ruleset(Ruleset(name="x", include=("refs/heads/main",)), "main").enforce_admins


def test_the_followup_ruleset_is_found_by_name() -> None:
    items = example("repository-ruleset-items")
    items[1]["name"] = "followup: release/*"
    assert find_ruleset_id(items, "release/*") == 314
    assert find_ruleset_id(items, "main") is None


@pytest.mark.parametrize(
    ("setting", "value", "text"),
    [
        ("allow_deletions", False, "no"),
        ("required_approving_review_count", None, "no pull request required"),
        ("required_approving_review_count", 2, "2"),
        ("contexts", ("a", "b"), "a, b"),
        ("contexts", (), "none"),
        ("protection", "none", "none"),
    ],
)
def test_values_read_plainly(setting: str, value: Any, text: str) -> None:
    assert format_value(setting, value) == text
