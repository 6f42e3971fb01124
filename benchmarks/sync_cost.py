"""Measure what polling GitHub costs: requests, rate-limit points, wall time, peak memory.

A local server on 127.0.0.1 answers like GitHub for what a sync sends (the labelled
issues list with ETags, 304s, `since` and Link pagination; single issues; GraphQL
`nodes(ids:)` priced by GitHub's rule), with a delay per request. 10,000 items are
linked to issues across 20 repositories in a fresh store, then:

  first  the first sync of a fresh store (no watermark yet)
  (a)    a sync when nothing changed            target: <= 20 requests, 0 points, < 2 s
  (b)    a sync after 1% of the issues changed  target: <= 20 + ceil(changed/100) requests
  (c)    the naive way: one GET per linked issue

Wall time is measured with tracemalloc off; peak memory (Python allocations, tracemalloc)
in a second, traced run of the same scenario (for (b), with another 1% changed; for (c),
over a sample, as its memory does not grow with the count). The server runs in this
process, so its own work shares the CPU with the sync: the times are an upper bound.
"""

# Run: python benchmarks/sync_cost.py [--delay-ms 50] [--repos 20] [--issues 10000]

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import random
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import graphql
from sqlalchemy import insert, update
from sqlmodel import select

from followup.github.client import ClientOptions, GitHub
from followup.github.issue_mapping import remote_issue_from_rest
from followup.github.repos import repo_path
from followup.postmortem.model import ActionItem, PostMortem
from followup.store import create_store_engine, session_scope
from followup.store.importer import import_all
from followup.store.models import IssueRow, ItemRow, Status
from followup.sync.polling import SyncReport, sync_all

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tests" / "contract" / "github-openapi.json"
SCHEMA = ROOT / "tests" / "contract" / "github-graphql-schema.json.gz"
OWNER = "bench-org"
LABEL = "followup"
LOGINS = ("octocat", "hubot", "monalisa", "mona", "defunkt")
RATE_LIMIT = 5000


def iso(value: datetime | None) -> str | None:
    """Return GitHub's spelling of a time."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


# -- the fake GitHub ---------------------------------------------------------------------


@dataclass
class FakeIssue:
    """One issue as the fake server keeps it."""

    repo: str
    repo_id: int
    number: int
    title: str
    state: str = "open"
    state_reason: str | None = None
    assignees: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=lambda: [LABEL])
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    closed_at: datetime | None = None
    _json: str | None = None

    @property
    def node_id(self) -> str:
        return f"I_kwDOBench{self.repo_id:03d}N{self.number:05d}"

    def touch(self, at: datetime) -> None:
        self.updated_at = at
        self._json = None


def _user(login: str, template: dict[str, Any]) -> dict[str, Any]:
    user = dict(template)
    user["login"] = login
    user["url"] = f"https://api.github.com/users/{login}"
    user["html_url"] = f"https://github.com/{login}"
    return user


class FakeGitHub:
    """Issues of many repositories, served in GitHub's shapes, counting what it is asked."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.repos: dict[str, list[FakeIssue]] = {}
        self.by_node: dict[str, FakeIssue] = {}
        self.lock = threading.Lock()
        self.requests = 0
        self.not_modified = 0
        self.points = 0
        spec = json.loads(SPEC.read_text(encoding="utf-8"))
        template = spec["components"]["examples"]["issue"]["value"]
        template.pop("pull_request", None)
        self.template = template
        self.label_template = template["labels"][0]
        self.user_template = template["user"]
        with gzip.open(SCHEMA, "rt", encoding="utf-8") as fh:
            self.schema = graphql.build_client_schema(json.load(fh), assume_valid=True)

    def counts(self) -> tuple[int, int, int]:
        """Return requests, points and 304s so far."""
        with self.lock:
            return self.requests, self.points, self.not_modified

    def add(self, issue: FakeIssue) -> None:
        """Add an issue."""
        self.repos.setdefault(issue.repo, []).append(issue)
        self.by_node[issue.node_id] = issue

    # -- REST shapes --

    def issue_json(self, issue: FakeIssue) -> str:
        """Return the issue as GitHub's REST API spells it (cached until it changes)."""
        if issue._json is None:
            base = f"https://api.github.com/repos/{issue.repo}"
            data = dict(self.template)
            data.update(
                {
                    "id": issue.repo_id * 100_000 + issue.number,
                    "node_id": issue.node_id,
                    "number": issue.number,
                    "title": issue.title,
                    "body": f"<!-- followup:item=x{issue.number} postmortem=bench -->",
                    "state": issue.state,
                    "state_reason": issue.state_reason,
                    "url": f"{base}/issues/{issue.number}",
                    "repository_url": base,
                    "html_url": f"https://github.com/{issue.repo}/issues/{issue.number}",
                    "labels": [dict(self.label_template, name=n) for n in issue.labels],
                    "assignees": [_user(a, self.user_template) for a in issue.assignees],
                    "assignee": (
                        _user(issue.assignees[0], self.user_template) if issue.assignees else None
                    ),
                    "created_at": iso(issue.created_at),
                    "updated_at": iso(issue.updated_at),
                    "closed_at": iso(issue.closed_at),
                    "locked": False,
                    "active_lock_reason": None,
                }
            )
            issue._json = json.dumps(data)
        return issue._json

    def list_page(self, repo: str, query: dict[str, str]) -> tuple[str, str | None]:
        """Return one page of a repository's issues list and its Link header."""
        issues = self.repos.get(repo, [])
        if "labels" in query:
            wanted = {x.strip() for x in query["labels"].split(",")}
            issues = [i for i in issues if wanted <= set(i.labels)]
        if query.get("state", "open") != "all":
            issues = [i for i in issues if i.state == query.get("state", "open")]
        if "since" in query:
            since = datetime.fromisoformat(query["since"])
            issues = [i for i in issues if i.updated_at >= since]
        key = "updated_at" if query.get("sort") == "updated" else "created_at"
        issues = sorted(
            issues,
            key=lambda i: (getattr(i, key), i.number),
            reverse=query.get("direction", "desc") == "desc",
        )
        per_page = min(100, int(query.get("per_page", "30")))
        page = int(query.get("page", "1"))
        chunk = issues[(page - 1) * per_page : page * per_page]
        body = "[" + ",".join(self.issue_json(i) for i in chunk) + "]"
        last = max(1, math.ceil(len(issues) / per_page))
        links = []
        repo_id = self.repos[repo][0].repo_id if self.repos.get(repo) else 0
        for rel, number in (("next", page + 1), ("last", last)):
            if page < last:
                params = {**query, "page": str(number)}
                url = f"http://{{host}}/repositories/{repo_id}/issues?{urlencode(params)}"
                links.append(f'<{url}>; rel="{rel}"')
        return body, ", ".join(links) or None

    # -- GraphQL --

    def graphql(self, payload: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Answer a nodes(ids:) query and return it with its cost by GitHub's rule."""
        document = graphql.parse(payload["query"])
        errors = graphql.validate(self.schema, document)
        if errors:
            return {"errors": [{"message": e.message} for e in errors]}, 1
        variables = payload.get("variables") or {}
        operation = next(
            d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode)
        )
        fragments = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, graphql.FragmentDefinitionNode)
        }
        cost = max(1, round(_requests(operation.selection_set, fragments, variables, 1) / 100))
        data: dict[str, Any] = {}
        errors_out: list[dict[str, Any]] = []
        for selection in operation.selection_set.selections:
            assert isinstance(selection, graphql.FieldNode)
            name = selection.alias.value if selection.alias else selection.name.value
            if selection.name.value == "rateLimit":
                with self.lock:
                    remaining = RATE_LIMIT - self.points - cost
                data[name] = {"cost": cost, "remaining": remaining, "resetAt": None}
                continue
            ids = _argument(selection, "ids", variables) or []
            nodes: list[dict[str, Any] | None] = []
            for index, node_id in enumerate(ids):
                issue = self.by_node.get(node_id)
                if issue is None:
                    nodes.append(None)
                    errors_out.append(
                        {
                            "type": "NOT_FOUND",
                            "path": [name, index],
                            "message": f"Could not resolve to a node with the global id of "
                            f"'{node_id}'",
                        }
                    )
                else:
                    nodes.append(self.issue_node(issue))
            data[name] = nodes
        answer: dict[str, Any] = {"data": data}
        if errors_out:
            answer["errors"] = errors_out
        return answer, cost

    def issue_node(self, issue: FakeIssue) -> dict[str, Any]:
        """Return the issue as the FollowupIssue fragment selects it."""
        return {
            "id": issue.node_id,
            "number": issue.number,
            "title": issue.title,
            "url": f"https://github.com/{issue.repo}/issues/{issue.number}",
            "state": issue.state.upper(),
            "stateReason": issue.state_reason.upper() if issue.state_reason else None,
            "createdAt": iso(issue.created_at),
            "updatedAt": iso(issue.updated_at),
            "closedAt": iso(issue.closed_at),
            "repository": {"nameWithOwner": issue.repo},
            "assignees": {"nodes": [{"login": a} for a in issue.assignees]},
            "labels": {"nodes": [{"name": n} for n in issue.labels]},
            "closedByPullRequestsReferences": {"nodes": []},
        }


def _argument(node: graphql.FieldNode, name: str, variables: dict[str, Any]) -> Any:
    for arg in node.arguments or ():
        if arg.name.value == name:
            return graphql.value_from_ast_untyped(arg.value, variables)
    return None


def _requests(
    selection_set: graphql.SelectionSetNode | None,
    fragments: dict[str, graphql.FragmentDefinitionNode],
    variables: dict[str, Any],
    multiplier: int,
) -> int:
    """Count the requests GitHub's cost rule assumes: one per connection per parent."""
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, graphql.FragmentSpreadNode):
            fragment = fragments[selection.name.value]
            total += _requests(fragment.selection_set, fragments, variables, multiplier)
        elif isinstance(selection, graphql.InlineFragmentNode):
            total += _requests(selection.selection_set, fragments, variables, multiplier)
        elif isinstance(selection, graphql.FieldNode):
            size = _argument(selection, "first", variables) or _argument(
                selection, "last", variables
            )
            ids = _argument(selection, "ids", variables)
            if size is not None:
                total += multiplier
                inner = multiplier * int(size)
            elif ids is not None:
                inner = multiplier * len(ids)
            else:
                inner = multiplier
            total += _requests(selection.selection_set, fragments, variables, inner)
    return total


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Stay quiet."""

        def _send(
            self, status: int, body: str, headers: dict[str, str] | None = None, points: int = 1
        ) -> None:
            with fake.lock:
                fake.requests += 1
                if status == 304:
                    fake.not_modified += 1
                else:
                    fake.points += points
                remaining = RATE_LIMIT - fake.points
            raw = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("X-RateLimit-Limit", str(RATE_LIMIT))
            self.send_header("X-RateLimit-Remaining", str(remaining))
            self.send_header("X-RateLimit-Reset", str(int(time.time()) + 3600))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(raw) if status != 304 else 0))
            self.end_headers()
            if status != 304:
                self.wfile.write(raw)

        def do_GET(self) -> None:
            """Serve the issues list and single issues."""
            time.sleep(fake.delay)
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            segments = parts.path.strip("/").split("/")
            repo: str | None = None
            if segments[0] == "repos" and len(segments) >= 4:
                repo = f"{segments[1]}/{segments[2]}".lower()
                rest = segments[3:]
            elif segments[0] == "repositories" and len(segments) >= 3:
                repo_id = int(segments[1])
                repo = next(
                    (r for r, issues in fake.repos.items() if issues[0].repo_id == repo_id),
                    None,
                )
                rest = segments[2:]
            if repo is None or repo not in fake.repos:
                self._send(404, json.dumps({"message": "Not Found"}))
                return
            if rest == ["issues"]:
                body, link = fake.list_page(repo, query)
            elif len(rest) == 2 and rest[0] == "issues":
                number = int(rest[1])
                found = next((i for i in fake.repos[repo] if i.number == number), None)
                if found is None:
                    self._send(404, json.dumps({"message": "Not Found"}))
                    return
                body, link = fake.issue_json(found), None
            else:
                self._send(404, json.dumps({"message": "Not Found"}))
                return
            etag = 'W/"' + hashlib.sha1(body.encode()).hexdigest() + '"'
            headers = {"ETag": etag}
            if link:
                headers["Link"] = link.replace("{host}", self.headers.get("Host", "127.0.0.1"))
            if self.headers.get("If-None-Match") == etag:
                self._send(304, "", headers)
                return
            self._send(200, body, headers)

        def do_POST(self) -> None:
            """Serve GraphQL."""
            time.sleep(fake.delay)
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}")
            if urlsplit(self.path).path != "/graphql":
                self._send(404, json.dumps({"message": "Not Found"}))
                return
            answer, cost = fake.graphql(payload)
            self._send(200, json.dumps(answer), points=cost)

    return Handler


@contextmanager
def serve(fake: FakeGitHub, max_runtime: float) -> Iterator[str]:
    """Run the fake server in a thread for at most max_runtime seconds; yield its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    watchdog = threading.Timer(max_runtime, server.shutdown)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        watchdog.cancel()
        server.shutdown()
        server.server_close()


# -- the store ---------------------------------------------------------------------------


def issue_row(fake: FakeGitHub, issue: FakeIssue, synced_at: datetime) -> dict[str, Any]:
    """Return the store's github_issue row for an issue of the fake, as a poll would leave it."""
    remote = remote_issue_from_rest(json.loads(fake.issue_json(issue)))
    return {
        "repo": remote.repo,
        "number": remote.number,
        "node_id": remote.node_id,
        "url": remote.url,
        "title": remote.title,
        "state": remote.state,
        "state_reason": remote.state_reason,
        "assignees": list(remote.assignees),
        "labels": list(remote.labels),
        "updated_at": remote.updated_at,
        "closed_at": remote.closed_at,
        "synced_at": synced_at,
    }


def build(fake: FakeGitHub, engine: Any, repos: int, total: int) -> None:
    """Create the issues on the fake server and link one item to each, as filing would."""
    rng = random.Random(7)
    now = datetime.now(UTC).replace(microsecond=0)
    per_repo = total // repos
    seconds = list(range(1, 90 * 86400))
    stamps = sorted(rng.sample(seconds, total), reverse=True)
    docs: list[PostMortem] = []
    for r in range(repos):
        repo = f"{OWNER}/service-{r:02d}"
        items = []
        for n in range(1, per_repo + 1):
            created = now - timedelta(seconds=stamps[r * per_repo + n - 1])
            issue = FakeIssue(
                repo=repo,
                repo_id=r + 1,
                number=n,
                title=f"Action item {n} of {repo}",
                assignees=[rng.choice(LOGINS)] if rng.random() < 0.6 else [],
                created_at=created,
                updated_at=created,
            )
            fake.add(issue)
            items.append(ActionItem(title=issue.title, line=10 + n, text=f"- {issue.title}"))
        docs.append(
            PostMortem(
                title=f"Outage of service {r}",
                slug=f"2026-01-{r + 1:02d}-service-{r:02d}",
                source="# Outage\n",
                items=tuple(items),
                date=date(2026, 1, r + 1),
                repo=repo,
            )
        )
    with session_scope(engine) as session:
        import_all(session, docs)
    with session_scope(engine) as session:
        rows = []
        for issues in fake.repos.values():
            for issue in issues:
                rows.append(issue_row(fake, issue, now))
        session.execute(insert(IssueRow), rows)
        ids = {
            (r.repo, r.title): r.id
            for r in session.exec(select(IssueRow))  # the title names repo and number
        }
        links = [
            {"id": item_id, "issue_id": ids[(repo or "", title)], "status": Status.FILED.value}
            for item_id, repo, title in session.exec(  # repo is set on every item here
                select(ItemRow.id, ItemRow.repo, ItemRow.title)
            )
        ]
        session.execute(update(ItemRow), links)


def change_some(fake: FakeGitHub, share: float, seed: int) -> int:
    """Change a share of the issues the way people do (close, reassign, relabel, rename)."""
    rng = random.Random(seed)
    everything = [i for issues in fake.repos.values() for i in issues]
    chosen = rng.sample(everything, round(len(everything) * share))
    now = datetime.now(UTC).replace(microsecond=0)
    for k, issue in enumerate(chosen):
        at = now - timedelta(seconds=len(chosen) - k)
        kind = k % 5
        if kind == 0 and issue.state == "open":
            issue.state, issue.state_reason, issue.closed_at = "closed", "completed", at
        elif kind == 1 and issue.state == "open":
            issue.state, issue.state_reason, issue.closed_at = "closed", "not_planned", at
        elif kind == 2:
            issue.assignees = [rng.choice(LOGINS)]
        elif kind == 3:
            issue.labels = [*issue.labels, "priority:P1"]
        else:
            issue.title += " (renamed)"
        issue.touch(at)
    return len(chosen)


# -- measuring ---------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table."""

    name: str
    requests: int
    points: int
    not_modified: int
    seconds: float
    peak_mb: float
    note: str = ""


def measure(fake: FakeGitHub, work: Callable[[], Any], *, traced: bool) -> tuple[Any, Row]:
    """Run work once and return its result with what it cost."""
    before = fake.counts()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    peak = 0
    if traced:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    after = fake.counts()
    return result, Row(
        name="",
        requests=after[0] - before[0],
        points=after[1] - before[1],
        not_modified=after[2] - before[2],
        seconds=seconds,
        peak_mb=peak / 1e6,
    )


def naive(
    fake: FakeGitHub, factory: Callable[[], GitHub], concurrency: int, limit: int | None = None
) -> int:
    """Read every linked issue (or the first `limit`) with its own GET, on as many threads."""
    targets = [(i.repo, i.number) for issues in fake.repos.values() for i in issues][:limit]
    local = threading.local()

    def one(target: tuple[str, int]) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = factory()
        response = client.get(repo_path(target[0], "issues", target[1]))
        remote_issue_from_rest(response.data)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, targets))
    return len(targets)


def main(argv: list[str] | None = None) -> int:
    """Build the store, run the scenarios and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=float, default=50.0, help="delay per request")
    parser.add_argument("--repos", type=int, default=20)
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4, help="sync_concurrency")
    parser.add_argument("--skip-naive", action="store_true", help="leave out (c)")
    parser.add_argument(
        "--naive-sample", type=int, default=1000, help="issues read while tracing (c)'s memory"
    )
    parser.add_argument("--max-runtime", type=float, default=900.0, help="server lifetime (s)")
    args = parser.parse_args(argv)

    fake = FakeGitHub(args.delay_ms / 1000)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp, serve(fake, args.max_runtime) as url:
        engine = create_store_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        started = time.perf_counter()
        build(fake, engine, args.repos, args.issues)
        print(
            f"linked {args.issues} items to issues in {args.repos} repositories "
            f"({time.perf_counter() - started:.1f} s); delay {args.delay_ms:g} ms per request",
            file=sys.stderr,
        )
        options = ClientOptions(base_url=url, write_interval=0, max_retries=0, timeout=30)

        def factory() -> GitHub:
            return GitHub("bench-token", options)

        def sync() -> SyncReport:
            return sync_all(engine, factory, concurrency=args.concurrency)

        report, row = measure(fake, sync, traced=False)
        row.name, row.note = "first sync (no watermark yet)", f"{len(report.changes)} changes"
        row.peak_mb = float("nan")  # a store has one first sync: it is timed, not traced
        rows.append(row)

        report, row = measure(fake, sync, traced=False)
        _, traced = measure(fake, sync, traced=True)
        row.name, row.peak_mb = "(a) nothing changed", traced.peak_mb
        row.note = f"{len(report.changes)} changes, {len(report.repos)} repos"
        rows.append(row)

        changed = change_some(fake, 0.01, seed=1)
        report, row = measure(fake, sync, traced=False)
        seen = len({c.item_id for c in report.changes})
        change_some(fake, 0.01, seed=2)
        _, traced = measure(fake, sync, traced=True)
        row.name, row.peak_mb = f"(b) 1% changed ({changed} issues)", traced.peak_mb
        target = args.repos + math.ceil(changed / 100)
        row.note = f"{seen} items updated; target <= {target} requests"
        rows.append(row)

        if not args.skip_naive:
            count, row = measure(fake, lambda: naive(fake, factory, args.concurrency), traced=False)
            # Its memory does not grow with the number of issues: a sample is traced.
            sample, traced = measure(
                fake, lambda: naive(fake, factory, args.concurrency, args.naive_sample), traced=True
            )
            row.name, row.peak_mb = "(c) naive: one GET per issue", traced.peak_mb
            row.note = f"{count} issues read; peak traced over {sample}"
            rows.append(row)
        engine.dispose()

    header = (
        f"{'scenario':<34} {'requests':>8} {'304s':>6} {'points':>7} {'wall s':>8} {'peak MB':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.name:<34} {r.requests:>8} {r.not_modified:>6} {r.points:>7} "
            f"{r.seconds:>8.2f} {'—' if math.isnan(r.peak_mb) else f'{r.peak_mb:.1f}':>8}  "
            f"{r.note}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
