"""Branch protection in the fake: classic protection, rulesets, the rules and checks of a branch.

A PUT replaces the whole protection as GitHub documents it, and loses what GitHub's PUT
cannot carry: signed commits are switched off, and checks sent as `contexts` lose their
app binding. `weakened_since(before)` says what is looser now than in a state saved
earlier; it is written here (judge.py), apart from followup's own comparison, so that it
can judge it.
"""

from __future__ import annotations

import copy
import fnmatch
from typing import Any

from tests.fakegithub import judge
from tests.fakegithub import protection_shapes as shapes
from tests.fakegithub.protection_shapes import Branch
from tests.fakegithub.server import Answer, Request, Route

_B = r"branches/(?P<b>.+)/protection"


class ProtectionState:
    """Classic protection and rulesets of a few repositories."""

    def _setup_protection(self) -> None:
        self.branches: dict[tuple[str, str], Branch] = {}
        self.rulesets: dict[str, dict[int, dict[str, Any]]] = {}
        self.org_rules: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._next_ruleset = 100
        # Whether GET …/protection says if signed commits are required (GitHub's example
        # does not; then only …/protection/required_signatures tells).
        self.reports_signatures = True

    # -- arranging --------------------------------------------------------------------

    def branch(self, repo: str, name: str, protection: dict[str, Any] | None = None) -> Branch:
        """Create a branch, protected as given."""
        found = self.branches[(repo, name)] = Branch(copy.deepcopy(protection))
        self.rulesets.setdefault(repo, {})
        return found

    def state(self) -> dict[str, Any]:
        """Return a deep copy of the protection state, to compare with later."""
        return copy.deepcopy({"branches": self.branches, "rulesets": self.rulesets})

    # -- routes -----------------------------------------------------------------------

    def _protection(self, request: Request, repo: str, b: str) -> Answer:
        endpoint = request.endpoint
        found = self.branches.get((repo, b))
        if found is None:
            return Answer(404, shapes.error("Branch not found"))
        state = found.protection
        if endpoint == "PUT protection":
            found.protection = shapes.put(request.body)
            return Answer(200, shapes.protection_json(repo, b, found.protection))
        if state is None:
            return Answer(404, shapes.error("Branch not protected"))
        status, answer = shapes.protection_endpoint(endpoint, repo, b, state, request.body)
        if endpoint == "GET protection" and not self.reports_signatures:
            answer.pop("required_signatures")  # as GitHub's own example of the answer
        return Answer(status, answer)

    def _branch(self, request: Request, repo: str, b: str) -> Answer:
        found = self.branches.get((repo, b))
        if found is None:
            return Answer(404, shapes.error("Branch not found"))
        return Answer(200, shapes.branch_json(repo, b, found))

    def _reported(self, request: Request, repo: str, b: str) -> Answer:
        found = self.branches.get((repo, b))
        if found is None:
            return Answer(404, shapes.error("Branch not found"))
        return Answer(200, shapes.reported(request.endpoint, found.reported))

    def _list_rulesets(self, request: Request, repo: str) -> Answer:
        mine = self.rulesets.setdefault(repo, {})
        return Answer(200, [shapes.ruleset_summary(repo, r) for r in mine.values()])

    def _create_ruleset(self, request: Request, repo: str) -> Answer:
        mine = self.rulesets.setdefault(repo, {})
        self._next_ruleset += 1
        mine[self._next_ruleset] = {**copy.deepcopy(request.body), "id": self._next_ruleset}
        return Answer(201, shapes.ruleset_json(repo, mine[self._next_ruleset]))

    def _ruleset(self, request: Request, repo: str, id: str) -> Answer:
        ruleset = self.rulesets.setdefault(repo, {}).get(int(id))
        if ruleset is None:
            return Answer(404, shapes.error("Not Found"))
        if request.method == "PUT":
            ruleset.update(copy.deepcopy(request.body))
        return Answer(200, shapes.ruleset_json(repo, ruleset))

    def _rules(self, request: Request, repo: str, b: str) -> Answer:
        rules = list(self.org_rules.get((repo, b), []))
        ref = f"refs/heads/{b}"
        for ruleset in self.rulesets.get(repo, {}).values():
            include = ruleset.get("conditions", {}).get("ref_name", {}).get("include", [])
            if ruleset.get("enforcement") == "active" and any(
                fnmatch.fnmatch(ref, p) or p == "~ALL" for p in include
            ):
                rules += [
                    {
                        **r,
                        "ruleset_source_type": "Repository",
                        "ruleset_source": repo,
                        "ruleset_id": ruleset["id"],
                    }
                    for r in ruleset.get("rules", [])
                ]
        return Answer(200, rules)

    # -- judging ----------------------------------------------------------------------

    def weakened_since(self, before: dict[str, Any]) -> list[str]:
        """Return every setting looser now than in `before` (from state()), anywhere."""
        out: list[str] = []
        for key, then in before["branches"].items():
            now = self.branches[key].protection
            out += [f"{key[1]}: {w}" for w in judge.classic_weaker(then.protection, now)]
        for repo, sets in before["rulesets"].items():
            for ruleset_id, old in sets.items():
                new = self.rulesets.get(repo, {}).get(ruleset_id)
                out += [f"ruleset {ruleset_id}: {w}" for w in judge.ruleset_weaker(old, new)]
        return out

    def missing(self, repo: str, branch: str, requested: dict[str, Any]) -> list[str]:
        """Return the requested settings not in effect: in followup's ruleset, else classic."""
        name = f"followup: {branch}"
        ruleset = next((r for r in self.rulesets.get(repo, {}).values() if r["name"] == name), None)
        if ruleset is not None and ruleset["enforcement"] == "active":
            return judge.ruleset_missing(ruleset, requested)
        found = self.branches.get((repo, branch))
        state = found.protection if found is not None else None
        if state is None:
            return sorted(requested)
        return judge.classic_missing(state, requested)


_P = ProtectionState
PROTECTION_ROUTES = [
    Route("GET protection", "GET", _B, _P._protection),
    Route("PUT protection", "PUT", _B, _P._protection),
    Route("PATCH checks", "PATCH", _B + "/required_status_checks", _P._protection),
    Route("POST contexts", "POST", _B + "/required_status_checks/contexts", _P._protection),
    Route("PATCH reviews", "PATCH", _B + "/required_pull_request_reviews", _P._protection),
    Route("POST enforce_admins", "POST", _B + "/enforce_admins", _P._protection),
    Route("GET signatures", "GET", _B + "/required_signatures", _P._protection),
    Route("POST signatures", "POST", _B + "/required_signatures", _P._protection),
    Route("GET branch", "GET", r"branches/(?P<b>[^/]+)", _P._branch),
    Route("GET rulesets", "GET", r"rulesets", _P._list_rulesets),
    Route("POST rulesets", "POST", r"rulesets", _P._create_ruleset),
    Route("GET ruleset", "GET", r"rulesets/(?P<id>\d+)", _P._ruleset),
    Route("PUT ruleset", "PUT", r"rulesets/(?P<id>\d+)", _P._ruleset),
    Route("GET rules", "GET", r"rules/branches/(?P<b>.+)", _P._rules),
    Route("GET check-runs", "GET", r"commits/(?P<b>.+)/check-runs", _P._reported),
    Route("GET status", "GET", r"commits/(?P<b>.+)/status", _P._reported),
]
