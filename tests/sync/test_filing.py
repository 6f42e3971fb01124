"""Filing issues exactly once, whatever fails; GitHub replayed from cassettes in its real shapes.

Each test runs against the scratch repository (see tests/cassettes/README.md). Tests that
need GitHub in a certain state build it first (file with another store, create a label),
so they can be re-recorded; the injected failures are authored by hand.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import Engine
from sqlmodel import select

from followup import clock
from followup.github import ClientOptions, GitHub, Response
from followup.github.issue_mapping import LabelSpec, NewIssue, parse_marker
from followup.github.issues import create_issue, create_label
from followup.store import create_store_engine, session_scope
from followup.store.models import EventRow, IssueRow, ItemRow, PostMortemRow
from followup.store.queries import ItemFilter, item_events, list_items
from followup.store.views import ItemView
from followup.sync.filing import FilingReport, file_items, plan_filing
from followup.sync.importing import import_files
from followup.sync.links import apply_issue
from followup.sync.progress import SilentProgress
from tests.conftest import MakeDbUrl
from tests.github.test_client import FakeTime

SLUG = "2026-05-01-queue-backlog"
TODAY = date(2026, 5, 4)
ALERT = "Add an alert on queue depth."
RUNBOOK = "Write a runbook for draining the queue"


def document(
    repo: str | None,
    owner: str,
    *,
    status: str = "final",
    alert: str = "Add an alert on queue depth.",
    extra: str = "",
) -> str:
    repo_line = f"repo: {repo}\n" if repo else ""
    return (
        "---\n"
        "title: Queue backlog took the API down\n"
        f"{repo_line}"
        f"status: {status}\n"
        "---\n"
        "# Queue backlog took the API down\n"
        "\n"
        "## Action items\n"
        "\n"
        f"- {alert} Owner: @{owner}, priority: P1, due: 2026-12-01, type: detect\n"
        f"- Write a runbook for draining the queue (@{owner}, P2)\n"
        f"{extra}"
    )


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Import before the cassettes' GitHub times, as a live run does."""
    moment = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)
    return moment


@pytest.fixture
def assignee() -> str:
    """Return a login that can be assigned in the scratch repository."""
    return os.environ.get("FOLLOWUP_RECORD_ASSIGNEE", "octocat")


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def client(github_token: str, fake_time: FakeTime) -> GitHub:
    options = ClientOptions(write_interval=0, backoff=0)
    return GitHub(github_token, options, sleep=fake_time.sleep, monotonic=fake_time.monotonic)


Sent = list[tuple[str, str, Any]]


@pytest.fixture
def sent(client: GitHub, monkeypatch: pytest.MonkeyPatch) -> Sent:
    """Record every request the client sends: method, path and JSON body."""
    calls: Sent = []
    real = client.request

    def spy(method: str, path: str, **kwargs: Any) -> Response:
        calls.append((method, path.split("?", maxsplit=1)[0], kwargs.get("body")))
        return real(method, path, **kwargs)

    monkeypatch.setattr(client, "request", spy)
    return calls


def writes(calls: Sent, suffix: str = "/issues") -> list[Any]:
    return [body for method, path, body in calls if method == "POST" and path.endswith(suffix)]


def load(engine: Engine, path: Path, text: str, default_repo: str | None = None) -> None:
    path.write_text(text, encoding="utf-8")
    import_files(engine, [path], default_repo=default_repo)


def file(engine: Engine, client: GitHub, **kwargs: Any) -> FilingReport:
    kwargs.setdefault("progress", SilentProgress())
    kwargs.setdefault("postmortems", [SLUG])
    return file_items(engine, client, **kwargs)


def views(engine: Engine) -> dict[str, ItemView]:
    with session_scope(engine) as session:
        return {v.title: v for v in list_items(session, ItemFilter(), today=TODAY)}


def rows(engine: Engine) -> dict[str, ItemRow]:
    with session_scope(engine) as session:
        return {r.title: r for r in session.exec(select(ItemRow))}


def outcomes(report: FilingReport) -> dict[str, str]:
    return {o.title: o.outcome for o in report.items}


@pytest.fixture
def fresh_engine(make_db_url: MakeDbUrl) -> Iterator[Engine]:
    """Return a second, empty store: a CI job on another machine."""
    eng = create_store_engine(make_db_url())
    yield eng
    eng.dispose()


@pytest.fixture
def pm_path(tmp_path: Path) -> Path:
    return tmp_path / f"{SLUG}.md"


# -- the ordinary runs


@pytest.mark.vcr
def test_first_filing_files_each_item_once(
    engine: Engine, client: GitHub, sent: Sent, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    report = file(engine, client)

    assert outcomes(report) == {ALERT: "created", RUNBOOK: "created"}
    assert not report.failed and report.warnings == ()
    issues = writes(sent)
    assert [i["title"] for i in issues] == [ALERT, RUNBOOK]
    assert issues[0]["labels"] == ["followup", f"postmortem:{SLUG}", "priority:P1", "type:detect"]
    assert issues[0]["assignees"] == [assignee]
    assert "- **Due:** 2026-12-01" in issues[0]["body"]
    assert f"`{SLUG}.md`, line 10" in issues[0]["body"]
    # The missing labels were created, each once, with a colour.
    created_labels = [body["name"] for body in writes(sent, "/labels")]
    assert created_labels == [
        "followup",
        f"postmortem:{SLUG}",
        "priority:P1",
        "type:detect",
        "priority:P2",
    ]
    assert all(body["color"] for body in writes(sent, "/labels"))

    stored = views(engine)
    for title, outcome in zip((ALERT, RUNBOOK), report.items, strict=True):
        item = stored[title]
        assert item.status == "filed"
        assert item.issue is not None and item.issue.url == outcome.url
        assert outcome.url and outcome.url.startswith(f"https://github.com/{scratch_repo}/issues/")
        assert parse_marker(issues[0]["body"]) is not None
    assert parse_marker(issues[0]["body"]).item_id == stored[ALERT].id  # type: ignore[union-attr]
    assert all(r.filing_intent_at is None for r in rows(engine).values())
    with session_scope(engine) as session:
        history = [
            (e.field, e.old, e.new, e.source) for e in item_events(session, stored[ALERT].id)
        ]
    assert history[1:] == [
        ("link", None, stored[ALERT].issue.ref, "followup"),  # type: ignore[union-attr]
        ("status", "open", "filed", "followup"),
    ]


@pytest.mark.vcr
def test_filing_again_creates_nothing(
    engine: Engine, client: GitHub, sent: Sent, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    first = file(engine, client)
    before = len(sent)
    second = file(engine, client)
    third = file(engine, client, postmortems=None, item_ids=[views(engine)[ALERT].id[:4]])

    assert outcomes(first) == {ALERT: "created", RUNBOOK: "created"}
    assert outcomes(second) == {ALERT: "skipped", RUNBOOK: "skipped"}
    assert [o.url for o in second.items] == [o.url for o in first.items]
    assert second.items[0].reason and second.items[0].reason.startswith("already filed as")
    assert outcomes(third) == {ALERT: "skipped"}
    assert len(sent) == before  # nothing at all was sent again
    with session_scope(engine) as session:
        links = session.exec(select(EventRow).where(EventRow.field == "link")).all()
    assert len(links) == 2


@pytest.mark.vcr
def test_an_empty_store_links_the_issues_that_already_exist(
    engine: Engine,
    fresh_engine: Engine,
    client: GitHub,
    sent: Sent,
    pm_path: Path,
    scratch_repo: str,
    assignee: str,
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    first = file(engine, client)
    created = len(writes(sent))

    import_files(fresh_engine, [pm_path])
    again = file(fresh_engine, client)

    assert outcomes(again) == {ALERT: "linked", RUNBOOK: "linked"}
    assert [o.url for o in again.items] == [o.url for o in first.items]
    assert len(writes(sent)) == created == 2
    stored = views(fresh_engine)
    assert {t: v.status for t, v in stored.items()} == {ALERT: "filed", RUNBOOK: "filed"}
    assert stored[ALERT].id == views(engine)[ALERT].id


@pytest.mark.vcr
def test_a_reworded_item_is_found_by_title_from_an_empty_store(
    engine: Engine,
    fresh_engine: Engine,
    client: GitHub,
    sent: Sent,
    pm_path: Path,
    scratch_repo: str,
    assignee: str,
) -> None:
    load(
        engine, pm_path, document(scratch_repo, assignee, alert="Add an alert on the queue depth.")
    )
    file(engine, client)
    # The document is reworded; a fresh store derives a new id for the item.
    load(fresh_engine, pm_path, document(scratch_repo, assignee))
    assert views(fresh_engine)[ALERT].id != views(engine)["Add an alert on the queue depth."].id

    report = file(fresh_engine, client)

    assert outcomes(report) == {ALERT: "linked", RUNBOOK: "linked"}
    assert report.items[0].reason == "already on GitHub (found by title)"
    assert len(writes(sent)) == 2


# -- failures around a create


@pytest.mark.vcr
def test_an_answer_lost_after_a_create_is_found_not_filed_again(
    engine: Engine,
    client: GitHub,
    sent: Sent,
    pm_path: Path,
    scratch_repo: str,
    assignee: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    real = client._transport.send
    dropped: list[str] = []

    def drop_first_create(verb: str, url: str, *args: Any, **kwargs: Any) -> Any:
        answer = real(verb, url, *args, **kwargs)
        if verb == "POST" and url.endswith("/issues") and not dropped:
            dropped.append(url)  # GitHub created it; the answer never arrives
            raise requests.ConnectionError("connection reset by peer")
        return answer

    monkeypatch.setattr(client._transport, "send", drop_first_create)
    progress = SilentProgress()
    report = file(engine, client, progress=progress)

    assert dropped
    assert outcomes(report) == {ALERT: "created", RUNBOOK: "created"}
    assert len(writes(sent)) == 2  # one POST per item, none repeated
    assert views(engine)[ALERT].issue is not None
    assert any("checking whether GitHub created the issue" in m for _, m in progress.notes)
    assert not report.failed


@pytest.mark.vcr
def test_a_502_after_github_created_the_issue_is_not_filed_twice(
    engine: Engine, client: GitHub, sent: Sent, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    report = file(engine, client)
    assert outcomes(report) == {ALERT: "created", RUNBOOK: "created"}
    assert len(writes(sent)) == 2
    assert report.items[0].reason == "GitHub created it; found on a second look"
    assert any("502" in w for w in report.warnings)


@pytest.mark.vcr
def test_a_502_before_the_create_is_checked_then_sent_once_more(
    engine: Engine, client: GitHub, sent: Sent, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    report = file(engine, client)
    assert outcomes(report) == {ALERT: "created", RUNBOOK: "created"}
    # The alert was posted twice: the first answer was a 502 and the issue was not there.
    assert [i["title"] for i in writes(sent)] == [ALERT, ALERT, RUNBOOK]
    # The first list, the look after the 502, and the fresh list after creating.
    listed = [p for m, p, _ in sent if m == "GET" and p.endswith("/issues")]
    assert len(listed) == 3


@pytest.mark.vcr
def test_a_secondary_rate_limit_is_waited_out(
    engine: Engine,
    client: GitHub,
    fake_time: FakeTime,
    pm_path: Path,
    scratch_repo: str,
    assignee: str,
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    report = file(engine, client)
    assert outcomes(report) == {ALERT: "created", RUNBOOK: "created"}
    assert fake_time.sleeps == [30.0]


@pytest.mark.vcr
def test_an_exhausted_rate_limit_stops_the_run_and_keeps_what_was_done(
    engine: Engine, client: GitHub, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    report = file(engine, client)
    assert outcomes(report) == {ALERT: "created", RUNBOOK: "skipped"}
    assert report.stopped and "rate limit is used up" in report.stopped
    assert report.failed
    assert report.items[1].reason and report.items[1].reason.startswith("not attempted")
    stored = rows(engine)
    assert stored[ALERT].issue_id is not None
    # The refused create certainly did not happen: no intent is left behind.
    assert stored[RUNBOOK].filing_intent_at is None and stored[RUNBOOK].status == "open"


@pytest.mark.vcr
def test_an_interrupted_run_is_finished_by_the_next_one(
    engine: Engine,
    client: GitHub,
    sent: Sent,
    pm_path: Path,
    scratch_repo: str,
    assignee: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    real = apply_issue

    def interrupt(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt  # Ctrl-C just after GitHub answered the create

    monkeypatch.setattr("followup.sync.filing_create.apply_issue", interrupt)
    with pytest.raises(KeyboardInterrupt):
        file(engine, client)
    left = rows(engine)[ALERT]
    assert left.filing_intent_at is not None and left.issue_id is None

    monkeypatch.setattr("followup.sync.filing_create.apply_issue", real)
    progress = SilentProgress()
    report = file(engine, client, progress=progress)

    assert outcomes(report) == {ALERT: "linked", RUNBOOK: "created"}
    assert [i["title"] for i in writes(sent)] == [ALERT, RUNBOOK]
    assert rows(engine)[ALERT].filing_intent_at is None
    assert any("or stopped while filing it" in m for _, m in progress.notes)


# -- owners, labels, references


@pytest.mark.vcr
def test_an_owner_who_cannot_be_assigned_is_mentioned_with_a_warning(
    engine: Engine, client: GitHub, sent: Sent, pm_path: Path, scratch_repo: str
) -> None:
    load(engine, pm_path, document(scratch_repo, "ghost"))
    report = file(engine, client)
    assert outcomes(report) == {ALERT: "created", RUNBOOK: "created"}
    issues = writes(sent)
    assert all("assignees" not in issue for issue in issues)
    assert "@ghost (cannot be assigned in this repository)" in issues[0]["body"]
    alert_id = views(engine)[ALERT].id
    assert any(alert_id in w and "@ghost cannot be assigned" in w for w in report.warnings)
    # Asked once for the two items.
    assert [p for m, p, _ in sent if "/assignees/" in p] == [
        f"/repos/{scratch_repo}/assignees/ghost"
    ]


@pytest.mark.vcr
def test_an_assignee_refused_by_github_is_mentioned_instead(
    engine: Engine, client: GitHub, sent: Sent, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    report = file(engine, client)
    assert outcomes(report) == {ALERT: "created", RUNBOOK: "created"}
    issues = writes(sent)
    assert issues[0]["assignees"] == [assignee]
    assert "assignees" not in issues[1] and "assignees" not in issues[2]
    assert any("refused to assign" in w for w in report.warnings)


@pytest.mark.vcr
def test_labels_are_created_only_when_missing(
    engine: Engine, client: GitHub, sent: Sent, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    create_label(client, scratch_repo, LabelSpec("Followup", "000000", "made by hand"))
    create_label(client, scratch_repo, LabelSpec("priority:P1", "ff0000", "made by hand"))
    load(engine, pm_path, document(scratch_repo, assignee))
    sent.clear()

    file(engine, client)

    assert [body["name"] for body in writes(sent, "/labels")] == [
        f"postmortem:{SLUG}",
        "type:detect",
        "priority:P2",
    ]
    assert len([p for m, p, _ in sent if m == "GET" and p.endswith("/labels")]) == 1


@pytest.mark.vcr
def test_items_that_name_an_issue_are_linked_not_filed(
    engine: Engine, client: GitHub, sent: Sent, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    one = create_issue(
        client, scratch_repo, NewIssue("Retries storm the queue", "Seen in the outage", ())
    )
    two = create_issue(client, scratch_repo, NewIssue("Worker pool too small", "Seen too", ()))
    extra = (
        f"- Fix the retry storm in the worker ({scratch_repo}#{one.number})\n"
        f"- Raise the worker pool limit, see #{two.number}\n"
        "- Remove the dead consumer, see #9999\n"
        "- [x] Restart the stuck consumers\n"
    )
    load(engine, pm_path, document(scratch_repo, assignee, extra=extra))
    items = {title.split(" (")[0].split(",")[0]: v for title, v in views(engine).items()}
    chosen = [
        "Fix the retry storm in the worker",
        "Raise the worker pool limit",
        "Remove the dead consumer",
        "Restart the stuck consumers",
    ]
    sent.clear()

    report = file(engine, client, postmortems=None, item_ids=[items[t].id for t in chosen])

    got = {o.item_id: o.outcome for o in report.items}
    assert [got[items[t].id] for t in chosen] == ["linked", "linked", "skipped", "skipped"]
    assert writes(sent) == []  # nothing was filed
    after = {v.id: v for v in views(engine).values()}
    fixed = after[items["Fix the retry storm in the worker"].id]
    assert fixed.issue is not None and fixed.issue.url == one.url and fixed.status == "filed"
    raised = after[items["Raise the worker pool limit"].id]
    assert raised.issue is not None and raised.issue.url == two.url
    missing = after[items["Remove the dead consumer"].id]
    assert missing.status == "open" and missing.issue is None
    assert (
        missing.status_reason and "#9999, which GitHub does not show (404)" in missing.status_reason
    )
    assert any("#9999" in w and missing.id in w for w in report.warnings)
    assert after[items["Restart the stuck consumers"].id].status == "done"
    assert not report.failed


# -- errors users hit


@pytest.mark.vcr
def test_a_missing_repository_fails_its_items_and_the_others_proceed(
    engine: Engine, client: GitHub, tmp_path: Path, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    other = tmp_path / "2026-05-02-missing-repo.md"
    load(engine, other, document("octo-org/missing", assignee))

    report = file(engine, client, postmortems=None)

    got = {(o.postmortem, o.title): o for o in report.items}
    for title in (ALERT, RUNBOOK):
        failed = got[("2026-05-02-missing-repo", title)]
        assert failed.outcome == "failed"
        assert (
            failed.reason
            == "repository octo-org/missing not found, or the token cannot see it (404)"
        )
        assert got[(SLUG, title)].outcome == "created"
    assert report.failed
    with session_scope(engine) as session:
        reasons = [
            v.status_reason
            for v in list_items(session, ItemFilter(repo="octo-org/missing"), today=TODAY)
        ]
    assert reasons == [failed.reason, failed.reason]


@pytest.mark.vcr
def test_bad_credentials_stop_the_run_with_one_line(
    engine: Engine, client: GitHub, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    report = file(engine, client)
    assert outcomes(report) == {ALERT: "failed", RUNBOOK: "failed"}
    assert report.stopped and "401" in report.stopped and "token" in report.stopped
    assert report.items[0].reason == report.stopped
    assert "\n" not in report.stopped


@pytest.mark.vcr
def test_issues_turned_off_fail_with_what_to_do(
    engine: Engine, client: GitHub, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    report = file(engine, client)
    assert outcomes(report) == {ALERT: "failed", RUNBOOK: "failed"}
    assert report.items[0].reason == (
        f"issues are turned off in {scratch_repo} (410); turn them on in the repository's "
        "settings, or choose another repository with --repo"
    )
    assert report.stopped is None and report.failed


@pytest.mark.vcr
def test_a_create_refused_with_403_fails_the_repositorys_items(
    engine: Engine, client: GitHub, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    report = file(engine, client)
    assert outcomes(report) == {ALERT: "failed", RUNBOOK: "failed"}
    assert report.items[0].reason and "may not create issues" in report.items[0].reason
    assert rows(engine)[ALERT].filing_intent_at is None


# -- no GitHub needed


def test_drafts_and_items_without_a_repository_send_nothing(
    engine: Engine, client: GitHub, tmp_path: Path, pm_path: Path, assignee: str
) -> None:
    load(engine, pm_path, document("octo-org/followup-scratch", assignee, status="draft"))
    load(engine, tmp_path / "2026-05-02-no-repo.md", document(None, assignee))

    report = file(engine, client, postmortems=None)

    reasons = {(o.postmortem, o.title): (o.outcome, o.reason) for o in report.items}
    assert reasons[(SLUG, ALERT)] == (
        "skipped",
        "draft post-mortem (status: draft); pass --include-drafts to file it",
    )
    outcome, reason = reasons[("2026-05-02-no-repo", ALERT)]
    assert outcome == "failed" and reason and "pass --repo" in reason
    assert client.stats.requests == 0
    assert report.failed


@pytest.mark.vcr
def test_drafts_are_filed_when_asked(
    engine: Engine, client: GitHub, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee, status="wip"))
    report = file(engine, client, include_drafts=True)
    assert outcomes(report) == {ALERT: "created", RUNBOOK: "created"}


@pytest.mark.vcr
def test_a_cancel_stops_between_items(
    engine: Engine, client: GitHub, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    class CancelAfterOne(SilentProgress):
        def __init__(self) -> None:
            super().__init__()
            self.steps = 0

        def advance(self, label: str = "") -> None:
            self.steps += 1

        def cancelled(self) -> bool:
            return self.steps >= 1

    load(engine, pm_path, document(scratch_repo, assignee))
    report = file(engine, client, progress=CancelAfterOne())
    assert outcomes(report) == {ALERT: "created", RUNBOOK: "skipped"}
    assert report.cancelled
    assert report.items[1].reason == "cancelled before it was filed"
    assert rows(engine)[RUNBOOK].filing_intent_at is None


# -- tracking issue


@pytest.mark.vcr
def test_a_tracking_issue_is_created_then_updated_only_when_it_changes(
    engine: Engine,
    fresh_engine: Engine,
    client: GitHub,
    sent: Sent,
    pm_path: Path,
    scratch_repo: str,
    assignee: str,
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    first = file(engine, client, tracking_issue=True)
    assert [t.outcome for t in first.tracking] == ["created"]
    issues = writes(sent)
    tracking = issues[-1]
    refs = [o.issue for o in first.items]
    assert tracking["title"] == "Post-mortem follow-ups: Queue backlog took the API down"
    assert tracking["labels"] == ["followup", f"postmortem:{SLUG}"]
    assert f"- [ ] {refs[0]}\n- [ ] {refs[1]}\n" in tracking["body"]
    with session_scope(engine) as session:
        pm = session.exec(select(PostMortemRow)).one()
        assert pm.tracking_issue_id is not None
        tracked = session.get(IssueRow, pm.tracking_issue_id)
        assert tracked is not None and tracked.url == first.tracking[0].url

    # A sync saw the alert's issue closed.
    with session_scope(engine) as session:
        item = session.exec(select(ItemRow).where(ItemRow.title == ALERT)).one()
        item.status = "done"
    second = file(engine, client, tracking_issue=True)
    third = file(engine, client, tracking_issue=True)
    assert [t.outcome for t in second.tracking] == ["updated"]
    assert [t.outcome for t in third.tracking] == ["unchanged"]
    patches = [body for method, _, body in sent if method == "PATCH"]
    assert len(patches) == 1
    assert f"- [x] {refs[0]}\n- [ ] {refs[1]}\n" in patches[0]["body"]

    # A fresh store finds the tracking issue instead of filing another.
    import_files(fresh_engine, [pm_path])
    fourth = file(fresh_engine, client, tracking_issue=True)
    assert outcomes(fourth) == {ALERT: "linked", RUNBOOK: "linked"}
    assert [t.url for t in fourth.tracking] == [first.tracking[0].url]
    assert len(writes(sent)) == 3


# -- planning


def test_a_plan_without_a_token_says_github_was_not_checked(
    engine: Engine, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    plan = plan_filing(engine, None, postmortems=[SLUG])
    assert not plan.checked_github
    assert plan.notes and "GitHub was not checked" in plan.notes[0]
    assert [(p.title, p.action) for p in plan.items] == [(ALERT, "create"), (RUNBOOK, "create")]
    alert = plan.items[0].issue
    assert alert is not None and alert.assignees == (assignee,)
    assert not plan.failed
    assert all(r.filing_intent_at is None for r in rows(engine).values())


@pytest.mark.vcr
def test_a_plan_reads_github_and_writes_nothing(
    engine: Engine,
    fresh_engine: Engine,
    client: GitHub,
    sent: Sent,
    pm_path: Path,
    scratch_repo: str,
    assignee: str,
) -> None:
    load(engine, pm_path, document(scratch_repo, assignee))
    file(engine, client, item_ids=[views(engine)[ALERT].id], postmortems=None)
    import_files(fresh_engine, [pm_path])
    sent.clear()

    plan = plan_filing(fresh_engine, client, postmortems=[SLUG], tracking_issue=True)

    assert plan.checked_github
    assert [(p.title, p.action) for p in plan.items] == [(ALERT, "link"), (RUNBOOK, "create")]
    assert plan.items[0].reason.startswith("already on GitHub as ")
    assert [m for m, _, _ in sent] == ["GET"] * len(sent)
    assert [t.action for t in plan.tracking] == ["create"]
    assert views(fresh_engine)[ALERT].issue is None  # a plan links nothing


def test_a_reference_github_could_not_hold_is_not_taken_for_an_issue(
    engine: Engine, pm_path: Path, scratch_repo: str, assignee: str
) -> None:
    extra = "- Fix the retry storm, see my_org/queue#3\n"
    load(engine, pm_path, document(scratch_repo, assignee, extra=extra))
    plan = plan_filing(engine, None, postmortems=[SLUG])
    assert [p.action for p in plan.items] == ["create", "create", "create"]
