"""Branch-protection recommendations: what fires, with which settings, and what must not."""

from __future__ import annotations

from typing import Any

import pytest

from followup.postmortem import parse, protection
from followup.postmortem.markdown import Inline, parse_inline
from followup.postmortem.model import ProtectionSpec


def inline_of(markdown: str) -> Inline:
    return parse_inline(f"- {markdown}\n")


def recognise(markdown: str, repo: str | None = "octo/app") -> ProtectionSpec | None:
    return protection.recognise(inline_of(markdown), repo=repo)


@pytest.mark.parametrize(
    ("sentence", "branch", "settings"),
    [
        ("Protect gh-pages branch. Don't allow deletion.", "gh-pages", {"allow_deletions": False}),
        ("Disallow force pushes to `release/2.x`", "release/2.x", {"allow_force_pushes": False}),
        ("Block force-pushes on main", "main", {"allow_force_pushes": False}),
        ("No force pushing to `develop`", "develop", {"allow_force_pushes": False}),
        (
            "Require 2 approving reviews on main",
            "main",
            {"required_approving_review_count": 2},
        ),
        (
            "Require two approving reviews on the `main` branch",
            "main",
            {"required_approving_review_count": 2},
        ),
        ("Require reviews on master", "master", {"required_approving_review_count": 1}),
        (
            "Require a pull request review before merging to main",
            "main",
            {"required_approving_review_count": 1},
        ),
        (
            "Require pull requests before merging into `trunk`",
            "trunk",
            {"required_approving_review_count": 0},
        ),
        (
            "Require status check `ci/validate` before merging to main",
            "main",
            {"contexts": ["ci/validate"]},
        ),
        (
            "Require status checks `build` and `lint` to pass on the `main` branch",
            "main",
            {"contexts": ["build", "lint"]},
        ),
        ("Lock the legacy branch", "legacy", {"lock_branch": True}),
        ("Make the `v1` branch read-only", "v1", {"lock_branch": True}),
        ("Require signed commits on main", "main", {"required_signatures": True}),
        ("Require linear history on main", "main", {"required_linear_history": True}),
        (
            "Require conversation resolution on the develop branch",
            "develop",
            {"required_conversation_resolution": True},
        ),
        ("Include administrators in the main branch rules", "main", {"enforce_admins": True}),
        ("Enforce protection for admins on `main`", "main", {"enforce_admins": True}),
        (
            "Protect the main branch",
            "main",
            {"allow_deletions": False, "allow_force_pushes": False},
        ),
        (
            "Enable branch protection on master",
            "master",
            {"allow_deletions": False, "allow_force_pushes": False},
        ),
        (
            "Add protection to main",
            "main",
            {"allow_deletions": False, "allow_force_pushes": False},
        ),
        (
            "The `production` branch should be protected",
            "production",
            {"allow_deletions": False, "allow_force_pushes": False},
        ),
        (
            "Protect `release/*` branches from force pushes",
            "release/*",
            {"allow_force_pushes": False},
        ),
        (
            "Protect the gh-pages branch against accidental deletion",
            "gh-pages",
            {"allow_deletions": False},
        ),
        (
            "Prevent the `gh-pages` branch from being deleted and require signed commits",
            "gh-pages",
            {"allow_deletions": False, "required_signatures": True},
        ),
    ],
)
def test_recognised(sentence: str, branch: str, settings: dict[str, Any]) -> None:
    spec = recognise(sentence)
    assert spec is not None, sentence
    assert spec.branch == branch
    assert spec.requested() == settings
    assert spec.repo == "octo/app"


@pytest.mark.parametrize(
    "sentence",
    [
        "protect us from DNS outages",
        "Investigate if debugging gh-pages could be improved",
        "Investigate if there are other technologies we ought to be using instead of gh-pages",
        "add a test that protects against regressions",
        "delete stale feature branches",
        "Develop rules on which pull requests require explicit code review",
        "Require reviews for changes to the billing service",
        "Add alerting on main database latency",
        "Protect the database from overload",
        "Document how to recover a deleted branch",
        "Lock the deploy queue during migrations",
        "Rebase the feature branch before merging",
        "Require linear history",
        "Make sure the main branch builds are green",
        "Stop deleting the release notes",
        "Add a lock around the cron job on main",
        "Document the branch protection rules for main",
        "Review branch protection settings on main",
    ],
)
def test_not_recognised(sentence: str) -> None:
    assert recognise(sentence) is None


def test_repo_from_the_item_beats_the_default() -> None:
    spec = recognise("Disallow force pushes to `main` in `octo/other`")
    assert spec is not None
    assert (spec.branch, spec.repo) == ("main", "octo/other")
    spec = recognise("Protect main, see https://github.com/octo/web/issues/4")
    assert spec is not None and spec.repo == "octo/web"


def test_without_any_repo_the_spec_has_none() -> None:
    spec = recognise("Protect the main branch", repo=None)
    assert spec is not None and spec.repo is None


def test_pattern_branch() -> None:
    spec = recognise("Require signed commits on `release/*` branches")
    assert spec is not None
    assert spec.branch == "release/*" and spec.is_pattern


def test_settings_without_a_branch_warn() -> None:
    pm = parse("## Action items\n\n- Require signed commits on every branch\n")
    assert pm.items[0].protection is None
    assert any("names no branch" in w for w in pm.warnings)


def test_front_matter_repo_is_used_before_the_default() -> None:
    pm = parse(
        "---\nrepo: octo/from-front-matter\n---\n## Action items\n\n- Protect the main branch\n",
        default_repo="octo/default",
    )
    spec = pm.items[0].protection
    assert spec is not None and spec.repo == "octo/from-front-matter"
