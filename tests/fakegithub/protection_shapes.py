"""What GitHub does and answers for protection, on the fake's state, in GitHub's shapes.

The fake keeps a classic protection as a small dict (see `classic`); these functions
carry out the requests on it and render answers from the examples in GitHub's OpenAPI
description, so that tests/faults/test_fake_contract.py can check them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from scripts.cassette_kit import example

FLAGS = (
    "enforce_admins",
    "required_signatures",
    "required_linear_history",
    "allow_force_pushes",
    "allow_deletions",
    "block_creations",
    "required_conversation_resolution",
    "lock_branch",
    "allow_fork_syncing",
)
LOOSE_WHEN_TRUE = ("allow_force_pushes", "allow_deletions", "allow_fork_syncing")


@dataclass
class Branch:
    """A branch: its classic protection (None for none) and what reported on its head."""

    protection: dict[str, Any] | None = None
    reported: list[str] = field(default_factory=list)


def classic(**settings: Any) -> dict[str, Any]:
    """Return a classic protection in the fake's form; unnamed flags are off."""
    state: dict[str, Any] = dict.fromkeys(FLAGS, False)
    state.update({"checks": None, "strict": False, "reviews": None, "restrictions": None})
    state.update(settings)
    return state


def reviews(count: int, **extra: Any) -> dict[str, Any]:
    """Return a review requirement in the fake's form."""
    return {
        "count": count,
        "dismiss_stale_reviews": False,
        "require_code_owner_reviews": False,
        "require_last_push_approval": False,
        "dismissal": None,
        "bypass": None,
        **extra,
    }


def error(message: str) -> dict[str, str]:
    return {"message": message, "documentation_url": "https://docs.github.com/rest"}


def api(repo: str, *parts: str) -> str:
    return "/".join(("https://api.github.com/repos", repo, *parts))


def actors_json(actors: dict[str, list[str]] | None) -> dict[str, Any] | None:
    if actors is None:
        return None
    sample = example("branch-protection")["restrictions"]
    user, team, app = sample["users"][0], sample["teams"][0], sample["apps"][0]
    # The example's team lacks the type and its app's owner is an organisation, both of
    # which break the example's own schemas: completed as the cassettes' are.
    team = {**team, "type": "organization"}
    app = {**app, "owner": user}
    return {
        "url": "https://api.github.com/restrictions",
        "users_url": "https://api.github.com/restrictions/users",
        "teams_url": "https://api.github.com/restrictions/teams",
        "apps_url": "https://api.github.com/restrictions/apps",
        "users": [{**user, "login": u} for u in actors.get("users", [])],
        "teams": [{**team, "slug": t} for t in actors.get("teams", [])],
        "apps": [{**app, "slug": a} for a in actors.get("apps", [])],
    }


def protection_json(repo: str, branch: str, state: dict[str, Any]) -> dict[str, Any]:
    url = api(repo, "branches", branch, "protection")
    out: dict[str, Any] = {"url": url}
    for name in FLAGS:
        out[name] = {"enabled": state[name]}
    out["enforce_admins"]["url"] = f"{url}/enforce_admins"
    out["required_signatures"]["url"] = f"{url}/required_signatures"
    if state["checks"] is not None:
        out["required_status_checks"] = {
            "url": f"{url}/required_status_checks",
            "strict": state["strict"],
            "contexts": [c for c, _ in state["checks"]],
            "checks": [{"context": c, "app_id": a} for c, a in state["checks"]],
            "contexts_url": f"{url}/required_status_checks/contexts",
        }
    if state["reviews"] is not None:
        out["required_pull_request_reviews"] = reviews_json(url, state["reviews"])
    if state["restrictions"] is not None:
        out["restrictions"] = actors_json(state["restrictions"])
    return out


def reviews_json(url: str, rev: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "url": f"{url}/required_pull_request_reviews",
        "dismiss_stale_reviews": rev["dismiss_stale_reviews"],
        "require_code_owner_reviews": rev["require_code_owner_reviews"],
        "required_approving_review_count": rev["count"],
        "require_last_push_approval": rev["require_last_push_approval"],
    }
    if rev["dismissal"] is not None:
        out["dismissal_restrictions"] = actors_json(rev["dismissal"])
    if rev["bypass"] is not None:
        bypass = actors_json(rev["bypass"])
        assert bypass is not None
        out["bypass_pull_request_allowances"] = {k: bypass[k] for k in ("users", "teams", "apps")}
    return out


def actors(body: Any) -> dict[str, list[str]] | None:
    if body is None:
        return None
    return {k: list(body.get(k) or []) for k in ("users", "teams", "apps")}


def put(body: dict[str, Any]) -> dict[str, Any]:
    """Replace a protection as GitHub's PUT does (signed commits off: the PUT cannot say)."""
    checks = body.get("required_status_checks")
    rev = body.get("required_pull_request_reviews")
    state = classic(
        **{n: bool(body.get(n)) for n in FLAGS if n not in ("required_signatures",)},
        restrictions=actors(body.get("restrictions")),
    )
    if checks is not None:
        state["strict"] = bool(checks.get("strict"))
        if "checks" in checks:
            state["checks"] = [(c["context"], c.get("app_id")) for c in checks["checks"]]
        else:
            state["checks"] = [(c, None) for c in checks.get("contexts") or []]
    if rev is not None:
        bypass = actors(rev.get("bypass_pull_request_allowances"))
        state["reviews"] = reviews(
            int(rev.get("required_approving_review_count") or 0),
            dismiss_stale_reviews=bool(rev.get("dismiss_stale_reviews")),
            require_code_owner_reviews=bool(rev.get("require_code_owner_reviews")),
            require_last_push_approval=bool(rev.get("require_last_push_approval")),
            dismissal=actors(rev.get("dismissal_restrictions")),
            bypass=bypass if bypass and any(bypass.values()) else None,
        )
    return state


def protection_endpoint(
    endpoint: str, repo: str, branch: str, state: dict[str, Any], body: Any
) -> tuple[int, Any]:
    url = api(repo, "branches", branch, "protection")
    if endpoint == "GET protection":
        return 200, protection_json(repo, branch, state)
    if endpoint in ("POST signatures", "POST enforce_admins", "GET signatures"):
        name = "enforce_admins" if endpoint == "POST enforce_admins" else "required_signatures"
        if endpoint != "GET signatures":
            state[name] = True
        return 200, {"url": f"{url}/{name}", "enabled": state[name]}
    if endpoint in ("PATCH checks", "POST contexts"):
        if state["checks"] is None:
            return 404, error("Required status checks not enabled")
        if endpoint == "POST contexts":
            known = [c for c, _ in state["checks"]]
            state["checks"] += [(c, None) for c in body["contexts"] if c not in known]
            return 200, [c for c, _ in state["checks"]]
        if "strict" in body:
            state["strict"] = bool(body["strict"])
        if "checks" in body:
            state["checks"] = [(c["context"], c.get("app_id")) for c in body["checks"]]
        elif "contexts" in body:
            state["checks"] = [(c, None) for c in body["contexts"]]
        answer = protection_json(repo, branch, state)["required_status_checks"]
        return 200, answer
    assert endpoint == "PATCH reviews", endpoint
    rev = state["reviews"]
    if rev is None:
        return 404, error("Required pull request reviews not enabled")
    for key, value in body.items():
        if key == "required_approving_review_count":
            rev["count"] = value
        elif key == "dismissal_restrictions":
            rev["dismissal"] = actors(value) if value else None
        elif key == "bypass_pull_request_allowances":
            bypass = actors(value)
            rev["bypass"] = bypass if bypass and any(bypass.values()) else None
        else:
            rev[key] = value
    return 200, reviews_json(url, rev)


def branch_json(repo: str, branch: str, found: Branch) -> dict[str, Any]:
    data: dict[str, Any] = example("branch-get")
    data["name"] = branch
    data["protected"] = found.protection is not None
    data["protection_url"] = api(repo, "branches", branch, "protection")
    return data


def reported(endpoint: str, names: list[str]) -> dict[str, Any]:
    if endpoint == "GET check-runs":
        page: dict[str, Any] = example("check-run-paginated")
        template = page["check_runs"][0]
        page["check_runs"] = [{**template, "name": n, "id": 4000 + i} for i, n in enumerate(names)]
        page["total_count"] = len(names)
        return page
    combined: dict[str, Any] = example("combined-commit-status")
    combined["statuses"], combined["total_count"] = [], 0
    return combined


def ruleset_json(repo: str, ruleset: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = example("repository-ruleset")
    data.update(copy.deepcopy(ruleset))
    data["source"], data["source_type"] = repo, "Repository"
    return data


def ruleset_summary(repo: str, ruleset: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = example("repository-ruleset-items")[0]
    item.update(id=ruleset["id"], name=ruleset["name"], enforcement=ruleset["enforcement"])
    item["source"], item["source_type"] = repo, "Repository"
    return item
