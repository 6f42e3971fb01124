"""followup's ruleset: tightened only, compared whole, merged; the rules already on a branch."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from scripts.cassette_kit import example

from followup.github.branch_rules import enforced_by, parse_branch_rules
from followup.github.protection_compare import Weakening
from followup.github.protection_mapping import DiffRow, shortfalls
from followup.github.protection_rulesets import (
    NotRuleset,
    Ruleset,
    effective_ruleset,
    find_ruleset_id,
    merge_ruleset,
    parse_ruleset,
    plan_ruleset,
    ruleset_from_json,
    ruleset_json,
    ruleset_payload,
    ruleset_weakenings,
)
from tests.github.protection_helpers import assert_valid_ruleset


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


# -- reading, comparing, merging ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({}, "no name"),
        ({"name": "followup: main", "enforcement": "active"}, "no id"),
        ({"name": "x", "id": 1, "enforcement": "on"}, "no enforcement"),
        ({"name": "x", "id": 1, "enforcement": "active", "rules": [{}]}, "not a list of rules"),
        ("<html>", "not a JSON object"),
    ],
)
def test_an_answer_that_is_not_a_whole_ruleset_is_refused(answer: Any, problem: str) -> None:
    with pytest.raises(NotRuleset) as caught:
        parse_ruleset(answer)
    assert problem in str(caught.value)


def test_a_snapshot_reads_back_to_the_same_ruleset(existing_ruleset: Ruleset) -> None:
    assert ruleset_from_json(ruleset_json(existing_ruleset)) == existing_ruleset
    assert ruleset_json(None) is None and ruleset_from_json(None) is None


def test_a_ruleset_is_not_weaker_than_itself_or_a_tightening(existing_ruleset: Ruleset) -> None:
    active = replace(existing_ruleset, enforcement="active")
    assert ruleset_weakenings(active, active, "release/*") == []
    tighter = plan_ruleset(active, "release/*", {"allow_deletions": False}).desired
    assert ruleset_weakenings(active, tighter, "release/*") == []
    assert ruleset_weakenings(None, None, "release/*") == []


def test_every_loosening_of_followups_ruleset_is_seen(existing_ruleset: Ruleset) -> None:
    active = replace(existing_ruleset, enforcement="active")
    strict = plan_ruleset(active, "release/*", {"allow_deletions": False, "enforce_admins": True})
    before = strict.desired
    assert ruleset_weakenings(before, None, "release/*") == [
        Weakening("followup's ruleset", "followup: release/*", "deleted")
    ]
    off = replace(before, enforcement="evaluate")
    assert [w.setting for w in ruleset_weakenings(before, off, "release/*")] == [
        "ruleset enforcement"
    ]
    loose = replace(
        before,
        rules=tuple(
            r for r in before.rules if r["type"] not in ("deletion", "commit_author_email_pattern")
        ),
        bypass_actors=(
            *before.bypass_actors,
            {"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"},
        ),
    )
    assert [w.setting for w in ruleset_weakenings(before, loose, "release/*")] == [
        "allow_deletions",
        "enforce_admins",
        "rule commit_author_email_pattern",
    ]


def test_a_merge_keeps_rules_someone_added_and_restores_followups(
    existing_ruleset: Ruleset,
) -> None:
    target = plan_ruleset(None, "release/*", {"allow_deletions": False}).desired
    someone = replace(
        existing_ruleset,
        enforcement="disabled",
        rules=(*existing_ruleset.rules, {"type": "required_linear_history"}),
    )
    merged = merge_ruleset(target, someone, "release/*")
    types = [r["type"] for r in merged.rules]
    assert "deletion" in types and "required_linear_history" in types
    assert "commit_author_email_pattern" in types
    assert merged.enforcement == "active" and merged.id == someone.id
    # Only actors both allow may bypass.
    assert merged.bypass_actors == ()
    assert ruleset_weakenings(target, merged, "release/*") == []
    assert ruleset_weakenings(someone, merged, "release/*") == []
    assert merge_ruleset(target, None, "release/*") == target


# -- rules already in effect on a branch --------------------------------------------------------


def test_rules_from_other_rulesets_are_named_with_where_they_come_from() -> None:
    answer: list[Any] = example("repository-rule-items")
    answer += [
        {
            "type": "deletion",
            "ruleset_source_type": "Organization",
            "ruleset_source": "octo-org",
            "ruleset_id": 73,
        },
        {
            "type": "pull_request",
            "ruleset_source_type": "Repository",
            "ruleset_source": "octo-org/followup-scratch",
            "ruleset_id": 42,
            "parameters": {"required_approving_review_count": 1},
        },
        {"type": "non_fast_forward", "ruleset_source_type": "Repository", "ruleset_id": 101},
        "not a rule",
    ]
    rules = parse_branch_rules(answer)
    assert len(rules) == 5
    found = enforced_by(
        rules,
        {
            "allow_deletions": False,
            "required_approving_review_count": 2,
            "allow_force_pushes": False,
            "required_signatures": True,
        },
        skip_ruleset=101,  # followup's own ruleset is not "already enforced"
    )
    assert {k: [r.where for r in v] for k, v in found.items()} == {
        "allow_deletions": ["ruleset 73 of organisation octo-org"]
    }
    assert enforced_by(rules, {"required_approving_review_count": 1})[
        "required_approving_review_count"
    ][0].where == ("ruleset 42 of repository octo-org/followup-scratch")
    assert parse_branch_rules({"message": "Not Found"}) == []
