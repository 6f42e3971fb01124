"""Branch protection and rulesets over REST, with GitHub's refusals turned into advice.

Payloads are sent through followup's client as built by github/classic_plan.py and
github/protection_rulesets.py, never through PyGithub's Branch.edit_protection: that
resets every setting it is not given. Every answer a write could be built from is
checked first: one that is not a whole protection or ruleset raises MalformedAnswer.
"""

from __future__ import annotations

from typing import Any

from followup.github.branch_rules import BranchRule, parse_branch_rules
from followup.github.classic_plan import Write
from followup.github.client import GitHub
from followup.github.errors import Forbidden, GitHubError, NotFound, Unprocessable
from followup.github.protection_classic import (
    UNPROTECTED,
    LiveProtection,
    NotProtection,
    parse_classic,
)
from followup.github.protection_rulesets import (
    NotRuleset,
    Ruleset,
    find_ruleset_id,
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


class MalformedAnswer(ProtectionError):
    """GitHub answered with something that is not a whole protection or ruleset."""


def malformed(what: str, path: str, problems: tuple[str, ...]) -> MalformedAnswer:
    """Return the error for an answer no write may be built from."""
    return MalformedAnswer(
        f"GitHub's answer to GET {path} is not {what} ({'; '.join(problems)}): "
        "nothing was written; try again later"
    )


def _classic(data: object, repo: str, branch: str) -> LiveProtection:
    try:
        return parse_classic(data)
    except NotProtection as exc:
        path = f"/repos/{repo}/branches/{branch}/protection"
        raise malformed("a branch protection", path, exc.problems) from None


def _ruleset(data: object, repo: str) -> Ruleset:
    try:
        return parse_ruleset(data)
    except NotRuleset as exc:
        raise malformed("a ruleset", f"/repos/{repo}/rulesets", exc.problems) from None


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
    return _classic(response.data, repo, branch), response.etag


def send_write(client: GitHub, repo: str, branch: str, write: Write) -> None:
    """Send one classic protection request; its answer is not trusted (the caller re-reads)."""
    path = repo_path(repo, "branches", branch, "protection", *write.endpoint)
    try:
        client.request(write.method, path, body=write.body)
    except NotFound as exc:
        raise _after_404(client, repo, branch, exc) from None
    except Forbidden as exc:
        raise refused(repo, exc) from None


def _write_ruleset(
    client: GitHub, repo: str, method: str, path: str, body: dict[str, Any]
) -> Ruleset:
    try:
        data = client.request(method, path, body=body).data
    except NotFound as exc:
        raise _repo_after_404(client, repo, exc) from None
    except Forbidden as exc:
        raise refused(repo, exc) from None
    return _ruleset(data, repo)


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
    return _ruleset(response.data, repo), response.etag, True


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


def branch_rules(client: GitHub, repo: str, branch: str) -> list[BranchRule] | None:
    """Return the rules in effect on the branch with their rulesets; None if not readable."""
    try:
        response = client.get(repo_path(repo, "rules", "branches", branch), {"per_page": 100})
    except (NotFound, Forbidden):
        return None
    return parse_branch_rules(response.data)


def reported_checks(client: GitHub, repo: str, ref: str) -> set[str] | None:
    """Return the check runs and commit statuses reported on ref's latest commit.

    None when they cannot be read (no such branch or commit, or the token may not).
    """
    try:
        runs = client.get(repo_path(repo, "commits", ref, "check-runs"), {"per_page": 100})
        statuses = client.get(repo_path(repo, "commits", ref, "status"), {"per_page": 100})
    except (NotFound, Forbidden, Unprocessable):
        return None
    names: set[str] = set()
    for run in (runs.data or {}).get("check_runs") or ():
        if isinstance(run, dict) and isinstance(run.get("name"), str):
            names.add(run["name"])
    for status in (statuses.data or {}).get("statuses") or ():
        if isinstance(status, dict) and isinstance(status.get("context"), str):
            names.add(status["context"])
    return names


def signatures_required(client: GitHub, repo: str, branch: str) -> bool:
    """Ask the signed-commits endpoint whether signed commits are required on the branch."""
    path = repo_path(repo, "branches", branch, "protection", "required_signatures")
    try:
        response = client.get(path)
    except NotFound as exc:
        if exc.github_message == NOT_PROTECTED:
            return False
        raise _after_404(client, repo, branch, exc) from None
    except Forbidden as exc:
        raise refused(repo, exc) from None
    data = response.data
    if not isinstance(data, dict) or not isinstance(data.get("enabled"), bool):
        raise malformed("a signed-commits setting", path, ("no boolean 'enabled'",))
    return bool(data["enabled"])
