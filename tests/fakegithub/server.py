"""The fake's HTTP side: a route table, faults armed per endpoint, and what was asked.

Each route has a name ("POST issues", "PUT protection"), a method and a path pattern
under /repos/{owner}/{repo}; the fake's state modules (issues.py, protection.py) supply
the routes and their handlers, which run one at a time under the fake's lock. Requests
are told apart by their token (`TOKEN`, or `TOKEN + "-" + who` for a named client), so
that a test racing two clients can fail or kill one of them.

A request goes through, in order: its latency, its fault's "before" (a 5xx, nothing
done), the handler (the state changes), the actions armed for after it, its barrier
(held until every party has been carried out), its fault's "after" (dropped, killed, a
5xx), then the answer.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, unquote, urlsplit

from followup.github import ClientOptions, GitHub

TOKEN = "fake-token-not-real"
# The faults the protection matrix plays; `fail` also takes "error_before"/"error_after"
# with any status.
FAULTS = ("drop_after", "502_after", "502_before", "kill")
_KINDS = {
    "drop_after": ("drop", 0),
    "kill": ("kill", 0),
    "502_after": ("after", 502),
    "502_before": ("before", 502),
    "error_after": ("after", 502),
    "error_before": ("before", 502),
}
_REPO = r"/repos/(?P<repo>[^/]+/[^/]+)"
ANY = "*"  # a fault or a latency for every endpoint


@dataclass
class Request:
    """One request as the fake saw it; `who` names the client that sent it."""

    method: str
    path: str
    query: str
    params: dict[str, str]
    body: Any
    who: str = ""
    endpoint: str = ""


@dataclass
class Answer:
    """What a route returns: a status, a JSON body and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Exchange:
    """One request the fake answered (or dropped), for the tests and the contract check."""

    endpoint: str
    method: str
    path: str
    query: str
    body: Any
    status: int
    answer: Any
    who: str = ""
    dropped: bool = False


Handler = Callable[..., Answer]


@dataclass(frozen=True)
class Route:
    """An endpoint: its name, method, path pattern (after /repos/{owner}/{repo}) and handler."""

    name: str
    method: str
    pattern: str
    handler: Handler
    whole_path: bool = False  # the pattern is the whole path, not under a repository


@dataclass
class _Fault:
    endpoint: str
    kind: str  # before, after, drop, kill
    status: int
    skip: int = 0
    times: int = 1
    who: str | None = None

    def matches(self, endpoint: str, who: str) -> bool:
        return (
            self.times > 0
            and self.endpoint in (endpoint, ANY)
            and (self.who is None or self.who == who)
        )


@dataclass
class _Barrier:
    endpoint: str
    barrier: threading.Barrier
    remaining: int


def error(message: str, status: int | None = None) -> dict[str, str]:
    """Return GitHub's error body ('basic-error')."""
    body = {"message": message, "documentation_url": "https://docs.github.com/rest"}
    if status is not None:
        body["status"] = str(status)
    return body


class Server:
    """Route, fail, hold and record requests; serve them on 127.0.0.1."""

    routes: ClassVar[list[Route]]

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.on_kill: Callable[[], None] = lambda: None
        self.url = ""
        self._lock = threading.RLock()
        self._faults: list[_Fault] = []
        self._barriers: list[_Barrier] = []
        self._latency: list[tuple[str, float]] = []
        self._answers: list[tuple[str, int, Any]] = []
        self._after: list[tuple[str, Callable[[Any], None]]] = []
        self._watchers: list[Callable[[Exchange], None]] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._sorted = sorted(self.routes, key=lambda r: -len(r.pattern))

    # -- arranging --------------------------------------------------------------------

    def fail(
        self,
        endpoint: str,
        kind: str,
        *,
        status: int | None = None,
        skip: int = 0,
        times: int = 1,
        who: str | None = None,
    ) -> None:
        """Fail the next `times` requests to endpoint (after `skip` of them).

        kind: drop_after (carried out, then the connection closes unanswered), kill (the
        same, after on_kill ran), error_after / 502_after (carried out, then a 5xx),
        error_before / 502_before (a 5xx, nothing carried out). `who` limits it to one
        client's requests; endpoint "*" is every endpoint.
        """
        assert kind in _KINDS, kind
        assert endpoint == ANY or endpoint in self.endpoints(), endpoint
        how, default = _KINDS[kind]
        self._faults.append(_Fault(endpoint, how, status or default, skip, times, who))

    def drop_answer(self, endpoint: str, *, times: int = 1) -> None:
        """Carry out the next requests to endpoint, then close the connection unanswered."""
        self.fail(endpoint, "drop_after", times=times)

    def barrier(self, endpoint: str, *, parties: int = 2, timeout: float = 10) -> None:
        """Hold the next `parties` requests to endpoint, once carried out, until all arrive."""
        assert endpoint in self.endpoints(), endpoint
        self._barriers.append(
            _Barrier(endpoint, threading.Barrier(parties, timeout=timeout), parties)
        )

    def latency(self, endpoint: str, seconds: float) -> None:
        """Delay every request to endpoint ("*": to any) by seconds before carrying it out."""
        self._latency.append((endpoint, seconds))

    def answer(self, endpoint: str, status: int, body: Any) -> None:
        """Answer the next request to endpoint with this status and body instead."""
        self._answers.append((endpoint, status, body))

    def when(self, endpoint: str, action: Callable[[Any], None]) -> None:
        """Run action(fake) once, right after the next request to endpoint was carried out."""
        self._after.append((endpoint, action))

    def watch(self, watcher: Callable[[Exchange], None]) -> None:
        """Call watcher with every exchange once it is carried out (on the server's thread)."""
        self._watchers.append(watcher)

    def requests(self, *endpoints: str, who: str | None = None) -> list[str]:
        """Return the endpoints requested so far, in order (only those named, if any)."""
        with self._lock:
            return [
                e.endpoint
                for e in self.exchanges
                if (not endpoints or e.endpoint in endpoints) and (who is None or e.who == who)
            ]

    def endpoints(self) -> set[str]:
        """Return the name of every route."""
        return {route.name for route in self.routes}

    def client(self, who: str = "", **options: Any) -> GitHub:
        """Return a followup client of the fake (no pacing, no backoff), known as `who`."""
        settings = {"write_interval": 0.0, "backoff": 0.0, "timeout": 10.0, **options}
        return GitHub(token_for(who), ClientOptions(base_url=self.url, **settings))

    # -- serving ----------------------------------------------------------------------

    def start(self) -> str:
        """Start serving on 127.0.0.1; return the base URL."""
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Stay quiet: pytest shows what failed."""

            def _any(self) -> None:
                fake._handle(self)

            do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _any

        self._httpd = _Quiet(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        return self.url

    def stop(self) -> None:
        """Stop serving; release anything held at a barrier."""
        for held in self._barriers:
            held.barrier.abort()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve while the block runs; yield the base URL."""
        url = self.start()
        try:
            yield url
        finally:
            self.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- one request ------------------------------------------------------------------

    def route(self, method: str, path: str) -> tuple[Route | None, str, dict[str, str]]:
        """Return the route of a request, its repository and the path's named parts."""
        match = re.fullmatch(_REPO + r"/(?P<rest>.+)", path)
        for route in self._sorted:
            if route.method != method:
                continue
            if route.whole_path:
                found = re.fullmatch(route.pattern, path)
                if found is not None:
                    return route, "", found.groupdict()
            elif match is not None:
                found = re.fullmatch(route.pattern, match["rest"])
                if found is not None:
                    return route, match["repo"], found.groupdict()
        return None, match["repo"] if match else "", {}

    def _take_fault(self, endpoint: str, who: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(endpoint, who):
                    if fault.skip:
                        fault.skip -= 1
                        return None
                    fault.times -= 1
                    return fault
        return None

    def _take_barrier(self, endpoint: str) -> threading.Barrier | None:
        with self._lock:
            for held in self._barriers:
                if held.endpoint == endpoint and held.remaining:
                    held.remaining -= 1
                    return held.barrier
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

    def _carry_out(
        self, request: Request, route: Route | None, repo: str, args: dict[str, str]
    ) -> Answer:
        if route is None:
            return Answer(404, error("Not Found", 404))
        answer = route.handler(self, request, repo, **args)
        replaced = self._take_answer(route.name)
        return answer if replaced is None else Answer(*replaced)

    def process(self, method: str, url: str, body: Any = None) -> Answer:
        """Carry out one request in this process, without HTTP or faults (for authoring)."""
        parts = urlsplit(url)
        request = Request(
            method,
            unquote(parts.path),
            parts.query,
            {k: v[-1] for k, v in parse_qs(parts.query).items()},
            body,
        )
        route, repo, args = self.route(method, request.path)
        request.endpoint = route.name if route else f"{method} ?"
        with self._lock:
            answer = self._carry_out(request, route, repo, args)
            self.exchanges.append(
                Exchange(
                    request.endpoint,
                    method,
                    request.path,
                    request.query,
                    body,
                    answer.status,
                    answer.body,
                )
            )
            self._run_after(request.endpoint)
        return answer

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        who = _who(handler.headers.get("Authorization") or "")
        request = Request(
            handler.command,
            unquote(parts.path),
            parts.query,
            {k: v[-1] for k, v in parse_qs(parts.query).items()},
            json.loads(raw) if raw else None,
            who or "",
        )
        if who is None:
            _reply(handler, Answer(401, error("Bad credentials", 401)))
            return
        route, repo, args = self.route(request.method, request.path)
        endpoint = request.endpoint = route.name if route else f"{request.method} ?"
        for name, seconds in self._latency:
            if name in (endpoint, ANY):
                time.sleep(seconds)
        fault = self._take_fault(endpoint, request.who)
        with self._lock:
            if fault is not None and fault.kind == "before":
                answer = Answer(fault.status)
            else:
                answer = self._carry_out(request, route, repo, args)
            dropped = fault is not None and fault.kind in ("drop", "kill")
            exchange = Exchange(
                endpoint,
                request.method,
                request.path,
                request.query,
                request.body,
                answer.status,
                answer.body,
                request.who,
                dropped,
            )
            self.exchanges.append(exchange)
            if fault is None or fault.kind != "before":
                self._run_after(endpoint)
            watchers = list(self._watchers)
        for watcher in watchers:
            watcher(exchange)
        held = self._take_barrier(endpoint)
        if held is not None:
            with suppress(threading.BrokenBarrierError):
                held.wait()
        if fault is not None and fault.kind == "kill":
            self.on_kill()
        if dropped:
            handler.close_connection = True  # carried out; the answer never leaves
            return
        if fault is not None and fault.kind == "after":
            answer = Answer(fault.status)
        _reply(handler, answer)


class _Quiet(ThreadingHTTPServer):
    """A server that says nothing when a client it serves is killed mid-request."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore connections a killed client reset; report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def token_for(who: str) -> str:
    """Return the token a client named `who` sends ("" for the unnamed client)."""
    return f"{TOKEN}-{who}" if who else TOKEN


def _who(authorization: str) -> str | None:
    """Return the client a token names ("" for the plain TOKEN), or None for a stranger."""
    token = authorization.rsplit(maxsplit=1)[-1] if authorization.strip() else ""
    if token == TOKEN:
        return ""
    if token.startswith(TOKEN + "-"):
        return token[len(TOKEN) + 1 :]
    return None


def _reply(handler: BaseHTTPRequestHandler, answer: Answer) -> None:
    if answer.status >= 500 and answer.body is None:
        data = f"<html><body><h1>{answer.status} Server Error</h1></body></html>".encode()
        kind = "text/html"
    else:
        data = b"" if answer.body is None else json.dumps(answer.body).encode()
        kind = "application/json; charset=utf-8"
    handler.send_response(answer.status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(data)))
    handler.send_header("X-RateLimit-Limit", "5000")
    handler.send_header("X-RateLimit-Remaining", "4999")
    handler.send_header("X-RateLimit-Reset", "1798761600")
    for key, value in answer.headers.items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(data)
