"""When a reminder may go: hand-worked chains of reminders, answers and waits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from followup.github.comments import Comment, marked_body
from followup.github.issue_fields import IssueFields, issue_fields
from followup.sync.remind_schedule import backoff, parse_reminder, plan, reminder_key

WEEK = timedelta(days=7)
DUE = date(2026, 3, 1)
BOT = "github-actions[bot]"


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 9, tzinfo=UTC)


def reminder(n: int, day: int, *, owner: str = "dana", due: date = DUE) -> Comment:
    body = marked_body(f"@{owner}, reminder {n}", reminder_key("abc1234", due, owner, n))
    return Comment(100 + n, body, None, BOT, at(day), at(day))


def said(day: int, who: str = "dana", body: str = "on it") -> Comment:
    return Comment(500 + day, body, None, who, at(day), at(day))


def test_the_wait_doubles_twice_then_stays() -> None:
    assert [backoff(WEEK, n).days for n in range(5)] == [7, 14, 28, 28, 28]


def test_no_reminder_yet_means_remind_now_with_the_first_key() -> None:
    chosen = plan("abc1234", DUE, "Dana", [said(2)], now=at(3), interval=WEEK)
    assert (chosen.decision, chosen.key, chosen.n) == (
        "remind",
        "remind:abc1234:2026-03-01:dana:0",
        0,
    )


def test_an_unanswered_reminder_waits_a_week_then_two_then_four() -> None:
    one = [reminder(0, 2)]
    assert plan("abc1234", DUE, "dana", one, now=at(8), interval=WEEK).decision == "wait"
    due_again = plan("abc1234", DUE, "dana", one, now=at(9), interval=WEEK)
    assert (due_again.decision, due_again.n) == ("remind", 1)
    two = [*one, reminder(1, 9)]
    waiting = plan("abc1234", DUE, "dana", two, now=at(22), interval=WEEK)
    assert (waiting.decision, waiting.unanswered) == ("wait", 1)
    assert waiting.not_before == at(23)  # 9 + 14
    three = [*two, reminder(2, 23)]
    assert (
        plan("abc1234", DUE, "dana", three, now=at(23) + timedelta(days=27), interval=WEEK).decision
        == "wait"
    )


def test_an_answer_by_someone_else_restarts_the_wait_from_it() -> None:
    chain = [reminder(0, 2), said(5), reminder(1, 12)]
    chosen = plan("abc1234", DUE, "dana", chain, now=at(18), interval=WEEK)
    # The reminder of day 12 is unanswered, the one before was answered: one week.
    assert (chosen.decision, chosen.unanswered) == ("wait", 0)
    assert chosen.not_before == at(19)
    answered = plan("abc1234", DUE, "dana", [reminder(0, 2), said(6)], now=at(12), interval=WEEK)
    assert (answered.decision, answered.answered_at) == ("wait", at(6))
    assert answered.not_before == at(13)


def test_followup_s_own_comments_and_the_bot_do_not_answer() -> None:
    own = said(4, who=BOT, body="a plan")
    marked = said(5, who="lee", body=marked_body("report", "report:2026-W10"))
    chosen = plan("abc1234", DUE, "dana", [reminder(0, 2), own, marked], now=at(9), interval=WEEK)
    assert chosen.answered_at is None and chosen.decision == "remind"


def test_another_due_date_or_owner_is_another_chain() -> None:
    old = [reminder(0, 2), reminder(1, 9)]
    moved = plan("abc1234", date(2026, 3, 5), "dana", old, now=at(10), interval=WEEK)
    assert (moved.decision, moved.n) == ("remind", 0)
    handed = plan("abc1234", DUE, "kim", old, now=at(10), interval=WEEK)
    assert handed.key == "remind:abc1234:2026-03-01:kim:0"


def test_only_the_last_line_s_marker_makes_a_reminder() -> None:
    quoted = Comment(
        7,
        "> <!-- followup:remind:abc1234:2026-03-01:dana:0 -->\nthanks",
        None,
        "dana",
        at(3),
        at(3),
    )
    assert parse_reminder(quoted) is None
    found = parse_reminder(reminder(3, 4))
    assert found is not None and (found.n, found.owner, found.due) == (3, "dana", DUE)


def test_the_issue_body_gives_owner_due_and_priority() -> None:
    body = (
        "Action item from a post-mortem: **Fix it**\n\n"
        "- **Owner:** @dana-x (cannot be assigned in this repository)\n"
        "- **Due:** 2026-03-01 (the due-date policy's deadline for P1)\n"
        "- **Priority:** p1\n\n<!-- followup:item=abc1234 postmortem=q -->"
    )
    assert issue_fields(body) == IssueFields("dana-x", date(2026, 3, 1), "P1")
    assert issue_fields("- **Owner:** the DBA team\n- **Due:** end of Q1") == IssueFields()
    assert issue_fields(None) == IssueFields()
    assert issue_fields("- **Due:** 2026-02-30") == IssueFields()
