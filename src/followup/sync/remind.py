"""Remind owners of overdue items on their issues, exactly once per period, or in a digest.

What is overdue comes from GitHub: the open issues labelled `followup` in each
repository, with the owner (the assignee, else the body's Owner line) and the due date
(the store's when it knows the item, else the body's Due line). A run with an empty
store, in CI, therefore reminds the same items as one on a laptop.

Each reminder is a comment whose hidden marker names its key (sync/remind_schedule.py),
and it is never posted twice:

- look before writing: a run lists the issue's comments, and what is there decides
  whether a reminder is due and under which key;
- one run per key: on a shared store a run claims the key first (store/claims.py); a
  second run, or one that finds the claim of a run that is still working, leaves it;
- a lost answer is looked for before anything is sent again, and a duplicate two
  racing runs made anyway is deleted (sync/comments.py's keep_comment);
- a run killed between its write and its record is followed by one that finds the
  comment on GitHub, records it, and sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import Engine
from sqlmodel import col, select

from followup import clock
from followup.github.client import GitHub
from followup.github.comments import Comment, list_comments
from followup.github.errors import GitHubError
from followup.github.issue_fields import issue_fields
from followup.github.issue_mapping import is_login
from followup.github.issues import list_labelled_issues
from followup.store import claims, session_scope
from followup.store.history import Changes
from followup.store.models import CLOSED_STATUSES, IssueRow, ItemRow
from followup.sync.comments import keep_comment
from followup.sync.remind_schedule import Plan, backoff, plan
from followup.sync.remind_text import Overdue, digest_text, reminder_text
from followup.sync.review.period import EPOCH

Action = Literal["reminded", "would_remind", "waiting", "recorded", "skipped", "failed"]
Note = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a run did about one overdue item."""

    item: Overdue
    action: Action
    message: str
    key: str | None = None
    url: str | None = None
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class DigestOutcome:
    """What a run did with the digest comment."""

    issue: str
    key: str
    action: Literal["created", "updated", "unchanged", "would_post", "skipped"]
    url: str | None
    text: str


@dataclass(slots=True)
class RemindReport:
    """What a reminder run read and did."""

    repos: list[str]
    issues_read: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    digest: DigestOutcome | None = None
    warnings: list[str] = field(default_factory=list)


def repos_to_remind(engine: Engine, given: Sequence[str], default: str | None) -> list[str]:
    """Return the repositories to read: those given, else the setting, else the store's."""
    if given:
        return sorted(dict.fromkeys(r.lower() for r in given))
    if default:
        return [default.lower()]
    with session_scope(engine) as session:
        linked = select(IssueRow.repo).where(
            col(IssueRow.id).in_(select(ItemRow.issue_id).where(col(ItemRow.issue_id).is_not(None)))
        )
        return sorted(set(session.exec(linked.distinct())))


def _known(engine: Engine, item_ids: Sequence[str]) -> dict[str, tuple[date | None, str]]:
    """Return the due date and status the store has for items it knows."""
    found: dict[str, tuple[date | None, str]] = {}
    with session_scope(engine) as session:
        for start in range(0, len(item_ids), 500):
            chunk = list(item_ids[start : start + 500])
            query = select(col(ItemRow.id), col(ItemRow.due), col(ItemRow.status)).where(
                col(ItemRow.id).in_(chunk)
            )
            for item_id, due, status in session.exec(query):
                found[item_id] = (due, status)
    return found


def find_overdue(
    engine: Engine,
    client: GitHub,
    repos: Sequence[str],
    *,
    today: date,
    older_than: timedelta = timedelta(0),
    report: RemindReport,
) -> list[Overdue]:
    """Return the overdue items of open followup issues in these repositories."""
    candidates = []
    for repo in repos:
        for issue in list_labelled_issues(client, repo, state="open"):
            report.issues_read += 1
            if issue.is_pull_request or issue.item_id is None or issue.tracking:
                continue
            fields = issue_fields(issue.body)
            owner = issue.assignees[0] if issue.assignees else fields.owner
            candidates.append((issue, owner, fields.due))
    known = _known(engine, [issue.item_id for issue, _o, _d in candidates if issue.item_id])
    overdue = []
    for issue, owner, body_due in candidates:
        assert issue.item_id is not None
        due, status = known.get(issue.item_id, (body_due, "filed"))
        if status in CLOSED_STATUSES or due is None:
            continue  # closed here (the close waits to reach GitHub), or no deadline
        if today - due <= older_than or due >= today:
            continue
        overdue.append(
            Overdue(
                item_id=issue.item_id,
                title=issue.title,
                repo=issue.repo,
                number=issue.number,
                url=issue.url,
                owner=owner if owner and is_login(owner) else None,
                due=due,
            )
        )
    return sorted(overdue, key=lambda o: (o.due, o.ref))


def _record_event(engine: Engine, item_id: str, url: str | None, key: str) -> None:
    with session_scope(engine) as session:
        if session.get(ItemRow, item_id) is None:
            return  # an empty store (CI): GitHub's comment is the record
        changes = Changes(source="followup")
        changes.add(item_id, "reminder", None, url or key, detail={"key": key})
        changes.flush(session)


def _remind_one(
    engine: Engine,
    client: GitHub,
    item: Overdue,
    *,
    today: date,
    now: datetime,
    interval: timedelta,
    dry_run: bool,
    run: str,
    on_note: Note | None,
) -> Outcome:
    if item.owner is None:
        return Outcome(item, "skipped", f"{item.ref}: no owner to remind (assign the issue)")
    comments: list[Comment] = list(list_comments(client, item.repo, item.number))
    chosen: Plan = plan(item.item_id, item.due, item.owner, comments, now=now, interval=interval)
    if chosen.decision == "wait":
        assert chosen.not_before is not None and chosen.last is not None
        last = chosen.last
        known = "posted" if dry_run else claims.state(engine, item.repo, item.number, last.key)
        if known != "posted":
            # Found on GitHub, not recorded here: a store that is new (CI), or a run that
            # stopped between its write and its record.
            where = (item.repo, item.number, last.key)
            claims.record(engine, *where, run=run, comment_id=last.comment.id, url=last.comment.url)
            _record_event(engine, item.item_id, last.comment.url, last.key)
        if known == "pending":
            return Outcome(
                item,
                "recorded",
                f"{item.ref}: found the reminder of {_day(last.at)} that a stopped run had "
                "posted, and recorded it",
                last.key,
                last.comment.url,
                chosen.not_before,
            )
        why = "answered" if chosen.answered_at else "unanswered"
        return Outcome(
            item,
            "waiting",
            f"{item.ref}: reminded {_day(chosen.last.at)} ({why}); the next reminder goes "
            f"after {chosen.not_before.date().isoformat()}",
            chosen.key,
            chosen.last.comment.url,
            chosen.not_before,
        )
    # The reminders in a row this one follows without an answer decide its own wait.
    streak = 0 if chosen.last is None or chosen.answered_at else chosen.unanswered + 1
    text = reminder_text(item, today=today, next_wait=backoff(interval, streak), n=chosen.n)
    if dry_run:
        return Outcome(item, "would_remind", f"{item.ref}: would remind @{item.owner}", chosen.key)
    held = claims.claim(engine, item.repo, item.number, chosen.key, run=run, item_id=item.item_id)
    if held.state == "posted":
        return Outcome(item, "recorded", f"{item.ref}: already reminded", chosen.key, held.url)
    if held.state == "busy":
        return Outcome(
            item, "skipped", f"{item.ref}: another run is sending this reminder", chosen.key
        )
    try:
        kept = keep_comment(client, item.repo, item.number, chosen.key, text, on_note=on_note)
    except GitHubError as exc:
        claims.release(engine, item.repo, item.number, chosen.key, run=run)
        return Outcome(item, "failed", f"{item.ref}: {exc}", chosen.key)
    claims.record(
        engine,
        item.repo,
        item.number,
        chosen.key,
        run=run,
        comment_id=kept.comment.id,
        url=kept.url,
    )
    _record_event(engine, item.item_id, kept.url, chosen.key)
    if kept.action != "created":
        # A run that stopped after writing it: found, recorded, not sent again.
        return Outcome(
            item, "recorded", f"{item.ref}: the reminder was there already", chosen.key, kept.url
        )
    return Outcome(item, "reminded", f"{item.ref}: reminded @{item.owner}", chosen.key, kept.url)


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "?"


def digest_period(today: date, interval: timedelta) -> str:
    """Return the digest's period: the ISO week, or the block of `interval` days."""
    days = max(1, interval.days)
    if days == 7:
        year, week, _ = today.isocalendar()
        return f"{year}-W{week:02d}"
    start = EPOCH + timedelta(days=(today - EPOCH).days // days * days)
    return f"{start.isoformat()}+{days}d"


def remind(
    engine: Engine,
    client: GitHub,
    repos: Sequence[str],
    *,
    interval: timedelta,
    older_than: timedelta = timedelta(0),
    dry_run: bool = False,
    digest: tuple[str, int] | None = None,
    today: date | None = None,
    run: str | None = None,
    on_note: Note | None = None,
) -> RemindReport:
    """Remind the owners of overdue items: on each issue, or in one digest comment."""
    today = today or clock.today()
    now = clock.now()
    run = run or claims.new_run()
    report = RemindReport(repos=list(repos))
    overdue = find_overdue(engine, client, repos, today=today, older_than=older_than, report=report)
    if digest is not None:
        report.digest = _digest(engine, client, digest, overdue, today, interval, dry_run, run)
        return report
    for item in overdue:
        report.outcomes.append(
            _remind_one(
                engine,
                client,
                item,
                today=today,
                now=now,
                interval=interval,
                dry_run=dry_run,
                run=run,
                on_note=on_note,
            )
        )
    return report


def _digest(
    engine: Engine,
    client: GitHub,
    target: tuple[str, int],
    overdue: list[Overdue],
    today: date,
    interval: timedelta,
    dry_run: bool,
    run: str,
) -> DigestOutcome:
    repo, number = target
    period = digest_period(today, interval)
    key = f"digest:{period}"
    text = digest_text(overdue, today=today, period=period)
    issue = f"{repo}#{number}"
    if dry_run:
        return DigestOutcome(issue, key, "would_post", None, text)
    # The claim keeps two runs on one store from both creating the comment; edits of it
    # within the period notify nobody, so a run after the first only brings it up to date.
    held = claims.claim(engine, repo, number, key, run=run)
    if held.state == "busy":
        return DigestOutcome(issue, key, "skipped", None, text)
    kept = keep_comment(client, repo, number, key, text)
    claims.record(engine, repo, number, key, run=run, comment_id=kept.comment.id, url=kept.url)
    return DigestOutcome(issue, key, kept.action, kept.url, text)
