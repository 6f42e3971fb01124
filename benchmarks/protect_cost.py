"""Measure what branch protection costs: requests and wall time to plan, apply and verify.

A local server on 127.0.0.1 answers GET/PUT .../branches/{b}/protection like GitHub, with
a delay per request. A fresh store holds --items protection items spread over --branches
branches in 10 repositories (several items per branch, as post-mortems repeat themselves),
then:

  plan    a read per distinct branch, and its rules       target: 2 x branches
  apply   a re-read, a PUT and a verifying read a branch  target: 3 x branches
  verify  one read per distinct branch, 4 at a time      target: branches, whatever items

The server runs in this process, so its own work shares the CPU: times are upper bounds.
"""

# Run: python benchmarks/protect_cost.py [--items 400] [--branches 100] [--delay-ms 20]

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

from followup.github.client import ClientOptions, GitHub
from followup.store import create_store_engine, session_scope
from followup.store.models import ItemRow, PostMortemRow
from followup.sync.drift import verify_protection
from followup.sync.progress import SilentProgress
from followup.sync.protect import apply_protection, plan_protection

REPOS = 10


class FakeGitHub(BaseHTTPRequestHandler):
    """Classic protection endpoints, kept in memory."""

    state: ClassVar[dict[str, dict[str, Any]]] = {}
    delay = 0.0

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-RateLimit-Remaining", "4999")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        """Answer a protection read."""
        time.sleep(self.delay)
        key = unquote(urlsplit(self.path).path)
        if key in self.state:
            self._answer(200, self.state[key])
        else:
            self._answer(404, {"message": "Branch not protected"})

    def do_PUT(self) -> None:
        """Store a protection as GitHub would show it."""
        time.sleep(self.delay)
        key = unquote(urlsplit(self.path).path)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        shown: dict[str, Any] = {"url": f"https://api.github.com{key}"}
        for name, value in body.items():
            if isinstance(value, bool):
                shown[name] = {"enabled": value}
        shown["enforce_admins"] = {"enabled": bool(body["enforce_admins"]), "url": shown["url"]}
        shown["required_signatures"] = {"enabled": False, "url": shown["url"]}
        self.state[key] = shown
        self._answer(200, shown)


@contextmanager
def server(delay: float) -> Iterator[str]:
    FakeGitHub.delay = delay
    FakeGitHub.state = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeGitHub)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def seed(url: str, items: int, branches: int) -> Any:
    engine = create_store_engine(url)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        pm = PostMortemRow(
            slug="bench",
            path="/bench.md",
            title="Bench",
            source="",
            content_hash="x",
            imported_at=now,
            updated_at=now,
        )
        session.add(pm)
        session.flush()
        assert pm.id is not None
        for n in range(items):
            branch = n % branches
            repo = f"bench-org/repo{branch % REPOS}"
            session.add(
                ItemRow(
                    id=f"b{n:06d}",
                    postmortem_id=pm.id,
                    position=n,
                    title=f"Protect branch-{branch}",
                    text="",
                    fingerprint=f"protect {n}",
                    line=n + 1,
                    kind="branch_protection",
                    repo=repo,
                    status="open",
                    protection={
                        "repo": repo,
                        "branch": f"branch-{branch}",
                        "allow_deletions": False,
                    },
                    created_at=now,
                    updated_at=now,
                )
            )
    return engine


def main() -> None:
    """Print requests and seconds for each phase."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--branches", type=int, default=100)
    parser.add_argument("--delay-ms", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, server(args.delay_ms / 1000) as base:
        engine = seed(f"sqlite:///{Path(tmp) / 'bench.db'}", args.items, args.branches)
        client = GitHub("bench", ClientOptions(base_url=base, write_interval=0, backoff=0))
        print(f"{args.items} items on {args.branches} branches, {args.delay_ms:g} ms per request")
        rows = []
        start, before = time.perf_counter(), client.stats.requests
        plans = plan_protection(engine, client)
        rows.append(("plan", client.stats.requests - before, time.perf_counter() - start))
        start, before = time.perf_counter(), client.stats.requests
        report = apply_protection(engine, client, plans, progress=SilentProgress())
        rows.append(("apply", client.stats.requests - before, time.perf_counter() - start))
        assert report.ok, [r.message for r in report.results if not r.ok][:3]
        start, before = time.perf_counter(), client.stats.requests
        verified = verify_protection(engine, client, concurrency=4)
        rows.append(("verify", client.stats.requests - before, time.perf_counter() - start))
        assert verified.ok and verified.reads == args.branches
        assert rows[0][1] == 2 * args.branches and rows[1][1] == 3 * args.branches
        for phase, requests, seconds in rows:
            print(f"  {phase:<7}{requests:>6} requests {seconds:>8.2f} s")
        writes = client.stats.writes
        print(f"  writes {writes} (one PUT per branch; later items on a branch are already met)")
        engine.dispose()


if __name__ == "__main__":
    main()
