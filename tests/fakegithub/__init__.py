"""A small stateful GitHub on 127.0.0.1, for what cassettes cannot express: runs that race.

A cassette replays one fixed sequence; two runs racing each other need a GitHub that
keeps state between their requests. FakeGitHub answers the REST calls followup sends for
issue comments in GitHub's shapes (the OpenAPI example `issue-comment`, adapted), with
Link pagination, and lets a test force an interleaving or a failure:

    with FakeGitHub() as fake:
        fake.barrier("POST", r"/comments$", parties=2)  # both creates land before either answer
        fake.drop_answer("POST", r"/comments$")           # applied, then the connection drops
        fake.fail("POST", r"/comments$", status=502)      # refused, not applied
        client = fake.client()                            # a followup GitHub pointed at it

Tests that use it must let the client reach the loopback address past --block-network:
mark them with LOOPBACK. Add routes in ROUTES when a test needs another endpoint.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from scripts.cassette_kit import example

from followup.github import ClientOptions, GitHub

LOOPBACK = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])
START = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
TOKEN = "fake-token-not-real"


@dataclass
class Request:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    remaining: int
    barrier: threading.Barrier | None = None
    status: int = 502


@dataclass
class Answer:
    """What a route returns: a status, a JSON body and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeGitHub:
    """A GitHub that keeps issue comments in memory and serves them over HTTP."""

    def __init__(self, *, per_page_cap: int = 100, login: str = "github-actions[bot]") -> None:
        self.per_page_cap = per_page_cap
        self.login = login
        self.comments: dict[int, dict[str, Any]] = {}
        self.requests: list[Request] = []
        self.created: list[int] = []  # every comment id ever created, deleted ones too
        self._next_id = 1_000
        self._tick = 0
        self._lock = threading.Lock()
        self._drops: list[_Fault] = []
        self._fails: list[_Fault] = []
        self._barriers: list[_Fault] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- running --------------------------------------------------------------------------

    def __enter__(self) -> FakeGitHub:
        handler = _handler(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for fault in self._barriers:
            if fault.barrier is not None:
                fault.barrier.abort()

    @property
    def url(self) -> str:
        """Return the REST base URL the fake listens on."""
        assert self._server is not None, "use FakeGitHub as a context manager"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def client(self, **options: Any) -> GitHub:
        """Return a followup client for the fake: no pacing, no backoff."""
        settings = {"write_interval": 0.0, "backoff": 0.0, "timeout": 10.0, **options}
        return GitHub(TOKEN, ClientOptions(base_url=self.url, **settings))

    # -- faults -------------------------------------------------------------------------

    def drop_answer(self, method: str, pattern: str, *, times: int = 1) -> None:
        """Carry out the next matching requests, then close the connection unanswered."""
        self._drops.append(_Fault(method.upper(), re.compile(pattern), times))

    def fail(self, method: str, pattern: str, *, status: int = 502, times: int = 1) -> None:
        """Answer the next matching requests with status, without carrying them out."""
        self._fails.append(_Fault(method.upper(), re.compile(pattern), times, status=status))

    def barrier(self, method: str, pattern: str, *, parties: int = 2, timeout: float = 10) -> None:
        """Hold the first `parties` matching requests, once carried out, until all arrive."""
        fault = _Fault(method.upper(), re.compile(pattern), parties)
        fault.barrier = threading.Barrier(parties, timeout=timeout)
        self._barriers.append(fault)

    def _take(self, faults: list[_Fault], method: str, path: str) -> _Fault | None:
        with self._lock:
            for fault in faults:
                if fault.remaining and fault.method == method and fault.pattern.search(path):
                    fault.remaining -= 1
                    return fault
        return None

    # -- state --------------------------------------------------------------------------

    def add_comment(self, repo: str, number: int, body: str, *, login: str | None = None) -> int:
        """Add a comment as if someone had posted it; return its id."""
        with self._lock:
            return int(self._create(repo, number, body, login or "octocat")["id"])

    def bodies(self, repo: str, number: int) -> list[str]:
        """Return the bodies of an issue's comments, oldest first."""
        return [c["body"] for c in self._on(repo, number)]

    def _on(self, repo: str, number: int) -> list[dict[str, Any]]:
        issue_url = f"{self.url}/repos/{repo}/issues/{number}"
        found = [c for c in self.comments.values() if c["issue_url"] == issue_url]
        return sorted(found, key=lambda comment: comment["id"])

    def _now(self) -> str:
        self._tick += 1
        return _iso(START + timedelta(seconds=self._tick))

    def _create(self, repo: str, number: int, body: str, login: str) -> dict[str, Any]:
        self._next_id += 1
        comment_id = self._next_id
        data: dict[str, Any] = example("issue-comment")
        owner, name = repo.split("/")
        now = self._now()
        data.update(
            id=comment_id,
            node_id=f"IC_kwDOfake{comment_id}",
            url=f"{self.url}/repos/{repo}/issues/comments/{comment_id}",
            html_url=f"https://github.com/{owner}/{name}/pull/{number}#issuecomment-{comment_id}",
            issue_url=f"{self.url}/repos/{repo}/issues/{number}",
            body=body,
            created_at=now,
            updated_at=now,
            author_association="NONE",
        )
        data["user"] = {**data["user"], "login": login, "type": "Bot"}
        self.comments[comment_id] = data
        self.created.append(comment_id)
        return data

    # -- routes -------------------------------------------------------------------------

    def handle(self, request: Request) -> Answer:
        """Answer one request from the state (called with the lock held)."""
        for method, pattern, route in ROUTES:
            match = re.fullmatch(pattern, request.path)
            if match and method == request.method:
                return route(self, request, **match.groupdict())
        return Answer(404, {"message": "Not Found", "documentation_url": "https://docs.github.com"})

    def list_comments(self, request: Request, repo: str, number: str) -> Answer:
        """GET …/issues/{n}/comments: one page, with a Link to the next."""
        per_page = min(int(request.query.get("per_page", "30")), self.per_page_cap)
        page = int(request.query.get("page", "1"))
        every = self._on(repo, int(number))
        chunk = every[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(every):
            after = f"{self.url}/repos/{repo}/issues/{number}/comments?per_page={per_page}"
            headers["Link"] = f'<{after}&page={page + 1}>; rel="next"'
        return Answer(200, chunk, headers)

    def create_comment(self, request: Request, repo: str, number: str) -> Answer:
        """POST …/issues/{n}/comments."""
        return Answer(201, self._create(repo, int(number), request.body["body"], self.login))

    def update_comment(self, request: Request, repo: str, comment_id: str) -> Answer:
        """PATCH …/issues/comments/{id}."""
        data = self.comments.get(int(comment_id))
        if data is None:
            return Answer(404, {"message": "Not Found", "documentation_url": "https://docs"})
        data.update(body=request.body["body"], updated_at=self._now())
        return Answer(200, data)

    def delete_comment(self, request: Request, repo: str, comment_id: str) -> Answer:
        """DELETE …/issues/comments/{id}."""
        if self.comments.pop(int(comment_id), None) is None:
            return Answer(404, {"message": "Not Found", "documentation_url": "https://docs"})
        return Answer(204)


_REPO = r"/repos/(?P<repo>[^/]+/[^/]+)"
Route = Callable[..., Answer]
ROUTES: list[tuple[str, str, Route]] = [
    ("GET", _REPO + r"/issues/(?P<number>\d+)/comments", FakeGitHub.list_comments),
    ("POST", _REPO + r"/issues/(?P<number>\d+)/comments", FakeGitHub.create_comment),
    ("PATCH", _REPO + r"/issues/comments/(?P<comment_id>\d+)", FakeGitHub.update_comment),
    ("DELETE", _REPO + r"/issues/comments/(?P<comment_id>\d+)", FakeGitHub.delete_comment),
]


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Stay quiet: pytest shows what failed."""

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            request = Request(
                self.command,
                parts.path,
                {k: v[-1] for k, v in parse_qs(parts.query).items()},
                json.loads(raw) if raw else None,
            )
            if not (self.headers.get("Authorization") or "").endswith(TOKEN):
                self._answer(Answer(401, {"message": "Bad credentials"}))
                return
            failed = fake._take(fake._fails, request.method, request.path)
            with fake._lock:
                fake.requests.append(request)
                answer = fake.handle(request) if failed is None else Answer(failed.status)
            held = fake._take(fake._barriers, request.method, request.path)
            if held is not None and held.barrier is not None:
                with suppress(threading.BrokenBarrierError):
                    held.barrier.wait()
            if fake._take(fake._drops, request.method, request.path) is not None:
                self.close_connection = True  # carried out; the answer never leaves
                return
            self._answer(answer)

        def _answer(self, answer: Answer) -> None:
            payload = b"" if answer.body is None else json.dumps(answer.body).encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in answer.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

    return Handler
