"""How long `followup report` takes on a team's store: 100,000 items, 10,000 post-mortems.

    python benchmarks/report.py [--backend sqlite|postgresql] [--url URL]
                                [--items 100000] [--postmortems 10000] [--runs 3]

PostgreSQL is a throwaway server (tests/pgcluster.py: initdb and pg_ctl, run as the
`postgres` user when root) unless --url names an empty database to fill; it is analyzed
after the bulk load, as autovacuum would soon do.

The store is generated with bulk inserts (seconds, not an import): each post-mortem has
about 4 KB of Markdown (so a query that loaded the text would show), ten items with
owners, priorities and due dates from a document, an edit or the policy, and a history:
a creation event each, a closure for about half, a reopening for some, spread over a
year; some items are linked to issues. Then, each measured three times, best kept:

- the report's queries alone (store/report.py), in this process;
- `followup report` in Markdown, HTML and JSON, each in a fresh process (interpreter
  start, imports, opening the store, the queries, rendering, printing): its wall time,
  its CPU time (a shared machine slows the first, hardly the second) and its peak
  memory.

Target: under 2 s for `followup report` on 100,000 items.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, insert, text  # noqa: E402

from benchmarks.backends import store_url  # noqa: E402
from followup.policy import DEFAULT_POLICY  # noqa: E402
from followup.store import create_store_engine, session_scope  # noqa: E402
from followup.store.models import EventRow, IssueRow, ItemRow, PostMortemRow  # noqa: E402
from followup.store.report import review_report  # noqa: E402
from followup.store.report_model import ReportScope  # noqa: E402

TODAY = date(2026, 3, 18)
TARGET = 2.0
OWNERS = tuple(f"owner{n:03d}" for n in range(150))
PRIORITIES = ("P0", "P1", "P2", "P3", None)
SOURCE = "# Incident\n\n" + ("A paragraph of the post-mortem's narrative. " * 90 + "\n") * 1
CHUNK = 5_000


def _chunks(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]


def build(engine: Engine, items: int, postmortems: int, seed: int = 7) -> dict[str, int]:
    """Fill the store; return how many rows of each kind were written."""
    rng = random.Random(seed)
    per = max(1, items // postmortems)
    start = datetime(2025, 3, 18, 9, tzinfo=UTC)
    pm_rows, item_rows, event_rows, issue_rows = [], [], [], []
    next_issue = 1
    for p in range(postmortems):
        incident = (start + timedelta(days=rng.randrange(0, 360))).date()
        imported = datetime.combine(incident, datetime.min.time(), UTC) + timedelta(days=1)
        pm_rows.append(
            {
                "id": p + 1,
                "slug": f"{incident.isoformat()}-incident-{p:05d}",
                "path": f"/postmortems/{p:05d}.md",
                "title": f"Incident {p}: a service degraded",
                "incident_date": incident,
                "status": "final",
                "repo": f"acme/service-{p % 200:03d}",
                "source": SOURCE,
                "content_hash": f"{p:064d}",
                "policy_key": DEFAULT_POLICY.key,
                "imported_at": imported,
                "updated_at": imported,
            }
        )
        for i in range(per):
            item_id = f"{p:05d}{i:02d}"
            priority = PRIORITIES[rng.randrange(len(PRIORITIES))]
            deadline = DEFAULT_POLICY.deadline(priority, incident)
            kind = rng.random()
            due: date | None
            source: str | None
            if kind < 0.4:
                due, source = incident + timedelta(days=rng.randrange(3, 90)), "document"
            elif kind < 0.45:
                due, source = incident + timedelta(days=rng.randrange(3, 120)), "edited"
            else:
                due, source = deadline, "policy" if deadline else None
            created = imported + timedelta(minutes=i)
            status = "open"
            events: list[tuple[datetime, str | None, str]] = [(created, None, "open")]
            if rng.random() < 0.5:
                closed = created + timedelta(days=rng.randrange(1, 120), hours=rng.randrange(24))
                if closed.date() <= TODAY:
                    status = "done" if rng.random() < 0.85 else "wont_do"
                    events.append((closed, "open", status))
                    if rng.random() < 0.05:
                        events.append((closed + timedelta(days=2), status, "open"))
                        status = "open"
            issue_id = None
            if rng.random() < 0.6:
                issue_id = next_issue
                issue_rows.append(
                    {
                        "id": next_issue,
                        "repo": f"acme/service-{p % 200:03d}",
                        "number": next_issue,
                        "url": f"https://github.com/acme/service-{p % 200:03d}/issues/{next_issue}",
                        "title": f"Follow-up {item_id}",
                        "state": "closed" if status in ("done", "wont_do") else "open",
                        "assignees": [],
                        "labels": ["followup"],
                    }
                )
                next_issue += 1
                if status == "open":
                    status = "filed"
            item_rows.append(
                {
                    "id": item_id,
                    "postmortem_id": p + 1,
                    "position": i,
                    "title": f"Follow-up {item_id}: fix the failure mode seen in service {p}",
                    "text": f"- Follow-up {item_id}",
                    "fingerprint": item_id,
                    "line": 10 + i,
                    "owner": OWNERS[rng.randrange(len(OWNERS))] if rng.random() < 0.9 else None,
                    "due": due,
                    "due_source": source,
                    "policy_due": deadline,
                    "priority": priority,
                    "kind": "branch_protection" if i == 0 and p % 10 == 0 else "issue",
                    "status": "regressed" if i == 0 and p % 97 == 0 else status,
                    "doc_done": False,
                    "references": [],
                    "overrides": {},
                    "issue_id": issue_id,
                    "protection": {"repo": "acme/web", "branch": "main"} if i == 0 else None,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            for at, old, new in events:
                event_rows.append(
                    {
                        "item_id": item_id,
                        "at": at,
                        "field": "status",
                        "old": old,
                        "new": new,
                        "source": "document" if old is None else "github",
                    }
                )
    with session_scope(engine) as session:
        connection = session.connection()
        for table, rows in (
            (PostMortemRow, pm_rows),
            (IssueRow, issue_rows),
            (ItemRow, item_rows),
            (EventRow, event_rows),
        ):
            for chunk in _chunks(rows):
                connection.execute(insert(table), chunk)
    return {
        "postmortems": len(pm_rows),
        "items": len(item_rows),
        "events": len(event_rows),
        "issues": len(issue_rows),
    }


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run a command; return its wall time, CPU time (s) and peak memory (MB)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def best(times: list[float]) -> str:
    """Return the best of several timings, and the others for context."""
    rest = ", ".join(f"{t:.2f}" for t in sorted(times)[1:])
    return f"{min(times):.2f} s (then {rest})" if rest else f"{min(times):.2f} s"


def main() -> None:
    """Build the store and time the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", help="an empty PostgreSQL database to fill (default: a throwaway)")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--postmortems", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure_processes(args.measure, args.runs)
        return
    backend = "postgresql" if args.url else args.backend
    with (
        tempfile.TemporaryDirectory() as folder,
        store_url(backend, args.url, Path(folder), "report") as url,
    ):
        engine = create_store_engine(url)
        started = time.perf_counter()
        counts = build(engine, args.items, args.postmortems)
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        built = time.perf_counter() - started
        print(
            f"{backend}: {counts['items']:,} items, {counts['postmortems']:,} post-mortems, "
            f"{counts['events']:,} events, {counts['issues']:,} issues (built in {built:.1f} s)"
        )
        scope = ReportScope(since=TODAY - timedelta(days=6), until=TODAY)
        queries, cpu = [], []
        for _ in range(args.runs):
            started, spent = time.perf_counter(), time.process_time()
            with session_scope(engine) as session:
                report = review_report(session, scope, today=TODAY)
            queries.append(time.perf_counter() - started)
            cpu.append(time.process_time() - spent)
        print(f"report queries (in process): {best(queries)}; CPU {min(cpu):.2f} s")
        print(
            f"  totals: {report.totals.total:,} items, {report.totals.open:,} open, "
            f"{report.totals.overdue:,} overdue, {report.closed.count:,} closed this week"
        )
        engine.dispose()
        # From a small process of its own: a child forked from this one (which holds the
        # store it built) would count this one's memory as its own peak.
        measure = [sys.executable, __file__, "--measure", url, "--runs", str(args.runs)]
        sys.stdout.flush()
        subprocess.run(measure, check=True)


def measure_processes(url: str, runs: int) -> None:
    """Time `followup report` in each format in fresh processes; print the figures."""
    env = {**os.environ, "FOLLOWUP_DATABASE_URL": url, "FOLLOWUP_CONFIG": os.devnull}
    code = (
        "import datetime, sys; from followup import clock; "
        f"clock.today = lambda: datetime.date.fromisoformat('{TODAY.isoformat()}'); "
        "from followup.cli import main; sys.argv = ['followup', *sys.argv[1:]]; main()"
    )
    worst = worst_cpu = 0.0
    for fmt in ("markdown", "html", "json"):
        command = [sys.executable, "-c", code, "report", "--format", fmt]
        measured = [run(command, env) for _ in range(runs)]
        walls = [wall for wall, _cpu, _rss in measured]
        cpus = [cpu for _wall, cpu, _rss in measured]
        peak = max(rss for _wall, _cpu, rss in measured)
        worst, worst_cpu = max(worst, min(walls)), max(worst_cpu, min(cpus))
        print(
            f"followup report --format {fmt}: {best(walls)}; CPU {min(cpus):.2f} s; "
            f"peak memory {peak:.0f} MB"
        )
    # A shared machine slows the wall clock; the CPU time of the process is its own.
    verdict = "within" if worst < TARGET else f"over (CPU {worst_cpu:.2f} s)"
    print(f"target: < {TARGET:.0f} s per report: {verdict}")


if __name__ == "__main__":
    main()
