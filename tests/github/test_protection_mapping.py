"""The settings a recommendation can ask for: compared, tightened, shown and checked."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import pytest

from followup.github.protection_classic import NEWLY_PROTECTED, effective_classic
from followup.github.protection_mapping import (
    Effective,
    Shortfall,
    format_value,
    satisfies,
    shortfalls,
    summary,
    tighten,
)

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


def test_a_summary_names_each_requested_setting_in_one_line() -> None:
    assert summary({"allow_deletions": False, "contexts": ["ci/a"]}) == (
        'allow_deletions=false, contexts=["ci/a"]'
    )
