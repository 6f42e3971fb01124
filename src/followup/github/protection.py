"""Branch protection and rulesets over REST, with GitHub's refusals turned into advice.

Payloads are sent through followup's client as built by protection_mapping, never through
PyGithub's Branch.edit_protection: that resets every setting it is not given.
"""

from __future__ import annotations

from typing import Any

from followup.github.client import GitHub
from followup.github.errors import Forbidden, GitHubError, NotFound
from followup.github.protection_mapping import (
    UNPROTECTED,
    LiveProtection,
    Ruleset,
    find_ruleset_id,
    parse_classic,
    parse_ruleset,
)
from followup.github.repos import repo_path

# GitHub's own words for the cases a 404 or 403 alone cannot tell apart.
NOT_PROTECTED = "Branch not protected"
BRANCH_NOT_FOUND = "Branch not found"
UPGRADE = "Upgrade to GitHub Pro"
NOT_ACCESSIBLE = "Resource not accessible by"


class ProtectionError(GitHubError):
    """A branch's protection cannot be read or changed; the message says what to do."""


class RepoNotFound(ProtectionError):
    """The repository does not exist, or the token cannot see it."""


class BranchNotFound(ProtectionError):
    """The branch does not exist (yet)."""


class NotAdmin(ProtectionError):
    """The token may read the repository but not administer it."""


class PlanLacksProtection(ProtectionError):
    """A private repository on a plan without branch protection or rulesets."""


def _copy(exc: GitHubError) -> dict[str, Any]:
    return {"status": exc.status, "github_message": exc.github_message, "errors": exc.errors}


def repo_not_found(repo: str, exc: GitHubError) -> RepoNotFound:
    """Return the error for a repository GitHub does not show."""
    return RepoNotFound(
        f"repository {repo} not found, or the token cannot see it: check the name "
        "(--repo on import or repo: in the front matter) and the token's access",
        **_copy(exc),
    )


def branch_not_found(repo: str, branch: str, exc: GitHubError) -> BranchNotFound:
    """Return the error for a branch that does not exist, under classic protection."""
    return BranchNotFound(
        f"branch {branch} does not exist in {repo}: create it, or set protection_method to "
        "ruleset or auto to protect it before it exists",
        **_copy(exc),
    )


def not_admin(repo: str, exc: GitHubError) -> NotAdmin:
    """Return the error for a token that may not administer the repository."""
    return NotAdmin(
        f"the token may not administer {repo}: branch protection needs an admin of the "
        "repository (a fine-grained token or app needs Administration: write)",
        **_copy(exc),
    )


def refused(repo: str, exc: Forbidden) -> ProtectionError:
    """Return what a 403 on a protection endpoint means for the user."""
    message = exc.github_message or ""
    if UPGRADE in message:
        return PlanLacksProtection(
            f"{repo} is private and its plan has no branch protection or rulesets: "
            "make it public or move it to GitHub Pro, Team or Enterprise",
            **_copy(exc),
        )
    if NOT_ACCESSIBLE in message or "admin" in message.lower():
        return not_admin(repo, exc)
    if "archived" in message.lower():
        return ProtectionError(
            f"{repo} is archived, so its protection cannot change: unarchive it first",
            **_copy(exc),
        )
    said = f": {message}" if message else ""
    return ProtectionError(
        f"GitHub refused to change the protection of {repo} (403{said}); "
        "an admin of the repository may have to do it",
        **_copy(exc),
    )


def _after_404(client: GitHub, repo: str, branch: str, exc: NotFound) -> ProtectionError:
    """Tell a missing repository from a missing branch from a token that is not an admin."""
    if exc.github_message == BRANCH_NOT_FOUND:
        return branch_not_found(repo, branch, exc)
    try:
        client.get(repo_path(repo, "branches", branch))
    except NotFound as second:
        if second.github_message == BRANCH_NOT_FOUND:
            return branch_not_found(repo, branch, second)
        return repo_not_found(repo, second)
    # The branch is visible, its protection is not: only admins may see protection.
    return not_admin(repo, exc)


def _repo_after_404(client: GitHub, repo: str, exc: NotFound) -> ProtectionError:
    """Tell a missing repository from a token that is not an admin, for rulesets."""
    try:
        client.get(repo_path(repo))
    except NotFound as second:
        return repo_not_found(repo, second)
    return not_admin(repo, exc)


def get_protection(client: GitHub, repo: str, branch: str) -> LiveProtection:
    """Return the branch's classic protection; UNPROTECTED when it has none."""
    live, _ = get_protection_if_changed(client, repo, branch, None)
    assert live is not None  # only a conditional read can come back unchanged
    return live


def get_protection_if_changed(
    client: GitHub, repo: str, branch: str, etag: str | None
) -> tuple[LiveProtection | None, str | None]:
    """Return the protection and its ETag, or (None, etag) when it is as it was at etag.

    An unchanged answer (304) costs no rate-limit points, which keeps drift checks free.
    """
    try:
        response = client.get(repo_path(repo, "branches", branch, "protection"), etag=etag)
    except NotFound as exc:
        if exc.github_message == NOT_PROTECTED:
            return UNPROTECTED, None
        raise _after_404(client, repo, branch, exc) from None
    except Forbidden as exc:
        raise refused(repo, exc) from None
    if response.not_modified:
        return None, etag
    return parse_classic(response.data or {}), response.etag


def put_protection(
    client: GitHub, repo: str, branch: str, payload: dict[str, Any]
) -> LiveProtection:
    """Replace the branch's classic protection with payload; return GitHub's answer."""
    try:
        response = client.put(repo_path(repo, "branches", branch, "protection"), payload)
    except NotFound as exc:
        raise _after_404(client, repo, branch, exc) from None
    except Forbidden as exc:
        raise refused(repo, exc) from None
    return parse_classic(response.data or {})


def patch_status_checks(client: GitHub, repo: str, branch: str, payload: dict[str, Any]) -> None:
    """Update the branch's required status checks (used to keep checks' app bindings)."""
    path = repo_path(repo, "branches", branch, "protection", "required_status_checks")
    try:
        client.patch(path, payload)
    except NotFound as exc:
        raise _after_404(client, repo, branch, exc) from None
    except Forbidden as exc:
        raise refused(repo, exc) from None


def require_signatures(client: GitHub, repo: str, branch: str) -> bool:
    """Switch on signed commits for a protected branch; return whether GitHub says it is on."""
    path = repo_path(repo, "branches", branch, "protection", "required_signatures")
    try:
        response = client.post(path)
    except NotFound as exc:
        raise _after_404(client, repo, branch, exc) from None
    except Forbidden as exc:
        raise refused(repo, exc) from None
    return bool((response.data or {}).get("enabled"))


def _write_ruleset(
    client: GitHub, repo: str, method: str, path: str, body: dict[str, Any]
) -> Ruleset:
    try:
        return parse_ruleset(client.request(method, path, body=body).data or {})
    except NotFound as exc:
        raise _repo_after_404(client, repo, exc) from None
    except Forbidden as exc:
        raise refused(repo, exc) from None


def list_rulesets(client: GitHub, repo: str) -> list[dict[str, Any]]:
    """Return the repository's own rulesets (summaries, without their rules)."""
    try:
        return list(client.paginate(repo_path(repo, "rulesets"), {"includes_parents": "false"}))
    except NotFound as exc:
        raise _repo_after_404(client, repo, exc) from None
    except Forbidden as exc:
        raise refused(repo, exc) from None


def get_ruleset(client: GitHub, repo: str, ruleset_id: int) -> Ruleset | None:
    """Return a ruleset with its rules, or None when it no longer exists."""
    ruleset, _, _ = get_ruleset_if_changed(client, repo, ruleset_id, None)
    return ruleset


def get_ruleset_if_changed(
    client: GitHub, repo: str, ruleset_id: int, etag: str | None
) -> tuple[Ruleset | None, str | None, bool]:
    """Return (ruleset or None when deleted, its ETag, whether it changed since etag)."""
    try:
        response = client.get(repo_path(repo, "rulesets", ruleset_id), etag=etag)
    except NotFound:
        return None, None, True
    except Forbidden as exc:
        raise refused(repo, exc) from None
    if response.not_modified:
        return None, etag, False
    return parse_ruleset(response.data or {}), response.etag, True


def find_ruleset(client: GitHub, repo: str, branch: str) -> Ruleset | None:
    """Return followup's ruleset for the branch or pattern, found by its name."""
    ruleset_id = find_ruleset_id(list_rulesets(client, repo), branch)
    if ruleset_id is None:
        return None
    return get_ruleset(client, repo, ruleset_id)


def create_ruleset(client: GitHub, repo: str, payload: dict[str, Any]) -> Ruleset:
    """Create a repository ruleset."""
    return _write_ruleset(client, repo, "POST", repo_path(repo, "rulesets"), payload)


def update_ruleset(client: GitHub, repo: str, ruleset_id: int, payload: dict[str, Any]) -> Ruleset:
    """Replace a repository ruleset's settings."""
    return _write_ruleset(client, repo, "PUT", repo_path(repo, "rulesets", ruleset_id), payload)
