"""A small stateful GitHub for branch protection, on 127.0.0.1, that fails on demand.

It keeps classic protection, repository rulesets, the rules in effect on a branch and the
checks reported on it, and answers the REST requests followup sends for them in GitHub's
shapes (bodies built from the examples in GitHub's OpenAPI description). A PUT replaces
the whole protection as GitHub documents it, and loses what GitHub's PUT cannot carry:
signed commits are switched off, and checks sent as `contexts` lose their app binding.

Faults are armed per endpoint (`fake.fail("PUT protection", "drop_after")`):

- drop_after   the request is carried out, then the connection is closed unanswered;
- 502_after    the request is carried out, then a proxy's 502 comes back;
- 502_before   a 502 comes back and nothing is carried out;
- kill         the request is carried out, `on_kill` runs (it kills the client), and the
               connection is closed unanswered.

`fake.answer(...)` replaces one answer (a GET protection that says `200 {}`), and
`fake.when(endpoint, action)` runs an action (an admin's change) right after a request.
`weakened_since(before)` says what is looser now than in a state saved earlier; it is
written here, apart from followup's own comparison, so that it can judge it.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from tests.faults import github_shapes as shapes
from tests.faults import judge
from tests.faults.github_shapes import Branch

FAULTS = ("drop_after", "502_after", "502_before", "kill")
# (endpoint name, method, path under /repos/{owner}/{repo}/)
_ROUTES = [
    ("GET protection", "GET", r"branches/(?P<b>.+)/protection"),
    ("PUT protection", "PUT", r"branches/(?P<b>.+)/protection"),
    ("PATCH checks", "PATCH", r"branches/(?P<b>.+)/protection/required_status_checks"),
    ("POST contexts", "POST", r"branches/(?P<b>.+)/protection/required_status_checks/contexts"),
    ("PATCH reviews", "PATCH", r"branches/(?P<b>.+)/protection/required_pull_request_reviews"),
    ("POST enforce_admins", "POST", r"branches/(?P<b>.+)/protection/enforce_admins"),
    ("GET signatures", "GET", r"branches/(?P<b>.+)/protection/required_signatures"),
    ("POST signatures", "POST", r"branches/(?P<b>.+)/protection/required_signatures"),
    ("GET branch", "GET", r"branches/(?P<b>[^/]+)"),
    ("GET rulesets", "GET", r"rulesets"),
    ("POST rulesets", "POST", r"rulesets"),
    ("GET ruleset", "GET", r"rulesets/(?P<id>\d+)"),
    ("PUT ruleset", "PUT", r"rulesets/(?P<id>\d+)"),
    ("GET rules", "GET", r"rules/branches/(?P<b>.+)"),
    ("GET check-runs", "GET", r"commits/(?P<b>.+)/check-runs"),
    ("GET status", "GET", r"commits/(?P<b>.+)/status"),
]
WRITES = {name for name, method, _ in _ROUTES if method != "GET"}


@dataclass
class Exchange:
    """One request the fake answered, for the contract check."""

    method: str
    path: str
    query: str
    body: Any
    status: int
    answer: Any


@dataclass
class _Armed:
    endpoint: str
    kind: str
    skip: int = 0  # matching requests to let through first


class Dropped(Exception):
    """Close the connection without an answer."""


@dataclass
class FakeGitHub:
    """The state of a few repositories, and a server that answers for them."""

    def __init__(self) -> None:
        self.branches: dict[tuple[str, str], Branch] = {}
        self.rulesets: dict[str, dict[int, dict[str, Any]]] = {}
        self.org_rules: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.exchanges: list[Exchange] = []
        self.on_kill: Callable[[], None] = lambda: None
        self._armed: list[_Armed] = []
        self._answers: list[tuple[str, int, Any]] = []
        self._after: list[tuple[str, Callable[[FakeGitHub], None]]] = []
        self._lock = threading.RLock()
        self._next_id = 100
        self.url = ""
        # Whether GET …/protection says if signed commits are required (GitHub's example
        # does not; then only …/protection/required_signatures tells).
        self.reports_signatures = True

    # -- arranging -------------------------------------------------------------------------

    def branch(self, repo: str, name: str, protection: dict[str, Any] | None = None) -> Branch:
        """Create a branch, protected as given."""
        found = self.branches[(repo, name)] = Branch(copy.deepcopy(protection))
        self.rulesets.setdefault(repo, {})
        return found

    def fail(self, endpoint: str, kind: str, *, skip: int = 0) -> None:
        """Fail the next request to endpoint (after `skip` of them) in one of FAULTS."""
        assert kind in FAULTS and endpoint in WRITES, (endpoint, kind)
        self._armed.append(_Armed(endpoint, kind, skip))

    def answer(self, endpoint: str, status: int, body: Any) -> None:
        """Answer the next request to endpoint with this status and body instead."""
        self._answers.append((endpoint, status, body))

    def when(self, endpoint: str, action: Callable[[FakeGitHub], None]) -> None:
        """Run action once, right after the next request to endpoint was answered."""
        self._after.append((endpoint, action))

    def state(self) -> dict[str, Any]:
        """Return a deep copy of everything, to compare with later."""
        with self._lock:
            return copy.deepcopy({"branches": self.branches, "rulesets": self.rulesets})

    def requests(self, *endpoints: str) -> list[str]:
        """Return the endpoints requested so far, in order (only those named, if any)."""
        named = [route(e.method, e.path)[0] for e in self.exchanges]
        return [n for n in named if not endpoints or n in endpoints]

    # -- serving ---------------------------------------------------------------------------

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on 127.0.0.1 while the block runs; yield the base URL."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Stay quiet."""

            def _any(self) -> None:
                fake._handle(self)

            do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _any

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        self.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        try:
            yield self.url
        finally:
            httpd.shutdown()
            httpd.server_close()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        method, path = handler.command, unquote(parts.path)
        with self._lock:
            endpoint, repo, args = route(method, path)
            armed = self._take_fault(endpoint)
            try:
                if armed is not None and armed.kind == "502_before":
                    status, answer = 502, None
                else:
                    status, answer = self._dispatch(endpoint, repo, args, body)
                    replaced = self._take_answer(endpoint)
                    if replaced is not None:
                        status, answer = replaced
                self.exchanges.append(Exchange(method, path, parts.query, body, status, answer))
                if armed is not None and armed.kind in ("drop_after", "kill"):
                    if armed.kind == "kill":
                        self.on_kill()
                    raise Dropped
                if armed is not None and armed.kind == "502_after":
                    status, answer = 502, None
            except Dropped:
                handler.close_connection = True
                return
            finally:
                self._run_after(endpoint)
        _reply(handler, status, answer)

    def _take_fault(self, endpoint: str) -> _Armed | None:
        for armed in self._armed:
            if armed.endpoint == endpoint:
                if armed.skip:
                    armed.skip -= 1
                    return None
                self._armed.remove(armed)
                return armed
        return None

    def _take_answer(self, endpoint: str) -> tuple[int, Any] | None:
        for entry in self._answers:
            if entry[0] == endpoint:
                self._answers.remove(entry)
                return entry[1], entry[2]
        return None

    def _run_after(self, endpoint: str) -> None:
        for entry in self._after:
            if entry[0] == endpoint:
                self._after.remove(entry)
                entry[1](self)
                return

    # -- what GitHub does ------------------------------------------------------------------

    def _dispatch(
        self, endpoint: str, repo: str, args: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        if endpoint in ("GET rulesets", "POST rulesets", "GET ruleset", "PUT ruleset"):
            return self._rulesets(endpoint, repo, args, body)
        if endpoint == "GET rules":
            return 200, self._rules(repo, args["b"])
        found = self.branches.get((repo, args.get("b", "")))
        if found is None:
            return 404, shapes.error("Branch not found")
        if endpoint == "GET branch":
            return 200, shapes.branch_json(repo, args["b"], found)
        if endpoint in ("GET check-runs", "GET status"):
            return 200, shapes.reported(endpoint, found.reported)
        state = found.protection
        if endpoint == "PUT protection":
            found.protection = shapes.put(body)
            return 200, shapes.protection_json(repo, args["b"], found.protection)
        if state is None:
            return 404, shapes.error("Branch not protected")
        status, answer = shapes.protection_endpoint(endpoint, repo, args["b"], state, body)
        if endpoint == "GET protection" and not self.reports_signatures:
            answer.pop("required_signatures")  # as GitHub's own example of the answer
        return status, answer

    def _rulesets(
        self, endpoint: str, repo: str, args: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        mine = self.rulesets.setdefault(repo, {})
        if endpoint == "GET rulesets":
            return 200, [shapes.ruleset_summary(repo, r) for r in mine.values()]
        if endpoint == "POST rulesets":
            self._next_id += 1
            mine[self._next_id] = {**copy.deepcopy(body), "id": self._next_id}
            return 201, shapes.ruleset_json(repo, mine[self._next_id])
        ruleset = mine.get(int(args["id"]))
        if ruleset is None:
            return 404, shapes.error("Not Found")
        if endpoint == "PUT ruleset":
            ruleset.update(copy.deepcopy(body))
        return 200, shapes.ruleset_json(repo, ruleset)

    def _rules(self, repo: str, branch: str) -> list[dict[str, Any]]:
        rules = list(self.org_rules.get((repo, branch), []))
        ref = f"refs/heads/{branch}"
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
        return rules

    # -- judging ---------------------------------------------------------------------------

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


# -- routing and answers --------------------------------------------------------------------


def route(method: str, path: str) -> tuple[str, str, dict[str, str]]:
    match = re.fullmatch(r"/repos/(?P<o>[^/]+)/(?P<r>[^/]+)/(?P<rest>.+)", path)
    if match is None:
        return f"{method} ?", "", {}
    repo, rest = f"{match['o']}/{match['r']}", match["rest"]
    # The most specific route wins: "…/protection/required_signatures" before "…/protection".
    for name, verb, pattern in sorted(_ROUTES, key=lambda r: -len(r[2])):
        found = re.fullmatch(pattern, rest)
        if verb == method and found is not None:
            return name, repo, found.groupdict()
    return f"{method} ?", repo, {}


def _reply(handler: BaseHTTPRequestHandler, status: int, answer: Any) -> None:
    if status == 502:
        data = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        kind = "text/html"
    else:
        data = json.dumps(answer).encode() if answer is not None else b""
        kind = "application/json; charset=utf-8"
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(data)))
    handler.send_header("X-RateLimit-Limit", "5000")
    handler.send_header("X-RateLimit-Remaining", "4999")
    handler.send_header("X-RateLimit-Reset", "1798761600")
    handler.end_headers()
    handler.wfile.write(data)
